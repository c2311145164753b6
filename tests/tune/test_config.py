"""``TuneConfig`` and the engine registry: refusals before any data is loaded, each engine's own options."""

import dataclasses
import json
from dataclasses import dataclass

import pytest

from edgesnn.errors import UsageError
from edgesnn.tune import ENGINES, Engine, NNIEngine, OptunaEngine, TrialRecord, TuneConfig, tune


def test_config_is_frozen_and_takes_lists():
    c = TuneConfig("wine", objectives=["accuracy"])
    assert c.objectives == ("accuracy",) and c.engine == "optuna" and c.trials == 20
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.trials = 3
    assert dataclasses.replace(c, trials=3).trials == 3


@pytest.mark.parametrize(
    "fields, match",
    [
        ({"engine": "ray"}, "unknown engine 'ray'; choose from: nni, optuna"),
        ({"trials": 0}, "--trials 0 and --jobs 1 must be ≥ 1"),
        ({"jobs": 0}, "--trials 20 and --jobs 0 must be ≥ 1"),
        ({"objectives": []}, "--objectives is empty"),
        ({"objectives": ["accuracy", "speed"]}, "unknown objective 'speed'"),
        ({"objectives": ["accuracy", "accuracy"]}, "lists one twice: accuracy,accuracy"),
        ({"tuner": "cmaes"}, "one objective"),
        ({"tuner": "tpee"}, "did you mean 'tpe'"),
        ({"nni_port": 8080}, "--nni-port / --nni-remote apply to --engine nni, not 'optuna'"),
        ({"nni_remote": "m.yaml"}, "--nni-port / --nni-remote apply to --engine nni, not 'optuna'"),
        ({"engine": "nni", "tuner": "GP"}, "use one of TPE, Anneal, Evolution, Random, GridSearch"),
        ({"engine": "nni", "storage": "sqlite:///x.db"}, "--storage is for the optuna engine"),
        ({"engine": "nni", "resume": True}, "--resume is for the optuna engine"),
    ],
)
def test_bad_settings_are_refused_when_the_config_is_built(fields, match):
    with pytest.raises(UsageError, match=match):
        TuneConfig("wine", **fields)


def test_each_engine_keeps_only_its_own_options():
    assert set(ENGINES) == {"optuna", "nni"} and ENGINES["optuna"] is OptunaEngine and ENGINES["nni"] is NNIEngine
    opt = TuneConfig(
        "wine",
        objectives=["accuracy"],
        tuner="cmaes",
        storage="sqlite:///s.db",
        study="s",
        resume=True,
        prune=False,
        trials=4,
        jobs=2,
        timeout=60,
        seed=7,
    ).make_engine()
    assert opt == OptunaEngine(("accuracy",), 4, 60, 2, 7, "cmaes", "sqlite:///s.db", "s", True, False)
    nni = TuneConfig("wine", engine="nni", tuner="anneal", nni_port=8081, nni_remote="m.yaml").make_engine()
    assert nni == NNIEngine(20, None, 1, 0, "Anneal", "m.yaml", 8081)
    assert TuneConfig("wine").make_engine().sampler == "tpe"
    assert TuneConfig("wine", engine="nni").make_engine().tuner == "TPE"


def test_run_dir_is_checked_on_disk(tmp_path):
    with pytest.raises(UsageError, match="does not exist; pass the --out"):
        TuneConfig("wine", resume=True, out=tmp_path / "nope").run_dir()
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        TuneConfig("wine", out=tmp_path / "file").run_dir()
    assert TuneConfig("wine", out=tmp_path / "r").run_dir() == tmp_path / "r"
    assert TuneConfig("wine", model="rnn").run_dir().name.startswith("tune-wine-rnn-")


def test_tune_takes_a_config_or_keywords_not_both(tmp_path):
    with pytest.raises(TypeError, match="put them in the TuneConfig"):
        tune(TuneConfig("wine", out=tmp_path / "r"), trials=1)
    with pytest.raises(UsageError, match="--storage is for the optuna engine"):
        tune("wine", engine="nni", storage="sqlite:///x.db", out=tmp_path / "r")
    assert not (tmp_path / "r").exists()


@dataclass(frozen=True)
class _OneFailure(Engine):
    """An engine that 'runs' one failed trial: enough to see tune() pick it and write the run."""

    name = "fake"
    trials: int

    @classmethod
    def from_config(cls, config):
        return cls(config.trials)

    def run(self, setup, *, progress, announce):
        announce("fake engine started")
        return [TrialRecord(0, {"beta": 0.9}, state="FAIL", error="fake", engine="fake")], ["a note"]


def test_tune_runs_the_registered_engine_by_name(tmp_path, monkeypatch, tiny_space):
    monkeypatch.setitem(ENGINES, "fake", _OneFailure)
    said = []
    r = tune(
        TuneConfig("wine", space=tiny_space, engine="fake", trials=1, epochs=1, out=tmp_path / "r"),
        announce=said.append,
    )
    assert said == ["fake engine started"] and r.engine == "fake" and r.notes[-1] == "a note"
    assert r.notes[0].startswith("timesteps choices [128] dropped")  # the space fitted to the profile
    assert r.best is None and [x.error for x in r.records] == ["fake"]
    assert json.loads((tmp_path / "r" / "results.json").read_text())["objectives"] == ["accuracy", "energy"]


def test_the_default_model_is_trains_for_the_data(tmp_path):
    """No --model: the family train would pick (rnn for a time series), with its series space."""
    from edgesnn.tune.run import make_setup

    series = make_setup("basic_motions", "wearable", None, None, None, None, tmp_path / "s", 0)
    assert series.family == "rnn" and "encoder_threshold" in series.space.params and series.epochs == 20
    assert make_setup("wine", "wearable", None, None, None, 1, tmp_path / "v", 0).family == "mlp"
