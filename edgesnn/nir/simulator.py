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

from ..errors import ArtifactError
from .graph import read_graph, sim_context, validate_graph
from .inputs import check_input, check_inputs
from .result import RunResult
from .sim import plan as _plan
from .sim.neurons_int import dequantize_output, quantize_input


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
    so the reference is not the one that rounds; float32 for float32 artifacts; int64 for an
    integer graph, ``edgesnn.numerics.integer``: input quantised, membrane output dequantised).
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
    integer = _integer_settings(graph, dtype)
    if integer is None:
        xs = {n: v.astype(dtype, copy=False) for n, v in xs.items()}
    else:
        xs = {n: quantize_input(v, integer["input_scale"]) for n, v in xs.items()}
    out, records = _plan.run(built, xs, ctx, record)
    if integer is not None:
        out = dequantize_output(out, integer.get("output_scale"))
    return RunResult(output=out, records=records, wall_s=time.perf_counter() - start)


def _integer_settings(graph: nir.NIRGraph, dtype) -> dict | None:
    """``metadata["integer"]`` of an integer graph simulated in integers; None for float arithmetic."""
    if not np.issubdtype(np.dtype(dtype), np.integer):
        return None
    settings = (getattr(graph, "metadata", None) or {}).get("integer")
    if not isinstance(settings, dict):
        raise ArtifactError("integer arithmetic runs an integer graph (edgesnn.numerics.integer.to_integer)")
    return settings


__all__ = ["check_input", "check_inputs", "simulate"]
