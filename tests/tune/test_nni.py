"""The NNI engine: a real NNI 3.0 experiment (local training service), tuners, assessors, ports,
remote config."""

import csv
import json
import socket

import pytest

from edgesnn.cli import main
from edgesnn.errors import ConfigError, UsageError
from edgesnn.tune import tune
from edgesnn.tune.nni_engine import ASSESSORS, assessor_name, build_experiment, free_port, tuner_name
from edgesnn.tune.nni_records import assessor_kills
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
    assert json.loads((code / "setup.json").read_text())["out"] == "runs"


def test_bad_machines_yaml(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("- {host: a}\n")
    setup = make_setup("wine", "wearable", None, "mlp", None, 1, tmp_path / "run", 0)
    with pytest.raises(ConfigError, match="needs at least host and user"):
        build_experiment(setup, tuner="TPE", trials=1, jobs=1, timeout=None, seed=0, nni_remote=bad)


#: lr 1e-7 cannot learn: at epoch 1 it is below the first trial's (0.19 vs 0.33 validation accuracy on wine)
HOPELESS_LAST = {
    "hidden_1": {"_type": "choice", "_value": [32]},
    "timesteps": {"_type": "choice", "_value": [6]},
    "lr": {"_type": "choice", "_value": [0.02, 1e-7]},
    "encoder": {"_type": "choice", "_value": ["static"]},
}


@pytest.mark.nni
@pytest.mark.slow
def test_medianstop_assessor_stops_a_hopeless_trial_and_it_is_recorded(tmp_path):
    space = tmp_path / "space.json"
    space.write_text(json.dumps(HOPELESS_LAST))
    out = tmp_path / "run"
    r = tune(
        "wine",
        "workstation",
        model="mlp",
        space=space,
        engine="nni",
        tuner="GridSearch",
        assessor="Medianstop",
        trials=2,
        epochs=3,
        out=out,
        progress=False,
    )
    by_lr = {x.params["lr"]: x for x in r.records}
    good, stopped = by_lr[0.02], by_lr[1e-7]
    assert good.state == "COMPLETE" and len(good.curve) == 3 and good.metrics["train_acc"] > 0
    # Medianstop (start_step 1) judged the second trial after its first epoch and NNI killed it before
    # its final result (an epoch on wine is quicker than the kill, so it may have reported more
    # epochs by then): no checkpoint; its curve came back from NNI's intermediate metrics
    assert stopped.state == "EARLY_STOPPED" and stopped.stage == "trained" and stopped.checkpoint is None
    assert 1 <= len(stopped.curve) <= 3 and stopped.metrics["last_val_acc"] == stopped.curve[-1]
    assert stopped.metrics["val_acc"] == max(stopped.curve) < good.curve[0]
    assert not (out / "trials" / f"nni-{stopped.trial_id}" / "checkpoint.pt").exists()
    data = json.loads((out / "results.json").read_text())
    assert data["summary"]["early_stopped"] == 1 and data["summary"]["states"] == {"COMPLETE": 1, "EARLY_STOPPED": 1}
    best = data["summary"]["best"]
    assert best["number"] == good.number and best["test_acc"] == good.metrics["test_acc"]
    cm = best["test_confusion"]
    assert len(cm["classes"]) == 3 and sum(map(sum, cm["matrix"])) > 0
    assert sum(cm["matrix"][i][i] for i in range(3)) / sum(map(sum, cm["matrix"])) == pytest.approx(best["test_acc"])
    for png in ("accuracy_per_trial.png", "confusion.png", "exploration.png"):
        assert (out / png).stat().st_size > 0, png
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert sorted(row["state"] for row in rows) == ["COMPLETE", "EARLY_STOPPED"]


def test_assessor_names_are_case_insensitive_and_none_is_off():
    assert assessor_name("medianstop") == "Medianstop" and assessor_name("CURVEFITTING") == "Curvefitting"
    assert assessor_name(None) is None and assessor_name("none") is None and assessor_name("None") is None
    with pytest.raises(UsageError, match="unknown NNI assessor 'Medianstp' \\(did you mean 'Medianstop'\\?\\)"):
        assessor_name("Medianstp")


def test_assessor_is_configured_in_the_nni_experiment(tmp_path):
    setup = make_setup("wine", "wearable", None, "mlp", None, 20, tmp_path / "run", 0)
    exp, _ = build_experiment(setup, tuner="TPE", trials=4, jobs=1, timeout=None, seed=0, assessor="medianstop")
    assert exp.config.assessor.name == "Medianstop"
    assert exp.config.assessor.class_args == {"optimize_mode": "maximize", "start_step": 5}
    exp.config.canonical_copy()  # NNI validates the assessor's class_args
    exp, _ = build_experiment(setup, tuner="TPE", trials=4, jobs=1, timeout=None, seed=0, assessor="Curvefitting")
    assert exp.config.assessor.class_args == {"epoch_num": 20, "start_step": 6, "threshold": 0.95, "gap": 1}
    exp.config.canonical_copy()
    exp, _ = build_experiment(setup, tuner="TPE", trials=4, jobs=1, timeout=None, seed=0, assessor="none")
    assert exp.config.assessor.name == "_none_"  # NNI's own "no assessor"
    assert set(ASSESSORS) == {"Medianstop", "Curvefitting"}


def test_bad_assessor_is_a_one_line_error(tmp_path, capsys):
    cases = [
        (
            ["--engine", "nni", "--assessor", "Medianstp"],
            "unknown NNI assessor 'Medianstp' (did you mean 'Medianstop'?)",
        ),
        (["--engine", "nni", "--assessor", "hyperband"], "choose from: Medianstop, Curvefitting, none"),
        (["--assessor", "Medianstop"], "--assessor applies to --engine nni"),
    ]
    for extra, match in cases:
        code = main(["tune", "--dataset", "wine", "--trials", "1", "--out", str(tmp_path / "r"), *extra])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 1, extra
        assert len(err) == 1 and err[0].startswith("error:") and match in err[0], (extra, err)
    assert not (tmp_path / "r").exists()  # refused before any data was read or anything written


def test_assessor_kills_are_read_from_the_manager_log_and_user_cancels_are_not(tmp_path):
    # NNI 3.0's local training service labels an assessor's kill USER_CANCELED; the manager's log
    # tells the two apart (lines as NNI 3.0 writes them)
    log = tmp_path / "nnimanager.log"
    log.write_text(
        '[2026-12-04 11:26:50] INFO (NNIManager) NNIManager received command from dispatcher: KI, "yPPol"\n'
        '[2026-12-04 11:26:50] INFO (NNIManager) cancelTrialJob: "yPPol"\n'
        '[2026-12-04 11:26:51] INFO (NNIManager) NNIManager received command from dispatcher: KI, "yPPol"\n'
        "[2026-12-04 11:27:02] INFO (NNIManager) User cancelTrialJob: Ab3dE\n"
    )
    assert assessor_kills(log) == {"yPPol"}
    assert assessor_kills(tmp_path / "missing.log") == set()
