"""Lower a NIR graph to a Lava ``Plan``: the lowering table NIR type -> lava-nc process.

| NIR | Lava | |
|---|---|---|
| Input | ``io.source.RingBuffer`` | spikes or graded currents; one per Input (multimodal graphs) |
| Affine, Linear | ``Dense`` | bias -> neuron ``bias_mant`` (or a 'ones' source for CubaLIF) |
| Conv2d | ``Conv`` | kernel transposed/flipped to Lava's (W, H, C) convolution |
| Conv1d | ``Conv`` | on ``(C, 1, L)`` with a ``(1, k)`` kernel; populations keep NIR's ``(C, L)`` |
| SumPool2d, AvgPool2d | ``Conv`` | depthwise, fixed kernel |
| Flatten | reshape port | bookkeeping (column permutation of the next Dense) |
| Scale | weight scaling | folded into the neighbouring Dense/Conv |
| LIF, CubaLIF, IF | ``EdgeLIF`` (Lava's ``LIFReset`` + reset rules, ``procs/``) | see ``neurons.py`` for the maths |
| LI, CubaLI | ``EdgeLIF`` with unreachable threshold | readouts, membrane recorded by a Monitor |
| recurrent sub-graph | ``Dense`` back-connection | |
| Output | ``io.sink.RingBuffer`` / ``Monitor`` | |

**Delays.** Lava's Dense and Conv send, at step t, what they accumulated at step t-1 (this
is how Lava avoids deadlock in recurrent networks). The reference simulator delivers a
feed-forward edge in the same step and a cycle's closing edge one step later. So each unit
gets a depth (number of connection processes from the source; chained ones such as
pooling -> Conv each count): a population of depth d sees
sample step k at Lava step k + 1 + d, and every output is re-aligned by its depth when read.
A population fed by paths of different depths (a skip connection, the fusion model's two
branches) gets its shorter paths padded with identity connections (``paths.pad``: Lava has
no axon delay on Dense/Conv, but each extra connection process is one step), so every input
arrives at the depth of the longest path. A recurrent back-connection must be exactly one Dense
from a population to itself (depth d -> d + 1 = "previous step"), which is what NIR's closing
edge means.

**Sums.** NIR sums every edge into a node. Into a neuron, each incoming path is its own
connection process (Lava sums them at ``a_in``); a linear node fed by several edges becomes one
connection per incoming term (``W (a + b) = W a + W b``, the node's bias on the first only).

**Bias onset.** Lava adds ``bias`` from its first step, while the first input reaches a
population of depth d only at step d + 1. Populations are ``LIFReset``-based processes that zero
``u`` and ``v`` at Lava step ``s*P + 1 + d`` (every sample ``s``, period ``P``), the step at
which sample ``s``'s first input arrives: everything before (bias-only drift, the previous
sample's tail) is erased exactly, and consecutive samples stream through one Lava run.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...errors import ShapeError, UnsupportedPrimitiveError, UsageError
from . import linear, paths
from .graph import lava_graph
from .neurons import NEURONS
from .plan import Connection, Plan, Population, Tap
from .signal import _Signal, _terms

LINEAR = {
    "Affine": lambda n, node, s: linear.affine(n, node, s),
    "Linear": lambda n, node, s: linear.affine(n, node, s),
    "Conv2d": lambda n, node, s: linear.conv2d(n, node, s),
    "Conv1d": lambda n, node, s: linear.conv1d(n, node, s),
    "SumPool2d": lambda n, node, s: linear.pool(n, node, s, average=False),
    "AvgPool2d": lambda n, node, s: linear.pool(n, node, s, average=True),
}
SUPPORTED = frozenset({"Input", "Output", "Flatten", "Scale", *LINEAR, *NEURONS})


class _Lowering:
    def __init__(self, dt: float, reset: str, if_reset: str):
        self.dt, self.reset, self.if_reset = dt, reset, if_reset
        self.plan: Plan | None = None
        self.sig: dict[str, tuple[_Signal, ...]] = {}

    def conn(self, name: str, src: _Signal, spec: dict) -> _Signal:
        """Add a connection process fed by ``src`` (a unit, or a pending connection which becomes real).

        ``name`` is the NIR node's; its second and later connections are ``name+1``, ``name+2``...
        """
        plan = self.plan
        base, k = name, 1
        while name in plan.connections:
            name, k = f"{base}+{k}", k + 1
        src_depth = plan.depth(src.ref)
        if src.pending:
            upstream = plan.connections[src.ref]
            upstream.dst = name
        graded = src.pending or src.ref in plan.inputs
        c = Connection(name=name, src=src.ref, depth=src_depth + 1, graded_in=graded, **spec)
        c.flatten_src = c.kind == "dense" and len(self.plan.unit_shape(src.ref)) > 1
        if src.pending:  # carry the upstream constant through this op
            c.bias = c.bias + linear.propagate(c, plan.connections[src.ref].bias.reshape(c.in_shape))
            plan.connections[src.ref].bias = np.zeros_like(plan.connections[src.ref].bias)
        plan.connections[name] = c
        return _Signal(name, c.out_shape, pending=True)

    def linear_op(self, name: str, terms: list[_Signal], spec_for) -> tuple[_Signal, ...]:
        """One connection per term; the node's own bias goes with the first term only."""
        out = []
        for i, term in enumerate(terms):
            spec = spec_for(term)
            if i:
                spec["bias"] = np.zeros_like(spec["bias"])
            out.append(self.conn(name, term, spec))
        return tuple(out)

    def synapse_into(self, name: str, s: _Signal) -> Connection:
        """The connection feeding a neuron: the pending one, or an identity inserted after a bare unit."""
        if not s.pending:
            s = self.conn(f"{name}.syn", s, linear.identity(s.shape, name=name))
        c = self.plan.connections[s.ref]
        if c.dst is not None:
            raise UnsupportedPrimitiveError(
                name,
                "fan-out of a linear node",
                sorted(SUPPORTED),
                where="Lava backend (a linear node may feed one node)",
            )
        return c

    def neuron(self, name: str, node, terms: list[_Signal]) -> tuple[_Signal, ...]:
        node_type = type(node).__name__
        shapes = {tuple(int(d) for d in np.asarray(s.shape).ravel()) for s in terms}
        shape = tuple(np.asarray(node.input_type["input"]).astype(int).ravel()) if len(shapes) != 1 else shapes.pop()
        p = NEURONS[node_type](name, node, shape, self.dt, self.if_reset if node_type == "IF" else self.reset)
        conns = [self.synapse_into(name, s) for s in terms]
        if (
            all(c.kind == "conv" for c in conns) and len(shape) != 2
        ):  # keep the (C, H, W) layout of a Conv feeding a Flatten
            shape = conns[0].out_shape  # (a 2-D shape is a Conv1d's (C, L): kept as is)
            for key in ("gain", "bias", "v_scale", "v_offset"):
                setattr(p, key, getattr(p, key).reshape(shape))
        depth = max(c.depth for c in conns)
        for c in conns:
            paths.pad(self.plan, c, depth - c.depth)
        pop = Population(
            name,
            node_type,
            shape,
            p.du,
            p.dv,
            p.vth,
            p.bias.copy(),
            np.zeros(shape) if p.bias_into_u else None,
            p.v_scale,
            p.v_offset,
            readout=p.readout,
            depth=depth,
            reset=p.reset,
            inclusive=p.inclusive,
            gain=p.gain,
            bias_into_u=p.bias_into_u,
        )
        self.plan.populations[name] = pop
        for c in conns:
            self.attach(c, pop)
        return (_Signal(name, terms[0].shape if len(terms) == 1 else shape, pending=False),)

    def attach(self, c: Connection, pop: Population) -> None:
        """Fold the neuron gain into ``c`` and move its constant output into the neuron's bias."""
        c_shape = c.out_shape
        if int(np.prod(c_shape)) != int(np.prod(pop.shape)):
            raise ShapeError(f"node '{pop.name}': input of shape {c_shape} does not fit neurons of shape {pop.shape}")
        gain = pop.gain.reshape(c_shape)
        head = paths.gain_head(self.plan, c)
        if head is c:
            linear.scale_rows(c, gain, pop.name, pop.nir_type)
        else:  # per-channel gain through depthwise ops (pooling): into the Conv before them
            per_channel = linear.channel_uniform(gain, pop.name, pop.nir_type)
            linear.scale_rows(head, per_channel.reshape(-1, *[1] * (len(head.out_shape) - 1)), pop.name, pop.nir_type)
            c.bias = c.bias * gain
        if pop.bias_into_u:
            pop.bias_u = pop.bias_u + c.bias.reshape(pop.shape)
        else:
            pop.bias = pop.bias + c.bias.reshape(pop.shape)
        c.bias = np.zeros_like(c.bias)
        c.dst = pop.name


def lower(
    graph,
    *,
    dt: float,
    reset: str = "zero",
    if_reset: str | None = None,
    supported: Iterable[str] | None = None,
    where: str = "Lava target",
) -> Plan:
    """NIR graph -> ``Plan``. Raises UnsupportedPrimitiveError naming the node and the supported list.

    ``reset`` applies to LIF/CubaLIF, ``if_reset`` (default: ``reset``) to IF, as in the simulator.
    """
    for mode in (reset, if_reset):
        if mode not in (None, "zero", "subtract", "none"):
            raise UsageError(f"unknown reset mode '{mode}'; choose from zero, subtract, none")
    g = lava_graph(graph)
    nodes = g.nodes
    allowed = SUPPORTED if supported is None else SUPPORTED & set(supported)
    for name, node in sorted(nodes.items()):  # flat names in order: the first unsupported node is named
        if type(node).__name__ not in allowed:
            raise UnsupportedPrimitiveError(name, type(node).__name__, allowed, where=where)
    low = _Lowering(dt, reset, if_reset or reset)
    shapes = {n: tuple(int(d) for d in np.asarray(nodes[n].input_type["input"]).ravel()) for n in g.inputs}
    low.plan = plan = Plan(input_name=g.inputs[0], input_shape=shapes[g.inputs[0]], inputs=shapes, dt=dt)
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in g.forward:
        preds[b].append(a)
    for name in g.order:
        node = nodes[name]
        node_type = type(node).__name__
        terms = _terms([low.sig[p] for p in preds[name]])
        if node_type == "Input":
            low.sig[name] = (_Signal(name, shapes[name], pending=False),)
        elif node_type in NEURONS:
            if any(not s.pending and s.ref in plan.populations and plan.populations[s.ref].readout for s in terms):
                raise UnsupportedPrimitiveError(
                    name,
                    node_type,
                    ["LI/CubaLI as readouts"],
                    where="Lava backend (a readout's membrane cannot drive another layer)",
                )
            low.sig[name] = low.neuron(name, node, terms)
        elif node_type in LINEAR:
            outs = low.linear_op(name, terms, lambda t: LINEAR[node_type](name, node, t.shape))
            if node_type == "Conv1d":  # the (C, 1, L) lift is Lava's business: NIR sees (C, L)
                outs = tuple(_Signal(o.ref, (o.shape[0], o.shape[2]), o.pending) for o in outs)
            low.sig[name] = outs
        elif node_type == "Flatten":
            low.sig[name] = tuple(_Signal(t.ref, (int(np.prod(t.shape)),), t.pending) for t in terms)
        elif node_type == "Scale":
            low.sig[name] = tuple(_scale(low, name, node, t) for t in terms)
        elif node_type == "Output":
            if len(terms) != 1:
                raise UnsupportedPrimitiveError(
                    name,
                    "Output fed by a sum of several paths",
                    ["an Output fed by one neuron layer or one linear path"],
                    where="Lava backend",
                )
            plan.taps.append(_tap(low, name, terms[0]))
    for a, b in sorted(g.back):
        _close_cycle(low, a, b)
    return plan


def _scale(low: _Lowering, name: str, node, s: _Signal) -> _Signal:
    """Scale folds into the pending connection's rows, or becomes a diagonal connection after a unit."""
    plan = low.plan
    scale = np.asarray(node.scale, dtype=np.float64)
    if s.pending and plan.connections[s.ref].dst is None:
        c = plan.connections[s.ref]
        linear.scale_rows(c, np.broadcast_to(scale, s.shape).reshape(c.out_shape), name, "Scale")
        return s
    return low.conn(name, s, linear.identity(s.shape, np.broadcast_to(scale, s.shape), name))


def _tap(low: _Lowering, name: str, s: _Signal) -> Tap:
    plan = low.plan
    if s.pending:
        c = plan.connections[s.ref]
        c.dst = name
        bias = c.bias.copy()
        c.bias = np.zeros_like(c.bias)
        return Tap(name, s.ref, "graded", c.depth, s.shape, bias)
    if s.ref not in plan.populations:
        raise UsageError(f"Output '{name}' is wired straight to the Input: nothing for Lava to run")
    pop = plan.populations[s.ref]
    return Tap(name, s.ref, "v" if pop.readout else "spikes", pop.depth, s.shape)


def _close_cycle(low: _Lowering, a: str, b: str) -> None:
    """A cycle's closing edge a -> b: must be one connection from population b back into b."""
    plan = low.plan
    terms = low.sig.get(a, ())
    s = terms[0] if len(terms) == 1 else None
    pop = plan.populations.get(b)
    ok = s is not None and pop is not None and s.pending
    c = plan.connections.get(s.ref) if ok else None
    if not ok or c.src != b or c.dst is not None:
        raise UnsupportedPrimitiveError(
            f"{a}->{b}",
            "recurrent edge",
            ["a population's own recurrent Affine/Linear"],
            where="Lava backend (a cycle must be one Dense from a neuron layer back to itself, "
            "which gives NIR's one-step delay)",
        )
    low.attach(c, pop)
    pop.recurrent = True
