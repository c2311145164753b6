"""``spoken_digits`` audio front end: WAV input, resampling, log-mel and MFCC features.

Numpy only (scipy lazily, for WAV reading and resampling), never torch: ``read_wav`` and
``features`` are reusable by the on-device runner.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...errors import DataError, UsageError, did_you_mean
from .speech_common import (
    F_MAX,
    F_MIN,
    HOP_MS,
    KINDS,
    LOG_FLOOR,
    N_FFT,
    N_MELS,
    N_MFCC,
    PRE_EMPHASIS,
    SAMPLE_RATE,
    WIN_MS,
)

# ============================================================== WAV input


def read_wav(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """``(signal, sample_rate)``: a WAV file as float64 mono in [-1, 1] (channels averaged).

    Integer PCM is scaled by its full range (16-bit / 32768, ...), float WAVs are kept as they
    are. A missing file, or one ``scipy.io.wavfile`` cannot decode, raises ``DataError`` naming it.
    """
    from scipy.io import wavfile

    path = Path(path)
    if not path.is_file():
        raise DataError(f"WAV file '{path}' does not exist; give the path of a .wav file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            sr, data = wavfile.read(path)
    except Exception as exc:  # scipy raises ValueError, struct.error, EOFError... on bad files
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(f"cannot decode WAV file '{path}': {reason}; give a PCM or float .wav file") from None
    data = np.asarray(data)
    if data.dtype == np.uint8:
        signal = (data.astype(np.float64) - 128.0) / 128.0
    elif np.issubdtype(data.dtype, np.integer):
        signal = data.astype(np.float64) / float(2 ** (8 * data.dtype.itemsize - 1))
    else:
        signal = data.astype(np.float64)
    if signal.ndim == 2:
        signal = signal.mean(axis=1)
    if signal.size == 0:
        raise DataError(f"WAV file '{path}' holds no samples; give a non-empty recording")
    if not np.all(np.isfinite(signal)):
        raise DataError(f"WAV file '{path}' holds NaN/inf samples; give a clean recording")
    return signal, int(sr)


def to_sample_rate(signal: np.ndarray, sr: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """``signal`` resampled from ``sr`` to ``target`` Hz (polyphase, ``scipy.signal.resample_poly``)."""
    signal = np.asarray(signal, dtype=np.float64)
    if int(sr) == int(target):
        return signal
    from scipy.signal import resample_poly

    g = math.gcd(int(sr), int(target))
    up, down = int(target) // g, int(sr) // g
    return resample_poly(signal, up, down, window=_resample_filter(up, down))


@functools.lru_cache(maxsize=8)
def _resample_filter(up: int, down: int) -> np.ndarray:
    """The FIR low-pass ``resample_poly`` designs by default (Kaiser 5.0), designed once per ratio."""
    from scipy.signal import firwin

    rate = max(up, down)
    return firwin(2 * 10 * rate + 1, 1.0 / rate, window=("kaiser", 5.0))


# ============================================================== features (numpy only)


def hz_to_mel(hz):
    """HTK mel scale: ``2595 log10(1 + f / 700)``."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def mel_to_hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_band_edges(n_mels: int = N_MELS, f_min: float = F_MIN, f_max: float = F_MAX) -> np.ndarray:
    """``n_mels + 2`` frequencies (Hz) equally spaced in mel: band ``m`` spans ``[m]..[m+2]``, peak at ``[m+1]``."""
    return mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))


def mel_filterbank(
    sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS, f_min: float = F_MIN, f_max: float | None = F_MAX
) -> np.ndarray:
    """Triangular mel filters ``[n_mels, n_fft // 2 + 1]`` (peak 1, HTK style, no area normalisation)."""
    f_max = min(float(f_max or sr / 2), sr / 2)
    edges = mel_band_edges(n_mels, f_min, f_max)
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    lo, centre, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None, :] - lo) / (centre - lo)
    falling = (hi - freqs[None, :]) / (hi - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def dct_matrix(n_out: int, n_in: int) -> np.ndarray:
    """Orthonormal DCT-II ``[n_out, n_in]`` (same as ``scipy.fft.dct(..., norm='ortho')[:n_out]``)."""
    n = np.arange(n_in)
    k = np.arange(n_out)[:, None]
    mat = np.sqrt(2.0 / n_in) * np.cos(np.pi * k * (2 * n + 1) / (2 * n_in))
    mat[0] /= np.sqrt(2.0)
    return mat


def _frame_geometry(sr: int, win_ms: float, hop_ms: float) -> tuple[int, int, int]:
    win = int(round(sr * win_ms / 1000))
    hop = int(round(sr * hop_ms / 1000))
    n_fft = 1 << max(0, (win - 1).bit_length())
    return win, hop, n_fft


def log_mel(
    signal: np.ndarray,
    sr: int = SAMPLE_RATE,
    n_mels: int = N_MELS,
    *,
    win_ms: float = WIN_MS,
    hop_ms: float = HOP_MS,
    n_frames: int | None = None,
) -> np.ndarray:
    """Log mel energies ``[n_mels, frames]`` (float64) of a mono signal at ``sr`` Hz.

    ``frames = ceil(len / hop)`` (the last window is zero-padded): 50 for 1.0 s at a 20 ms hop.
    With ``n_frames`` the result is cropped to it or padded with zero columns.
    """
    x = np.asarray(signal, dtype=np.float64).reshape(-1)
    if x.size == 0:
        raise DataError("features: the signal has no samples")
    win, hop, n_fft = _frame_geometry(sr, win_ms, hop_ms)
    x = np.append(x[0], x[1:] - PRE_EMPHASIS * x[:-1])
    frames = max(1, math.ceil(x.size / hop))
    x = np.pad(x, (0, (frames - 1) * hop + win - x.size))
    idx = np.arange(win)[None, :] + hop * np.arange(frames)[:, None]
    spec = np.fft.rfft(x[idx] * np.hamming(win)[None, :], n=n_fft, axis=1)
    power = (spec.real**2 + spec.imag**2) / n_fft
    out = np.log(np.maximum(power @ mel_filterbank(sr, n_fft, n_mels).T, LOG_FLOOR)).T
    if n_frames is not None:
        out = out[:, :n_frames]
        out = np.pad(out, ((0, 0), (0, n_frames - out.shape[1])))
    return out


def mfcc_from_log_mel(logmel: np.ndarray, n_mfcc: int = N_MFCC) -> np.ndarray:
    """MFCC from log-mel ``[..., n_mels, frames]``: orthonormal DCT-II over the mel axis, first ``n_mfcc``."""
    logmel = np.asarray(logmel, dtype=np.float64)
    return np.einsum("km,...mt->...kt", dct_matrix(n_mfcc, logmel.shape[-2]), logmel)


def features(
    signal: np.ndarray,
    sr: int,
    kind: str = "mfcc",
    *,
    n_frames: int | None = None,
    n_mels: int = N_MELS,
    n_mfcc: int = N_MFCC,
    hop_ms: float = HOP_MS,
) -> np.ndarray:
    """float32 ``[n_features, frames]`` of a mono signal, exactly as ``spoken_digits`` computes them.

    The signal is first resampled to 16 kHz if ``sr`` differs. ``kind`` is ``"mfcc"`` (13
    coefficients) or ``"logmel"`` (32 bands); ``n_frames`` crops or zero-pads the frames (the
    dataset uses 1.0 s clips, i.e. 50 frames at the default 20 ms hop).
    """
    if kind not in KINDS:
        raise UsageError(f"unknown speech feature kind '{kind}'{_choices(kind, KINDS)}")
    lm = log_mel(to_sample_rate(signal, sr), SAMPLE_RATE, n_mels, hop_ms=hop_ms, n_frames=n_frames)
    if kind == "mfcc":
        pad = np.all(lm == 0.0, axis=0)  # zero-padded frames stay zero
        lm = mfcc_from_log_mel(lm, n_mfcc)
        lm[:, pad] = 0.0
    return lm.astype(np.float32)


def _choices(value: str, choices: Sequence[str]) -> str:
    return f"{did_you_mean(value, choices)}; choose from: {', '.join(choices)}"
