"""``network="ann"``: every trial trains the ANN twin alone (an architecture search before
conversion); the paper shape rule's draws follow the run's seed in the static check too."""

import pytest

from edgesnn.errors import UsageError
from edgesnn.tune import TuneConfig, tune

SPACE = {
    "w1": {"_type": "choice", "_value": [4, 8]},
    "wd1": {"_type": "randint", "_value": [3, 20]},
    "h1": {"_type": "randint", "_value": [2, 5]},
    "shape_rule": {"_type": "choice", "_value": ["paper"]},
    "hidden": {"_type": "choice", "_value": [[]]},
}


def test_ann_trials_report_the_ann_and_its_drawn_shape(tmp_path):
    import json

    space = tmp_path / "space.json"
    space.write_text(json.dumps(SPACE))
    result = tune(
        TuneConfig(
            "pbmc68k",
            "workstation",
            model="cnn1d",
            space=space,
            tuner="random",
            trials=2,
            epochs=2,
            objectives=("accuracy",),
            network="ann",
            out=tmp_path / "run",
        ),
        progress=False,
    )
    trained = [r for r in result.records if r.stage == "trained"]
    assert len(trained) == 2 and all(r.state == "COMPLETE" for r in trained)
    for r in trained:
        assert 0.0 <= r.metrics["val_acc"] <= 1.0 and 0.0 <= r.metrics["test_acc"] <= 1.0
        assert r.metrics["params"] > 0 and r.metrics["train_seconds"] > 0
        assert len(r.curve) == 2  # one validation accuracy per epoch
        assert set(r.metrics["sizes"]) == {"wd2", "h2", "wd3", "h3"} and min(r.metrics["sizes"].values()) >= 1
        assert "energy_uj" not in r.metrics  # no SNN was built or measured
        saved = json.loads((tmp_path / "run" / "trials" / f"{r.number:04d}" / "ann.json").read_text())
        assert saved["hp"]["shape_rule"] == "paper" and saved["hp"]["wd2"] == r.metrics["sizes"]["wd2"]
    assert result.best is not None


def test_static_check_builds_the_paper_shape_training_will_build():
    from edgesnn.config import load_profile, load_target
    from edgesnn.tune.constraints import static_checks

    profile, target = load_profile("workstation"), load_target("onnx-cpu")
    over = {"shape_rule": "paper", "wd1": 5, "h1": 2, "hidden": []}
    a = static_checks(dict(over), "cnn1d", (765,), 10, profile, target, seed=3)
    b = static_checks(dict(over), "cnn1d", (765,), 10, profile, target, seed=3)
    c = static_checks(dict(over), "cnn1d", (765,), 10, profile, target, seed=4)
    keys = ("wd2", "h2", "wd3", "h3")
    assert [a.hp[k] for k in keys] == [b.hp[k] for k in keys] != [c.hp[k] for k in keys]
    assert a.metrics["param_bytes"] == b.metrics["param_bytes"]


def test_ann_network_takes_only_the_accuracy_objective():
    with pytest.raises(UsageError, match="only the accuracy objective"):
        TuneConfig("pbmc68k", "workstation", model="cnn1d", network="ann", objectives=("accuracy", "energy"))
    with pytest.raises(UsageError, match="network"):
        TuneConfig("pbmc68k", "workstation", model="cnn1d", network="cnn", objectives=("accuracy",))


def test_deterministic_trials_record_their_derived_sizes(tmp_path):
    import json

    space = tmp_path / "space.json"
    space.write_text(json.dumps({**SPACE, "shape_rule": {"_type": "choice", "_value": ["deterministic"]}}))
    config = TuneConfig(
        "pbmc68k", "workstation", model="cnn1d", space=space, tuner="random", trials=1, epochs=1,
        objectives=("accuracy",), network="ann", out=tmp_path / "run",
    )  # fmt: skip
    (record,) = [r for r in tune(config, progress=False).records if r.stage == "trained"]
    from edgesnn.models.shapes import algorithm1

    derived = algorithm1(765, record.params["wd1"], record.params["h1"])
    assert record.metrics["sizes"] == {k: derived[k] for k in ("wd2", "h2", "wd3", "h3")}
