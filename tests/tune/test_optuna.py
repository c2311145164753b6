"""The Optuna engine end to end on wine: static rejection, constraints, outputs, failures, resume."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.storages.journal import JournalFileBackend, JournalStorage

from edgesnn.errors import UsageError
from edgesnn.train import load_checkpoint
from edgesnn.tune import tune
from edgesnn.tune.optuna_engine import VOID, MedianRule, make_sampler
from edgesnn.tune.optuna_storage import REJECTED
from edgesnn.tune.results import pareto_front
from edgesnn.tune.trial import TrialRecord

STUDY = "edgesnn-wine-mlp-wearable"


def _study(out: Path):
    return optuna.load_study(study_name=STUDY, storage=JournalStorage(JournalFileBackend(str(out / "study.journal"))))


def test_tune_rejects_infeasible_before_training_and_writes_the_run(tmp_path, tiny_space):
    out = tmp_path / "run"
    r = tune("wine", "wearable", space=tiny_space, trials=6, epochs=1, out=out, progress=False, seed=3)
    trained = [x for x in r.records if x.stage == "trained"]
    rejected = [x for x in r.records if x.state == "INFEASIBLE"]
    assert rejected, "the tiny space has infeasible choices; TPE's first draws should hit one"
    # --trials counts trained trials: the rejections are recorded on top of them
    assert len(trained) == 6 and len(r.records) == 6 + len(rejected)
    assert r.summary["trained_trials"] == 6 and r.summary["rejected_before_training"] == len(rejected)
    for x in rejected:
        assert x.train_seconds == 0 and x.checkpoint is None and x.static_seconds < 0.05
        assert any(s["slack"] > 0 for s in x.slacks.values())
        assert not (out / "trials" / f"{x.number:04d}").exists()
    assert r.summary["train_seconds_infeasible"] == 0
    # every trial carries its slacks as Optuna constraints
    study = _study(out)
    assert all(t.constraints for t in study.trials)
    assert {t.number for t in study.trials if max(t.constraints.values()) > 0} >= {x.number for x in rejected}
    # outputs
    for name in ("results.csv", "results.json", "pareto.json", "pareto.png", "exploration.png"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert len(rows) == len(r.records) and {"slack.max_latency_ms", "param.hidden_1", "static_ms", "feasible"} <= set(
        rows[0]
    )
    assert r.best is not None and r.best.feasible
    assert r.best.metrics["val_acc"] == max(x.metrics["val_acc"] for x in r.records if x.feasible)
    ckpt = load_checkpoint(out / "best")
    assert ckpt.metrics["val_acc"] == pytest.approx(r.best.metrics["val_acc"])
    assert r.next_command == f"edgesnn export {out / 'best'} --target loihi2"
    pareto = json.loads((out / "pareto.json").read_text())
    assert {p["number"] for p in pareto["trials"]} == {x.number for x in r.pareto}
    assert r.best.number in {x.number for x in r.pareto}  # the most accurate feasible is never dominated
    # energy floor is a true lower bound of the measured energy
    for x in r.records:
        if x.stage == "trained" and "energy_uj" in x.metrics:
            assert x.metrics["energy_floor_uj"] <= x.metrics["energy_uj"] + 1e-12


def test_a_failing_trial_is_marked_failed_and_the_study_goes_on(tmp_path):
    # max pooling has no NIR primitive: training succeeds, measuring on the reference simulator raises
    space = tmp_path / "s.json"
    space.write_text(
        json.dumps(
            {
                "pool": {"_type": "choice", "_value": ["max", "avg"]},
                "timesteps": {"_type": "choice", "_value": [4]},
                "wd1": {"_type": "choice", "_value": [3]},
                "h1": {"_type": "choice", "_value": [2]},
                "w1": {"_type": "choice", "_value": [4]},
                "w2": {"_type": "choice", "_value": [4]},
                "w3": {"_type": "choice", "_value": [4]},
            }
        )
    )
    r = tune(
        "wine",
        "wearable",
        model="cnn1d",
        space=space,
        trials=2,
        epochs=1,
        out=tmp_path / "run",
        progress=False,
        objectives=["accuracy"],
        tuner="grid",
    )
    states = {x.params["pool"]: x for x in r.records}
    assert states["max"].state == "FAIL" and "MaxPool1d" in states["max"].error
    assert states["avg"].state == "COMPLETE" and r.best is states["avg"]


def test_second_run_in_same_directory_needs_resume(tmp_path, tiny_space):
    out = tmp_path / "run"
    tune("wine", "wearable", space=tiny_space, trials=1, epochs=1, out=out, progress=False)
    with pytest.raises(UsageError, match="--resume"):
        tune("wine", "wearable", space=tiny_space, trials=1, epochs=1, out=out, progress=False)
    with pytest.raises(UsageError, match="does not exist"):
        tune("wine", "wearable", space=tiny_space, trials=1, out=tmp_path / "nope", resume=True)


def test_samplers_registry():
    from edgesnn.tune.run import make_setup

    setup = make_setup("wine", "wearable", None, "mlp", None, 1, Path("/tmp/x"), 0)
    for name in ("tpe", "gp", "nsga2", "random", "cmaes"):
        assert make_sampler(name, 0, setup, 1) is not None
    with pytest.raises(UsageError, match="one objective"):
        make_sampler("cmaes", 0, setup, 2)
    with pytest.raises(UsageError, match="finite space"):
        make_sampler("grid", 0, setup, 2)
    with pytest.raises(UsageError, match="did you mean 'tpe'"):
        make_sampler("tpee", 0, setup, 1)


def test_median_rule_prunes_below_the_median_curve():
    study = optuna.create_study(directions=["maximize", "minimize"])
    for c in ([0.5, 0.6], [0.6, 0.7], [0.7, 0.8]):
        study.add_trial(optuna.trial.create_trial(values=[c[-1], 1.0], user_attrs={"curve": c}))
    rule = MedianRule(warmup=1, min_curves=3)
    assert rule(study, 99, 1, 0.65) and not rule(study, 99, 1, 0.75)
    assert not rule(study, 99, 0, 0.0)  # warm-up epoch


def test_pareto_front_keeps_only_non_dominated_feasible_trials():
    def rec(n, acc, e, feasible=True):
        return TrialRecord(n, {}, feasible=feasible, stage="trained", metrics={"val_acc": acc, "energy_uj": e})

    recs = [rec(0, 0.9, 2.0), rec(1, 0.8, 1.0), rec(2, 0.7, 1.5), rec(3, 0.95, 0.5, feasible=False)]
    assert [r.number for r in pareto_front(recs, ["accuracy", "energy"])] == [0, 1]


def _finished(out: Path, trained_only: bool = False) -> dict[int, dict]:
    """Finished trials of the study (``trained_only``: those --trials counts, not the rejected)."""
    try:
        study = _study(out)
    except Exception:
        return {}
    return {
        t.number: dict(t.params)
        for t in study.get_trials(deepcopy=False)
        if t.state.is_finished() and VOID not in t.user_attrs and not (trained_only and REJECTED in t.user_attrs)
    }


@pytest.mark.slow
def test_kill_9_then_resume_loses_no_finished_trial(tmp_path, tiny_space):
    out = tmp_path / "run"
    cmd = [
        str(Path(sys.executable).parent / "edgesnn"),
        "tune",
        "--dataset",
        "wine",
        "--space",
        str(tiny_space),
        "--trials",
        "6",
        "--epochs",
        "1",
        "--out",
        str(out),
        "--json",
        "--no-prune",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    try:
        while len(_finished(out)) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = _finished(out)
    trained_before = len(_finished(out, trained_only=True))
    assert len(before) >= 2 and trained_before < 6, f"kill came too late or too early: {len(before)} finished"
    done = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 2), done.stderr[-2000:]  # 2: ran fine, but no trial met the profile
    after = _finished(out)
    assert len(_finished(out, trained_only=True)) == 6  # --trials counts trained trials only
    assert all(after[n] == p for n, p in before.items())  # the finished trials are all there, unchanged
    results = json.loads((out / "results.json").read_text())
    assert len(results["trials"]) == len(after)


def test_energy_vs_ann_objective_and_profile_limit(tmp_path, tiny_space):
    """The like-for-like ratio is measured for every trained trial, optimised, and checked as a limit."""
    import yaml

    from edgesnn.config import load_profile

    prof = load_profile("wearable").model_dump()
    prof["limits"]["max_energy_vs_ann"] = 1.0
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(prof))
    r = tune(
        "wine",
        str(path),
        space=tiny_space,
        trials=2,
        epochs=1,
        out=tmp_path / "run",
        progress=False,
        objectives=["accuracy", "energy_vs_ann"],
        seed=1,
    )
    trained = [x for x in r.records if x.stage == "trained"]
    assert len(trained) == 2 and all(x.metrics["energy_vs_ann"] > 0 for x in trained)
    for x in trained:
        check = x.slacks["max_energy_vs_ann"]
        assert check["value"] == pytest.approx(x.metrics["energy_vs_ann"]) and check["limit"] == 1.0
    front = json.loads((tmp_path / "run" / "pareto.json").read_text())
    assert front["objectives"] == {"accuracy": "maximize", "energy_vs_ann": "minimize"}
