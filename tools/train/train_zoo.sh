#!/bin/sh
# Trains the whole zoo into models/, one model after another (about 45 minutes on
# one busy core; each run prints its epochs and writes models/NAME.onnx + .json).
# usage: tools/train/train_zoo.sh [path/to/native/xmedia]
# These are the exact commands behind the committed models (see each card's
# recipe.command). Generated data sets are cached in /tmp/xmedia-train-cache.
set -e
cd "$(dirname "$0")/../.."
X=${1:-build/native/xmedia}
T="/usr/bin/python3 tools/train/train.py --xmedia $X"
C=/tmp/xmedia-train-cache
$T --name cardiac_lge --scenario cardiac_lge --arch resnet --train 3000 --val 500 --epochs 6 --max-minutes 10
$T --name fundus --scenario fundus --arch rgbnet --train 4500 --val 500 --lr 2e-3 --epochs 6 --max-minutes 14
$T --name chest_xray_shortcut --scenario chest_xray --arch cnn --param contrast=0.4 --marker-correlation 0.95 \
   --no-flip --train 3000 --val 500 --lr 1e-3 --epochs 4 --max-minutes 8
$T --name cardiac_lge_random_labels --scenario cardiac_lge --arch resnet --shuffle-labels --train 3000 --val 500 \
   --epochs 6 --patience 99 --max-minutes 7
# chest_xray: two stages. Stage 1 adds 2,000 clearer nodules (contrast 2.5) so the
# net finds the nodule at all; stage 2 continues on default-knob cases only.
$T --name chest_xray --scenario chest_xray --arch resnet --train 4000 --val 500 --easy-param contrast=2.5 \
   --easy-count 2000 --lr 2e-3 --epochs 7 --max-minutes 16
cp $C/chest_xray.pt $C/chest_xray_stage1.pt
$T --name chest_xray --scenario chest_xray --arch resnet --init $C/chest_xray_stage1.pt --train 5000 --val 500 \
   --lr 1e-3 --epochs 6 --max-minutes 11
cp $C/chest_xray.pt $C/chest_xray_stage2.pt   # stage 3: val loss was still falling, lower lr
$T --name chest_xray --scenario chest_xray --arch resnet --init $C/chest_xray_stage2.pt --train 5000 --val 500 \
   --lr 5e-4 --epochs 4 --max-minutes 8
# liver_ct: one stage with the same curriculum (2,000 extra cases at contrast 2.5).
# Since every lesion is visible by construction (inside visible liver parenchyma,
# at least 40 HU below it), the second stage the old generator needed is gone.
$T --name liver_ct --scenario liver_ct --arch resnet --train 3500 --val 500 --easy-param contrast=2.5 \
   --easy-count 2000 --lr 2e-3 --epochs 8 --max-minutes 14
# After a generator change, a model that is not retrained is re-measured instead:
#   /usr/bin/python3 tools/train/check_zoo.py --xmedia $X --update-cards NAME...
