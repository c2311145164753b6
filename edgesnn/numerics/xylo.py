"""Xylo IMU's grid: decays are ``1 − 2^−dash`` (dash 1..15), weights 8-bit per neuron row.

A decay factor ``keep`` (snnTorch's β or α, ``1 − dt/τ`` in NIR terms) becomes the shift
``dash = clip(round(log2 1/(1 − keep)), 1, 15)`` (``keep = 1``, no leak: 15, the slowest decay
the chip has), and back ``keep = 1 − 2^−dash``. Training snaps to it (``edgesnn.train.quant_xylo``)
and the Xylo backend lowers with it, so a model trained for ``xylo-imu`` keeps its decays.
"""

from __future__ import annotations

import numpy as np

MAX_DASH = 15
MAX_WEIGHT = 127  # 8-bit weights
MAX_THRESHOLD = 2**15 - 1  # 16-bit thresholds and biases


def dash_of(keep) -> np.ndarray:
    """``clip(round(log2 1/(1 − keep)), 1, 15)`` as int64."""
    leak = np.clip(1.0 - np.asarray(keep, np.float64), 2.0**-MAX_DASH, 1.0)
    return np.clip(np.rint(-np.log2(leak)), 1, MAX_DASH).astype(np.int64)


def keep_of(dash) -> np.ndarray:
    """``1 − 2^−dash``."""
    return 1.0 - 2.0 ** -np.asarray(dash, np.float64)


def snap_keep(keep) -> np.ndarray:
    """``keep`` on the grid: ``keep_of(dash_of(keep))``."""
    return keep_of(dash_of(keep))
