"""Hardware-aware training: weights (and for Loihi biases and decays) fake-quantised to the target.

Straight-through estimator: the forward pass uses ``q(w)``, the backward pass treats ``q`` as
the identity, ``w_ste = w + (q(w) − w).detach()``.

    int8   symmetric per layer: s = max|w| / (2^(b−1) − 1),   q(w) = s·round(w / s)
    loihi  the Loihi grid of ``edgesnn.numerics.loihi`` (defined there once, and kept
           bit-exact by Lava's fixed-point quantiser), per layer feeding neurons of threshold θ:
             w ← θ·m·2^e,  m = clip(round(w / (θ·2^e)), ±(2^(b−1) − 1)),
                 e = max(−11, ⌈log2(max|w/θ| / (2^(b−1) − 1))⌉)
             b ← θ·k·2^(e−1),  k ∈ [−4096, 4095] (bias into v), [−127, 127] (into u: Synaptic)
             β ← 1 − round(4096·(1 − β))/4096,  α likewise (12-bit decays; snapped once at
                 ``apply``, and kept on the grid by the STE when learnt)
           θ is read live from the neuron the layer feeds (found by one probe forward pass),
           so a learnt threshold moves the grid with it; Lava's state scale is then
           ``V = 2^(1−e)`` and its ``vth = V`` (``grid.py``). Lapicque decays are not snapped.

After training, :func:`bake` leaves the quantised values in the tensors, so the exported
graph carries exactly the numbers the hardware will use.
"""

from __future__ import annotations

import weakref

import snntorch as snn
import torch
from torch import nn
from torch.nn.utils import parametrize

from ..numerics import loihi as grid
from .quant_xylo import apply_rows, apply_xylo

LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d)


# --------------------------------------------------------------------------- loihi grid


class _Theta:
    """Per-output-row threshold θ of the neuron a layer feeds (live; 1 when unknown).

    Holds the neuron through a weak reference: a module attribute would make the neuron a
    sub-module of the parametrization (a cycle in the module tree).
    """

    def __init__(self, neuron: nn.Module | None, rows: int):
        self.ref = weakref.ref(neuron) if neuron is not None else None
        self.rows = rows

    def __call__(self, like: torch.Tensor) -> torch.Tensor:
        neuron = self.ref() if self.ref is not None else None
        th = getattr(neuron, "threshold", None)
        if not isinstance(th, torch.Tensor):
            return torch.ones(self.rows, dtype=like.dtype, device=like.device)
        th = th.detach().to(like.dtype).reshape(-1)
        if th.numel() == 1:
            return th.expand(self.rows)
        if th.numel() % self.rows == 0:  # conv: per channel (Lava needs it uniform over positions)
            return th.reshape(self.rows, -1)[:, 0]
        return th.max().expand(self.rows)


def _rows(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return t.reshape(-1, *([1] * (like.dim() - 1)))


def weight_exponent(w: torch.Tensor, theta: torch.Tensor, bits: int = 8) -> int:
    """``e`` of ``w`` with rows normalised by ``theta`` (``grid.weight_exponent``); the same for
    the float weight and its grid value, so the bias grid can follow either."""
    return grid.weight_exponent(float((w.detach() / _rows(theta, w)).abs().max()), bits)


def loihi_weight(w: torch.Tensor, theta: torch.Tensor, bits: int = 8) -> tuple[torch.Tensor, int]:
    """``(θ·m·2^e, e)``: the grid value of ``w`` (rows normalised by ``theta``)."""
    th = _rows(theta, w)
    wn = w.detach() / th
    e = weight_exponent(w, theta, bits)
    top = grid.mant_max(bits)
    return torch.clamp(torch.round(wn / 2.0**e), -top, top) * 2.0**e * th, e


def loihi_bias(b: torch.Tensor, theta: torch.Tensor, e: int, into_u: bool) -> torch.Tensor:
    """``θ·k·2^(e−1)`` with the 13-bit (into v) or 8-bit (into u) range of ``k``."""
    lo, hi = (-grid.BIAS_U_MAX, grid.BIAS_U_MAX) if into_u else (-grid.BIAS_V_MAX - 1, grid.BIAS_V_MAX)
    step = 2.0 ** (e - 1) * theta
    return torch.clamp(torch.round(b.detach() / step), lo, hi) * step


class LoihiWeight(nn.Module):
    """Parametrization: weight onto the Loihi grid, straight-through gradient."""

    def __init__(self, theta: _Theta, bits: int):
        super().__init__()
        self.theta, self.bits = theta, bits

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        q, _ = loihi_weight(w, self.theta(w), self.bits)
        return w + (q - w).detach()


class LoihiBias(nn.Module):
    """Parametrization: bias onto half the layer's weight step (``grid.py``), straight-through."""

    def __init__(self, layer: nn.Module, theta: _Theta, bits: int, into_u: bool):
        super().__init__()
        self.layer, self.theta, self.bits, self.into_u = weakref.ref(layer), theta, bits, into_u

    def forward(self, b: torch.Tensor) -> torch.Tensor:
        layer = self.layer()
        # the exponent of the weight (float or quantised: the same e, see grid.detect_exponent)
        w = layer.parametrizations["weight"].original if parametrize.is_parametrized(layer, "weight") else layer.weight
        theta = self.theta(b)
        e = weight_exponent(w, theta, self.bits)
        return b + (loihi_bias(b, theta, e, self.into_u) - b).detach()


class SnapDecay(nn.Module):
    """Parametrization of a learnt β (or α) onto a decay grid, straight-through: ``snap(kind, x)``
    (default Lava's 12-bit grid, ``snapped``)."""

    def __init__(self, kind: str, snap=None):
        super().__init__()
        self.kind, self.snap = kind, snap or snapped

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + (self.snap(self.kind, x) - x).detach()


def snapped(kind: str, x: torch.Tensor) -> torch.Tensor:
    """``x`` (a β or an α) on Lava's 12-bit decay grid (``grid.snap_beta`` / ``snap_alpha``)."""
    snap = {"beta": grid.snap_beta, "alpha": grid.snap_alpha}[kind]
    return torch.as_tensor(snap(x.detach().cpu().numpy()), dtype=x.dtype, device=x.device)


def layer_neurons(model: nn.Module) -> dict[nn.Module, nn.Module]:
    """Linear/Conv → the snnTorch neuron it feeds, from the order of one probe forward pass.

    Each layer feeds the first neuron that *finishes* after it (conv → pool → neuron, the
    parts of a concatenation, and an RLeaky's recurrent Linear, which runs inside it).
    Empty when the model has no ``input_shape``.
    """
    from ..models.run import probe_forward

    order: list[nn.Module] = []
    if not probe_forward(model, 0.0, (*LAYERS, snn.SpikingNeuron), lambda mod, i, o: order.append(mod)):
        return {}
    feeds, pending = {}, []
    for m in order:
        if isinstance(m, snn.SpikingNeuron):
            feeds.update({layer: m for layer in pending})
            pending = []
        elif m not in feeds:
            pending.append(m)
    return feeds


def snap_decays(neuron: nn.Module, snap=None) -> None:
    """Snap β and α (Leaky, RLeaky, Synaptic) onto a decay grid — ``snap(kind, x)``, default Lava's
    12-bit ``snapped`` — learnt ones stay on it."""
    snap = snap or snapped
    if isinstance(neuron, snn.Lapicque):
        return
    for kind in ("beta", "alpha"):
        value = getattr(neuron, kind, None)
        if not isinstance(value, torch.Tensor) or parametrize.is_parametrized(neuron, kind):
            continue
        with torch.no_grad():
            value.copy_(snap(kind, value))
        if isinstance(value, nn.Parameter) and value.requires_grad:
            parametrize.register_parametrization(neuron, kind, SnapDecay(kind, snap))


def _apply_loihi(model: nn.Module, bits: int) -> int:
    feeds = layer_neurons(model)
    for m in model.modules():
        if isinstance(m, snn.SpikingNeuron):
            snap_decays(m)
    n = 0
    for m in model.modules():
        if not isinstance(m, LAYERS) or parametrize.is_parametrized(m, "weight"):
            continue
        neuron = feeds.get(m)
        theta = _Theta(neuron, m.weight.shape[0])
        parametrize.register_parametrization(m, "weight", LoihiWeight(theta, bits))
        if m.bias is not None:
            into_u = isinstance(neuron, snn.Synaptic)
            parametrize.register_parametrization(m, "bias", LoihiBias(m, theta, bits, into_u))
        n += 1
    return n


def apply_int8(model: nn.Module, bits: int, spike_input: bool = True) -> int:
    """The grid of integer int8 artifacts (``numerics/integer.py``): every weight and bias into a
    neuron on one step per neuron that makes its threshold an integer (``quant_xylo.apply_rows``),
    decays on 12 bits; a layer fed by real-valued input sees it as int8 codes (scale 1/127)."""
    from ..numerics.integer import INPUT_LEVELS

    factor = 1.0 if spike_input else 1.0 / INPUT_LEVELS
    return apply_rows(model, bits, snapped, LAYERS, 2**31 - 1, factor)


#: ``edgesnn.numerics.SCHEMES`` name -> how training fake-quantises to that grid
FAKE_QUANTIZERS = {"int8": apply_int8, "loihi": _apply_loihi, "xylo": apply_xylo}


def apply(model: nn.Module, bits: int, scheme: str, spike_input: bool = True) -> int:
    """Register fake quantisation on every Linear/Conv weight; returns how many layers.

    ``scheme`` "int8": the integer row grid (``apply_int8``); "loihi": the Loihi grid (weights,
    biases, decays); "xylo": Xylo's row grid. ``spike_input``: the model's input is spikes.
    """
    if scheme == "none" or bits >= 32:
        return 0
    if scheme == "int8":
        return apply_int8(model, int(bits), spike_input)
    return FAKE_QUANTIZERS[scheme](model, int(bits))


def bake(model: nn.Module) -> None:
    """Replace parametrized tensors by their quantised values (plain tensors again).

    Every value is computed before any parametrization is removed: a grid that depends on
    several tensors (a bias on its weight's exponent, a Xylo row on all the weights into a
    neuron) is read from the trained values, never from a half-baked model.
    """
    names = ("bias", "weight", "beta", "alpha")
    with torch.no_grad():
        values = [
            (m, name, getattr(m, name).detach().clone())
            for name in names
            for m in model.modules()
            if parametrize.is_parametrized(m, name)
        ]
    for m, name, value in values:
        parametrize.remove_parametrizations(m, name, leave_parametrized=False)
        with torch.no_grad():
            getattr(m, name).copy_(value)


def on_grid_report(model: nn.Module, bits: int = 8) -> dict[str, bool]:
    """Per layer/neuron: are weights, biases and decays on the Loihi grid (after ``bake``)?"""
    feeds = layer_neurons(model)
    out = {}
    for name, m in model.named_modules():
        if isinstance(m, LAYERS):
            theta = _Theta(feeds.get(m), m.weight.shape[0])(m.weight)
            q, e = loihi_weight(m.weight, theta, bits)
            ok = torch.equal(q, m.weight.detach())
            if m.bias is not None:
                ok = ok and torch.equal(
                    loihi_bias(m.bias, theta, e, isinstance(feeds.get(m), snn.Synaptic)), m.bias.detach()
                )
            out[name] = ok
        elif isinstance(m, snn.SpikingNeuron) and not isinstance(m, snn.Lapicque):
            vals = [(k, getattr(m, k)) for k in ("beta", "alpha") if isinstance(getattr(m, k, None), torch.Tensor)]
            out[name] = all(torch.equal(snapped(k, v), v.detach()) for k, v in vals)
    return out
