#!/usr/bin/env bash
# The main job end to end on built-in data: train under the wearable profile, export through
# NIR to ONNX Runtime and Lava, evaluate on the device runtime, package for an edge demo.
# Each stage runs when its command exists in this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
E=.venv/bin/edgesnn
RUN=runs/demo-digits
has() { $E --help | grep -q "^  $1 "; }

echo "== 1. train a digits SNN under the 'wearable' profile (target loihi2: reset to zero, 8-bit weights)"
set +e
$E train --dataset digits --profile wearable --model mlp --out "$RUN" --force
code=$?
set -e
[ "$code" -eq 0 ] || [ "$code" -eq 2 ] || exit "$code"   # 2: trained but violates the profile (shown above)

echo "== 2. export through NIR to ONNX Runtime (parity against the reference simulator)"
$E export "$RUN" --target onnx --out "$RUN/export-onnx" --force

if [ "${EDGESNN_DEMO_LAVA:-1}" = "1" ] && $E targets --json | grep -q '"lava-float"' && .venv/bin/python -c "import edgesnn.backends.lava" 2>/dev/null; then
  echo "== 3. export to Lava (Loihi 2 simulator, floating point)"
  $E export "$RUN" --target lava-float --out "$RUN/export-lava" --force || echo "(lava export failed: see above)"
fi

if has evaluate; then
  echo "== 4. evaluate on ONNX Runtime: accuracy, memory, firing rates, SynOps, energy"
  set +e
  $E evaluate "$RUN/export-onnx" --profile wearable
  code=$?
  set -e
  [ "$code" -eq 0 ] || [ "$code" -eq 2 ] || exit "$code"
fi

if has package; then
  echo "== 5. package for a wearable demo and run the bundle with the torch-free runner"
  $E package "$RUN/export-onnx" --out "$RUN/bundle.zip" --force
  .venv/bin/python examples/stream_replay.py "$RUN/bundle.zip" --frames 5 --save-csv "$RUN/few.csv"
  $E run "$RUN/bundle.zip" --input "$RUN/few.csv"
fi
echo "== done: $RUN"
[ -f "$RUN/export-onnx/report/report.html" ] && echo "evaluation report: $RUN/export-onnx/report/report.html"
exit 0
