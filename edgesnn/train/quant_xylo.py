"""Training on a per-neuron row grid, straight-through: Xylo IMU's (``numerics.quantize: xylo``)
and that of integer int8 artifacts (``int8``, ``apply_rows`` with 12-bit decays and the
network input as int8 codes; ``numerics/integer.py``). Xylo's, in detail:

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
    it follows the weights and a learnt threshold. Holds the layers by weak reference.
    ``factors[m]``: the scale of layer m's input values (1 for spikes; 1/127 for real input
    quantised to int8 codes), which multiplies its weights in the neuron's units."""

    def __init__(self, layers: list[nn.Module], theta, factors: dict | None = None):
        self.layers = [weakref.ref(m) for m in layers]
        self.theta = theta
        self.factors = [(factors or {}).get(m, 1.0) for m in layers]

    def step(self, like: torch.Tensor) -> torch.Tensor:
        peak = torch.stack(
            [_raw(ref()).reshape(like.shape[0], -1).abs().amax(dim=1) * f for ref, f in zip(self.layers, self.factors)]
        )
        peak = peak.amax(dim=0).to(like.dtype)
        theta = self.theta(like)
        k = torch.clamp(torch.floor(MAX_WEIGHT * theta / peak.clamp_min(1e-12)), 1, MAX_THRESHOLD)
        return theta / k


class XyloWeight(nn.Module):
    """Parametrization: a weight onto its neurons' Xylo step, straight-through."""

    def __init__(self, rows: XyloRows, limit: int, factor: float = 1.0):
        super().__init__()
        self.rows, self.limit, self.factor = rows, limit, factor

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        s = (self.rows.step(w) / self.factor).reshape(-1, *([1] * (w.dim() - 1)))
        q = torch.clamp(torch.round(w.detach() / s), -self.limit, self.limit) * s
        return w + (q - w).detach()


def apply_xylo(model: nn.Module, bits: int) -> int:
    """Register the Xylo grid on ``model``; returns how many weight layers were quantised."""
    return apply_rows(model, bits, snapped_keep, (nn.Linear,), MAX_THRESHOLD)


def apply_rows(model: nn.Module, bits: int, snap, layer_types, bias_limit: int, input_factor: float = 1.0) -> int:
    """The per-neuron row grid on every ``layer_types`` layer (decays snapped by ``snap``): the
    grid of Xylo (``apply_xylo``) and of integer int8 artifacts (``quant.apply_int8``).
    ``input_factor``: the scale of the network input's values for the layers it feeds."""
    from .quant import _Theta, layer_neurons, snap_decays  # (quant imports this module for its registry)

    for m in model.modules():
        if isinstance(m, snn.SpikingNeuron):
            snap_decays(m, snap)
    feeds = layer_neurons(model)
    factors = {m: input_factor for m in input_fed(model, layer_types)} if input_factor != 1.0 else {}
    groups: dict[nn.Module | None, list[nn.Module]] = {}
    for m in model.modules():
        if isinstance(m, layer_types) and not parametrize.is_parametrized(m, "weight"):
            groups.setdefault(feeds.get(m), []).append(m)
    n = 0
    for neuron, layers in groups.items():
        for m in layers:
            rows = XyloRows(layers if neuron is not None else [m], _Theta(neuron, m.weight.shape[0]), factors)
            parametrize.register_parametrization(
                m, "weight", XyloWeight(rows, 2 ** (bits - 1) - 1, factors.get(m, 1.0))
            )
            if m.bias is not None:
                parametrize.register_parametrization(m, "bias", XyloWeight(rows, bias_limit))
            n += 1
    return n


def input_fed(model: nn.Module, layer_types) -> list[nn.Module]:
    """The layers that read the network input itself (a probe of 0.37 everywhere reaches them unchanged)."""
    from ..models.run import probe_forward

    found: list[nn.Module] = []

    def hook(mod, inputs, output):
        x = inputs[0] if inputs else None
        if isinstance(x, torch.Tensor) and x.numel() and bool(torch.any(torch.abs(x - 0.37) < 1e-6)):
            found.append(mod)

    probe_forward(model, 0.37, layer_types, hook)
    return list(dict.fromkeys(found))
