"""Activity-calibrated initialisation: every spiking layer starts firing.

Deep SNNs with default (Kaiming) initialisation are often silent beyond the first layers, so
the surrogate gradient vanishes and training never starts (the 1-D CNN on tabular data is the
classic case). Before training, for each spiking layer ℓ in topological order, the weights
and biases of the layers that feed it are scaled by one factor ``g_ℓ`` chosen by bisection in
log space so that the layer's mean firing rate on a training batch is close to ``target``:

    r_ℓ(g) = mean_t,b,i s_ℓ[t, b, i]   with W ← g·W, b ← g·b for every weight node feeding ℓ
    g_ℓ  = argmin_g |log r_ℓ(g) − log target|,   g ∈ [2⁻⁶, 2⁸]

Which weight modules feed which neuron is read off the model's NIR graph (the same graph that
is exported), walking back through pooling and flatten nodes.
"""

from __future__ import annotations

import math

import nir
import torch
from torch import nn

from ..models import run_snn
from ..models.neurons import spiking_layers

WEIGHT_NODES = (nir.Affine, nir.Linear, nir.Conv1d, nir.Conv2d)
PASS_NODES = (nir.AvgPool2d, nir.SumPool2d, nir.Flatten, nir.Scale)


def feeders(model: nn.Module, dt: float = 1e-3) -> dict[str, list[nn.Module]]:
    """Neuron module path → the weight modules whose outputs reach it (through pools)."""
    from ..models.to_nir import to_nir

    graph = to_nir(model, dt=dt)
    modules = {name.replace(".", "_"): m for name, m in model.named_modules()}
    preds: dict[str, list[str]] = {}
    for src, dst in graph.edges:
        preds.setdefault(dst, []).append(src)
    result = {}
    for name, _ in spiking_layers(model):
        found, todo = [], list(preds.get(name.replace(".", "_"), []))
        while todo:
            p = todo.pop()
            n = graph.nodes.get(p)
            if isinstance(n, WEIGHT_NODES) and p in modules and not _is_fixed_pool(n):
                found.append(modules[p])
            elif isinstance(n, PASS_NODES) or _is_fixed_pool(n):
                todo.extend(preds.get(p, []))
        result[name] = found
    return result


def _is_fixed_pool(node) -> bool:
    return (
        isinstance(node, nir.Conv1d)
        and node.groups > 1
        and node.weight.shape[1] == 1
        and (node.weight == node.weight.flat[0]).all()
    )


@torch.no_grad()
def calibrate(model: nn.Module, x: torch.Tensor, target: float = 0.1, steps: int = 12) -> dict[str, float]:
    """Scale each layer's incoming weights so it fires at about ``target``; returns the gains."""
    gains = {}
    feeds = feeders(model)
    neurons = dict(spiking_layers(model))
    for name, mods in feeds.items():
        if not mods:
            continue
        rate = _rate_probe(model, neurons[name], x)
        originals = [(m.weight.clone(), None if m.bias is None else m.bias.clone()) for m in mods]
        lo, hi = -6.0, 8.0
        best = (abs(math.log(max(rate(), 1e-6) / target)), 0.0)
        for _ in range(steps):
            mid = (lo + hi) / 2
            _scale(mods, originals, 2.0**mid)
            r = rate()
            best = min(best, (abs(math.log(max(r, 1e-6) / target)), mid))
            lo, hi = (mid, hi) if r < target else (lo, mid)
        _scale(mods, originals, 2.0 ** best[1])
        gains[name] = 2.0 ** best[1]
    return gains


def _scale(mods, originals, g: float) -> None:
    for m, (w, b) in zip(mods, originals):
        m.weight.copy_(w * g)
        if b is not None:
            m.bias.copy_(b * g)


def _rate_probe(model, neuron, x):
    def rate() -> float:
        seen = []
        h = neuron.register_forward_hook(lambda m, i, o: seen.append((o[0] if isinstance(o, tuple) else o).mean()))
        try:
            run_snn(model, x)
        finally:
            h.remove()
        return float(torch.stack(seen).mean())

    return rate
