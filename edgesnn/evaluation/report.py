"""The evaluation report: a typed record, versioned JSON (``schema = "edgesnn.report/1"``).

Every figure is per inference (one test sample of T steps) unless named ``*_total``; energies
in microjoules; memory in bytes. The JSON layout is documented in docs/report-schema.md;
adding a field is backwards compatible, renaming or removing one bumps the schema version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

SCHEMA = "edgesnn.report/1"


@dataclass(frozen=True)
class Memory:
    """Weights at the target's precision, neuron state, peak single activation buffer (bytes)."""

    weight_bits: int
    weight_bytes: float
    state_bits: int
    state_bytes: float
    activation_bytes: float
    total_bytes: float


@dataclass(frozen=True)
class Activity:
    """Spikes and operations per inference; ``spike_counts_total`` are exact over the split."""

    layers: list[str]  # synaptic and neuron nodes in graph order
    firing_rates: dict[str, float]
    mean_firing_rate: float
    input_rate: float
    spikes: dict[str, float]
    spikes_per_inference: float
    spike_counts_total: dict[str, int]
    synops: dict[str, float]
    synops_per_inference: float
    synops_counting: dict[str, str]
    neuron_updates: dict[str, int]
    neuron_updates_per_inference: int


@dataclass(frozen=True)
class Energy:
    """SNN energy on the target's table (per layer / component), the ANN twin, break-even rate."""

    table: str
    snn_uj: float
    snn_layers_uj: dict[str, float]
    snn_components_uj: dict[str, float]
    ann_table: str | None
    ann_macs: int
    ann_macs_layers: dict[str, int]
    ann_uj: float | None
    snn_over_ann: float | None
    break_even_rate: float | None
    break_even_first_layer: str
    tables: dict[str, Any]  # covers / omits / constants with sources, per table
    caveat: str


@dataclass(frozen=True)
class Latency:
    """Latency in timesteps (and simulated seconds at dt) and measured wall time on the runtime."""

    timesteps: int
    dt_s: float | None
    simulated_s: float | None
    wall_s_per_sample: float
    samples_per_s: float
    batch_size: int
    runtime_wall_s: float
    evaluation_wall_s: float


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
    latency: Latency
    profile: str | None
    checks: list[dict[str, Any]]  # name, value, limit, slack (<= 0 feasible), ok
    feasible: bool | None
    training: dict[str, Any] | None  # from the source run's metrics.json, when it is there
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
