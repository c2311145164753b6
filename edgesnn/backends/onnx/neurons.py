"""Stateful NIR nodes (neurons, Delay) → one timestep of ONNX nodes.

Each rule has ``pre`` (the part that does not depend on the state, applied to the whole
input; in the unrolled form once over all T·B rows) and ``step`` (one update of the state).
The forms and operation order are the reference simulator's (``edgesnn/nir/sim/neurons.py``),
with the coefficients of ``Arithmetic`` (a = dt/τ, keep = 1 − a, leak = a·v_leak, gain = a·r):

    LIF      v ← (keep·v + leak) + gain·x;  s = [v > v_th];  reset (graph's "reset");  out s
             (the "+ leak" is left out when every leak is zero: same values)
    CubaLIF  i ← keep_s·i + gain_s·x;  v ← (keep·v + leak) + gain·i;  s, reset;  out s
    LI       LIF without spike;  out v          CubaLI  CubaLIF without spike;  out v
    IF       v ← v + r·x;  s = [v ≥ v_th];  reset (graph's "reset", else "subtract");  out s
    I        v ← v + (dt·r)·x;  out v
    Delay    y[t] = x[t − d],  d = round(τ/dt) steps per element, zero before t = d

reset "zero": v ← v_reset where s; "subtract": v ← v − v_th·s; "none": no reset.
States start at zero. A state's shape is written with "B" for the batch dimension.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import nir
import numpy as np

from .arithmetic import Arithmetic
from .builder import Builder


@dataclass(frozen=True)
class StateRule:
    """How one stateful node type is lowered: its states, the input transform before the step
    (``pre``) and the step. ``neuron``: recorded as a neuron node (False for Delay)."""

    states: Callable[[nir.NIRNode, tuple, Arithmetic], dict[str, tuple]]
    pre: Callable[[Builder, nir.NIRNode, str, Arithmetic], str]
    step: Callable[[Builder, nir.NIRNode, str, dict, Arithmetic], tuple[str, dict]]
    neuron: bool = True


def _v_state(node, shape, num):
    return {"v": ("B", *shape)}


def _cuba_states(node, shape, num):
    return {"i_syn": ("B", *shape), "v": ("B", *shape)}


def _times(b: Builder, coeff, x: str, num: Arithmetic, hint: str) -> str:
    """coeff·x, skipping an exact multiplication by one."""
    c = num.arr(coeff)
    return x if np.all(c == 1) else b.op("Mul", b.param(c, num.dtype, hint), x)


def _membrane(b: Builder, v: str, gx: str, keep, leak, num: Arithmetic) -> str:
    """(keep·v + leak) + gx; keep·v + gx when every leak is zero.

    Adding a zero changes nothing but the sign of a zero ((−0) + 0 = +0), which no comparison,
    reset or later non-zero sum can see, so the shorter form has the same values.
    """
    kv = b.op("Mul", b.param(keep, num.dtype, "keep"), v)
    if num.lean and not np.any(num.arr(leak)):
        return b.op("Add", kv, gx)
    return b.op("Add", b.op("Add", kv, b.param(leak, num.dtype, "leak")), gx)


def _v_reset(node):
    return 0.0 if node.v_reset is None else node.v_reset


def _fire(b: Builder, node, v: str, num: Arithmetic, mode: str, op: str = "Greater") -> tuple[str, str]:
    """Spike and the membrane after reset ``mode``.

    The spike is bool, or (``num.lean``, for "subtract" and for "zero" to an all-zero v_reset)
    already cast to the model's dtype: then the reset is arithmetic on it, which onnxruntime
    runs faster than ``Where`` — "subtract": v − v_th·s, the simulator's own expression;
    "zero": v − v·s, which is v where s = 0 and (+)0 where s = 1 for a finite v.
    """
    v_th = b.param(num.arr(node.v_threshold), num.dtype, "v_threshold")
    s = b.op(op, v, v_th)
    v_reset = num.arr(_v_reset(node))
    if num.lean and (mode == "subtract" or (mode == "zero" and not np.any(v_reset))):
        s = b.cast(s, num.dtype)
        return s, b.op("Sub", v, b.op("Mul", v_th if mode == "subtract" else v, s))
    if mode == "zero":
        v = b.op("Where", s, b.param(v_reset, num.dtype, "v_reset"), v)
    elif mode == "subtract":
        v = b.op("Where", s, b.op("Sub", v, v_th), v)  # = v − v_th·s, one op fewer
    return s, v


def _lif_pre(b, node, x, num):
    return _times(b, num.euler(node.tau, node.r, node.v_leak)[2], x, num, "gain")


def _lif_step(b, node, gx, st, num):
    keep, leak, _ = num.euler(node.tau, node.r, node.v_leak)
    s, v = _fire(b, node, _membrane(b, st["v"], gx, keep, leak, num), num, num.reset)
    return s, {"v": v}


def _li_step(b, node, gx, st, num):
    keep, leak, _ = num.euler(node.tau, node.r, node.v_leak)
    v = _membrane(b, st["v"], gx, keep, leak, num)
    return v, {"v": v}


def _cuba_pre(b, node, x, num):
    return _times(b, num.synapse(node.tau_syn, node.w_in)[1], x, num, "syn_gain")


def _cuba_current(b, node, gx, st, num):
    keep_s, _ = num.synapse(node.tau_syn, node.w_in)
    i = b.op("Add", b.op("Mul", b.param(keep_s, num.dtype, "syn_keep"), st["i_syn"]), gx)
    keep, leak, gain = num.euler(node.tau_mem, node.r, node.v_leak)
    return i, _membrane(b, st["v"], _times(b, gain, i, num, "gain"), keep, leak, num)


def _cubalif_step(b, node, gx, st, num):
    i, v = _cuba_current(b, node, gx, st, num)
    s, v = _fire(b, node, v, num, num.reset)
    return s, {"i_syn": i, "v": v}


def _cubali_step(b, node, gx, st, num):
    i, v = _cuba_current(b, node, gx, st, num)
    return v, {"i_syn": i, "v": v}


def _if_pre(b, node, x, num):
    return _times(b, node.r, x, num, "r")


def _if_step(b, node, rx, st, num):
    s, v = _fire(b, node, b.op("Add", st["v"], rx), num, num.if_reset, op="GreaterOrEqual")
    return s, {"v": v}


def _i_pre(b, node, x, num):
    return _times(b, num.integrator_gain(node.r), x, num, "dt_r")


def _i_step(b, node, gx, st, num):
    v = b.op("Add", st["v"], gx)
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


def delay_sequence(b: Builder, node, x_seq: str, num: Arithmetic) -> str:
    """The Delay over a whole sequence ``[T, B, *f]`` at once: shift in time, zeros first."""
    steps = num.delay_steps(node.delay)
    t_len = b.op("Slice", b.op("Shape", x_seq), b.ints([0]), b.ints([1]))
    rest = b.op("Slice", b.op("Shape", x_seq), b.ints([1]), b.ints([np.iinfo(np.int64).max]))
    out = None
    for d in sorted({int(s) for s in steps.ravel()}):
        shifted = x_seq
        if d:
            zeros = b.op("ConstantOfShape", b.op("Concat", b.ints([d]), rest, axis=0), value=_zero_tensor(num.dtype))
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
    nir.LIF: StateRule(_v_state, _lif_pre, _lif_step),
    nir.CubaLIF: StateRule(_cuba_states, _cuba_pre, _cubalif_step),
    nir.LI: StateRule(_v_state, _lif_pre, _li_step),
    nir.CubaLI: StateRule(_cuba_states, _cuba_pre, _cubali_step),
    nir.IF: StateRule(_v_state, _if_pre, _if_step),
    nir.I: StateRule(_v_state, _i_pre, _i_step),
    nir.Delay: StateRule(_delay_states, _identity_pre, _delay_step, neuron=False),
}


def rules(num: Arithmetic) -> dict[type, StateRule]:
    """The stateful rules of ``num``'s arithmetic: float neurons, or integer ones (``neurons_int``)."""
    if num.is_integer:
        from .neurons_int import INTEGER_STATEFUL

        return INTEGER_STATEFUL
    return STATEFUL
