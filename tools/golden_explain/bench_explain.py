#!/usr/bin/python3
"""Times every explainer on the shared benchmark model and prints the ratio to
Captum's one-thread figures from ../shared/bench/README.md: the median of
--repeat runs of the explainer alone on one loaded model (`xmedia explain
--repeat N` reports it as "seconds"), as Captum's figures are medians of warm calls.

  tools/golden_explain/bench_explain.py --xmedia "node build/wasm/xmedia.js" --model ../shared/bench/bench_cnn.onnx
  tools/golden_explain/bench_explain.py --xmedia build/native/xmedia --model ../shared/bench/bench_cnn.onnx

Targets (issue 5): at most half of Captum's time, occlusion at most a tenth.

With --torch it also times, in the same run, PyTorch implementations of
Captum's computations (one thread; Captum is not packaged here) for the
gradient methods, Grad-CAM and occlusion, and prints the ratio to those too:
on a loaded shared machine that ratio is the fairer one.
"""
import argparse
import json
import os
import shlex
import subprocess
import tempfile

import numpy as np

# (method, params, Captum 1-thread seconds or None, target ratio)
CASES = [
    ("saliency", [], 6.7e-3, 0.5),
    ("input_x_gradient", [], None, None),
    ("guided_backprop", [], None, None),
    ("integrated_gradients", ["steps=32"], 0.32, 0.5),
    ("smoothgrad", ["samples=32"], 0.30, 0.5),
    ("vargrad", ["samples=32"], None, None),
    ("grad_cam", [], 5.0e-3, 0.5),
    ("grad_cam_pp", [], None, None),
    ("guided_grad_cam", [], None, None),
    ("occlusion", ["window=16", "stride=8"], 1.2, 0.1),  # Captum: 1.2-1.8 s; the faster end
    ("occlusion", ["window=16", "stride=8", "incremental=false"], None, None),  # full passes, for the speed-up
    ("feature_ablation", ["features=grid:8"], None, None),
    ("rise", ["masks=500"], None, None),
    ("lime", ["samples=500", "features=grid:8"], 3.3, 0.5),
    ("kernel_shap", ["samples=500", "features=grid:8"], 3.1, 0.5),
    ("lrp_epsilon", [], None, None),
    ("lrp_alpha_beta", [], None, None),
]


def torch_timers(model_path):
    """PyTorch versions of what Captum computes for each method, on bench_cnn rebuilt from the ONNX weights."""
    import time
    import onnx
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from onnx import numpy_helper

    torch.set_num_threads(1)
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                        nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 2)).eval()
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load(model_path).graph.initializer}
    net.load_state_dict(weights)
    x = torch.from_numpy(np.random.RandomState(0).rand(1, 1, 128, 128).astype(np.float32))
    t = 1

    def grad(inp):
        inp = inp.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(net(inp)[:, t].sum(), inp)
        return g

    def ig():
        xs, ws = np.polynomial.legendre.leggauss(32)
        alphas = torch.tensor(0.5 * (1 + xs)).float().view(-1, 1, 1, 1)
        g = grad(alphas * x)
        return (g * torch.tensor(0.5 * ws).float().view(-1, 1, 1, 1)).sum(0, keepdim=True) * x

    def smoothgrad():
        return grad(x + 0.15 * torch.randn(32, 1, 128, 128)).abs().mean(0, keepdim=True)

    def grad_cam():
        feats = net[:8](x)
        out = net[8:](feats)
        (g,) = torch.autograd.grad(out[:, t].sum(), feats)
        cam = F.relu((g.mean(dim=(2, 3), keepdim=True) * feats).sum(1, keepdim=True))
        return F.interpolate(cam, size=(128, 128), mode="bilinear", align_corners=False)

    def occlusion():
        with torch.no_grad():
            f0 = net(x)[0, t]
            total = torch.zeros_like(x)
            count = torch.zeros_like(x)
            for y in range(0, 128 - 16 + 1, 8):
                for xx in range(0, 128 - 16 + 1, 8):
                    xo = x.clone()
                    xo[..., y:y + 16, xx:xx + 16] = 0
                    total[..., y:y + 16, xx:xx + 16] += f0 - net(xo)[0, t]
                    count[..., y:y + 16, xx:xx + 16] += 1
            return total / count

    fns = {"saliency": lambda: grad(x).abs(), "integrated_gradients": ig, "smoothgrad": smoothgrad,
           "grad_cam": grad_cam, "occlusion": occlusion}

    def timer(method, repeat):
        if method not in fns:
            return None
        fns[method]()  # warm-up
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            fns[method]()
            times.append(time.perf_counter() - t0)
        return sorted(times)[len(times) // 2]

    return timer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xmedia", required=True, help="command that runs xmedia, e.g. 'node build/wasm/xmedia.js'")
    ap.add_argument("--model", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated methods")
    ap.add_argument("--torch", action="store_true", help="also time PyTorch versions in the same run")
    args = ap.parse_args()
    timer = torch_timers(args.model) if args.torch else None
    tmp = tempfile.mkdtemp(prefix="bench_explain_")
    x = os.path.join(tmp, "x.npy")
    rng = np.random.RandomState(0)
    np.save(x, rng.rand(1, 1, 128, 128).astype(np.float32))
    only = set(filter(None, args.only.split(",")))
    print("| method | params | xmedia median s | Captum 1-thread s (README) | ratio | target | ok | PyTorch now s | ratio to it |")
    print("|---|---|---|---|---|---|---|---|---|")
    for method, params, captum, target in CASES:
        if only and method not in only:
            continue
        cmd = shlex.split(args.xmedia) + ["explain", "--model", args.model, "--input", x, "--method", method,
                                          "--target", "1", "--threads", "1", "--repeat", str(args.repeat), "--out", os.path.join(tmp, "a.npy")]
        for p in params:
            cmd += ["--param", p]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("%s failed: %s" % (method, r.stderr.strip()))
        med = json.loads(r.stdout)["seconds"]  # median of --repeat runs in one process
        now = timer(method, args.repeat) if timer else None
        tail = "| %.4f | %.3f |" % (now, med / now) if now else "| - | - |"
        if captum:
            ratio = med / captum
            print("| %s | %s | %.4f | %.4f | %.3f | %.2f | %s %s" % (method, " ".join(params), med, captum, ratio, target,
                                                                  "yes" if ratio <= target else "NO", tail))
        else:
            print("| %s | %s | %.4f | - | - | - | - %s" % (method, " ".join(params), med, tail))


if __name__ == "__main__":
    main()
