"""A changed, missing, unlisted or escaping member, or a newer format, is refused before loading."""

from __future__ import annotations

import json
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgesnn.errors import ArtifactError
from edgesnn.package import write_zip
from edgesnn.runner import BUNDLE_FORMAT, Bundle
from edgesnn.runner.archive import sha256_bytes


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _write(members: dict[str, bytes], folder: Path, name: str = "b.zip") -> Path:
    path = Path(folder) / name
    path.write_bytes(write_zip(members))
    return path


def _reseal(members: dict[str, bytes], manifest: dict) -> dict[str, bytes]:
    """Rewrite the manifest and its digest consistently (only the content we test changes)."""
    raw = (json.dumps(manifest, indent=2) + "\n").encode()
    return {**members, "manifest.json": raw, "manifest.sha256": (sha256_bytes(raw) + "\n").encode()}


@contextmanager
def _private_temp(where: Path):
    """``tempfile``'s folder set to a fresh ``where/temp`` (yielded) for the duration: what a
    ``Bundle.open`` inside extracts lands there, and other processes' folders cannot interfere."""
    private = Path(where) / "temp"
    private.mkdir()
    saved, tempfile.tempdir = tempfile.tempdir, str(private)
    try:
        yield private
    finally:
        tempfile.tempdir = saved


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_changed_byte_of_any_member_is_refused(digits_bundle, data):
    members = _members(digits_bundle)
    name = data.draw(st.sampled_from(sorted(members)), label="member")
    pos = data.draw(st.integers(0, len(members[name]) - 1), label="position")
    flip = data.draw(st.integers(1, 255), label="xor")
    blob = bytearray(members[name])
    blob[pos] ^= flip
    with tempfile.TemporaryDirectory() as tmp:
        path = _write({**members, name: bytes(blob)}, Path(tmp))  # a valid zip: only our checksums can tell
        with _private_temp(Path(tmp)) as private:
            with pytest.raises(ArtifactError, match="modified|not valid JSON|not an edgesnn|bundle_format|newer"):
                Bundle.open(path)
        assert not list(private.iterdir())  # nothing was extracted


def test_the_untouched_bundle_opens(digits_bundle):
    with Bundle.open(digits_bundle) as bundle:
        assert bundle.dir.is_dir() and bundle.classes == [str(i) for i in range(10)]
        folder = bundle.dir
    assert not folder.exists()  # close() removed the private folder


@pytest.mark.parametrize("name", ["model.stepwise.onnx", "encoder.json", "report.json", "manifest.sha256"])
def test_missing_member_is_refused(digits_bundle, tmp_path, name):
    members = _members(digits_bundle)
    del members[name]
    with pytest.raises(ArtifactError, match="missing|has no manifest.sha256"):
        Bundle.open(_write(members, tmp_path))


def test_required_member_absent_from_the_manifest_is_refused(digits_bundle, tmp_path):
    members = _members(digits_bundle)
    manifest = json.loads(members["manifest.json"])
    del manifest["files"]["encoder.json"], members["encoder.json"]
    with pytest.raises(ArtifactError, match="required member encoder.json"):
        Bundle.open(_write(_reseal(members, manifest), tmp_path))


def test_unlisted_member_is_refused(digits_bundle, tmp_path):
    members = {**_members(digits_bundle), "extra.py": b"print('hi')"}
    with pytest.raises(ArtifactError, match="extra.py is not listed"):
        Bundle.open(_write(members, tmp_path))


@pytest.mark.parametrize("evil", ["../x", "../../x", "a/../../x", "/abs/x", "C:/x", "a\\..\\x", "./x"])
def test_zip_slip_is_refused_and_nothing_is_written(digits_bundle, tmp_path, evil):
    members = _members(digits_bundle)
    manifest = json.loads(members["manifest.json"])
    members[evil] = b"pwned"
    manifest["files"][evil] = sha256_bytes(b"pwned")
    folder = tmp_path / "inner"
    folder.mkdir()
    path = folder / "b.zip"
    buf = _reseal(members, manifest)
    with zipfile.ZipFile(path, "w") as zf:  # write_zip would sort; names go in as given
        for n, blob in buf.items():
            zf.writestr(zipfile.ZipInfo(n, date_time=(1980, 1, 1, 0, 0, 0)), blob)
    with _private_temp(tmp_path / "inner") as private:
        with pytest.raises(ArtifactError, match="zip-slip"):
            Bundle.open(path)
    assert not list(private.iterdir())
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["b.zip", "inner", "temp"]


def test_newer_bundle_format_is_refused(digits_bundle, tmp_path):
    members = _members(digits_bundle)
    manifest = json.loads(members["manifest.json"])
    manifest["bundle_format"] = BUNDLE_FORMAT + 1
    with pytest.raises(
        ArtifactError, match=f"bundle format {BUNDLE_FORMAT + 1}, newer than this runner reads \\({BUNDLE_FORMAT}\\)"
    ):
        Bundle.open(_write(_reseal(members, manifest), tmp_path))


def test_a_bundle_without_any_model_is_refused(digits_bundle, tmp_path):
    members = _members(digits_bundle)
    manifest = json.loads(members["manifest.json"])
    del members["model.stepwise.onnx"], manifest["files"]["model.stepwise.onnx"]
    with pytest.raises(ArtifactError, match=r"lists no model \(model.stepwise.onnx or model.xylo.npz\)"):
        Bundle.open(_write(_reseal(members, manifest), tmp_path))


def test_not_a_zip_and_duplicates_are_refused(digits_bundle, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(ArtifactError, match="not a readable zip"):
        Bundle.open(bad)
    dup = tmp_path / "dup.zip"
    with zipfile.ZipFile(dup, "w") as zf:
        zf.writestr("encoder.json", b"{}")
        with pytest.warns(UserWarning):
            zf.writestr("encoder.json", b"{}")
    with pytest.raises(ArtifactError, match="appears twice"):
        Bundle.open(dup)
    with pytest.raises(ArtifactError, match="does not exist"):
        Bundle.open(tmp_path / "nope.zip")
