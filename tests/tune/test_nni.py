"""The NNI engine: a real NNI 3.0 experiment (local training service), tuners, ports, remote config."""

import csv
import socket

import pytest

from edgesnn.errors import ConfigError, UsageError
from edgesnn.tune import tune
from edgesnn.tune.nni_engine import build_experiment, free_port, tuner_name
from edgesnn.tune.run import make_setup


@pytest.mark.nni
@pytest.mark.slow
def test_real_nni_anneal_experiment_fills_the_same_results_table(tmp_path, tiny_space):
    nni_run, opt_run = tmp_path / "nni", tmp_path / "optuna"
    r = tune(
        "wine",
        "wearable",
        space=tiny_space,
        engine="nni",
        tuner="Anneal",
        trials=3,
        epochs=1,
        out=nni_run,
        progress=False,
        seed=1,
    )
    trained = [x for x in r.records if x.stage == "trained"]
    assert len(trained) == 3 and all(x.engine == "nni" and x.trial_id for x in r.records)
    assert len(r.records) == 3 + r.summary["rejected_before_training"]  # rejections do not use up --trials
    assert {x.state for x in r.records} <= {"COMPLETE", "INFEASIBLE", "FAIL"}
    for x in r.records:
        if x.state == "INFEASIBLE":
            assert x.train_seconds == 0 and x.checkpoint is None
        if x.state == "COMPLETE":
            assert x.curve and (nni_run / "trials" / f"nni-{x.trial_id}" / "checkpoint.pt").is_file()
    assert (nni_run / "nni" / "code" / "setup.json").is_file()  # experiment lives in the run dir
    assert any("http://127.0.0.1:" in n for n in r.notes)  # no announce callback: the URL is a note
    nni_cols = next(csv.reader((nni_run / "results.csv").open()))
    tune("wine", "wearable", space=tiny_space, trials=1, epochs=1, out=opt_run, progress=False)
    opt_cols = next(csv.reader((opt_run / "results.csv").open()))
    base = [c for c in opt_cols if not c.startswith(("param.", "slack."))]
    assert [c for c in nni_cols if not c.startswith(("param.", "slack."))] == base


@pytest.mark.parametrize("name", ["GP", "metis", "Hyperband", "BOHB", "SMAC"])
def test_broken_upstream_tuners_are_refused(name):
    with pytest.raises(UsageError, match="use one of TPE, Anneal, Evolution, Random, GridSearch"):
        tuner_name(name)


def test_tuner_names_are_case_insensitive_and_typos_suggested():
    assert tuner_name("anneal") == "Anneal" and tuner_name(None) == "TPE"
    with pytest.raises(UsageError, match="did you mean 'Anneal'"):
        tuner_name("Aneal")


def test_busy_port_is_reported_and_free_one_found():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        busy = s.getsockname()[1]
        with pytest.raises(UsageError, match=f"port {busy} is busy"):
            free_port(busy)
        assert free_port() != busy


@pytest.mark.filterwarnings("ignore:SSH password")
def test_remote_training_service_config_is_built_from_machines_yaml(tmp_path):
    machines = tmp_path / "machines.yaml"
    machines.write_text(
        "machines:\n  - {host: 10.0.0.2, user: alice, password: pw, python_path: /opt/venv/bin}\n"
        "  - {host: node3, port: 2222, user: bob, password: pw}\n"
    )
    setup = make_setup("wine", "wearable", None, "mlp", None, 1, tmp_path / "run", 0)
    exp, code = build_experiment(setup, tuner="tpe", trials=4, jobs=2, timeout=60, seed=0, nni_remote=machines)
    c = exp.config
    ts = c.training_service
    assert ts.platform == "remote"
    assert [(m.host, m.port, m.user) for m in ts.machine_list] == [("10.0.0.2", 22, "alice"), ("node3", 2222, "bob")]
    assert ts.machine_list[0].python_path == "/opt/venv/bin"
    assert c.trial_command == "python3 -m edgesnn.tune.nni_trial setup.json"
    assert c.trial_concurrency == 2 and c.max_trial_number == 4 and c.max_experiment_duration == "60s"
    assert c.tuner.name == "TPE" and c.tuner.class_args["optimize_mode"] == "maximize"
    assert c.search_space == setup.space.raw
    c.canonical_copy()  # NNI's own validation of the whole config
    import json

    assert json.loads((code / "setup.json").read_text())["out"] == "runs"


def test_bad_machines_yaml(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("- {host: a}\n")
    setup = make_setup("wine", "wearable", None, "mlp", None, 1, tmp_path / "run", 0)
    with pytest.raises(ConfigError, match="needs at least host and user"):
        build_experiment(setup, tuner="TPE", trials=1, jobs=1, timeout=None, seed=0, nni_remote=bad)
