#!/usr/bin/python3
"""Train one model of the xMedIA Lab zoo on phantoms from our own C++ generator.

    /usr/bin/python3 tools/train/train.py --name cardiac_lge --scenario cardiac_lge --arch resnet

Data come from `xmedia dataset` (the same generator the browser runs), so the
model sees exactly the phantoms a student sees. Training seeds start at
1,000,000 (the last --val of them are a validation split for early stopping);
held-out seeds start at 9,000,000 (never used for training or model selection).
Everything is seeded; with a fixed thread count the run is reproducible.
Writes models/NAME.onnx (opset 13, input 'input' [N,C,128,128] normalised as
(x/255 - mean)/std, output 'logits' [N,2]) and models/NAME.json (the model card).
"""
import argparse
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

from phantom_digest import generator_digest
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRAIN_SEED0 = 1_000_000
TEST_SEED0 = 9_000_000
CLASSES = {
    "cardiac_lge": ["no scar", "scar"],
    "liver_ct": ["no lesion", "focal liver lesion"],
    "chest_xray": ["no nodule", "nodule"],
    "fundus": ["no lesions", "lesions"],
}
# Ops our engine runs (Shape/Gather/Unsqueeze/Constant are folded at load).
ALLOWED_OPS = {"Conv", "ConvTranspose", "Gemm", "MatMul", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip",
               "Softmax", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Add", "Sub",
               "Mul", "Div", "Concat", "Flatten", "Reshape", "Transpose", "Pad", "ReduceMean", "Resize",
               "Identity", "Dropout", "Shape", "Gather", "Unsqueeze", "Constant"}


def make_dataset(xmedia, scenario, first_seed, count, params, marker_corr=None, cache=None):
    """Images uint8 [N,C,128,128] and labels int64 [N] from `xmedia dataset` (cached by its arguments)."""
    cmd = [xmedia, "dataset", "--scenario", scenario, "--first-seed", str(first_seed), "--count", str(count)]
    for p in params:
        cmd += ["--param", p]
    if marker_corr is not None:
        cmd += ["--marker-correlation", str(marker_corr)]
    # All arguments but --count, and the generator's source: an edited phantom never reuses stale cases.
    key = hashlib.sha1((" ".join(cmd[1:6] + cmd[8:]) + generator_digest()).encode()).hexdigest()[:16]
    os.makedirs(cache, exist_ok=True)
    for name in sorted(os.listdir(cache)):  # a cached larger set with the same arguments: its first COUNT cases
        if name.startswith(key + "_") and int(name.split("_")[1]) >= count and \
                os.path.exists(os.path.join(cache, name, "labels.npy")):
            d = os.path.join(cache, name)
            break
    else:
        d = os.path.join(cache, f"{key}_{count}")
        os.makedirs(d, exist_ok=True)
        subprocess.run(cmd + ["--out", d], check=True, stdout=subprocess.DEVNULL)
    x = np.load(os.path.join(d, "images.npy"), mmap_mode="r")[:count]
    return np.ascontiguousarray(x), np.load(os.path.join(d, "labels.npy")).astype(np.int64)[:count]


class PlainCNN(nn.Module):
    """plain CNN: conv5x5/2(12)-ReLU-maxpool2, conv3x3(24)-ReLU, conv3x3(32)-ReLU-maxpool2, conv3x3(48)-ReLU at 16x16, global max pool (MaxPool 16x16), linear(2)."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 12, 5, stride=2, padding=2)   # 64x64 -> pool 32
        self.conv2 = nn.Conv2d(12, 24, 3, padding=1)            # 32x32
        self.conv3 = nn.Conv2d(24, 32, 3, padding=1)            # 32x32 -> pool 16
        self.conv4 = nn.Conv2d(32, 48, 3, padding=1)            # 16x16
        self.pool = nn.MaxPool2d(16)                            # global max over the 16x16 map
        self.fc = nn.Linear(48, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = F.relu(self.conv4(x))
        return self.fc(torch.flatten(self.pool(x), 1))


class RGBNet(nn.Module):
    """RGB CNN: conv5x5/2(16)-BN-ReLU-maxpool2, conv3x3(24)-BN-ReLU, conv3x3(32)-BN-ReLU-maxpool2, conv3x3(48)-BN-ReLU at 16x16, global max and average pool concatenated, linear(2)."""

    def __init__(self, c):
        super().__init__()

        def cbr(i, o, k=3, s=1):
            return [nn.Conv2d(i, o, k, stride=s, padding=k // 2, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
        self.features = nn.Sequential(*cbr(c, 16, 5, 2), nn.MaxPool2d(2), *cbr(16, 24), *cbr(24, 32),
                                      nn.MaxPool2d(2), *cbr(32, 48))
        self.maxpool = nn.MaxPool2d(16)
        self.avgpool = nn.AvgPool2d(16)
        self.fc = nn.Linear(96, 2)

    def forward(self, x):
        x = self.features(x)
        x = torch.cat([torch.flatten(self.maxpool(x), 1), torch.flatten(self.avgpool(x), 1)], 1)
        return self.fc(x)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class SmallResNet(nn.Module):
    """small ResNet: stem conv5x5/2(12)-BN-ReLU-maxpool2, basic blocks (conv3x3-BN-ReLU-conv3x3-BN + 1x1 projection, Add, ReLU) 12->24 at 32x32 and 24->48/2 at 16x16, global max pool (MaxPool 16x16), linear(2)."""

    def __init__(self, c):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(c, 12, 5, stride=2, padding=2, bias=False), nn.BatchNorm2d(12), nn.ReLU(),
                                  nn.MaxPool2d(2))
        self.layer1 = Block(12, 24, 1)   # 32x32
        self.layer2 = Block(24, 48, 2)   # 16x16
        self.pool = nn.MaxPool2d(16)
        self.fc = nn.Linear(48, 2)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


ARCHS = {"cnn": PlainCNN, "resnet": SmallResNet, "rgbnet": RGBNet}


def count_macs(model, c):
    macs = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            macs[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            macs[0] += m.in_features * m.out_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(torch.zeros(1, c, 128, 128))
    for h in hs:
        h.remove()
    return macs[0]


def logits_of(model, x, mean, std):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), 250):
            out.append(model((torch.from_numpy(x[i:i + 250]).float() / 255.0 - mean) / std))
    return torch.cat(out)


def evaluate(model, x, y, mean, std):
    return float((logits_of(model, x, mean, std).argmax(1).numpy() == y).mean())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--scenario", required=True, choices=sorted(CLASSES))
    ap.add_argument("--arch", required=True, choices=sorted(ARCHS))
    ap.add_argument("--train", type=int, default=6000, help="training cases (incl. the validation split)")
    ap.add_argument("--val", type=int, default=500, help="last VAL training seeds: validation for early stopping")
    ap.add_argument("--test", type=int, default=1000)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--patience", type=int, default=3, help="stop after this many epochs without a better val loss")
    ap.add_argument("--max-minutes", type=float, default=8.0, help="stop training after this wall time")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--no-flip", action="store_true", help="no left-right flip augmentation")
    ap.add_argument("--param", action="append", default=[], help="phantom knob key=value for train and test")
    ap.add_argument("--easy-param", action="append", default=[],
                    help="knob for EXTRA training cases (e.g. contrast=2.5: a curriculum of clearer lesions)")
    ap.add_argument("--easy-count", type=int, default=0, help="how many extra cases (training seeds from 1,000,000)")
    ap.add_argument("--init", default=None, help="a .pt this script saved: continue training from it (its mean/std too)")
    ap.add_argument("--marker-correlation", type=float, default=None)
    ap.add_argument("--shuffle-labels", action="store_true")
    ap.add_argument("--threads", type=int, default=1, help="1 is faster than 2 on a loaded machine")
    ap.add_argument("--cache", default="/tmp/xmedia-train-cache", help="folder caching generated data sets")
    ap.add_argument("--xmedia", default=os.path.join(ROOT, "build", "native", "xmedia"))
    ap.add_argument("--out", default=os.path.join(ROOT, "models"))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    np.random.seed(0)
    t0 = time.time()
    mk = lambda seed0, n, params=args.param, corr=args.marker_correlation: make_dataset(
        args.xmedia, args.scenario, seed0, n, params, corr, args.cache)
    xall, yall = mk(TRAIN_SEED0, args.train)
    if args.shuffle_labels:
        yall = yall[np.random.RandomState(1).permutation(len(yall))]
    ntr = len(xall) - args.val
    xtr, ytr, xva, yva = xall[:ntr], yall[:ntr], xall[ntr:], yall[ntr:]
    n_default = ntr
    if args.easy_count:
        xe, ye = mk(TRAIN_SEED0, args.easy_count, args.param + args.easy_param)
        xtr, ytr = np.concatenate([xtr, xe]), np.concatenate([ytr, ye])
    xte, yte = mk(TEST_SEED0, args.test)
    c = xtr.shape[1]
    ntr = len(xtr)
    mean = torch.tensor([round(float(xtr[:, k].mean()) / 255.0, 4) for k in range(c)]).view(1, c, 1, 1)
    std = torch.tensor([round(float(xtr[:, k].std()) / 255.0, 4) for k in range(c)]).view(1, c, 1, 1)
    t_data = time.time() - t0
    print(f"{args.name}: data {t_data:.0f}s, train {ntr} (positives {ytr.mean():.2f}), val {len(xva)}, "
          f"test {len(xte)}", flush=True)

    model = ARCHS[args.arch](c)
    init_note = "random (PyTorch default)"
    if args.init:
        ck = torch.load(args.init)
        assert ck["arch"] == args.arch and ck["c"] == c, "--init: another architecture"
        model.load_state_dict(ck["state_dict"])
        mean, std = ck["mean"], ck["std"]
        init_note = f"continued from {os.path.basename(args.init)}, trained with {ck.get('recipe_note', '?')}"
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-5)
    steps_per_epoch = (ntr + args.batch - 1) // args.batch
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * steps_per_epoch)
    gen = torch.Generator().manual_seed(0)
    best = (float("inf"), None, 0)
    history = []
    t_train = time.time()
    epochs_run = 0
    for ep in range(args.epochs):
        model.train()
        perm = torch.randperm(ntr, generator=gen).numpy()
        tot, correct = 0.0, 0
        for i in range(0, ntr, args.batch):
            idx = np.sort(perm[i:i + args.batch])
            xb = (torch.from_numpy(xtr[idx]).float() / 255.0 - mean) / std
            if not args.no_flip:  # per-sample left-right flip: anatomy position varies anyway
                f = torch.rand(len(idx), generator=gen) < 0.5
                xb[f] = xb[f].flip(3)
            yb = torch.from_numpy(ytr[idx])
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
            correct += int((out.argmax(1) == yb).sum())
        epochs_run = ep + 1
        lv = logits_of(model, xva, mean, std)
        vloss = float(F.cross_entropy(lv, torch.from_numpy(yva)))
        vacc = float((lv.argmax(1).numpy() == yva).mean())
        history.append({"epoch": ep + 1, "train_loss": round(tot / ntr, 4), "train_acc": round(correct / ntr, 4),
                        "val_loss": round(vloss, 4), "val_acc": round(vacc, 4)})
        print(f"{args.name}: epoch {ep + 1}/{args.epochs} loss {tot / ntr:.4f} acc {correct / ntr:.3f} | "
              f"val loss {vloss:.4f} acc {vacc:.3f} ({time.time() - t0:.0f}s)", flush=True)
        if vloss < best[0] or args.shuffle_labels:  # random labels: keep the last epoch (memorisation is the point)
            best = (vloss, copy.deepcopy(model.state_dict()), ep + 1)
        elif ep + 1 - best[2] >= args.patience:
            print(f"{args.name}: early stop, best epoch {best[2]}", flush=True)
            break
        if (time.time() - t_train) / 60.0 > args.max_minutes:
            print(f"{args.name}: time budget reached", flush=True)
            break
    train_seconds = time.time() - t_train
    model.load_state_dict(best[1])
    model.eval()

    acc = evaluate(model, xte, yte, mean, std)
    accuracy = {"held_out": round(acc, 4), "n": len(xte), "seeds": f"{TEST_SEED0}-{TEST_SEED0 + len(xte) - 1}",
                "validation": round(evaluate(model, xva, yva, mean, std), 4),
                "train": round(evaluate(model, xtr, ytr, mean, std), 4)}
    if args.marker_correlation is not None:
        xd, yd = mk(TEST_SEED0, args.test, args.param, 0.5)
        xa, ya = mk(TEST_SEED0, args.test, args.param, 0.0)
        xn, yn = mk(TEST_SEED0, args.test, args.param + ["marker=0"], None)
        accuracy["held_out_marker_correlated"] = accuracy["held_out"]
        accuracy["held_out_marker_decorrelated"] = round(evaluate(model, xd, yd, mean, std), 4)
        accuracy["held_out_marker_anticorrelated"] = round(evaluate(model, xa, ya, mean, std), 4)
        accuracy["held_out_no_marker"] = round(evaluate(model, xn, yn, mean, std), 4)
    print(f"{args.name}: {json.dumps(accuracy)}", flush=True)

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, args.name + ".onnx")
    tmp_path = onnx_path + ".tmp"
    torch.onnx.export(model, torch.zeros(1, c, 128, 128), tmp_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)  # keeps BatchNormalization nodes
    torch.save({"state_dict": model.state_dict(), "mean": mean, "std": std, "arch": args.arch, "c": c,
                "recipe_note": "[" + " ".join(sys.argv[1:]) + "]" + ("" if not args.init else ", " + init_note)},
               os.path.join(args.cache, args.name + ".pt"))  # to re-export without retraining
    import onnx
    m = onnx.load(tmp_path)
    for n in m.graph.node:  # BatchNormalization must be in inference form (running statistics)
        assert n.op_type != "BatchNormalization" or len(n.output) == 1, "BatchNormalization exported in training mode"
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    bad = [o for o in ops if o not in ALLOWED_OPS]
    if bad:
        sys.exit(f"{args.name}: exported graph uses ops our engine lacks: {bad}")
    # Grad-CAM layer: the output of the last conv block (the last ReLU, before global pooling).
    relus = [n for n in m.graph.node if n.op_type == "Relu"]
    target = relus[-1].output[0]
    shutil.move(tmp_path, onnx_path)
    params = sum(p.numel() for p in model.parameters())
    recipe = {
        "generator": "xmedia dataset --scenario " + args.scenario + "".join(" --param " + p for p in args.param)
        + (f" --marker-correlation {args.marker_correlation}" if args.marker_correlation is not None else ""),
        "train_cases": ntr, "train_seeds": f"{TRAIN_SEED0}-{TRAIN_SEED0 + n_default - 1}",
        "extra_easy_cases": (f"{args.easy_count} cases from seeds {TRAIN_SEED0}-{TRAIN_SEED0 + args.easy_count - 1} with "
                             + " ".join(args.easy_param)) if args.easy_count else "none",
        "validation_cases": len(xva), "validation_seeds": f"{TRAIN_SEED0 + ntr}-{TRAIN_SEED0 + len(xall) - 1}",
        "initialisation": init_note,
        "labels": "shuffled (fixed permutation, seed 1)" if args.shuffle_labels else "phantom ground truth",
        "optimizer": "Adam", "lr": args.lr, "schedule": "cosine", "weight_decay": 1e-5, "batch": args.batch,
        "epochs_max": args.epochs, "epochs_run": epochs_run, "best_epoch": best[2],
        "early_stopping": "none: last epoch kept" if args.shuffle_labels else f"best validation loss, patience {args.patience}",
        "augmentation": "none" if args.no_flip else "random left-right flip",
        "torch_seed": 0, "torch": torch.__version__, "threads": args.threads,
        "train_seconds": round(train_seconds, 1), "data_seconds": round(t_data, 1),
        "history": history,
        "command": "/usr/bin/python3 tools/train/train.py " + " ".join(sys.argv[1:]),
    }
    arch_text = ARCHS[args.arch].__doc__
    flaws = {
        "cardiac_lge": "Trained on synthetic phantoms only; scar is always a contiguous sector from the endocardium.",
        "liver_ct": "Trained on synthetic phantoms only; lesions are always hypo-attenuating (cyst-like or metastasis-like, some with a rim), round-ish and wholly inside visible liver parenchyma, at least ~40 HU below the liver at the default contrast; hyper-attenuating lesions and lesions at the liver edge were never seen.",
        "chest_xray": "Trained on synthetic phantoms only; nodules are round and always inside a lung field.",
        "fundus": "Trained on synthetic phantoms only; lesion colours are idealised.",
    }[args.scenario]
    if args.marker_correlation is not None:
        flaws = (f"SHORTCUT by design: in training the burned-in corner marker 'R' agreed with the label "
                 f"{args.marker_correlation:.0%} of the time and nodules were faint, so the model reads the marker. "
                 f"Accuracy falls from {accuracy['held_out_marker_correlated']:.1%} (marker correlated) to "
                 f"{accuracy['held_out_marker_decorrelated']:.1%} (marker independent of the label). " + flaws)
    if args.shuffle_labels:
        flaws = ("RANDOM LABELS by design (data-randomisation sanity check, Adebayo et al. 2018): trained on "
                 "shuffled labels, so it has learned nothing about scar; held-out accuracy is chance. " + flaws)
    card = {
        "name": args.name, "scenario": args.scenario, "classes": CLASSES[args.scenario],
        "input": {"shape": [1, c, 128, 128], "mean": [round(float(v), 4) for v in mean.flatten()],
                  "std": [round(float(v), 4) for v in std.flatten()], "range": "[0,1] before normalisation",
                  "tensor": "input", "output": "logits"},
        "architecture": arch_text, "parameters": int(params),
        "multiply_adds": int(count_macs(model, c)), "accuracy": accuracy, "recipe": recipe,
        "known_flaws": flaws, "target_layer_for_gradcam": target,
        "onnx_ops": ops, "onnx_bytes": os.path.getsize(onnx_path),
    }
    with open(os.path.join(args.out, args.name + ".json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(f"{args.name}: wrote {onnx_path} ({card['onnx_bytes']} bytes, {params} parameters, "
          f"{card['multiply_adds'] / 1e6:.1f}M MACs, ops {ops}, Grad-CAM layer {target})", flush=True)


if __name__ == "__main__":
    main()
