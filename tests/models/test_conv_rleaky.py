"""RLeaky in conv blocks: snnTorch's one-to-one recurrence with a learned weight per channel,
exported to NIR as a cycle through a Scale node, spike for spike equal to snnTorch."""

import nir
import pytest
import snntorch as snn
import torch

from edgesnn.models import build, resolve, run_snn
from edgesnn.models.to_nir import to_nir
from edgesnn.nir import simulate


def _model(family: str, shape: tuple, overrides: dict):
    hp = resolve(family, {"neuron": "rleaky", **overrides})
    model = build(hp, shape, 4, seed=0).eval()
    with torch.no_grad():  # stronger weights: every layer spikes on random input
        for m in model.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d)):
                m.weight.mul_(3.0)
    conv_neurons = [m for m in model.modules() if isinstance(m, snn.RLeaky) and not m.all_to_all]
    gen = torch.Generator().manual_seed(1)
    for m in conv_neurons:  # V starts at 0 (a Leaky neuron); make the recurrence matter
        with torch.no_grad():
            m.V.copy_(torch.rand(m.V.shape, generator=gen) - 0.3)
    return model, conv_neurons


@pytest.mark.parametrize(
    "family, shape, overrides, x_shape",
    [
        ("cnn1d", (60,), {"w1": 4, "w2": 4, "w3": 4, "hidden": [16]}, (1, 60)),
        ("cnn2d", (1, 8, 8), {}, (1, 8, 8)),
    ],
)
def test_conv_rleaky_has_one_weight_per_channel_and_nir_parity(family, shape, overrides, x_shape):
    model, conv_neurons = _model(family, shape, overrides)
    assert conv_neurons and all(m.V.numel() == m.V.shape[0] > 1 for m in conv_neurons)
    assert all(isinstance(m.V, torch.nn.Parameter) for m in conv_neurons)  # learned
    x = (torch.rand(20, 6, *x_shape, generator=torch.Generator().manual_seed(1)) < 0.4).float()
    with torch.no_grad():
        ref = run_snn(model, x).numpy()
    graph = to_nir(model, dt=1e-3)
    scales = [
        n
        for n in graph.nodes.values()
        if isinstance(n, nir.NIRGraph) and any(isinstance(s, nir.Scale) for s in n.nodes.values())
    ]
    assert len(scales) == len(conv_neurons)
    y = simulate(graph, x.numpy()).output
    assert y.shape == ref.shape and ref.sum() > 0, "the test input must make the output layer spike"
    assert int((y != ref).sum()) == 0


def test_conv_rleaky_recurrence_changes_the_spikes():
    model, conv_neurons = _model("cnn1d", (60,), {"w1": 4, "w2": 4, "w3": 4, "hidden": [16]})
    x = (torch.rand(15, 4, 1, 60, generator=torch.Generator().manual_seed(3)) < 0.5).float()
    with_rec = run_snn(model, x).detach().clone()
    for m in conv_neurons:
        with torch.no_grad():
            m.V.zero_()
    assert not torch.equal(with_rec, run_snn(model, x).detach())
