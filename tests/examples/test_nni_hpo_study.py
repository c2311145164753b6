"""``examples/nni_hpo/run.py --smoke`` end to end in a subprocess: a real NNI experiment (TPE tuner,
Medianstop assessor) on ``basic_motions``, its trials recorded, the best-validation trial tested,
and a results page with the measured table beside the paper's, the exploration figure and the
confusion matrix."""

import re

import pytest


@pytest.mark.nni
@pytest.mark.slow
def test_smoke_study_runs_a_real_nni_experiment_and_writes_the_table(tmp_path, smoke_study):
    data = smoke_study("nni_hpo")
    assert data["meta"]["nni"].startswith("3.") and data["paper"]["test_acc"] == 0.9714
    (run,) = data["runs"]
    assert run["dataset"] == "basic_motions" and run["trained"] == run["trials"] == 3
    # a real NNI experiment: its manager's log and database (holding the config with the assessor),
    # and a "KI" (kill) command from NNI's dispatcher for each trial the assessor stopped
    nni_dir = tmp_path / "basic_motions" / "nni"
    (exp,) = [d for d in nni_dir.iterdir() if not d.is_symlink() and (d / "db" / "nni.sqlite").is_file()]
    assert b'"Medianstop"' in (exp / "db" / "nni.sqlite").read_bytes()
    log = (exp / "log" / "nnimanager.log").read_text()
    killed = set(re.findall(r'received command from dispatcher: KI, "([^"]+)"', log))
    assert {t["trial_id"] for t in run["trace"] if t["state"] == "EARLY_STOPPED"} <= killed
    states = [t["state"] for t in run["trace"]]
    assert len(states) == 3 and set(states) <= {"COMPLETE", "EARLY_STOPPED", "INFEASIBLE"}
    assert all(t["trial_id"] for t in run["trace"])
    assert run["early_stopped"] == states.count("EARLY_STOPPED")
    for t in run["trace"]:
        if t["state"] == "EARLY_STOPPED":  # killed by the assessor: a curve, no test
            assert t["epochs_run"] >= 1 and t["test_acc"] is None and 0 <= t["val_acc"] <= 1
        if t["state"] == "COMPLETE":
            assert t["epochs_run"] == 4 and 0 <= t["train_acc"] <= 1 and 0 <= t["test_acc"] <= 1
    best = run["best"]
    assert best is not None and best["val_acc"] == max(
        t["val_acc"] for t in run["trace"] if t["state"] == "COMPLETE" and t["feasible"]
    )
    cm = best["test_confusion"]
    assert len(cm["classes"]) == 4 and sum(map(sum, cm["matrix"])) == 40  # basic_motions' 40 test series
    assert sum(cm["matrix"][i][i] for i in range(4)) / 40 == pytest.approx(best["test_acc"])
    md = (tmp_path / "results.md").read_text()
    measured = md.split("## Measured")[1].split("## Paper")[0]
    row = next(r for r in measured.splitlines() if r.startswith("| `basic_motions`"))
    assert f"| 3 / {run['early_stopped']} / {run['rejected_before_training']} |" in row
    assert f"**{100 * best['test_acc']:.2f}**" in row
    assert re.search(r"\| \d+ s \|$", row)  # wall time
    assert "**97.14**" in md.split("## Paper")[1]
    for png in ("basic_motions_accuracy_per_trial.png", "basic_motions_confusion.png"):
        assert f"]({png})" in md and (tmp_path / png).stat().st_size > 0
