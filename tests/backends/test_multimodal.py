"""Multimodal models (two named inputs) through torch → NIR → simulator → ONNX → Lava, spike-identical.

The ``fusion2`` zoo model has one branch per input — a conv branch for ``image [1, 8, 8]``, a
dense branch for an audio frame ``audio [13]`` — fused by concatenation or addition. Inputs
are dicts, name -> ``[T, B, *shape]``, everywhere.
"""

import nir
import numpy as np
import pytest
import snntorch as snn
import torch

from edgesnn.backends import get_backend
from edgesnn.config import load_target
from edgesnn.errors import DataError, ShapeError
from edgesnn.models import build, resolve
from edgesnn.models.run import reset_states
from edgesnn.models.to_nir import to_nir
from edgesnn.nir import input_shapes, read_graph, simulate, write_graph

SHAPES = {"image": (1, 8, 8), "audio": (13,)}
T, B = 12, 5


def _model(fuse: str, gain: float = 3.0):
    """The seeded fusion2 model, weights scaled so every layer spikes at a realistic rate."""
    model = build(resolve("fusion2", {"fuse": fuse}), SHAPES, 4, seed=0).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d)):
                m.weight.mul_(gain)
    return model


def _inputs(seed: int = 1, p: float = 0.4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: (rng.random((T, B, *shape)) < p).astype(np.float32) for name, shape in SHAPES.items()}


def _torch_steps(model, x: dict[str, np.ndarray]) -> np.ndarray:
    """run_snn-style stepping with a dict input: states reset, one forward per timestep."""
    reset_states(model)
    with torch.no_grad():
        return np.stack([model({k: torch.from_numpy(v[t]) for k, v in x.items()}).numpy() for t in range(T)])


@pytest.fixture(scope="module", params=["concat", "add"])
def case(request):
    model = _model(request.param)
    graph = to_nir(model, dt=1e-3, metadata={"timesteps": T})
    x = _inputs()
    return model, graph, x, simulate(graph, x, record=True)


def _assert_identical(got, ref):
    np.testing.assert_array_equal(got.output, ref.output)
    for name, spikes in ref.records.items():
        np.testing.assert_array_equal(got.records[name], spikes, err_msg=name)


def test_model_exposes_named_inputs_and_an_ann_twin():
    model = _model("concat")
    assert list(model.input_shapes) == ["image", "audio"] and model.input_shapes["image"] == (1, 8, 8)
    with pytest.raises(ShapeError, match="input_shapes"):
        model.input_shape  # noqa: B018 (refused clearly: there is no single input shape)
    twin = build(resolve("fusion2", {}), SHAPES, 4, ann=True, seed=0)
    x = {k: torch.rand(2, *s) for k, s in SHAPES.items()}
    assert twin(x).shape == (2, 4)  # logits: ReLU branches, no neuron anywhere
    assert not any(isinstance(m, snn.SpikingNeuron) for m in twin.modules())
    snn_w = {k: v.shape for k, v in model.state_dict().items() if k.endswith(("weight", "bias"))}
    assert snn_w == {k: v.shape for k, v in twin.state_dict().items() if k.endswith(("weight", "bias"))}


def test_single_input_family_refuses_named_shapes_and_fusion2_needs_them():
    with pytest.raises(ShapeError, match="fusion2"):
        build(resolve("fusion", {}), SHAPES, 4)
    with pytest.raises(ShapeError, match="named inputs"):
        build(resolve("fusion2", {}), (1, 8, 8), 4)


def test_to_nir_has_one_named_input_per_modality(case):
    _, graph, _, _ = case
    inputs = {n: node for n, node in graph.nodes.items() if isinstance(node, nir.Input)}
    assert set(inputs) == {"image", "audio"}
    assert input_shapes(graph) == {"audio": (13,), "image": (1, 8, 8)}
    assert any(a == "image" for a, _ in graph.edges) and any(a == "audio" for a, _ in graph.edges)


def test_neurons_spike_at_a_realistic_rate(case):
    _, _, _, ref = case
    for name, spikes in ref.records.items():
        assert 0.01 <= spikes.mean() <= 0.5, f"{name} fires at {spikes.mean():.1%}"


def test_simulator_matches_torch_stepping(case):
    model, _, x, ref = case
    np.testing.assert_array_equal(ref.output, _torch_steps(model, x))


def test_nir_file_round_trip_keeps_both_inputs(case, tmp_path):
    _, graph, x, ref = case
    back = read_graph(write_graph(graph, tmp_path / "m.nir"))
    assert input_shapes(back) == input_shapes(graph)
    raw = nir.read(tmp_path / "m.nir")  # NIR's own reader too
    assert {n for n, node in raw.nodes.items() if isinstance(node, nir.Input)} == {"image", "audio"}
    np.testing.assert_array_equal(simulate(back, x).output, ref.output)


@pytest.mark.parametrize("form", ["unrolled", "stepwise"])
def test_onnx_has_one_input_per_modality_and_identical_spikes(case, form, tmp_path):
    import onnx

    _, graph, x, ref = case
    backend, target = get_backend("onnx"), load_target("onnx")
    backend.export(graph, tmp_path, target, form=form)
    model = onnx.load(tmp_path / "model.onnx")
    names = [i.name for i in model.graph.input]
    assert names[:2] == ["audio", "image"] and "x" not in names
    _assert_identical(backend.run(tmp_path / "model.onnx", x, target, record=True), ref)
    static = {k: np.repeat(v[:1], T, 0) for k, v in x.items()}  # the static-input lever's branch
    np.testing.assert_array_equal(
        backend.run(tmp_path / "model.onnx", static, target).output, simulate(graph, static).output
    )


@pytest.mark.lava
@pytest.mark.timeout(240)
def test_lava_float_identical_spikes(case, tmp_path, lava_backend):
    _, graph, x, ref = case
    target = load_target("lava-float")
    lava_backend.export(graph, tmp_path, target)
    _assert_identical(lava_backend.run(tmp_path / "model.nir", x, target, record=True), ref)


def _grid_fusion(seed: int = 0) -> nir.NIRGraph:
    """Two inputs of different path depth into one layer, every weight on Loihi's grid (k/64)."""
    rng = np.random.default_rng(seed)

    def lif(n):
        return nir.LIF(
            tau=np.full(n, 4e-3), r=np.full(n, 4.0), v_leak=np.zeros(n), v_threshold=np.ones(n), v_reset=np.zeros(n)
        )

    def w(shape):
        k = np.clip(np.round(rng.normal(0, 0.5, shape) * 64), -127, 127)
        k.flat[0] = 127
        return k / 64

    nodes = {
        "a": nir.Input(np.array([20])),
        "b": nir.Input(np.array([12])),
        "fa": nir.Affine(w((16, 20)), np.zeros(16)),
        "la": lif(16),
        "fa2": nir.Linear(w((24, 16))),
        "fb": nir.Linear(w((24, 12))),
        "fuse": lif(24),
        "fo": nir.Linear(w((6, 24))),
        "lo": lif(6),
        "output": nir.Output(np.array([6])),
    }
    edges = [
        ("a", "fa"),
        ("fa", "la"),
        ("la", "fa2"),
        ("fa2", "fuse"),
        ("b", "fb"),
        ("fb", "fuse"),
        ("fuse", "fo"),
        ("fo", "lo"),
        ("lo", "output"),
    ]
    return nir.NIRGraph(nodes, edges, metadata={"dt": 1e-3, "reset": "zero"})


@pytest.mark.lava
@pytest.mark.timeout(240)
def test_loihi2_fixed_point_on_grid_weights_identical(tmp_path, lava_backend):
    graph = _grid_fusion()
    rng = np.random.default_rng(3)
    x = {"a": (rng.random((T, B, 20)) < 0.3).astype(np.float32), "b": (rng.random((T, B, 12)) < 0.3).astype(np.float32)}
    ref = simulate(graph, x, record=True)
    target = load_target("loihi2")
    lava_backend.export(graph, tmp_path, target)
    got = lava_backend.run(tmp_path / "model.nir", x, target, record=True)
    assert ref.output.sum() > 0
    _assert_identical(got, ref)


def test_missing_or_misnamed_input_is_a_one_line_error(case):
    _, graph, x, _ = case
    for bad, missing in (({"image": x["image"]}, "audio"), ({"image": x["image"], "audi": x["audio"]}, "audi")):
        with pytest.raises(DataError, match=missing) as info:
            simulate(graph, bad)
        msg = str(info.value)
        assert "\n" not in msg and "'image' [1, 8, 8]" in msg and "'audio' [13]" in msg
    with pytest.raises(DataError, match="pass a dict"):
        simulate(graph, x["image"])
    with pytest.raises(ShapeError, match="audio"):
        simulate(graph, {**x, "audio": x["audio"][..., :-1]})
    with pytest.raises(ShapeError, match=r"\[T, B\]"):
        simulate(graph, {**x, "audio": x["audio"][:-1]})


def test_export_parity_with_dict_probe(case, tmp_path):
    """``edgesnn.export.export`` of a multimodal .nir: probe dict, parity 100 %."""
    from edgesnn.export import export

    _, graph, _, _ = case
    path = write_graph(graph, tmp_path / "m.nir")
    result = export(path, "onnx", out=tmp_path / "out")
    assert result.parity["passed"] and result.parity["vs_reference"]["mismatches"] == 0
    assert result.parity["timesteps"] == T and result.parity["samples"] == 8
