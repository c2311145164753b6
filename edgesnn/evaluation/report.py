"""The evaluation report: a typed record, versioned JSON (``schema = "edgesnn.report/1"``).

Every figure is per inference (one test sample of T steps) unless named ``*_total``; energies
in microjoules; memory in bytes. The measured sections (memory, activity, energy, like_for_like, latency) are
declared in :mod:`edgesnn.evaluation.schema`; the JSON layout is documented in
docs/report-schema.md, whose field table is generated from that declaration. Adding a field is
backwards compatible, renaming or removing one bumps the schema version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .schema import ACTIVITY, ENERGY, LATENCY, LIKE_FOR_LIKE, MEMORY

SCHEMA = "edgesnn.report/1"


# The measured sections are declared field by field in .schema (key, type, unit, meaning, how
# they are shown); their dataclasses are made from those declarations so that report.json's keys,
# the renderers and the docs cannot disagree. Constructed positionally, in declaration order.
Memory = MEMORY.record_type(__name__)
Activity = ACTIVITY.record_type(__name__)
Energy = ENERGY.record_type(__name__)
Latency = LATENCY.record_type(__name__)
LikeForLike = LIKE_FOR_LIKE.record_type(__name__)


@dataclass
class Report:
    """What ``edgesnn evaluate`` measured for one artifact on one runtime."""

    model: str
    artifact: str
    target: str
    backend: str
    dataset: str
    samples: int
    classes: list[str]
    accuracy: float
    per_class_accuracy: dict[str, float | None]
    confusion: list[list[int]]  # rows: true class, columns: predicted class
    parameters: dict[str, Any]  # count_params: layers, weights, biases, total, neuron_params
    memory: Memory
    activity: Activity
    energy: Energy
    like_for_like: LikeForLike | None  # null: the target names no device (``edgesnn/metrics/like_for_like.py``)
    latency: Latency
    profile: str | None
    checks: list[dict[str, Any]]  # name, value, limit, slack (<= 0 feasible), ok
    feasible: bool | None
    training: dict[str, Any] | None  # from the source run's metrics.json, when it is there
    #: the backend's own device model at the measured activity (``Backend.device_figures``):
    #: {device, figures: [{name, value, unit, source}], notes}; None when it has none
    device: dict[str, Any] | None = None
    #: ``--energy-sim sanafe``: the simulator's energy and time beside the analytical estimate of
    #: the same samples (``sanafe_sim.cross_check``); None when not asked for
    energy_sim: dict[str, Any] | None = None
    #: graph id -> readable layer name (``names.readable_names``: fc1, lif1, …); the renderings show these
    layer_names: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    schema: str = SCHEMA
    # for the plots only; not serialised
    sample_records: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    sample_input: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (report.json): plain types, ``schema`` first."""
        d = asdict(self)
        d.pop("sample_records")
        d.pop("sample_input")
        return {"schema": d.pop("schema"), **d}


def confusion_matrix(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """``C[i, j]`` = samples of true class i predicted as j."""
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(y, int), np.asarray(pred, int)), 1)
    return cm


def per_class_accuracy(cm: np.ndarray, classes: list[str]) -> dict[str, float | None]:
    """Recall per class (``C[i, i] / sum_j C[i, j]``); None for a class absent from the split."""
    totals = cm.sum(1)
    return {c: (float(cm[i, i] / totals[i]) if totals[i] else None) for i, c in enumerate(classes)}
