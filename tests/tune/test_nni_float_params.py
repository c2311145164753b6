"""NNI 3.0's Anneal tuner with float parameters on numpy 2 (edgesnn/tune/nni_tuners.py), and a dead
NNI tuner process failing the run in one line instead of idling to the experiment's cap."""

import inspect
import json
import time

import numpy as np
import pytest

from edgesnn.errors import BackendRunError
from edgesnn.tune import nni_engine, tune
from edgesnn.tune.nni_tuners import PATCHED, hyperopt_tuner, tuner_death

FLOATS = {
    "hidden_1": {"_type": "choice", "_value": [16, 32]},
    "timesteps": {"_type": "choice", "_value": [4]},
    "beta": {"_type": "quniform", "_value": [0.8, 0.95, 0.05]},
    "lr": {"_type": "loguniform", "_value": [0.005, 0.02]},
    "encoder": {"_type": "choice", "_value": ["static"]},
}


@pytest.fixture
def float_space(tmp_path):
    path = tmp_path / "space.json"
    path.write_text(json.dumps(FLOATS))
    return path


def test_the_rewrite_matches_nni_and_the_patched_anneal_takes_float_results():
    pytest.importorskip("nni")
    mod = hyperopt_tuner()
    assert "vals[key] == []" in inspect.getsource(mod)  # the installed NNI 3.0 has the defect on disk
    assert getattr(mod, PATCHED) == 1 and hyperopt_tuner() is mod  # the checked rewrite applied, once
    from edgesnn.tune.nni_tuners import Anneal

    t = Anneal(optimize_mode="maximize")
    t.update_search_space(FLOATS)
    for i in range(25):
        p = t.generate_parameters(i)
        t.receive_trial_result(i, p, float(p["beta"]) + float(p["lr"]))  # raised ValueError on numpy 2
    assert isinstance(p["beta"], float | np.floating) and 0.005 <= p["lr"] <= 0.02


def test_the_seed_fixes_anneals_proposals():
    """NNI seeds hyperopt from an unseeded RandomState(); edgesnn's Anneal takes the run's seed."""
    pytest.importorskip("nni")
    from edgesnn.tune.nni_tuners import Anneal

    def proposals(seed):
        t = Anneal(optimize_mode="maximize", seed=seed)
        t.update_search_space(FLOATS)
        out = []
        for i in range(8):
            p = t.generate_parameters(i)
            t.receive_trial_result(i, p, float(p["beta"]))
            out.append((float(p["beta"]), float(p["lr"])))
        return out

    assert proposals(3) == proposals(3)
    assert proposals(3) != proposals(4)


def test_anneal_is_configured_as_the_patched_custom_tuner(tmp_path, float_space):
    pytest.importorskip("nni")
    from edgesnn.tune.run import make_setup

    setup = make_setup("iris", "wearable", None, "mlp", float_space, 1, tmp_path / "run", 0)
    exp, _ = nni_engine.build_experiment(setup, tuner="anneal", trials=3, jobs=1, timeout=60, seed=0)
    assert exp.config.tuner.class_name == "edgesnn.tune.nni_tuners.Anneal"
    assert exp.config.tuner.class_args["seed"] == 0
    exp, _ = nni_engine.build_experiment(setup, tuner="TPE", trials=3, jobs=1, timeout=60, seed=0)
    assert exp.config.tuner.name == "TPE"


def test_tuner_death_reads_the_dispatcher_traceback(tmp_path):
    log = tmp_path / "dispatcher.log"
    assert tuner_death(log) is None
    log.write_text("[t] INFO Dispatcher started\n")
    assert tuner_death(log) is None
    log.write_text(
        '[t] ERROR (x) boom\nTraceback (most recent call last):\n  File "a.py", line 1, in f\n    x == []\n'
        "ValueError: The truth value of an empty array is ambiguous.\n[t] INFO Dispatcher exiting...\n"
    )
    assert tuner_death(log) == "ValueError: The truth value of an empty array is ambiguous."


@pytest.mark.nni
@pytest.mark.slow
def test_real_nni_anneal_with_float_parameters_completes_every_trial(tmp_path, float_space):
    r = tune(
        "iris", "wearable", model="mlp", space=float_space, engine="nni", tuner="Anneal",
        trials=4, epochs=1, timeout=120, out=tmp_path / "run", progress=False, seed=0,
    )  # fmt: skip
    assert len(r.records) == 4 and all(x.state == "COMPLETE" for x in r.records)
    assert len({x.params["beta"] for x in r.records} | {x.params["lr"] for x in r.records}) > 2
    assert not any("deadline" in n or "ERROR" in n for n in r.notes)


@pytest.mark.nni
@pytest.mark.slow
def test_a_dead_nni_tuner_is_a_one_line_error_not_an_idle_wait(tmp_path, float_space, monkeypatch):
    monkeypatch.setattr(nni_engine, "PATCHED_TUNERS", {})  # NNI's own Anneal: dies on the first result
    start = time.monotonic()
    with pytest.raises(BackendRunError, match=r"NNI's Anneal tuner process died \(ValueError: The truth value"):
        tune(
            "iris", "wearable", model="mlp", space=float_space, engine="nni", tuner="Anneal",
            trials=4, epochs=1, timeout=300, out=tmp_path / "run", progress=False, seed=0,
        )  # fmt: skip
    assert time.monotonic() - start < 120  # the cap was 300 s
