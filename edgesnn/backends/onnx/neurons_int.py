"""Integer neurons → ONNX: the rules of ``edgesnn/nir/sim/neurons_int.py`` in int64 ops.

The input gain is folded into the weights (``numerics/integer.py``), so ``pre`` is the identity;
a 12-bit fixed-point product ⌊(K·V + 2048) / 4096⌋ is ``(t − Mod(t, 4096)) / 4096`` with
t = K·V + 2048 (ONNX's integer ``Mod`` takes the divisor's sign, so t − Mod(t, 4096) is an exact
multiple of 4096 and the division is exact: the floor, as the simulator's arithmetic shift).
"""

from __future__ import annotations

import nir
import numpy as np

from ...nir.sim.neurons_int import DECAY_BITS, ONE, code
from .arithmetic import Arithmetic
from .builder import Builder
from .neurons import StateRule, _cuba_states, _v_state


def fixed_mul(b: Builder, k: np.ndarray, v: str) -> str:
    """⌊(k·v + 2048) / 4096⌋ (v itself when every k is 4096)."""
    if np.all(k == ONE):
        return v
    t = b.op("Add", b.op("Mul", b.param(k, np.int64, "keep_code"), v), b.const(np.int64(ONE >> 1), np.int64))
    one = b.const(np.int64(ONE), np.int64)
    return b.op("Div", b.op("Sub", t, b.op("Mod", t, one, fmod=0)), one)


def _keep(node, field: str, num: Arithmetic) -> np.ndarray:
    return code(1.0 - num.dt / np.asarray(getattr(node, field), np.float64))


def _fire(b: Builder, node, v: str, mode: str, op: str) -> tuple[str, str]:
    theta = b.param(np.asarray(node.v_threshold), np.int64, "v_threshold")
    s = b.op(op, v, theta)
    if mode == "zero":
        v = b.op("Where", s, b.const(np.int64(0), np.int64), v)
    elif mode == "subtract":
        v = b.op("Where", s, b.op("Sub", v, theta), v)
    return s, v


def _identity(b, node, x, num):
    return x


def _lif_step(b, node, x, st, num):
    v = b.op("Add", fixed_mul(b, _keep(node, "tau", num), st["v"]), x)
    s, v = _fire(b, node, v, num.reset, "Greater")
    return s, {"v": v}


def _li_step(b, node, x, st, num):
    v = b.op("Add", fixed_mul(b, _keep(node, "tau", num), st["v"]), x)
    return v, {"v": v}


def _cuba(b, node, x, st, num):
    i = b.op("Add", fixed_mul(b, _keep(node, "tau_syn", num), st["i_syn"]), x)
    gain = code(num.dt / np.asarray(node.tau_mem, np.float64) * np.asarray(node.r, np.float64))
    v = b.op("Add", fixed_mul(b, _keep(node, "tau_mem", num), st["v"]), fixed_mul(b, gain, i))
    return i, v


def _cubalif_step(b, node, x, st, num):
    i, v = _cuba(b, node, x, st, num)
    s, v = _fire(b, node, v, num.reset, "Greater")
    return s, {"i_syn": i, "v": v}


def _cubali_step(b, node, x, st, num):
    i, v = _cuba(b, node, x, st, num)
    return v, {"i_syn": i, "v": v}


def _if_step(b, node, x, st, num):
    s, v = _fire(b, node, b.op("Add", st["v"], x), num.if_reset, "GreaterOrEqual")
    return s, {"v": v}


INTEGER_STATEFUL: dict[type, StateRule] = {
    nir.LIF: StateRule(_v_state, _identity, _lif_step),
    nir.CubaLIF: StateRule(_cuba_states, _identity, _cubalif_step),
    nir.LI: StateRule(_v_state, _identity, _li_step),
    nir.CubaLI: StateRule(_cuba_states, _identity, _cubali_step),
    nir.IF: StateRule(_v_state, _identity, _if_step),
}

__all__ = ["DECAY_BITS", "INTEGER_STATEFUL", "fixed_mul"]
