"""ONNX backend: every lowered node type, both forms, both precisions, against the simulator."""

from pathlib import Path

import nir
import numpy as np
import onnx
import pytest

from edgesnn.backends import get_backend
from edgesnn.backends.onnx import nir2onnx, run_model, supported_types
from edgesnn.config import load_target
from edgesnn.errors import ArtifactError, DataError, ShapeError, UnsupportedPrimitiveError, UsageError
from edgesnn.nir.simulator import simulate
from edgesnn.numerics.float32 import for_float32
from edgesnn.testing import contract_graphs, contract_input, unsupported_graph

F = np.float32


def _full(shape, value):
    return np.full(shape, value, F)


def _lif(shape, tau=2e-3, r=20.0, v_th=1.0):
    return nir.LIF(
        tau=_full(shape, tau),
        r=_full(shape, r),
        v_leak=np.zeros(shape, F),
        v_threshold=_full(shape, v_th),
        v_reset=np.zeros(shape, F),
    )


def mlp_cuba_li():
    """Affine → LIF → Linear → CubaLIF → Affine → LI (reset subtract)."""
    g = np.random.default_rng(1)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([6])),
            "fc1": nir.Affine(weight=g.normal(0, 1, (8, 6)).astype(F), bias=g.normal(0, 0.1, 8).astype(F)),
            "lif1": nir.LIF(
                tau=g.uniform(1e-3, 5e-3, 8).astype(F),
                r=_full(8, 20.0),
                v_leak=np.zeros(8, F),
                v_threshold=np.ones(8, F),
                v_reset=np.zeros(8, F),
            ),
            "fc2": nir.Linear(weight=g.normal(0, 1, (7, 8)).astype(F)),
            "cuba": nir.CubaLIF(
                tau_syn=_full(7, 2e-3),
                tau_mem=_full(7, 4e-3),
                r=_full(7, 40.0),
                v_leak=_full(7, 0.1),
                v_threshold=_full(7, 0.8),
                v_reset=np.zeros(7, F),
                w_in=_full(7, 2.0),
            ),
            "fc3": nir.Affine(weight=g.normal(0, 1, (3, 7)).astype(F), bias=np.zeros(3, F)),
            "li": nir.LI(tau=_full(3, 3e-3), r=_full(3, 1.5), v_leak=np.zeros(3, F)),
            "output": nir.Output(output_type=np.array([3])),
        },
        edges=[
            ("input", "fc1"),
            ("fc1", "lif1"),
            ("lif1", "fc2"),
            ("fc2", "cuba"),
            ("cuba", "fc3"),
            ("fc3", "li"),
            ("li", "output"),
        ],
        metadata={"dt": 1e-4, "reset": "subtract"},
    )


def recurrent():
    """Affine → RLeaky-like sub-graph (LIF ⇄ Linear) → Affine → CubaLI; fc1 has a bias, so the
    recurrent edge's value at rest (t = 0) is not zero."""
    g, n = np.random.default_rng(2), 8
    sub = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([n])),
            "lif": _lif(n),
            "w_rec": nir.Affine(weight=g.normal(0, 0.5, (n, n)).astype(F), bias=g.normal(0, 0.3, n).astype(F)),
            "output": nir.Output(output_type=np.array([n])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([5])),
            "fc1": nir.Affine(weight=g.normal(0, 1, (n, 5)).astype(F), bias=_full(n, 0.3)),
            "rnn": sub,
            "fc2": nir.Affine(weight=g.normal(0, 1, (2, n)).astype(F), bias=np.zeros(2, F)),
            "cubali": nir.CubaLI(
                tau_syn=_full(2, 2e-3),
                tau_mem=_full(2, 4e-3),
                r=np.ones(2, F),
                v_leak=np.zeros(2, F),
                w_in=np.ones(2, F),
            ),
            "output": nir.Output(output_type=np.array([2])),
        },
        edges=[("input", "fc1"), ("fc1", "rnn"), ("rnn", "fc2"), ("fc2", "cubali"), ("cubali", "output")],
        metadata={"dt": 1e-4},
    )


def cnn():
    """Conv2d → IF → SumPool2d → grouped strided Conv2d → AvgPool2d → Flatten → Affine → IF."""
    g = np.random.default_rng(3)
    conv2 = nir.Conv2d(
        input_shape=(5, 5),
        weight=g.normal(0, 0.5, (4, 2, 3, 3)).astype(F),
        stride=2,
        padding=1,
        dilation=1,
        groups=2,
        bias=np.zeros(4, F),
    )
    conv2.input_type = {"input": np.array([4, 5, 5])}  # nir 1.0.8 ignores groups in its input type
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([2, 10, 10])),
            "conv": nir.Conv2d(
                input_shape=(10, 10),
                weight=g.normal(0, 0.5, (4, 2, 3, 3)).astype(F),
                stride=1,
                padding=1,
                dilation=1,
                groups=1,
                bias=g.normal(0, 0.1, 4).astype(F),
            ),
            "if1": nir.IF(
                r=np.ones((4, 10, 10), F), v_threshold=np.ones((4, 10, 10), F), v_reset=np.zeros((4, 10, 10), F)
            ),
            "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
            "conv2": conv2,
            "avg": nir.AvgPool2d(kernel_size=np.array([3, 3]), stride=np.array([1, 1]), padding=np.array([1, 1])),
            "flat": nir.Flatten(input_type={"input": np.array([4, 3, 3])}, start_dim=0, end_dim=-1),
            "fc": nir.Affine(weight=g.normal(0, 1, (5, 36)).astype(F), bias=np.zeros(5, F)),
            "if2": nir.IF(r=np.ones(5, F), v_threshold=np.ones(5, F), v_reset=np.zeros(5, F)),
            "output": nir.Output(output_type=np.array([5])),
        },
        edges=[
            ("input", "conv"),
            ("conv", "if1"),
            ("if1", "pool"),
            ("pool", "conv2"),
            ("conv2", "avg"),
            ("avg", "flat"),
            ("flat", "fc"),
            ("fc", "if2"),
            ("if2", "output"),
        ],
        metadata={"dt": 1e-3, "reset": "zero"},
        type_check=False,
    )


def conv1d_skip_delay():
    """Conv1d → Scale → LIF → Delay ─┐
    └→ Scale (skip) ──┴→ I → Threshold: two edges summed into one node."""
    g = np.random.default_rng(4)
    shape = (4, 10)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3, 12])),
            "conv": nir.Conv1d(
                input_shape=12,
                weight=g.normal(0, 0.7, (4, 3, 3)).astype(F),
                stride=1,
                padding=1,
                dilation=2,
                groups=1,
                bias=np.zeros(4, F),
            ),
            "scale": nir.Scale(scale=g.uniform(0.5, 2, shape).astype(F)),
            "lif": _lif(shape),
            "delay": nir.Delay(delay=g.integers(0, 3, shape) * 1e-4),
            "skip": nir.Scale(scale=_full(shape, 0.5)),
            "integ": nir.I(r=_full(shape, 500.0)),
            "thr": nir.Threshold(threshold=_full(shape, 0.05)),
            "output": nir.Output(output_type=np.array(shape)),
        },
        edges=[
            ("input", "conv"),
            ("conv", "scale"),
            ("scale", "lif"),
            ("lif", "delay"),
            ("scale", "skip"),
            ("delay", "integ"),
            ("skip", "integ"),
            ("integ", "thr"),
            ("thr", "output"),
        ],
        metadata={"dt": 1e-4},
    )


GRAPHS = {"mlp_cuba_li": mlp_cuba_li, "recurrent": recurrent, "cnn": cnn, "conv1d_skip_delay": conv1d_skip_delay}


def _input(graph, t=16, b=4, seed=5):
    return contract_input(graph, timesteps=t, batch=b, p=0.35, seed=seed)


def _save(model, tmp_path: Path, name="model.onnx") -> Path:
    path = tmp_path / name
    path.write_bytes(model.SerializeToString())
    return path


def test_graphs_cover_every_lowered_type():
    seen = set()

    def walk(g):
        for node in g.nodes.values():
            walk(node) if isinstance(node, nir.NIRGraph) else seen.add(type(node).__name__)

    for make in GRAPHS.values():
        walk(make())
    assert seen == set(supported_types())


@pytest.mark.parametrize("form", ["stepwise", "unrolled"])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_float64_is_bit_identical_to_the_simulator(name, form, tmp_path):
    graph = GRAPHS[name]()
    x = _input(graph)
    ref = simulate(graph, x, record=True)
    got = run_model(_save(nir2onnx(graph, form=form, record=True, precision="float64"), tmp_path), x, record=True)
    assert np.array_equal(got.output, ref.output)
    assert set(got.records) == set(ref.records)
    for node, rec in ref.records.items():
        assert np.array_equal(got.records[node], rec), node
    assert sum(float(r.sum()) for r in ref.records.values()) > 0


@pytest.mark.parametrize("form", ["stepwise", "unrolled"])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_float32_is_bit_identical_to_the_float32_judge(name, form, tmp_path):
    """float32 by construction: every record, spikes and membranes alike, has the judge's bits."""
    graph = GRAPHS[name]()
    x = _input(graph)
    ref = simulate(for_float32(graph)[0], x, record=True, dtype=np.float32)
    got = run_model(_save(nir2onnx(graph, form=form, record=True, precision="float32"), tmp_path), x, record=True)
    assert np.array_equal(got.output, ref.output)
    for node, rec in ref.records.items():
        assert np.array_equal(got.records[node], rec), node


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_float32_differs_from_float64_maths_by_rounding_only(name, tmp_path):
    graph = GRAPHS[name]()
    x = _input(graph)
    ref = simulate(graph, x, record=True)
    got = run_model(_save(nir2onnx(graph, record=True, precision="float32"), tmp_path), x, record=True)
    for node, rec in ref.records.items():
        if not np.isin(rec, (0.0, 1.0)).all():  # a membrane: float32 rounding and the sum grid only
            np.testing.assert_allclose(got.records[node], rec, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("precision", ["float32", "float64"])
@pytest.mark.parametrize("form", ["stepwise", "unrolled"])
def test_sinabs_cnn_identical_spikes(nir_fixtures, form, precision, tmp_path):
    from edgesnn.nir.graph import read_graph

    graph = read_graph(nir_fixtures / "cnn_sinabs.nir")
    x = (np.random.default_rng(0).random((10, 3, 2, 34, 34)) < 0.15).astype(F)
    judged = for_float32(graph)[0] if precision == "float32" else graph
    ref = simulate(judged, x, record=True, dtype=np.dtype(precision).type)
    got = run_model(_save(nir2onnx(graph, form=form, record=True, precision=precision), tmp_path), x, record=True)
    assert np.array_equal(got.output, ref.output)
    total = 0
    for node, rec in ref.records.items():
        assert np.array_equal(got.records[node], rec), node
        total += rec.sum()
    assert total > 1000


def conv1d_same(kernel: int):
    """Conv1d with padding 'same' and no dilation (NIR's default 1) → LIF: an even kernel pads
    its odd element at the end."""
    g = np.random.default_rng(6)
    shape = (4, 12)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3, 12])),
            "conv": nir.Conv1d(
                input_shape=12,
                weight=g.normal(0, 0.7, (4, 3, kernel)).astype(F),
                stride=1,
                padding="same",
                dilation=None,
                groups=1,
                bias=g.normal(0, 0.1, 4).astype(F),
            ),
            "lif": _lif(shape),
            "output": nir.Output(output_type=np.array(shape)),
        },
        edges=[("input", "conv"), ("conv", "lif"), ("lif", "output")],
        metadata={"dt": 1e-4},
    )


@pytest.mark.parametrize("precision", ["float32", "float64"])
@pytest.mark.parametrize("form", ["stepwise", "unrolled"])
@pytest.mark.parametrize("kernel", [3, 4])
def test_conv1d_same_padding_matches_the_simulator(kernel, form, precision, tmp_path):
    graph = conv1d_same(kernel)
    x = _input(graph)
    ref = simulate(graph, x, record=True)
    got = run_model(_save(nir2onnx(graph, form=form, record=True, precision=precision), tmp_path), x, record=True)
    assert got.output.shape == ref.output.shape == (16, 4, 4, 12)
    assert np.array_equal(got.output, ref.output)
    for node, rec in ref.records.items():
        assert np.array_equal(got.records[node], rec), node
    assert ref.output.sum() > 0


def test_models_pass_the_checker_and_carry_metadata(tmp_path):
    backend, target = get_backend("onnx"), load_target("onnx")
    paths = backend.export(recurrent(), tmp_path, target)
    assert [p.name for p in paths] == ["model.nir", "model.onnx", "model.stepwise.onnx"]
    for path, form in zip(paths[1:], ["unrolled", "stepwise"]):
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
        assert not list(tmp_path.glob("*.data"))  # weights inside: single file
        props = {p.key: p.value for p in model.metadata_props}
        for key in (
            "dt",
            "timesteps",
            "encoder",
            "reset",
            "input",
            "output",
            "layout",
            "form",
            "edgesnn_version",
            "states",
            "records",
            "precision",
        ):
            assert key in props, key
        assert props["form"] == form and float(props["dt"]) == 1e-4
        assert "rnn/lif" in props["records"]
    step = onnx.load(str(paths[2]))
    names = [i.name for i in step.graph.input]
    assert names[0] == "x" and "state.rnn/lif.v" in names and "state.rnn/w_rec.out" in names
    assert "initial_states" in {p.key for p in step.metadata_props}


@pytest.mark.parametrize("form", ["stepwise", "unrolled"])
def test_dynamic_batch_on_one_file(form, tmp_path):
    graph = contract_graphs()["mlp"]
    path = _save(nir2onnx(graph, form=form), tmp_path)
    x = contract_input(graph, timesteps=9, batch=7)
    seven = run_model(path, x).output
    one = run_model(path, x[:, 2:3]).output
    assert seven.shape == (9, 7, 4) and one.shape == (9, 1, 4)
    assert np.array_equal(one[:, 0], seven[:, 2])
    assert np.array_equal(seven, simulate(graph, x).output)


def test_unrolled_takes_any_number_of_steps(tmp_path):
    graph = contract_graphs()["mlp"]
    path = _save(nir2onnx(graph), tmp_path)
    for t in (1, 30):
        x = contract_input(graph, timesteps=t, batch=2)
        assert np.array_equal(run_model(path, x).output, simulate(graph, x).output)


@pytest.mark.parametrize("content", [b"", b"not an onnx model", bytes(range(256)) * 8, "truncate"])
def test_corrupt_file_is_an_artifact_error(content, tmp_path):
    if content == "truncate":
        full = nir2onnx(contract_graphs()["mlp"]).SerializeToString()
        content = full[: len(full) // 2]
    path = tmp_path / "model.onnx"
    path.write_bytes(content)
    with pytest.raises(ArtifactError, match="model.onnx"):
        run_model(path, np.zeros((2, 1, 12), F))


def test_missing_file_and_foreign_model(tmp_path):
    with pytest.raises(ArtifactError, match="not found"):
        run_model(tmp_path / "none.onnx", np.zeros((2, 1, 12), F))
    model = nir2onnx(contract_graphs()["mlp"])
    del model.metadata_props[:]
    with pytest.raises(ArtifactError, match="edgesnn"):
        run_model(_save(model, tmp_path), np.zeros((2, 1, 12), F))


def test_input_checks(tmp_path):
    path = _save(nir2onnx(contract_graphs()["mlp"]), tmp_path)
    with pytest.raises(ShapeError, match=r"\[T, B, 12\]"):
        run_model(path, np.zeros((2, 1, 11), F))
    with pytest.raises(ShapeError):
        run_model(path, np.zeros((0, 1, 12), F))
    bad = np.zeros((2, 1, 12), F)
    bad[1, 0, 3] = np.nan
    with pytest.raises(DataError, match="NaN"):
        run_model(path, bad)
    with pytest.raises(DataError, match="numeric"):
        run_model(path, np.full((2, 1, 12), "a"))
    assert run_model(path, np.zeros((2, 1, 12), np.float64)).output.dtype == F  # cast, not refused


def test_record_needs_a_recording_export(tmp_path):
    path = _save(nir2onnx(contract_graphs()["mlp"], record=False), tmp_path)
    with pytest.raises(ArtifactError, match="record=True"):
        run_model(path, np.zeros((2, 1, 12), F), record=True)


def test_unsupported_nodes_and_options(tmp_path):
    with pytest.raises(UnsupportedPrimitiveError, match="mystery") as err:
        nir2onnx(unsupported_graph())
    assert "LIF" in str(err.value) and "_Unknown" in str(err.value)
    cortex = load_target("cortex-m")  # its supports list has no Delay
    with pytest.raises(UnsupportedPrimitiveError, match="delay"):
        get_backend("onnx").export(conv1d_skip_delay(), tmp_path, cortex)
    with pytest.raises(UsageError, match="form"):
        nir2onnx(contract_graphs()["mlp"], form="rolled")
    with pytest.raises(UsageError, match="precision"):
        nir2onnx(contract_graphs()["mlp"], precision="float16")
    with pytest.raises(UsageError, match="option"):
        get_backend("onnx").export(contract_graphs()["mlp"], tmp_path, load_target("onnx"), speed=3)


def test_missing_onnxruntime_names_the_install(monkeypatch):
    import builtins

    from edgesnn.backends.onnx import runtime
    from edgesnn.errors import RuntimeUnavailableError

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "onnxruntime":
            raise ImportError("No module named 'onnxruntime'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(RuntimeUnavailableError, match=r"pip install onnxruntime==1\.31\.1"):
        runtime.require()
    assert get_backend("onnx").available() is False


def test_a_one_input_graph_takes_its_data_under_the_input_name(tmp_path):
    """One input of a multimodal set (``--inputs audio``): data arrive as {"audio": x}."""
    graph = contract_graphs()["mlp"]
    (name,) = [n for n, node in graph.nodes.items() if isinstance(node, nir.Input)]
    graph.nodes["audio"] = graph.nodes.pop(name)
    graph.edges = [("audio" if a == name else a, b) for a, b in graph.edges]
    x = contract_input(graph)
    path = _save(nir2onnx(graph), tmp_path)
    assert np.array_equal(run_model(path, {"audio": x}).output, run_model(path, x).output)
    with pytest.raises(DataError, match="audio|'x'"):
        run_model(path, {"image": x})
