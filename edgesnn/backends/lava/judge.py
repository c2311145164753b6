"""The judge of a ``loihi2`` export: Loihi's fixed-point arithmetic on a quantised ``Plan``, in numpy.

Lava's bit-accurate models (``PyDenseModelBitAcc``, ``PyConvModelFixed``, ``PyLifResetModelBitAcc``)
are run here on the same integers ``quantize.py`` hands them, one sample step at a time and the
whole batch at once, without Lava's pipeline (depths only say which step an edge delivers)::

    Dense   a = (W s) << weight_exp   (>> -weight_exp: floor)     s: spikes as 0/1, or graded integers
    Conv    a = clamp24(W * s)                                      (no exponent)
    u <- sign(u (4096 - du - 1)) (|u (4096 - du - 1)| >> 12) + (a_in << 6)      wrapped to 24 bits
    v <- sign(v (4096 - dv)) (|v (4096 - dv)| >> 12) + u + (bias_mant << bias_exp)   clipped to 24 bits
    s  = v > vth << 6   (>= for IF);   v <- 0 where s (or v - vth << 6, or kept: the graph's reset)

The products are truncated towards zero (sign times the shifted magnitude), not rounded: this is
what a float reference cannot reproduce, and why the float simulator alone is not the judge of a
fixed-point export (a membrane within one truncation of ``vth`` spikes one step apart). State is
zero at each sample's first step, as ``LIFReset`` makes it; the network input enters as
``round(x * input_scale)``. A connection delivers to its population ``depth(connection) -
depth(population)`` steps later: 0 feed-forward, 1 for a recurrent back-connection.

The outputs are laid out as Lava's recorders lay them out (``raw[unit][s P + k + depth]``), so
``readout.to_result`` reads both the same way.
"""

from __future__ import annotations

import time

import numpy as np

from ..base import RunResult
from .plan import Connection, Plan, Population
from .readout import to_result

UV_MAX = 2**23  # 24-bit u and v
DECAY_SHIFT = 12
DECAY_UNITY = 1 << DECAY_SHIFT
ACT_SHIFT = 6  # a_in and vth are MSB-aligned by 6 bits


def int32(x: np.ndarray) -> np.ndarray:
    """Two's-complement wrap to int32 (what numpy's int32 arithmetic does in Lava), kept in int64."""
    return ((np.asarray(x, np.int64) + 2**31) % 2**32) - 2**31


def decay(state: np.ndarray, keep: int) -> np.ndarray:
    """``sign(state keep) (|state keep| >> 12)``: a 12-bit decay truncated towards zero."""
    prod = state * keep
    return np.sign(prod) * (np.abs(prod) >> DECAY_SHIFT)


def dense(c: Connection, s: np.ndarray) -> np.ndarray:
    """``[B, in]`` -> ``[B, out]``: integer weights times spikes or graded integers, then the exponent."""
    a = s @ np.asarray(c.weight, np.int64).T
    return a << c.weight_exp if c.weight_exp > 0 else a >> -c.weight_exp


def conv(c: Connection, s: np.ndarray) -> np.ndarray:
    """``[B, *in_shape]`` -> ``[B, *out_shape]``, clamped to signed 24 bits as Lava's fixed-point Conv."""
    from ...nir.sim.ops import conv2d

    w = np.asarray(c.weight, np.int64)
    pads = tuple((p, p) for p in c.padding)
    a = conv2d(s, w, np.zeros(w.shape[0], np.int64), c.stride, pads, c.dilation, c.groups)
    return np.clip(a, -UV_MAX, UV_MAX - 1)


class _Neurons:
    """One population's ``u``, ``v`` over a batch and its fixed-point step."""

    def __init__(self, pop: Population, batch: int):
        self.pop = pop
        n = int(np.prod(pop.shape))
        self.u = np.zeros((batch, n), np.int64)
        self.v = np.zeros((batch, n), np.int64)
        self.keep_u = DECAY_UNITY - (int(pop.du) + 1)
        self.keep_v = DECAY_UNITY - int(pop.dv)
        exp = np.zeros(pop.shape, np.int64) if pop.bias_exp is None else np.asarray(pop.bias_exp, np.int64)
        mant = np.asarray(pop.bias, np.int64)
        self.bias = int32(np.where(exp >= 0, mant << np.maximum(exp, 0), mant >> np.maximum(-exp, 0))).reshape(-1)
        self.vth = int(pop.vth) << ACT_SHIFT

    def step(self, a_in: np.ndarray) -> np.ndarray:
        u = int32(decay(self.u, self.keep_u) + int32(a_in << ACT_SHIFT))
        u = np.where(u > UV_MAX, u - 2 * UV_MAX, u)
        self.u = np.where(u <= -UV_MAX, u + 2 * UV_MAX, u)
        v = decay(self.v, self.keep_v) + self.u + self.bias
        v = np.clip(v, -UV_MAX + 1, UV_MAX - 1)
        s = v >= self.vth if self.pop.inclusive else v > self.vth
        if self.pop.reset == "zero":
            v = np.where(s, 0, v)
        elif self.pop.reset == "subtract":
            v = v - self.vth * s
        self.v = v
        return s.astype(np.int64)


def _ordered(plan: Plan) -> list[tuple[str, bool]]:
    """Units in the order one step computes them: by depth, a depth's connections before its populations."""
    units = [(c.depth, 0, name, False) for name, c in plan.connections.items()]
    units += [(p.depth, 1, name, True) for name, p in plan.populations.items()]
    return [(name, is_pop) for _, _, name, is_pop in sorted(units)]


def simulate(plan: Plan, x: dict[str, np.ndarray], record: bool = False) -> RunResult:
    """Run ``x`` (Input name -> ``[T, B, *shape]``) through the quantised ``plan``; the Lava
    backend's ``RunResult``, read out exactly as a Lava run's."""
    start = time.perf_counter()
    T, B = next(iter(x.values())).shape[:2]
    P = plan.period(T)
    steps = B * P + plan.max_depth + 1
    neurons = {name: _Neurons(p, B) for name, p in plan.populations.items()}
    into: dict[str, list[Connection]] = {name: [] for name in plan.populations}
    for c in plan.connections.values():
        if c.dst in into:
            into[c.dst].append(c)
    ones = {name: dense(_bias_u(p), np.ones((B, 1), np.int64)) for name, p in plan.populations.items() if _has_u(p)}
    order = _ordered(plan)
    raw = {name: np.zeros((steps, *plan.unit_shape(name))) for name in [*plan.populations, *plan.connections]}
    idx = np.arange(B) * P
    values: dict[str, np.ndarray] = {}  # every unit's latest output, [B, n]: a back-connection's is last step's
    for k in range(T):
        for name in plan.inputs:
            values[name] = np.round(x[name][k].reshape(B, -1).astype(np.float64) * plan.input_scale).astype(np.int64)
        for name, is_pop in order:
            if not is_pop:
                c = plan.connections[name]
                values[name] = _connect(c, values[c.src], B)
                raw[name][idx + k + c.depth] = values[name].reshape(B, *c.out_shape)
                continue
            pop, cell = plan.populations[name], neurons[name]
            a_in = sum((values.get(c.name, 0) for c in into[name]), ones.get(name, 0))
            values[name] = cell.step(np.broadcast_to(a_in, cell.u.shape))
            raw[name][idx + k + pop.depth] = (cell.v if pop.readout else values[name]).reshape(B, *pop.shape)
    return to_result(plan, raw, T, B, record, time.perf_counter() - start)


def _connect(c: Connection, src: np.ndarray, batch: int) -> np.ndarray:
    """One connection's output this step; like Lava, only a graded connection reads values, not 0/1."""
    s = src if c.graded_in else (src != 0).astype(np.int64)
    if c.delay:
        return s.reshape(batch, -1)
    if c.kind == "dense":
        return dense(c, s.reshape(batch, -1))
    return conv(c, s.reshape(batch, *c.in_shape)).reshape(batch, -1)


def _has_u(pop: Population) -> bool:
    return pop.bias_u is not None and bool(np.any(pop.bias_u))


def _bias_u(pop: Population) -> Connection:
    """The 'ones' Dense that carries a CubaLIF population's bias into ``u``."""
    n = int(np.prod(pop.shape))
    return Connection(
        name=f"bias_u:{pop.name}",
        kind="dense",
        src="ones",
        in_shape=(1,),
        out_shape=(n,),
        weight=np.asarray(pop.bias_u, np.int64).reshape(n, 1),
        bias=np.zeros(n),
        weight_exp=int(pop.bias_u_exp),
    )
