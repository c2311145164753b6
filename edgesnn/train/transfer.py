"""ANN → SNN weight transfer with data-based threshold balancing.

The ANN twin has the SNN's weight shapes, so its Linear/Conv weights copy over by name. Let
``λ_ℓ`` be the 99.9th percentile of the twin's ReLU activations of layer ℓ on training data
(λ_0 = 1 for inputs in [0, 1]). Rate coding maps activation ``a_ℓ`` to the spike rate
``r_ℓ ≈ a_ℓ / λ_ℓ``, so layer ℓ receives the current ``I_ℓ = W_ℓ·r_{ℓ−1} + b ≈ z_ℓ / λ_{ℓ−1}``
per step (``z_ℓ`` the twin's pre-activation; biases are copied unscaled, exact only where λ_{ℓ−1} = 1).

A neuron whose membrane gains ``g·I`` charge per step fires at ``r ≈ g·I / θ`` (reset by
subtraction, leak neglected), so ``r_ℓ = z_ℓ / λ_ℓ`` needs

    θ_ℓ = g_ℓ · λ_ℓ / λ_{ℓ−1}                          (Diehl et al. 2015, Rueckauer et al. 2017)

where ``g`` is the neuron's DC *input gain*, the charge its membrane gets per step from a
constant input ``I`` once its internal state has settled (``input_gain``):

    Leaky     v ← β·v + I                              g = 1
    RLeaky    v ← β·v + I + V·s                        g = 1   (V·s is the twin's recurrence)
    Lapicque  v ← (1 − k)·v + k·R·I,  k = dt/(R·C)     g = k·R = dt/C   (= ln(1/β) for R = 1)
    Synaptic  i ← α·i + I;  v ← β·v + i                g = Σ αⁿ = 1/(1 − α)   (i → I/(1 − α))

Ignoring ``g`` is harmless for Leaky/RLeaky but not for the others: a Lapicque neuron with
β = 0.85 gets only k = 0.16 of the current, and worse, its membrane settles at ``v∞ = R·I``
(the leak 1 − k balances the gain k), so with θ = λ_ℓ/λ_{ℓ−1} ≥ I for 99.9 % of inputs it
almost never reaches threshold and the network is silent. With θ scaled by ``g`` it behaves
like a Leaky neuron with β' = 1 − k ≈ β. A Synaptic neuron otherwise gets 1/(1 − α) times too
much charge (over-driven, rates saturate). With leak, reset-to-zero (which for Synaptic also
zeroes ``i``) and the transient of ``i``, the match stays approximate — the accuracy drop is
measured, not assumed. ``g`` is per neuron when R, C or α are.
"""

from __future__ import annotations

import numpy as np
import snntorch as snn
import torch
from torch import nn

from ..models.neurons import spiking_layers
from ..models.run import run_ann


def input_gain(neuron: nn.Module) -> torch.Tensor:
    """The charge per step a constant unit input adds to ``neuron``'s membrane in steady state
    (see the module docstring): 1 for Leaky/RLeaky, dt/C for Lapicque, 1/(1 − α) for Synaptic."""
    if isinstance(neuron, snn.Lapicque):  # input · R · dt/(R·C)
        return (neuron.time_step / neuron.C).detach().float()
    if isinstance(neuron, snn.Synaptic):  # snnTorch clamps α to [0, 1]; α = 1 would be a pure integrator
        return 1.0 / (1.0 - neuron.alpha.detach().float().clamp(0.0, 0.999))
    if isinstance(neuron, (snn.Leaky, snn.RLeaky)):
        return torch.ones(())
    raise TypeError(f"ANN→SNN transfer: no input gain known for {type(neuron).__name__}")


@torch.no_grad()
def transfer(ann: nn.Module, snn_model: nn.Module, x: torch.Tensor, percentile: float = 99.9) -> dict[str, float]:
    """Copy the twin's weights into ``snn_model`` and balance thresholds ``θ_ℓ = g_ℓ·λ_ℓ/λ_{ℓ−1}``
    (``g_ℓ`` from ``input_gain``); returns the mean θ per layer.

    ``x``: training inputs ``[N, *in]``, or a sequence ``[T, N, *in]`` (activations of every step)."""
    weights = {k: v for k, v in ann.state_dict().items() if k.endswith(("weight", "bias"))}
    snn_model.load_state_dict(weights, strict=False)
    relus = [m for m in ann.modules() if isinstance(m, nn.ReLU)]
    acts: dict[nn.Module, list[torch.Tensor]] = {r: [] for r in relus}  # every step of a sequence
    hooks = [r.register_forward_hook(lambda m, i, o: acts[m].append(o.detach())) for r in relus]
    ann.eval()
    logits = run_ann(ann, x, per_step=True)
    for h in hooks:
        h.remove()
    lambdas = [max(float(np.percentile(torch.cat(acts[r]).numpy(), percentile)), 1e-3) for r in relus if acts[r]]
    lambdas.append(max(float(np.percentile(logits.numpy(), percentile)), 1e-3))
    thresholds, prev = {}, 1.0
    for (name, neuron), lam in zip(spiking_layers(snn_model), lambdas):
        theta = input_gain(neuron) * (lam / prev)
        neuron.threshold = torch.broadcast_to(theta, neuron.threshold.shape).to(neuron.threshold).clone()
        thresholds[name], prev = float(neuron.threshold.mean()), lam
    return thresholds
