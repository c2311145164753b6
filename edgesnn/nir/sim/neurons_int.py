"""Integer neurons: the reference simulator's kernels for an integer graph (``dtype`` int64).

An integer graph (``edgesnn.numerics.integer``) holds integer weights, biases and thresholds and
neurons whose input gain is 1; membranes and currents are int64. Decays (keep = 1 − dt/τ) and the
CubaLIF membrane gain are 12-bit fixed point, K = rint(4096·c), applied with round-half-up,
``(K·V + 2048) >> 12`` (an arithmetic shift: the floor of the division)::

    LIF      V ← (K·V + 2048) >> 12 + x;   s = [V > Θ];   reset "zero": V ← 0 where s, "subtract": V − Θ·s
    IF       V ← V + x;                     s = [V ≥ Θ];   reset as the graph says (default "subtract")
    CubaLIF  I ← (K_s·I + 2048) >> 12 + x;  V ← (K·V + 2048) >> 12 + (G·I + 2048) >> 12 (× 1 when G = 4096)
    LI / CubaLI: the same without spike; out V

x is the layer's integer input sum (the synapses' codes times integer inputs, plus the bias code).
"""

from __future__ import annotations

import numpy as np

from ...errors import ArtifactError
from .base import Kernel, Lowering, SimContext, param

DECAY_BITS = 12
ONE = 1 << DECAY_BITS


def code(coeff) -> np.ndarray:
    """A coefficient in 12-bit fixed point: rint(4096·c) (int64)."""
    return np.rint(np.asarray(coeff, np.float64) * ONE).astype(np.int64)


def fixed_mul(k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """⌊(k·v + 2048) / 4096⌋ on int64: k·v/4096 rounded half up (v itself when k is all 4096)."""
    if np.all(k == ONE):
        return v
    return (k * v + (ONE >> 1)) >> DECAY_BITS


def _floats(name, node, field_, shape, default=None):
    value = getattr(node, field_, None)
    if value is None:
        if default is None:
            raise ArtifactError(f"node '{name}' has no '{field_}'; the NIR file is incomplete")
        value = default
    return np.broadcast_to(np.asarray(value, np.float64), shape)


def _keep(name, node, field_, shape, ctx) -> np.ndarray:
    tau = _floats(name, node, field_, shape)
    if (tau <= 0).any():
        raise ArtifactError(f"node '{name}': {field_} must be positive (min {tau.min()})")
    return code(1.0 - ctx.dt / tau)


def _unit(name, node, gain, what: str) -> None:
    if np.any(code(gain) != ONE):
        raise ArtifactError(f"node '{name}': an integer graph's {what} must be 1 (folded into the weights)")


def _zeros(shape, n: int = 1):
    def init(batch):
        arrays = tuple(np.zeros((batch, *shape), dtype=np.int64) for _ in range(n))
        return arrays if n > 1 else arrays[0]

    return init


def _spike(name, node, shape, ctx, mode: str, strict: bool):
    theta = param(name, "v_threshold", node.v_threshold, shape, ctx)
    if mode not in ("zero", "subtract", "none"):
        raise ArtifactError(f"node '{name}': unknown reset mode '{mode}'")

    def fire(v):
        s = v > theta if strict else v >= theta
        if mode == "zero":
            v = np.where(s, 0, v)
        elif mode == "subtract":
            v = v - theta * s
        return s.astype(np.int64), v

    return fire


def _lif(name, node, shape, ctx: SimContext, spiking: bool = True) -> Kernel:
    keep = _keep(name, node, "tau", shape, ctx)
    _unit(name, node, ctx.dt / _floats(name, node, "tau", shape) * _floats(name, node, "r", shape), "input gain a·r")
    if not spiking:
        return Kernel(shape, shape, lambda x, v: ((v := fixed_mul(keep, v) + x), v), _zeros(shape), True)
    fire = _spike(name, node, shape, ctx, ctx.reset, strict=True)

    def step(x, v):
        return fire(fixed_mul(keep, v) + x)

    return Kernel(shape, shape, step, _zeros(shape), True)


def _cuba(name, node, shape, ctx: SimContext, spiking: bool = True) -> Kernel:
    keep_s = _keep(name, node, "tau_syn", shape, ctx)
    w_in = _floats(name, node, "w_in", shape, default=1.0)
    _unit(name, node, ctx.dt / _floats(name, node, "tau_syn", shape) * w_in, "synaptic gain a_syn·w_in")
    keep = _keep(name, node, "tau_mem", shape, ctx)
    gain = code(ctx.dt / _floats(name, node, "tau_mem", shape) * _floats(name, node, "r", shape))
    fire = _spike(name, node, shape, ctx, ctx.reset, strict=True) if spiking else None

    def step(x, state):
        i_syn, v = state
        i_syn = fixed_mul(keep_s, i_syn) + x
        v = fixed_mul(keep, v) + fixed_mul(gain, i_syn)
        if fire is None:
            return v, (i_syn, v)
        s, v = fire(v)
        return s, (i_syn, v)

    return Kernel(shape, shape, step, _zeros(shape, 2), True)


def _if(name, node, shape, ctx: SimContext) -> Kernel:
    _unit(name, node, _floats(name, node, "r", shape), "input gain r")
    fire = _spike(name, node, shape, ctx, ctx.if_reset, strict=False)
    return Kernel(shape, shape, lambda x, v: fire(v + x), _zeros(shape), True)


LOWERINGS: dict[str, Lowering] = {
    "LIF": _lif,
    "LI": lambda n, node, s, c: _lif(n, node, s, c, spiking=False),
    "CubaLIF": _cuba,
    "CubaLI": lambda n, node, s, c: _cuba(n, node, s, c, spiking=False),
    "IF": _if,
}


def quantize_input(x: np.ndarray, scale: float) -> np.ndarray:
    """Network input → int8 codes: clip(rint(x · (1/scale)), ±127), the product in float32
    (spikes, scale 1, pass unchanged)."""
    q = np.rint(np.asarray(x, np.float32) * np.float32(1.0 / scale))
    return np.clip(q, -127, 127).astype(np.int64)


def dequantize_output(y: np.ndarray, scale) -> np.ndarray:
    """A membrane output back in the float model's units: float32(V) · float32(1/λ) (spikes as they are)."""
    y = np.asarray(y, np.float32)
    return y if scale is None else y * np.asarray(scale, np.float32)
