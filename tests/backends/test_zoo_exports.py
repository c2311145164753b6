"""Every zoo model, exported from torch through NIR to both ONNX forms and to Lava (float): identical spikes."""

import numpy as np
import pytest
import torch

from edgesnn.backends import get_backend
from edgesnn.config import load_target
from edgesnn.models import build, resolve
from edgesnn.models.to_nir import to_nir
from edgesnn.nir import simulate

ZOO = [
    ("mlp", (1, 8, 8), {}),
    ("mlp", (64,), {"skip": "concat", "hidden": [32, 32]}),
    ("mlp", (64,), {"skip": "add", "hidden": [64, 64]}),
    ("cnn2d", (1, 8, 8), {"pool": "sum"}),
    ("cnn1d", (30,), {}),
    ("rnn", (13,), {}),
    ("fusion", (1, 8, 8), {}),
    ("mlp", (13,), {"neuron": "synaptic"}),
    ("mlp", (13,), {"neuron": "lapicque"}),
]


def _zoo_graph(family, shape, over):
    """A zoo model with weights scaled up so every layer spikes, as NIR, and a spike input."""
    model = build(resolve(family, over), shape, 4, seed=0).eval()
    gain = 15.0 if over.get("neuron") == "lapicque" else (8.0 if family == "cnn1d" else 3.0)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d)):
                m.weight.mul_(gain)
    graph = to_nir(model, dt=1e-3, metadata={"timesteps": 12})
    x = (np.random.default_rng(1).random((12, 5, *model.input_shape)) < 0.4).astype(np.float32)
    return graph, x


def _assert_identical(got, ref):
    assert ref.output.sum() > 0
    np.testing.assert_array_equal(got.output, ref.output)
    for name, spikes in ref.records.items():
        np.testing.assert_array_equal(got.records[name], spikes, err_msg=name)


@pytest.mark.parametrize("form", ["unrolled", "stepwise"])
@pytest.mark.parametrize("family,shape,over", ZOO, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(ZOO)])
def test_zoo_model_to_onnx_identical_spikes(family, shape, over, form, tmp_path):
    graph, x = _zoo_graph(family, shape, over)
    backend, target = get_backend("onnx"), load_target("onnx")
    backend.export(graph, tmp_path, target, form=form)
    _assert_identical(
        backend.run(tmp_path / backend.artifact_name, x, target, record=True), simulate(graph, x, record=True)
    )


@pytest.mark.lava
@pytest.mark.timeout(120)
@pytest.mark.parametrize("family,shape,over", ZOO, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(ZOO)])
def test_zoo_model_on_lava_float_identical_spikes(family, shape, over, tmp_path, lava_backend):
    """Skip connections and the fusion model's branches included (delay-aligned paths)."""
    target = load_target("lava-float")
    graph, x = _zoo_graph(family, shape, over)
    lava_backend.export(graph, tmp_path, target)
    _assert_identical(lava_backend.run(tmp_path / "model.nir", x, target, record=True), simulate(graph, x, record=True))
