"""Hardware-aware training for loihi2: one grid (``backends/lava/grid.py``) in training and in Lava.

The grid tests need no Lava (the fixed-point quantiser is numpy); the export test runs real
Lava (``lava`` marker, hard timeout) on a tiny model trained with the fake quantiser.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from edgesnn.backends.lava import lower, quantize
from edgesnn.models import build, resolve, run_snn
from edgesnn.models.to_nir import to_nir
from edgesnn.nir import simulate
from edgesnn.numerics import loihi as grid
from edgesnn.train import quant

DT = 1e-3


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: one torch thread avoids oversubscribing a shared machine (10x faster here)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


KINDS = {
    "leaky": ("mlp", {}),
    "rleaky": ("rnn", {}),
    "synaptic": ("mlp", {"neuron": "synaptic"}),
    "theta": ("mlp", {"threshold": 0.75, "beta": 0.93}),
    "skip_concat": ("mlp", {"skip": "concat", "hidden": [16, 16]}),
    "skip_add": ("mlp", {"skip": "add", "hidden": [12, 12]}),
}
#: image-input models: Conv -> pooling chains, and the fusion model's two branches of different depth
IMAGE_KINDS = {
    "cnn2d": ("cnn2d", {"channels": [4, 8], "hidden": [16], "threshold": 0.75}),
    "fusion": ("fusion", {"channels": [4], "hidden": [16], "threshold": 0.75}),
}


def _model(kind: str, hidden=24, n_in=12, n_classes=4, seed=0, **extra):
    family, overrides = {**KINDS, **IMAGE_KINDS}[kind]
    hp = resolve(family, {"reset": "zero", "hidden": [hidden], **overrides, **extra})
    model = build(hp, (1, 8, 8) if kind in IMAGE_KINDS else (n_in,), n_classes, seed=seed)
    with torch.no_grad():  # non-zero biases, so their grid is exercised too
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.add_(0.05 * torch.randn_like(p))
    return model


def _train(model, steps=15, T=12, B=32, seed=0):
    """A few Adam steps on a separable toy task: class c <-> input block c fires more."""
    gen = torch.Generator().manual_seed(seed)
    n_in, n_classes = int(np.prod(model.input_shape)), model.n_classes
    y = torch.randint(0, n_classes, (B,), generator=gen)
    rates = 0.1 + 0.5 * (torch.arange(n_in)[None] // (n_in // n_classes) == y[:, None]).float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(steps):
        x = (torch.rand(T, B, n_in, generator=gen) < rates).float().reshape(T, B, *model.input_shape)
        loss = torch.nn.functional.cross_entropy(run_snn(model, x).sum(0), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def _hardware_aware(kind: str, **kw):
    model = _model(kind, **kw)
    assert quant.apply(model, 8, "loihi") >= 2
    _train(model)
    quant.bake(model)
    return model


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_bake_leaves_weights_biases_decays_on_the_grid(kind):
    model = _hardware_aware(kind)
    report = quant.on_grid_report(model)
    assert report and all(report.values()), report
    feeds = quant.layer_neurons(model)
    for layer, neuron in feeds.items():  # the grid spelled out: w = θ m 2^e, b = θ k 2^(e-1)
        theta = neuron.threshold.detach().double().reshape(-1)[: layer.weight.shape[0]]
        wn = layer.weight.detach().double() / theta[:, None]
        e = grid.weight_exponent(float(wn.abs().max()))
        m = wn / 2.0**e
        assert torch.equal(m, m.round()) and m.abs().max() <= 127 and m.abs().max() >= 64
        if layer.bias is not None:
            k = layer.bias.detach().double() / theta / 2.0 ** (e - 1)
            assert torch.allclose(k, k.round(), atol=1e-6)
    for neuron in {id(n): n for n in feeds.values()}.values():
        for name in ("beta", "alpha"):
            if hasattr(neuron, name):
                dv = 4096 * (1 - getattr(neuron, name).detach().double())
                assert torch.equal(dv, dv.round()), name  # 0.9 -> 1 - 410/4096, 0.8 -> 1 - 819/4096


def test_ste_passes_gradients_and_learnt_decays_stay_on_grid():
    model = _model("leaky", learn_beta=True)
    quant.apply(model, 8, "loihi")
    layer = model.dense.ops[0].parts[0]
    x = (torch.rand(10, 8, 12) < 0.5).float()
    run_snn(model, x).sum().backward()
    grad = layer.parametrizations.weight.original.grad
    assert grad is not None and grad.abs().sum() > 0  # straight-through, not zero
    neuron = model.dense.acts[0]
    assert torch.nn.utils.parametrize.is_parametrized(neuron, "beta")  # learnt beta: STE onto the grid
    _train(model, steps=5)
    quant.bake(model)
    dv = 4096 * (1 - neuron.beta.detach().double())
    assert torch.equal(dv, dv.round()) and not torch.nn.utils.parametrize.is_parametrized(neuron, "beta")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_lava_quantizer_keeps_on_grid_values_bit_exact(kind):
    model = _hardware_aware(kind)
    plan = lower(to_nir(model, dt=DT), dt=DT, reset="zero")
    q, report = quantize(plan)
    assert report["clipped"] == 0
    for name, layer in report["layers"].items():
        assert layer["rel_err"] == 0.0 and layer["max_abs_err"] == 0.0, (name, layer)
    for name, pop in report["populations"].items():
        assert pop["on_grid"], name
        assert pop["bias_max_abs_err"] < 1e-12 and pop.get("bias_u_rel_err", 0.0) == 0.0, (name, pop)
        assert pop["dv_err"] < 1e-6 and pop["du_err"] < 1e-6
        V = pop["vth"]
        assert V & (V - 1) == 0 and V <= 4096  # V = 2^(1 - e_min)
    for c in q.connections.values():  # effective weights: V w' as 8-bit mantissa << exponent
        if c.delay:  # skip-path alignment: identity, integer 1
            assert np.array_equal(c.weight, np.round(plan.connections[c.name].weight)) and c.weight_exp == 0
            continue
        fp = plan.connections[c.name]
        V = q.populations[c.dst].vth
        np.testing.assert_allclose(c.weight * 2.0**c.weight_exp, fp.weight * V, rtol=1e-5, atol=0)


@pytest.mark.parametrize("kind", sorted(IMAGE_KINDS))
def test_conv_pool_chains_quantize_to_the_exact_integers(kind):
    """Conv -> pooling has no on-grid shortcut (the pooling is a chained connection), but its
    integers are the exact ones: only float32 noise of the exported weights remains as error."""
    model = _hardware_aware(kind)
    q, report = quantize(lower(to_nir(model, dt=DT), dt=DT, reset="zero"))
    assert report["clipped"] == 0
    assert all(layer["rel_err"] < 1e-6 for layer in report["layers"].values()), report["layers"]
    dense_fed = [n for n in report["populations"] if not n.startswith("conv")]
    assert dense_fed and all(report["populations"][n]["on_grid"] for n in dense_fed)


def test_off_grid_weights_take_the_general_rule():
    model = _model("leaky")  # float weights, never fake-quantised
    q, report = quantize(lower(to_nir(model, dt=DT), dt=DT, reset="zero"))
    assert not any(p["on_grid"] for p in report["populations"].values())
    assert all(0 < layer["rel_err"] < 0.05 for layer in report["layers"].values())


def test_int8_scheme_puts_every_row_on_an_integer_threshold_grid():
    """int8 training: each neuron's weights are whole steps θ/k (≤ 127 of them), θ itself k steps."""
    from edgesnn.numerics.rows import detect_row_scale

    model = _model("leaky")
    quant.apply(model, 8, "int8")
    quant.bake(model)
    layer = model.dense.ops[0].parts[0]
    w = layer.weight.detach().double().numpy()
    bias = np.zeros(len(w)) if layer.bias is None else layer.bias.detach().double().numpy()
    lam = detect_row_scale(w, np.ones(len(w)), bias)
    assert not np.isnan(lam).any()
    codes = w * lam[:, None]
    assert np.allclose(codes, np.rint(codes), atol=1e-3) and np.abs(np.rint(codes)).max() <= 127


@pytest.mark.lava
@pytest.mark.timeout(150)
@pytest.mark.parametrize("kind", ["leaky", "rleaky", "synaptic", "skip_concat", *IMAGE_KINDS])
def test_hardware_aware_model_exports_to_loihi2_within_tolerance(kind, tmp_path, lava_backend):
    from edgesnn.config import load_target

    backend = lava_backend
    model = _hardware_aware(kind)
    graph = to_nir(model, dt=DT, metadata={"timesteps": 20})
    x = (np.random.default_rng(3).random((20, 6, *model.input_shape)) < 0.3).astype(np.float32)
    target = load_target("loihi2")
    backend.export(graph, tmp_path, target)
    got = backend.run(tmp_path / "model.nir", x, target, record=True)
    ref = simulate(graph, x, record=True)
    with torch.no_grad():
        torch_out = run_snn(model, torch.from_numpy(x)).numpy()
    assert ref.output.sum() > 0 and np.array_equal(torch_out, ref.output)
    agreement = float((got.output == ref.output).mean())
    assert 1 - agreement <= target.parity_tolerance, agreement
    for node, rec in ref.records.items():
        assert float((got.records[node] == rec).mean()) >= 1 - target.parity_tolerance, node
    netx = json.loads((tmp_path / "lava.json").read_text())["netx"]
    assert netx["written"] == (kind in ("leaky", "rleaky")), netx  # the others: pooling, skips, bias into u
    if netx["written"]:  # lava-dl's netx replays edgesnn's own fixed-point build spike for spike
        np.testing.assert_array_equal(backend.run(tmp_path / "model.net", x, target).output, got.output)


def test_quantised_models_trained_in_parallel_threads_equal_sequential_training():
    """``tune --jobs N`` trains in threads; each run's cached quantised weights must stay its own."""
    import threading

    def fresh(seed):  # built in the main thread: initialisation draws from torch's global generator
        model = _model("leaky", seed=seed)
        quant.apply(model, 8, "loihi")
        return model

    def trained(model, seed, out):
        _train(model, steps=30, seed=seed)  # its own generator
        out[seed] = {k: v.clone() for k, v in model.state_dict().items()}

    sequential: dict = {}
    for seed in (0, 1):
        trained(fresh(seed), seed, sequential)
    parallel: dict = {}
    models = {seed: fresh(seed) for seed in (0, 1)}
    threads = [threading.Thread(target=trained, args=(models[seed], seed, parallel)) for seed in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed in (0, 1):
        assert all(torch.equal(sequential[seed][k], parallel[seed][k]) for k in sequential[seed]), seed
