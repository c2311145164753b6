"""``spoken_digits`` augmentation: silence trimming, pink noise, and the noisy 1.0 s clip."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .speech_common import CLIP_SECONDS, GAIN_DB, MAX_SHIFT_S, SAMPLE_RATE, SNR_DB, SPEECH_RMS, TRIM_DB


def trim_silence(signal: np.ndarray, sr: int, top_db: float = TRIM_DB, frame_ms: float = 10.0) -> np.ndarray:
    """``signal`` without its leading/trailing frames more than ``top_db`` below the loudest frame."""
    hop = max(1, int(sr * frame_ms / 1000))
    n = math.ceil(signal.size / hop)
    energy = np.add.reduceat(signal**2, np.arange(n) * hop)
    if energy.max() <= 0:
        return signal[:0]
    loud = np.flatnonzero(energy >= energy.max() * 10 ** (-top_db / 10))
    return signal[loud[0] * hop : min(signal.size, (loud[-1] + 1) * hop)]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.mean(x**2))


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-power 1/f noise of ``n`` samples (white Gaussian spectrum shaped by ``1/sqrt(f)``)."""
    m = n // 2 + 1
    spec = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    f = np.arange(m, dtype=np.float64)
    f[0] = 1.0
    spec /= np.sqrt(f)
    spec[0] = 0.0
    return _unit(np.fft.irfft(spec, n))


def augment(
    speech: np.ndarray, rng: np.random.Generator, snr_choices: Sequence[float] = SNR_DB, sr: int = SAMPLE_RATE
) -> tuple[np.ndarray, dict]:
    """A 1.0 s noisy clip from a trimmed word: random shift, white+pink noise at a drawn SNR, random gain."""
    n = int(round(CLIP_SECONDS * sr))
    speech = _unit(speech[:n]) * SPEECH_RMS
    offset = int(rng.integers(0, min(n - speech.size, int(MAX_SHIFT_S * sr)) + 1))
    snr = float(rng.choice(np.asarray(snr_choices, dtype=np.float64)))
    white_share = float(rng.uniform())
    noise = _unit(np.sqrt(white_share) * rng.standard_normal(n) + np.sqrt(1 - white_share) * pink_noise(n, rng))
    gain_db = float(rng.uniform(-GAIN_DB, GAIN_DB))
    clip = noise * (SPEECH_RMS / 10 ** (snr / 20))
    clip[offset : offset + speech.size] += speech
    clip *= 10 ** (gain_db / 20)
    return clip, {"snr_db": snr, "gain_db": gain_db, "shift_ms": 1000.0 * offset / sr, "white_share": white_share}
