"""``spoken_digits``: the English words "zero".."nine" synthesised offline with espeak-ng.

Nothing is downloaded: every clip is spoken by the local ``espeak-ng`` (Debian package
``espeak-ng``; ``bash scripts/espeak.sh`` installs it) and turned into MFCC (default) or log-mel
features. The first load builds the set (15-40 s on 2 cores) and caches the features (26 MB);
later loads read the cache (< 1 s).

Recipe (defaults; every number below is a module constant or a ``load_spoken_digits`` argument)

- **Voices.** A *voice* is an espeak-ng voice **variant** (``+m3``, ``+f2``, ``+klatt``,
  ``+whisper``, ... all of ``espeak-ng --voices=variant``, plus ``default`` = no variant);
  variants whose audio is byte-identical to an earlier one (e.g. ``klatt6`` = ``klatt``, ``fast``
  = ``default``) are dropped. Each variant is spoken with an English **accent** voice of
  ``espeak-ng --voices=en`` (en-gb, en-us, en-gb-scotland, en-gb-x-rp, en-029, en-us-nyc, ...;
  MBROLA voices are skipped: they need the separate ``mbrola`` voices).
- **Grid.** Each variant speaks all ten words in ``COMBOS_PER_VARIANT`` = 4 (accent, speed,
  pitch) combinations: 4 distinct accents drawn at random, speed ``-s`` drawn from ``SPEEDS``
  (130..230 words/min; espeak-ng's default is 175) and pitch ``-p`` from ``PITCHES`` (20..80).
  With espeak-ng 1.51: 99 variants x 4 x 10 words = 3,960 clips, 396 per class.
- **Audio.** espeak-ng speaks the ten words of one (voice, speed, pitch) in a single call, as
  SSML sentences 600 ms apart, cut at the pauses (its start-up dominates the cost; one call per
  word when the pauses do not split cleanly, e.g. for echoing variants). The 22.05 kHz audio is
  resampled to 16 kHz (``scipy.signal.resample_poly``), leading/trailing silence trimmed (10 ms
  frames more than 40 dB below the loudest), the word scaled to an RMS of 0.05 and placed in a
  1.0 s canvas at a random offset of 0..100 ms (the few words longer than 1.0 s, slow echoing
  variants, lose their tail). Background noise fills the whole canvas: a random mix of white and
  pink (1/f) noise at an SNR drawn from ``SNR_DB`` = {20, 15, 10, 5} dB (relative to the power
  of the trimmed word); then a random gain of -6..+6 dB. All randomness comes from
  ``np.random.default_rng([seed, ...])`` per clip, so the set does not depend on scheduling
  (two builds give byte-identical files).
- **Features** (``features``): pre-emphasis 0.97, 25 ms Hamming frames every **20 ms** (a
  50 step sequence per 1.0 s clip, short enough for spiking models to run fast), 512-point
  power spectrum, 32 triangular HTK-mel filters 20 Hz..8 kHz, natural log (floor 1e-10); MFCC =
  the first 13 coefficients of the orthonormal DCT-II of the log-mel vector (c0 included).
  ``x`` is float32 ``[N, 13, 50]`` (mfcc) or ``[N, 32, 50]`` (logmel), kind ``timeseries``,
  values raw (``prepare`` fits the scaling on the training split). No padding: every clip is
  1.0 s (``features(..., n_frames=50)`` zero-pads shorter recordings, crops longer ones).
- **Official split** (``test_mask``): 20 % of the variants (chosen with the seed) are test-only,
  so the test accuracy is on voices never heard in training.

Cache: ``$EDGESNN_CACHE`` (default ``~/.cache/edgesnn``) holds ``spoken_digits-<key>.npz`` (log-mel
features, labels, test mask, per-clip voice/speed/pitch/SNR/gain/shift) and a JSON beside it
with the full recipe (espeak-ng version, voices, grid, seed), its SHA-256 and the SHA-256 of the
``.npz``; MFCC are derived from the cached log-mel at load time. A load that finds a corrupt or mismatching pair (or a different espeak-ng version)
rebuilds; both files are written atomically (temporary file + ``os.replace``). Without
espeak-ng a valid cache still loads.

``read_wav`` and ``features`` are reusable by the on-device runner: this module imports only
numpy (scipy lazily, for WAV reading and resampling), never torch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ...errors import (DataError, EdgeSNNWarning, RuntimeUnavailableError, UsageError, did_you_mean,
                       unknown_name)
from ...io import sha256_file
from ..dataset import Dataset

NAME = "spoken_digits"
CLASSES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
KINDS = ("mfcc", "logmel")
INSTALL_HINT = "sudo apt-get install espeak-ng (or bash scripts/espeak.sh)"

# ---- features
SAMPLE_RATE = 16_000
WIN_MS = 25.0
HOP_MS = 20.0
N_FFT = 512
N_MELS = 32
N_MFCC = 13
PRE_EMPHASIS = 0.97
F_MIN = 20.0
F_MAX = 8_000.0
LOG_FLOOR = 1e-10
CLIP_SECONDS = 1.0
N_FRAMES = int(round(CLIP_SECONDS * 1000 / HOP_MS))  # 50

# ---- synthesis grid and augmentation
SPEEDS = (130, 150, 175, 200, 230)
PITCHES = (20, 35, 50, 65, 80)
SNR_DB = (20.0, 15.0, 10.0, 5.0)
COMBOS_PER_VARIANT = 4
TEST_FRACTION = 0.2
SPEECH_RMS = 0.05
GAIN_DB = 6.0
MAX_SHIFT_S = 0.10
TRIM_DB = 40.0
SSML_BREAK_S = 0.6
SPLIT_GAP_S = 0.25
SPLIT_FLOOR_DB = 60.0
DEFAULT_VARIANT = "default"
#: bump when the build changes in a way the recipe does not capture (invalidates caches)
FORMAT = 1
PROGRESS_EVERY = 500


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


def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS,
                   f_min: float = F_MIN, f_max: float | None = F_MAX) -> np.ndarray:
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


def log_mel(signal: np.ndarray, sr: int = SAMPLE_RATE, n_mels: int = N_MELS, *,
            win_ms: float = WIN_MS, hop_ms: float = HOP_MS, n_frames: int | None = None) -> np.ndarray:
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
    power = (spec.real ** 2 + spec.imag ** 2) / n_fft
    out = np.log(np.maximum(power @ mel_filterbank(sr, n_fft, n_mels).T, LOG_FLOOR)).T
    if n_frames is not None:
        out = out[:, :n_frames]
        out = np.pad(out, ((0, 0), (0, n_frames - out.shape[1])))
    return out


def mfcc_from_log_mel(logmel: np.ndarray, n_mfcc: int = N_MFCC) -> np.ndarray:
    """MFCC from log-mel ``[..., n_mels, frames]``: orthonormal DCT-II over the mel axis, first ``n_mfcc``."""
    logmel = np.asarray(logmel, dtype=np.float64)
    return np.einsum("km,...mt->...kt", dct_matrix(n_mfcc, logmel.shape[-2]), logmel)


def features(signal: np.ndarray, sr: int, kind: str = "mfcc", *, n_frames: int | None = None,
             n_mels: int = N_MELS, n_mfcc: int = N_MFCC, hop_ms: float = HOP_MS) -> np.ndarray:
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


# ============================================================== espeak-ng

def espeak_executable() -> str:
    """Path of ``espeak-ng``; ``RuntimeUnavailableError`` (exit code 3) with the install command if absent."""
    path = shutil.which("espeak-ng")
    if path is None:
        raise RuntimeUnavailableError(
            f"{NAME}: espeak-ng is not installed (it synthesises the spoken digits offline); "
            f"install it with: {INSTALL_HINT}"
        )
    return path


def _run(args: list[str], timeout: float = 60.0) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise DataError(f"{NAME}: '{' '.join(args)}' did not finish in {timeout:.0f} s") from None
    except OSError as exc:
        raise RuntimeUnavailableError(
            f"{NAME}: cannot run espeak-ng ({exc}); reinstall it with: {INSTALL_HINT}") from None


def espeak_version(exe: str) -> str:
    """``"1.51"`` from ``espeak-ng --version``."""
    out = _run([exe, "--version"]).stdout
    m = re.search(r"speech:\s*(\S+)", out)
    return m.group(1) if m else " ".join(out.split()[:6])


def english_accents(exe: str) -> list[str]:
    """Language codes of espeak-ng's own English voices (``--voices=en``), MBROLA voices skipped."""
    out = _run([exe, "--voices=en"]).stdout
    langs = set()
    for line in out.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 5 and not parts[4].startswith("mb/") and parts[1].startswith("en"):
            langs.add(parts[1])
    return sorted(langs)


def voice_variants(exe: str) -> list[str]:
    """Variant file names of ``--voices=variant`` (``m3``, ``f2``, ``klatt``, ``Mr serious`` ...)."""
    out = _run([exe, "--voices=variant"]).stdout
    names = set()
    for line in out.splitlines()[1:]:
        m = re.search(r"!v/(.*)$", line)
        if m:
            name = re.split(r"\s{2,}|\s+\(", m.group(1).strip())[0]
            if name:
                names.add(name)
    return sorted(names, key=str.lower)


def _voice(accent: str, variant: str) -> str:
    return accent if variant == DEFAULT_VARIANT else f"{accent}+{variant}"


def synthesise(exe: str, word: str, voice: str, speed: int, pitch: int, path: Path) -> tuple[np.ndarray, int]:
    """One word spoken by espeak-ng into ``path``; returns ``read_wav(path)`` (the file is removed)."""
    proc = _run([exe, "-v", voice, "-s", str(int(speed)), "-p", str(int(pitch)), "-w", str(path), word])
    if proc.returncode != 0 or not path.is_file() or path.stat().st_size <= 44:
        why = " ".join((proc.stderr or proc.stdout or "no audio written").split())
        raise DataError(
            f"{NAME}: espeak-ng could not say '{word}' with voice '{voice}' (-s {speed} -p {pitch}): {why}; "
            f"try: espeak-ng -v '{voice}' {word}"
        )
    try:
        return read_wav(path)
    finally:
        path.unlink(missing_ok=True)


def split_words(signal: np.ndarray, sr: int, min_gap_s: float = SPLIT_GAP_S, floor_db: float = SPLIT_FLOOR_DB,
                frame_ms: float = 10.0) -> list[np.ndarray]:
    """Cut a recording of words separated by pauses at every run of >= ``min_gap_s`` near-silence.

    Near-silence: 10 ms frames more than ``floor_db`` below the loudest frame (espeak-ng's pauses
    are digital silence). Each piece keeps its own quiet edges; ``trim_silence`` removes them.
    """
    hop = max(1, int(sr * frame_ms / 1000))
    n = math.ceil(signal.size / hop)
    energy = np.add.reduceat(signal ** 2, np.arange(n) * hop)
    loud = np.flatnonzero(energy > energy.max() * 10 ** (-floor_db / 10)) if energy.max() > 0 else []
    if len(loud) == 0:
        return []
    gap = max(1, int(round(min_gap_s * 1000 / frame_ms)))
    breaks = np.flatnonzero(np.diff(loud) > gap)
    starts = np.r_[loud[0], loud[breaks + 1]]
    ends = np.r_[loud[breaks], loud[-1]] + 1
    return [signal[a * hop: min(signal.size, b * hop)] for a, b in zip(starts, ends)]


def synthesise_words(exe: str, words: Sequence[str], voice: str, speed: int, pitch: int,
                     path: Path) -> tuple[list[np.ndarray], int]:
    """All ``words`` from **one** espeak-ng call (one SSML sentence each, 600 ms apart), split apart.

    One call per word costs ~6x more (espeak-ng's start-up dominates). Each word is spoken as its
    own sentence, so it gets the same phrase-final timing as when spoken alone. If the pauses do not
    give exactly ``len(words)`` pieces the words are synthesised one call each instead.
    """
    ssml = "<speak>" + f'<break time="{int(SSML_BREAK_S * 1000)}ms"/>'.join(f"<s>{w}</s>" for w in words) + "</speak>"
    proc = _run([exe, "-m", "-v", voice, "-s", str(int(speed)), "-p", str(int(pitch)), "-w", str(path), ssml])
    if proc.returncode == 0 and path.is_file() and path.stat().st_size > 44:
        try:
            signal, sr = read_wav(path)
        finally:
            path.unlink(missing_ok=True)
        pieces = split_words(signal, sr)
        if len(pieces) == len(words):
            return pieces, sr
    out = [synthesise(exe, w, voice, speed, pitch, path) for w in words]
    return [sig for sig, _ in out], out[0][1]


def _distinct_variants(exe: str, accent: str, variants: Sequence[str], tmp: Path, workers: int) -> list[str]:
    """``variants`` minus those whose probe word sounds byte-identical to an earlier one."""
    def probe(i_v):
        i, v = i_v
        path = tmp / f"probe-{i}.wav"
        sig, _ = synthesise(exe, "seven", _voice(accent, v), 175, 50, path)
        return hashlib.sha256(np.ascontiguousarray(sig).tobytes()).hexdigest()

    with ThreadPoolExecutor(max(1, workers)) as pool:
        digests = list(pool.map(probe, enumerate(variants)))
    seen: set[str] = set()
    keep = []
    for v, d in zip(variants, digests):
        if d not in seen:
            seen.add(d)
            keep.append(v)
    return keep


# ============================================================== augmentation

def trim_silence(signal: np.ndarray, sr: int, top_db: float = TRIM_DB, frame_ms: float = 10.0) -> np.ndarray:
    """``signal`` without its leading/trailing frames more than ``top_db`` below the loudest frame."""
    hop = max(1, int(sr * frame_ms / 1000))
    n = math.ceil(signal.size / hop)
    energy = np.add.reduceat(signal ** 2, np.arange(n) * hop)
    if energy.max() <= 0:
        return signal[:0]
    loud = np.flatnonzero(energy >= energy.max() * 10 ** (-top_db / 10))
    return signal[loud[0] * hop: min(signal.size, (loud[-1] + 1) * hop)]


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.mean(x ** 2))


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-power 1/f noise of ``n`` samples (white Gaussian spectrum shaped by ``1/sqrt(f)``)."""
    m = n // 2 + 1
    spec = rng.standard_normal(m) + 1j * rng.standard_normal(m)
    f = np.arange(m, dtype=np.float64)
    f[0] = 1.0
    spec /= np.sqrt(f)
    spec[0] = 0.0
    return _unit(np.fft.irfft(spec, n))


def augment(speech: np.ndarray, rng: np.random.Generator, snr_choices: Sequence[float] = SNR_DB,
            sr: int = SAMPLE_RATE) -> tuple[np.ndarray, dict]:
    """A 1.0 s noisy clip from a trimmed word: random shift, white+pink noise at a drawn SNR, random gain."""
    n = int(round(CLIP_SECONDS * sr))
    speech = _unit(speech[:n]) * SPEECH_RMS
    offset = int(rng.integers(0, min(n - speech.size, int(MAX_SHIFT_S * sr)) + 1))
    snr = float(rng.choice(np.asarray(snr_choices, dtype=np.float64)))
    white_share = float(rng.uniform())
    noise = _unit(np.sqrt(white_share) * rng.standard_normal(n) + np.sqrt(1 - white_share) * pink_noise(n, rng))
    gain_db = float(rng.uniform(-GAIN_DB, GAIN_DB))
    clip = noise * (SPEECH_RMS / 10 ** (snr / 20))
    clip[offset: offset + speech.size] += speech
    clip *= 10 ** (gain_db / 20)
    return clip, {"snr_db": snr, "gain_db": gain_db, "shift_ms": 1000.0 * offset / sr, "white_share": white_share}


# ============================================================== build

def _plan(n_variants: int, n_accents: int, speeds: Sequence[int], pitches: Sequence[int], combos: int,
          seed: int) -> list[tuple[int, int, int, int]]:
    """``(variant, accent, speed, pitch)`` indices/values: ``combos`` per variant, distinct accents first."""
    rng = np.random.default_rng([seed, 0])
    plan = []
    for v in range(n_variants):
        order = rng.permutation(n_accents)
        for j in range(combos):
            plan.append((v, int(order[j % n_accents]), int(rng.choice(speeds)), int(rng.choice(pitches))))
    return plan


def _test_variants(variants: Sequence[str], fraction: float, seed: int) -> list[str]:
    n = len(variants)
    if n < 2 or fraction <= 0:
        return []
    k = min(n - 1, max(1, int(round(fraction * n))))
    perm = np.random.default_rng([seed, 1]).permutation(n)
    return sorted((variants[i] for i in perm[:k]), key=str.lower)


def _log(verbose: bool, msg: str) -> None:
    if verbose:
        print(f"{NAME}: {msg}", file=sys.stderr, flush=True)


def _build(key: dict, workers: int, verbose: bool) -> tuple[dict[str, np.ndarray], dict]:
    exe = espeak_executable()
    t0 = time.perf_counter()
    version = espeak_version(exe)
    known_accents = english_accents(exe)
    known_variants = [DEFAULT_VARIANT] + voice_variants(exe)
    accents = list(key["accents"] or known_accents)
    for a in accents:
        if a not in known_accents:
            raise unknown_name("espeak-ng English voice", a, known_accents)
    for v in key["variants"] or []:
        if v not in known_variants:
            raise unknown_name("espeak-ng voice variant", v, known_variants)
    if not accents:
        raise RuntimeUnavailableError(f"{NAME}: espeak-ng lists no English voice; reinstall it with: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="edgesnn-speech-") as tmp_name:
        tmp = Path(tmp_name)
        if key["variants"]:
            variants = list(key["variants"])
        else:
            _log(verbose, f"espeak-ng {version}: checking {len(known_variants)} voice variants for duplicates")
            variants = _distinct_variants(exe, "en-us" if "en-us" in accents else accents[0],
                                          known_variants, tmp, workers)
        test_variants = _test_variants(variants, key["test_fraction"], key["seed"])
        plan = _plan(len(variants), len(accents), key["speeds"], key["pitches"], key["combos_per_variant"],
                     key["seed"])
        n_words = len(CLASSES)
        total = len(plan) * n_words
        _log(verbose, f"synthesising {total} clips ({len(variants)} voice variants x {len(accents)} accents, "
                      f"{key['combos_per_variant']} combos each, {workers} workers)")

        def one_combo(c: int) -> tuple[np.ndarray, np.ndarray]:
            v, a, speed, pitch = plan[c]
            voice = _voice(accents[a], variants[v])
            mels = np.empty((n_words, N_MELS, N_FRAMES), np.float32)
            info = np.empty((n_words, 3), np.float32)
            pieces, sr = synthesise_words(exe, CLASSES, voice, speed, pitch, tmp / f"c{c}.wav")
            for w, (word, sig) in enumerate(zip(CLASSES, pieces)):
                speech = trim_silence(to_sample_rate(sig, sr), SAMPLE_RATE)
                if speech.size == 0:
                    raise DataError(f"{NAME}: espeak-ng wrote only silence for '{word}' with voice '{voice}'")
                rng = np.random.default_rng([key["seed"], 2, c * n_words + w])
                clip, meta = augment(speech, rng, key["snr_db"])
                mels[w] = log_mel(clip, SAMPLE_RATE, N_MELS, n_frames=N_FRAMES)
                info[w] = (meta["snr_db"], meta["gain_db"], meta["shift_ms"])
            return mels, info

        results = []
        next_report = PROGRESS_EVERY
        with ThreadPoolExecutor(max(1, workers)) as pool:
            for res in pool.map(one_combo, range(len(plan))):
                results.append(res)
                done = len(results) * n_words
                if done >= next_report or done == total:
                    _log(verbose, f"{done}/{total} clips ({time.perf_counter() - t0:.1f} s)")
                    next_report += PROGRESS_EVERY
    plan_arr = np.asarray(plan, dtype=np.int64).reshape(-1, 4)
    rep = lambda col: np.repeat(plan_arr[:, col], n_words)  # noqa: E731
    variant_idx = rep(0)
    test_set = set(test_variants)
    arrays = {
        "log_mel": np.concatenate([r[0] for r in results]) if results else np.zeros((0, N_MELS, N_FRAMES), np.float32),
        "y": np.tile(np.arange(n_words, dtype=np.int64), len(plan)),
        "test_mask": np.array([variants[i] in test_set for i in variant_idx], dtype=bool),
        "variant": variant_idx,
        "accent": rep(1),
        "speed": rep(2),
        "pitch": rep(3),
        "snr_gain_shift": np.concatenate([r[1] for r in results]) if results else np.zeros((0, 3), np.float32),
    }
    recipe = {
        "espeak_ng": version,
        "accents": accents,
        "variants": variants,
        "test_variants": test_variants,
        "n_clips": total,
        **{k: v for k, v in key.items() if k not in ("accents", "variants")},
    }
    return arrays, {"recipe": recipe, "build_seconds": round(time.perf_counter() - t0, 2)}


# ============================================================== cache

def cache_dir() -> Path:
    """``$EDGESNN_CACHE``, default ``~/.cache/edgesnn``."""
    return Path(os.environ.get("EDGESNN_CACHE") or Path.home() / ".cache" / "edgesnn").expanduser()


def _sha256_json(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()



def _atomic_write(path: Path, write: Callable) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_cache(npz: Path, meta_path: Path, key: dict, verbose: bool) -> dict[str, np.ndarray] | None:
    if not meta_path.is_file() and not npz.is_file():
        return None
    why = None
    try:
        meta = json.loads(meta_path.read_text())
        recipe = meta["recipe"]
        if meta.get("key") != key:
            why = "its recipe differs"
        elif meta.get("recipe_sha256") != _sha256_json(recipe):
            why = "the recipe checksum does not match"
        elif meta.get("npz_sha256") != sha256_file(npz):
            why = "the feature file checksum does not match"
        else:
            exe = shutil.which("espeak-ng")
            if exe is not None and espeak_version(exe) != recipe.get("espeak_ng"):
                why = f"it was built with espeak-ng {recipe.get('espeak_ng')}"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        why = f"it is unreadable ({type(exc).__name__})"
    if why is None:
        try:
            with np.load(npz, allow_pickle=False) as f:
                arrays = {k: f[k] for k in f.files}
            n = len(arrays["y"])
            if arrays["log_mel"].shape != (n, N_MELS, N_FRAMES) or len(arrays["test_mask"]) != n \
                    or n != recipe.get("n_clips"):
                why = "its arrays have the wrong shape"
            else:
                return arrays
        except Exception as exc:  # zip/npy corruption surfaces as many types
            why = f"it is corrupt ({type(exc).__name__})"
    _log(verbose, f"rebuilding the cache {npz}: {why}")
    return None


def _write_cache(npz: Path, meta_path: Path, key: dict, arrays: dict, info: dict) -> bool:
    try:
        npz.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(npz, lambda f: np.savez(f, **arrays))
        y = arrays["y"]
        meta = {
            "dataset": NAME,
            "key": key,
            "recipe": info["recipe"],
            "recipe_sha256": _sha256_json(info["recipe"]),
            "npz": npz.name,
            "npz_sha256": sha256_file(npz),
            "build_seconds": info["build_seconds"],
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "class_counts": {c: int(n) for c, n in zip(CLASSES, np.bincount(y, minlength=len(CLASSES)))},
            "test_clips": int(arrays["test_mask"].sum()),
        }
        _atomic_write(meta_path, lambda f: f.write((json.dumps(meta, indent=1) + "\n").encode()))
        return True
    except OSError as exc:
        warnings.warn(f"{NAME}: cannot write the cache in {npz.parent} ({exc}); it will be rebuilt next time; "
                      "set EDGESNN_CACHE to a writable directory", EdgeSNNWarning, stacklevel=3)
        return False


def load_spoken_digits(kind: str = "mfcc", *, cache: str | os.PathLike | None = None, rebuild: bool = False,
                       accents: Sequence[str] | None = None, variants: Sequence[str] | None = None,
                       speeds: Sequence[int] = SPEEDS, pitches: Sequence[int] = PITCHES,
                       combos_per_variant: int = COMBOS_PER_VARIANT, snr_db: Sequence[float] = SNR_DB,
                       seed: int = 0, test_fraction: float = TEST_FRACTION, workers: int = 2,
                       verbose: bool = True) -> Dataset:
    """The ``spoken_digits`` dataset (see the module docstring), built on first use and cached.

    ``kind``: ``"mfcc"`` (x ``[N, 13, 50]``) or ``"logmel"`` (``[N, 32, 50]``). ``accents`` /
    ``variants`` ``None`` = every English voice / every distinct variant of the installed
    espeak-ng. ``cache`` overrides the cache directory, ``rebuild`` ignores an existing cache.
    """
    if kind not in KINDS:
        raise UsageError(f"{NAME}: unknown feature kind '{kind}'{_choices(kind, KINDS)}")
    if int(combos_per_variant) < 1 or not speeds or not pitches or not snr_db:
        raise UsageError(f"{NAME}: combos_per_variant must be >= 1 and speeds, pitches, snr_db non-empty")
    key = {
        "format": FORMAT,
        "accents": sorted(accents) if accents else None,
        "variants": list(variants) if variants else None,
        "speeds": [int(s) for s in speeds],
        "pitches": [int(p) for p in pitches],
        "combos_per_variant": int(combos_per_variant),
        "snr_db": [float(s) for s in snr_db],
        "seed": int(seed),
        "test_fraction": float(test_fraction),
        "audio": {"sample_rate": SAMPLE_RATE, "clip_s": CLIP_SECONDS, "speech_rms": SPEECH_RMS, "gain_db": GAIN_DB,
                  "max_shift_s": MAX_SHIFT_S, "trim_db": TRIM_DB},
        "features": {"win_ms": WIN_MS, "hop_ms": HOP_MS, "n_fft": N_FFT, "n_mels": N_MELS, "f_min": F_MIN,
                     "f_max": F_MAX, "pre_emphasis": PRE_EMPHASIS, "log_floor": LOG_FLOOR, "frames": N_FRAMES},
    }
    folder = Path(cache).expanduser() if cache is not None else cache_dir()
    stem = f"{NAME}-{_sha256_json(key)[:16]}"
    npz, meta_path = folder / f"{stem}.npz", folder / f"{stem}.json"
    arrays = None if rebuild else _read_cache(npz, meta_path, key, verbose)
    if arrays is None:
        arrays, info = _build(key, workers, verbose)
        wrote = _write_cache(npz, meta_path, key, arrays, info)
        size = f", {npz.stat().st_size / 1e6:.1f} MB cached at {npz}" if wrote else ""
        _log(verbose, f"built {len(arrays['y'])} clips in {info['build_seconds']:.1f} s{size}")
    x = arrays["log_mel"]
    if kind == "mfcc":
        x = mfcc_from_log_mel(x, N_MFCC)
    return Dataset(NAME, x, arrays["y"], list(CLASSES), "timeseries", f"espeak-ng synthesised ({npz})",
                   test_mask=arrays["test_mask"])
