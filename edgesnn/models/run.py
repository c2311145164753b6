"""Run a zoo model (or any module of snnTorch neurons with ``init_hidden=True``) over time."""

from __future__ import annotations

import snntorch as snn
import torch
from torch import nn


def reset_states(model: nn.Module) -> None:
    """Zero (and detach) every neuron state of ``model`` — only this model's neurons, unlike
    ``snntorch.utils.reset``, which resets class-wide instance lists."""
    for m in model.modules():
        if isinstance(m, snn.SpikingNeuron) and hasattr(m, "reset_mem"):
            m.reset_mem()


def run_snn(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Output spikes ``[T, B, n_out]`` for input ``[T, B, *features]``; states start at zero."""
    reset_states(model)
    return torch.stack([model(x[t]) for t in range(x.shape[0])])


def class_counts(spikes: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Spike counts per class ``[B, C]`` from output spikes ``[T, B, C·pop]`` (population summed)."""
    counts = spikes.sum(0)
    return counts.reshape(counts.shape[0], n_classes, -1).sum(-1)


def predict(spikes: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Predicted class: most spikes; ties go to the lowest class index (numpy/torch argmax)."""
    return class_counts(spikes, n_classes).argmax(-1)
