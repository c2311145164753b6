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

Modules (all beside this one, re-exported here): ``speech_common`` (names and constants),
``speech_audio`` (WAV input and features), ``speech_espeak`` (espeak-ng and word splitting),
``speech_augment`` (trimming and noise), ``speech_build`` (the synthesis grid and the clips),
``speech_cache`` (the cache files); this module loads the dataset.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ...errors import UsageError
from ..dataset import Dataset
from .speech_audio import (
    _choices,
    dct_matrix,
    features,
    hz_to_mel,
    log_mel,
    mel_band_edges,
    mel_filterbank,
    mel_to_hz,
    mfcc_from_log_mel,
    read_wav,
    to_sample_rate,
)
from .speech_augment import augment, pink_noise, trim_silence
from .speech_build import _build
from .speech_cache import _read_cache, _sha256_json, _write_cache, cache_dir
from .speech_common import (
    CLASSES,
    CLIP_SECONDS,
    COMBOS_PER_VARIANT,
    DEFAULT_VARIANT,
    F_MAX,
    F_MIN,
    FORMAT,
    GAIN_DB,
    HOP_MS,
    INSTALL_HINT,
    KINDS,
    LOG_FLOOR,
    MAX_SHIFT_S,
    N_FFT,
    N_FRAMES,
    N_MELS,
    N_MFCC,
    NAME,
    PITCHES,
    PRE_EMPHASIS,
    PROGRESS_EVERY,
    SAMPLE_RATE,
    SNR_DB,
    SPEECH_RMS,
    SPEEDS,
    SPLIT_FLOOR_DB,
    SPLIT_GAP_S,
    SSML_BREAK_S,
    TEST_FRACTION,
    TRIM_DB,
    WIN_MS,
    _log,
)
from .speech_espeak import (
    english_accents,
    espeak_executable,
    espeak_version,
    split_words,
    synthesise,
    synthesise_words,
    voice_variants,
)


def load_spoken_digits(
    kind: str = "mfcc",
    *,
    cache: str | os.PathLike | None = None,
    rebuild: bool = False,
    accents: Sequence[str] | None = None,
    variants: Sequence[str] | None = None,
    speeds: Sequence[int] = SPEEDS,
    pitches: Sequence[int] = PITCHES,
    combos_per_variant: int = COMBOS_PER_VARIANT,
    snr_db: Sequence[float] = SNR_DB,
    seed: int = 0,
    test_fraction: float = TEST_FRACTION,
    workers: int = 2,
    verbose: bool = True,
) -> Dataset:
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
        "audio": {
            "sample_rate": SAMPLE_RATE,
            "clip_s": CLIP_SECONDS,
            "speech_rms": SPEECH_RMS,
            "gain_db": GAIN_DB,
            "max_shift_s": MAX_SHIFT_S,
            "trim_db": TRIM_DB,
        },
        "features": {
            "win_ms": WIN_MS,
            "hop_ms": HOP_MS,
            "n_fft": N_FFT,
            "n_mels": N_MELS,
            "f_min": F_MIN,
            "f_max": F_MAX,
            "pre_emphasis": PRE_EMPHASIS,
            "log_floor": LOG_FLOOR,
            "frames": N_FRAMES,
        },
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
    return Dataset(
        NAME,
        x,
        arrays["y"],
        list(CLASSES),
        "timeseries",
        f"espeak-ng synthesised ({npz})",
        test_mask=arrays["test_mask"],
    )


__all__ = [
    "CLASSES",
    "CLIP_SECONDS",
    "COMBOS_PER_VARIANT",
    "DEFAULT_VARIANT",
    "FORMAT",
    "F_MAX",
    "F_MIN",
    "GAIN_DB",
    "HOP_MS",
    "INSTALL_HINT",
    "KINDS",
    "LOG_FLOOR",
    "MAX_SHIFT_S",
    "NAME",
    "N_FFT",
    "N_FRAMES",
    "N_MELS",
    "N_MFCC",
    "PITCHES",
    "PRE_EMPHASIS",
    "PROGRESS_EVERY",
    "SAMPLE_RATE",
    "SNR_DB",
    "SPEECH_RMS",
    "SPEEDS",
    "SPLIT_FLOOR_DB",
    "SPLIT_GAP_S",
    "SSML_BREAK_S",
    "TEST_FRACTION",
    "TRIM_DB",
    "WIN_MS",
    "augment",
    "cache_dir",
    "dct_matrix",
    "english_accents",
    "espeak_executable",
    "espeak_version",
    "features",
    "hz_to_mel",
    "load_spoken_digits",
    "log_mel",
    "mel_band_edges",
    "mel_filterbank",
    "mel_to_hz",
    "mfcc_from_log_mel",
    "pink_noise",
    "read_wav",
    "split_words",
    "synthesise",
    "synthesise_words",
    "to_sample_rate",
    "trim_silence",
    "voice_variants",
]
