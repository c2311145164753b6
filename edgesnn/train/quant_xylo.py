"""Training on Xylo IMU's grid (``numerics.quantize: xylo``), straight-through.

Decays β and α are snapped onto ``1 − 2^−dash`` (``edgesnn.numerics.xylo``), and every
Linear weight is fake-quantised to 8 bits per output row (each Xylo neuron has its own scale
λ: ``s_row = max|w_row| / 127``, ``ŵ = s_row · clip(round(w / s_row), ±127)``), so the
exported integers differ from the trained weights only by the joint scaling of a hidden
neuron's input and recurrent rows.
"""

from __future__ import annotations

import snntorch as snn
import torch
from torch import nn
from torch.nn.utils import parametrize

from ..numerics import levels
from ..numerics.xylo import snap_keep


class RowFakeQuant(nn.Module):
    """``w ↦ w + (q(w) − w).detach()`` with one symmetric scale per output row."""

    def __init__(self, bits: int):
        super().__init__()
        self.bits = bits

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        limit = levels(self.bits)
        rows = w.detach().reshape(w.shape[0], -1).abs().amax(dim=1).clamp_min(1e-12) / limit
        scale = rows.reshape(-1, *([1] * (w.dim() - 1)))
        q = torch.clamp(torch.round(w / scale), -limit, limit) * scale
        return w + (q - w).detach()


def snapped_keep(kind: str, x: torch.Tensor) -> torch.Tensor:
    """A β or an α on ``1 − 2^−dash`` (the same grid for both)."""
    return torch.as_tensor(snap_keep(x.detach().cpu().numpy()), dtype=x.dtype, device=x.device)


def apply_xylo(model: nn.Module, bits: int) -> int:
    """Register the Xylo grid on ``model``; returns how many weight layers were quantised."""
    from .quant import snap_decays  # (quant imports this module for its registry)

    for m in model.modules():
        if isinstance(m, snn.SpikingNeuron):
            snap_decays(m, snapped_keep)
    n = 0
    for m in model.modules():
        if isinstance(m, nn.Linear) and not parametrize.is_parametrized(m, "weight"):
            parametrize.register_parametrization(m, "weight", RowFakeQuant(bits))
            n += 1
    return n
