"""Run an artifact over an encoded split in batches, on its own runtime, with spikes recorded.

Per batch ``b`` of ``x [T, N, *in]``: ``backend.run(file, x_b, target, record=True)`` returns
the output ``[T, n_b, *out]`` and every neuron node's record ``[T, n_b, *shape]``; the
prediction is the class with most output events (population summed, ties to the lowest index,
as in training); ``measure(graph, x_b, records, target)`` gives that batch's activity and cost,
merged over batches by :func:`.combine.combine`. Exact integer spike counts per layer are
summed over the whole split, and the records of sample 0 are kept for the raster plot.

Recording twin (``Backend.recording_twin``): an artifact that cannot report its spikes (an
ONNX model exported without ``rec.*`` outputs) gets a twin lowered again from its export's
``model.nir`` with recording, in a temporary folder; the shipped artifact still makes the predictions and the wall time, the twin gives the
records, and their outputs must be identical (else ``ParityError``). The report says so.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..backends import get_backend
from ..errors import ParityError
from ..metrics import ActivityReport, measure
from ..readout import predict
from .artifact import Artifact
from .combine import combine

ProgressFn = Callable[[int, int], None]


@dataclass
class RunSummary:
    predictions: np.ndarray  # [N]
    activity: ActivityReport
    spike_counts: dict[str, int]  # every recorded node, summed over the split (non-zero entries)
    wall_s: float  # runtime wall time, all batches
    eval_s: float  # whole loop including metrics
    batch_size: int
    sample_records: dict[str, np.ndarray] = field(repr=False, default_factory=dict)  # [T, *shape] of sample 0
    sample_input: np.ndarray | None = field(repr=False, default=None)  # [T, *in] of sample 0
    notes: list[str] = field(default_factory=list)


def run_split(
    art: Artifact, x: np.ndarray, n_classes: int, batch_size: int | None = None, progress: ProgressFn | None = None
) -> RunSummary:
    """Run ``art`` over ``x [T, N, *in]`` in batches of ``batch_size`` (None: the backend's
    ``eval_batch``); see the module docstring."""
    backend = get_backend(art.target.backend)
    backend.require()
    batch_size = batch_size or backend.eval_batch
    with tempfile.TemporaryDirectory(prefix="edgesnn-eval-") as tmp:
        twin = backend.recording_twin(art.file, art.graph, art.target, Path(tmp))
        return _loop(art, backend, twin, x, n_classes, max(1, int(batch_size)), progress)


def _batch(x, i: int, size: int):
    """Samples ``i .. i+size`` of ``[T, N, ...]`` (each input of a dict)."""
    if isinstance(x, dict):
        return {k: np.ascontiguousarray(v[:, i : i + size]) for k, v in x.items()}
    return np.ascontiguousarray(x[:, i : i + size])


def _first_sample(x) -> np.ndarray:
    """The first sample's input ``[T, features]`` (a multimodal sample's inputs side by side)."""
    if isinstance(x, dict):
        return np.concatenate([np.asarray(v[:, 0]).reshape(v.shape[0], -1) for v in x.values()], axis=1)
    return np.asarray(x[:, 0])


def _loop(art, backend, twin, x, n_classes, batch_size, progress) -> RunSummary:
    n = next(iter(x.values())).shape[1] if isinstance(x, dict) else x.shape[1]
    preds, reports = [], []
    counts: dict[str, int] = {}
    wall = 0.0
    sample: dict[str, np.ndarray] = {}
    start = time.perf_counter()
    for i in range(0, n, batch_size):
        xb = _batch(x, i, batch_size)
        run = backend.run(art.file, xb, art.target, record=twin is None)
        wall += run.wall_s
        records = run.records
        if twin is not None:
            rec_run = backend.run(twin, xb, art.target, record=True)
            if not np.array_equal(rec_run.output, run.output):
                raise ParityError(
                    f"the recording twin of '{art.file}' disagrees with it on batch {i // batch_size}; "
                    "export again with record=True"
                )
            records = rec_run.records
        preds.append(predict(run.output, n_classes))
        reports.append(measure(art.graph, xb, records, art.target))
        for name, rec in records.items():
            counts[name] = counts.get(name, 0) + int(np.count_nonzero(rec))
        if i == 0:
            sample = {k: np.asarray(v[:, 0]) for k, v in records.items()}
        if progress is not None:
            progress(min(i + batch_size, n), n)
    notes = []
    if twin is not None:
        notes.append(
            f"'{art.file.name}' was exported without spike recording: spikes were recorded on a twin "
            "lowered from model.nir with recording outputs, whose outputs matched the artifact's exactly"
        )
    return RunSummary(
        np.concatenate(preds),
        combine(reports),
        counts,
        wall,
        time.perf_counter() - start,
        batch_size,
        sample,
        _first_sample(x),
        notes,
    )
