"""Read a bundle zip safely: every check happens before anything is loaded or written.

Order of checks (each failure is one ``ArtifactError`` line naming the member and the fix):

1. the file is a readable zip with at most ``MAX_MEMBERS`` members, no duplicate names and
   no member larger than ``MAX_MEMBER_BYTES`` once inflated;
2. every name is a plain relative file name: no absolute path, drive letter, backslash,
   ``..``, empty part or NUL (zip-slip);
3. ``manifest.json`` parses and its ``bundle_format`` is not newer than ``BUNDLE_FORMAT``;
4. ``manifest.sha256`` equals sha256(manifest.json);
5. every member the manifest lists exists and its sha256 matches, every required member is
   listed, and the zip holds nothing the manifest does not list.

Members are read into memory (bundles are small) and verified there, so the bytes that are
used are exactly the bytes that were checked. ``extract`` writes verified members only into a
directory it is given, by joining checked names; it never calls ``ZipFile.extractall``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import ArtifactError
from .format import BUNDLE_FORMAT, MANIFEST, MANIFEST_DIGEST, MAX_MEMBER_BYTES, MAX_MEMBERS, MODELS, REQUIRED

_DRIVE = re.compile(r"^[A-Za-z]:")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_name(name: str, where: str) -> str:
    """``name`` if it is a safe relative member name, else ArtifactError (zip-slip)."""
    bad = (
        not name
        or "\x00" in name
        or "\\" in name
        or PurePosixPath(name).is_absolute()
        or _DRIVE.match(name)
        or any(part in ("", ".", "..") for part in name.split("/"))
    )
    if bad:
        raise ArtifactError(f"{where}: member name {name!r} escapes the bundle folder (zip-slip); refusing the bundle")
    return name


def _read_zip(path: Path) -> dict[str, bytes]:
    where = f"bundle '{path}'"
    if not path.is_file():
        raise ArtifactError(f"{where} does not exist; make one with `edgesnn package EXPORT_DIR`")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ArtifactError(
                    f"{where} has {len(infos)} members (at most {MAX_MEMBERS}); it is not an edgesnn bundle"
                )
            members: dict[str, bytes] = {}
            for info in infos:
                if info.is_dir():
                    raise ArtifactError(f"{where}: holds a folder entry {info.filename!r}; edgesnn bundles are flat")
                name = check_name(info.filename, where)
                if name in members:
                    raise ArtifactError(f"{where}: member {name!r} appears twice; refusing an ambiguous bundle")
                if info.file_size > MAX_MEMBER_BYTES:
                    raise ArtifactError(
                        f"{where}: member {name!r} inflates to {info.file_size} bytes "
                        f"(limit {MAX_MEMBER_BYTES}); refusing the bundle"
                    )
                members[name] = zf.read(info)
    except zipfile.BadZipFile as exc:
        raise ArtifactError(f"{where} is not a readable zip ({exc}); the file is damaged or not a bundle") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        raise ArtifactError(f"{where} cannot be read ({type(exc).__name__}: {exc}); re-package it") from None
    return members


def parse_manifest(raw: bytes, where: str) -> dict:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{where}: {MANIFEST} is not valid JSON ({exc}); the bundle was modified") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ArtifactError(f"{where}: {MANIFEST} has no 'files' table; it is not an edgesnn bundle manifest")
    fmt = manifest.get("bundle_format")
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise ArtifactError(f"{where}: {MANIFEST} has bundle_format={fmt!r}; it is not an edgesnn bundle manifest")
    if fmt > BUNDLE_FORMAT:
        raise ArtifactError(
            f"{where} uses bundle format {fmt}, newer than this runner reads ({BUNDLE_FORMAT}); "
            "upgrade edgesnn's runner on this device"
        )
    return manifest


def read_bundle(path: str | os.PathLike) -> tuple[dict, dict[str, bytes]]:
    """(manifest, verified members) of a bundle zip; see the module docstring for the checks."""
    path = Path(path)
    where = f"bundle '{path}'"
    members = _read_zip(path)
    for name in (MANIFEST, MANIFEST_DIGEST):
        if name not in members:
            raise ArtifactError(f"{where} has no {name}; it is not an edgesnn bundle (or it was truncated)")
    manifest = parse_manifest(members[MANIFEST], where)
    digest = members[MANIFEST_DIGEST].decode("ascii", "replace").strip()
    if digest != sha256_bytes(members[MANIFEST]):
        raise ArtifactError(f"{where}: {MANIFEST} does not match {MANIFEST_DIGEST}; the bundle was modified")
    listed = manifest["files"]
    for name in REQUIRED:
        if name not in listed:
            raise ArtifactError(f"{where}: the manifest does not list the required member {name}; re-package it")
    if not any(name in listed for name in MODELS):
        raise ArtifactError(f"{where}: the manifest lists no model ({' or '.join(MODELS)}); re-package it")
    for name, expected in listed.items():
        check_name(str(name), where)
        if name not in members:
            raise ArtifactError(f"{where}: member {name} is listed in the manifest but missing; re-package it")
        if sha256_bytes(members[name]) != expected:
            raise ArtifactError(f"{where}: member {name} does not match its manifest checksum; the bundle was modified")
    extra = sorted(set(members) - set(listed) - {MANIFEST, MANIFEST_DIGEST})
    if extra:
        raise ArtifactError(f"{where}: member {extra[0]} is not listed in the manifest; refusing an unverified file")
    return manifest, members


def extract(members: dict[str, bytes], dest: Path) -> list[Path]:
    """Write verified ``members`` into ``dest`` (which must exist); returns the paths written."""
    dest = Path(dest).resolve()
    written = []
    for name, data in members.items():
        target = (dest / check_name(name, f"folder '{dest}'")).resolve()
        if dest not in target.parents:
            raise ArtifactError(f"member {name!r} would be written outside '{dest}'; refusing the bundle")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        written.append(target)
    return written
