"""Several reports side by side, in the style of the miRNA study's Table II.

Columns: model, target, accuracy, parameters, T, energy per inference (µJ, the target's table),
ANN-twin energy, mean firing rate, training time (s, from the source run's metrics when the
manifest names a run that is still there; "—" otherwise). The table is a curated selection in
the study's order, so it names each column's value by its path in the report (the measured ones
are declared in :mod:`edgesnn.evaluation.schema`) instead of repeating how to reach it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .fields import fmt, lookup
from .report import Report

#: (column header, dotted path in the report); the headers are comparison.json's keys
TABLE: tuple[tuple[str, str], ...] = (
    ("model", "model"),
    ("target", "target"),
    ("accuracy", "accuracy"),
    ("parameters", "parameters.total"),
    ("T", "latency.timesteps"),
    ("energy (µJ)", "energy.snn_uj"),
    ("cost table", "energy.table"),
    ("ANN energy (µJ)", "energy.ann_uj"),
    ("mean rate", "activity.mean_firing_rate"),
    ("training time (s)", "training.train_seconds"),
)
COLUMNS = [header for header, _ in TABLE]


def comparison_rows(reports: Sequence[Report]) -> list[dict[str, Any]]:
    """One JSON-able row per report, keyed by :data:`COLUMNS`."""
    return [{header: lookup(r, path) for header, path in TABLE} for r in reports]


def comparison_markdown(reports: Sequence[Report]) -> str:
    rows = comparison_rows(reports)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(fmt(row[c]) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines) + "\n"
