"""`edgesnn package`, `python -m edgesnn.runner`, cli_run, and the runner's import isolation."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from edgesnn.errors import ArtifactError, UsageError
from edgesnn.runner import cli_run

HEAVY = (
    "torch",
    "snntorch",
    "nir",
    "nirtorch",
    "pydantic",
    "sklearn",
    "scipy",
    "h5py",
    "onnx",
    "yaml",
    "typer",
    "rich",
)


def _run(*args, **kw):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, **kw)


def test_runner_imports_only_numpy_and_onnxruntime(digits_bundle, raw_test, tmp_path):
    np.save(tmp_path / "raw.npy", raw_test[0][:2])
    code = (
        "import sys, json, numpy as np\nfrom edgesnn.runner import Bundle\n"
        f"b = Bundle.open({str(digits_bundle)!r}); p = b.predict(np.load({str(tmp_path / 'raw.npy')!r}))\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('edgesnn'))))"
    )
    res = _run("-c", code)
    assert res.returncode == 0, res.stderr
    top, ours = (json.loads(line) for line in res.stdout.splitlines()[-2:])
    assert "onnxruntime" in top and not set(HEAVY) & set(top)
    allowed = ("edgesnn", "edgesnn.errors", "edgesnn.data", "edgesnn.runner", "edgesnn.readout", "edgesnn.layout")
    assert all(m == "edgesnn" or m.startswith(allowed[1:]) for m in ours), ours
    assert not any(m.startswith(("edgesnn.backends", "edgesnn.config", "edgesnn.nir", "edgesnn.io")) for m in ours)


def test_python_m_runner_text_json_and_errors(digits_bundle, raw_test, tmp_path):
    csv = tmp_path / "raw.csv"
    np.savetxt(
        csv, raw_test[0][:3].reshape(3, -1), delimiter=",", header=",".join(f"p{i}" for i in range(64)), comments=""
    )
    res = _run("-m", "edgesnn.runner", str(digits_bundle), "--input", str(csv), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["samples"] == 3 and len(out["predictions"][0]["counts"]) == 10
    text = _run("-m", "edgesnn.runner", str(digits_bundle), "--input", str(csv))
    assert text.returncode == 0 and len(text.stdout.strip().splitlines()) == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n")
    res = _run("-m", "edgesnn.runner", str(digits_bundle), "--input", str(bad))
    assert (
        res.returncode == 1
        and res.stderr.startswith("error: raw input has shape [1, 3]")
        and res.stderr.count("\n") == 1
    )
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(digits_bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            blob = src.read(name)
            dst.writestr(name, blob.replace(b'"rate"', b'"static"') if name == "encoder.json" else blob)
    res = _run("-m", "edgesnn.runner", str(tampered), "--input", str(csv))
    assert res.returncode == 1 and "encoder.json does not match its manifest checksum" in res.stderr


def test_cli_run_function_for_the_edgesnn_run_verb(digits_bundle, raw_test, tmp_path, capsys):
    np.save(tmp_path / "raw.npy", raw_test[0][:2])
    assert cli_run(digits_bundle, tmp_path / "raw.npy", as_json=True) == 0
    out = json.loads(capsys.readouterr().out)
    assert [p["label"] for p in out["predictions"]] == [str(p["class"]) for p in out["predictions"]]
    with pytest.raises(ArtifactError):
        cli_run(tmp_path / "raw.npy", tmp_path / "raw.npy")


def test_edgesnn_package_cli(digits_export, tmp_path, capsys):
    from edgesnn.cli import main

    out = tmp_path / "cli.zip"
    assert main(["package", str(digits_export), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["out"] == str(out) and out.is_file() and summary["size_bytes"] == out.stat().st_size
    assert summary["accuracy"]["matches_report"] is True
    assert main(["package", str(digits_export), "--out", str(out)]) == 1  # exists, no --force
    assert "already exists" in capsys.readouterr().err
    assert main(["package", str(digits_export), "--target", "lava", "--out", str(tmp_path / "l.zip")]) == 1
    assert "which the bundle runner cannot execute" in capsys.readouterr().err


def test_package_refuses_a_non_export(tmp_path):
    from edgesnn.package import package

    with pytest.raises(UsageError, match="does not exist"):
        package(tmp_path / "nope")
