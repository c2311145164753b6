"""``examples/mirna/run.py --smoke`` end to end in a subprocess: stage 1 (two real NNI Anneal
experiments on the ANN alone, one per shape rule), stage 2 (four SNN searches: two architectures ×
CE-count + transfer / MSE-count), and a Table II with measured rows beside the paper's."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCH = ("w1", "w2", "w3", "wd1", "h1", "wd2", "h2", "wd3", "h3")


@pytest.mark.slow
def test_smoke_study_fills_table_ii_from_both_stages(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples/mirna/run.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=400,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((tmp_path / "results.json").read_text())
    budget = data["meta"]["s1_trials"]

    # stage 1: one NNI Anneal experiment per shape rule, the ANN alone, each trial with a valid shape
    assert set(data["stage1"]) == {"paper", "deterministic"}
    for rule, res in data["stage1"].items():
        trained = [r for r in res["records"] if r["stage"] == "trained"]
        assert len(trained) == budget and all(r["state"] == "COMPLETE" for r in trained)
        for r in trained:
            assert r["engine"] == "nni" and r["params"]["shape_rule"] == rule
            assert "energy_uj" not in r["metrics"] and r["metrics"]["params"] > 0
            assert all(r["metrics"]["sizes"][k] >= 1 for k in ("wd2", "h2", "wd3", "h3"))
        setup = json.loads((tmp_path / f"stage1-{rule}" / "tune" / "nni" / "code" / "setup.json").read_text())
        assert setup["network"] == "ann"
    space1 = json.loads((tmp_path / "stage1-paper" / "space.json").read_text())
    assert space1["shape_rule"] == {"_type": "choice", "_value": ["paper"]}

    # the chosen architectures are complete and stage 2 trained exactly those
    archs = data["architectures"]
    assert set(archs) == {"CNN_PT_1", "CNN_PT_2"}
    assert archs["CNN_PT_2"]["params"] <= archs["CNN_PT_1"]["params"]
    for name, a in archs.items():
        assert set(a["arch"]) == set(ARCH)
        for arm, loss, init in (("ce", "ce_count", "ann"), ("mse", "mse_count", "random")):
            space = json.loads((tmp_path / f"stage2-{name}-{arm}" / "space.json").read_text())
            assert all(space[k]["_value"] == [a["arch"][k]] for k in ARCH)
            assert space["loss"]["_value"] == [loss] and space["init"]["_value"] == [init]
            assert space["neuron"]["_value"] == ["leaky", "lapicque", "rleaky"]
            if arm == "mse":
                assert max(space["population"]["_value"]) == 75
            cell = data["snn"][name][arm]
            assert len(cell["trials"]) == data["meta"]["s2_trials"]
            best = cell["best"]
            assert 0.0 <= best["test_acc"] <= 1.0 and best["params"] >= a["params"]  # + RLeaky's V, if chosen
            assert best["hp"]["timesteps"] in data["meta"]["timesteps"]
            if arm == "ce":
                assert best["transfer_test_acc"] is not None  # the ANN's weights were transferred

    md = (tmp_path / "results.md").read_text()
    measured = md.split("## Measured")[1].split("## Paper")[0]
    rows = {
        r.split("|")[1].strip(): r
        for r in measured.splitlines()
        if r.startswith("| CNN_PT") or r.startswith("| SNN_PT")
    }
    assert set(rows) == {"CNN_PT_1", "CNN_PT_2", "SNN_PT_1", "SNN_PT_2"}
    for name, row in rows.items():
        values = [float(v) for v in re.findall(r"\*\*(\d+\.\d\d)\*\*", row)]
        assert len(values) == (2 if name.startswith("SNN") else 1) and all(0 <= v <= 100 for v in values)
    paper = md.split("## Paper")[1]
    assert "**74.57**" in paper and "**75.06**" in paper and "3350772" in paper
    assert "MSE 64.57 vs CE 74.89" in md
    for png in ("class_frequencies.png", "stage1.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
