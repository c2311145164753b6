"""Constraint-aware search vs a constraint-blind NNI TPE, same trial budget, side by side.

    .venv/bin/python benchmarks/tune_efficiency.py [--trials 10] [--epochs 1] [--dataset digits]
                                                   [--profile implant] [--out runs/bench-tune]

A: edgesnn's Optuna engine (TPE, constraints from the profile, static rejection before training).
B: NNI's TPE tuner optimising plain validation accuracy; every configuration is trained and the
   results are filtered by the same profile afterwards (what the seed studies did).

Printed per engine: feasible-trial fraction, best feasible validation accuracy (its test
accuracy beside it), training seconds in total and spent on models the profile rejects. The
``implant`` profile (16 steps, 16 KiB of weights, 0.5 µJ) and the space below make a fair share
of configurations infeasible by construction.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

SPACE = {
    "hidden_1": {"_type": "choice", "_value": [16, 32, 64, 128, 256, 512]},
    "timesteps": {"_type": "choice", "_value": [8, 12, 16, 25, 32]},
    "neuron": {"_type": "choice", "_value": ["leaky", "synaptic"]},
    "encoder": {"_type": "choice", "_value": ["rate", "latency"]},
    "beta": {"_type": "uniform", "_value": [0.8, 0.99]},
    "threshold": {"_type": "uniform", "_value": [0.5, 1.5]},
    "lr": {"_type": "loguniform", "_value": [0.002, 0.02]},
}


def main() -> None:
    from edgesnn.tune import tune

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--dataset", default="digits")
    ap.add_argument("--profile", default="implant")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-tune-"))
    out.mkdir(parents=True, exist_ok=True)
    space = out / "space.json"
    space.write_text(json.dumps(SPACE, indent=1))
    common = dict(space=space, trials=args.trials, epochs=args.epochs, seed=args.seed, progress=False)
    runs = {}
    t0 = time.perf_counter()
    runs["edgesnn optuna (constrained)"] = tune(
        args.dataset,
        args.profile,
        engine="optuna",
        tuner="tpe",
        objectives=["accuracy"],
        out=out / "optuna",
        prune=False,
        **common,
    )
    t1 = time.perf_counter()
    runs["NNI TPE, filtered afterwards"] = tune(
        args.dataset, args.profile, engine="nni", tuner="TPE", constrained=False, out=out / "nni", **common
    )
    t2 = time.perf_counter()
    walls = [t1 - t0, t2 - t1]
    print(
        f"\n{args.trials} trials each, {args.epochs} epoch(s) per trial, {args.dataset} under profile "
        f"'{args.profile}' (run dirs in {out})\n"
    )
    header = f"{'engine':32} {'feasible':>9} {'best feasible val (test)':>26} {'train s':>9} {'train s infeasible':>19} {'rejected untrained':>19} {'wall s':>8}"
    print(header)
    print("-" * len(header))
    for (name, r), wall in zip(runs.items(), walls):
        s = r.summary
        best = s["best"]
        acc = f"{best['val_acc']:.4f} ({best['test_acc']:.4f})" if best else "none"
        print(
            f"{name:32} {s['feasible_fraction']:>9.2f} {acc:>26} {s['train_seconds_total']:>9.1f} "
            f"{s['train_seconds_infeasible']:>19.1f} {s['rejected_before_training']:>19d} {wall:>8.1f}"
        )
    a, b = (r.summary for r in runs.values())
    ba = (a["best"] or {}).get("val_acc", 0.0)
    bb = (b["best"] or {}).get("val_acc", 0.0)
    print(
        f"\nbest feasible accuracy: constrained − unconstrained = {100 * (ba - bb):+.1f} pp; "
        f"training seconds wasted on infeasible models: {a['train_seconds_infeasible']:.1f} vs {b['train_seconds_infeasible']:.1f}"
    )


if __name__ == "__main__":
    main()
