"""The per-row grid of integer neurons: every weight into neuron j, its bias and its threshold
are integers in units of one step 1/λ_j.

Training puts a row on the grid (``train/quant_rows.py``): ``s_j = θ_j / k_j`` with
``k_j = clip(floor(127 θ_j / peak_j), 1, 32767)``, so the largest weight is 64..127 steps and
θ_j exactly k_j steps. Export finds that step again from the trained values
(:func:`detect_row_scale`) so nothing is re-rounded; a row not trained on it gets λ_j = 127 / peak_j
(:func:`row_scale`). Used by the Xylo and the integer ONNX (``cortex-m``) lowerings.
"""

from __future__ import annotations

import math

import numpy as np


def row_scale(eff: np.ndarray, theta: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """λ per row: the row's own grid when it has one (``detect_row_scale``), else the largest
    weight becomes ±127 with θ within int16 (1 for an all-zero row)."""
    peak = np.abs(eff).max(axis=1, initial=0.0)
    lam = np.where(peak > 0, 127.0 / np.where(peak > 0, peak, 1.0), 1.0)
    cap = np.where(np.abs(theta) > 0, (2**15 - 1) / np.maximum(np.abs(theta), 1e-30), math.inf)
    found = detect_row_scale(eff, theta, bias)
    return np.where(np.isnan(found), np.minimum(lam, cap), found)


def detect_row_scale(eff: np.ndarray, theta: np.ndarray, bias: np.ndarray, tol: float = 1e-3) -> np.ndarray:
    """λ_j = k_j / θ_j for rows trained on Xylo's grid (``train/quant_xylo.py``: every weight and
    the bias a multiple of ``θ_j / k_j``, the largest 64..127 steps), NaN for the others. The
    largest weight is m steps for one m in 127..64, so ``k = m θ / peak``: the first m whose k
    puts the whole row (and θ, and the bias) on integers is the training's step."""
    theta = np.asarray(theta, np.float64)
    peak = np.abs(eff).max(axis=1, initial=0.0)
    found = np.full(len(eff), np.nan)
    usable = (peak > 0) & (theta > 0)
    safe_peak = np.where(usable, peak, 1.0)
    safe_theta = np.where(usable, theta, 1.0)

    def on_grid(x: np.ndarray) -> np.ndarray:
        return np.abs(x - np.rint(x)) < tol

    for m in range(127, 63, -1):
        k = np.rint(m * safe_theta / safe_peak)
        lam = k / safe_theta
        ok = usable & np.isnan(found) & (k >= 1) & (k <= 2**15 - 1) & (peak * lam <= 127 + tol)
        ok &= on_grid(eff * lam[:, None]).all(axis=1) & on_grid(bias * lam)
        found = np.where(ok, lam, found)
    return found


__all__ = ["detect_row_scale", "row_scale"]
