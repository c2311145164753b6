"""Run a model over all T steps layer by layer: time folded into the batch, fused Leaky neurons.

A zoo model is a per-step function whose only memory lives in its snnTorch neurons, so every
other module (Linear, Conv, pooling, Flatten, the fusion of several inputs) may process all
``T`` steps at once: ``x [T, B, *in]`` is folded to ``[T·B, *in]`` and each neuron unfolds it
back to ``[T, B, *n]``, steps its state over t, and folds its spikes again. The matmuls run
once per layer instead of once per step, with the same operations per element in the same
order. One caveat: a BLAS may sum a matrix product in another order for another number of
rows (one sample stepped alone is a matrix-vector product), so a membrane within float
rounding of its threshold can spike differently from the step-by-step run; for batches the
tests compare, the spikes are identical.

**Fused Leaky** (``snn.Leaky``, ``reset_delay=False``, spikes of height 1): the T steps are one
autograd node with a hand-written backward (SpikingJelly's multi-step neurons do this on GPU),
instead of ~12 autograd nodes per step. Forward, exactly snnTorch's arithmetic, with
``b = clamp(β, 0, 1)``, ``H(z) = [z > 0]`` and ``r_t = H(m_{t−1} − θ)`` detached::

    zero      u_t = b·((1 − r_t)·m_{t−1}) + x_t    s_t = H(u_t − θ)   m_t = u_t − (s_t − r_t)·u_t
    subtract  u_t = (b·m_{t−1} + x_t) − r_t·θ                         m_t = u_t − (s_t − r_t)·θ
    none      u_t = b·m_{t−1} + x_t                                   m_t = u_t

Backward, with σ' the surrogate's derivative at ``u_t − θ``, ``g_s`` the gradient reaching
``s_t`` and ``g_m`` the one reaching ``m_t`` from step t+1 (0 after the last step)::

    zero      G = g_s − g_m·u_t            g_u = g_m·(1 − s_t + r_t) + G·σ'
              g_m(t−1) = g_u·b·(1 − r_t)   g_b += g_u·(1 − r_t)·m_{t−1}   g_θ −= G·σ'
    subtract  G = g_s − g_m·θ              g_u = g_m + G·σ'
              g_m(t−1) = g_u·b             g_b += g_u·m_{t−1}   g_θ −= G·σ' + g_m·(s_t − r_t) + g_u·r_t
    none      g_u = g_m + g_s·σ'           g_m(t−1) = g_u·b     g_b += g_u·m_{t−1}   g_θ −= g_s·σ'

and ``g_x(t) = g_u``; ``g_β = g_b`` where ``0 ≤ β ≤ 1`` (clamp). Gradients equal autograd's
through snnTorch within float rounding (``tests/models/test_multistep.py``). Other neurons
(Synaptic, Lapicque, graded spikes, inhibition) keep snnTorch's own step, looped; the
all-to-all RLeaky has its own fused kernel (``multistep_rleaky.py``).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from contextvars import ContextVar

import snntorch as snn
import torch
from torch import nn

#: surrogate name -> its derivative ``σ'(z, slope)``, as snnTorch's backward computes it
SURROGATE_GRADS = {
    "fast_sigmoid": lambda z, k: 1.0 / (k * torch.abs(z) + 1.0) ** 2,
    "atan": lambda z, k: k / 2 / (1 + (math.pi / 2 * k * z).pow(2)),
    "sigmoid": lambda z, k: k * torch.exp(-k * z) / ((torch.exp(-k * z) + 1) ** 2),
}
MECHANISMS = {0: "subtract", 1: "zero", 2: "none"}  # snnTorch's reset_mechanism_val
#: modules that would mix samples or steps if time were folded into the batch
UNFOLDABLE = (nn.modules.batchnorm._BatchNorm, nn.RNNBase, nn.modules.dropout._DropoutNd)


def _sum_to(grad: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """``grad`` summed over the dimensions a tensor of ``shape`` was broadcast along."""
    lead = grad.dim() - len(shape)
    grad = grad.sum(dim=tuple(range(lead))) if lead > 0 else grad
    dims = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(dim=dims, keepdim=True) if dims else grad


class _LeakyFn(torch.autograd.Function):
    """``(spikes [T, B, *n], last membrane)`` of a Leaky over T steps (see the module docstring)."""

    @staticmethod
    def forward(ctx, x, beta, theta, mechanism: str, surrogate: str, slope: float):
        b = beta.clamp(0, 1)
        if mechanism == "zero" and bool((theta >= 0).all()):
            spikes, us, mems, resets, mem = _zero_reset_steps(x, b, theta)
            ctx.save_for_backward(beta, theta, spikes, us, mems, resets)
            ctx.mechanism, ctx.surrogate, ctx.slope = mechanism, surrogate, slope
            return spikes, mem
        mem = torch.zeros_like(x[0])
        spikes, us, mems, resets = (torch.empty_like(x) for _ in range(4))
        for t in range(x.shape[0]):
            r = torch.gt(mem, theta).to(x.dtype)  # H(m − θ): a − b > 0 exactly when a > b
            if mechanism == "zero":
                u = b * ((1 - r) * mem) + x[t]
            elif mechanism == "subtract":
                u = (b * mem + x[t]) - r * theta
            else:
                u = b * mem + x[t]
            s = torch.gt(u, theta).to(x.dtype)
            mems[t], resets[t], us[t], spikes[t] = mem, r, u, s
            mem = after_spike(mechanism, u, s, r, theta)
        ctx.save_for_backward(beta, theta, spikes, us, mems, resets)
        ctx.mechanism, ctx.surrogate, ctx.slope = mechanism, surrogate, slope
        return spikes, mem

    @staticmethod
    def backward(ctx, g_spikes, g_last):
        """The recursion ``g_u(t) = P_t·g_m(t) + Q_t``, ``g_m(t−1) = C_t·g_u(t)`` (P, Q, C from the
        module docstring's rules, computed for all t at once); the parameter gradients are sums
        over t and batch once ``g_u`` and ``g_m`` are known."""
        beta, theta, S, U, M, R = ctx.saved_tensors
        mech = ctx.mechanism
        b = beta.clamp(0, 1)
        sig = SURROGATE_GRADS[ctx.surrogate](U - theta, ctx.slope)
        Q = g_spikes * sig
        if mech == "zero":
            P, C = (1 - S + R) - U * sig, b * (1 - R)
        elif mech == "subtract":
            P, C = 1 - theta * sig, b.expand_as(U)
        else:
            P, C = torch.ones_like(U), b.expand_as(U)
        GU = torch.empty_like(U)
        g_m = g_last if g_last is not None else torch.zeros_like(U[0])
        for t in range(U.shape[0] - 1, -1, -1):
            torch.addcmul(Q[t], g_m, P[t], out=GU[t])
            g_m = GU[t] * C[t]
        g_beta = g_theta = None
        if ctx.needs_input_grad[1] or ctx.needs_input_grad[2]:
            GM = torch.empty_like(U)  # the gradient reaching m_t: from step t+1, or from the caller
            GM[:-1] = GU[1:] * C[1:]
            GM[-1] = g_last if g_last is not None else 0
        if ctx.needs_input_grad[1]:
            g_b = GU * ((1 - R) * M) if mech == "zero" else GU * M
            g_beta = _sum_to(g_b, beta.shape) * ((beta >= 0) & (beta <= 1)).to(beta.dtype)
        if ctx.needs_input_grad[2]:
            if mech == "zero":
                g_th = -(g_spikes - GM * U) * sig
            elif mech == "subtract":
                g_th = -((g_spikes - GM * theta) * sig + GM * (S - R) + GU * R)
            else:
                g_th = -Q
            g_theta = _sum_to(g_th, theta.shape)
        return GU, g_beta, g_theta, None, None, None


def after_spike(mechanism: str, u: torch.Tensor, s: torch.Tensor, r: torch.Tensor, theta) -> torch.Tensor:
    """snnTorch's same-step reset (``reset_delay=False``): ``m = u − (s − r)·u`` (zero),
    ``u − (s − r)·θ`` (subtract), ``u`` (none)."""
    if mechanism == "zero":
        return u - (s - r) * u
    if mechanism == "subtract":
        return u - (s - r) * theta
    return u


def _zero_reset_steps(x: torch.Tensor, b: torch.Tensor, theta: torch.Tensor):
    """The zero-reset forward when θ ≥ 0, in 4 operations a step. From rest, ``r_t`` is then
    always 0 (after a spike ``m = 0 ≤ θ``, without one ``m = u ≤ θ``), so ``u_t = b·m + x_t`` and
    ``m_t = u_t − s_t·u_t``, which is ``0`` where ``s_t`` else ``u_t``, exactly. Returns
    (spikes, u, m_{t−1}, r = 0, last m) for ``backward``."""
    us = torch.empty_like(x)
    fired = torch.empty(x.shape, dtype=torch.bool, device=x.device)
    mem = torch.zeros_like(x[0])
    decayed = torch.empty_like(mem)
    for t in range(x.shape[0]):
        u = us[t]
        torch.mul(b, mem, out=decayed)
        torch.add(decayed, x[t], out=u)
        torch.gt(u, theta, out=fired[t])
        mem = u.masked_fill(fired[t], 0.0)
    mems = torch.zeros_like(x)
    mems[1:] = us[:-1].masked_fill(fired[:-1], 0.0)
    return fired.to(x.dtype), us, mems, torch.zeros_like(x), mem


def fusable(neuron: nn.Module) -> bool:
    """True for a Leaky or an all-to-all RLeaky the fused kernels reproduce (module docstring)."""
    if type(neuron) not in (snn.Leaky, snn.RLeaky) or getattr(neuron, "_edgesnn_surrogate", None) is None:
        return False
    if type(neuron) is snn.RLeaky and not (
        neuron.all_to_all and isinstance(neuron.recurrent, nn.Linear) and neuron.recurrent.bias is None
    ):
        return False
    g = neuron.graded_spikes_factor
    return (
        not neuron.reset_delay
        and not neuron.inhibition
        and not neuron.state_quant
        and int(neuron.reset_mechanism_val) in MECHANISMS
        and not (isinstance(g, torch.Tensor) and g.requires_grad)
        and bool(torch.all(torch.as_tensor(g) == 1))
        and neuron._edgesnn_surrogate[0] in SURROGATE_GRADS
    )


def leaky_steps(neuron: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Spikes ``[T, B, *n]`` of a fusable Leaky or RLeaky for input currents ``x [T, B, *n]``, from rest."""
    name, slope = neuron._edgesnn_surrogate
    mechanism = MECHANISMS[int(neuron.reset_mechanism_val)]
    if type(neuron) is snn.RLeaky:
        from .multistep_rleaky import RLeakyFn

        spikes, mem = RLeakyFn.apply(
            x, neuron.beta, neuron.threshold, neuron.recurrent.weight, mechanism, name, float(slope)
        )
        neuron.spk = spikes[-1].detach()
    else:
        spikes, mem = _LeakyFn.apply(x, neuron.beta, neuron.threshold, mechanism, name, float(slope))
    neuron.mem = mem.detach()
    return spikes


def _folded_forward(neuron: nn.Module, T: int):
    step = neuron.forward
    fused = fusable(neuron)

    def forward(inp: torch.Tensor) -> torch.Tensor:
        x = inp.reshape(T, -1, *inp.shape[1:])
        out = leaky_steps(neuron, x) if fused else torch.stack([step(x_t) for x_t in x.unbind(0)])
        return out.flatten(0, 1)

    return forward


_STEPWISE = ContextVar("edgesnn_stepwise", default=False)


@contextmanager
def stepwise():
    """Within: ``run_snn`` steps every model one timestep at a time (snnTorch's own way), e.g.
    to measure what folding buys (``benchmarks/train_speed.py``)."""
    token = _STEPWISE.set(True)
    try:
        yield
    finally:
        _STEPWISE.reset(token)


def foldable(model: nn.Module) -> bool:
    """True when folding time into the batch cannot change ``model``'s result (no module that
    mixes samples or keeps a state of its own besides snnTorch neurons) and ``stepwise`` is off."""
    return not _STEPWISE.get() and not any(isinstance(m, UNFOLDABLE) for m in model.modules())


@contextmanager
def time_folded(model: nn.Module, T: int):
    """Within: ``model`` takes ``[T·B, *in]`` (time folded into the batch) and returns ``[T·B, *out]``."""
    neurons = [m for m in model.modules() if isinstance(m, snn.SpikingNeuron)]
    for m in neurons:
        m.forward = _folded_forward(m, T)
    try:
        yield model
    finally:
        for m in neurons:
            del m.forward


def run_folded(model: nn.Module, x) -> torch.Tensor:
    """Output spikes ``[T, B, *out]`` of ``model`` on ``x [T, B, *in]`` (or a dict of them), states
    from rest, computed layer by layer over all steps (see the module docstring)."""
    first = next(iter(x.values())) if isinstance(x, dict) else x
    T, B = first.shape[:2]
    folded = {k: v.flatten(0, 1) for k, v in x.items()} if isinstance(x, dict) else x.flatten(0, 1)
    with time_folded(model, T):
        out = model(folded)
    return out.reshape(T, B, *out.shape[1:])
