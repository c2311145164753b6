"""The judge of a Xylo export: the chip's integer arithmetic, re-implemented in numpy.

Parity must not trust the simulator under test, so edgesnn steps the specification itself,
batched, with the semantics read from xylosim 0.1.3's C++ (``XyloLayer::evolve``,
``XyloIAFNeuron::evolve``) and checked bit for bit against ``XyloSim`` (Vmem, Isyn, spikes).
Per step, ``sat(x) = clip(x, -2^15, 2^15 - 1)``::

    1. input events  c_i = min(x[t, i], 15), channels in index order:
                     isyn = sat(isyn + c_i · (w_in[i] << shift_in))
    2. recurrent     the same with the previous step's hidden counts min(s_j, 31), w_rec
    3. to outputs    the same with the previous step's hidden counts, w_out (last OEN neurons)
    4. decay         d(v, k) = v >> k (floor), but 1 when that is 0 and v > 0
                     isyn -= d(isyn, dash_syn)
    5. membrane      dv = wrap16(-d(v, dash_mem)); dv = sat(dv + isyn); dv = sat(dv + bias)
                     v = sat(v + dv)
    6. spikes        while v >= θ (at most 31 per step; 1 for outputs): count one, v -= θ

The adds of step 1–3 saturate one presynaptic source at a time, so their order matters; when
no partial sum leaves int16 (the usual case) the total is added at once, else the batch rows
concerned are replayed one source at a time.
"""

from __future__ import annotations

import numpy as np

from ...nir.result import RunResult
from .spec import INT16, MAX_HIDDEN_SPIKES, MAX_INPUT_EVENTS, XyloSpec

LO, HI = INT16


def sat(x: np.ndarray) -> np.ndarray:
    return np.clip(x, LO, HI)


def wrap16(x: np.ndarray) -> np.ndarray:
    return ((np.asarray(x, np.int64) + 2**15) % 2**16) - 2**15


def decay(v: np.ndarray, dash: np.ndarray) -> np.ndarray:
    dv = v >> dash
    return np.where((dv == 0) & (v > 0), 1, dv)


def deliver(isyn: np.ndarray, counts: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``isyn [B, N] ← sat(isyn + counts[:, p] · w[p])`` for p in order (``counts [B, P]``, ``w [P, N]``)."""
    if not counts.any():
        return isyn
    terms = counts[:, :, None] * w[None]  # [B, P, N]
    partial = isyn[:, None, :] + np.cumsum(terms, axis=1)
    exact = (partial.min(axis=(1, 2)) >= LO) & (partial.max(axis=(1, 2)) <= HI)
    out = isyn + terms.sum(axis=1)
    for b in np.flatnonzero(~exact):  # some partial sum saturated: replay this row in order
        row = isyn[b].copy()
        for p in np.flatnonzero(counts[b]):
            row = sat(row + terms[b, p])
        out[b] = row
    return out


def fire(v: np.ndarray, th: np.ndarray, max_spikes: int) -> tuple[np.ndarray, np.ndarray]:
    """Spike counts ``k = clip(floor(v / θ), 0, max)`` for θ > 0 (the ``while v >= θ`` loop), ``v -= k θ``."""
    positive = th > 0
    k = np.where(positive, np.clip(np.floor_divide(v, np.where(positive, th, 1)), 0, max_spikes), 0)
    if not positive.all():  # θ <= 0: the loop fires until the budget is spent
        k = np.where(positive, k, np.where(v >= th, max_spikes, 0))
    return wrap16(v - k * th), k


def _layer_step(isyn, v, dash_syn, dash_mem, th, bias, max_spikes):
    isyn = isyn - decay(isyn, dash_syn)
    dv = sat(wrap16(-decay(v, dash_mem)) + isyn)
    if bias is not None:
        dv = sat(dv + bias)
    v, k = fire(sat(v + dv), th, max_spikes)
    return isyn, v, k


def simulate(spec: XyloSpec, x: np.ndarray, record: bool = False) -> RunResult:
    """Run ``x [T, B, Nin]`` (non-negative integer event counts) through ``spec``; output spikes
    ``[T, B, Nout]`` and, with ``record``, hidden spike counts under ``spec.meta["hidden"]``."""
    T, B, n_in = x.shape
    n_hid, n_out = spec.weights_rec.shape[0], spec.weights_out.shape[1]
    i64 = np.int64
    w_in = np.zeros((n_in, n_hid), i64)
    w_in[: spec.weights_in.shape[0], : spec.weights_in.shape[1]] = wrap16(
        spec.weights_in.astype(i64) << int(spec.weight_shift_in)
    )
    w_rec = wrap16(spec.weights_rec.astype(i64) << int(spec.weight_shift_rec))
    w_out = np.zeros((n_hid, n_out), i64)
    w_out[n_hid - spec.weights_out.shape[0] :] = wrap16(spec.weights_out.astype(i64) << int(spec.weight_shift_out))
    has_bias = bool(np.any(spec.bias != 0) or np.any(spec.bias_out != 0))
    bias, bias_out = (spec.bias.astype(i64), spec.bias_out.astype(i64)) if has_bias else (None, None)
    isyn, v, spk = (np.zeros((B, n_hid), i64) for _ in range(3))
    isyn_o, v_o = np.zeros((B, n_out), i64), np.zeros((B, n_out), i64)
    counts = np.minimum(np.asarray(x, i64), MAX_INPUT_EVENTS)
    out = np.zeros((T, B, n_out), np.float32)
    hidden = np.zeros((T, B, n_hid), np.float32) if record else None
    for t in range(T):
        prev = np.minimum(spk, MAX_HIDDEN_SPIKES)
        isyn = deliver(deliver(isyn, counts[t], w_in), prev, w_rec)
        isyn_o = deliver(isyn_o, prev, w_out)
        isyn, v, spk = _layer_step(isyn, v, spec.dash_syn, spec.dash_mem, spec.threshold, bias, MAX_HIDDEN_SPIKES)
        isyn_o, v_o, k = _layer_step(isyn_o, v_o, spec.dash_syn_out, spec.dash_mem_out, spec.threshold_out, bias_out, 1)
        out[t] = k
        if record:
            hidden[t] = spk
    return RunResult(output=out, records=spec.records(hidden, out) if record else {})
