#!/usr/bin/python3
"""Golden attributions for the explainers' tests, from PyTorch reference
implementations of Captum's definitions (Captum itself is not packaged here).

Writes tests/golden_explain/: the tiny CNN's weights (*.npy, read by the C++
test backend), the same model as ONNX (tiny_cnn.onnx, for the native engine),
the input, one golden .npy per case, and cases.txt listing
`name|method|target|key=value;key=value`.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/golden_explain/make_golden.py
"""
import os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden_explain")
C, H, W, K, TARGET = 2, 12, 12, 3, 2  # target 2: a Grad-CAM map of both signs, so the ReLU matters


class TinyCnn(nn.Module):
    # conv3x3(4)-ReLU-conv3x3(4)-ReLU-avgpool2-flatten-linear(K): the C++ TinyCnn test backend.
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(C, 4, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(4 * (H // 2) * (W // 2), K)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.relu2(self.conv2(self.relu1(self.conv1(x))))), 1))


class GuidedRelu(torch.autograd.Function):
    # Captum's GuidedBackprop: ReLU's gradient, then a ReLU on it.
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return F.relu(g * (x > 0).float())


def forward_parts(m, x, guided=False):
    relu = GuidedRelu.apply if guided else F.relu
    a1 = relu(m.conv1(x))
    a2 = relu(m.conv2(a1))
    p = m.pool(a2)
    return m.fc(torch.flatten(p, 1)), p


def input_grad(m, x, guided=False):
    x = x.clone().requires_grad_(True)
    out, _ = forward_parts(m, x, guided)
    (g,) = torch.autograd.grad(out[:, TARGET].sum(), x)
    return g


def ig_params(rule, n):
    # captum/attr/_utils/approximation_methods.py
    if rule == "gausslegendre":
        x, w = np.polynomial.legendre.leggauss(n)
        return list(0.5 * w), list(0.5 * (1 + x))
    deltas = [1 / n] * n
    if rule == "riemann_trapezoid":
        deltas[0] /= 2
        deltas[-1] /= 2
        return deltas, list(np.linspace(0, 1, n))
    if rule == "riemann_left":
        return deltas, list(np.linspace(0, 1 - 1 / n, n))
    if rule == "riemann_middle":
        return deltas, list(np.linspace(1 / (2 * n), 1 - 1 / (2 * n), n))
    return deltas, list(np.linspace(1 / n, 1, n))


def integrated_gradients(m, x, base, rule, n):
    steps, alphas = ig_params(rule, n)
    scaled = torch.cat([base + a * (x - base) for a in alphas])
    g = input_grad(m, scaled)
    total = (g * torch.tensor(steps).float().view(-1, 1, 1, 1)).sum(0, keepdim=True)
    return total * (x - base)


def cam(m, x, pp=False, relu=True, mode="bilinear"):
    out, p = forward_parts(m, x)
    (g,) = torch.autograd.grad(out[:, TARGET].sum(), p)
    if pp:
        g2, g3 = g ** 2, g ** 3
        s = p.sum(dim=(2, 3), keepdim=True)
        denom = 2 * g2 + s * g3
        alpha = torch.where((g != 0) & (denom != 0), g2 / torch.where(denom != 0, denom, torch.ones_like(denom)), torch.zeros_like(g))
        w = (alpha * F.relu(g)).sum(dim=(2, 3), keepdim=True)
    else:
        w = g.mean(dim=(2, 3), keepdim=True)
    c = (w * p).sum(dim=1, keepdim=True)
    if relu:
        c = F.relu(c)
    if mode == "nearest":
        return F.interpolate(c, size=(H, W), mode="nearest")
    return F.interpolate(c, size=(H, W), mode="bilinear", align_corners=False)


def occlusion(m, x, wh, ww, sh, sw, base):
    with torch.no_grad():
        f0 = m(x)[0, TARGET]
        total = torch.zeros(1, 1, H, W)
        count = torch.zeros(1, 1, H, W)
        for y in range(0, H - wh + 1, sh):
            for xx in range(0, W - ww + 1, sw):
                mask = torch.zeros(1, 1, H, W)
                mask[..., y:y + wh, xx:xx + ww] = 1
                xo = x * (1 - mask) + base * mask
                total += (f0 - m(xo)[0, TARGET]) * mask
                count += mask
        a = total / count  # Captum: NaN where no window covers a pixel
        return torch.nan_to_num(a, nan=0.0).expand(1, C, H, W)


def feature_ablation(m, x, n, base):
    with torch.no_grad():
        f0 = m(x)[0, TARGET]
        ys = (torch.arange(H) * n) // H
        xs = (torch.arange(W) * n) // W
        label = ys.view(H, 1) * n + xs.view(1, W)
        a = torch.zeros(1, C, H, W)
        for k in range(n * n):
            mask = (label == k).float().view(1, 1, H, W)
            xo = x * (1 - mask) + base * mask
            a += (f0 - m(xo)[0, TARGET]) * mask
        return a


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    m = TinyCnn().eval()
    with torch.no_grad():
        m.conv1.bias.add_(0.1)  # keep a mix of active and inactive units
    x = torch.rand(1, C, H, W)
    for name, t in [("conv1_w", m.conv1.weight), ("conv1_b", m.conv1.bias), ("conv2_w", m.conv2.weight),
                    ("conv2_b", m.conv2.bias), ("fc_w", m.fc.weight), ("fc_b", m.fc.bias), ("input", x)]:
        np.save(os.path.join(OUT, name + ".npy"), t.detach().numpy().astype(np.float32))
    torch.onnx.export(m, x, os.path.join(OUT, "tiny_cnn.onnx"), opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})

    cases = []

    def add(name, method, params, a):
        np.save(os.path.join(OUT, "golden_" + name + ".npy"), a.detach().numpy().astype(np.float32))
        cases.append("%s|%s|%d|%s" % (name, method, TARGET, ";".join("%s=%s" % kv for kv in params)))

    g = input_grad(m, x)
    add("saliency", "saliency", [], g.abs())
    add("saliency_signed", "saliency", [("abs", "false")], g)
    add("input_x_gradient", "input_x_gradient", [], x * g)
    add("guided_backprop", "guided_backprop", [], input_grad(m, x, guided=True))
    zero = torch.zeros_like(x)
    for rule in ["riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre"]:
        add("ig_" + rule, "integrated_gradients", [("steps", "16"), ("rule", rule)],
            integrated_gradients(m, x, zero, rule, 16))
    add("ig_gl7_const", "integrated_gradients", [("steps", "7"), ("baseline", "0.5")],
        integrated_gradients(m, x, torch.full_like(x, 0.5), "gausslegendre", 7))
    add("grad_cam", "grad_cam", [], cam(m, x))
    add("grad_cam_norelu", "grad_cam", [("relu", "false")], cam(m, x, relu=False))
    add("grad_cam_nearest", "grad_cam", [("upsample", "nearest")], cam(m, x, mode="nearest"))
    add("grad_cam_pp", "grad_cam_pp", [], cam(m, x, pp=True))
    add("guided_grad_cam", "guided_grad_cam", [],
        input_grad(m, x, guided=True) * cam(m, x, mode="nearest"))
    add("occlusion_4_2", "occlusion", [("window", "4"), ("stride", "2")], occlusion(m, x, 4, 4, 2, 2, 0.0))
    add("occlusion_3x5_3x2", "occlusion", [("window", "3x5"), ("stride", "3x2"), ("baseline", "0.25")],
        occlusion(m, x, 3, 5, 3, 2, 0.25))
    add("feature_ablation_grid3", "feature_ablation", [("features", "grid:3"), ("baseline", "0.5")],
        feature_ablation(m, x, 3, 0.5))
    with open(os.path.join(OUT, "cases.txt"), "w") as f:
        f.write("\n".join(cases) + "\n")
    print("wrote %d cases to %s" % (len(cases), os.path.normpath(OUT)))
    # LRP's cases use the tiny CNN just written plus models of their own.
    import make_golden_lrp
    make_golden_lrp.main()


if __name__ == "__main__":
    main()
