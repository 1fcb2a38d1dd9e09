#!/usr/bin/python3
"""The benchmark table of explanation quality: every method on every zoo model,
scored by `xmedia evaluate` on seeded synthetic cases, written as Markdown and CSV.

    /usr/bin/python3 tools/eval_table/eval_table.py --xmedia build/native/xmedia \
        --cases 50 --out docs/eval_table        # writes docs/eval_table.md and .csv

Every case is a positive case (label 1: the evidence is there) with seeds
seed0 .. seed0+cases-1, explained and scored for class 1, so the numbers are
reproducible bit for bit from --seed0 and --eval-seed on the same build. The
shortcut model (chest_xray_shortcut) is scored twice: against the nodule
(marker off, as deployed) and against the burned-in marker (marker on), which
is where a Clever-Hans model looks. Only the Python standard library is used.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time

METHODS = ["saliency", "input_x_gradient", "integrated_gradients", "smoothgrad", "vargrad", "guided_backprop",
           "grad_cam", "grad_cam_pp", "guided_grad_cam", "occlusion", "feature_ablation", "rise", "lime", "kernel_shap", "lrp_epsilon", "lrp_alpha_beta"]
# Columns: (metric key, header, better direction).
COLUMNS = [("pointing_game", "PG", "↑"), ("energy_pointing_game", "EPG", "↑"), ("relevance_mass_accuracy", "RMA", "↑"),
           ("relevance_rank_accuracy", "RRA", "↑"), ("top_k_intersection", "TopK", "↑"), ("auprc", "AUPRC", "↑"),
           ("deletion_auc", "Del", "↓"), ("insertion_auc", "Ins", "↑"), ("faithfulness_correlation", "FCorr", "↑"),
           ("road", "ROAD", "↓"), ("infidelity", "Infid", "↓"), ("max_sensitivity", "MaxSens", "↓"),
           ("sparseness", "Gini", "↑"), ("complexity", "Entropy", "↓")]


def zoo(models_dir):
    out = []
    for f in sorted(os.listdir(models_dir)):
        if not f.endswith(".onnx"):
            continue
        card = os.path.join(models_dir, f[:-5] + ".json")
        if not os.path.exists(card):
            continue
        with open(card) as fh:
            scenario = json.load(fh).get("scenario")
        if scenario:
            out.append((f[:-5], os.path.join(models_dir, f), scenario))
    return out


def run_case(xmedia, model, scenario, seed, method, metrics, extra, eval_seed):
    cmd = xmedia.split() + ["evaluate", "--model", model, "--scenario", scenario, "--seed", str(seed), "--label", "1",
                            "--target", "1", "--method", method, "--metrics", metrics, "--eval-seed", str(eval_seed)] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr.strip()))
    return json.loads(p.stdout)


def mean(v):
    v = [x for x in v if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return (sum(v) / len(v), len(v)) if v else (None, 0)


def write_tables(a, results, t_start, rows_total):
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out + ".csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["model", "method", "cases"] + [k for k, _, _ in COLUMNS] + ["seconds_per_case"])
        for r in results:
            w.writerow([r["model"], r["method"], r["cases"]] +
                       ["" if r[k] is None else "%.4f" % r[k] for k, _, _ in COLUMNS] + ["%.3f" % r["seconds_per_case"]])
    opts = " ".join("--param " + p for p in a.param)
    with open(a.out + ".md", "w") as fh:
        fh.write("# Explanation quality on the model zoo\n\n")
        if len(results) < rows_total:
            fh.write("**Partial run: %d of %d (model, method) rows.**\n\n" % (len(results), rows_total))
        fh.write("Written by `tools/eval_table/eval_table.py --cases %d --seed0 %d --eval-seed %d%s%s` "
                 "(%s, %.0f s). **%d positive cases per scenario** (seeds %d–%d, label 1), every map explains class 1; "
                 "each cell is the mean over the cases (localisation needs a mask, so it is over the cases with evidence). "
                 "Metric definitions and the Quantus metric each follows: `xmedia evaluate --help` and README, "
                 "\"Evaluating explanations\". ↑ higher is better, ↓ lower is better. Rows marked *(marker)* score the "
                 "shortcut model's maps against the burned-in marker (marker on) instead of the nodule.\n\n"
                 % (a.cases, a.seed0, a.eval_seed, (" --metrics " + a.metrics) if a.metrics != "all" else "",
                    (" " + opts) if opts else "", a.xmedia, time.time() - t_start, a.cases, a.seed0,
                    a.seed0 + a.cases - 1))
        shown = [c for c in COLUMNS if any(r[c[0]] is not None for r in results)]
        fh.write("| model | method | " + " | ".join("%s %s" % (h, d) for _, h, d in shown) + " | s/case |\n")
        fh.write("|---|---|" + "---|" * len(shown) + "---|\n")
        for r in results:
            fh.write("| %s | %s | %s | %.2f |\n" % (r["model"], r["method"], " | ".join(
                "–" if r[k] is None else "%.3f" % r[k] for k, _, _ in shown), r["seconds_per_case"]))
        fh.write("\nColumns: PG pointing game, EPG energy-based pointing game, RMA relevance mass accuracy, RRA relevance "
                 "rank accuracy, TopK top-k intersection (k = 1000), AUPRC area under precision-recall, Del / Ins "
                 "deletion / insertion area (MoRF), FCorr faithfulness correlation, ROAD mean probability after "
                 "imputing the top 10–90 %, Infid infidelity, MaxSens max-sensitivity, Gini sparseness, Entropy "
                 "complexity; s/case: seconds per case for the method and all metrics (native, one thread).\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xmedia", default="build/native/xmedia", help="the xmedia command (e.g. 'node build/wasm/xmedia.js')")
    ap.add_argument("--models", default="models")
    ap.add_argument("--cases", type=int, default=50, help="cases per scenario (default 50)")
    ap.add_argument("--seed0", type=int, default=1000, help="first case seed")
    ap.add_argument("--eval-seed", type=int, default=0, help="seed of the metrics' random draws")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--only-models", default="", help="comma-separated model names (default: the whole zoo)")
    ap.add_argument("--metrics", default="all", help="passed to xmedia evaluate --metrics")
    ap.add_argument("--param", action="append", default=[], help="metric option key=value, passed on (repeatable)")
    ap.add_argument("--out", default="docs/eval_table", help="output path without extension")
    a = ap.parse_args()

    methods = [m for m in a.methods.split(",") if m]
    models = zoo(a.models)
    if a.only_models:  # in the order given
        by_name = {m[0]: m for m in models}
        models = [by_name[n] for n in a.only_models.split(",") if n in by_name]
    # (row name, model path, scenario, extra evaluate arguments)
    rows = []
    for name, path, scenario in models:
        rows.append((name, path, scenario, []))
        if name.endswith("_shortcut"):
            rows.append((name + " (marker)", path, scenario, ["--mask-of", "marker"]))
    extra_params = sum((["--param", p] for p in a.param), [])

    results = []  # one dict per (row, method)
    t_start = time.time()
    for row, path, scenario, extra in rows:
        for method in methods:
            per_metric = {k: [] for k, _, _ in COLUMNS}
            seconds = []
            for i in range(a.cases):
                d = run_case(a.xmedia, path, scenario, a.seed0 + i, method, a.metrics, extra + extra_params, a.eval_seed)
                for k, _, _ in COLUMNS:
                    if k in d:
                        per_metric[k].append(d[k]["value"])
                seconds.append(d.get("method_seconds", 0) + sum(d[k].get("seconds", 0) for k, _, _ in COLUMNS if k in d))
            r = {"model": row, "method": method, "cases": a.cases}
            for k, _, _ in COLUMNS:
                r[k], r[k + "_n"] = mean(per_metric[k])
            r["seconds_per_case"] = sum(seconds) / len(seconds)
            results.append(r)
            write_tables(a, results, t_start, len(rows) * len(methods))  # partial tables survive an interrupted run
            print("%-32s %-22s %s" % (row, method, " ".join(
                "%s=%s" % (h, "-" if r[k] is None else "%.3f" % r[k]) for k, h, _ in COLUMNS)), file=sys.stderr, flush=True)

    write_tables(a, results, t_start, len(rows) * len(methods))
    print("wrote %s.md and %s.csv" % (a.out, a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
