"""Spiking neurons (snnTorch) and their ANN-twin stand-in, built from hyper-parameters.

Every neuron gets per-neuron ``beta`` and ``threshold`` tensors of the layer's feature shape
(NIR needs per-neuron parameters). Reset happens in the same step as the spike
(``reset_delay=False``), the convention NIR and every edgesnn runtime use:

    Leaky / RLeaky   v[t] = β·v[t-1] + I[t] (+ V·s[t-1]);  s[t] = H(v[t] − θ);  reset
    Lapicque         v[t] = (1−k)·v[t-1] + k·R·I[t],  k = dt/(R·C) = ln(1/β)  (R = 1)
    Synaptic         i[t] = α·i[t-1] + I[t];  v[t] = β·v[t-1] + i[t]

reset "zero": v ← 0 where s = 1; "subtract": v ← v − θ·s.
"""

from __future__ import annotations

import snntorch as snn
import torch
from snntorch import surrogate
from torch import nn

from ..errors import unknown_name

NEURONS = ("leaky", "lapicque", "synaptic", "rleaky")
SURROGATES = {
    "fast_sigmoid": lambda slope: surrogate.fast_sigmoid(slope=slope),
    "atan": lambda slope: surrogate.atan(alpha=slope),
    "sigmoid": lambda slope: surrogate.sigmoid(slope=slope),
}


class Lapicque(snn.Lapicque):
    """snnTorch's Lapicque with the same-step reset every edgesnn runtime uses.

    snnTorch's Lapicque has no ``reset_delay`` switch: it zeroes the membrane one step after a
    spike, discarding that step's input. Here the reset follows the spike in the same step
    (as ``Leaky(reset_delay=False)``), so the neuron is exactly NIR's LIF:
    v ← (1−k)·v + k·R·I, s = H(v − θ), then v ← 0 (zero) or v − θ·s (subtract).
    """

    def forward(self, input_):
        if self.mem.shape != input_.shape:
            self.mem = torch.zeros_like(input_)
        mem = self._base_state_function(input_)
        spk = self.fire(mem)
        reset = spk.detach()
        if self.reset_mechanism_val == 0:
            mem = mem - reset * self.threshold
        elif self.reset_mechanism_val == 1:
            mem = mem * (1 - reset)
        self.mem = mem
        return spk


def _full(shape: tuple[int, ...], value: float) -> torch.Tensor:
    return torch.full(shape, float(value), dtype=torch.float32)


def make_neuron(hp: dict, shape: tuple[int, ...], *, recurrent: bool = False) -> nn.Module:
    """An snnTorch neuron for a layer whose output has feature shape ``shape``.

    ``hp`` keys: neuron, beta, alpha, threshold, surrogate, slope, reset, learn_beta,
    learn_threshold. ``recurrent`` layers use RLeaky with an all-to-all recurrent Linear.
    """
    kind = "rleaky" if recurrent else hp["neuron"]
    if hp["surrogate"] not in SURROGATES:
        raise unknown_name("surrogate", hp["surrogate"], SURROGATES)
    common = dict(
        threshold=_full(shape, hp["threshold"]),
        spike_grad=SURROGATES[hp["surrogate"]](hp["slope"]),
        init_hidden=True,
        learn_beta=hp["learn_beta"],
        learn_threshold=hp["learn_threshold"],
        reset_mechanism=hp["reset"],
    )
    beta = _full(shape, hp["beta"])
    if kind == "leaky":
        neuron = snn.Leaky(beta=beta, reset_delay=False, **common)
        neuron._edgesnn_surrogate = (hp["surrogate"], float(hp["slope"]))  # for the fused kernel (multistep.py)
        return neuron
    if kind == "lapicque":
        # snnTorch's Lapicque takes a scalar beta and derives R = 1, C = dt / (R·ln(1/β));
        # per-neuron R and C buffers are set afterwards (NIR needs per-neuron parameters).
        common.pop("learn_beta")
        neuron = Lapicque(beta=float(hp["beta"]), **common)
        neuron.R = torch.ones(shape)
        neuron.C = neuron.C * torch.ones(shape)
        return neuron
    if kind == "synaptic":
        return snn.Synaptic(alpha=_full(shape, hp["alpha"]), beta=beta, reset_delay=False, **common)
    if kind == "rleaky":
        if len(shape) != 1:  # a conv layer's feature map [C, *spatial]
            return _conv_rleaky(beta, shape, common)
        neuron = snn.RLeaky(beta=beta, linear_features=shape[0], all_to_all=True, reset_delay=False, **common)
        # no recurrent bias: a constant bias belongs to the feed-forward input (NIR's cycle edge
        # delivers the previous step's value, so a bias inside the loop would miss step 0)
        neuron.recurrent = nn.Linear(shape[0], shape[0], bias=False)
        neuron._edgesnn_surrogate = (hp["surrogate"], float(hp["slope"]))  # for the fused kernel (multistep.py)
        return neuron
    raise unknown_name("neuron", kind, NEURONS)


def _conv_rleaky(beta: torch.Tensor, shape: tuple[int, ...], common: dict) -> nn.Module:
    """RLeaky on a conv feature map ``[C, *spatial]``: snnTorch's one-to-one recurrence
    (``all_to_all=False``) with one learned weight per channel, ``V`` of shape ``[C, 1, ...]``:

        v[t] = β·v[t−1] + I[t] + V_c·s[t−1]      (each neuron feeds back its own last spike)

    snnTorch's all-to-all conv recurrence exists only for 2-D maps (``conv2d_channels``), and a
    1-D CNN has none; the per-channel self-recurrence works for both. V starts at 0 (the neuron
    is a Leaky one until training says otherwise, so ANN→SNN transfer is unaffected). NIR
    writes it as a cycle through a per-neuron ``Scale`` node (``nir_nodes.rleaky``)."""
    V = torch.zeros((shape[0],) + (1,) * (len(shape) - 1))
    neuron = snn.RLeaky(beta=beta, V=V, all_to_all=False, reset_delay=False, **common)
    return neuron


class RecurrentReLU(nn.ReLU):
    """The ANN twin of an RLeaky layer: an Elman cell ``h[t] = ReLU(I[t] + V·h[t−1])``, ``h[−1] = 0``.

    ``recurrent`` (V, no bias) has the RLeaky's name and shape, so weights transfer by name.
    One call is one step; ``reset()`` (called by ``run_ann``) zeroes the state, so a single call
    on a static input is a plain ReLU.
    """

    def __init__(self, width: int):
        super().__init__()
        self.recurrent = nn.Linear(width, width, bias=False)
        self.state: torch.Tensor | None = None

    def reset(self) -> None:
        self.state = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.state is not None and self.state.shape == x.shape:
            x = x + self.recurrent(self.state)
        self.state = super().forward(x)
        return self.state


def make_activation(hp: dict, shape: tuple[int, ...], *, recurrent: bool = False, ann: bool = False) -> nn.Module:
    """The layer non-linearity: a spiking neuron, or ReLU (an Elman ReLU cell if recurrent) for the ANN twin."""
    if ann:
        return RecurrentReLU(shape[0]) if recurrent else nn.ReLU()
    return make_neuron(hp, shape, recurrent=recurrent)


def spiking_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """(name, module) of every snnTorch neuron in ``model``, in definition order."""
    return [(n, m) for n, m in model.named_modules() if isinstance(m, snn.SpikingNeuron)]
