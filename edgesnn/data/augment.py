"""Training-time augmentation of time series: new variants of each training series every epoch.

A model that must recognise unseen speakers, wearers or sensors learns from the few it has
seen; drawing a slightly different version of every training series at every epoch (shifted,
stretched, louder in some channels, noisier, partly masked) stops it from memorising them.
Only training batches are augmented: validation, test, export and the runner see the data as is.

For a series ``x [B, C, L]`` (after scaling), per sample ``b`` (all draws uniform, from the
batch's own ``rng``)::

    time warp     x'[b, :, t] = x[b, :, p_b(t)],  p_b(t) = (t − c)·f_b + c − k_b,  c = (L − 1)/2,
                  linear interpolation between neighbouring frames, p clipped to [0, L − 1]
                  (the edge frames repeat): stretch f_b = exp(u), u ∈ [−stretch, stretch],
                  shift k_b ∈ {−shift, …, shift} frames (k > 0 moves the series later)
    channel gain  x'[b, c, :] ·= exp(g_bc),  g_bc ∈ [−gain, gain]
    noise         x' += σ·n,  n ~ N(0, 1) per value,  σ = noise (in the scaled units)
    masks         one band of w_f ∈ {0, …, freq_mask} consecutive channels and one span of
                  w_t ∈ {0, …, time_mask} frames set to 0 (zero current: no input there)

in that order (SpecAugment's masks, Park et al. 2019, and the time shift / stretch / gain /
noise of speech and IMU augmentation). With every parameter 0 the batch is returned unchanged.
Variable-length series are augmented over their padded window (padding stays zero current
except where a warp moves the series end).

The hyper-parameters are ``aug_shift``, ``aug_stretch``, ``aug_gain``, ``aug_noise``,
``aug_freq_mask``, ``aug_time_mask`` (``hparams.TRAINING``); ``SeriesAugment.from_hp`` reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..errors import UsageError

#: hyper-parameter name -> SeriesAugment field
HP_KEYS = {
    "aug_shift": "shift",
    "aug_stretch": "stretch",
    "aug_gain": "gain",
    "aug_noise": "noise",
    "aug_freq_mask": "freq_mask",
    "aug_time_mask": "time_mask",
}
#: the hyper-parameters' defaults (all off) and valid ranges, in ``models/hparams.py``'s RANGES form
AUGMENT_DEFAULTS: dict[str, Any] = {
    "aug_shift": 0,
    "aug_stretch": 0.0,
    "aug_gain": 0.0,
    "aug_noise": 0.0,
    "aug_freq_mask": 0,
    "aug_time_mask": 0,
}
AUGMENT_RANGES: dict[str, tuple[str, float | None, float | None, bool]] = {
    "aug_shift": ("int", 0, None, False),
    "aug_stretch": ("float", 0.0, 1.0, False),
    "aug_gain": ("float", 0.0, 2.0, False),
    "aug_noise": ("float", 0.0, None, False),
    "aug_freq_mask": ("int", 0, None, False),
    "aug_time_mask": ("int", 0, None, False),
}
#: the seed stream of augmentation draws: rng([seed, AUGMENT_STREAM, epoch, batch])
AUGMENT_STREAM = 4 * 10**6


def batch_rng(seed: int, epoch: int, batch: int) -> np.random.Generator:
    """The generator of training batch ``batch`` of ``epoch``'s augmentation draws: the SNN and its
    ANN twin take it alike, so both see the same variants."""
    return np.random.default_rng([seed, AUGMENT_STREAM, epoch, batch])


@dataclass(frozen=True)
class SeriesAugment:
    """Random variants of series batches ``[B, C, L]`` (see the module docstring for the maths)."""

    shift: int = 0
    stretch: float = 0.0
    gain: float = 0.0
    noise: float = 0.0
    freq_mask: int = 0
    time_mask: int = 0

    @classmethod
    def from_hp(cls, hp: dict) -> SeriesAugment:
        return cls(**{f: hp.get(k, 0) or 0 for k, f in HP_KEYS.items()})

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """An augmented copy of ``x [B, C, L]`` (float32); ``x`` itself is not changed."""
        if not self.active:
            return x
        x = np.asarray(x, dtype=np.float32)
        B, C, L = x.shape
        if self.shift or self.stretch:
            x = self._warp(x, rng)
        else:
            x = x.copy()
        if self.gain:
            x *= np.exp(rng.uniform(-self.gain, self.gain, (B, C, 1))).astype(np.float32)
        if self.noise:
            x += rng.normal(0.0, self.noise, x.shape).astype(np.float32)
        if self.freq_mask:
            x[_band(rng, B, C, self.freq_mask)[:, :, None].repeat(L, 2)] = 0.0
        if self.time_mask:
            x[_band(rng, B, L, self.time_mask)[:, None, :].repeat(C, 1)] = 0.0
        return x

    def _warp(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        B, _, L = x.shape
        factor = np.exp(rng.uniform(-self.stretch, self.stretch, B)) if self.stretch else np.ones(B)
        shift = rng.integers(-self.shift, self.shift + 1, B) if self.shift else np.zeros(B, dtype=np.int64)
        centre = (L - 1) / 2.0
        pos = (np.arange(L)[None, :] - centre) * factor[:, None] + centre - shift[:, None]
        pos = np.clip(pos, 0.0, L - 1.0)  # [B, L]
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, L - 1)
        frac = (pos - lo).astype(np.float32)[:, None, :]
        take = lambda i: np.take_along_axis(x, i[:, None, :].repeat(x.shape[1], 1), axis=2)  # noqa: E731
        return take(lo) * (1.0 - frac) + take(hi) * frac


def _band(rng: np.random.Generator, B: int, n: int, widest: int) -> np.ndarray:
    """``[B, n]`` masks: per sample one run of ``w ∈ {0..widest}`` consecutive True (at most n)."""
    width = rng.integers(0, min(widest, n) + 1, B)
    start = rng.integers(0, n - width + 1)
    index = np.arange(n)[None, :]
    return (index >= start[:, None]) & (index < (start + width)[:, None])


def batch_augment(hp: dict, ds) -> Callable[[Any, np.random.Generator], Any] | None:
    """The augmentation ``hp`` asks for as ``f(batch, rng)`` on the model inputs of dataset ``ds``
    (a dict per named input for a multimodal set: only its series inputs are augmented); None when
    every ``aug_*`` is 0. UsageError when augmentation is asked for data with no time series."""
    aug = SeriesAugment.from_hp(hp)
    if not aug.active:
        return None
    series = [name for name, kind in ds.input_kinds.items() if kind == "timeseries"]
    if not series:
        asked = ", ".join(f"{k}={hp[k]}" for k in HP_KEYS if hp.get(k))
        raise UsageError(
            f"{asked}: augmentation applies to time series, and dataset '{ds.name}' has none ({ds.kind}); set them to 0"
        )
    if not ds.multimodal:
        return aug
    return lambda x, rng: {k: aug(v, rng) if k in series else v for k, v in x.items()}
