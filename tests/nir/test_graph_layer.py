"""The hub's shared graph layer: flat graph and order (edgesnn.nir.flat), conv/pool geometry
(edgesnn.nir.geometry), node taxonomy (edgesnn.nir.kinds)."""

import subprocess
import sys

import nir
import numpy as np
import pytest

from edgesnn.errors import ArtifactError
from edgesnn.nir import NIR_PRIMITIVES, kinds
from edgesnn.nir.flat import FlatGraph, check_loops, flatten, order
from edgesnn.nir.geometry import Geometry, conv_geometry, conv_out, pool_geometry, zero_padding


def _lif(n):
    return nir.LIF(tau=np.ones(n), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n))


def _rnn_graph():
    """input -> w_in -> rnn{input -> lif <-> w_rec; lif -> output} -> w_out -> output, declared unsorted."""
    rnn = nir.NIRGraph(
        nodes={
            "lif": _lif(3),
            "w_rec": nir.Linear(weight=np.eye(3)),
            "input": nir.Input(np.array([3])),
            "output": nir.Output(np.array([3])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
        type_check=False,
    )
    return nir.NIRGraph(
        nodes={
            "w_out": nir.Linear(weight=np.ones((2, 3))),
            "input": nir.Input(np.array([4])),
            "rnn": rnn,
            "w_in": nir.Linear(weight=np.ones((3, 4))),
            "output": nir.Output(np.array([2])),
        },
        edges=[("input", "w_in"), ("w_in", "rnn"), ("rnn", "w_out"), ("w_out", "output")],
        type_check=False,
    )


# ---- flat graph --------------------------------------------------------------------------------


def test_flatten_keeps_declared_order_and_inlines_sub_graphs():
    fg = flatten(_rnn_graph())
    assert list(fg.nodes) == ["w_out", "input", "rnn/lif", "rnn/w_rec", "rnn/input", "rnn/output", "w_in", "output"]
    assert fg.inputs == ["input"] and fg.outputs == ["output"]
    assert ("w_in", "rnn/input") in fg.edges and ("rnn/output", "w_out") in fg.edges
    assert fg.preds("rnn/lif") == ["rnn/input", "rnn/w_rec"] and fg.succs("rnn/lif") == ["rnn/w_rec", "rnn/output"]
    assert fg.preds("input") == [] and fg.succs("output") == []


def test_order_and_back_edges_are_one_algorithm():
    fg = flatten(_rnn_graph())
    seq, back = order(fg)
    assert back == {("rnn/w_rec", "rnn/lif")} and fg.back_edges() == frozenset(back)
    assert fg.evaluation_order() == seq and seq[0] == "input" and seq[-1] == "output"
    assert seq.index("rnn/lif") < seq.index("rnn/w_rec") < seq.index("rnn/output") < seq.index("w_out")


def test_of_type_takes_names_or_classes_and_neurons_include_threshold():
    g = nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([2])),
            "fc": nir.Linear(weight=np.eye(2)),
            "li": nir.LI(tau=np.ones(2), r=np.ones(2), v_leak=np.zeros(2)),
            "thr": nir.Threshold(threshold=np.ones(2)),
            "output": nir.Output(np.array([2])),
        },
        edges=[("input", "fc"), ("fc", "li"), ("li", "thr"), ("thr", "output")],
    )
    fg = flatten(g)
    assert list(fg.of_type(kinds.SYNAPSES)) == list(fg.of_type((nir.Affine, nir.Linear))) == ["fc"]
    assert list(fg.of_type("LI")) == ["li"]
    assert list(fg.neurons()) == ["li", "thr"] and list(fg.neurons(kinds.NEURONS)) == ["li"]
    assert list(fg.of_type(kinds.SPIKING)) == ["thr"]


def test_flat_graph_errors_are_one_line_artifact_errors():
    with pytest.raises(ArtifactError, match="expected a nir.NIRGraph, got dict"):
        flatten({})
    bad = nir.NIRGraph(
        nodes={"input": nir.Input(np.array([1])), "output": nir.Output(np.array([1]))},
        edges=[("input", "nope")],
        type_check=False,
    )
    with pytest.raises(ArtifactError, match="names node 'nope'"):
        flatten(bad)
    lost = FlatGraph({"input": nir.Input(np.array([1])), "x": nir.Output(np.array([1]))}, [], ["input"], ["x"])
    with pytest.raises(ArtifactError, match="cannot be reached"):
        lost.back_edges()
    loop = FlatGraph(
        {"input": nir.Input(np.array([1])), "a": nir.Scale(scale=np.ones(1)), "b": nir.Scale(scale=np.ones(1))},
        [("input", "a"), ("a", "b"), ("b", "a")],
        ["input"],
        [],
    )
    with pytest.raises(ArtifactError, match="algebraic loop"):
        check_loops(loop)


def test_simulator_plan_and_metrics_share_the_flat_graph():
    from edgesnn.metrics import _graph
    from edgesnn.nir.sim import plan

    assert plan.FlatGraph is _graph.FlatGraph is FlatGraph
    assert plan.flatten is _graph.flatten is flatten and plan.order is order


# ---- geometry ----------------------------------------------------------------------------------


def _brute_out(n, k, s, lo, hi, d):
    """Window starts y·s in the padded input whose last tap y·s + d·(k−1) stays inside it."""
    return sum(1 for y in range(n + lo + hi + 1) if y * s + d * (k - 1) <= n + lo + hi - 1)


@pytest.mark.parametrize("n", [1, 4, 7, 10])
@pytest.mark.parametrize(
    "k, s, lo, hi, d", [(1, 1, 0, 0, 1), (3, 1, 1, 1, 1), (3, 2, 0, 1, 2), (4, 3, 2, 1, 1), (2, 2, 0, 0, 3)]
)
def test_conv_out_is_the_window_count(n, k, s, lo, hi, d):
    expected = _brute_out(n, k, s, lo, hi, d)
    got = conv_out(n, k, s, (lo, hi), d)
    assert max(got, 0) == expected
    if lo == hi:
        assert conv_out(n, k, s, lo, d) == got


def test_same_padding_keeps_the_length_odd_zero_at_the_end():
    conv = nir.Conv1d(
        input_shape=9, weight=np.ones((2, 1, 4)), stride=1, padding="same", dilation=2, groups=1, bias=np.zeros(2)
    )
    geo = conv_geometry("c", conv)
    assert geo == Geometry((4,), (1,), (2,), ((3, 3),)) and geo.out_shape((9,)) == (9,)
    conv.weight = np.ones((2, 1, 4))
    conv.dilation = None  # NIR's default: 1
    geo = conv_geometry("c", conv)
    assert geo.pads == ((1, 2),) and not geo.symmetric and geo.pad_lo == (1,) and geo.pad_hi == (2,)
    assert geo.out_shape((9,)) == (9,)
    assert zero_padding("c", b"valid", (3, 3), (1, 1), (2, 2)) == ((0, 0), (0, 0))


def test_conv_geometry_normalises_ints_and_refuses_bad_values():
    conv = nir.Conv2d(
        input_shape=(7, 6),
        weight=np.ones((3, 2, 3, 2)),
        stride=(2, 1),
        padding=1,
        dilation=(1, 2),
        groups=1,
        bias=np.zeros(3),
    )
    geo = conv_geometry("conv", conv)
    assert geo == Geometry((3, 2), (2, 1), (1, 2), ((1, 1), (1, 1)))
    assert geo.out_shape((7, 6)) == (4, 6)  # torch's Conv2d; nir 1.0.8's output_type says (4, 4)
    conv.padding = "same"
    with pytest.raises(ArtifactError, match="node 'conv': padding 'same' needs stride 1"):
        conv_geometry("conv", conv)
    conv.padding = "full"
    with pytest.raises(ArtifactError, match="padding 'full' must be an int, a tuple, 'same' or 'valid'"):
        conv_geometry("conv", conv)
    conv.padding, conv.stride = 0, (1, 2, 3)
    with pytest.raises(ArtifactError, match="'stride' = \\(1, 2, 3\\) must be an int or 2 ints"):
        conv_geometry("conv", conv)


def test_pool_geometry_defaults_and_output():
    pool = nir.SumPool2d(kernel_size=np.array([2, 3]), stride=None, padding=None)
    geo = pool_geometry("pool", pool)
    assert geo == Geometry((2, 3), (2, 3), (1, 1), ((0, 0), (0, 0)))
    assert geo.out_shape((5, 9)) == (2, 3)
    pool = nir.AvgPool2d(kernel_size=np.array([2, 2]), stride=np.array([1, 1]), padding=np.array([1, 0]))
    assert pool_geometry("p", pool).out_shape((4, 4)) == (5, 3)
    assert Geometry.of((2, 2), 1, 1, (1, 0)) == pool_geometry("p", pool)


# ---- kinds -------------------------------------------------------------------------------------


def test_taxonomy_is_consistent():
    from edgesnn.nir.sim import neurons

    assert kinds.NEURONS == set(neurons.LOWERINGS)
    assert kinds.STATEFUL == kinds.NEURONS | {"Delay"}
    assert set(kinds.STATE_VARS) == kinds.NEURON_NODES == kinds.NEURONS | {"Threshold"}
    assert kinds.SPIKING <= kinds.NEURON_NODES and kinds.SYNAPSES < kinds.WEIGHTED
    assert kinds.CONVS < kinds.SYNAPSES
    every = kinds.NEURON_NODES | kinds.WEIGHTED | kinds.POOLS | kinds.STATEFUL | kinds.PORTS
    assert every <= set(NIR_PRIMITIVES)
    assert kinds.is_kind(nir.Linear(weight=np.eye(2)), kinds.SYNAPSES) and kinds.is_kind(_lif(1), nir.LIF)
    assert not kinds.is_kind(_lif(1), "IF")


def test_the_hub_imports_no_backend_model_or_metrics_code():
    code = (
        "import sys\nimport edgesnn.nir.flat, edgesnn.nir.geometry, edgesnn.nir.kinds, edgesnn.nir.sim.plan\n"
        "bad = [m for m in sys.modules if m.startswith(('edgesnn.backends', 'edgesnn.models', 'edgesnn.metrics', "
        "'torch', 'onnx'))]\nassert not bad, bad\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
