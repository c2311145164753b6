"""float32 synaptic sums that are exact in any order: the float32 sum grid.

A float32 artifact and its judge must give the same spikes *by construction*. Element-wise
updates are correctly rounded IEEE operations, so the same sequence gives the same bits
everywhere; a synaptic sum Σ_j w_ij·x_j is the one place where libraries differ (BLAS and
onnxruntime's MLAS add the products in different orders, with or without fused multiply-adds).

The sum is order-free when every partial sum is exactly representable. For one output row i
(one output channel of a convolution) whose inputs are integers with |x_j| ≤ m (spikes: m = 1),
let

    S_i = m · Σ_j |w_ij| + |b_i|          (a bound on every partial sum, bias included)
    q_i = 2^(⌈log₂ S_i⌉ − 23)             (the row's grid step)

and round every w_ij and b_i to a multiple of q_i. Then each product w_ij·x_j and each partial
sum is k·q_i with |k| ≤ S_i/q_i ≤ 2^24 (S grows by at most (n+1)·q_i/2 in the rounding), which
float32's 24-bit significand holds exactly: any order, with or without FMA, gives the exact sum.
The rounding moves a weight by at most q_i/2 ≤ S_i·2^-24 — float32's own rounding, relative to
the row instead of to the weight.

A row already on a grid fine enough (every value a multiple of 2^(⌈log₂ S_i⌉ − 24)) is left
alone, so putting a graph on the grid twice changes nothing. Sums over real-valued inputs (an
analog Input, an LI membrane) cannot be made exact this way; the artifact accumulates those in
float64 and rounds once to float32, as the judge does (``edgesnn.nir.sim.ops``).
"""

from __future__ import annotations

import copy

import nir
import numpy as np

from ..nir.flat import flatten
from ..nir.kinds import SYNAPSES, kind
from ..nir.values import integer_bounds

MANTISSA_BITS = 24  # float32 significand, the implicit bit included


def row_bound(weight: np.ndarray, bias: np.ndarray | None, m: int) -> np.ndarray:
    """S_i = m·Σ_j |w_ij| + |b_i| per output row (axis 0 of a dense or conv weight)."""
    w = np.abs(np.asarray(weight, dtype=np.float64)).reshape(len(weight), -1)
    s = m * w.sum(axis=1)
    return s if bias is None else s + np.abs(np.asarray(bias, dtype=np.float64)).reshape(-1)


def _on_grid(values: np.ndarray, step: np.ndarray) -> np.ndarray:
    ratio = values / step.reshape(-1, *([1] * (values.ndim - 1)))
    return (ratio == np.round(ratio)).reshape(len(values), -1).all(axis=1)


def row_steps(weight: np.ndarray, bias: np.ndarray | None, m: int) -> np.ndarray:
    """q_i per row (0 for an all-zero row)."""
    s = row_bound(weight, bias, m)
    with np.errstate(divide="ignore"):
        e = np.ceil(np.log2(np.where(s > 0, s, 1.0)))
    return np.where(s > 0, np.exp2(e - (MANTISSA_BITS - 1)), 0.0)


def to_sum_grid(weight, bias, m: int) -> tuple[np.ndarray, np.ndarray | None, int]:
    """``(weight, bias, values moved)`` with rows not already exact put on their grid q_i."""
    w = np.asarray(weight, dtype=np.float64)
    b = None if bias is None else np.asarray(bias, dtype=np.float64).reshape(-1)
    q = row_steps(w, b, m)
    fine = np.where(q > 0, q / 2, 1.0)
    exact = _on_grid(w, fine) & (True if b is None else _on_grid(b, fine))
    step = np.where(exact | (q == 0), 1.0, q)
    redo = ~exact & (q > 0)
    shape = (-1, *([1] * (w.ndim - 1)))
    new_w = np.where(redo.reshape(shape), np.round(w / step.reshape(shape)) * step.reshape(shape), w)
    new_b = None if b is None else np.where(redo, np.round(b / step) * step, b)
    moved = int((new_w != w).sum()) + (0 if b is None else int((new_b != b).sum()))
    dtype = np.asarray(weight).dtype if np.asarray(weight).dtype.kind == "f" else np.float32
    return new_w.astype(dtype), (None if new_b is None else new_b.astype(dtype).reshape(np.shape(bias))), moved


def on_sum_grid(graph: nir.NIRGraph, input_bound: int | None) -> tuple[nir.NIRGraph, dict[str, int]]:
    """A copy of ``graph`` whose integer-fed synapses are on the float32 sum grid, and the
    number of values moved per node (nodes left alone are absent). ``input_bound``: the bound
    of the Input nodes' values (1 for a spike encoder, None for real features)."""
    graph = copy.deepcopy(graph)
    flat = flatten(graph)  # the copy's own node objects: updating them updates the copy
    bounds = integer_bounds(flat, input_bound)
    moved: dict[str, int] = {}
    for name, node in flat.nodes.items():
        m = bounds.get(name)
        if kind(node) not in SYNAPSES or m is None:
            continue
        bias = getattr(node, "bias", None)
        w, b, n = to_sum_grid(node.weight, bias, m)
        if n:
            node.weight = w
            if bias is not None:
                node.bias = b
            moved[name] = n
    return graph, moved


def spike_input_bound(graph: nir.NIRGraph) -> int | None:
    """1 when the graph's encoder (``metadata["encoder"]``) emits spikes, else None (real input)."""
    from ..data.encoders import emits_spikes
    from ..nir.semantics import graph_settings

    return 1 if emits_spikes(graph_settings(graph)["encoder"]) else None


def for_float32(graph: nir.NIRGraph) -> tuple[nir.NIRGraph, dict[str, int]]:
    """``graph`` on the float32 sum grid, its inputs' kind read from its encoder."""
    return on_sum_grid(graph, spike_input_bound(graph))


__all__ = ["for_float32", "on_sum_grid", "row_bound", "row_steps", "spike_input_bound", "to_sum_grid"]
