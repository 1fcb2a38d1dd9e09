#!/usr/bin/python3
"""Re-measure the zoo's held-out accuracy through OUR engine (`xmedia predict`) on fresh seeds.

    /usr/bin/python3 tools/train/check_zoo.py [--xmedia build/native/xmedia] [--count 1000] [NAME ...]

For each models/NAME.json: writes `--count` phantoms from seeds 9,500,000+ with the
same generator arguments as the card's recipe (never seen in training, and
different from the card's own held-out seeds 9,000,000+), normalises them as the
card says ((x/255 - mean)/std), runs `xmedia predict --input batch.npy --out
logits.npy` in batches, and compares the accuracy with the card's. For the
shortcut model it also re-measures the decorrelated-marker accuracy.
Exit status 0 when every model is within --tolerance of its card, 1 otherwise.

    /usr/bin/python3 tools/train/check_zoo.py --update-cards NAME ...

After a change to a scenario's generator, a model that was not retrained must
be re-measured: --update-cards measures it through `xmedia predict` on the
card's own held-out seeds (9,000,000+) and rewrites the card's held-out
accuracies, recording that (and the generator digest) under
accuracy.remeasured. Train/validation accuracies stay those of training time.
"""
import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile

import numpy as np

from phantom_digest import generator_digest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def generator_args(card):
    """scenario, [--param k=v...], marker correlation or None, from the card's recipe.generator."""
    words = shlex.split(card["recipe"]["generator"])
    params, corr = [], None
    for i, w in enumerate(words):
        if w == "--param":
            params.append(words[i + 1])
        elif w == "--marker-correlation":
            corr = float(words[i + 1])
    return card["scenario"], params, corr


def dataset(xmedia, scenario, first_seed, count, params, corr, d):
    cmd = [xmedia, "dataset", "--scenario", scenario, "--first-seed", str(first_seed), "--count", str(count),
           "--out", d]
    for p in params:
        cmd += ["--param", p]
    if corr is not None:
        cmd += ["--marker-correlation", str(corr)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return np.load(os.path.join(d, "images.npy")), np.load(os.path.join(d, "labels.npy")).astype(np.int64)


def predict(xmedia, model, card, x, d, batch):
    """Logits [N,2] from `xmedia predict` on batches of normalised float32 images."""
    c = x.shape[1]
    mean = np.array(card["input"]["mean"], np.float32).reshape(1, c, 1, 1)
    std = np.array(card["input"]["std"], np.float32).reshape(1, c, 1, 1)
    out = []
    for i in range(0, len(x), batch):
        xb = ((x[i:i + batch].astype(np.float32) / 255.0 - mean) / std).astype(np.float32)
        np.save(os.path.join(d, "batch.npy"), xb)
        r = subprocess.run([xmedia, "predict", "--model", model, "--input", os.path.join(d, "batch.npy"),
                            "--out", os.path.join(d, "logits.npy")], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"xmedia predict failed ({r.returncode}): {r.stderr.strip()}")
        y = np.load(os.path.join(d, "logits.npy")).reshape(len(xb), -1)
        out.append(y)
    return np.concatenate(out)


def update_card(args, name):
    """Re-measure a card's held-out accuracies on its own seeds through xmedia predict and write them back."""
    path = os.path.join(args.models, name + ".json")
    with open(path) as f:
        card = json.load(f)
    scenario, params, corr = generator_args(card)
    acc = card["accuracy"]
    first, n = (int(v) for v in acc["seeds"].split("-"))
    n = n - first + 1
    checks = [("held_out", params, corr)]
    if corr is not None:
        checks += [("held_out_marker_correlated", params, corr), ("held_out_marker_decorrelated", params, 0.5),
                   ("held_out_marker_anticorrelated", params, 0.0), ("held_out_no_marker", params + ["marker=0"], None)]
    old = {}
    for key, p, c in checks:
        with tempfile.TemporaryDirectory() as d:
            x, y = dataset(args.xmedia, scenario, first, n, p, c, d)
            logits = predict(args.xmedia, os.path.join(args.models, name + ".onnx"), card, x, d, args.batch)
        old[key] = acc.get(key)
        acc[key] = round(float((logits.argmax(1) == y).mean()), 4)
        print(f"{name:28s} {key:32s} {old[key]} -> {acc[key]}", flush=True)
    acc["remeasured"] = {
        "how": "held-out accuracies re-measured through `xmedia predict` after a change to the phantom generator "
               "(tools/train/check_zoo.py --update-cards); train/validation accuracies are from training time",
        "date": datetime.date.today().isoformat(), "generator_sha1": generator_digest(), "before": old}
    with open(path, "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", help="models to check (default: every models/*.json)")
    ap.add_argument("--xmedia", default=os.path.join(ROOT, "build", "native", "xmedia"))
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--first-seed", type=int, default=9_500_000)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--tolerance", type=float, default=0.025,
                    help="allowed |measured - card| (binomial s.d. at n=1000, p=0.95 is 0.007)")
    ap.add_argument("--update-cards", action="store_true",
                    help="re-measure the named models on their cards' own held-out seeds and rewrite the cards")
    args = ap.parse_args()
    if args.update_cards:
        if not args.names:
            ap.error("--update-cards needs the names of the models to re-measure")
        for name in args.names:
            update_card(args, name)
        return 0
    names = args.names or sorted(f[:-5] for f in os.listdir(args.models) if f.endswith(".json"))
    rows, ok = [], True
    print(f"{'model':28s} {'card':>7s} {'measured':>9s} {'diff':>7s}  seeds")
    for name in names:
        with open(os.path.join(args.models, name + ".json")) as f:
            card = json.load(f)
        model = os.path.join(args.models, name + ".onnx")
        scenario, params, corr = generator_args(card)
        checks = [("held_out", corr)]
        if corr is not None:
            checks.append(("held_out_marker_decorrelated", 0.5))
        for key, c in checks:
            with tempfile.TemporaryDirectory() as d:
                x, y = dataset(args.xmedia, scenario, args.first_seed, args.count, params, c, d)
                try:
                    logits = predict(args.xmedia, model, card, x, d, args.batch)
                except RuntimeError as e:
                    print(f"{name:28s} error: {e}")
                    ok = False
                    continue
            acc = float((logits.argmax(1) == y).mean())
            want = card["accuracy"][key]
            diff = acc - want
            good = abs(diff) <= args.tolerance
            ok &= good
            label = name if key == "held_out" else name + " (decorrelated)"
            print(f"{label:28s} {want:7.3f} {acc:9.3f} {diff:+7.3f}  {args.first_seed}-{args.first_seed + args.count - 1}"
                  f"{'' if good else '  MISMATCH'}", flush=True)
    print("all models match their cards" if ok else "SOME MODELS DO NOT MATCH THEIR CARDS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
