"""``edgesnn sweep``: one factor at a time around a baseline, curves per epoch, refusals before training.

Small and fast: the wine data (178 samples, 13 features), a hidden layer of 8, 5 timesteps.
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from edgesnn.cli import main
from edgesnn.sweep import parse_vary, sweep
from edgesnn.train import train

ROOT = Path(__file__).resolve().parents[2]
BASE = {"hidden": [8], "timesteps": 5, "beta": 0.9, "encoder": "static"}
SMALL = ["--dataset", "wine", "--profile", "workstation", "--set", "hidden=[8]", "--set", "timesteps=5"]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "run"
    result = sweep(
        "wine",
        "workstation",
        vary={"beta": [0.5, 0.9], "loss": ["ce_count", "mse_count"]},
        base=BASE,
        epochs=3,
        seeds=[0, 1],
        out=out,
        progress=False,
    )
    return result, out


def test_one_run_per_value_and_seed_and_the_baseline_shared(swept):
    result, _ = swept
    assert [(p.factor, p.value) for p in result.plan.points] == [
        (None, None),
        ("beta", 0.5),
        ("beta", 0.9),
        ("loss", "ce_count"),
        ("loss", "mse_count"),
    ]
    by = {(p.factor, p.value): p.config for p in result.plan.points}
    # beta=0.9 is the baseline's beta, ce_count its (default) loss: both reuse the baseline run
    assert by["beta", 0.9] == by["loss", "ce_count"] == by[None, None] == "baseline"
    assert by["beta", 0.5] != by["loss", "mse_count"] != "baseline"
    assert sorted(result.plan.configs) == ["baseline", "beta=0.5", "loss=mse_count"]
    assert sorted((r.config, r.seed) for r in result.runs) == [
        (c, s) for c in ("baseline", "beta=0.5", "loss=mse_count") for s in (0, 1)
    ]
    assert result.plan.configs["beta=0.5"] == {**BASE, "epochs": 3, "beta": 0.5}


def test_curves_have_one_entry_per_epoch(swept):
    result, out = swept
    for run in result.runs:
        assert [h["epoch"] for h in run.history] == [1, 2, 3]
        assert all(h["loss"] > 0 and 0 <= h["val_acc"] <= 1 for h in run.history)
    rows = list(csv.DictReader((out / "curves.csv").open()))
    assert len(rows) == 3 * len(result.runs)


def test_same_seed_as_train(swept):
    """A sweep point is the model ``edgesnn.train`` gives for the same hyper-parameters and seed."""
    result, _ = swept
    run = next(r for r in result.runs if r.config == "beta=0.5" and r.seed == 1)
    alone = train(
        "wine", "workstation", overrides={**BASE, "beta": 0.5}, epochs=3, seed=1, progress=False, ann_twin=False
    )
    assert [h["loss"] for h in alone.metrics["history"]] == pytest.approx([h["loss"] for h in run.history])
    assert alone.metrics["test_acc"] == run.metrics["test_acc"]


def test_run_directory(swept):
    result, out = swept
    names = {p.name for p in out.iterdir()}
    assert names == {
        "results.json",
        "results.csv",
        "curves.csv",
        "manifest.json",
        "factor_beta.png",
        "curves_beta.png",
        "factor_loss.png",
        "curves_loss.png",
    }
    data = json.loads((out / "results.json").read_text())
    assert [p["point"] for p in data["points"]] == [
        "baseline",
        "beta=0.5",
        "beta=0.9",
        "loss=ce_count",
        "loss=mse_count",
    ]
    assert data["baseline"]["hparams"]["beta"] == 0.9 and data["baseline"]["hparams"]["timesteps"] == 5
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert len(rows) == 5 * 2  # one row per point and seed
    shared = [r for r in rows if r["config"] == "baseline" and r["seed"] == "0"]
    assert len(shared) == 3 and len({r["test_acc"] for r in shared}) == 1
    assert all((out / f).read_bytes()[:4] == b"\x89PNG" for f in names if f.endswith(".png"))
    assert set(json.loads((out / "manifest.json").read_text())["files"]) == names - {"manifest.json"}


def test_cli_json(tmp_path, capsys):
    out = tmp_path / "r"
    args = [*SMALL, "--epochs", "2", "--vary", "threshold=0.5,1.0", "--vary", "encoder=static,rate"]
    code = main(["sweep", *args, "--json", "--out", str(out)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["out"] == str(out) and (out / "factor_encoder.png").is_file()
    assert [p["point"] for p in data["points"]] == [
        "baseline",
        "threshold=0.5",
        "threshold=1.0",
        "encoder=static",
        "encoder=rate",
    ]
    # defaults: threshold 1.0 and, for a vector, the rate encoder: the baseline twice
    assert [p["config"] for p in data["points"]].count("baseline") == 3
    assert all(len(r["history"]) == 2 for r in data["runs"]) and len(data["runs"]) == 3


def test_help_teaches(capsys):
    assert main(["sweep", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # the help is wrapped to the terminal
    for word in ("--vary", "--set", "--repeats", "--epochs", "--json", "beta=0.5,0.7,0.9", "exits 2", "curves_"):
        assert word in text, word


@pytest.mark.parametrize(
    ("extra", "code", "match"),
    [
        (["--vary", "betta=0.5"], 1, "no hyper-parameter 'betta' (did you mean 'beta'?)"),
        (["--vary", "beta=1.5"], 1, "--vary beta=1.5: beta=1.5 is out of range"),
        (["--vary", "beta=fast"], 1, "must be a number"),
        (["--vary", "beta"], 1, "must look like name=v1,v2"),
        (["--vary", "beta=0.5,,0.7"], 1, "empty value"),
        (["--vary", "beta=0.5,0.5"], 1, "repeats the value(s) 0.5"),
        (["--vary", "encoder=foo"], 1, "unknown encoder 'foo'"),
        (["--vary", "surrogate=bogus"], 1, "unknown surrogate 'bogus'"),
        ([], 1, "nothing to sweep"),
        (["--vary", "timesteps=5,500"], 2, "--vary timesteps=500 is forbidden by profile 'workstation'"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_run_dir(tmp_path, capsys, extra, code, match):
    out = tmp_path / "r"
    assert main(["sweep", *SMALL, "--epochs", "1", *extra, "--out", str(out)]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and match in err[0], err
    assert list(tmp_path.iterdir()) == []  # no run dir, no temporary sibling


def test_existing_run_dir_is_kept_without_force(tmp_path, capsys):
    out = tmp_path / "r"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    assert main(["sweep", *SMALL, "--epochs", "1", "--vary", "beta=0.5", "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["r"] and (out / "mine.txt").read_text() == "keep"


def test_values_in_brackets_keep_their_commas():
    (f,) = parse_vary(["hidden=[64],[128, 64]"])
    assert f.values == ([64], [128, 64])
    (g,) = parse_vary(["encoder=static, rate"])
    assert g.values == ("static", "rate")


@pytest.mark.slow
def test_mnist_lab_smoke(tmp_path):
    """examples/mnist_lab/run.py --smoke, as CI runs it."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "mnist_lab" / "run.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = (tmp_path / "results.md").read_text()
    assert "| ANN FLOPs, 784-10-10 | 15,900 | 15,900" in text
    assert "| SNN FLOPs over T = 5 | 78,750 | 78,750 |" in text
    assert "CE − MSE" in text
    for factor in ("beta", "timesteps", "slope", "threshold", "encoder", "loss"):
        assert (tmp_path / "sweep" / f"curves_{factor}.png").is_file(), factor
    data = json.loads((tmp_path / "sweep" / "results.json").read_text())
    assert data["baseline"]["hparams"]["beta"] == 0.7 and data["baseline"]["hparams"]["loss"] == "mse_count"
