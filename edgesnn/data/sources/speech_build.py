"""``spoken_digits`` build: the synthesis plan, the speaker split and the clips' log-mel features."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ...errors import DataError, RuntimeUnavailableError, unknown_name
from .speech_audio import log_mel, to_sample_rate
from .speech_augment import augment, trim_silence
from .speech_common import (
    CLASSES,
    DEFAULT_VARIANT,
    INSTALL_HINT,
    N_FRAMES,
    N_MELS,
    NAME,
    PROGRESS_EVERY,
    SAMPLE_RATE,
    _log,
)
from .speech_espeak import (
    _distinct_variants,
    _voice,
    english_accents,
    espeak_executable,
    espeak_version,
    synthesise_words,
    voice_variants,
)


def _plan(
    n_variants: int, n_accents: int, speeds: Sequence[int], pitches: Sequence[int], combos: int, seed: int
) -> list[tuple[int, int, int, int]]:
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
            variants = _distinct_variants(
                exe, "en-us" if "en-us" in accents else accents[0], known_variants, tmp, workers
            )
        test_variants = _test_variants(variants, key["test_fraction"], key["seed"])
        plan = _plan(len(variants), len(accents), key["speeds"], key["pitches"], key["combos_per_variant"], key["seed"])
        n_words = len(CLASSES)
        total = len(plan) * n_words
        _log(
            verbose,
            f"synthesising {total} clips ({len(variants)} voice variants x {len(accents)} accents, "
            f"{key['combos_per_variant']} combos each, {workers} workers)",
        )

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
