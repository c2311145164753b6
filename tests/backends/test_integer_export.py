"""Integer ONNX for int8 targets (cortex-m): int64 from input to spike, identical to the integer judge."""

import tempfile
from pathlib import Path

import nir
import numpy as np
import onnx
import pytest

from edgesnn.backends.onnx import nir2onnx, run_model
from edgesnn.errors import UnsupportedPrimitiveError
from edgesnn.nir.sim.neurons_int import fixed_mul
from edgesnn.nir.simulator import simulate
from edgesnn.numerics.integer import to_integer
from edgesnn.testing import contract_graphs, contract_input

F = np.float32
DT = 1e-3


def _lif(n, beta=0.9, theta=1.0):
    shape = n if isinstance(n, tuple) else (n,)
    return nir.LIF(
        tau=np.full(shape, DT / (1 - beta), F),
        r=np.full(shape, 1 / (1 - beta), F),
        v_leak=np.zeros(shape, F),
        v_threshold=np.full(shape, theta, F),
        v_reset=np.zeros(shape, F),
    )


def _recurrent(seed=0):
    g = np.random.default_rng(seed)
    rnn = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([24])),
            "lif": _lif(24, 0.8),
            "w_rec": nir.Linear(g.normal(0, 0.3, (24, 24)).astype(F)),
            "output": nir.Output(np.array([24])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([6])),
            "fc": nir.Affine(g.normal(0, 1.2, (24, 6)).astype(F), g.normal(0, 0.1, 24).astype(F)),
            "rnn": rnn,
            "out": nir.Affine(g.normal(0, 0.5, (4, 24)).astype(F), np.zeros(4, F)),
            "li": nir.LI(tau=np.full(4, 0.005, F), r=np.ones(4, F), v_leak=np.zeros(4, F)),
            "output": nir.Output(np.array([4])),
        },
        edges=[("input", "fc"), ("fc", "rnn"), ("rnn", "out"), ("out", "li"), ("li", "output")],
        metadata={"dt": DT, "reset": "subtract", "encoder": "direct"},
    )


def _cuba(seed=1):
    g = np.random.default_rng(seed)
    n = 16
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([10])),
            "fc": nir.Affine(g.normal(0, 1.0, (n, 10)).astype(F), np.zeros(n, F)),
            "cuba": nir.CubaLIF(
                tau_syn=np.full(n, DT / 0.3, F),
                tau_mem=np.full(n, DT / 0.1, F),
                r=np.full(n, 1 / 0.1, F),
                v_leak=np.zeros(n, F),
                v_threshold=np.ones(n, F),
                v_reset=np.zeros(n, F),
                w_in=np.full(n, 1 / 0.3, F),
            ),
            "fc2": nir.Linear(g.normal(0, 0.6, (3, n)).astype(F)),
            "lif": _lif(3),
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "fc"), ("fc", "cuba"), ("cuba", "fc2"), ("fc2", "lif"), ("lif", "output")],
        metadata={"dt": DT, "reset": "zero", "encoder": "rate"},
    )


def _graphs():
    graphs = {"recurrent": _recurrent(), "cuba": _cuba()}
    graphs.update({name: g for name, g in contract_graphs().items() if name != "multi"})
    return graphs


def _input(graph, rng):
    x = contract_input(graph, timesteps=15, batch=6)
    if (graph.metadata or {}).get("encoder") == "direct":
        x = rng.random(x.shape).astype(F)  # real values: quantised to 127 levels by both sides
    return x


@pytest.mark.parametrize("form", ["unrolled", "stepwise"])
@pytest.mark.parametrize("name", sorted(_graphs()))
def test_integer_onnx_is_the_integer_judge_bit_for_bit(name, form):
    graph = _graphs()[name]
    spikes = (graph.metadata or {}).get("encoder") != "direct"
    ig = to_integer(graph, spike_input=spikes)
    x = _input(graph, np.random.default_rng(0))
    judge = simulate(ig.graph, x, dtype=np.int64, record=True)
    model = nir2onnx(ig.graph, form=form, record=True, precision="integer")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.onnx"
        path.write_bytes(model.SerializeToString())
        got = run_model(path, x, record=True)
    assert np.array_equal(got.output, judge.output)
    for node, rec in judge.records.items():
        assert np.array_equal(got.records[node], rec), node
    spikes = [r for r in judge.records.values() if np.isin(r, (0, 1)).all()]
    assert sum(r.sum() for r in spikes) > 0  # something fired
    # it computes in integers: every weight-sized constant is int64, and no float Gemm/Conv anywhere
    inits = [i for i in model.graph.initializer if np.prod(i.dims) >= 8]
    assert inits and all(i.data_type == onnx.TensorProto.INT64 for i in inits), [i.name for i in inits]
    assert not {"Gemm", "Conv"} & _op_types(model.graph)


def _op_types(graph) -> set[str]:
    found = set()
    for node in graph.node:
        found.add(node.op_type)
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                found |= _op_types(attr.g)
    return found


def test_the_integer_judge_tracks_the_float_graph():
    graph = _recurrent()
    ig = to_integer(graph, spike_input=False)
    x = np.random.default_rng(1).random((30, 8, 6)).astype(F)
    float_out = simulate(graph, x, record=True)
    int_out = simulate(ig.graph, x, dtype=np.int64, record=True)
    agree = np.mean(float_out.records["rnn/lif"] == int_out.records["rnn/lif"])
    assert agree > 0.9, agree  # 12-bit decays, 8-bit weights and input: close, not equal (a loop amplifies)
    assert ig.values > 0 and ig.off_grid > 0  # random weights are not on the grid


def test_fixed_point_product_rounds_half_up_with_floor_semantics():
    k = np.array([3686])
    v = np.array([-7, -1, 0, 1, 7, 2**20])
    expected = np.floor((k * v + 2048) / 4096).astype(np.int64)
    assert np.array_equal(fixed_mul(k, v), expected)


def test_unsupported_integer_graphs_are_refused_in_one_line():
    graph = contract_graphs()["mlp"]
    leaky = next(n for n in graph.nodes.values() if isinstance(n, nir.LIF))
    leaky.v_leak = np.full_like(leaky.v_leak, 0.1)
    with pytest.raises(UnsupportedPrimitiveError, match="v_leak"):
        to_integer(graph, spike_input=True)
