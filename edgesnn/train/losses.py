"""Loss functions on output spikes ``[T, B, C·population]`` (snnTorch's own implementations).

    ce_count   cross-entropy of the spike counts per class (softmax over Σ_t s)
    ce_rate    cross-entropy at every step, averaged over T
    mse_count  squared error of spike counts against targets correct_rate·T / incorrect_rate·T
"""

from __future__ import annotations

from collections.abc import Callable

import snntorch.functional as SF
import torch

from ..errors import unknown_name

LOSSES: dict[str, Callable[[dict, int], Callable]] = {
    "ce_count": lambda hp, c: SF.ce_count_loss(population_code=hp["population"] > 1, num_classes=c),
    "ce_rate": lambda hp, c: SF.ce_rate_loss(population_code=hp["population"] > 1, num_classes=c),
    "mse_count": lambda hp, c: SF.mse_count_loss(
        correct_rate=float(hp["correct_rate"]), incorrect_rate=float(hp["incorrect_rate"]),
        population_code=hp["population"] > 1, num_classes=c),
}


def make_loss(hp: dict, n_classes: int) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    if hp["loss"] not in LOSSES:
        raise unknown_name("loss", hp["loss"], LOSSES)
    return LOSSES[hp["loss"]](hp, n_classes)
