"""Atomic artifact writing and manifests (DESIGN §3).

Every artifact directory is assembled in a hidden sibling temp directory and renamed into
place at the end, so an interrupted run leaves the old artifact or none, never a half one.
Each directory carries ``manifest.json`` with versions, seed, dt, profile, target and the
sha256 of every file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import ArtifactError, ConfigError, UsageError
from .layout import MANIFEST_FILE

MANIFEST = MANIFEST_FILE
MANIFEST_FORMAT = 1
_VERSIONED = ("edgesnn", "torch", "snntorch", "nir", "numpy", "onnx", "onnxruntime", "lava-nc", "lava-dl")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Installed versions of the packages an artifact depends on (missing ones omitted)."""
    versions = {}
    for name in _VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def atomic_write_bytes(path: Path, data: bytes, publish: bool = False) -> None:
    """Write ``data`` to ``path`` through a temp file in the same directory and a rename.

    ``publish``: ``path`` is a command's whole output (a bundle): the rename runs with SIGINT and
    SIGTERM held and is recorded in ``PUBLISHED``, as ``atomic_dir`` does for a directory."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:  # read-only filesystem, a file where a directory should be, no permission
        raise UsageError(f"cannot write '{path}' ({exc.strerror or type(exc).__name__}); choose another path") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; artifacts are meant to be shared
        if not publish:
            os.replace(tmp, path)
        else:
            with _signals_held():
                os.replace(tmp, path)
                PUBLISHED.append(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def user_file(path: str | Path, what: str, hint: str = "") -> Path:
    """``path`` if it is a readable file; otherwise a one-line UsageError naming ``what`` (missing,
    a directory, no read permission), with ``hint`` saying what to pass instead."""
    path = Path(path)
    tail = f"; {hint}" if hint else ""
    if path.is_dir():
        raise UsageError(f"{what} '{path}' is a directory, not a file{tail}")
    if not path.is_file():
        raise UsageError(f"{what} '{path}' does not exist{tail}")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{what} '{path}' is not readable (permission denied)")
    return path


def read_user_text(path: str | Path, what: str, hint: str = "") -> str:
    """The UTF-8 text of a file the user gave (a BOM is dropped); one-line errors for a missing,
    unreadable or non-text file."""
    path = user_file(path, what, hint)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{what} '{path}' is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise UsageError(f"{what} '{path}' cannot be read ({exc.strerror or type(exc).__name__})") from None


def read_structured(path: str | Path, what: str, hint: str = "", fmt: str | None = None) -> Any:
    """The parsed content of a YAML or JSON file, or a one-line error naming ``what``.

    ``fmt`` is "yaml" or "json"; by default the suffix decides (``.yaml``/``.yml``: YAML).
    A missing file is a UsageError (``hint`` says what to pass instead); a file that does not
    parse is a ConfigError with the parser's position.
    """
    path = Path(path)
    text = read_user_text(path, what, hint)
    try:
        if fmt == "yaml" or (fmt is None and path.suffix in (".yaml", ".yml")):
            import yaml

            try:
                return yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise ConfigError(f"{what} '{path}' is not valid YAML: {str(exc).splitlines()[0]}") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{what} '{path}' is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    except RecursionError:  # either parser, on thousands of nested brackets
        raise ConfigError(f"{what} '{path}' nests too deeply to be a {what}") from None


def check_writable(out: Path) -> None:
    """Fail early, with a one-line error, when ``out`` cannot be created or written."""
    out = Path(out)
    parent = out if out.exists() else out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"output directory '{out}' is not writable; choose another with --out")


def check_writable_file(path: Path, option: str = "--output") -> None:
    """Fail early, with a one-line error, when the file ``path`` cannot be written (checked
    before the work that produces it, so nothing runs for an output that cannot be kept)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{option} '{path}' is a directory; give a file name")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(
            f"{option} '{path}' cannot be written ('{parent}' is a file, not a directory); choose another path"
        )
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(
            f"{option} '{path}' cannot be written (no write permission in '{parent}'); choose another path"
        )


#: outputs published in this process, in order: ``atomic_dir``'s directories and files written with
#: ``atomic_write_bytes(publish=True)`` (an interrupt that lands after a publish names it instead
#: of saying nothing was written)
PUBLISHED: list[Path] = []


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM blocked in the main thread for the block; one that arrives meanwhile
    is delivered as the block ends."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def atomic_dir(out: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temp directory that replaces ``out`` only if the block finishes.

    An existing ``out`` is kept unless ``force``; it is swapped out only after the new one
    is complete.
    """
    out = Path(out)
    if out.exists() and not force:
        raise UsageError(f"output directory '{out}' already exists; pass --force to replace it")
    check_writable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes 0700
    try:
        yield tmp
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        with _signals_held():  # never half swapped; PUBLISHED says it is complete
            if out.exists():
                os.replace(out, old)
            os.replace(tmp, out)
            PUBLISHED.append(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_manifest(directory: Path, **fields: Any) -> dict:
    """Write ``manifest.json`` listing the sha256 of every other file in ``directory``."""
    directory = Path(directory)
    files = {
        str(p.relative_to(directory)): sha256_file(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {"format": MANIFEST_FORMAT, "versions": package_versions(), **fields, "files": files}
    write_json(directory / MANIFEST, manifest)
    return manifest


def read_manifest(directory: Path, verify: bool = True) -> dict:
    """Read ``manifest.json``; with ``verify``, refuse a directory whose files changed."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"'{directory}' has no {MANIFEST}; it is not an edgesnn artifact directory")
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"'{path}' is not valid JSON ({exc})") from None
    if verify:
        for name, expected in manifest.get("files", {}).items():
            member = directory / name
            if not member.is_file():
                raise ArtifactError(f"'{member}' is listed in the manifest but missing")
            if sha256_file(member) != expected:
                raise ArtifactError(f"'{member}' does not match its manifest checksum; the artifact was modified")
    return manifest
