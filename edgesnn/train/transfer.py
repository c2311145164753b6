"""ANN → SNN weight transfer with data-based threshold balancing.

The ANN twin has the SNN's weight shapes, so its Linear/Conv weights copy over by name. Each
spiking layer ℓ then gets the threshold ``θ_ℓ = λ_ℓ / λ_{ℓ−1}`` where ``λ_ℓ`` is the 99.9th
percentile of the twin's ReLU activations of layer ℓ on training data (λ_0 = 1 for inputs in
[0, 1]): a rate-coded neuron then fires at roughly its ReLU activation divided by λ (Diehl et
al. 2015, Rueckauer et al. 2017). With leak and reset-to-zero the match is approximate — the
accuracy drop is measured, not assumed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..models.neurons import spiking_layers
from ..models.run import run_ann


@torch.no_grad()
def transfer(ann: nn.Module, snn_model: nn.Module, x: torch.Tensor, percentile: float = 99.9) -> dict[str, float]:
    """Copy the twin's weights into ``snn_model`` and balance thresholds; returns θ per layer.

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
        theta = lam / prev
        neuron.threshold = torch.full_like(neuron.threshold, theta)
        thresholds[name], prev = theta, lam
    return thresholds
