r"""NIR neuron primitives, discretised with forward Euler at the graph's dt.

This is the contract edgesnn's torch→NIR export and every backend rely on. Per timestep,
with input x (the sum of everything arriving at the node) and H(u) = 1 if u > 0 else 0:

**LIF** (``tau, r, v_leak, v_threshold, v_reset``)::

    v ← v + (dt/τ)·(v_leak − v + r·x)          (computed as (1−a)·v + a·v_leak + a·r·x, a = dt/τ)
    s = H(v − v_th)                             (strict >, as snnTorch and NIR's docstring)
    reset "zero": v ← v_reset where s = 1;  "subtract": v ← v − v_th·s;  "none": v unchanged
    output s

With τ = dt/(1−β), r = 1/(1−β), v_leak = 0 this is exactly snnTorch ``Leaky``: v ← β·v + x.

**CubaLIF** (``tau_syn, tau_mem, r, v_leak, v_threshold, v_reset, w_in``)::

    I ← I + (dt/τ_syn)·(−I + w_in·x)
    v ← v + (dt/τ_mem)·(v_leak − v + r·I)       (uses the *new* I)
    spike and reset as LIF; output s

With τ_syn = dt/(1−α), w_in = 1/(1−α), τ_mem = dt/(1−β), r = 1/(1−β): snnTorch ``Synaptic``
(I ← α·I + x; v ← β·v + I), whose reset also touches v only (I carries on).

**LI** / **CubaLI**: the same updates without spike and reset; output v.

**I** (integrator, ``r``): v ← v + dt·r·x; output v.

**IF** (``r, v_threshold, v_reset``) — a known ambiguity of NIR. The spec says dv/dt = R·I;
no framework applies dt to it. Sinabs' ``IAF`` (which writes and reads most IF graphs,
e.g. the NIR paper's N-MNIST CNN) does v ← v + x, spikes when v ≥ θ and resets by
*subtracting* θ (``MembraneSubtract``, the default); Norse's ``IAFCell`` does v ← v + x, H(v − θ)
strict, reset to v_reset; snnTorch's ``import_nir`` maps IF to a Leaky with β = 0.9 (a bug).
edgesnn follows Sinabs, so Sinabs-written graphs behave as trained::

    v ← v + r·x;   s = [v ≥ v_th];   reset = graph's ``reset`` metadata, else "subtract"
    output s

One difference remains: Sinabs' default ``MultiSpike`` may emit several spikes per step
(⌊v/θ⌋) where a NIR graph carries binary spikes; here at most one spike per step is emitted
and the remainder stays in v. With "zero" the reset value is v_reset.

All states start at zero.
"""

from __future__ import annotations

import numpy as np

from ...errors import ArtifactError
from .base import Kernel, Lowering, SimContext, param

_RESETS = {
    "zero": lambda v, s, v_th, v_reset: np.where(s, v_reset, v),
    "subtract": lambda v, s, v_th, v_reset: v - v_th * s,
    "none": lambda v, s, v_th, v_reset: v,
}


def _reset_fn(name: str, mode: str):
    if mode not in _RESETS:
        raise ArtifactError(f"node '{name}': unknown reset mode '{mode}'; choose from {', '.join(_RESETS)}")
    return _RESETS[mode]


def _zeros(shape, ctx: SimContext, n: int = 1):
    def init(batch):
        arrays = tuple(np.zeros((batch, *shape), dtype=ctx.dtype) for _ in range(n))
        return arrays if n > 1 else arrays[0]

    return init


def _euler(name, node, shape, ctx, tau_field: str, tau):
    """Coefficients of v ← (1−a)·v + a·v_leak + a·r·x with a = dt/τ."""
    tau = param(name, tau_field, tau, shape, ctx)
    if (tau <= 0).any():
        raise ArtifactError(f"node '{name}': {tau_field} must be positive (min {tau.min()})")
    a = ctx.dt / tau
    return 1.0 - a, a * param(name, "v_leak", node.v_leak, shape, ctx), a * param(name, "r", node.r, shape, ctx)


def _lif(name, node, shape, ctx, spiking=True) -> Kernel:
    keep, leak, gain = _euler(name, node, shape, ctx, "tau", node.tau)
    if not spiking:
        return Kernel(shape, shape, lambda x, v: ((v := keep * v + leak + gain * x), v), _zeros(shape, ctx), True)
    v_th = param(name, "v_threshold", node.v_threshold, shape, ctx)
    v_reset = param(name, "v_reset", 0.0 if node.v_reset is None else node.v_reset, shape, ctx)
    reset = _reset_fn(name, ctx.reset)

    def step(x, v):
        v = keep * v + leak + gain * x
        s = v > v_th
        return s.astype(ctx.dtype), reset(v, s, v_th, v_reset)

    return Kernel(shape, shape, step, _zeros(shape, ctx), True)


def _cuba(name, node, shape, ctx, spiking=True) -> Kernel:
    syn_keep, _, _ = _euler(name, node, shape, ctx, "tau_syn", node.tau_syn)
    syn_gain = (1.0 - syn_keep) * param(name, "w_in", 1.0 if node.w_in is None else node.w_in, shape, ctx)
    keep, leak, gain = _euler(name, node, shape, ctx, "tau_mem", node.tau_mem)
    if spiking:
        v_th = param(name, "v_threshold", node.v_threshold, shape, ctx)
        v_reset = param(name, "v_reset", 0.0 if node.v_reset is None else node.v_reset, shape, ctx)
        reset = _reset_fn(name, ctx.reset)

    def step(x, state):
        i_syn, v = state
        i_syn = syn_keep * i_syn + syn_gain * x
        v = keep * v + leak + gain * i_syn
        if not spiking:
            return v, (i_syn, v)
        s = v > v_th
        return s.astype(ctx.dtype), (i_syn, reset(v, s, v_th, v_reset))

    return Kernel(shape, shape, step, _zeros(shape, ctx, 2), True)


def _integrator(name, node, shape, ctx) -> Kernel:
    gain = ctx.dt * param(name, "r", node.r, shape, ctx)
    return Kernel(shape, shape, lambda x, v: ((v := v + gain * x), v), _zeros(shape, ctx), True)


def _if(name, node, shape, ctx) -> Kernel:
    r = param(name, "r", node.r, shape, ctx)
    v_th = param(name, "v_threshold", node.v_threshold, shape, ctx)
    v_reset = param(name, "v_reset", 0.0 if node.v_reset is None else node.v_reset, shape, ctx)
    reset = _reset_fn(name, ctx.if_reset)

    def step(x, v):
        v = v + r * x
        s = v >= v_th
        return s.astype(ctx.dtype), reset(v, s, v_th, v_reset)

    return Kernel(shape, shape, step, _zeros(shape, ctx), True)


#: neurons are element-wise: output shape = input shape = parameter shape
LOWERINGS: dict[str, Lowering] = {
    "LIF": _lif,
    "LI": lambda n, node, s, c: _lif(n, node, s, c, spiking=False),
    "CubaLIF": _cuba,
    "CubaLI": lambda n, node, s, c: _cuba(n, node, s, c, spiking=False),
    "I": _integrator,
    "IF": _if,
}
