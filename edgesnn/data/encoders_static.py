"""Static-sample encoders: ``static``, ``rate``, ``frozen_rate`` and ``latency`` repeat one sample over T steps.

They keep the feature shape: ``x [B, *features]`` -> ``[T, B, *features]`` float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..errors import UsageError
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
class FrozenRateEncoder(Encoder):
    """Frozen Bernoulli pattern: ``s[t, b, i] = [u[t, i] < p[b, i]]``, ``p = clip(gain * x[b, i], 0, 1)``,
    where ``u [T, *features] ~ U[0, 1)`` is drawn once from ``default_rng(pattern_seed)`` and
    shared by every sample, epoch and device run.

    Each feature still fires with probability ``p`` per step over the draw of ``u`` (``E[s] = p``),
    but the code is a fixed function of the sample — the same image gives the same spike train
    in training, validation, export and the runner, like the MNIST lab's static spike data
    (between the repeated image and fresh Bernoulli draws). A brighter pixel's spikes are a
    superset of a dimmer one's at the same position (the thresholds ``u`` are shared).
    """

    name: ClassVar[str] = "frozen_rate"
    emits_spikes: ClassVar[bool] = True
    gain: float = 1.0
    pattern_seed: int = 0

    def __post_init__(self) -> None:
        _number(self, "gain", 0.0, math.inf, lo_open=True, hi_open=True)
        if isinstance(self.pattern_seed, bool) or not isinstance(self.pattern_seed, int) or self.pattern_seed < 0:
            raise UsageError(f"encoder 'frozen_rate': pattern_seed={self.pattern_seed!r} must be an integer >= 0")

    def _encode(self, x, T, rng):
        p = np.clip(x * self.gain, 0.0, 1.0).astype(np.float32)
        u = np.random.default_rng(self.pattern_seed).random((T, 1, *x.shape[1:]), dtype=np.float32)
        return u < p


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
