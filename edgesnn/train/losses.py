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


def _ce_rate_population(n_classes: int) -> Callable:
    """ce_rate for population codes: CE of per-class spike sums at every step, averaged over T.
    (snnTorch 1.0.0's ce_rate_loss(population_code=True) fails without class weights.)"""

    def loss(spk: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        T, B = spk.shape[:2]
        logits = spk.reshape(T, B, n_classes, -1).sum(-1)
        return torch.nn.functional.cross_entropy(logits.reshape(T * B, n_classes), y.repeat(T))

    return loss


LOSSES: dict[str, Callable[[dict, int], Callable]] = {
    "ce_count": lambda hp, c: SF.ce_count_loss(population_code=hp["population"] > 1, num_classes=c),
    "ce_rate": lambda hp, c: _ce_rate_population(c) if hp["population"] > 1 else SF.ce_rate_loss(),
    "mse_count": lambda hp, c: SF.mse_count_loss(
        correct_rate=float(hp["correct_rate"]),
        incorrect_rate=float(hp["incorrect_rate"]),
        population_code=hp["population"] > 1,
        num_classes=c,
    ),
}


def make_loss(hp: dict, n_classes: int) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    if hp["loss"] not in LOSSES:
        raise unknown_name("loss", hp["loss"], LOSSES)
    return LOSSES[hp["loss"]](hp, n_classes)
