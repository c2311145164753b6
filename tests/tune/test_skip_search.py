"""Searching skip adjacency matrices: the space, the ann_snn_drop objective, topology costs, static rejection."""

import random

import optuna
import pytest

from edgesnn.config import load_profile, load_target
from edgesnn.errors import ConfigError, UsageError
from edgesnn.models import build, resolve
from edgesnn.tune import OBJECTIVES, TrialRecord, parse_space
from edgesnn.tune.constraints import static_checks
from edgesnn.tune.skips import assemble, check_drop_objective, skip_space
from edgesnn.tune.space import to_overrides

BASE = {"channels": [4, 4, 4], "pool_size": 1, "hidden": [16], "init": "ann", "timesteps": 4}


def test_space_lists_each_edge_with_the_kinds_that_fit():
    raw = skip_space("cnn2d", (1, 8, 8), 10, BASE)
    assert raw["channels"] == {"_type": "choice", "_value": [[4, 4, 4]]}
    edges = {k: v["_value"] for k, v in raw.items() if k.startswith("skip_matrix_")}
    assert edges["skip_matrix_1_3"] == [0, 1, 2]  # conv 1 → conv 3: equal shapes
    assert edges["skip_matrix_0_2"] == [0, 2]  # 1-channel input into a 4-channel conv block: concat only
    assert edges["skip_matrix_0_5"] == [0, 2]  # 64 input features into the readout (main input 16)
    assert all(j >= i + 2 for i, j in (map(int, k.split("_")[2:]) for k in edges))
    assert len(edges) == 10  # N = 6 nodes: C(6, 2) − 5 chain edges


def test_every_sampled_matrix_builds():
    space = parse_space(skip_space("cnn2d", (1, 8, 8), 10, BASE), "cnn2d")
    rng = random.Random(0)
    for _ in range(25):
        values = {n: rng.choice(p.value) for n, p in space.params.items()}
        over = to_overrides(values, "cnn2d")
        assert len(over["skip_matrix"]) == 6
        build(resolve("cnn2d", over), (1, 8, 8), 10)


def test_gp_and_random_samplers_search_the_space():
    space = parse_space(skip_space("mlp", (6,), 4, {"hidden": [8, 8, 8], "init": "ann"}), "mlp")
    for sampler in (optuna.samplers.GPSampler(seed=0, n_startup_trials=2), optuna.samplers.RandomSampler(seed=0)):
        study = optuna.create_study(sampler=sampler)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study.optimize(lambda t: float(sum(to_overrides(space.sample(t), "mlp")["skip_matrix"][1])), n_trials=5)
        assert len(study.trials) == 5 and all(t.state.name == "COMPLETE" for t in study.trials)


def test_space_rejects_a_bad_kind_and_assemble_checks_size():
    raw = skip_space("mlp", (6,), 4, {"hidden": [8, 8, 8]})
    raw["skip_matrix_1_3"] = {"_type": "choice", "_value": [0, 3]}
    with pytest.raises(ConfigError, match=r"must be 0 \(none\), 1 \(add\) or 2 \(concat\)"):
        parse_space(raw, "mlp")
    with pytest.raises(UsageError, match="outside the model's 3×3"):
        assemble({"skip_matrix_0_4": 1}, 3)
    assert assemble({"skip_matrix_0_2": 2, "beta": 0.5}, 3) == [[0, 0, 2], [0, 0, 0], [0, 0, 0]]


def test_ann_snn_drop_objective():
    direction, value = OBJECTIVES["ann_snn_drop"]
    assert direction == "minimize"
    assert value(TrialRecord(0, {}, metrics={"ann_val_acc": 0.95, "val_acc": 0.9})) == pytest.approx(0.05)
    assert value(TrialRecord(0, {}, metrics={"val_acc": 0.9})) == float("inf")  # no twin: worst
    space = parse_space({"beta": {"_type": "uniform", "_value": [0.8, 0.9]}}, "mlp")
    with pytest.raises(UsageError, match="init=\\['random'\\]"):
        check_drop_objective(("ann_snn_drop",), "mlp", space)
    check_drop_objective(
        ("ann_snn_drop",), "cnn2d", parse_space({"beta": {"_type": "uniform", "_value": [0.8, 0.9]}}, "cnn2d")
    )
    check_drop_objective(("accuracy",), "mlp", space)


def test_static_checks_reject_an_invalid_matrix_before_training():
    profile, target = load_profile("workstation"), load_target("onnx")
    bad = {**BASE, "skip_matrix": [[0, 0, 1, 0, 0, 0]] + [[0] * 6] * 5}  # 1-channel input added to 4 channels
    report = static_checks(bad, "cnn2d", (1, 8, 8), 10, profile, target)
    assert not report.feasible and "add needs equal shapes" in report.error
    good = {**BASE, "skip_matrix": [[0, 0, 2, 0, 0, 0]] + [[0] * 6] * 5}
    assert static_checks(good, "cnn2d", (1, 8, 8), 10, profile, target).feasible


@pytest.mark.slow
def test_trial_records_drop_firing_rate_and_macs(tmp_path):
    from edgesnn.tune import TuneConfig, tune

    space = tmp_path / "space.json"
    import json

    raw = skip_space("cnn2d", (1, 8, 8), 10, BASE)
    raw = {k: v for k, v in raw.items() if not k.startswith("skip_matrix_") or k == "skip_matrix_1_3"}
    space.write_text(json.dumps(raw))
    config = TuneConfig(
        "digits",
        "workstation",
        model="cnn2d",
        space=space,
        tuner="random",
        trials=2,
        epochs=1,
        objectives=("ann_snn_drop",),
        prune=False,
        out=tmp_path / "run",
    )
    result = tune(config, progress=False)
    done = [r for r in result.records if r.state == "COMPLETE"]
    assert done
    for r in done:
        assert 0 < r.metrics["ann_val_acc"] <= 1 and 0 <= r.metrics["val_acc"] <= 1
        assert r.objective("ann_snn_drop") == pytest.approx(r.metrics["ann_val_acc"] - r.metrics["val_acc"])
        assert r.metrics["macs"] > 0 and r.metrics["synops"] >= 0 and 0 <= r.metrics["mean_firing_rate"] <= 1
    # an add edge costs no MACs, a concat one does: MACs follow the topology
    by_kind = {r.params["skip_matrix_1_3"]: r.metrics["macs"] for r in done}
    if 2 in by_kind and 0 in by_kind:
        assert by_kind[2] > by_kind[0]


def test_best_trial_is_chosen_by_the_first_objective():
    """A drop search keeps the trial with the smallest ANN→SNN drop, not the most accurate SNN;
    with accuracy first (or no objectives) the highest validation accuracy wins."""
    from edgesnn.tune import best_feasible

    records = [
        TrialRecord(0, {}, feasible=True, stage="trained", metrics={"ann_val_acc": 0.99, "val_acc": 0.93}),  # drop 0.06
        TrialRecord(1, {}, feasible=True, stage="trained", metrics={"ann_val_acc": 0.90, "val_acc": 0.89}),  # drop 0.01
        TrialRecord(2, {}, feasible=True, stage="trained", metrics={"val_acc": 0.95}),  # no twin: drop inf
    ]
    assert best_feasible(records, ("ann_snn_drop",)).number == 1
    assert best_feasible(records, ("ann_snn_drop", "accuracy")).number == 1
    assert best_feasible(records, ("accuracy", "ann_snn_drop")).number == 2
    assert best_feasible(records).number == 2
