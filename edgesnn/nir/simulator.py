"""The reference simulator of NIR semantics: the judge every backend is checked against.

``simulate(graph, x)`` steps a NIR graph over time-major input ``x[T, B, *input_shape]``
with numpy (vectorised over the batch, a Python loop over T and the nodes). A graph with
several Input nodes (a multimodal model) takes a dict, Input name -> ``[T, B, *shape]``, all
with the same T and B (``check_inputs``). The maths of
each node is in ``sim/ops.py`` and ``sim/neurons.py``; the timing of feed-forward and
recurrent edges in ``sim/plan.py``; dt and reset come from ``graph.metadata`` (see
``graph.py``) unless given here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import nir
import numpy as np

from .result import RunResult
from ..errors import ArtifactError, DataError, ShapeError, did_you_mean
from .graph import read_graph, sim_context, validate_graph
from .sim import plan as _plan


def simulate(
    graph: nir.NIRGraph | str | Path,
    x: np.ndarray | Mapping[str, np.ndarray],
    *,
    dt: float | None = None,
    reset: str | None = None,
    record: bool = False,
    dtype: type = np.float64,
) -> RunResult:
    """Run ``graph`` on ``x[T, B, *input_shape]``; return the Output's ``[T, B, *out]`` (float32).

    A graph with several Inputs takes ``x`` as a dict, Input node name -> ``[T, B, *shape]``
    (a missing, unknown or mis-shaped entry is a one-line DataError / ShapeError naming the
    expected inputs).

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
    if len(built.flat.outputs) != 1:
        raise ArtifactError(f"the simulator runs graphs with one Output; this one has outputs {built.flat.outputs}")
    xs = check_inputs(x, {n: built.kernels[n].in_shape for n in built.flat.inputs})
    start = time.perf_counter()
    out, records = _plan.run(built, {n: v.astype(dtype, copy=False) for n, v in xs.items()}, ctx, record)
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


def check_inputs(x, shapes: Mapping[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """``x`` as ``{Input name: [T, B, *shape]}`` in the order of ``shapes`` (name -> feature shape).

    A bare array is accepted for a graph with one Input. A dict must name every Input exactly
    (DataError listing the expected names otherwise); each entry is checked by ``check_input``
    and all must share T and B (ShapeError).
    """
    names = list(shapes)
    expected = ", ".join(f"'{n}' {list(shapes[n])}" for n in names)
    if not isinstance(x, Mapping):
        if len(names) != 1:
            raise DataError(f"the graph has {len(names)} inputs ({expected}); pass a dict name -> [T, B, *shape]")
        return {names[0]: check_input(x, tuple(shapes[names[0]]), names[0])}
    unknown = [k for k in x if k not in shapes]
    if unknown:
        raise DataError(f"unknown input '{unknown[0]}'{did_you_mean(unknown[0], names)}; the graph's inputs are {expected}")
    missing = [n for n in names if n not in x]
    if missing:
        raise DataError(f"input '{missing[0]}' is missing; the graph's inputs are {expected}")
    xs = {n: check_input(x[n], tuple(shapes[n]), n) for n in names}
    lead = {n: tuple(v.shape[:2]) for n, v in xs.items()}
    if len(set(lead.values())) > 1:
        raise ShapeError(f"inputs disagree on [T, B]: {', '.join(f'{n} {list(tb)}' for n, tb in lead.items())}")
    return xs


__all__ = ["check_input", "check_inputs", "simulate"]
