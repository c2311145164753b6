"""Accuracy of integer int8 artifacts (``cortex-m``) against the float model, trained the same way.

For each seed: the digits MLP is trained for the float ``onnx`` target and, with the same seed
and budget, for ``cortex-m`` (quantisation-aware on the integer row grid, 12-bit decays, input
as int8 codes); the cortex-m run is exported (integer ONNX: its parity against the integer judge
must be 0 mismatches) and evaluated on the whole test split by onnxruntime. Prints the float
SNN's test accuracy, the integer artifact's, and the difference (goal: within 1 pp).

    .venv/bin/python benchmarks/int8_accuracy.py [--seeds 0 1 2] [--epochs N] [--dataset digits]
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="training epochs (default: the profile's)")
    parser.add_argument("--dataset", default="digits")
    args = parser.parse_args()

    from edgesnn.evaluation import evaluate
    from edgesnn.export import export
    from edgesnn.train import train

    warnings.simplefilter("ignore")
    tmp = Path(tempfile.mkdtemp(prefix="edgesnn_int8_"))
    rows = []
    for seed in args.seeds:
        common = {"epochs": args.epochs, "seed": seed, "progress": False, "ann_twin": False}
        float_run = train(args.dataset, "wearable", target="onnx", out=tmp / f"f{seed}", **common)
        int_run = train(args.dataset, "wearable", target="cortex-m", out=tmp / f"i{seed}", **common)
        exp = export(tmp / f"i{seed}", "cortex-m", out=tmp / f"i{seed}" / "export")
        report = evaluate(tmp / f"i{seed}" / "export", dataset=args.dataset)
        rows.append(
            (
                seed,
                float_run.metrics["test_acc"],
                int_run.metrics["test_acc"],
                report.accuracy,
                exp.parity["vs_reference"]["mismatches"],
                exp.parity["integer_grid"]["off_grid"],
            )
        )
    print(f"\n{args.dataset}: float SNN (target onnx) vs integer ONNX artifact (target cortex-m), test split")
    print(
        f"{'seed':>4} {'float':>8} {'QAT torch':>10} {'integer ONNX':>13} {'Δ pp':>7} {'parity mismatches':>18} {'off-grid':>9}"
    )
    for seed, f, q, i, mism, off in rows:
        print(f"{seed:4d} {f:8.4f} {q:10.4f} {i:13.4f} {100 * (i - f):7.2f} {mism:18d} {off:9d}")
    deltas = [100 * (i - f) for _, f, _, i, _, _ in rows]
    print(f"Δ integer − float: {min(deltas):+.2f} … {max(deltas):+.2f} pp (goal: within 1 pp)")


if __name__ == "__main__":
    main()
