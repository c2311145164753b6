"""Merge per-batch activity reports into one report over the whole split.

Every figure of :class:`edgesnn.metrics.ActivityReport` is a per-inference mean over its batch,
or a constant of the graph. Means combine exactly by weighting each batch by its size
(``sum_b n_b * m_b / sum_b n_b``); the break-even rate is linear in the measured input SynOps
(see :mod:`edgesnn.metrics.energy`), so it combines the same way. Values equal in every batch
(parameters, memory, capacities, tables) are kept as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from ..metrics import ActivityReport
from ..metrics.summary import BREAK_EVEN_NOTE, break_even_note

_SUMMED = {"batch"}


def combine(reports: Sequence[ActivityReport]) -> ActivityReport:
    """One report equal to ``measure`` over the concatenated batches (up to float rounding)."""
    if len(reports) == 1:
        return reports[0]
    weights = [float(r.batch) for r in reports]
    merged: dict[str, Any] = {}
    for f in fields(ActivityReport):
        values = [getattr(r, f.name) for r in reports]
        if f.name in _SUMMED:
            merged[f.name] = int(sum(values))
        elif f.name == "notes":
            merged[f.name] = _notes(values, reports)
        else:
            merged[f.name] = _merge(values, weights)
    return ActivityReport(**merged)


def _merge(values: list[Any], weights: list[float]) -> Any:
    first = values[0]
    if all(v == first for v in values[1:]):
        return first
    if isinstance(first, dict):
        return {k: _merge([v.get(k) for v in values], weights) for k in first}
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return sum(w * v for w, v in zip(weights, values)) / sum(weights)
    if any(v is None for v in values):
        return None
    return first


def _notes(values: list[list[str]], reports: Sequence[ActivityReport]) -> list[str]:
    """Union of the batches' notes; the break-even note is re-derived for the merged rate."""
    out: list[str] = []
    for notes in values:
        out += [n for n in notes if n not in out and not n.startswith(BREAK_EVEN_NOTE)]
    total = sum(r.batch for r in reports)
    rates = [r.break_even_rate for r in reports]
    if reports[0].ann_energy_uj is not None:
        rate = None if any(r is None for r in rates) else sum(r.batch * v for r, v in zip(reports, rates)) / total
        note = break_even_note(rate)
        if note is not None:
            out.append(note)
    return out
