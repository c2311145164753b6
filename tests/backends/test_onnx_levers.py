"""ONNX speed levers (lean_update, static_input, fused_scan): each changes the work, never a value."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from edgesnn.backends import get_backend
from edgesnn.backends.onnx import nir2onnx, run_model
from edgesnn.backends.onnx.convert import LEVERS
from edgesnn.backends.onnx.runtime import load
from edgesnn.config import load_target
from edgesnn.errors import UsageError
from edgesnn.nir.simulator import simulate
from edgesnn.testing import contract_graphs, contract_input

_spec = importlib.util.spec_from_file_location("onnx_graphs", Path(__file__).with_name("test_onnx.py"))
_graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_graphs)
GRAPHS = _graphs.GRAPHS
SUBSETS = [(), *[(lever,) for lever in LEVERS], LEVERS]


def _static(x: np.ndarray) -> np.ndarray:
    """The same input at every step (static encoding)."""
    return np.ascontiguousarray(np.broadcast_to(x[:1], x.shape))


def _save(model, tmp_path: Path, name: str = "model.onnx") -> Path:
    path = tmp_path / name
    path.write_bytes(model.SerializeToString())
    return path


def _nodes(graph: onnx.GraphProto):
    """Every node, sub-graphs (Scan bodies, If branches) included."""
    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _nodes(attr.g)


def _assert_same(got, ref):
    assert np.array_equal(got.output, ref.output)
    for node, rec in ref.records.items():
        assert np.array_equal(got.records[node], rec), node


@pytest.mark.parametrize("levers", SUBSETS, ids=lambda s: "+".join(s) or "none")
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_every_lever_keeps_float64_bit_identical(name, levers, tmp_path):
    graph = GRAPHS[name]()
    path = _save(nir2onnx(graph, record=True, precision="float64", levers=levers), tmp_path)
    x = _graphs._input(graph, t=12, b=3)
    for inp in (x, _static(x)):
        ref = simulate(graph, inp, record=True)
        _assert_same(run_model(path, inp, record=True), ref)
        assert sum(float(r.sum()) for r in ref.records.values()) > 0


@pytest.mark.parametrize("form", ["stepwise", "unrolled"])
def test_sinabs_cnn_static_input_identical_spikes(nir_fixtures, form, tmp_path):
    from edgesnn.nir.graph import read_graph

    graph = read_graph(nir_fixtures / "cnn_sinabs.nir")
    x = _static((np.random.default_rng(1).random((6, 2, 2, 34, 34)) < 0.2).astype(np.float32))
    ref = simulate(graph, x, record=True)
    _assert_same(
        run_model(_save(nir2onnx(graph, form=form, record=True, precision="float64"), tmp_path), x, record=True), ref
    )
    assert ref.output.sum() > 0


def _gemm_rows(path: Path, x: np.ndarray, tmp_path: Path) -> set[int]:
    """Rows of the first input of every Gemm onnxruntime ran (from its profile)."""
    opts = ort.SessionOptions()
    opts.enable_profiling = True
    opts.profile_file_prefix = str(tmp_path / "prof")
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    sess.run(["y"], {"x": x})
    events = json.loads(Path(sess.end_profiling()).read_text())
    return {
        int(next(iter(e["args"]["input_type_shape"][0].values()))[0])
        for e in events
        if e.get("cat") == "Node" and e.get("args", {}).get("op_name") == "Gemm" and e["name"].endswith("kernel_time")
    }


def test_static_input_projects_once_and_only_when_static(tmp_path):
    """Static input: the input layer's Gemm runs on B rows; otherwise every Gemm on T·B rows."""
    graph = contract_graphs()["mlp"]
    path = _save(nir2onnx(graph, levers=("static_input",)), tmp_path)
    x = contract_input(graph, timesteps=9, batch=7)
    assert _gemm_rows(path, _static(x), tmp_path) == {7, 63}  # fc2 reads spikes: T·B rows
    assert _gemm_rows(path, x, tmp_path) == {63}
    y = _static(x)
    y[5, 3, 0] = np.nextafter(y[5, 3, 0], np.float32(2))  # one value, one step, one ulp: not static
    assert _gemm_rows(path, y, tmp_path) == {63}
    assert np.array_equal(run_model(path, y).output, simulate(graph, y).output)


def test_lever_structure(tmp_path):
    """lean_update drops Where (reset to zero) and zero-leak Adds; fused_scan: one Scan per branch."""
    graph = contract_graphs()["mlp"]

    def count(levers, op):
        return sum(n.op_type == op for n in _nodes(nir2onnx(graph, levers=levers).graph))

    assert count((), "Where") == 2 and count(("lean_update",), "Where") == 0
    assert count((), "Add") > count(("lean_update",), "Add")
    assert count((), "Scan") == 2 and count(("fused_scan",), "Scan") == 1
    assert count(("static_input",), "If") == 1 and count(("static_input", "fused_scan"), "Scan") == 2
    assert count((), "If") == 0
    props = {p.key: p.value for p in nir2onnx(graph, levers=("fused_scan",)).metadata_props}
    assert json.loads(props["levers"]) == ["fused_scan"]


def test_unknown_lever_is_a_usage_error():
    with pytest.raises(UsageError, match="lever.*turbo"):
        nir2onnx(contract_graphs()["mlp"], levers=("turbo",))


def test_threads_come_from_the_target(tmp_path):
    graph = contract_graphs()["mlp"]
    path = _save(nir2onnx(graph), tmp_path)
    assert load(path)[0].get_session_options().intra_op_num_threads == 1
    assert load(path, threads=2)[0].get_session_options().intra_op_num_threads == 2
    target = load_target("onnx").model_copy(update={"runtime": {"provider": "CPUExecutionProvider", "threads": 2}})
    x = contract_input(graph, timesteps=5, batch=2)
    assert np.array_equal(get_backend("onnx").run(path, x, target).output, simulate(graph, x).output)


def test_a_spike_input_model_skips_the_static_input_check():
    """Default levers: a rate-coded model's input changes every step, so no If/ReduceL1 check."""
    import copy

    from edgesnn.backends.onnx.convert import LEVERS, default_levers

    graph = copy.deepcopy(contract_graphs()["mlp"])
    graph.metadata = {**(graph.metadata or {}), "encoder": "static"}
    assert default_levers(graph) == LEVERS
    graph.metadata["encoder"] = "rate"
    assert default_levers(graph) == ("lean_update", "fused_scan")
    ops = {n.op_type for n in nir2onnx(graph).graph.node}
    assert "If" not in ops
