"""Static feasibility: the same bytes as edgesnn.metrics, and a rejection in well under 50 ms."""

import pytest

from edgesnn.config import load_profile, load_target
from edgesnn.metrics import params as pm
from edgesnn.models import build
from edgesnn.models.to_nir import to_nir
from edgesnn.train.run import resolve_hparams
from edgesnn.tune.constraints import count_bytes, static_checks

WEARABLE, LOIHI = load_profile("wearable"), load_target("loihi2")


@pytest.mark.parametrize(
    "family, overrides, shape",
    [
        ("mlp", {"neuron": "synaptic", "hidden": [32, 16], "skip": ["concat", "none"]}, (64,)),
        ("mlp", {"neuron": "lapicque", "population": 2}, (13,)),
        ("rnn", {"hidden": [16]}, (13,)),
        ("cnn1d", {"wd1": 5, "h1": 2, "pool": "avg"}, (64,)),
        ("cnn2d", {"channels": [4, 8]}, (1, 8, 8)),
    ],
)
def test_static_bytes_equal_the_metrics_of_the_exported_graph(family, overrides, shape):
    model = build(resolve_hparams(family, overrides, LOIHI), shape, 10)
    graph = to_nir(model, dt=0.001)
    got = count_bytes(model, LOIHI)
    assert got["param_bytes"] == pm.param_bytes(graph, LOIHI.numerics.weight_bits)
    assert got["state_bytes"] == pm.state_bytes(graph, LOIHI.numerics.state_bits)


def test_forbidden_configurations_are_rejected_fast_with_their_slacks():
    r = static_checks({"hidden": [4096], "timesteps": 128}, "mlp", (64,), 10, WEARABLE, LOIHI)
    assert not r.feasible and r.seconds < 0.05
    slacks = {s.name: s for s in r.checks}
    assert slacks["max_latency_ms"].slack == pytest.approx(128 * 100 - 10000)  # 128 steps at dt 100 ms vs 10 s
    assert slacks["max_param_bytes"].slack == (64 * 4096 + 4096 + 4096 * 10 + 10) - 65536
    ok = static_checks({"hidden": [32], "timesteps": 8}, "mlp", (64,), 10, WEARABLE, LOIHI)
    assert ok.feasible and all(s.slack <= 0 for s in ok.checks)


def test_algorithm1_shape_error_is_an_infeasible_shape_not_a_crash():
    r = static_checks({"wd1": 20}, "cnn1d", (13,), 3, WEARABLE, LOIHI)
    assert not r.feasible and r.error and "wider than the input length 13" in r.error
    assert {s.name: s.slack for s in r.checks} == {"shape": 1.0}


def test_energy_floor_rejects_what_no_firing_pattern_can_save():
    implant = load_profile("implant")  # 0.5 µJ on Loihi's 52 pJ per neuron update
    r = static_checks({"hidden": [1024], "timesteps": 16}, "mlp", (13,), 3, implant, LOIHI)
    floor = {s.name: s for s in r.checks}["energy_floor_uj"]
    assert floor.value == pytest.approx((1024 + 3) * 16 * 52e-6)
    assert not floor.ok
