#!/usr/bin/python3
"""Golden relevance maps for lrp_epsilon and lrp_alpha_beta, from a PyTorch
reference of Captum's LRP (captum/attr/_core/lrp.py, captum/attr/_utils/lrp_rules.py;
Captum itself is not packaged here).

Two references, checked against each other here before anything is written:
  * captum_lrp(): Captum's mechanism, reproduced on an nn.Module: forward hooks
    that (for alpha-beta) clamp the weights after the first forward, tensor hooks
    on each rule layer's output (grad / (z + eps * sign(z)), sign(0) = 1,
    PropagationRule._create_backward_hook_output) and input (grad * input,
    _create_backward_hook_input), ReLU passing the relevance through
    (backward_hook_activation), and the result times the target output
    (LRP.attribute).
  * onnx_lrp(): the same rules applied node by node to the exported ONNX graph
    (the graph the engine runs), with each node's forward and Jacobian from torch.
Cases are written from onnx_lrp() for the models:
  tiny_cnn.onnx (written by make_golden.py: conv-relu-conv-relu-avgpool-gemm),
  lrp_net.onnx  (conv-relu-maxpool-batchnorm-conv-relu-add(skip)-avgpool-conv-relu-gap-gemm),
  lrp_bench.onnx (bench_cnn's layer pattern, smaller: (conv-relu-maxpool)x2-conv-relu-gap-gemm).
Alpha-beta: Alpha1_Beta0_Rule on Conv2d and Linear, EpsilonRule (Captum's default)
on BatchNorm, pooling and Add. Alpha-beta with beta > 0 is not in Captum: its negative part clamps the weights
from above and drops the bias (engine/lrp.h), checked here by conservation only.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/golden_explain/make_golden_lrp.py
Writes tests/golden_explain/lrp_*.npy, lrp_*.onnx and lrp_cases.txt
(`name|model|input|method|target|key=value;...`).
"""
import os
import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden_explain")


# ---------------------------------------------------------------------------
# Captum's mechanism on nn.Module (rules on every layer, as LRP._get_rules with
# one rule for all layers)
# ---------------------------------------------------------------------------

class AddModule(nn.Module):
    # captum.attr._utils.custom_modules.Addition_Module
    def forward(self, a, b):
        return a + b


RULE_LAYERS = (nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, AddModule)
PASS_LAYERS = (nn.ReLU, nn.Dropout, nn.Tanh)


def captum_lrp(model, x, target, eps, alpha_beta):
    layers = [m for m in model.modules() if len(list(m.children())) == 0]
    saved = {}
    handles = []
    # Pass 1 (_compute_output_and_change_weights): original output; weights changed after each layer ran.
    def weight_hook(m, inp, out):
        saved[m] = tuple(i.data for i in inp)
        if alpha_beta and isinstance(m, (nn.Conv2d, nn.Linear)):
            m.weight.data = m.weight.data.clamp(min=0)  # Alpha1_Beta0_Rule._manipulate_weights
    originals = {m: m.weight.data.clone() for m in layers if getattr(m, "weight", None) is not None}
    for m in layers:
        if isinstance(m, RULE_LAYERS):
            handles.append(m.register_forward_hook(weight_hook))
    with torch.no_grad():
        output = model(x)
    for h in handles:
        h.remove()
    handles = []

    # Pass 2: every rule layer sees its pass-1 inputs (forward_pre_hook_activations) and gets tensor hooks.
    def pre_hook(m, inp):
        for i, a in zip(inp, saved[m]):
            i.data = a
        return inp

    def fwd_hook(m, inp, out):
        for i in inp:
            if not hasattr(i, "hook_registered"):
                a = i.data
                i.register_hook(lambda g, a=a: g * a)           # _backward_hook_input
                i.hook_registered = True
        z = out.data
        def out_hook(g, z=z):                                   # _backward_hook_output
            sign = torch.sign(z)
            sign[sign == 0] = 1
            return g / (z + sign * eps)
        out.register_hook(out_hook)
        return out.clone()

    def act_hook(m, gin, gout):                                 # backward_hook_activation: pass through
        return gout

    for m in layers:
        if isinstance(m, RULE_LAYERS):
            handles.append(m.register_forward_pre_hook(pre_hook))
            handles.append(m.register_forward_hook(fwd_hook))
        elif isinstance(m, PASS_LAYERS):
            handles.append(m.register_full_backward_hook(act_hook))
        else:
            raise TypeError("no rule for %s" % type(m))
    xin = x.clone().requires_grad_(True)
    out = model(xin + 0)                                        # LRP._forward_fn_wrapper
    (g,) = torch.autograd.grad(out[:, target].sum(), xin)
    for h in handles:
        h.remove()
    for m, w in originals.items():
        m.weight.data = w
    return (g * output[:, target].reshape(-1, 1, 1, 1)).detach()


# ---------------------------------------------------------------------------
# The same rules node by node on the ONNX graph
# ---------------------------------------------------------------------------

def attrs_of(n):
    return {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}


def sym_pads(pads):
    h = len(pads) // 2
    assert list(pads[:h]) == list(pads[h:]), "asymmetric pads"
    return list(pads[:h])


def node_fn(n, consts):
    """forward(inputs, mod) for a node; mod None | 'pos' (weights >= 0, bias kept) | 'neg' (weights <= 0, no bias)."""
    op, at = n.op_type, attrs_of(n)

    def clampw(w, mod):
        return w if mod is None else (w.clamp(min=0) if mod == "pos" else w.clamp(max=0))

    def bias(b, mod):
        return None if b is None else (torch.zeros_like(b) if mod == "neg" else b)

    if op == "Conv":
        def f(i, mod=None):
            return F.conv2d(i[0], clampw(i[1], mod), bias(i[2] if len(i) > 2 else None, mod),
                            stride=at.get("strides", [1, 1]), padding=sym_pads(at.get("pads", [0, 0, 0, 0])),
                            dilation=at.get("dilations", [1, 1]), groups=at.get("group", 1))
        return "rule", f, 1, 2
    if op == "Gemm":
        def f(i, mod=None):
            a = i[0].t() if at.get("transA", 0) else i[0]
            b = clampw(i[1], mod)
            b = b.t() if at.get("transB", 0) else b
            y = at.get("alpha", 1.0) * (a @ b)
            c = bias(i[2] if len(i) > 2 else None, mod)
            return y if c is None else y + at.get("beta", 1.0) * c
        return "rule", f, 1, 2
    if op == "BatchNormalization":
        def f(i, mod=None):
            return F.batch_norm(i[0], i[3], i[4], i[1], i[2], False, 0.0, at.get("epsilon", 1e-5))
        return "rule", f, -1, -1  # epsilon rule under alpha-beta too (Captum's default rule for BatchNorm2d)
    if op == "MaxPool":
        return "rule", (lambda i, mod=None: F.max_pool2d(i[0], at["kernel_shape"], at.get("strides", at["kernel_shape"]),
                                                          sym_pads(at.get("pads", [0, 0, 0, 0])),
                                                          ceil_mode=bool(at.get("ceil_mode", 0)))), -1, -1
    if op == "AveragePool":
        return "rule", (lambda i, mod=None: F.avg_pool2d(i[0], at["kernel_shape"], at.get("strides", at["kernel_shape"]),
                                                          sym_pads(at.get("pads", [0, 0, 0, 0])),
                                                          ceil_mode=bool(at.get("ceil_mode", 0)),
                                                          count_include_pad=bool(at.get("count_include_pad", 0)))), -1, -1
    if op == "GlobalAveragePool":
        return "rule", (lambda i, mod=None: i[0].mean(dim=(2, 3), keepdim=True)), -1, -1
    if op == "Add":
        return "rule", (lambda i, mod=None: i[0] + i[1]), -1, -1
    if op in ("Relu", "Identity", "Dropout", "Tanh"):
        return "identity", (lambda i, mod=None: {"Relu": F.relu, "Tanh": torch.tanh}.get(op, lambda t: t)(i[0])), -1, -1
    if op == "Flatten":
        ax = at.get("axis", 1)
        return "reindex", (lambda i, mod=None: i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)), -1, -1
    if op == "Reshape":
        return "reindex", (lambda i, mod=None: i[0].reshape([d if d != 0 else i[0].shape[k]
                                                             for k, d in enumerate(i[1].long().tolist())])), -1, -1
    if op == "Pad":
        def f(i, mod=None):
            p = i[1].long().tolist()
            h = len(p) // 2
            tp = []
            for d in reversed(range(h)):
                tp += [p[d], p[d + h]]
            return F.pad(i[0], tp)
        return "reindex", f, -1, -1
    raise TypeError("no LRP rule for " + op)


def onnx_lrp(path, x, target, method, eps, alpha=1.0, beta=0.0):
    m = onnx.load(path)
    g = m.graph
    vals = {t.name: torch.tensor(numpy_helper.to_array(t).astype(np.float32) if numpy_helper.to_array(t).dtype.kind == "f"
                                 else numpy_helper.to_array(t)) for t in g.initializer}
    consts = set(vals)
    vals[g.input[0].name] = x
    steps = []
    with torch.no_grad():
        for n in g.node:
            if n.op_type == "Constant":
                vals[n.output[0]] = torch.tensor(numpy_helper.to_array(attrs_of(n)["value"]))
                consts.add(n.output[0])
                continue
            kind, f, w, b = node_fn(n, consts)
            ins = [vals[i] if i else None for i in n.input]
            vals[n.output[0]] = f(ins)
            steps.append((n, kind, f, w))
    out_name = g.output[0].name
    logits = vals[out_name]
    rel = {out_name: torch.zeros_like(logits)}
    rel[out_name][:, target] = logits[:, target]
    ab = method == "lrp_alpha_beta"
    for n, kind, f, w in reversed(steps):
        R = rel.get(n.output[0])
        if R is None:
            continue
        ins = [vals[i] if i else None for i in n.input]
        runtime = [k for k, i in enumerate(n.input) if i and i not in consts]
        if kind == "identity":
            rel[n.input[0]] = rel.get(n.input[0], 0) + R
            continue
        a = [t.clone().requires_grad_(True) if k in runtime else t for k, t in enumerate(ins)]
        if kind == "reindex":
            z = f(a)
            gs = torch.autograd.grad(z, [a[k] for k in runtime], grad_outputs=R)
            for k, gk in zip(runtime, gs):
                rel[n.input[k]] = rel.get(n.input[k], 0) + gk
            continue
        parts = [(None, 1.0)] if not ab or w < 0 else [("pos", alpha)] + ([("neg", -beta)] if beta else [])
        for mod, scale in parts:
            z = f(a, mod)
            sign = torch.sign(z.detach())
            sign[sign == 0] = 1
            s = R / (z.detach() + sign * eps)
            gs = torch.autograd.grad(z, [a[k] for k in runtime], grad_outputs=s)
            for k, gk in zip(runtime, gs):
                rel[n.input[k]] = rel.get(n.input[k], 0) + scale * ins[k] * gk
    return rel[g.input[0].name].detach(), logits


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

class LrpNet(nn.Module):
    # BatchNorm after MaxPool so the exporter cannot fold it into a Conv.
    def __init__(self, C=2, K=3):
        super().__init__()
        self.conv1 = nn.Conv2d(C, 6, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.bn = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 6, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.add = AddModule()
        self.pool2 = nn.AvgPool2d(2)
        self.conv3 = nn.Conv2d(6, 8, 1)
        self.relu3 = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, K)

    def forward(self, x):
        b = self.bn(self.pool1(self.relu1(self.conv1(x))))
        s = self.add(self.relu2(self.conv2(b)), b)
        r = self.relu3(self.conv3(self.pool2(s)))
        return self.fc(torch.flatten(self.gap(r), 1))


class LrpBench(nn.Module):
    # bench_cnn's pattern: (conv-relu-maxpool) x2, conv-relu, global average pool, linear.
    def __init__(self, C=1, K=2):
        super().__init__()
        self.c1, self.r1, self.p1 = nn.Conv2d(C, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)
        self.c2, self.r2, self.p2 = nn.Conv2d(8, 12, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)
        self.c3, self.r3 = nn.Conv2d(12, 16, 3, padding=1), nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, K)

    def forward(self, x):
        h = self.p2(self.r2(self.c2(self.p1(self.r1(self.c1(x))))))
        return self.fc(torch.flatten(self.gap(self.r3(self.c3(h))), 1))


def export(model, x, path):
    torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    ops = [n.op_type for n in onnx.load(path).graph.node]
    return ops


def main():
    torch.manual_seed(1)
    cases = []

    def add(name, model_file, method, target, params, a):
        np.save(os.path.join(OUT, "lrp_golden_" + name + ".npy"), a.numpy().astype(np.float32))
        inp = {"tiny_cnn.onnx": "input", "lrp_net.onnx": "lrp_net_input", "lrp_bench.onnx": "lrp_bench_input"}[model_file]
        if name == "net_ab21":
            inp = "lrp_net_input_abs"
        cases.append("%s|%s|%s|%s|%d|%s" % (name, model_file, inp, method, target, ";".join("%s=%s" % kv for kv in params)))

    def both(model, x, path, target, eps, ab):
        ref = captum_lrp(model, x, target, eps, ab)
        got, _ = onnx_lrp(path, x, target, "lrp_alpha_beta" if ab else "lrp_epsilon", eps)
        err = (ref - got).abs().max().item() / max(ref.abs().max().item(), 1e-30)
        assert err < 1e-5, "Captum-hook and ONNX references differ on %s: %g" % (path, err)
        return got

    # tiny_cnn: the model make_golden.py wrote (its weights as committed).
    tiny = os.path.join(OUT, "tiny_cnn.onnx")
    xt = torch.tensor(np.load(os.path.join(OUT, "input.npy")))
    for name, method, params, eps, al, be in [
            ("tiny_eps", "lrp_epsilon", [], 1e-9, 1, 0),
            ("tiny_eps_0p1", "lrp_epsilon", [("epsilon", "0.1")], 0.1, 1, 0),
            ("tiny_ab10", "lrp_alpha_beta", [], 1e-9, 1, 0),
            ("tiny_ab21", "lrp_alpha_beta", [("alpha", "2"), ("beta", "1")], 1e-9, 2, 1)]:
        a, _ = onnx_lrp(tiny, xt, 2, method, eps, al, be)
        add(name, "tiny_cnn.onnx", method, 2, params, a)

    # lrp_net: BatchNorm with non-trivial statistics, MaxPool, Add, AvgPool, 1x1 conv, GAP, Gemm.
    net = LrpNet().eval()
    with torch.no_grad():
        net.bn.running_mean.uniform_(-0.2, 0.2)
        net.bn.running_var.uniform_(0.5, 1.5)
        net.bn.weight.uniform_(-1.0, 1.5)  # some negative scales: alpha-beta clamps them
        net.bn.bias.uniform_(-0.1, 0.1)
    xn = torch.randn(1, 2, 16, 16)
    path = os.path.join(OUT, "lrp_net.onnx")
    ops = export(net, xn, path)
    assert "BatchNormalization" in ops and "Add" in ops and "MaxPool" in ops, ops
    for t in range(3):
        add("net_eps_t%d" % t, "lrp_net.onnx", "lrp_epsilon", t, [], both(net, xn, path, t, 1e-9, False))
    add("net_eps_0p01", "lrp_net.onnx", "lrp_epsilon", 1, [("epsilon", "0.01")], both(net, xn, path, 1, 0.01, False))
    add("net_ab10", "lrp_net.onnx", "lrp_alpha_beta", 1, [], both(net, xn, path, 1, 1e-9, True))
    # beta > 0 divides by z- = W- a, which nears 0 at random places on signed inputs (an
    # ill-conditioned reference); on non-negative inputs z- <= 0 only vanishes with its numerator.
    xp = xn.abs()
    a, _ = onnx_lrp(path, xp, 1, "lrp_alpha_beta", 1e-9, 2, 1)
    add("net_ab21", "lrp_net.onnx", "lrp_alpha_beta", 1, [("alpha", "2"), ("beta", "1")], a)

    bench = LrpBench().eval()
    xb = torch.rand(1, 1, 32, 32)
    path = os.path.join(OUT, "lrp_bench.onnx")
    export(bench, xb, path)
    add("bench_eps", "lrp_bench.onnx", "lrp_epsilon", 1, [], both(bench, xb, path, 1, 1e-9, False))
    add("bench_ab10", "lrp_bench.onnx", "lrp_alpha_beta", 1, [], both(bench, xb, path, 1, 1e-9, True))

    # Conservation (Montavon 2019, eq. 2) on a bias-free copy: the reference itself must conserve.
    with torch.no_grad():
        for mod in bench.modules():
            if getattr(mod, "bias", None) is not None:
                mod.bias.zero_()
    path0 = os.path.join("/tmp", "lrp_bench_nobias.onnx")
    export(bench, xb, path0)
    for method, al, be in [("lrp_epsilon", 1, 0), ("lrp_alpha_beta", 1, 0), ("lrp_alpha_beta", 2, 1)]:
        r, lg = onnx_lrp(path0, xb, 1, method, 1e-9, al, be)
        gap = abs(r.sum().item() - lg[0, 1].item()) / abs(lg[0, 1].item())
        # beta > 0: a unit with no negative input (z- = 0) keeps alpha * R instead of R, so only nearly conserved.
        assert gap < (1e-4 if be == 0 else 1e-2), (method, al, be, gap)
        print("conservation gap %s alpha=%g beta=%g: %.2e" % (method, al, be, gap))

    for name, x in [("lrp_net_input", xn), ("lrp_net_input_abs", xp), ("lrp_bench_input", xb)]:
        np.save(os.path.join(OUT, name + ".npy"), x.numpy().astype(np.float32))
    with open(os.path.join(OUT, "lrp_cases.txt"), "w") as f:
        f.write("\n".join(cases) + "\n")
    print("wrote %d LRP cases to %s" % (len(cases), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
