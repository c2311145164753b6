"""Explicit Loihi fixed-point quantisation of a float ``Plan`` (target ``loihi2``), with its error.

Lava's bit-accurate models (``fixed_pt``) compute, per population, in integers::

    a_in = (sum_j w_ij s_j) << weight_exp            Dense (Conv has no exponent)
    u    = u * (4096 - (du + 1)) >> 12  +  a_in << 6  (24-bit, wraps)
    v    = v * (4096 - dv) >> 12  +  u  +  bias_mant << bias_exp   (24-bit, saturates)
    s    = v > vth << 6  (>= for IF);  reset

A population gets an integer **state scale** ``V`` (its threshold ``vth = V``): the normalised
voltage is ``v' = v / (64 V)``, so ``v' > 1`` is exactly ``v > vth << 6`` and every incoming
weight is ``V * w'`` in ``a_in`` units. The choices, all per layer:

* **weights**: 8-bit signed mantissa ``m`` in [-128, 127] and one shared exponent per Dense:
  ``w_eff = 2 m * 2**weight_exp`` (Lava keeps even values of its 9-bit field for mixed-sign
  8-bit weights), ``weight_exp`` in [-8, 7], the smallest that holds the largest weight.
  Conv has no exponent in Lava (``w_eff = m``).
* **V** is the largest integer (at most 2**12) for which the weights into the population fit
  without an exponent: ``V <= 254 sigma_in / max|w'|`` (Dense), ``127 sigma_in / max|w'|``
  (Conv); ``sigma_in`` is the integer scale of the input (1 for spikes). Effective weights are
  then integers in [-256, 254], which is what a lava-dl netx file holds. Values beyond the
  range (``V`` would be < 1, or an exponent beyond 7) are **clipped**, counted and reported
  (``clipped``, ``max_abs_err``, ``rel_err`` per layer) - never silently. 2**12 keeps
  ``64 V |v'|`` inside the 24-bit state for ``|v'| < 32`` and below the gate current of
  recurrent layers.
* **on-grid weights** (``grid.py``; what hardware-aware training for ``loihi2`` produces) are
  kept, not re-rounded: when every connection into a population holds normalised weights
  ``m 2**e`` (8-bit ``m``, per-connection ``e``, detected up to float32 noise, then snapped),
  the population takes ``V = 2**(1 - e_min)`` (``2**(-e_min)`` with a Conv input) instead of
  the largest fitting integer, so every effective weight is ``2 m 2**(e - e_min)`` exactly
  (``weight_exp = e - e_min``) and ``max_abs_err = rel_err = 0``; per population the report
  says ``on_grid``. A graded input sent as ``round(x X)`` counts ``e - log2 X`` instead of
  ``e`` (up to ``V = 2**14``, |v'| < 8 in the 24-bit state), so its sums are exact integers too, not floored by a negative
  ``weight_exp`` every step (``on_grid``). Anything else (off-grid weights, a chained pooling -> Conv input, a bias
  into ``u`` that would lower ``V``) takes the general rule below.
* **decays**: 12 bits, ``dv = round(4096 alpha)``, ``du = round(4096 beta) - 1`` (Lava adds 1
  to ``du``); ``du = 1`` (no synaptic filter) is exactly 4095. Clipped to [0, 4095].
* **bias**: 13-bit signed mantissa, exponent 6 or 7: ``bias = mant << exp`` = ``64 V b'``
  (exponent >= 6 is Loihi's and netx's convention, so ``model.net`` holds the same integers);
  the bias resolution is therefore ``1/V`` of the threshold (``bias_max_abs_err``).
* **threshold**: ``vth = V`` (exact); readouts ``vth = 2**17 - 1`` (unreachable below
  saturation) with ``v' = v / (64 V)``.
* **reset** to zero (or the graph's subtract / none through ``EdgeLIF``), 24-bit state.
* **delays** (identity connections aligning a skip path, ``lower.py``): integer weight 1,
  exponent 0; they pass their source's integers unchanged and are transparent to the rules above.
* **input**: spikes (0/1) pass as they are; graded input is sent as integers
  ``round(x * X)``, ``X = 2**floor(log2(127 / max|x|))`` (8-bit graded spikes).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping

import numpy as np

from ...numerics.loihi import BIAS_V_MAX, DECAY_UNITY, TOLERANCE, detect_exponent, state_scale
from .plan import Connection, Plan

V_MAX = 2**12
V_MAX_GRID = 2**14  # on-grid populations fed by graded input (see on_grid): |v'| < 8 in 24 bits
VTH_MAX = 2**17 - 1
EXP_RANGE = (-8, 7)


def input_scale(x: np.ndarray | Mapping[str, np.ndarray]) -> float:
    """1 for binary spikes, else the power of two that maps ``max|x|`` into 8-bit integers.

    Several inputs (a dict name -> array) share one scale, fitted to all of them."""
    xs = [np.asarray(v) for v in (x.values() if isinstance(x, Mapping) else [x])]
    if all(np.isin(v, (0.0, 1.0)).all() for v in xs):
        return 1.0
    return _pow2_fit(max(float(np.abs(v).max(initial=0.0)) for v in xs))


def _err(target: np.ndarray, got: np.ndarray, clipped: int, unit: float) -> dict:
    norm = float(np.linalg.norm(target))
    diff = got - target
    return {
        "rel_err": float(np.linalg.norm(diff) / norm) if norm else 0.0,
        "max_abs_err": float(np.abs(diff).max(initial=0.0) / unit),
        "clipped": int(clipped),
    }


def quantize_dense(values: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Real ``a_in``-unit weights -> (even integers ``2m``, weight_exp, number clipped)."""
    peak = float(np.abs(values).max(initial=0.0))
    exp = 0 if peak == 0 else math.ceil(math.log2(peak / 127.0)) - 1
    exp = int(min(max(exp, EXP_RANGE[0]), EXP_RANGE[1]))
    m = np.round(values / 2.0 ** (exp + 1))
    clipped = int(((m < -128) | (m > 127)).sum())
    return (2 * np.clip(m, -128, 127)).astype(np.int64), exp, clipped


def quantize_conv(values: np.ndarray) -> tuple[np.ndarray, int]:
    m = np.round(values)
    clipped = int(((m < -128) | (m > 127)).sum())
    return np.clip(m, -128, 127).astype(np.int64), clipped


def _pow2_fit(peak: float, limit: float = 127.0) -> float:
    return 1.0 if peak == 0 else float(2.0 ** math.floor(math.log2(limit / peak)))


def quantize(plan: Plan, x: np.ndarray | None = None) -> tuple[Plan, dict]:
    """``(fixed-point plan, report)``; ``report`` has per-layer and per-population errors."""
    q = copy.deepcopy(plan)
    q.precision = "fixed_pt"
    q.input_scale = 1.0 if x is None else input_scale(x)
    sigma: dict[str, float] = {name: q.input_scale for name in q.inputs}
    caps: dict[str, float] = {}
    for c in q.connections.values():  # pass 1: output scales of chained connections, Conv caps on V
        s_in = sigma.get(q.origin(c.src), 1.0)  # delays carry their source's integers unchanged
        if c.delay:
            continue
        peak = float(np.abs(c.weight).max(initial=0.0))
        if c.dst in q.populations:
            if peak > 0:
                limit = 127.0 if c.kind == "conv" else 254.0
                caps[c.dst] = min(caps.get(c.dst, np.inf), limit * s_in / peak)
        else:
            sigma[c.name] = s_in * _pow2_fit(peak)
    scale = {name: max(1, int(min(V_MAX, caps.get(name, np.inf)))) for name in q.populations}
    grid = {name: on_grid(q, name, sigma) for name in q.populations}
    scale.update({name: g[0] for name, g in grid.items() if g is not None})
    for name, pop in q.populations.items():  # the 'ones' Dense of CubaLIF biases must fit too
        if pop.bias_u is not None and np.any(pop.bias_u):
            scale[name] = max(1, min(scale[name], int(254.0 / np.abs(pop.bias_u).max())))
        if grid[name] is not None and scale[name] != grid[name][0]:
            grid[name] = None
    for name, g in grid.items():  # snap float32 round-trip noise (~1e-7 relative) onto the grid
        for c_name, e in (g[1] if g is not None else {}).items():
            c = q.connections[c_name]
            c.weight = np.round(c.weight / 2.0**e) * 2.0**e
        if g is not None:
            pop = q.populations[name]
            pop.bias = _snap(pop.bias, scale[name])
            pop.bias_u = None if pop.bias_u is None else _snap(pop.bias_u, scale[name])
    report: dict = {"input_scale": q.input_scale, "layers": {}, "populations": {}}
    for c in q.connections.values():  # pass 2: integers
        s_in = sigma.get(q.origin(c.src), 1.0)
        if c.delay:
            c.weight, c.weight_exp, c.out_scale = np.round(c.weight).astype(np.int64), 0, s_in
            report["layers"][c.name] = {
                "kind": "delay",
                "weight_exp": 0,
                "scale": s_in,
                "rel_err": 0.0,
                "max_abs_err": 0.0,
                "clipped": 0,
            }
            continue
        out = scale[c.dst] if c.dst in q.populations else sigma[c.name]
        target = c.weight * out / s_in
        report["layers"][c.name] = _quantize_conn(c, target, out, s_in)
    for name, pop in q.populations.items():
        report["populations"][name] = {**_quantize_pop(pop, scale[name]), "on_grid": grid[name] is not None}
    report["clipped"] = sum(v["clipped"] for v in report["layers"].values()) + sum(
        v["clipped"] for v in report["populations"].values()
    )
    return q, report


def _snap(bias: np.ndarray, V: int) -> np.ndarray:
    """Biases within ``TOLERANCE`` of the ``1/V`` grid onto it (others are left to round)."""
    k = bias * V
    near = np.abs(k - np.round(k)) <= TOLERANCE
    return np.where(near, np.round(k) / V, bias)


def on_grid(plan: Plan, name: str, sigma: Mapping[str, float] | None = None) -> tuple[int, dict[str, int]] | None:
    """``(V, {connection: e})`` if every connection into population ``name`` is on the grid, else None.

    Only connections fed straight by a unit (population, input, itself) qualify. A graded input
    arrives as integers ``round(x X)`` (``sigma``: unit -> ``X``, a power of two), so its weights
    count ``X`` times finer: the first choice of ``V`` is ``grid.state_scale`` of the finest
    ``e - log2 X``, which makes every ``V w' / X`` an integer (no right shift flooring the sum of
    a graded input each step). Beyond ``V_MAX_GRID`` it falls back to the finest ``e`` (exact
    weights, the graded sum floored by ``weight_exp < 0``). A ``V`` is kept only if
    ``quantize_dense`` / ``quantize_conv`` then reproduce every ``V w' / X`` exactly.
    """
    into = [c for c in plan.connections.values() if c.dst == name]
    if not into or any(plan.origin(c.src) in plan.connections for c in into):
        return None
    exps = {c.name: detect_exponent(c.weight) for c in into}
    if any(e is None for e in exps.values()):
        return None
    scale_in = {c.name: (sigma or {}).get(plan.origin(c.src), 1.0) for c in into}
    conv = any(c.kind == "conv" for c in into)
    finest = min(e - math.log2(scale_in[n]) for n, e in exps.items())
    bias = float(np.abs(plan.populations[name].bias).max(initial=0.0))
    exact_sums = state_scale(math.floor(finest), conv)  # every V w' / X an integer
    exact_weights = state_scale(min(exps.values()), conv)  # every V w' an integer: V w' / X by an exponent
    for V, per_input in ((exact_sums, True), (exact_weights, False)):
        fits = V <= V_MAX_GRID and bias * 64 * V <= BIAS_V_MAX * 2**7
        if fits and all(_exact(c, exps[c.name], V / (scale_in[c.name] if per_input else 1.0)) for c in into):
            return V, exps
    return None


def _exact(c: Connection, e: int, gain: float) -> bool:
    """True if ``c``'s on-grid weights (exponent ``e``) times ``gain`` quantise with no error."""
    target = np.round(c.weight / 2.0**e) * 2.0**e * gain
    if c.kind == "dense":
        w, exp, clipped = quantize_dense(target)
        got = w * 2.0**exp
    else:
        got, clipped = quantize_conv(target)
    return not clipped and np.array_equal(got, target) and np.array_equal(target, np.round(target))


def _quantize_conn(c: Connection, target: np.ndarray, out: float, s_in: float) -> dict:
    if c.kind == "dense":
        w, exp, clipped = quantize_dense(target)
        got = w * 2.0**exp
    else:
        w, clipped = quantize_conv(target)
        exp, got = 0, w.astype(float)
    c.weight, c.weight_exp, c.out_scale = w, exp, out
    return {"kind": c.kind, "weight_exp": exp, "scale": out, **_err(target, got, clipped, out / s_in)}


def _quantize_pop(pop, V: int) -> dict:
    du = int(np.clip(round(pop.du * DECAY_UNITY) - 1, 0, DECAY_UNITY - 1))
    dv = int(np.clip(round(pop.dv * DECAY_UNITY), 0, DECAY_UNITY - 1))
    b = pop.bias * 64.0 * V
    peak = float(np.abs(b).max(initial=0.0))
    exp = 6 if peak <= BIAS_V_MAX * 64 else 7
    mant = np.round(b / 2.0**exp)
    clipped = int(((mant < -BIAS_V_MAX - 1) | (mant > BIAS_V_MAX)).sum())
    mant = np.clip(mant, -BIAS_V_MAX - 1, BIAS_V_MAX)
    info = {
        "vth": V,
        "du": du,
        "dv": dv,
        "du_err": abs((du + 1) / DECAY_UNITY - pop.du) if pop.du else 0.0,
        "dv_err": abs(dv / DECAY_UNITY - pop.dv),
        "bias_exp": exp,
        "bias_max_abs_err": float(np.abs(mant * 2.0**exp - b).max(initial=0.0) / (64.0 * V)),
    }
    if pop.bias_u is not None:
        wu, eu, cu = quantize_dense(pop.bias_u.reshape(-1, 1) * V)
        info["bias_u_rel_err"] = _err(pop.bias_u.reshape(-1, 1) * V, wu * 2.0**eu, cu, V)["rel_err"]
        clipped += cu
        pop.bias_u, pop.bias_u_exp = wu.reshape(pop.shape), eu
    pop.du, pop.dv = du, dv
    pop.bias, pop.bias_exp = mant.astype(np.int64), np.full(pop.shape, exp, dtype=np.int64)
    pop.vth = VTH_MAX if pop.readout else V
    pop.v_unit = 1.0 / (64.0 * V)
    info["clipped"] = clipped
    return info
