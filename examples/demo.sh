#!/usr/bin/env bash
# The wearable story end to end on built-in data: a smartwatch IMU (accelerometer + gyroscope,
# 10 s at 10 Hz, 4 activities: BasicMotions) classified by an SNN that reads one sensor frame per
# step. Train under the 'wearable' profile (Loihi 2 numerics, 10 s latency budget), export
# through NIR to Loihi 2 fixed point and ONNX Runtime (parity at export), evaluate on the
# device runtime beside the ANN twin, tune under the profile, package the best model and stream
# a recorded IMU window through the torch-free bundle runner reading by reading.
# Exit code 2 (a profile violated) is shown, not fatal.
set -euo pipefail
cd "$(dirname "$0")/.."
E=.venv/bin/edgesnn
PY=.venv/bin/python
RUN=runs/demo
DATA=basic_motions
ok_or_2() { set +e; "$@"; local c=$?; set -e; [ "$c" -eq 0 ] || [ "$c" -eq 2 ] || exit "$c"; }

echo "== 1. train an IMU activity SNN under the 'wearable' profile (rnn, one frame per step, target loihi2)"
ok_or_2 $E train --dataset $DATA --profile wearable --out "$RUN/train" --force

echo "== 2. export through NIR to ONNX Runtime (parity against the reference simulator and the torch model)"
$E export "$RUN/train" --target onnx --out "$RUN/export-onnx" --force

echo "== 3. export to Lava (Loihi 2 simulator, floating point) and replay test windows in it"
$E export "$RUN/train" --target lava-float --out "$RUN/export-lava" --force
$PY - "$RUN" <<'PY'
import json, sys
import numpy as np
from edgesnn.loading import test_split
run = sys.argv[1]
x, _ = test_split(json.load(open(f"{run}/export-lava/manifest.json"))["data"], limit=4)
np.save(f"{run}/windows.npy", x.astype(np.float32))
print(f"4 encoded test windows {tuple(x.shape)} -> {run}/windows.npy")
PY
$E run "$RUN/export-lava" --input "$RUN/windows.npy" --output "$RUN/lava-out.npy"

echo "== 3b. Loihi 2 fixed point (trained on its grid: 8-bit weights, 12-bit decays, integer input levels)"
# Refused (exit 1) when more spikes differ from the float reference than the target's 1% tolerance:
# Loihi truncates every decay, and over 100 recurrent steps that can flip more spikes; the
# message gives the measured gap and accuracy. The float exports above stand either way.
set +e; $E export "$RUN/train" --target loihi2 --out "$RUN/export-loihi2" --force; c=$?; set -e
[ "$c" -eq 0 ] || echo "(loihi2 export refused with exit $c: see the measured gap above)"

echo "== 4. evaluate on ONNX Runtime: accuracy, memory, firing rates, SynOps, energy, beside the ANN twin"
ok_or_2 $E evaluate "$RUN/export-onnx" --profile wearable

echo "== 5. tune under the profile (temporal encoders and thresholds; infeasible configurations cost no training)"
rm -rf "$RUN/tune"  # a fresh study each time the demo runs
ok_or_2 $E tune --dataset $DATA --profile wearable --model rnn --trials 6 --epochs 15 --out "$RUN/tune"

echo "== 6. package the best model it produced (the tuned one only if its test accuracy is higher)"
BEST=$($PY - "$RUN" <<'PY'
import json, sys
from pathlib import Path
run = Path(sys.argv[1])
acc = lambda d: json.loads((d / "metrics.json").read_text())["metrics"]["test_acc"]
trained, tuned = run / "train", run / "tune" / "best"
best = tuned if (tuned / "metrics.json").is_file() and acc(tuned) > acc(trained) else trained
print(best)
print(f"trained {acc(trained):.4f}" + (f", tuned {acc(tuned):.4f}" if (tuned / "metrics.json").is_file() else "")
      + f" -> packaging {best}", file=sys.stderr)
PY
)
if [ "$BEST" != "$RUN/train" ]; then $E export "$BEST" --target onnx --out "$RUN/best-onnx" --force; else cp -r "$RUN/export-onnx" "$RUN/best-onnx.tmp" && rm -rf "$RUN/best-onnx" && mv "$RUN/best-onnx.tmp" "$RUN/best-onnx"; fi
$E package "$RUN/best-onnx" --out "$RUN/bundle.zip" --force

echo "== 7. stream recorded IMU windows through the bundle, one sensor reading per step (torch-free runner)"
$PY examples/stream_replay.py "$RUN/bundle.zip" --frames 6 --save-csv "$RUN/few.csv"
$E run "$RUN/bundle.zip" --input "$RUN/few.csv"

echo "== done. evaluation report of the exported model: $RUN/export-onnx/report/report.html"
