#!/usr/bin/env bash
# The main job end to end on built-in data: train under the wearable profile, export through
# NIR to ONNX Runtime and Lava (with parity at export), evaluate on the device runtime, tune
# under the profile's constraints, package the tuned model and run the bundle with the
# torch-free runner. Exit code 2 (a profile violated) is shown, not fatal.
set -euo pipefail
cd "$(dirname "$0")/.."
E=.venv/bin/edgesnn
RUN=runs/demo
ok_or_2() { set +e; "$@"; local c=$?; set -e; [ "$c" -eq 0 ] || [ "$c" -eq 2 ] || exit "$c"; }

echo "== 1. train a digits SNN under the 'wearable' profile (target loihi2: reset to zero, 8-bit weights)"
ok_or_2 $E train --dataset digits --profile wearable --model mlp --out "$RUN/train" --force

echo "== 2. export through NIR to ONNX Runtime (parity against the reference simulator and the torch model)"
$E export "$RUN/train" --target onnx --out "$RUN/export-onnx" --force

echo "== 3. export to Lava (Loihi 2 simulator, floating point)"
$E export "$RUN/train" --target lava-float --out "$RUN/export-lava" --force

echo "== 3b. export to Loihi 2 fixed point (the model was trained on its grid) + lava-dl netx model.net, replayed in netx"
$E export "$RUN/train" --target loihi2 --out "$RUN/export-loihi2" --force
.venv/bin/python -c "import numpy as np; np.save('$RUN/spikes.npy', (np.random.default_rng(0).random((25, 4, 1, 8, 8)) < 0.3).astype(np.float32))"
$E run "$RUN/export-loihi2" --input "$RUN/spikes.npy" --output "$RUN/lava-out.npy"
$E run "$RUN/export-loihi2/model.net" --input "$RUN/spikes.npy" --output "$RUN/netx-out.npy"
.venv/bin/python -c "import numpy as np; a, b = np.load('$RUN/lava-out.npy'), np.load('$RUN/netx-out.npy'); print(f'netx vs edgesnn Lava build: {int((a != b).sum())} of {a.size} outputs differ')"

echo "== 4. evaluate on ONNX Runtime: accuracy, memory, firing rates, SynOps, energy"
ok_or_2 $E evaluate "$RUN/export-onnx" --profile wearable

echo "== 5. tune under the profile (a few short trials; infeasible configurations cost no training)"
ok_or_2 $E tune --dataset digits --profile wearable --trials 8 --epochs 2 --out "$RUN/tune"

BEST="$RUN/train"
[ -f "$RUN/tune/best/checkpoint.pt" ] && BEST="$RUN/tune/best"
echo "== 6. export the tuned model ($BEST), package it for a wearable, run the bundle"
$E export "$BEST" --target onnx --out "$RUN/best-onnx" --force
$E package "$RUN/best-onnx" --out "$RUN/bundle.zip" --force
.venv/bin/python examples/stream_replay.py "$RUN/bundle.zip" --frames 5 --save-csv "$RUN/few.csv"
$E run "$RUN/bundle.zip" --input "$RUN/few.csv"

echo "== done. evaluation report of the exported model: $RUN/export-onnx/report/report.html"
