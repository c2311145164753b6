"""Run a zoo model (or any module of snnTorch neurons with ``init_hidden=True``) over time."""

from __future__ import annotations

import threading

import snntorch as snn
import torch
from torch import nn
from torch.nn.utils import parametrize


def reset_states(model: nn.Module) -> None:
    """Zero (and detach) every neuron state of ``model`` — only this model's neurons, unlike
    ``snntorch.utils.reset``, which resets class-wide instance lists."""
    for m in model.modules():
        if isinstance(m, snn.SpikingNeuron) and hasattr(m, "reset_mem"):
            m.reset_mem()


# torch's parametrization cache is process-wide (a counter and one dict): one cached run at a
# time, so a run in another thread (tune runs trials in threads) never reads another's stale weights
_CACHED_RUN = threading.RLock()


Inputs = torch.Tensor | dict[str, torch.Tensor]


def frames(x: Inputs) -> list:
    """The per-step inputs of ``[T, B, ...]`` (a dict of them for a multi-input model)."""
    if isinstance(x, dict):
        return [dict(zip(x, parts)) for parts in zip(*(v.unbind(0) for v in x.values()))]
    return list(x.unbind(0))


def take(x: Inputs, index, axis: int = 1) -> Inputs:
    """Samples ``index`` of ``x`` along ``axis`` (1: time-major ``[T, B, ...]``; 0: ``[B, ...]``)."""
    if isinstance(x, dict):
        return {k: take(v, index, axis) for k, v in x.items()}
    return x[:, index] if axis == 1 else x[index]


def n_samples(x: Inputs, axis: int = 1) -> int:
    return next(iter(x.values())).shape[axis] if isinstance(x, dict) else x.shape[axis]


def _steps(model: nn.Module, x: Inputs, folded: bool) -> torch.Tensor:
    if folded:
        from .multistep import run_folded

        return run_folded(model, x)
    return torch.stack([model(x_t) for x_t in frames(x)])


def run_snn(model: nn.Module, x: Inputs, *, folded: bool | None = None) -> torch.Tensor:
    """Output spikes ``[T, B, n_out]`` for input ``[T, B, *features]``; states start at zero.

    ``folded`` (default: whenever the model allows it, ``multistep.foldable``): every layer
    processes all T steps at once and Leaky neurons run fused (``multistep.py``; the same
    spikes as the step-by-step run, ``folded=False``). The weights are fixed for the whole
    run, so parametrized tensors (quantisation-aware training) are computed once per call,
    not at every step (``parametrize.cached``: the same values, and one autograd node whose
    gradient sums the steps')."""
    from .multistep import foldable

    folded = foldable(model) if folded is None else folded
    reset_states(model)
    if not any(parametrize.is_parametrized(m) for m in model.modules()):
        return _steps(model, x, folded)
    with _CACHED_RUN, parametrize.cached():
        return _steps(model, x, folded)


def is_sequence(model: nn.Module, x: Inputs) -> bool:
    """True when ``x`` is time-major ``[T, B, *in]`` for ``model`` (False: one step ``[B, *in]``)."""
    if isinstance(x, dict):
        name, v = next(iter(x.items()))
        return v.dim() == len(model.input_shapes[name]) + 2
    return x.dim() == len(model.input_shape) + 2


def run_ann(model: nn.Module, x: torch.Tensor, *, per_step: bool = False) -> torch.Tensor:
    """Logits ``[B, C]`` of an ANN twin: one pass on a static input ``[B, *in]``, or one pass
    per frame of a sequence ``[T, B, *in]`` (recurrent states carried) with the logits averaged
    over the frames, ``z = (1/T)·Σ_t f(x_t)`` — the rate the SNN's spike count estimates.
    ``per_step=True`` returns ``[T, B, C]`` instead of the mean."""
    for m in model.modules():
        if hasattr(m, "reset") and isinstance(m, nn.ReLU):
            m.reset()
    if not is_sequence(model, x):
        out = model(x)
        return out[None] if per_step else out
    steps = torch.stack([model(x_t) for x_t in frames(x)])
    return steps if per_step else steps.mean(0)


def probe_forward(model: nn.Module, value: float, layer_types: tuple, hook) -> bool:
    """One forward pass of a batch-1 input filled with ``value`` (every named input of a
    multimodal model), in eval mode with states reset before and after, ``hook`` registered as a
    forward hook on every module of ``layer_types`` meanwhile. False (nothing run) when the model
    declares no ``input_shape(s)``."""
    shapes = getattr(model, "input_shapes", None)
    shape = None if shapes else getattr(model, "input_shape", None)
    if not shape and not shapes:
        return False
    probe = {k: torch.full((1, *v), value) for k, v in shapes.items()} if shapes else torch.full((1, *shape), value)
    hooks = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, layer_types)]
    was_training = model.training
    model.eval()
    try:
        reset_states(model)
        with torch.no_grad():
            model(probe)
    finally:
        for h in hooks:
            h.remove()
        reset_states(model)
        model.train(was_training)
    return True
