"""The Loihi fixed-point grid, defined once: what training fake-quantises to (``train/quant.py``)
and what ``quantize.py`` reproduces **exactly** (no re-rounding) for values already on it.

Pure numpy/math, no Lava and no torch: both sides import it. All quantities are per neuron
layer (population) with threshold ``theta`` (per neuron allowed: rows are normalised by
their own ``theta``); Lava works on the normalised voltage ``v' = v / theta``.

**Weights** into a layer (its feed-forward Linear/Conv, and an RLeaky's recurrent Linear)::

    w = theta * m * 2**e,        m integer in [-127, 127] (8-bit signed mantissa),
    e = max(E_MIN, ceil(log2(max|w / theta| / 127)))      (one exponent per weight tensor)

i.e. the normalised weight ``w' = w / theta`` is an 8-bit mantissa times a power of two
(the *step* of the layer is ``s = theta * 2**e``). ``E_MIN = -11`` keeps the state scale
below (see next) at most ``2**12 = quantize.V_MAX``.

**Lava's state scale and threshold.** A population whose incoming weights are all on the grid,
with finest exponent ``e_min``, gets the state scale ``V = 2**(1 - e_min)`` (Dense inputs;
``2**(-e_min)`` if a Conv feeds it, Conv has no exponent), ``vth = V`` and ``v = 64 V v'``.
Then every effective weight ``V w' = 2 m 2**(e - e_min)`` is an even integer, i.e. an 8-bit
mantissa ``m`` with ``weight_exp = e - e_min`` (Lava's 8-bit mixed-sign weights are the even
values of a 9-bit field), bit-exact. In units of the finest step, the threshold is the integer
``theta / s = V / 2 = 2**(-e_min)``.

**Biases** (a Linear's bias ``b``, normalised ``b' = b / theta``) step by half the weight step::

    b = theta * k * 2**(e - 1)      (= theta * k / V for the layer's own V)

with ``k`` in [-4096, 4095] (Lava's 13-bit ``bias_mant`` at ``bias_exp = 6``) when the bias
enters ``v`` (LIF), and ``k`` in [-127, 127] when it enters the synaptic current ``u``
(CubaLIF / snnTorch ``Synaptic``: an 8-bit 'ones' Dense, see ``quantize.py``).

**Decays** on Lava's 12-bit grid: ``dv = 4096 (1 - beta)``, ``du + 1 = 4096 (1 - alpha)``::

    beta  <- 1 - round(4096 (1 - beta)) / 4096,   clipped to [1/4096, 1]      (dv in [0, 4095])
    alpha <- 1 - round(4096 (1 - alpha)) / 4096,  clipped to [0, 4095/4096]   (du in [0, 4095])
"""

from __future__ import annotations

import math

import numpy as np

E_MIN = -11  # V = 2**(1 - e) <= 2**12
DECAY_UNITY = 4096  # 12-bit decays
BIAS_V_MAX = 4095  # 13-bit bias mantissa (into v)
BIAS_U_MAX = 127  # 8-bit 'ones' Dense (into u)
TOLERANCE = 1e-3  # |x/step - round(x/step)| accepted as "on the grid" (float32 round trips)


def mant_max(bits: int = 8) -> int:
    return 2 ** (int(bits) - 1) - 1


def weight_exponent(peak: float, bits: int = 8) -> int:
    """``e`` for a tensor whose largest normalised magnitude is ``peak`` (``E_MIN`` for zeros)."""
    if not peak > 0:
        return E_MIN
    return max(E_MIN, math.ceil(math.log2(peak / mant_max(bits))))


def state_scale(e_min: int, conv: bool = False) -> int:
    """Lava's ``V`` (= ``vth``) for a population whose finest incoming weight exponent is ``e_min``."""
    return 2 ** (-e_min if conv else 1 - e_min)


def snap_beta(beta: np.ndarray) -> np.ndarray:
    """Membrane decay onto the 12-bit ``dv`` grid: ``1 - round(4096 (1 - beta)) / 4096``."""
    k = np.clip(np.round(DECAY_UNITY * (1.0 - np.asarray(beta, dtype=np.float64))), 0, DECAY_UNITY - 1)
    return 1.0 - k / DECAY_UNITY


def snap_alpha(alpha: np.ndarray) -> np.ndarray:
    """Synaptic decay onto the 12-bit ``du + 1`` grid: ``1 - round(4096 (1 - alpha)) / 4096``."""
    k = np.clip(np.round(DECAY_UNITY * (1.0 - np.asarray(alpha, dtype=np.float64))), 1, DECAY_UNITY)
    return 1.0 - k / DECAY_UNITY


def detect_exponent(values: np.ndarray, bits: int = 8, tol: float = TOLERANCE) -> int | None:
    """The grid exponent ``e`` of normalised weights already on the grid, else None.

    ``e`` is the one training picks (the smallest ``e >= E_MIN`` whose mantissas fit), and the
    values must be integer multiples of ``2**e`` up to ``tol`` (float32 round trips through NIR
    leave relative errors ~1e-7). All-zero weights return ``E_MIN`` (they fit every grid).
    """
    values = np.asarray(values, dtype=np.float64)
    e = weight_exponent(float(np.abs(values).max(initial=0.0)), bits)
    m = values / 2.0**e
    if np.abs(m).max(initial=0.0) > mant_max(bits) + tol or np.abs(m - np.round(m)).max(initial=0.0) > tol:
        return None
    return e
