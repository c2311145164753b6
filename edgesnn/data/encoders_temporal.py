"""Time-series encoders: ``direct``, ``direct_delta``, ``delta``, ``level_crossing``, ``sigma_delta``.

A series ``[B, C, L]`` is taken frame by frame: ``[L, B, C]`` (direct) or ``[L, B, 2C]`` (up and
down spike channels), resampled to T frames when T is given (see each class for the maths).
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import ShapeError, UsageError
from .encoders_base import Encoder, _check_T, _flag, _number


def resample(x: np.ndarray, T: int) -> np.ndarray:
    """Linear interpolation of series ``x [B, C, L]`` onto ``T`` equally spaced points.

    Point ``k`` of the output sits at ``t_k = k (L - 1) / (T - 1)`` on the input's frame axis
    (``T = 1``: the first frame), so the first and last frames are kept and ``T = L`` is the
    identity. Used when a model runs a series with fewer (or more) steps than it has frames.
    """
    L = x.shape[-1]
    if T == L:
        return x
    pos = np.linspace(0.0, L - 1.0, T) if T > 1 else np.zeros(1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, L - 1)
    frac = pos - lo
    return x[..., lo] * (1.0 - frac) + x[..., hi] * frac


@dataclass(frozen=True)
class TemporalEncoder(Encoder):
    """Base of the encoders for time series ``x [B, C, L]``: the series is its own time axis.

    One frame per step, so ``T = L`` by default; asked for another ``T`` the series is first
    resampled linearly to ``T`` frames (``resample``). Output ``[T, B, *out]``. Static data
    (``[B, F]`` vectors, ``[B, C, H, W]`` images) has no time axis: refused with a ``ShapeError``
    (use static, rate or latency). Subclasses define the per-frame maths as a state machine,
    ``start(x0)`` and ``step(state, u_t) -> (state, out_t)``, so a stream can be encoded frame
    by frame (the on-device runner) with exactly the steps of ``encode`` on the whole series.
    """

    unit_range: ClassVar[bool] = False
    temporal: ClassVar[bool] = True
    #: output channels per input channel (up/down encoders: 2)
    fanout: ClassVar[int] = 1

    def steps(self, feature_shape, T):
        if len(feature_shape) != 2:
            raise ShapeError(
                f"encoder '{self.name}' needs time series x [B, C, L], got features {list(feature_shape)}; "
                "use static, rate or latency for static data"
            )
        return feature_shape[1] if T is None else _check_T(T, self.name)

    def out_shape(self, feature_shape):
        self.steps(feature_shape, None)
        return (feature_shape[0] * self.channel_factor,)

    @property
    def channel_factor(self) -> int:
        return self.fanout

    def _encode(self, x, T, rng):
        u = resample(x, T)  # [B, C, T]
        state = self.start(u[:, :, 0])
        out = []
        for t in range(T):
            state, s = self.step(state, u[:, :, t])
            out.append(s)
        return np.stack(out)

    def start(self, u0: np.ndarray) -> Any:
        """The encoder state before the first frame ``u0 [B, C]``."""
        return None

    @abc.abstractmethod
    def step(self, state: Any, u: np.ndarray) -> tuple[Any, np.ndarray]:
        """One frame ``u [B, C]`` -> (new state, this step's output ``[B, C·fanout]``)."""


@dataclass(frozen=True)
class DirectEncoder(TemporalEncoder):
    """Direct (current) input of a time series: step ``t`` gets frame ``t``, ``s[t, b] = x[b, :, t]``.

    The neurons of the first layer integrate the sensor values as input current; no spikes
    are made by the encoder. Padded frames of a variable-length series are zero: no current.
    """

    name: ClassVar[str] = "direct"
    #: the input's quantisation step (an ADC's LSB, a power of two for a fixed-point chip):
    #: frames become ``clip(round(x / step), -127, 127) · step``; None: not quantised
    step_size: float | None = None

    def __post_init__(self) -> None:
        if self.step_size is not None:
            _number(self, "step_size", 0.0, math.inf, lo_open=True, hi_open=True)

    def _quantize(self, u: np.ndarray) -> np.ndarray:
        if self.step_size is None:
            return u
        return np.clip(np.round(u / self.step_size), -INPUT_LEVELS, INPUT_LEVELS) * self.step_size

    def _encode(self, x, T, rng):
        return self._quantize(resample(x, T).transpose(2, 0, 1))

    def step(self, state, u):
        return state, self._quantize(u)


@dataclass(frozen=True)
class DirectDeltaEncoder(DirectEncoder):
    """Direct input of each frame and of its change (delta features), ``[T, B, 2C]``::

        s[t, b] = concat(x[b, :, t], g ⊙ (x[b, :, t] − x[b, :, t−1])),    x[·, ·, −1] = x[·, ·, 0]

    (no change before the first frame). The first-order difference is what speech front ends
    append to cepstra (ΔMFCC) and IMU pipelines to accelerations (jerk); here it is causal, one
    frame of memory, so a stream is encoded reading by reading. ``delta_scale`` ``g`` (one per
    channel) puts the changes on the frames' footing: ``fit_delta_scale`` sets
    ``g_c = 1 / std(Δx_c)`` over the training frames, so the changes, like the z-scored frames,
    have unit variance (without it the smaller changes of a slow channel drive the first layer
    far less than its level, and the model learns less from them: 93.4 vs 95.0 % on
    spoken_digits, seed 0). None: ``g = 1``. After a padded series ends the change is one step
    of ``−g·x_last``, then zero.
    """

    name: ClassVar[str] = "direct_delta"
    fanout: ClassVar[int] = 2
    delta_scale: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.delta_scale is not None:
            g = np.asarray(self.delta_scale, dtype=np.float64).reshape(-1)
            if g.size == 0 or not np.all(np.isfinite(g)) or np.any(g <= 0):
                raise UsageError(
                    f"encoder 'direct_delta': delta_scale must be positive numbers, got {self.delta_scale}"
                )
            object.__setattr__(self, "delta_scale", tuple(float(v) for v in g))

    def _gain(self, channels: int) -> np.ndarray:
        """``g`` as ``[C]`` (ones when unfitted)."""
        if self.delta_scale is None:
            return np.ones(channels)
        if len(self.delta_scale) != channels:
            raise ShapeError(
                f"encoder 'direct_delta' was fitted to {len(self.delta_scale)} channels; this series has {channels}"
            )
        return np.asarray(self.delta_scale)

    def _encode(self, x, T, rng):
        u = resample(x, T)  # [B, C, T]
        prev = np.concatenate([u[..., :1], u[..., :-1]], axis=-1)
        delta = self._gain(u.shape[1])[:, None] * (u - prev)
        return self._quantize(np.concatenate([u, delta], axis=1).transpose(2, 0, 1))

    def start(self, u0):
        return u0

    def step(self, prev, u):
        return u, self._quantize(np.concatenate([u, self._gain(u.shape[1]) * (u - prev)], axis=1))


def fit_delta_scale(encoder: DirectDeltaEncoder, x: np.ndarray) -> DirectDeltaEncoder:
    """``encoder`` with ``delta_scale`` ``g_c = 1 / std(Δx_c)`` over the training series ``x [N, C, L]``
    (every frame change of channel c; a channel that never changes keeps g = 1)."""
    from dataclasses import replace

    d = np.diff(np.asarray(x, dtype=np.float64), axis=-1)
    std = d.transpose(1, 0, 2).reshape(d.shape[1], -1).std(axis=1) if d.size else np.zeros(x.shape[1])
    return replace(encoder, delta_scale=tuple(float(1.0 / s) if s > 0 else 1.0 for s in std))


#: signed 8-bit input levels of a fixed-point chip (Loihi's graded input, an 8-bit ADC)
INPUT_LEVELS = 127


def input_grid(peak: float) -> float:
    """The finest power-of-two step that holds ``±peak`` in ``INPUT_LEVELS`` levels:
    ``2^-floor(log2(127 / peak))``. A fixed-point runtime that scales its input by the power of
    two fitted to the data it sees (≤ ``peak`` after clipping) then represents every quantised
    frame exactly."""
    return 1.0 if peak <= 0 else float(2.0 ** -math.floor(math.log2(INPUT_LEVELS / peak)))


def _up_down(up: np.ndarray, down: np.ndarray | None) -> np.ndarray:
    return up if down is None else np.concatenate([up, down], axis=1)


@dataclass(frozen=True)
class DeltaEncoder(TemporalEncoder):
    """Change (send-on-delta) code: ``d[t] = x[t] - x[t-1]`` with ``d[0] = 0`` (no change before
    the first frame); ``on[t] = d[t] > θ``, ``off[t] = -d[t] > θ``. Output ``[T, B, 2C]`` =
    ``concat(on, off)`` along channels (``[T, B, C]`` of on-spikes only when ``off_spikes=False``).
    The threshold is in the units of x (after preprocessing: a fraction of the training range).
    """

    name: ClassVar[str] = "delta"
    emits_spikes: ClassVar[bool] = True
    threshold: float = 0.1
    off_spikes: bool = True

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, math.inf, hi_open=True)
        _flag(self, "off_spikes")

    @property
    def channel_factor(self) -> int:
        return 2 if self.off_spikes else 1

    def start(self, u0):
        return u0

    def step(self, prev, u):
        d = u - prev
        return u, _up_down(d > self.threshold, (-d > self.threshold) if self.off_spikes else None)


@dataclass(frozen=True)
class LevelCrossingEncoder(TemporalEncoder):
    """Level-crossing (asynchronous delta modulator) code with up and down channels.

    A reference level ``r`` starts at the first frame, ``r[0] = x[0]``. At each step, with
    ``e[t] = x[t] - r[t-1]``: ``up[t] = e[t] ≥ θ``, ``down[t] = -e[t] ≥ θ`` and the reference
    moves one level towards the signal, ``r[t] = r[t-1] + θ·(up[t] - down[t])``. Unlike
    ``delta`` (which compares consecutive samples and misses a slow drift smaller than θ per
    step), every crossing of a level ``r[0] + kθ`` is reported, at most one per step (a faster
    change is reported over the following steps: the encoder is slew-limited to θ per step).
    The reconstruction ``r[t]`` stays within θ of ``x[t]`` whenever ``|x[t] - x[t-1]| ≤ θ``.
    Output ``[T, B, 2C]`` = ``concat(up, down)``. The front end of event-based IMU and audio chips.
    """

    name: ClassVar[str] = "level_crossing"
    emits_spikes: ClassVar[bool] = True
    fanout: ClassVar[int] = 2
    threshold: float = 0.05

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, math.inf, lo_open=True, hi_open=True)

    def start(self, u0):
        return u0.copy()

    def step(self, ref, u):
        e = u - ref
        up, down = e >= self.threshold, -e >= self.threshold
        return ref + self.threshold * (up.astype(np.float64) - down), _up_down(up, down)


@dataclass(frozen=True)
class SigmaDeltaEncoder(TemporalEncoder):
    """First-order sigma-delta modulator with up and down channels (signed pulse density).

    An integrator accumulates the signal minus the pulses already sent:
    ``v[t] = v[t-1] + x[t]``; ``up[t] = v[t] ≥ θ``, ``down[t] = v[t] ≤ -θ``;
    ``v[t] ← v[t] - θ·(up[t] - down[t])`` (``v[-1] = 0``). The pulse density tracks the signal,
    ``Σ_{t<n} (up - down)·θ = Σ_{t<n} x[t] - v[n-1]`` with ``|v| < θ`` whenever ``|x| ≤ θ``, so a
    window's spike count estimates the integral of x to within one pulse. With data in [0, 1]
    (the default preprocessing) only the up channel fires, at rate ``≈ x/θ`` for ``x ≤ θ``.
    Output ``[T, B, 2C]``.
    """

    name: ClassVar[str] = "sigma_delta"
    emits_spikes: ClassVar[bool] = True
    fanout: ClassVar[int] = 2
    threshold: float = 0.5

    def __post_init__(self) -> None:
        _number(self, "threshold", 0.0, math.inf, lo_open=True, hi_open=True)

    def start(self, u0):
        return np.zeros_like(u0)

    def step(self, v, u):
        v = v + u
        up, down = v >= self.threshold, v <= -self.threshold
        return v - self.threshold * (up.astype(np.float64) - down), _up_down(up, down)
