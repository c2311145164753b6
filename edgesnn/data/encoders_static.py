"""Static-sample encoders: ``static``, ``rate`` and ``latency`` repeat one sample over T steps.

They keep the feature shape: ``x [B, *features]`` -> ``[T, B, *features]`` float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .encoders_base import Encoder, _number


@dataclass(frozen=True)
class StaticEncoder(Encoder):
    """Current injection: the same analogue input every step, ``s[t, b] = x[b]`` for t < T.

    Accepts any finite values (a raw current), not only [0, 1].
    """

    name: ClassVar[str] = "static"
    unit_range: ClassVar[bool] = False

    def _encode(self, x, T, rng):
        return np.broadcast_to(x, (T, *x.shape))


@dataclass(frozen=True)
class RateEncoder(Encoder):
    """Bernoulli rate code: ``s[t, b, i] ~ Bernoulli(p)``, ``p = clip(gain * x[b, i], 0, 1)``,
    independent over steps, so ``E[s] = p`` and the spike count over T steps is Binomial(T, p).
    Draws come from the generator passed in (snnTorch's ``spikegen.rate`` with a seed).
    """

    name: ClassVar[str] = "rate"
    emits_spikes: ClassVar[bool] = True
    stochastic: ClassVar[bool] = True
    gain: float = 1.0

    def __post_init__(self) -> None:
        _number(self, "gain", 0.0, math.inf, lo_open=True, hi_open=True)

    def _encode(self, x, T, rng):
        p = np.clip(x * self.gain, 0.0, 1.0).astype(np.float32)
        return rng.random((T, *x.shape), dtype=np.float32) < p


@dataclass(frozen=True)
class LatencyEncoder(Encoder):
    """Linear time-to-first-spike code: one spike per feature, brighter = earlier.

    ``t_i = round((1 - x_i) * (T - 1))`` (round half to even), so ``x = 1`` fires at step 0
    and ``x -> 0`` at step ``T - 1``; features with ``x_i < threshold`` never fire. This is
    snnTorch's ``spikegen.latency(..., linear=True, normalize=True, clip=True)``
    (tau = T - 1, first_spike_time = 0), computed in float32 like it. Example T=5:
    x=[0.02, 0.5, 1] -> t=[4, 2, 0].
    """

    name: ClassVar[str] = "latency"
    emits_spikes: ClassVar[bool] = True
    threshold: float = 0.01

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, 1.0)

    def _encode(self, x, T, rng):
        flat = x.reshape(-1).astype(np.float32)  # float32 arithmetic, as the data and snnTorch
        out = np.zeros((T, flat.size), dtype=np.float32)
        fire = np.flatnonzero(flat >= np.float32(self.threshold))
        t = np.rint((np.float32(1.0) - flat[fire]) * np.float32(T - 1)).astype(np.int64)
        out[np.clip(t, 0, T - 1), fire] = 1.0
        return out.reshape(T, *x.shape)
