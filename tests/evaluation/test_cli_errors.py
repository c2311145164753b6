"""``edgesnn evaluate`` through the CLI: output, --json, and one-line errors with exit code 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from edgesnn.cli import main

LIMIT = ["--limit", "30"]


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 1
    lines = [l for l in err.strip().splitlines() if l]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0], lines[0]


def test_cli_json_and_files(digits_exports, tmp_path, capsys):
    code, out, _ = _run(capsys, "evaluate", digits_exports["onnx"], "--out", tmp_path / "r", "--json", *LIMIT)
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "edgesnn.report/1" and doc["samples"] == 30
    assert (tmp_path / "r" / "report.html").is_file()


def test_cli_side_by_side(digits_exports, tmp_path, capsys):
    code, out, _ = _run(
        capsys, "evaluate", digits_exports["onnx"], digits_exports["nir"], "--out", tmp_path / "c", *LIMIT
    )
    assert code == 0
    assert "side by side" in out and "training time" in out
    assert len(json.loads((tmp_path / "c" / "comparison.json").read_text())) == 2
    assert len(list((tmp_path / "c").glob("*/report.json"))) == 2


def test_dataset_with_another_feature_shape(digits_exports, tmp_path, capsys):
    code, _, err = _run(capsys, "evaluate", digits_exports["onnx"], "--dataset", "wine", "--out", tmp_path / "w")
    _one_line_error(code, err, "wine", "shape")


def test_tampered_manifest_is_refused(digits_exports, tmp_path, capsys):
    copy = tmp_path / "tampered"
    shutil.copytree(digits_exports["onnx"], copy)
    with open(copy / "model.onnx", "ab") as fh:
        fh.write(b"\0")
    code, _, err = _run(capsys, "evaluate", copy, *LIMIT)
    _one_line_error(code, err, "checksum")
    assert not (copy / "report").exists()


def test_cost_table_missing_a_constant(digits_exports, tmp_path, capsys):
    spec = yaml.safe_load((Path(__file__).parents[2] / "targets" / "onnx-cpu.yaml").read_text())
    spec["name"] = "onnx-no-spike"
    del spec["energy"]["constants"]["e_spike_pj"]
    target = tmp_path / "onnx-no-spike.yaml"
    target.write_text(yaml.safe_dump(spec))
    code, _, err = _run(capsys, "evaluate", digits_exports["onnx"], "--target", target, "--out", tmp_path / "x", *LIMIT)
    _one_line_error(code, err, "e_spike_pj", "horowitz-45nm-fp32")


def test_empty_test_split(digits_exports, tmp_path, capsys, monkeypatch):
    import numpy as np

    import edgesnn.loading

    # the data loader (not the runtime) is replaced: no real built-in dataset has an empty test split
    monkeypatch.setattr(
        edgesnn.loading,
        "test_split",
        lambda spec, limit=None: (np.zeros((25, 0, 1, 8, 8), np.float32), np.zeros(0, np.int64)),
    )
    code, _, err = _run(capsys, "evaluate", digits_exports["onnx"], "--out", tmp_path / "e")
    _one_line_error(code, err, "empty")


def test_bare_onnx_file_is_refused(digits_exports, capsys):
    code, _, err = _run(capsys, "evaluate", digits_exports["onnx"] / "model.onnx")
    _one_line_error(code, err, "export directory")


def test_bare_nir_needs_a_dataset(digits_exports, tmp_path, capsys):
    bare = tmp_path / "model.nir"
    shutil.copy(digits_exports["onnx"] / "model.nir", bare)
    code, _, err = _run(capsys, "evaluate", bare)
    _one_line_error(code, err, "--dataset")


def test_bare_nir_with_dataset_states_its_assumptions(digits_exports, tmp_path, capsys):
    bare = tmp_path / "model.nir"
    shutil.copy(digits_exports["onnx"] / "model.nir", bare)
    code, out, _ = _run(capsys, "evaluate", bare, "--dataset", "digits", "--json", *LIMIT)
    assert code == 0
    doc = json.loads(out)
    assert doc["backend"] == "nir" and doc["profile"] is None and doc["checks"] == []
    assert any("seed 0" in a for a in doc["assumptions"]) and any("metadata" in a for a in doc["assumptions"])
    assert (tmp_path / "model-report" / "report.json").is_file()


def test_target_of_another_runtime_is_refused(digits_exports, capsys):
    code, _, err = _run(capsys, "evaluate", digits_exports["onnx"], "--target", "loihi2", *LIMIT)
    _one_line_error(code, err, "loihi2", "onnx")


def test_out_directory_with_other_files_is_not_deleted(digits_exports, tmp_path, capsys):
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "notes.txt").write_text("precious")
    code, _, err = _run(capsys, "evaluate", digits_exports["onnx"], "--out", keep, *LIMIT)
    _one_line_error(code, err, "--out")
    assert (keep / "notes.txt").read_text() == "precious"


def test_profile_violation_exits_2_and_still_writes(digits_exports, tmp_path, capsys):
    profile = tmp_path / "tight.yaml"
    profile.write_text("name: tight\ndt_s: 0.001\nlimits: {max_energy_uj: 0.000001}\n")
    code, out, err = _run(
        capsys, "evaluate", digits_exports["onnx"], "--profile", profile, "--out", tmp_path / "t", *LIMIT
    )
    assert code == 2 and "max_energy_uj" in err
    report = json.loads((tmp_path / "t" / "report.json").read_text())
    assert report["feasible"] is False and report["checks"][0]["slack"] > 0
