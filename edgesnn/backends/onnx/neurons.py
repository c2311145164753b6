"""Stateful NIR nodes (neurons, Delay) → one timestep of ONNX nodes.

Each rule has ``pre`` (the part that does not depend on the state, applied to the whole
input; in the unrolled form once over all T·B rows) and ``step`` (one update of the state).
With a = dt/τ (``Numerics.ratio``), the float32 operation order is the simulator's:

    LIF      v ← v + a·((v_leak − v) + r·x);  s = [v > v_th];  reset;  out s
    CubaLIF  i ← i + a_syn·(w_in·x − i);  v ← v + a_mem·((v_leak − v) + r·i);  s, reset;  out s
    LI       LIF without spike;  out v          CubaLI  CubaLIF without spike;  out v
    IF       v ← v + r·x;  s, reset;  out s     I       v ← v + (dt·r)·x;  out v
    Delay    y[t] = x[t − d],  d = round(τ/dt) steps per element, zero before t = d

reset "zero": v ← v_reset where s; "subtract": v ← v − v_th where s; "none": no reset.
States start at zero. A state's shape is written with "B" for the batch dimension.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import nir
import numpy as np

from .builder import Builder
from .numerics import Numerics


@dataclass(frozen=True)
class StateRule:
    """How one stateful node type is lowered. ``spiking``: ``step`` returns a bool spike tensor."""

    states: Callable[[nir.NIRNode, tuple, Numerics], dict[str, tuple]]
    pre: Callable[[Builder, nir.NIRNode, str, Numerics], str]
    step: Callable[[Builder, nir.NIRNode, str, dict, Numerics], tuple[str, dict]]
    spiking: bool
    neuron: bool = True


def _v_state(node, shape, num):
    return {"v": ("B", *shape)}


def _cuba_states(node, shape, num):
    return {"i_syn": ("B", *shape), "v": ("B", *shape)}


def _times(b: Builder, coeff, x: str, num: Numerics, hint: str) -> str:
    """coeff·x, skipping an exact multiplication by one."""
    c = num.f(coeff)
    return x if np.all(c == 1) else b.op("Mul", b.param(c, num.state_dtype, hint), x)


def _leak(b: Builder, v: str, u: str, a, v_leak, num: Numerics) -> str:
    """v + a·((v_leak − v) + u)"""
    t = b.op("Sub", b.param(v_leak, num.state_dtype, "v_leak"), v)
    d = b.op("Mul", b.param(a, num.state_dtype, "dt_over_tau"), b.op("Add", t, u))
    return b.op("Add", v, d)


def _fire(b: Builder, node, v: str, num: Numerics) -> tuple[str, str]:
    """Spike (bool) and the membrane after the reset of ``num.reset``."""
    v_th = b.param(node.v_threshold, num.state_dtype, "v_threshold")
    s = b.op("Greater", v, v_th)
    if num.reset == "zero":
        v = b.op("Where", s, b.param(node.v_reset, num.state_dtype, "v_reset"), v)
    elif num.reset == "subtract":
        v = b.op("Where", s, b.op("Sub", v, v_th), v)
    return s, v


def _lif_pre(b, node, x, num):
    return _times(b, node.r, x, num, "r")


def _lif_step(b, node, u, st, num):
    v = _leak(b, st["v"], u, num.ratio(node.tau), node.v_leak, num)
    s, v = _fire(b, node, v, num)
    return s, {"v": v}


def _li_step(b, node, u, st, num):
    v = _leak(b, st["v"], u, num.ratio(node.tau), node.v_leak, num)
    return v, {"v": v}


def _cuba_pre(b, node, x, num):
    return _times(b, node.w_in, x, num, "w_in")


def _cuba_current(b, node, wx, st, num):
    i = st["i_syn"]
    i = b.op("Add", i, b.op("Mul", b.param(num.ratio(node.tau_syn), num.state_dtype, "dt_over_tau"),
                            b.op("Sub", wx, i)))
    v = _leak(b, st["v"], _times(b, node.r, i, num, "r"), num.ratio(node.tau_mem), node.v_leak, num)
    return i, v


def _cubalif_step(b, node, wx, st, num):
    i, v = _cuba_current(b, node, wx, st, num)
    s, v = _fire(b, node, v, num)
    return s, {"i_syn": i, "v": v}


def _cubali_step(b, node, wx, st, num):
    i, v = _cuba_current(b, node, wx, st, num)
    return v, {"i_syn": i, "v": v}


def _if_step(b, node, u, st, num):
    s, v = _fire(b, node, b.op("Add", st["v"], u), num)
    return s, {"v": v}


def _i_pre(b, node, x, num):
    return _times(b, num.dt_r(node.r), x, num, "dt_r")


def _i_step(b, node, u, st, num):
    v = b.op("Add", st["v"], u)
    return v, {"v": v}


# ---- Delay ---------------------------------------------------------------------------------


def _delay_states(node, shape, num):
    depth = int(num.delay_steps(node.delay).max(initial=0))
    return {"buffer": (depth, "B", *shape)} if depth else {}


def _identity_pre(b, node, x, num):
    return x


def _delay_step(b, node, x, st, num):
    """Ring of the last D inputs: y = [buffer; x][D − d]; the buffer drops its oldest entry."""
    steps = num.delay_steps(node.delay)
    depth = int(steps.max(initial=0))
    if depth == 0:
        return x, {}
    full = b.op("Concat", st["buffer"], b.op("Unsqueeze", x, b.ints([0])), axis=0)
    if np.all(steps == steps.flat[0]):
        y = b.op("Gather", full, b.const(np.int64(depth - int(steps.flat[0])), np.int64), axis=0)
    else:
        idx = b.const((depth - steps)[None, None], np.int64, "delay_index")
        shape = b.op("Shape", b.op("Unsqueeze", x, b.ints([0])))
        picked = b.op("GatherElements", full, b.op("Expand", idx, shape), axis=0)
        y = b.op("Squeeze", picked, b.ints([0]))
    return y, {"buffer": b.op("Slice", full, b.ints([1]), b.ints([depth + 1]), b.ints([0]))}


def delay_sequence(b: Builder, node, x_seq: str, num: Numerics) -> str:
    """The Delay over a whole sequence ``[T, B, *f]`` at once: shift in time, zeros first."""
    steps = num.delay_steps(node.delay)
    t_len = b.op("Slice", b.op("Shape", x_seq), b.ints([0]), b.ints([1]))
    rest = b.op("Slice", b.op("Shape", x_seq), b.ints([1]), b.ints([np.iinfo(np.int64).max]))
    out = None
    for d in sorted({int(s) for s in steps.ravel()}):
        shifted = x_seq
        if d:
            zeros = b.op("ConstantOfShape", b.op("Concat", b.ints([d]), rest, axis=0),
                         value=_zero_tensor(num.state_dtype))
            shifted = b.op("Slice", b.op("Concat", zeros, x_seq, axis=0), b.ints([0]), t_len, b.ints([0]))
        if out is None:
            out = shifted
        else:
            out = b.op("Where", b.const(steps == d, bool, "delay_mask"), shifted, out)
    return out


def _zero_tensor(dtype):
    from onnx import numpy_helper

    return numpy_helper.from_array(np.zeros(1, dtype=dtype))


STATEFUL: dict[type, StateRule] = {
    nir.LIF: StateRule(_v_state, _lif_pre, _lif_step, spiking=True),
    nir.CubaLIF: StateRule(_cuba_states, _cuba_pre, _cubalif_step, spiking=True),
    nir.LI: StateRule(_v_state, _lif_pre, _li_step, spiking=False),
    nir.CubaLI: StateRule(_cuba_states, _cuba_pre, _cubali_step, spiking=False),
    nir.IF: StateRule(_v_state, _lif_pre, _if_step, spiking=True),
    nir.I: StateRule(_v_state, _i_pre, _i_step, spiking=False),
    nir.Delay: StateRule(_delay_states, _identity_pre, _delay_step, spiking=False, neuron=False),
}
