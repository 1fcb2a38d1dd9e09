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
is where a Clever-Hans model looks. The random-label model is left out unless
--with-random-labels (it belongs to the data-randomisation sanity check).

Speed (1931 s of CPU for the default 50 cases, the committed table): one `xmedia
evaluate` process per case runs every method (--method a,b,...), so the model
loads and the case is drawn once, and the metrics' perturbed images that do
not depend on the map (faithfulness correlation's 101, infidelity's 65) go
through the model once per case instead of once per map (EvalShared in
wasm/evaluate/evaluate.h; the same numbers). The table shows the MoRF curves
only, so it passes lerf=0 (half the deletion, insertion and ROAD images).
Max-sensitivity re-runs the method 10 times: it runs on every case for the
one-pass methods and on the first --ms-cases for the others. Only the Python
standard library is used.
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
# Methods that send many images per map (the others take one or two passes):
# max-sensitivity re-runs them 10 times, so the table gives it fewer cases.
MANY_PASSES = ["integrated_gradients", "smoothgrad", "vargrad", "occlusion", "feature_ablation", "rise", "lime", "kernel_shap"]
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


def run_case(xmedia, model, scenario, seed, methods, metrics, extra, eval_seed):
    """All methods on one case in one process: one JSON line per method. The model
    is loaded and the case drawn once, and the metrics' draws that do not depend on
    the map (faithfulness correlation, infidelity) are sent through the model once."""
    cmd = xmedia.split() + ["evaluate", "--model", model, "--scenario", scenario, "--seed", str(seed), "--label", "1",
                            "--target", "1", "--method", ",".join(methods), "--metrics", metrics,
                            "--eval-seed", str(eval_seed)] + extra
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(cmd), p.stderr.strip()))
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    if [d["method"] for d in lines] != list(methods):
        raise RuntimeError("%s: expected one line per method, got %d" % (" ".join(cmd), len(lines)))
    return lines, time.time() - t0


def mean(v):
    v = [x for x in v if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return (sum(v) / len(v), len(v)) if v else (None, 0)


def cell(key, v, n, expected):
    """A table cell: 3 decimals (infidelity: 3 significant digits, its values
    span orders of magnitude), with the number of cases in parentheses when
    some case had no value (e.g. a map with no positive attribution)."""
    if v is None:
        return "–"
    t = "%.3g" % v if key == "infidelity" else "%.3f" % v
    return t if n == expected else "%s (%d)" % (t, n)


def write_tables(a, results, t_start, rows_total, cpu_seconds, command):
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out + ".csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["model", "method", "cases"] + [k for k, _, _ in COLUMNS] + ["seconds_per_case"] +
                   ["n_" + k for k, _, _ in COLUMNS])
        for r in results:
            w.writerow([r["model"], r["method"], r["cases"]] +
                       ["" if r[k] is None else "%.6g" % r[k] for k, _, _ in COLUMNS] + ["%.3f" % r["seconds_per_case"]] +
                       [r[k + "_n"] for k, _, _ in COLUMNS])
    with open(a.out + ".md", "w") as fh:
        fh.write("# Explanation quality on the model zoo\n\n")
        if len(results) < rows_total:
            fh.write("**Partial run: %d of %d (model, method) rows.**\n\n" % (len(results), rows_total))
        fh.write("Written by `%s` (%.0f s wall, %.0f s CPU of the `xmedia` processes, native, one thread). "
                 "**%d positive cases per scenario** (seeds %d–%d, label 1), every map explains class 1; "
                 "each cell is the mean over the cases, with the number of cases in parentheses where some case had "
                 "no value (localisation needs evidence in the mask; energy pointing game needs some positive "
                 "attribution). MaxSens re-runs the method 10 times: it is over every case for the one-pass methods and over "
                 "the first %d cases for the methods that take many passes (%s). "
                 "Metric definitions and the Quantus metric each follows: `xmedia evaluate --help` and README, "
                 "\"Evaluating explanations\". ↑ higher is better, ↓ lower is better. Rows marked *(marker)* score the "
                 "shortcut model's maps against the burned-in marker (marker on) instead of the nodule.\n\n"
                 % (command, time.time() - t_start, cpu_seconds, a.cases, a.seed0, a.seed0 + a.cases - 1,
                    min(a.ms_cases, a.cases), ", ".join(MANY_PASSES)))
        shown = [c for c in COLUMNS if any(r[c[0]] is not None for r in results)]
        fh.write("| model | method | " + " | ".join("%s %s" % (h, d) for _, h, d in shown) + " | s/case |\n")
        fh.write("|---|---|" + "---|" * len(shown) + "---|\n")
        for r in results:
            fh.write("| %s | %s | %s | %.2f |\n" % (r["model"], r["method"], " | ".join(
                cell(k, r[k], r[k + "_n"], r["expected_" + k]) for k, _, _ in shown), r["seconds_per_case"]))
        fh.write(FOOTNOTES)


FOOTNOTES = """
Columns: PG pointing game, EPG energy-based pointing game, RMA relevance mass accuracy, RRA relevance rank accuracy,
TopK top-k intersection (k = 1000), AUPRC area under precision-recall (chance = the evidence's share of the image),
Del / Ins deletion / insertion area (MoRF, 50 steps), FCorr faithfulness correlation, ROAD mean probability after
imputing the top 10–90 %, Infid infidelity, MaxSens max-sensitivity, Gini sparseness, Entropy complexity; s/case:
seconds per case for the method and its metrics without MaxSens (native, one thread; the faithfulness-correlation and
infidelity forward passes are shared by all methods of a case and not counted here).

Reading the numbers:
- **RMA outside [0, 1]**: relevance mass accuracy is the map's mass inside the mask over its total mass, with signs
  (Quantus RelevanceMassAccuracy with its default abs=False, which does the same). For signed maps (gradient×input,
  integrated gradients, guided backprop, guided Grad-CAM, LRP) the total can be small or negative, so the ratio can
  exceed 1 or be negative; only maps that are never negative (saliency, Grad-CAM, occlusion drops mostly, RISE) stay
  in [0, 1]. EPG (positive part only) is the bounded counterpart.
- **Infid** is in squared logits (the mean of (β·I·Φ − Δf)² with the optimal scale β, Gaussian noise of standard
  deviation 0.1 in the model's normalised input space); models whose logit hardly moves under that noise (the
  shortcut model off its marker) give values near 1e-4.
- **EPG "–" or fewer cases**: a map with no positive value (e.g. LIME or KernelSHAP when the model does not predict
  class 1, so every feature lowers its score) has no energy to point with; such cases are left out of the mean.
- **PG with EPG near 0**: the pointing game counts a hit when any pixel that holds the map's maximum lies in the mask
  (Quantus PointingGame does the same), so a map that is zero everywhere (Grad-CAM after its ReLU when nothing
  speaks for class 1, as on the shortcut model without its marker) or a map whose maximum is a whole LIME cell
  "hits" whenever the mask is not empty. Read PG together with EPG and AUPRC.
- **LRP-ε equals gradient×input** on these ReLU networks (ε = 1e-9; Ancona et al. 2018 show the two coincide as
  ε → 0), so their rows agree to the digits shown.
- **TopK** is capped at |mask| / 1000: the marker has about 72 pixels, so 0.072 is the best possible there.
- **Del / ROAD ↓, Ins ↑** read the class-1 probability: on a model that is already unsure of class 1 (the shortcut
  model without its marker, the random-label model) every curve is low and the columns say little.
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xmedia", default="build/native/xmedia", help="the xmedia command (e.g. 'node build/wasm/xmedia.js')")
    ap.add_argument("--models", default="models")
    ap.add_argument("--cases", type=int, default=50, help="cases per scenario (default 50)")
    ap.add_argument("--ms-cases", type=int, default=3,
                    help="max-sensitivity of the methods that take many passes (%s) on the first N cases only "
                         "(default 3: it re-runs the method 10 times); the one-pass methods get it on every case"
                    % ", ".join(MANY_PASSES))
    ap.add_argument("--seed0", type=int, default=1000, help="first case seed")
    ap.add_argument("--eval-seed", type=int, default=0, help="seed of the metrics' random draws")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--only-models", default="",
                    help="comma-separated model names (default: the whole zoo but the random-label model)")
    ap.add_argument("--with-random-labels", action="store_true",
                    help="also the random-label model (the data-randomisation sanity check's model)")
    ap.add_argument("--metrics", default="all", help="passed to xmedia evaluate --metrics")
    ap.add_argument("--param", action="append", default=["lerf=0"],
                    help="metric option key=value, passed on (repeatable; default lerf=0: the table shows MoRF only)")
    ap.add_argument("--out", default="docs/eval_table", help="output path without extension")
    a = ap.parse_args()
    command = "/usr/bin/python3 tools/eval_table/eval_table.py " + " ".join(sys.argv[1:])

    methods = [m for m in a.methods.split(",") if m]
    models = zoo(a.models)
    if a.only_models:  # in the order given
        by_name = {m[0]: m for m in models}
        models = [by_name[n] for n in a.only_models.split(",") if n in by_name]
    elif not a.with_random_labels:
        models = [m for m in models if not m[0].endswith("_random_labels")]
    # (row name, model path, scenario, extra evaluate arguments)
    rows = []
    for name, path, scenario in models:
        rows.append((name, path, scenario, []))
        if name.endswith("_shortcut"):
            rows.append((name + " (marker)", path, scenario, ["--mask-of", "marker"]))
    extra_params = sum((["--param", p] for p in a.param), [])
    all_metrics = [k for k, _, _ in COLUMNS] if a.metrics == "all" else a.metrics.split(",")
    no_ms = ",".join(m for m in all_metrics if m != "max_sensitivity")

    results = []  # one dict per (row, method)
    t_start = time.time()
    cpu0 = os.times()
    for row, path, scenario, extra in rows:
        per = {m: {k: [] for k, _, _ in COLUMNS} for m in methods}
        seconds = {m: [] for m in methods}
        expected = {m: {k: 0 for k, _, _ in COLUMNS} for m in methods}
        for i in range(a.cases):
            # Two processes per case at most: the methods with max-sensitivity and those without.
            groups = {}
            for m in methods:
                with_ms = "max_sensitivity" in all_metrics and (m not in MANY_PASSES or i < a.ms_cases)
                groups.setdefault(",".join(all_metrics) if with_ms else no_ms, []).append(m)
            lines = []
            for metrics, ms in groups.items():
                got, _ = run_case(a.xmedia, path, scenario, a.seed0 + i, ms, metrics, extra + extra_params, a.eval_seed)
                lines += got
                for m in ms:
                    for k in metrics.split(","):
                        if k in expected[m]:
                            expected[m][k] += 1
            for d in lines:
                for k, _, _ in COLUMNS:
                    if k in d:
                        per[d["method"]][k].append(d[k]["value"])
                seconds[d["method"]].append(d.get("method_seconds", 0) + sum(
                    d[k].get("seconds", 0) for k, _, _ in COLUMNS if k in d and k != "max_sensitivity"))
        for method in methods:
            r = {"model": row, "method": method, "cases": a.cases}
            for k, _, _ in COLUMNS:
                r[k], r[k + "_n"] = mean(per[method][k])
                r["expected_" + k] = expected[method][k]
            r["seconds_per_case"] = sum(seconds[method]) / max(1, len(seconds[method]))
            results.append(r)
            print("%-32s %-22s %s" % (row, method, " ".join(
                "%s=%s" % (h, "-" if r[k] is None else "%.3g" % r[k]) for k, h, _ in COLUMNS)), file=sys.stderr, flush=True)
        cpu = os.times()
        cpu_s = (cpu.children_user + cpu.children_system) - (cpu0.children_user + cpu0.children_system)
        write_tables(a, results, t_start, len(rows) * len(methods), cpu_s, command)  # partial tables survive an interrupted run

    cpu = os.times()
    cpu_s = (cpu.children_user + cpu.children_system) - (cpu0.children_user + cpu0.children_system)
    write_tables(a, results, t_start, len(rows) * len(methods), cpu_s, command)
    print("wrote %s.md and %s.csv (%.0f s wall, %.0f s CPU)" % (a.out, a.out, time.time() - t_start, cpu_s), file=sys.stderr)


if __name__ == "__main__":
    main()
