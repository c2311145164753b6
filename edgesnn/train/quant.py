"""Hardware-aware training: weights fake-quantised to the target's precision.

Straight-through estimator: the forward pass uses ``q(w)``, the backward pass treats ``q`` as
the identity, ``w_ste = w + (q(w) − w).detach()``.

    int8   symmetric per layer: s = max|w| / (2^(b−1) − 1),   q(w) = s·round(w / s)
    loihi  Loihi's mantissa + shared exponent: s = 2^⌈log2(max|w| / (2^(b−1) − 1))⌉,
           so every weight is an integer mantissa of b bits times a power of two.

After training, :func:`bake` leaves the quantised values in the weights, so the exported
graph carries exactly the numbers the hardware will use.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize


def quant_scale(w: torch.Tensor, bits: int, power_of_two: bool) -> torch.Tensor:
    top = w.detach().abs().max().clamp_min(1e-12)
    scale = top / (2 ** (bits - 1) - 1)
    if power_of_two:
        scale = torch.pow(2.0, torch.ceil(torch.log2(scale)))
    return scale


def quantize(w: torch.Tensor, bits: int, power_of_two: bool) -> torch.Tensor:
    scale = quant_scale(w, bits, power_of_two)
    limit = 2 ** (bits - 1) - 1
    return torch.clamp(torch.round(w / scale), -limit - 1, limit) * scale


class FakeQuant(nn.Module):
    """A parametrization ``w ↦ w + (q(w) − w).detach()``."""

    def __init__(self, bits: int, power_of_two: bool):
        super().__init__()
        self.bits, self.power_of_two = bits, power_of_two

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        return w + (quantize(w, self.bits, self.power_of_two) - w).detach()


def apply(model: nn.Module, bits: int, scheme: str) -> int:
    """Register fake quantisation on every Linear/Conv weight; returns how many layers."""
    if scheme == "none" or bits >= 32:
        return 0
    n = 0
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d)) and not parametrize.is_parametrized(m, "weight"):
            parametrize.register_parametrization(m, "weight", FakeQuant(bits, power_of_two=scheme == "loihi"))
            n += 1
    return n


def bake(model: nn.Module) -> None:
    """Replace parametrized weights by their quantised values (plain tensors again)."""
    for m in model.modules():
        if parametrize.is_parametrized(m, "weight"):
            parametrize.remove_parametrizations(m, "weight", leave_parametrized=True)

