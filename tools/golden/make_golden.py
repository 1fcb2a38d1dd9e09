#!/usr/bin/python3
"""Golden references for the engine: tiny PyTorch models exported to ONNX, with
PyTorch's outputs and input gradients, so the C++ and Node tests need no PyTorch.

    /usr/bin/python3 tools/golden/make_golden.py            # writes tests/golden/
    /usr/bin/python3 tools/golden/make_golden.py --out DIR  # somewhere else (e.g. to diff)

For every case and opset, tests/golden/<case>_o<opset>/ holds
    model.onnx      exported with torch.onnx.export (dynamic batch axis)
    input.npy       float32 [B, ...], seeded
    output.npy      float32 [B, K]: the eval() model's output in float32
    seed.npy        float32 [B, K]: a random output-gradient seed
    grad_input.npy  float32, d(sum(output * seed)) / d(input) by torch.autograd
and tests/golden/manifest.json lists the cases (name, opset, ONNX op types,
input and output shapes). tests/golden/unsupported_lstm/ holds a model with an
LSTM, which the engine must refuse (ONNX Runtime runs it).

Needs Debian's python3-torch (1.13) and python3-onnx, i.e. /usr/bin/python3
(not a pyenv python). Everything is seeded from the case name: two runs write
identical files (check: --out /tmp/a, --out /tmp/b, diff -r).
"""
import argparse
import io
import json
import os
import shutil
import sys
import warnings
import zlib

import numpy as np
import onnx
from onnx import helper, numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# [SECTION] helpers


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def randomize(module, gen):
    """Re-draw every parameter and BatchNorm statistic from `gen`, with both signs,
    so that an error in a sign, an index or a broadcast shows in the output. The
    scale keeps activations of order one through a few layers."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            w = m.weight
            fan_in = w[0].numel() if not isinstance(m, nn.ConvTranspose2d) else w.shape[0] * w[0, 0].numel() // max(1, m.groups)
            with torch.no_grad():
                w.copy_(torch.randn(w.shape, generator=gen) * (1.5 / max(1, fan_in)) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen) * 0.3)
        elif isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))
                m.bias.copy_(torch.randn(c, generator=gen) * 0.3)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.3)
                m.running_var.copy_(0.5 + torch.rand(c, generator=gen))
        elif isinstance(m, nn.LSTM):
            with torch.no_grad():
                for p in m.parameters():
                    p.copy_(torch.randn(p.shape, generator=gen) * 0.4)
    # Plain nn.Parameters held directly by a case module (broadcast operands).
    for name, p in module.named_parameters(recurse=False):
        with torch.no_grad():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.7)


class Seq(nn.Module):
    """A module whose forward is a Python function of (self, x); parameters and
    sub-modules are given as keyword arguments."""

    def __init__(self, fn, **parts):
        super().__init__()
        self.fn = fn
        for k, v in parts.items():
            if isinstance(v, nn.Module):
                self.add_module(k, v)
            else:
                self.register_parameter(k, nn.Parameter(torch.as_tensor(v, dtype=torch.float32)))

    def forward(self, x):
        return self.fn(self, x)


def flat(y):
    return y.flatten(1)


# [SECTION] cases
# Each case: (name, builder() -> module, input shape, opsets, export options).
# `scale` multiplies the standard-normal input (e.g. to reach Clip's bounds).


def conv(*a, **k):
    return nn.Conv2d(*a, **k)


CASES = []


def case(name, shape, opsets=(13,), scale=1.0, unfold_bn=False, insert=None, fold_pads=None):
    def reg(builder):
        CASES.append(dict(name=name, builder=builder, shape=list(shape), opsets=list(opsets),
                          scale=scale, unfold_bn=unfold_bn, insert=insert, fold_pads=fold_pads))
        return builder
    return reg


ALL = (11, 13, 17)

# -- Conv and ConvTranspose -------------------------------------------------


@case("conv_stride_pad", [2, 1, 16, 16], ALL)
def _():
    return Seq(lambda s, x: flat(s.c(x)), c=conv(1, 4, 3, stride=2, padding=(1, 2)))


@case("conv_groups", [2, 4, 10, 10])
def _():
    return Seq(lambda s, x: flat(s.dw(s.g(x))),
               g=conv(4, 6, 3, padding=1, groups=2), dw=conv(6, 6, 3, stride=2, groups=6))


@case("conv_dilation", [2, 1, 16, 16])
def _():
    return Seq(lambda s, x: flat(s.c(x)),
               c=conv(1, 3, (3, 2), stride=(1, 2), dilation=(2, 3), padding=(2, 1), bias=False))


@case("conv_transpose", [2, 1, 6, 6], ALL)
def _():
    return Seq(lambda s, x: flat(s.b(s.a(x))),
               a=nn.ConvTranspose2d(1, 3, 3, stride=2, padding=1, output_padding=1),
               b=nn.ConvTranspose2d(3, 2, (2, 3), stride=(1, 2), dilation=(2, 1)))


@case("conv_transpose_groups", [2, 4, 5, 5])
def _():
    return Seq(lambda s, x: flat(s.t(x)),
               t=nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2, bias=False))


# -- Gemm, MatMul ------------------------------------------------------------


@case("gemm", [2, 1, 6, 6], ALL)
def _():
    return Seq(lambda s, x: s.l2(F.relu(s.l1(flat(x)))), l1=nn.Linear(36, 10), l2=nn.Linear(10, 5))


@case("linear_nobias", [2, 3, 2, 2], (11, 13))
def _():
    return Seq(lambda s, x: s.l(flat(x)), l=nn.Linear(12, 7, bias=False))


@case("matmul_param", [2, 1, 5, 6])
def _():
    return Seq(lambda s, x: flat(torch.matmul(x, s.w)), w=torch.zeros(6, 4))


@case("matmul_act", [2, 1, 6, 6])
def _():
    def f(s, x):
        y = s.c(x)  # [B,2,6,6]
        return flat(torch.matmul(y, y.transpose(-1, -2)))
    return Seq(f, c=conv(1, 2, 3, padding=1))


# -- element-wise activations -----------------------------------------------


@case("relu", [2, 1, 6, 6])
def _():
    return Seq(lambda s, x: flat(F.relu(x)))


@case("leaky_relu", [2, 1, 6, 6])
def _():
    return Seq(lambda s, x: flat(F.leaky_relu(x, 0.1)))


@case("sigmoid", [2, 1, 6, 6], scale=2.0)
def _():
    return Seq(lambda s, x: flat(torch.sigmoid(x)))


@case("tanh", [2, 1, 6, 6], scale=1.5)
def _():
    return Seq(lambda s, x: flat(torch.tanh(x)))


@case("clip_hardtanh", [2, 1, 6, 6], ALL)
def _():
    return Seq(lambda s, x: flat(F.hardtanh(x, -0.5, 0.7)))


@case("clip_relu6", [2, 1, 6, 6], ALL, scale=5.0)
def _():
    return Seq(lambda s, x: flat(F.relu6(x)))


@case("softmax", [2, 1, 4, 4], ALL)
def _():
    return Seq(lambda s, x: F.softmax(s.l(flat(x)), dim=1), l=nn.Linear(16, 6))


@case("softmax_channels", [2, 3, 4, 4], ALL, scale=2.0)
def _():
    return Seq(lambda s, x: flat(F.softmax(x, dim=1)))


# -- pooling -------------------------------------------------------------------


@case("maxpool", [2, 1, 16, 16])
def _():
    return Seq(lambda s, x: flat(F.max_pool2d(x, 2)))


@case("maxpool_ceil", [2, 2, 11, 11], ALL)
def _():
    return Seq(lambda s, x: flat(F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)))


@case("maxpool_dilation", [2, 1, 12, 12])
def _():
    return Seq(lambda s, x: flat(F.max_pool2d(x, (3, 2), stride=(1, 2), dilation=2)))


@case("avgpool_include_pad", [2, 2, 11, 11], ALL)
def _():
    return Seq(lambda s, x: flat(F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=True)))


@case("avgpool_exclude_pad", [2, 2, 11, 11], ALL)
def _():
    return Seq(lambda s, x: flat(F.avg_pool2d(x, (3, 2), stride=(2, 1), padding=1, count_include_pad=False)))


@case("global_avgpool", [2, 3, 7, 5], ALL)
def _():
    return Seq(lambda s, x: flat(s.p(x)), p=nn.AdaptiveAvgPool2d(1))


# -- normalisation, arithmetic, shapes ---------------------------------------


@case("batchnorm", [2, 3, 6, 6], ALL)
def _():
    return Seq(lambda s, x: flat(s.bn(x)), bn=nn.BatchNorm2d(3))


@case("arith_broadcast", [2, 1, 6, 6], ALL)
def _():
    def f(s, x):
        y = s.c(x)                                   # [B,4,6,6]
        a = y + s.p1                                 # [1,4,1,1]
        b = a * s.p2                                 # [4,1,1]
        m = y.mean(dim=(2, 3), keepdim=True)         # [B,4,1,1]
        c = b - m
        d = c / (torch.sigmoid(m) + 0.5)             # tensor / tensor, both need gradients
        e = d - 0.25 * x                             # [B,1,6,6] broadcast over channels
        g = s.p4 / (torch.sigmoid(e) + 1.0)          # initializer / tensor (1.0 / t would be Reciprocal)
        return flat(e * g + s.p3)                    # [6] broadcast over the last axis
    return Seq(f, c=conv(1, 4, 3, padding=1), p1=torch.zeros(1, 4, 1, 1), p2=torch.zeros(4, 1, 1),
               p3=torch.zeros(6), p4=torch.zeros(6))


@case("concat_axes", [2, 2, 4, 5])
def _():
    def f(s, x):
        w = torch.cat([x, 2.0 * x], dim=3)           # along width
        c = torch.cat([x, torch.tanh(x), 0.5 - x], dim=1)  # along channels (-x would be Neg)
        return torch.cat([flat(w), flat(c)], dim=1)
    return Seq(f)


@case("reshape_view", [2, 1, 6, 6], ALL)
def _():
    def f(s, x):
        y = s.c(x)                                   # [B,4,6,6]
        y = y.view(y.size(0), 2, -1)                 # Shape/Gather/Unsqueeze/Concat -> Reshape
        y = y.permute(0, 2, 1)
        return y.reshape(y.size(0), -1)
    return Seq(f, c=conv(1, 4, 3, padding=1))


@case("transpose", [2, 2, 3, 5])
def _():
    return Seq(lambda s, x: flat(x.permute(0, 3, 1, 2) * s.p), p=torch.zeros(2, 1))


# torch 1.13 exports F.pad at opset >= 11 with a constant sub-graph computing the
# pads (ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast) that its own
# constant folding leaves in place; the loader has to fold it. The "_folded"
# variant gives Pad its pads as one int64 initializer, to test Pad alone.
def pad_model():
    return Seq(lambda s, x: flat(s.c(F.pad(x, (1, 2, 0, 3), value=0.5))), c=conv(1, 2, 3))


@case("pad_constant", [2, 1, 5, 6], ALL)
def _():
    return pad_model()


# ONNX order: [x1_begin, x2_begin, ..., x1_end, x2_end, ...] for (N, C, H, W).
@case("pad_constant_folded", [2, 1, 5, 6], (11, 13), fold_pads=[0, 0, 0, 1, 0, 0, 3, 2])
def _():
    return pad_model()


@case("reduce_mean", [2, 3, 6, 5], ALL)
def _():
    return Seq(lambda s, x: torch.cat([x.mean(dim=(2, 3)), flat(x.mean(dim=2)),
                                       flat(x - x.mean(dim=1, keepdim=True))], dim=1))


@case("resize_nearest", [2, 1, 5, 6], ALL)
def _():
    return Seq(lambda s, x: flat(F.interpolate(x, scale_factor=(2, 3), mode="nearest")))


@case("resize_bilinear", [2, 1, 5, 6], ALL)
def _():
    return Seq(lambda s, x: flat(F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)))


@case("resize_bilinear_align", [2, 1, 5, 6], ALL)
def _():
    return Seq(lambda s, x: flat(F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)))


# The exporter drops nn.Identity and eval-mode nn.Dropout, so these two nodes are
# put into the exported graph by hand (see insert_passthrough); PyTorch's output
# is the same with or without them.
@case("identity_dropout", [2, 1, 6, 6], ALL, insert=("Identity", "Dropout"))
def _():
    return Seq(lambda s, x: flat(F.relu(s.c(x))), c=conv(1, 3, 3))


# -- combinations --------------------------------------------------------------


class Residual(nn.Module):
    def __init__(self, cin=1, c=4, k=3):
        super().__init__()
        self.stem = conv(cin, c, 3, padding=1)
        self.c1, self.b1 = conv(c, c, 3, padding=1), nn.BatchNorm2d(c)
        self.c2, self.b2 = conv(c, c, 3, padding=1), nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, k)

    def forward(self, x):
        x = F.relu(self.stem(x))
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        y = F.relu(y + x)
        return self.fc(flat(F.adaptive_avg_pool2d(y, 1)))


@case("residual_bn", [2, 1, 10, 10], ALL)
def _():
    return Residual()


@case("residual_bn_unfolded", [2, 1, 10, 10], (13, 17), unfold_bn=True)
def _():
    return Residual()


def conv_bn():
    return Seq(lambda s, x: s.fc(flat(F.relu(s.bn(s.c(x))))),
               c=conv(1, 3, 3, stride=2), bn=nn.BatchNorm2d(3), fc=nn.Linear(3 * 4 * 4, 4))


@case("bn_folded", [2, 1, 10, 10])
def _():
    return conv_bn()


@case("bn_unfolded", [2, 1, 10, 10], unfold_bn=True)
def _():
    return conv_bn()


@case("concat_branches", [2, 1, 12, 12], (13, 17))
def _():
    def f(s, x):
        y = torch.cat([s.a(x), s.b(x), F.max_pool2d(x, 3, stride=1, padding=1)], dim=1)
        return s.fc(flat(F.adaptive_avg_pool2d(F.relu(s.m(F.relu(y))), 1)))
    return Seq(f, a=conv(1, 3, 1), b=conv(1, 2, 3, padding=1), m=conv(6, 5, 3, padding=1),
               fc=nn.Linear(5, 3))


@case("rgb_input", [2, 3, 12, 12])
def _():
    def f(s, x):
        y = F.relu(s.a(x))
        y = F.avg_pool2d(F.leaky_relu(s.b(y), 0.2), 2)
        return s.fc(flat(y))
    return Seq(f, a=conv(3, 6, 3, stride=2, padding=1), b=conv(6, 4, 3, padding=1), fc=nn.Linear(4 * 3 * 3, 3))


class MedicalCnn(nn.Module):
    """bench_cnn.onnx's shape (see /work/shared/bench/README.md), narrower."""

    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.c3 = conv(1, 8, 3, padding=1), conv(8, 16, 3, padding=1), conv(16, 16, 3, padding=1)
        self.fc = nn.Linear(16, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.c3(x))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(x.view(x.size(0), -1))


@case("medical_cnn", [2, 1, 32, 32], ALL)
def _():
    return MedicalCnn()


# [SECTION] export


def export(model, x, opset, unfold_bn):
    f = io.BytesIO()
    kw = {}
    if unfold_bn:
        # In eval mode the exporter folds BatchNorm into the Conv before it, with or
        # without do_constant_folding; PRESERVE on an eval() model keeps the node.
        kw = dict(training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), f, opset_version=opset, input_names=["input"],
                          output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **kw)
    return onnx.load_from_string(f.getvalue())


def insert_passthrough(m, op_types, opset):
    """Puts Identity / inference Dropout nodes after the graph's first node."""
    g = m.graph
    first = g.node[0]
    src = first.output[0]
    new_nodes, cur = [], src
    for i, op in enumerate(op_types):
        out = "%s_%s_out" % (src, op.lower())
        if op == "Dropout":
            if opset >= 12:
                ratio = "dropout_ratio"
                g.initializer.append(numpy_helper.from_array(np.array(0.3, np.float32), ratio))
                node = helper.make_node("Dropout", [cur, ratio], [out], name="inserted_dropout")
            else:
                node = helper.make_node("Dropout", [cur], [out], name="inserted_dropout", ratio=0.3)
        else:
            node = helper.make_node(op, [cur], [out], name="inserted_" + op.lower())
        new_nodes.append(node)
        cur = out
    for n in g.node[1:]:
        for j, name in enumerate(n.input):
            if name == src:
                n.input[j] = cur
    nodes = [g.node[0]] + new_nodes + list(g.node[1:])
    del g.node[:]
    g.node.extend(nodes)
    return m


def fold_pad_inputs(m, pads):
    """Replaces the pads input of the (single) Pad node by an initializer holding
    `pads`, and drops the nodes that only computed it."""
    g = m.graph
    pad = [n for n in g.node if n.op_type == "Pad"]
    assert len(pad) == 1
    g.initializer.append(numpy_helper.from_array(np.array(pads, np.int64), "pads"))
    pad[0].input[1] = "pads"
    needed = {o.name for o in g.output}
    keep = []
    for n in reversed(list(g.node)):
        if any(o in needed for o in n.output):
            keep.append(n)
            needed.update(n.input)
    del g.node[:]
    g.node.extend(reversed(keep))
    return m


def save_npy(path, a):
    np.save(path, np.ascontiguousarray(a, dtype=np.float32), allow_pickle=False)


def write_model_files(out_dir, name, m, x, y):
    """Checks the model and writes out_dir/name/: model.onnx, input.npy, output.npy."""
    onnx.checker.check_model(m)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    save_npy(os.path.join(d, "input.npy"), x.numpy())
    save_npy(os.path.join(d, "output.npy"), y)
    return d


def write_case(out_dir, c, opset, model, x, y, seed, grad):
    name = "%s_o%d" % (c["name"], opset)
    m = export(model, x, opset, c["unfold_bn"])
    if c["insert"]:
        m = insert_passthrough(m, c["insert"], opset)
    if c["fold_pads"]:
        m = fold_pad_inputs(m, c["fold_pads"])
    d = write_model_files(out_dir, name, m, x, y)
    save_npy(os.path.join(d, "seed.npy"), seed)
    save_npy(os.path.join(d, "grad_input.npy"), grad)
    ops = sorted({n.op_type for n in m.graph.node})
    return dict(name=name, opset=opset, ops=ops, input_shape=list(x.shape), output_shape=list(y.shape))


def run_case(c):
    s = seed_of(c["name"])
    torch.manual_seed(s)
    gen = torch.Generator().manual_seed(s)
    model = c["builder"]()
    randomize(model, gen)
    model.eval()
    x = (torch.randn(c["shape"], generator=gen) * c["scale"]).float()
    xg = x.clone().requires_grad_(True)
    y = model(xg)
    assert y.dim() == 2, "%s: output must be [B,K], got %s" % (c["name"], list(y.shape))
    seed = torch.randn(y.shape, generator=gen)
    (grad,) = torch.autograd.grad((y * seed).sum(), xg)
    return model, x, y.detach().numpy(), seed.numpy(), grad.numpy()


def make_lstm(out_dir):
    name = "unsupported_lstm"
    s = seed_of(name)
    torch.manual_seed(s)
    gen = torch.Generator().manual_seed(s)

    class Lstm(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(6, 4, batch_first=True)

        def forward(self, x):  # x: [B, T, 6]
            y, _ = self.rnn(x)
            return flat(y)

    model = Lstm()
    randomize(model, gen)
    model.eval()
    x = torch.randn(2, 5, 6, generator=gen)
    with torch.no_grad():
        y = model(x).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = io.BytesIO()
        torch.onnx.export(model, (x,), f, opset_version=13, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    m = onnx.load_from_string(f.getvalue())
    write_model_files(out_dir, name, m, x, y)
    return dict(name=name, opset=13, ops=sorted({n.op_type for n in m.graph.node}),
                input_shape=list(x.shape), output_shape=list(y.shape), refuse="LSTM")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "golden"))
    ap.add_argument("--only", default="", help="comma-separated case names (base names, no _oNN)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # the same float sums on every machine and run
    only = set(filter(None, args.only.split(",")))
    os.makedirs(args.out, exist_ok=True)
    if not only:  # a full run owns the folder: drop cases that no longer exist
        for entry in os.listdir(args.out):
            p = os.path.join(args.out, entry)
            if os.path.isdir(p):
                shutil.rmtree(p)
    cases = []
    for c in CASES:
        if only and c["name"] not in only:
            continue
        model, x, y, seed, grad = run_case(c)
        for opset in c["opsets"]:
            cases.append(write_case(args.out, c, opset, model, x, y, seed, grad))
    unsupported = [make_lstm(args.out)]
    if not only:
        manifest = dict(generator="tools/golden/make_golden.py", torch=torch.__version__.split("+")[0],
                        tolerance="max |ours - ref| <= 1e-4 * max |ref|", cases=cases,
                        unsupported=unsupported)
        with open(os.path.join(args.out, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
    total = 0
    for root, _, files in os.walk(args.out):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print("make_golden: %d cases (+%d unsupported) in %s, %.0f KB" % (len(cases), len(unsupported), args.out,
                                                                    total / 1024))


if __name__ == "__main__":
    sys.exit(main())
