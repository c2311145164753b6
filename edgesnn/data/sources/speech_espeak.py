"""``spoken_digits`` synthesis: running espeak-ng, its voices, and cutting its audio into words."""

from __future__ import annotations

import hashlib
import math
import re
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ...errors import DataError, RuntimeUnavailableError
from .speech_audio import read_wav
from .speech_common import DEFAULT_VARIANT, INSTALL_HINT, NAME, SPLIT_FLOOR_DB, SPLIT_GAP_S, SSML_BREAK_S


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
            f"{NAME}: cannot run espeak-ng ({exc}); reinstall it with: {INSTALL_HINT}"
        ) from None


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


def split_words(
    signal: np.ndarray,
    sr: int,
    min_gap_s: float = SPLIT_GAP_S,
    floor_db: float = SPLIT_FLOOR_DB,
    frame_ms: float = 10.0,
) -> list[np.ndarray]:
    """Cut a recording of words separated by pauses at every run of >= ``min_gap_s`` near-silence.

    Near-silence: 10 ms frames more than ``floor_db`` below the loudest frame (espeak-ng's pauses
    are digital silence). Each piece keeps its own quiet edges; ``trim_silence`` removes them.
    """
    hop = max(1, int(sr * frame_ms / 1000))
    n = math.ceil(signal.size / hop)
    energy = np.add.reduceat(signal**2, np.arange(n) * hop)
    loud = np.flatnonzero(energy > energy.max() * 10 ** (-floor_db / 10)) if energy.max() > 0 else []
    if len(loud) == 0:
        return []
    gap = max(1, int(round(min_gap_s * 1000 / frame_ms)))
    breaks = np.flatnonzero(np.diff(loud) > gap)
    starts = np.r_[loud[0], loud[breaks + 1]]
    ends = np.r_[loud[breaks], loud[-1]] + 1
    return [signal[a * hop : min(signal.size, b * hop)] for a, b in zip(starts, ends)]


def synthesise_words(
    exe: str, words: Sequence[str], voice: str, speed: int, pitch: int, path: Path
) -> tuple[list[np.ndarray], int]:
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
