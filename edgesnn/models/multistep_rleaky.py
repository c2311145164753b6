"""The fused all-to-all RLeaky: T steps in one autograd node, a hand-written backward.

snnTorch's ``RLeaky`` (``reset_delay=False``, recurrent ``Linear`` without bias, spikes of
height 1) computes, with ``f_t = (b·m_{t−1} + x_t) + W s_{t−1}`` (``s_{−1} = 0``), ``b`` the
clamped β and ``r_t = H(m_{t−1} − θ)`` detached::

    zero      u_t = f_t − r_t·f_t       s_t = H(u_t − θ)   m_t = u_t − (s_t − r_t)·u_t
    subtract  u_t = f_t − r_t·θ                             m_t = u_t − (s_t − r_t)·θ
    none      u_t = f_t                                     m_t = u_t

Backward (σ' the surrogate's derivative at ``u_t − θ``): the gradient reaching ``s_t`` is the
caller's ``g_s(t)`` plus the recurrent path ``g_f(t+1) W``; with ``g_m`` the one reaching
``m_t`` (0 after the last step)::

    zero      g_u = g_m·((1 − s + r) − u·σ') + g_s·σ'    g_f = g_u·(1 − r)
    subtract  g_u = g_m·(1 − θ·σ') + g_s·σ'              g_f = g_u
    none      g_u = g_m + g_s·σ'                         g_f = g_u
    g_x(t) = g_f,   g_m(t−1) = g_f·b,   g_W = Σ_t g_f(t)ᵀ s_{t−1},   g_b = Σ g_f·m_{t−1}
    g_θ = −Σ (g_s − g_m·u)·σ'  (zero),  −Σ (g_s − g_m·θ)·σ' + g_m·(s − r) + g_u·r  (subtract),  −Σ g_s·σ'  (none)

(summed over batch to the parameters' shapes; ``g_β = g_b`` where ``0 ≤ β ≤ 1``). Checked
against autograd through snnTorch in ``tests/models/test_multistep.py``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .multistep import SURROGATE_GRADS, _sum_to, after_spike


class RLeakyFn(torch.autograd.Function):
    """``(spikes [T, B, n], last membrane)`` of an all-to-all RLeaky over T steps."""

    @staticmethod
    def forward(ctx, x, beta, theta, weight, mechanism: str, surrogate: str, slope: float):
        b = beta.clamp(0, 1)
        mem = torch.zeros_like(x[0])
        spk = torch.zeros_like(x[0])
        spikes, us, mems, resets = (torch.empty_like(x) for _ in range(4))
        for t in range(x.shape[0]):
            r = torch.gt(mem, theta).to(x.dtype)
            f = (b * mem + x[t]) + F.linear(spk, weight)
            if mechanism == "zero":
                u = f - r * f
            elif mechanism == "subtract":
                u = f - r * theta
            else:
                u = f
            spk = torch.gt(u, theta).to(x.dtype)
            mems[t], resets[t], us[t], spikes[t] = mem, r, u, spk
            mem = after_spike(mechanism, u, spk, r, theta)
        ctx.save_for_backward(beta, theta, weight, spikes, us, mems, resets)
        ctx.mechanism, ctx.surrogate, ctx.slope = mechanism, surrogate, slope
        return spikes, mem

    @staticmethod
    def backward(ctx, g_spikes, g_last):
        beta, theta, weight, S, U, M, R = ctx.saved_tensors
        mech = ctx.mechanism
        b = beta.clamp(0, 1)
        sig = SURROGATE_GRADS[ctx.surrogate](U - theta, ctx.slope)
        if mech == "zero":
            P, D = (1 - S + R) - U * sig, 1 - R
        elif mech == "subtract":
            P, D = 1 - theta * sig, None
        else:
            P, D = torch.ones_like(U), None
        GF, GU = torch.empty_like(U), torch.empty_like(U) if D is not None else None
        g_m = g_last if g_last is not None else torch.zeros_like(U[0])
        T = U.shape[0]
        for t in range(T - 1, -1, -1):
            g_s = g_spikes[t] if t == T - 1 else torch.addmm(g_spikes[t], GF[t + 1], weight)
            g_u = torch.addcmul(g_s * sig[t], g_m, P[t])
            if D is not None:
                GU[t] = g_u
                torch.mul(g_u, D[t], out=GF[t])
            else:
                GF[t] = g_u
            g_m = GF[t] * b
        GU = GF if GU is None else GU
        g_x, g_beta, g_theta, g_weight = GF, None, None, None
        if ctx.needs_input_grad[3]:
            g_weight = GF[1:].flatten(0, -2).T @ S[:-1].flatten(0, -2)
        if ctx.needs_input_grad[1]:
            g_beta = _sum_to(GF * M, beta.shape) * ((beta >= 0) & (beta <= 1)).to(beta.dtype)
        if ctx.needs_input_grad[2]:
            GS = g_spikes.clone()  # the gradient reaching s_t, recurrent path included
            GS[:-1] += GF[1:] @ weight
            GM = torch.empty_like(U)  # the gradient reaching m_t
            GM[:-1] = GF[1:] * b
            GM[-1] = g_last if g_last is not None else 0
            if mech == "zero":
                g_th = -(GS - GM * U) * sig
            elif mech == "subtract":
                g_th = -((GS - GM * theta) * sig + GM * (S - R) + GU * R)
            else:
                g_th = -(GS * sig)
            g_theta = _sum_to(g_th, theta.shape)
        return g_x, g_beta, g_theta, g_weight, None, None, None
