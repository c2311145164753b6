"""Synaptic operations, neuron updates and dense MACs, from a NIR graph and recorded spikes.

For each synaptic node (Affine, Linear, Conv1d, Conv2d)

    SynOps_layer = (1/B) * sum_b sum_t sum_i e_i[t, b] * fanout_i          (per inference)

where ``e`` are the events of the layer's INPUT and ``fanout_i`` the number of non-zero synapses
leaving input ``i`` (:mod:`.fanout`). The input is found by walking the graph's edges back to
its sources — the graph Input (``x``), a neuron node (its record) or another synaptic node —
through Flatten / pooling / Scale / Delay nodes (:mod:`.events`). Source values become events by
counting non-zero entries; a layer whose input is not binary (graded currents, a membrane) is
marked ``counting="nonzero"`` and its dense MAC count (``macs x T``) is reported beside it, and
SynOps (the non-zero count) is what the energy model uses. A synaptic node fed directly by
another synaptic node (no neuron in between) counts its input as dense: every element active
every step (``counting="dense"``).

Recurrence: a cycle is broken where the reference simulator breaks it, at the edge a depth-first
walk from the inputs closes it with (its *back edge*, :meth:`FlatGraph.back_edges`). The synaptic
node whose segment holds the back edge (``w_rec`` in ``lif -> w_rec -> lif`` inside a recurrent sub-graph)
receives the *previous-step* spikes, ``e[t] = s[t-1]``, ``e[0] = 0``: the spikes of the last step
are never delivered.

Neuron updates = neurons x T per neuron node (Threshold nodes are the stateless fire half of a
neuron and count 0). ``capacity`` is the SynOps a layer would do if every source element emitted
one event every step: the rate models (:mod:`.energy`, :mod:`.flops`) scale it by a firing rate.

The graph walk that delivers each layer's input events lives in :mod:`._synops_walk`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import nir
import numpy as np

from ..errors import ShapeError
from . import fanout as fo
from ._graph import SYNAPTIC_TYPES, flatten, neuron_shape, port_shape
from ._synops_walk import _pass, _Sources
from .events import is_binary, to_events
from .records import inputs_as_dict, neuron_records


@dataclass(frozen=True)
class LayerSynOps:
    """One synaptic node; every count is per inference (mean over the batch)."""

    name: str
    type: str
    synops: float
    input_events: float
    counting: str  # "spikes" | "nonzero" | "dense" (joined with "+" when sources differ)
    sources: tuple[str, ...]
    recurrent: bool
    macs: int  # dense MACs of one pass (ANN twin)
    dense_macs: float  # macs x T: what the layer costs if every input is treated as dense
    capacity_input: float  # SynOps from the graph input if every input element fired every step
    capacity_hidden: float  # the same for neuron (and dense) sources
    synops_from_input: float  # measured SynOps due to the graph input


@dataclass(frozen=True)
class SynOpsResult:
    layers: dict[str, LayerSynOps]
    neuron_updates: dict[str, int]
    timesteps: int
    batch: int
    input_binary: bool
    total: float = field(init=False)
    neuron_updates_total: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", float(sum(l.synops for l in self.layers.values())))
        object.__setattr__(self, "neuron_updates_total", int(sum(self.neuron_updates.values())))

    def to_dict(self) -> dict:
        return asdict(self)


def _filled(arrays: Mapping[str, np.ndarray], value: float, batch: int) -> dict[str, np.ndarray]:
    """Arrays shaped like ``arrays`` (``[T, batch, ...]``) filled with ``value``."""
    return {k: np.full((v.shape[0], batch, *v.shape[2:]), value) for k, v in arrays.items()}


_CHUNK_ELEMENTS = 1 << 22  # event elements per batch chunk (32 MB of float64 per pass)


def _accumulate(total: dict, part: dict) -> None:
    for name, (syn, events, trace) in part.items():
        prev = total.get(name, (0.0, 0.0, trace))
        total[name] = (prev[0] + syn, prev[1] + events, prev[2])


def synops(
    graph: nir.NIRGraph, x: np.ndarray | Mapping[str, np.ndarray], records: Mapping[str, np.ndarray]
) -> SynOpsResult:
    """SynOps per synaptic layer and neuron updates per neuron layer, per inference.

    Four passes over the same connectivity (SynOps are linear in the events): the run as
    recorded; its graph input alone (``synops_from_input``); and every input / every neuron
    firing every step (``capacity_input`` / ``capacity_hidden``) for the rate models.
    """
    fg = flatten(graph)
    recs = neuron_records(fg, records)
    xs = inputs_as_dict(fg, x)
    dims = {v.shape[:2] for v in (*recs.values(), *xs.values()) if v.ndim >= 2}
    if len(dims) != 1 or any(v.ndim < 2 for v in xs.values()):
        raise ShapeError(
            f"x and records must share [T, B]; got x {[v.shape for v in xs.values()]} and records' T, B {sorted(dims)}"
        )
    steps, batch = dims.pop()
    per_sample = steps * sum(int(np.prod(v.shape[2:])) for v in (*xs.values(), *recs.values()))
    chunk = max(1, _CHUNK_ELEMENTS // max(per_sample, 1))
    slices = [slice(i, min(i + chunk, batch)) for i in range(0, batch, chunk)]
    binary = {k: all(is_binary(v[:, sl]) for sl in slices) for k, v in (*xs.items(), *recs.items())}

    def run(x_ev: dict, r_ev: dict, dense: bool, b: int, norm: int = batch) -> dict:
        return _pass(fg, _Sources(x_ev, r_ev, binary, dense, steps, b, norm=norm), cache)

    cache: dict = {}
    measured: dict = {}
    from_input: dict = {}
    for sl in slices:  # SynOps add up over samples: bounded memory for large evaluation sets
        ev_x = {k: to_events(v[:, sl])[0] for k, v in xs.items()}
        ev_r = {k: to_events(v[:, sl])[0] for k, v in recs.items()}
        n = sl.stop - sl.start
        _accumulate(measured, run(ev_x, ev_r, True, n))
        _accumulate(from_input, run(ev_x, _filled(ev_r, 0.0, 1), False, n))
    # capacities: one sample in which every source fires every step (or none does)
    cap_in = run(_filled(xs, 1.0, 1), _filled(recs, 0.0, 1), False, 1, norm=1)
    cap_hid = run(_filled(xs, 0.0, 1), _filled(recs, 1.0, 1), True, 1, norm=1)
    layers = {}
    for name, (syn, events, trace) in measured.items():
        node = fg.nodes[name]
        m = fo.macs(name, node)
        layers[name] = LayerSynOps(
            name=name,
            type=type(node).__name__,
            synops=syn,
            input_events=events,
            counting="+".join(sorted(trace.kinds)),
            sources=tuple(trace.sources),
            recurrent=trace.recurrent,
            macs=m,
            dense_macs=float(m * steps),
            capacity_input=cap_in[name][0],
            capacity_hidden=cap_hid[name][0],
            synops_from_input=from_input[name][0],
        )
    updates = {k: _updates(fg.nodes[k], v.shape[2:], steps) for k, v in recs.items()}
    all_binary = all(binary[k] for k in xs)
    return SynOpsResult(layers, updates, steps, batch, all_binary)


def _updates(node: nir.NIRNode, shape: tuple[int, ...], steps: int) -> int:
    return 0 if isinstance(node, nir.Threshold) else int(np.prod(shape)) * steps


def capacity(graph: nir.NIRGraph, timesteps: int = 1, recurrent_shift: bool = False) -> dict[str, tuple[float, float]]:
    """Per synaptic layer ``(from input, from neurons)``: SynOps if every source fires every step.

    Uses only the graph (declared shapes). With ``timesteps=1`` and no recurrent shift this is
    the per-step fan-out sum ``sum_i fanout_i`` split by where the events come from.
    """
    fg = flatten(graph)
    shapes_x = {k: port_shape(fg.nodes[k]) for k in fg.inputs}
    if any(s is None for s in shapes_x.values()):
        raise ShapeError(f"Input node(s) {fg.inputs} need a declared shape")
    shapes_r = {k: neuron_shape(k, n) for k, n in fg.neurons().items()}
    binary = dict.fromkeys([*shapes_x, *shapes_r], True)

    def arrays(shapes: dict, value: float) -> dict[str, np.ndarray]:
        return {k: np.full((timesteps, 1, *shape), value) for k, shape in shapes.items()}

    def run(x_value: float, r_value: float, dense: bool) -> dict:
        src = _Sources(
            arrays(shapes_x, x_value), arrays(shapes_r, r_value), binary, dense, timesteps, 1, recurrent_shift
        )
        return _pass(fg, src, cache)

    cache: dict = {}
    a, b = run(1.0, 0.0, False), run(0.0, 1.0, True)
    return {k: (a[k][0], b[k][0]) for k in a}


def dense_macs(graph: nir.NIRGraph) -> dict[str, int]:
    """Dense MACs per synaptic layer of the ANN twin: same layers, ReLU, one pass, no time.

    A recurrent weight counts once per pass (multiply by the sequence length for a sequence model).
    """
    fg = flatten(graph)
    return {k: fo.macs(k, n) for k, n in fg.of_type(SYNAPTIC_TYPES).items()}
