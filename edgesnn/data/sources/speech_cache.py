"""``spoken_digits`` cache: the ``.npz`` + JSON pair, checked on read and written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ...errors import EdgeSNNWarning
from ...io import sha256_file
from .speech_common import CLASSES, N_FRAMES, N_MELS, NAME, _log
from .speech_espeak import espeak_version


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
            if (
                arrays["log_mel"].shape != (n, N_MELS, N_FRAMES)
                or len(arrays["test_mask"]) != n
                or n != recipe.get("n_clips")
            ):
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
        warnings.warn(
            f"{NAME}: cannot write the cache in {npz.parent} ({exc}); it will be rebuilt next time; "
            "set EDGESNN_CACHE to a writable directory",
            EdgeSNNWarning,
            stacklevel=3,
        )
        return False
