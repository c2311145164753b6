"""validate_graph and simulate's input checks: one-line errors of the edgesnn family."""

from dataclasses import dataclass

import nir
import numpy as np
import pytest

from edgesnn.errors import ArtifactError, DataError, ShapeError, UnsupportedPrimitiveError, UsageError
from edgesnn.nir.graph import infer_shapes, validate_graph
from edgesnn.nir.simulator import simulate


def _lif(n):
    return nir.LIF(tau=np.full(n, 1e-2), r=np.ones(n), v_leak=np.zeros(n), v_threshold=np.ones(n))


def _graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)


def _mlp():
    return _graph(
        {"input": nir.Input(np.array([4])), "fc": nir.Affine(weight=np.ones((3, 4)), bias=np.zeros(3)),
         "lif": _lif(3), "output": nir.Output(np.array([3]))},
        [("input", "fc"), ("fc", "lif"), ("lif", "output")],
    )  # fmt: skip


def _msg(exc_info):
    msg = str(exc_info.value)
    assert "\n" not in msg
    return msg


def test_valid_graph_passes_and_shapes_are_inferred():
    validate_graph(_mlp(), ["Input", "Output", "Affine", "LIF"])
    assert infer_shapes(_mlp()) == {"input": (4,), "fc": (3,), "lif": (3,), "output": (3,)}


@dataclass(eq=False)
class Izhikevich(nir.NIRNode):  # a node that is not a NIR primitive
    a: np.ndarray

    def __post_init__(self):
        self.input_type = {"input": np.array(self.a.shape)}
        self.output_type = {"output": np.array(self.a.shape)}


def test_unknown_node_type():
    g = _mlp()
    g.nodes["lif"] = Izhikevich(a=np.ones(3))
    with pytest.raises(ArtifactError) as err:
        validate_graph(g)
    assert "'lif'" in _msg(err) and "Izhikevich" in _msg(err) and "not a NIR primitive" in _msg(err)


def test_unsupported_primitive_is_named_with_the_supported_list():
    with pytest.raises(UnsupportedPrimitiveError) as err:
        validate_graph(_mlp(), ["Input", "Output", "Affine", "IF"], where="target 'tiny'")
    assert (err.value.node, err.value.node_type) == ("lif", "LIF")
    assert "target 'tiny'" in _msg(err) and "IF" in _msg(err)


def test_unsupported_primitive_inside_a_subgraph():
    inner = _graph(
        {"input": nir.Input(np.array([3])), "li": nir.LI(tau=np.ones(3), r=np.ones(3), v_leak=np.zeros(3)),
         "output": nir.Output(np.array([3]))},
        [("input", "li"), ("li", "output")],
    )  # fmt: skip
    g = _mlp()
    g.nodes["sub"] = inner
    g.edges = [("input", "fc"), ("fc", "sub"), ("sub", "output")]
    with pytest.raises(UnsupportedPrimitiveError) as err:
        validate_graph(g, ["Input", "Output", "Affine", "LIF"])
    assert err.value.node == "sub/li"


def test_dangling_edge():
    g = _mlp()
    g.edges.append(("lif", "readout"))
    with pytest.raises(ArtifactError) as err:
        validate_graph(g)
    assert "'readout'" in _msg(err) and "does not exist" in _msg(err)


def test_unreachable_node():
    g = _mlp()
    g.nodes["orphan"] = _lif(3)
    with pytest.raises(ArtifactError, match="orphan.*cannot be reached"):
        validate_graph(g)


def test_neuron_free_cycle_is_an_algebraic_loop():
    g = _graph(
        {"input": nir.Input(np.array([3])), "a": nir.Linear(weight=np.eye(3)), "b": nir.Scale(scale=np.ones(3)),
         "lif": _lif(3), "output": nir.Output(np.array([3]))},
        [("input", "a"), ("a", "b"), ("b", "a"), ("a", "lif"), ("lif", "output")],
    )  # fmt: skip
    with pytest.raises(ArtifactError) as err:
        validate_graph(g)
    assert "a -> b -> a" in _msg(err) and "algebraic loop" in _msg(err)


def test_cycle_through_a_neuron_is_fine():
    g = _graph(
        {"input": nir.Input(np.array([3])), "lif": _lif(3), "w": nir.Linear(weight=np.eye(3)),
         "output": nir.Output(np.array([3]))},
        [("input", "lif"), ("lif", "w"), ("w", "lif"), ("lif", "output")],
    )  # fmt: skip
    validate_graph(g)


def test_mismatched_shapes_between_connected_nodes():
    g = _mlp()
    g.nodes["lif"] = _lif(5)  # Affine gives 3
    with pytest.raises(ShapeError) as err:
        validate_graph(g)
    assert "'lif'" in _msg(err) and "[5]" in _msg(err) and "[3]" in _msg(err)


def test_mismatched_shapes_of_summed_inputs():
    g = _mlp()
    g.nodes["fc2"] = nir.Affine(weight=np.ones((2, 4)), bias=np.zeros(2))
    g.edges.append(("input", "fc2"))
    g.edges.append(("fc2", "lif"))
    with pytest.raises(ShapeError, match="receives shape"):
        validate_graph(g)


def test_flatten_that_counts_the_batch_gets_a_hint():
    g = _graph(
        {"input": nir.Input(np.array([2, 3, 3])), "flat": nir.Flatten(input_type=None, start_dim=1),
         "fc": nir.Affine(weight=np.ones((4, 18)), bias=np.zeros(4)), "output": nir.Output(np.array([4]))},
        [("input", "flat"), ("flat", "fc"), ("fc", "output")],
    )  # fmt: skip
    with pytest.raises(ShapeError, match="exclude the batch dimension"):
        validate_graph(g)


@pytest.mark.parametrize("shape", [(5, 2, 3), (5, 4), (5, 2, 4, 1)])
def test_wrong_input_shape(shape):
    with pytest.raises(ShapeError) as err:
        simulate(_mlp(), np.zeros(shape, dtype=np.float32))
    assert "[T, B, 4]" in _msg(err)


def test_nan_input():
    x = np.zeros((5, 2, 4), dtype=np.float32)
    x[3, 1, 2] = np.nan
    with pytest.raises(DataError, match="1 NaN"):
        simulate(_mlp(), x)


@pytest.mark.parametrize("kwargs", [{"dt": 0.0}, {"dt": float("nan")}, {"reset": "sometimes"}])
def test_bad_arguments_are_usage_errors(kwargs):
    with pytest.raises(UsageError):
        simulate(_mlp(), np.zeros((5, 2, 4)), **kwargs)


def test_edges_may_name_a_subgraph_node_with_a_dot():
    def graph(dst):
        inner = _graph(
            {"input": nir.Input(np.array([3])), "lif": _lif(3), "output": nir.Output(np.array([3]))},
            [("input", "lif"), ("lif", "output")],
        )
        return _graph(
            {"input": nir.Input(np.array([4])), "fc": nir.Affine(weight=np.ones((3, 4)), bias=np.zeros(3)),
             "sub": inner, "output": nir.Output(np.array([3]))},
            [("input", "fc"), ("fc", dst), ("sub", "output")],
        )  # fmt: skip

    assert infer_shapes(graph("sub.input")) == infer_shapes(graph("sub"))
    with pytest.raises(ArtifactError, match="'sub/input' cannot be reached"):  # bypassing it leaves it unfed
        validate_graph(graph("sub.lif"))
    with pytest.raises(ArtifactError, match="'sub.nope'"):
        validate_graph(graph("sub.nope"))
