"""The results table, the Pareto front and the best feasible trial.

    results.csv / results.json   one row per trial: parameters, metrics, feasibility, slacks,
                                 static-check and training seconds, state
    pareto.json                  the feasible trials no other feasible trial dominates on the
                                 chosen objectives (a dominates b: no worse on every objective,
                                 better on one)
The best trial is the feasible COMPLETE one best on the first objective, by its *validation*
value (accuracy by default; ties: higher validation accuracy, less energy); its test accuracy is
reported beside it, never used to choose.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from ..io import atomic_write_text, write_json
from .trial import OBJECTIVES, TrialRecord

METRIC_COLUMNS = (
    "train_acc",
    "val_acc",
    "test_acc",
    "energy_uj",
    "energy_floor_uj",
    "param_bytes",
    "state_bytes",
    "mean_firing_rate",
    "timesteps",
)


def best_feasible(records: list[TrialRecord], objectives: list[str] | tuple[str, ...] = ()) -> TrialRecord | None:
    """The feasible COMPLETE trial best on the *first* objective (validation accuracy when none is
    given or accuracy comes first; e.g. the smallest ANN→SNN drop for ``ann_snn_drop``); ties go to
    the higher validation accuracy, then less energy, then the earlier trial."""
    ok = [r for r in records if r.state == "COMPLETE" and r.feasible]
    if not ok:
        return None
    first = objectives[0] if objectives else "accuracy"
    sign = 1.0 if OBJECTIVES[first][0] == "maximize" else -1.0
    return max(
        ok,
        key=lambda r: (
            sign * r.objective(first),
            r.metrics.get("val_acc", 0.0),
            -(r.metrics.get("energy_uj") or 0.0),
            -r.number,
        ),
    )


def dominates(a: TrialRecord, b: TrialRecord, objectives: list[str]) -> bool:
    sign = {o: 1.0 if OBJECTIVES[o][0] == "maximize" else -1.0 for o in objectives}
    better = [sign[o] * a.objective(o) for o in objectives]
    other = [sign[o] * b.objective(o) for o in objectives]
    return all(x >= y for x, y in zip(better, other)) and any(x > y for x, y in zip(better, other))


def pareto_front(records: list[TrialRecord], objectives: list[str]) -> list[TrialRecord]:
    ok = [r for r in records if r.state == "COMPLETE" and r.feasible]
    return [r for r in ok if not any(dominates(o, r, objectives) for o in ok if o is not r)]


def row(r: TrialRecord) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": r.number,
        "state": r.state,
        "feasible": r.feasible,
        "stage": r.stage,
        "penalised": round(r.penalised, 6),
    }
    out.update({m: r.metrics.get(m) for m in METRIC_COLUMNS})
    out.update(
        {
            "static_ms": round(1000 * r.static_seconds, 3),
            "train_seconds": round(r.train_seconds, 3),
            "seconds": round(r.seconds, 3),
            "engine": r.engine,
            "checkpoint": r.checkpoint,
            "error": r.error,
        }
    )
    out.update({f"param.{k}": json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in r.params.items()})
    out.update({f"slack.{k}": s["slack"] for k, s in r.slacks.items()})
    return out


def summary(records: list[TrialRecord], best: TrialRecord | None) -> dict[str, Any]:
    """Counts and the cost figures the tuner is judged by; ``best`` is ``best_feasible(records)``."""
    static = [r for r in records if r.state == "INFEASIBLE"]
    trained = [r for r in records if r.stage == "trained"]
    return {
        "trials": len(records),
        # what --trials counts: trials that got past the static checks (trained, pruned or failed in training)
        "trained_trials": len(trained),
        "states": {s: sum(r.state == s for r in records) for s in sorted({r.state for r in records})},
        "feasible": sum(r.feasible for r in records),
        "feasible_fraction": (sum(r.feasible for r in records) / len(records)) if records else 0.0,
        "rejected_before_training": len(static),
        "static_check_ms_max": max((1000 * r.static_seconds for r in records), default=0.0),
        "static_check_ms_mean_rejected": (1000 * sum(r.static_seconds for r in static) / len(static))
        if static
        else None,
        "train_seconds_total": sum(r.train_seconds for r in trained),
        # trained models the profile then rejected (pruned and failed trials are counted apart)
        "train_seconds_infeasible": sum(r.train_seconds for r in trained if r.state == "COMPLETE" and not r.feasible),
        "train_seconds_pruned": sum(r.train_seconds for r in trained if r.state == "PRUNED"),
        # stopped by NNI's assessor (--assessor) after an epoch; Optuna's median rule counts as PRUNED
        "early_stopped": sum(r.state == "EARLY_STOPPED" for r in records),
        "train_seconds_early_stopped": sum(r.train_seconds for r in trained if r.state == "EARLY_STOPPED"),
        "train_seconds_failed": sum(r.train_seconds for r in trained if r.state == "FAIL"),
        "best": None
        if best is None
        else {
            "number": best.number,
            "params": best.params,
            "train_acc": best.metrics.get("train_acc"),
            "val_acc": best.metrics.get("val_acc"),
            "test_acc": best.metrics.get("test_acc"),
            "energy_uj": best.metrics.get("energy_uj"),
            "checkpoint": best.checkpoint,
            # the best model on the test split: rows true class, columns predicted
            "test_confusion": best.metrics.get("test_confusion"),
        },
    }


def write_results(
    records: list[TrialRecord], out: Path, objectives: list[str], stats: dict[str, Any], front: list[TrialRecord]
) -> dict[str, Path]:
    """results.csv, results.json, pareto.json in ``out``; returns their paths.

    ``stats`` is the run's ``summary``, ``front`` its ``pareto_front(records, objectives)``.
    """
    rows = [row(r) for r in records]
    columns: list[str] = []
    for r in rows:
        columns += [c for c in r if c not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    files = {
        "results.csv": out / "results.csv",
        "results.json": out / "results.json",
        "pareto.json": out / "pareto.json",
    }
    atomic_write_text(files["results.csv"], buf.getvalue())
    write_json(
        files["results.json"], {"objectives": objectives, "summary": stats, "trials": [r.to_dict() for r in records]}
    )
    write_json(
        files["pareto.json"],
        {
            "objectives": {o: OBJECTIVES[o][0] for o in objectives},
            "trials": [
                {
                    "number": r.number,
                    **{o: r.objective(o) for o in objectives},
                    "test_acc": r.metrics.get("test_acc"),
                    "params": r.params,
                    "checkpoint": r.checkpoint,
                }
                for r in front
            ],
        },
    )
    return files
