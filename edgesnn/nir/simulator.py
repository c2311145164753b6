"""The reference simulator of NIR semantics: the judge every backend is checked against.

``simulate(graph, x)`` steps a NIR graph over time-major input ``x[T, B, *input_shape]``
with numpy (vectorised over the batch, a Python loop over T and the nodes). The maths of
each node is in ``sim/ops.py`` and ``sim/neurons.py``; the timing of feed-forward and
recurrent edges in ``sim/plan.py``; dt and reset come from ``graph.metadata`` (see
``graph.py``) unless given here.
"""

from __future__ import annotations

import time
from pathlib import Path

import nir
import numpy as np

from ..backends.base import RunResult
from ..errors import ArtifactError, DataError, ShapeError
from .graph import read_graph, sim_context, validate_graph
from .sim import plan as _plan


def simulate(
    graph: nir.NIRGraph | str | Path,
    x: np.ndarray,
    *,
    dt: float | None = None,
    reset: str | None = None,
    record: bool = False,
    dtype: type = np.float64,
) -> RunResult:
    """Run ``graph`` on ``x[T, B, *input_shape]``; return the Output's ``[T, B, *out]`` (float32).

    ``dt`` (s) and ``reset`` ("zero" | "subtract" | "none") override the graph's metadata.
    With ``record``, ``records[name]`` holds the ``[T, B, *shape]`` output of every neuron node
    ("/"-joined names inside sub-graphs). Arithmetic runs in ``dtype`` (float64 by default,
    so the reference is not the one that rounds).
    """
    if isinstance(graph, (str, Path)):
        graph = read_graph(graph)
    if not isinstance(graph, nir.NIRGraph):
        raise ArtifactError(f"simulate needs a nir.NIRGraph or a .nir path, got {type(graph).__name__}")
    validate_graph(graph)
    ctx = sim_context(graph, dt=dt, reset=reset, dtype=dtype)
    built = _plan.build(graph, ctx)
    if len(built.flat.inputs) != 1 or len(built.flat.outputs) != 1:
        raise ArtifactError(
            f"the simulator runs graphs with one Input and one Output; this one has inputs {built.flat.inputs} "
            f"and outputs {built.flat.outputs}"
        )
    in_shape = built.kernels[built.flat.inputs[0]].in_shape
    x = check_input(x, in_shape, built.flat.inputs[0])
    start = time.perf_counter()
    out, records = _plan.run(built, x.astype(dtype, copy=False), ctx, record)
    return RunResult(output=out, records=records, wall_s=time.perf_counter() - start)


def check_input(x, in_shape: tuple[int, ...], name: str) -> np.ndarray:
    """``x`` as an array ``[T, B, *in_shape]``, non-empty, numeric and finite; else a one-line error."""
    try:
        x = np.asarray(x)
    except Exception as exc:
        raise DataError(f"input is not an array ({exc})") from None
    want = ["T", "B", *in_shape]
    if x.ndim != len(want) or tuple(x.shape[2:]) != in_shape:
        raise ShapeError(
            f"input has shape {list(x.shape)} but the graph's Input '{name}' expects [{', '.join(map(str, want))}] "
            "(time-major)"
        )
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ShapeError(f"input has shape {list(x.shape)}: needs at least one timestep and one sample")
    if not np.issubdtype(x.dtype, np.number) and x.dtype != bool:
        raise DataError(f"input has dtype {x.dtype}; give numbers (float32 spikes or currents)")
    if not np.isfinite(x).all():
        bad = int(np.size(x) - np.isfinite(x).sum())
        raise DataError(f"input contains {bad} NaN or infinite value(s); clean the data before running")
    return x


__all__ = ["check_input", "simulate"]
