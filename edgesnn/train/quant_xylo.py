"""Training on Xylo IMU's grid (``numerics.quantize: xylo``), straight-through.

Decays β and α are snapped onto ``1 − 2^−dash`` (``edgesnn.numerics.xylo``). Every weight and
bias into a neuron j (its feed-forward Linear and, for an RLeaky, its recurrent Linear: one
Xylo row) is fake-quantised onto one step per neuron that also makes its threshold θ_j an
integer::

    s_j = θ_j / k_j,    k_j = clip(floor(127 θ_j / peak_j), 1, 32767)
    ŵ = s_j · clip(round(w / s_j), ±127),    b̂ = s_j · clip(round(b / s_j), int16)

``peak_j`` is the largest |w| into neuron j over all its weight tensors, so the largest weight
is at most 127 steps (and at least 64: ``k_j`` is the largest that fits) and θ_j is exactly
``k_j`` steps. The Xylo lowering finds that step again (``lower.detect_row_scale``) and the
exported integers are the trained values, with no re-rounding.
"""

from __future__ import annotations

import weakref

import snntorch as snn
import torch
from torch import nn
from torch.nn.utils import parametrize

from ..numerics.xylo import MAX_THRESHOLD, MAX_WEIGHT, snap_keep


def snapped_keep(kind: str, x: torch.Tensor) -> torch.Tensor:
    """A β or an α on ``1 − 2^−dash`` (the same grid for both)."""
    return torch.as_tensor(snap_keep(x.detach().cpu().numpy()), dtype=x.dtype, device=x.device)


def _raw(layer: nn.Module) -> torch.Tensor:
    """A layer's weight before its parametrization (the trained float value), detached."""
    if parametrize.is_parametrized(layer, "weight"):
        return layer.parametrizations["weight"].original.detach()
    return layer.weight.detach()


class XyloRows:
    """The step ``s_j`` of the neurons fed by ``layers`` (see the module docstring), live:
    it follows the weights and a learnt threshold. Holds the layers by weak reference."""

    def __init__(self, layers: list[nn.Module], theta):
        self.layers = [weakref.ref(m) for m in layers]
        self.theta = theta

    def step(self, like: torch.Tensor) -> torch.Tensor:
        peak = torch.stack([_raw(ref()).reshape(like.shape[0], -1).abs().amax(dim=1) for ref in self.layers])
        peak = peak.amax(dim=0).to(like.dtype)
        theta = self.theta(like)
        k = torch.clamp(torch.floor(MAX_WEIGHT * theta / peak.clamp_min(1e-12)), 1, MAX_THRESHOLD)
        return theta / k


class XyloWeight(nn.Module):
    """Parametrization: a weight onto its neurons' Xylo step, straight-through."""

    def __init__(self, rows: XyloRows, limit: int):
        super().__init__()
        self.rows, self.limit = rows, limit

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        s = self.rows.step(w).reshape(-1, *([1] * (w.dim() - 1)))
        q = torch.clamp(torch.round(w.detach() / s), -self.limit, self.limit) * s
        return w + (q - w).detach()


def apply_xylo(model: nn.Module, bits: int) -> int:
    """Register the Xylo grid on ``model``; returns how many weight layers were quantised."""
    from .quant import _Theta, layer_neurons, snap_decays  # (quant imports this module for its registry)

    for m in model.modules():
        if isinstance(m, snn.SpikingNeuron):
            snap_decays(m, snapped_keep)
    feeds = layer_neurons(model)
    groups: dict[nn.Module | None, list[nn.Module]] = {}
    for m in model.modules():
        if isinstance(m, nn.Linear) and not parametrize.is_parametrized(m, "weight"):
            groups.setdefault(feeds.get(m), []).append(m)
    n = 0
    for neuron, layers in groups.items():
        for m in layers:
            rows = XyloRows(layers if neuron is not None else [m], _Theta(neuron, m.weight.shape[0]))
            parametrize.register_parametrization(m, "weight", XyloWeight(rows, 2 ** (bits - 1) - 1))
            if m.bias is not None:
                parametrize.register_parametrization(m, "bias", XyloWeight(rows, MAX_THRESHOLD))
            n += 1
    return n
