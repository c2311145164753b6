"""Several reports side by side, in the style of the miRNA study's Table II.

Columns: model, target, accuracy, parameters, T, energy per inference (µJ, the target's table),
ANN-twin energy, mean firing rate, training time (s, from the source run's metrics when the
manifest names a run that is still there; "—" otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .render import fmt
from .report import Report

COLUMNS = ["model", "target", "accuracy", "parameters", "T", "energy (µJ)", "cost table", "ANN energy (µJ)",
           "mean rate", "training time (s)"]


def comparison_rows(reports: Sequence[Report]) -> list[dict[str, Any]]:
    """One JSON-able row per report, keyed by :data:`COLUMNS`."""
    rows = []
    for r in reports:
        train_s = (r.training or {}).get("train_seconds")
        rows.append(dict(zip(COLUMNS, [r.model, r.target, r.accuracy, r.parameters["total"], r.latency.timesteps,
                                       r.energy.snn_uj, r.energy.table, r.energy.ann_uj,
                                       r.activity.mean_firing_rate, train_s])))
    return rows


def comparison_markdown(reports: Sequence[Report]) -> str:
    rows = comparison_rows(reports)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(fmt(row[c]) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines) + "\n"
