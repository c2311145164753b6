"""The graph walk behind :mod:`.synops`: events arriving at each synaptic node, and its SynOps.

Walks a flattened NIR graph's edges back from every synaptic node to its sources (graph input,
neuron records, other synaptic nodes) through pass-through nodes; back edges deliver the
previous step (see :mod:`.synops` for the counting rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ArtifactError, UnsupportedPrimitiveError
from . import fanout as fo
from ._graph import NEURON_STATE_VARS, SYNAPTIC_TYPES, FlatGraph, is_neuron, is_spiking
from .events import PASS_THROUGH, fit


@dataclass
class _Sources:
    x: dict[str, np.ndarray]
    records: dict[str, np.ndarray]
    binary: dict[str, bool]
    dense: bool
    steps: int
    batch: int  # samples in these arrays
    shift: bool = True
    norm: int | None = None  # samples of the whole run (SynOps are per inference); default: batch


@dataclass
class _Trace:
    kinds: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    recurrent: bool = False


def _resolve(fg: FlatGraph, name: str, src: _Sources, memo: dict, trace: _Trace, path: tuple) -> np.ndarray:
    """Events leaving node ``name``: a source's events, or its predecessors' passed through it."""
    if name in memo:
        return memo[name]
    if name in path:
        raise ArtifactError(f"cycle without a neuron through node '{name}': a recurrent loop needs a neuron node")
    node = fg.nodes[name]
    if name in src.x:
        ev = src.x[name]
        trace.kinds.add("spikes" if src.binary[name] else "nonzero")
        trace.sources.append(name)
    elif is_neuron(node):
        ev = src.records[name]
        trace.kinds.add("spikes" if is_spiking(node) and src.binary[name] else "nonzero")
        trace.sources.append(name)
    elif isinstance(node, SYNAPTIC_TYPES):
        shape = (src.steps, src.batch, *fo.output_shape(name, node))
        ev = np.ones(shape) if src.dense else np.zeros(shape)
        trace.kinds.add("dense")
        trace.sources.append(name)
    elif type(node) in PASS_THROUGH:
        ev = _sum_preds(fg, name, src, memo, trace, path + (name,))
        ev = PASS_THROUGH[type(node)](node, ev)
    else:
        supported = [t.__name__ for t in (*PASS_THROUGH, *SYNAPTIC_TYPES, *NEURON_STATE_VARS)]
        raise UnsupportedPrimitiveError(name, type(node).__name__, supported, where="metrics (SynOps)")
    memo[name] = ev
    return ev


def _sum_preds(fg: FlatGraph, name: str, src: _Sources, memo: dict, trace: _Trace, path: tuple) -> np.ndarray:
    """Sum of the events arriving at ``name`` over its incoming edges (back edges one step late)."""
    preds = fg.preds(name)
    if not preds:
        raise ArtifactError(f"node '{name}' ({type(fg.nodes[name]).__name__}) has no incoming edge")
    parts = []
    for p in preds:
        ev = _resolve(fg, p, src, memo, trace, path)
        if src.shift and (p, name) in fg.back_edges():
            ev, trace.recurrent = _previous_step(ev), True
        parts.append(ev)
    total = parts[0]
    for p in parts[1:]:
        total = total + fit(p, total.shape[2:], f"node '{name}'")
    return total


def _previous_step(ev: np.ndarray) -> np.ndarray:
    """``e[t] = ev[t-1]``, ``e[0] = 0``: what a one-step-delayed connection delivers."""
    return np.concatenate([np.zeros_like(ev[:1]), ev[:-1]])


def _feeds_back(fg: FlatGraph, name: str) -> bool:
    """True when the output of synaptic node ``name`` reaches the next neuron through a back edge."""
    stack, seen = [name], {name}
    while stack:
        node = stack.pop()
        for nxt in fg.succs(node):
            if (node, nxt) in fg.back_edges():
                return True
            if type(fg.nodes[nxt]) in PASS_THROUGH and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _pass(fg: FlatGraph, src: _Sources, cache: dict) -> dict[str, tuple[float, float, _Trace]]:
    """(synops, input events, trace) per synaptic node for one set of sources."""
    out = {}
    for name, node in fg.of_type(SYNAPTIC_TYPES).items():
        trace = _Trace()
        ev = _sum_preds(fg, name, src, {}, trace, (name,))
        if src.shift and _feeds_back(fg, name):
            ev, trace.recurrent = _previous_step(ev), True
        ev = fit(ev, fo.expected_input_shape(node), f"{type(node).__name__} node '{name}'")
        key = (name, ev.shape[2:])
        if key not in cache:
            cache[key] = fo.FANOUT[type(node)](node, tuple(ev.shape[2:]))
        fan = cache[key]
        norm = src.norm or src.batch
        out[name] = (float(np.tensordot(ev, fan, axes=fan.ndim).sum()) / norm, float(ev.sum()) / norm, trace)
    return out
