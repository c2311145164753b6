"""Lanes (``edgesnn/backends/lava/lanes.py``): L copies of a network in one Lava run, L samples at once.

Every Lava test here compares a lanes run with the unbatched (``lanes=1``) run of the same
graph, input and target, and asks for identical outputs and records (``np.array_equal``):
float and Loihi fixed point, B = 7 samples in lanes of 4 (the last group is padded).
"""

from __future__ import annotations

import nir
import numpy as np
import pytest

from edgesnn.backends.lava import lanes, lower
from edgesnn.backends.lava.backend import plan_for
from edgesnn.config import load_target
from edgesnn.nir.simulator import simulate

T, B, L = 12, 7, 4


def _lif(n, rng, r=5.0):
    return nir.LIF(
        tau=np.full(n, 5e-3),
        r=np.full(n, r),
        v_leak=np.zeros(n),
        v_threshold=rng.uniform(0.5, 1.5, n),
        v_reset=np.zeros(n),
    )


def _graph(nodes, edges):
    return nir.NIRGraph(nodes, edges, metadata={"dt": 1e-3, "reset": "zero"})


def mlp(seed=0):
    rng = np.random.default_rng(seed)
    nodes = {
        "input": nir.Input(np.array([12])),
        "fc1": nir.Affine(rng.normal(0, 0.6, (16, 12)), rng.normal(0, 0.1, 16)),
        "lif1": _lif(16, rng),
        "fc2": nir.Affine(rng.normal(0, 0.6, (5, 16)), rng.normal(0, 0.1, 5)),
        "lif2": _lif(5, rng),
        "output": nir.Output(np.array([5])),
    }
    return _graph(nodes, [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")])


def image_mlp(seed=1):
    """A (2, 3, 4) input flattened into a Dense: lanes feed it in NIR order, L=1 permutes columns."""
    rng = np.random.default_rng(seed)
    nodes = {
        "input": nir.Input(np.array([2, 3, 4])),
        "flat": nir.Flatten(start_dim=0, end_dim=-1, input_type={"input": np.array([2, 3, 4])}),
        "fc": nir.Affine(rng.normal(0, 0.6, (10, 24)), rng.normal(0, 0.1, 10)),
        "lif": _lif(10, rng),
        "output": nir.Output(np.array([10])),
    }
    return _graph(nodes, [("input", "flat"), ("flat", "fc"), ("fc", "lif"), ("lif", "output")])


def cuba(seed=2):
    """CubaLIF (Affine bias into u: the 'ones' Dense) and a CubaLI readout (membrane probe)."""
    rng = np.random.default_rng(seed)
    kw = dict(tau_syn=4e-3, tau_mem=8e-3, r=4.0, v_leak=0.0, w_in=2.0)

    def layer(n, li=False):
        p = {k: np.full(n, v) for k, v in kw.items()}
        return nir.CubaLI(**p) if li else nir.CubaLIF(**p, v_threshold=rng.uniform(0.5, 1.5, n), v_reset=np.zeros(n))

    nodes = {
        "input": nir.Input(np.array([12])),
        "fc1": nir.Affine(rng.normal(0, 0.6, (16, 12)), rng.normal(0, 0.2, 16)),
        "c1": layer(16),
        "fc2": nir.Affine(rng.normal(0, 0.6, (4, 16)), rng.normal(0, 0.2, 4)),
        "c2": layer(4, li=True),
        "output": nir.Output(np.array([4])),
    }
    return _graph(nodes, [("input", "fc1"), ("fc1", "c1"), ("c1", "fc2"), ("fc2", "c2"), ("c2", "output")])


def recurrent(seed=3):
    """snnTorch RLeaky: a recurrent Linear (block-diagonal back-connection, per-lane gate)."""
    rng = np.random.default_rng(seed)
    sub = nir.NIRGraph(
        {
            "input": nir.Input(np.array([16])),
            "lif": _lif(16, rng),
            "w_rec": nir.Linear(rng.normal(0, 0.4, (16, 16))),
            "output": nir.Output(np.array([16])),
        },
        [("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    nodes = {
        "input": nir.Input(np.array([12])),
        "fc1": nir.Affine(rng.normal(0, 0.6, (16, 12)), rng.normal(0, 0.1, 16)),
        "rnn": sub,
        "fc2": nir.Affine(rng.normal(0, 0.6, (5, 16)), np.zeros(5)),
        "lif2": _lif(5, rng),
        "output": nir.Output(np.array([5])),
    }
    return _graph(nodes, [("input", "fc1"), ("fc1", "rnn"), ("rnn", "fc2"), ("fc2", "lif2"), ("lif2", "output")])


def fusion(seed=4):
    """Two inputs, one a layer deeper than the other (a delay-aligned skip into 'fuse')."""
    rng = np.random.default_rng(seed)
    nodes = {
        "a": nir.Input(np.array([10])),
        "b": nir.Input(np.array([6])),
        "fa": nir.Affine(rng.normal(0, 0.6, (8, 10)), np.zeros(8)),
        "la": _lif(8, rng),
        "fa2": nir.Linear(rng.normal(0, 0.6, (12, 8))),
        "fb": nir.Linear(rng.normal(0, 0.6, (12, 6))),
        "fuse": _lif(12, rng),
        "output": nir.Output(np.array([12])),
    }
    edges = [("a", "fa"), ("fa", "la"), ("la", "fa2"), ("fa2", "fuse"), ("b", "fb"), ("fb", "fuse"), ("fuse", "output")]
    return _graph(nodes, edges)


def _input(graph, graded: bool, seed=5):
    rng = np.random.default_rng(seed)
    shapes = {n: tuple(int(d) for d in node.input_type["input"]) for n, node in graph.nodes.items()}
    names = [n for n, node in graph.nodes.items() if isinstance(node, nir.Input)]

    def one(shape):
        v = rng.random((T, B, *shape))
        return (v * 1.5).astype(np.float32) if graded else (v < 0.35).astype(np.float32)

    xs = {n: one(shapes[n]) for n in names}
    return xs if len(xs) > 1 else xs[names[0]]


CASES = {  # name -> (graph, graded input)
    "mlp": (mlp, False),
    "image_mlp": (image_mlp, True),
    "cuba_readout": (cuba, True),
    "recurrent": (recurrent, False),
    "fusion_skip": (fusion, False),
}


@pytest.mark.lava
@pytest.mark.timeout(120)
@pytest.mark.parametrize("target_name", ["lava-float", "loihi2"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_lanes_identical_to_unbatched(lava_backend, tmp_path, case, target_name):
    make, graded = CASES[case]
    graph, target = make(), load_target(target_name)
    x = _input(graph, graded)
    plan, _ = plan_for(graph, target, x)
    assert lanes.why_single(plan) is None
    lava_backend.export(graph, tmp_path, target)
    one = lava_backend.run(tmp_path / "model.nir", x, target, record=True, lanes=1)
    many = lava_backend.run(tmp_path / "model.nir", x, target, record=True, lanes=L)
    assert one.output.shape == many.output.shape == (T, B, one.output.shape[-1])
    assert np.array_equal(one.output, many.output)
    assert one.records.keys() == many.records.keys() and one.records
    for name, rec in one.records.items():
        assert np.array_equal(rec, many.records[name]), name
        assert rec.sum() > 0, f"{name} never spikes: the comparison would be vacuous"
    if target_name == "lava-float" and not graded:  # spikes of a float run: also the simulator's
        assert np.array_equal(many.output, simulate(graph, x).output)


@pytest.mark.lava
@pytest.mark.timeout(120)
def test_automatic_lanes_match_and_all_samples_in_one_group(lava_backend, tmp_path):
    graph, target = mlp(), load_target("loihi2")
    x = _input(graph, False)
    plan, _ = plan_for(graph, target, x)
    assert lanes.choose(plan, B) == B  # 7 samples, one group of 7 lanes
    lava_backend.export(graph, tmp_path, target)
    auto = lava_backend.run(tmp_path / "model.nir", x, target)
    one = lava_backend.run(tmp_path / "model.nir", x, target, lanes=1)
    assert np.array_equal(auto.output, one.output)


def test_choose_caps_and_balances_lanes(monkeypatch):
    plan = lower(mlp(), dt=1e-3)
    assert lanes.choose(plan, 1) == 1 and lanes.choose(plan, 7, lanes=4) == 4 and lanes.choose(plan, 3, lanes=8) == 3
    monkeypatch.setattr(lanes, "MAX_LANES", 32)
    monkeypatch.setattr(lanes, "MAX_LANE_UNITS", 10**6)
    assert lanes.choose(plan, 64) == 32 and lanes.choose(plan, 40) == 20  # 2 groups either way, less padding
    monkeypatch.setattr(lanes, "MAX_LANE_UNITS", 16 * 5)  # largest unit: 16 neurons
    assert lanes.choose(plan, 64) == 5


def test_conv_plans_stay_unbatched():
    rng = np.random.default_rng(0)
    shape = (2, 6, 6)
    nodes = {
        "input": nir.Input(np.array([1, 6, 6])),
        "conv": nir.Conv2d(
            input_shape=(6, 6),
            weight=rng.normal(size=(2, 1, 3, 3)),
            stride=1,
            padding=1,
            dilation=1,
            groups=1,
            bias=np.zeros(2),
        ),
        "lif": nir.LIF(
            tau=np.full(shape, 5e-3),
            r=np.full(shape, 5.0),
            v_leak=np.zeros(shape),
            v_threshold=np.ones(shape),
            v_reset=np.zeros(shape),
        ),
        "output": nir.Output(np.array(shape)),
    }
    plan = lower(_graph(nodes, [("input", "conv"), ("conv", "lif"), ("lif", "output")]), dt=1e-3)
    assert "Conv" in lanes.why_single(plan)
    assert lanes.choose(plan, 64) == lanes.choose(plan, 64, lanes=8) == 1


def test_tile_and_untile_are_inverse():
    x = np.arange(3 * 7 * 5, dtype=np.float32).reshape(3, 7, 5)
    tiled = lanes.tile_inputs({"x": x}, 4)["x"]
    assert tiled.shape == (3, 2, 20) and not tiled[:, 1, 15:].any()  # sample 7 is padding
    np.testing.assert_array_equal(tiled[:, 1, 5:10], x[:, 5])  # lane 1 of group 1 = sample 5
    np.testing.assert_array_equal(lanes.untile(tiled, 7, 4), x)


@pytest.mark.lava
def test_models_given_to_lava_are_the_ones_it_would_pick(lava_backend):
    """``build.standard_models`` skips Lava's model discovery: it must pick what Lava picks."""
    from lava.magma.compiler.compiler_graphs import ProcGroupDiGraphs

    from edgesnn.backends.lava.build import standard_models
    from edgesnn.backends.lava.compat import import_lava
    from edgesnn.backends.lava.procs.neuron import EdgeLIF

    Lv = import_lava()
    procs = [
        EdgeLIF(shape=(2,), du=1.0, dv=0.5, vth=1.0, bias_mant=np.zeros(2), reset_interval=4, reset_offset=1),
        Lv.dense.Dense(weights=np.eye(2)),
        Lv.conv.Conv(weight=np.ones((1, 1, 1, 1)), input_shape=(2, 2, 1)),
        Lv.io_source.RingBuffer(data=np.zeros((2, 3))),
    ]
    for precision, fixed in (("floating_pt", False), ("fixed_pt", True)):
        cfg = Lv.run_configs.Loihi2SimCfg(select_tag=precision)
        ours = standard_models(Lv, fixed)
        for proc in procs:
            theirs = ProcGroupDiGraphs._select_proc_models(proc, ProcGroupDiGraphs._find_proc_models(proc), cfg)
            assert ours[type(proc)] is theirs, (precision, type(proc).__name__, theirs)
