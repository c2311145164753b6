"""Time folded into the batch and the fused Leaky give snnTorch's step-by-step spikes exactly and
its gradients within float rounding (``edgesnn/models/multistep.py``)."""

from __future__ import annotations

import numpy as np
import pytest
import snntorch as snn
import torch
import torch.nn.functional as F

from edgesnn.models import build, resolve
from edgesnn.models.multistep import foldable, fusable, leaky_steps, stepwise
from edgesnn.models.neurons import make_neuron
from edgesnn.models.run import reset_states, run_snn


def close(a: torch.Tensor, b: torch.Tensor, rtol: float = 1e-5) -> bool:
    """Equal within ``rtol`` of the larger magnitude (gradients summed in another order)."""
    scale = max(float(a.abs().max()), float(b.abs().max()), 1e-12)
    return float((a - b).abs().max()) <= rtol * scale


def neuron(reset: str, surrogate: str, learn: bool) -> snn.Leaky:
    hp = resolve(
        "mlp",
        {
            "reset": reset,
            "surrogate": surrogate,
            "slope": 5.0,
            "learn_beta": learn,
            "learn_threshold": learn,
        },
    )
    n = make_neuron(hp, (7,))
    with torch.no_grad():
        n.beta.copy_(torch.linspace(0.5, 1.2, 7))  # one β above 1: clamped, no gradient
    return n


def grads(run, n, x: torch.Tensor, w: torch.Tensor, params) -> tuple:
    """(spikes, dL/dx, the learnable ``params``' gradients) of ``L = Σ run(n, x)·w``."""
    n.zero_grad()
    x.grad = None
    out = run(n, x)
    (out * w).sum().backward()
    return out.detach(), x.grad.clone(), [p.grad.clone() for p in params if p.requires_grad]


def eager(n: snn.Leaky, x: torch.Tensor) -> torch.Tensor:
    reset_states(n)
    return torch.stack([n(x_t) for x_t in x])


@pytest.mark.parametrize("reset", ["zero", "subtract", "none"])
@pytest.mark.parametrize("surrogate", ["fast_sigmoid", "atan", "sigmoid"])
@pytest.mark.parametrize("learn", [False, True])
def test_fused_leaky_equals_snntorch(reset, surrogate, learn):
    torch.manual_seed(0)
    n = neuron(reset, surrogate, learn)
    assert fusable(n)
    x = (torch.randn(30, 5, 7) * 1.5).requires_grad_()
    w = torch.randn(30, 5, 7)  # a loss that weights every spike differently

    ref, g_ref, p_ref = grads(eager, n, x, w, (n.beta, n.threshold))
    got, g_got, p_got = grads(leaky_steps, n, x, w, (n.beta, n.threshold))
    assert torch.equal(ref, got) and 0 < ref.mean() < 1
    assert close(g_ref, g_got) and float(g_ref.abs().max()) > 0
    assert len(p_ref) == len(p_got) == (2 if learn else 0)
    for a, b in zip(p_ref, p_got):
        assert close(a, b)


def test_fused_zero_reset_with_a_negative_threshold_takes_the_general_path():
    torch.manual_seed(1)
    n = neuron("zero", "fast_sigmoid", True)  # a learnt threshold may go below 0
    with torch.no_grad():
        n.threshold.fill_(-0.2)
    x = torch.randn(12, 3, 7).requires_grad_()
    ref = eager(n, x)
    ref.sum().backward()
    g_ref = x.grad.clone()
    x.grad = None
    got = leaky_steps(n, x)
    got.sum().backward()
    assert torch.equal(ref, got) and close(g_ref, x.grad)


def test_graded_spikes_and_other_neurons_are_not_fused():
    n = neuron("zero", "atan", False)
    n.graded_spikes_factor = torch.tensor(2.0)
    assert not fusable(n)
    hp = resolve("mlp", {"neuron": "synaptic"})
    assert not fusable(make_neuron(hp, (4,)))


@pytest.mark.parametrize(
    ("family", "shape", "over"),
    [
        ("mlp", (1, 8, 8), {"reset": "subtract", "learn_beta": True}),
        ("cnn2d", (1, 8, 8), {}),
        ("mlp", (1, 8, 8), {"neuron": "synaptic"}),
        ("mlp", (1, 8, 8), {"neuron": "lapicque", "threshold": 0.01}),
        ("rnn", (6, 20), {}),
        ("mlp", (1, 8, 8), {"skip": ["concat"], "hidden": [16, 16]}),
    ],
)
def test_a_folded_run_gives_the_stepwise_spikes_and_gradients(family, shape, over):
    hp = resolve(family, {"threshold": 0.1, **over})
    model = build(hp, shape, 4, seed=0)
    T = 9 if family != "rnn" else shape[-1]
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(T, 5, *model.input_shape, generator=gen) < 0.4).float()
    y = torch.arange(5) % 4

    def run(folded: bool):
        model.zero_grad()
        out = run_snn(model, x, folded=folded)
        F.cross_entropy(out.sum(0), y).backward()
        return out.detach(), {k: p.grad.clone() for k, p in model.named_parameters() if p.grad is not None}

    ref, g_ref = run(False)
    got, g_got = run(True)
    assert torch.equal(ref, got) and ref.sum() > 0
    assert g_ref.keys() == g_got.keys() and g_ref
    for k in g_ref:
        assert close(g_ref[k], g_got[k]), k


def test_multimodal_inputs_fold_too():
    hp = resolve("fusion2", {})
    model = build(hp, {"audio": (13, 10), "image": (1, 8, 8)}, 3, seed=0)
    gen = torch.Generator().manual_seed(0)
    x = {n: (torch.rand(10, 4, *s, generator=gen) < 0.3).float() for n, s in model.input_shapes.items()}
    assert torch.equal(run_snn(model, x, folded=False), run_snn(model, x, folded=True))


def test_foldable_refuses_modules_that_mix_samples_and_stepwise_turns_it_off():
    model = build(resolve("mlp", {}), (1, 8, 8), 4, seed=0)
    assert foldable(model)
    with stepwise():
        assert not foldable(model)
    model.extra = torch.nn.BatchNorm1d(4)
    assert not foldable(model)


def test_training_folded_and_stepwise_reach_the_same_accuracy():
    """Same seed, same data: the two runs differ only by gradient rounding."""
    from edgesnn.data import make_encoder, prepare
    from edgesnn.train.loop import fit_snn
    from edgesnn.train.progress import QUIET

    prep = prepare("digits", 0)
    hp = resolve("mlp", {"hidden": [32]})
    results = []
    for ctx in (stepwise, _nothing):
        with ctx():
            model = build(hp, prep.train.feature_shape, 10, seed=0)
            fit = fit_snn(model, hp, prep.train, prep.val, make_encoder("rate"), 10, epochs=3, seed=0, progress=QUIET)
            results.append(fit.best_val_acc)
    assert results[0] > 0.5 and abs(results[0] - results[1]) <= 0.02, results


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


def test_surrogate_grads_match_snntorch_functions():
    from edgesnn.models.multistep import SURROGATE_GRADS
    from edgesnn.models.neurons import SURROGATES

    z = torch.linspace(-2, 2, 41, dtype=torch.float64).requires_grad_()
    for name, make in SURROGATES.items():
        z.grad = None
        make(3.0)(z).sum().backward()
        assert np.allclose(z.grad.numpy(), SURROGATE_GRADS[name](z.detach(), 3.0).numpy()), name


def rleaky(reset: str, surrogate: str, learn: bool) -> snn.RLeaky:
    hp = resolve(
        "rnn", {"reset": reset, "surrogate": surrogate, "slope": 5.0, "learn_beta": learn, "learn_threshold": learn}
    )
    torch.manual_seed(2)
    n = make_neuron(hp, (7,), recurrent=True)
    with torch.no_grad():
        n.beta.copy_(torch.linspace(0.5, 1.2, 7))
        n.recurrent.weight.mul_(3.0)  # a recurrent path strong enough to change spikes
    return n


@pytest.mark.parametrize("reset", ["zero", "subtract", "none"])
@pytest.mark.parametrize("surrogate", ["fast_sigmoid", "atan"])
@pytest.mark.parametrize("learn", [False, True])
def test_fused_rleaky_equals_snntorch(reset, surrogate, learn):
    n = rleaky(reset, surrogate, learn)
    assert fusable(n)
    x = (torch.randn(30, 5, 7) * 1.5).requires_grad_()
    w = torch.randn(30, 5, 7)

    params = (n.beta, n.threshold, n.recurrent.weight)
    ref, g_ref, p_ref = grads(eager, n, x, w, params)
    got, g_got, p_got = grads(leaky_steps, n, x, w, params)
    assert torch.equal(ref, got) and 0 < ref.mean() < 1
    assert close(g_ref, g_got) and float(g_ref.abs().max()) > 0
    assert len(p_ref) == len(p_got) == (3 if learn else 1)
    for a, b in zip(p_ref, p_got):
        assert close(a, b)
