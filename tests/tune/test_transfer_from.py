"""``tune --transfer-from``: every SNN trial starts from one ANN trained before (a ``--network ann``
trial's directory), no twin is trained per trial; wrong combinations are refused before any trial."""

import json

import pytest

from edgesnn.cli import main
from edgesnn.errors import ArtifactError, UsageError
from edgesnn.train import load_checkpoint
from edgesnn.tune import TuneConfig, tune

ARCH = {"hidden": {"_type": "choice", "_value": [[16]]}}


@pytest.fixture(scope="module")
def ann_trial(tmp_path_factory):
    """A one-trial ``--network ann`` search: its record names the trial directory (ann.pt)."""
    tmp = tmp_path_factory.mktemp("ann")
    space = tmp / "space.json"
    space.write_text(json.dumps(ARCH))
    config = TuneConfig(
        "digits", "workstation", model="mlp", space=space, tuner="random", trials=1, epochs=2,
        objectives=("accuracy",), network="ann", out=tmp / "run",
    )  # fmt: skip
    (record,) = [r for r in tune(config, progress=False).records if r.stage == "trained"]
    return record


def test_ann_trials_name_their_checkpoint(ann_trial, tmp_path):
    from pathlib import Path

    assert (Path(ann_trial.checkpoint) / "ann.pt").is_file()


def test_every_trial_starts_from_the_given_ann(ann_trial, tmp_path):
    space = tmp_path / "space.json"
    space.write_text(json.dumps({**ARCH, "beta": {"_type": "choice", "_value": [0.8, 0.9]}}))
    config = TuneConfig(
        "digits", "workstation", model="mlp", space=space, tuner="random", trials=2, epochs=1,
        objectives=("accuracy",), out=tmp_path / "run", transfer_from=ann_trial.checkpoint,
    )  # fmt: skip
    trained = [r for r in tune(config, progress=False).records if r.stage == "trained"]
    assert len(trained) == 2 and all(r.state == "COMPLETE" for r in trained)
    for r in trained:  # the loaded ANN's accuracy on the same split, not a twin trained per trial
        assert r.metrics["ann_test_acc"] == pytest.approx(ann_trial.metrics["test_acc"])
        assert r.metrics["ann_val_acc"] == pytest.approx(ann_trial.metrics["val_acc"])
        saved = load_checkpoint(tmp_path / "run" / "trials" / f"{r.number:04d}")
        assert "ann_train_seconds" not in saved.metrics and saved.hp["init"] == "ann"


def test_a_mismatched_trial_fails_with_the_reason(ann_trial, tmp_path):
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"hidden": {"_type": "choice", "_value": [[8]]}}))
    config = TuneConfig(
        "digits", "workstation", model="mlp", space=space, tuner="random", trials=1, epochs=1,
        objectives=("accuracy",), out=tmp_path / "run", transfer_from=ann_trial.checkpoint,
    )  # fmt: skip
    (record,) = [r for r in tune(config, progress=False).records if r.stage == "trained"]
    assert record.state == "FAIL" and "architecture does not match" in record.error


def test_refused_before_any_trial(ann_trial, tmp_path, capsys):
    with pytest.raises(UsageError, match="--network ann trains no SNN"):
        TuneConfig("digits", "workstation", model="mlp", objectives=("accuracy",), network="ann",
                   transfer_from=ann_trial.checkpoint)  # fmt: skip
    with pytest.raises(ArtifactError, match="no ann.pt"):
        TuneConfig("digits", "workstation", model="mlp", transfer_from=tmp_path)
    space = tmp_path / "space.json"
    space.write_text(json.dumps({**ARCH, "init": {"_type": "choice", "_value": ["ann", "random"]}}))
    code = main(
        ["tune", "--dataset", "digits", "--profile", "workstation", "--model", "mlp", "--space", str(space),
         "--trials", "1", "--epochs", "1", "--transfer-from", ann_trial.checkpoint, "--out", str(tmp_path / "run")]
    )  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 1 and "space draws init from ['ann', 'random']" in err and len(err.splitlines()) == 1
