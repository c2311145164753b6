"""One torch module → one NIR node: the neuron and layer mappings of ``edgesnn.models.to_nir``
(the maths is in that module's docstring)."""

from __future__ import annotations

from collections.abc import Callable

import nir
import numpy as np
import snntorch as snn
import torch
from torch import nn

from ..errors import UnsupportedPrimitiveError, UsageError
from .blocks import SumPool1d, SumPool2d
from .neurons import Lapicque

RESET_MODES = {0: "subtract", 1: "zero", 2: "none"}


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().astype(np.float32)


def _per_neuron(value: torch.Tensor | float, shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(_np(torch.as_tensor(value, dtype=torch.float32)), shape).copy()


class _Converter:
    """Holds dt and the shapes seen by a probe forward pass; maps one module to one NIR node."""

    def __init__(self, model: nn.Module, example: torch.Tensor | dict[str, torch.Tensor], dt: float):
        self.dt, self.shapes, self.resets = dt, {}, set()
        hooks = [m.register_forward_hook(self._hook) for m in model.modules()]
        try:
            from .run import reset_states

            reset_states(model)
            with torch.no_grad():
                model(example)
        finally:
            for h in hooks:
                h.remove()

    def _hook(self, module, inputs, output):
        out = output[0] if isinstance(output, tuple) else output
        if not (inputs and isinstance(inputs[0], torch.Tensor) and isinstance(out, torch.Tensor)):
            return
        self.shapes[module] = (tuple(inputs[0].shape[1:]), tuple(out.shape[1:]))

    # -- weights ---------------------------------------------------------------------------
    def linear(self, m: nn.Linear) -> nir.NIRNode:
        if m.bias is None:
            return nir.Linear(weight=_np(m.weight))
        return nir.Affine(weight=_np(m.weight), bias=_np(m.bias))

    def conv(self, m: nn.Conv1d | nn.Conv2d) -> nir.NIRNode:
        if isinstance(m.padding, str):
            raise UsageError(f"conv padding '{m.padding}': give explicit integer padding for export")
        bias = _np(m.bias) if m.bias is not None else np.zeros(m.out_channels, np.float32)
        in_shape = self.shapes[m][0]
        if isinstance(m, nn.Conv1d):
            return nir.Conv1d(
                input_shape=in_shape[-1],
                weight=_np(m.weight),
                stride=m.stride[0],
                padding=m.padding[0],
                dilation=m.dilation[0],
                groups=m.groups,
                bias=bias,
            )
        return nir.Conv2d(
            input_shape=tuple(in_shape[-2:]),
            weight=_np(m.weight),
            stride=tuple(m.stride),
            padding=tuple(m.padding),
            dilation=tuple(m.dilation),
            groups=m.groups,
            bias=bias,
        )

    def pool2d(self, m: nn.AvgPool2d) -> nir.NIRNode:
        pair = lambda v: np.array(v if isinstance(v, tuple) else (v, v))  # noqa: E731
        cls = nir.SumPool2d if isinstance(m, SumPool2d) else nir.AvgPool2d
        return cls(kernel_size=pair(m.kernel_size), stride=pair(m.stride), padding=pair(m.padding))

    def pool1d(self, m: nn.AvgPool1d) -> nir.NIRNode:
        """NIR has no 1-D pooling: a depthwise Conv1d with a fixed kernel (1/k for avg, 1 for sum)."""
        channels, k = self.shapes[m][0][0], m.kernel_size[0]
        value = 1.0 if isinstance(m, SumPool1d) else 1.0 / k
        node = nir.Conv1d(
            input_shape=self.shapes[m][0][-1],
            weight=np.full((channels, 1, k), value, np.float32),
            stride=m.stride[0],
            padding=m.padding[0],
            dilation=1,
            groups=channels,
            bias=np.zeros(channels, np.float32),
        )
        # nir infers in-channels from weight.shape[1], ignoring groups: state the real types
        node.input_type = {"input": np.array(self.shapes[m][0])}
        node.output_type = {"output": np.array(self.shapes[m][1])}
        return node

    def flatten(self, m: nn.Flatten) -> nir.NIRNode:
        if m.start_dim != 1 or m.end_dim != -1:
            raise UsageError(
                f"Flatten(start_dim={m.start_dim}, end_dim={m.end_dim}): only batch-preserving start_dim=1 exports"
            )
        # NIR has no batch dimension: start_dim 0 is the first feature axis
        return nir.Flatten(input_type={"input": np.array(self.shapes[m][0])}, start_dim=0, end_dim=-1)

    # -- neurons ---------------------------------------------------------------------------
    def _common(self, m: snn.SpikingNeuron) -> tuple[tuple[int, ...], np.ndarray]:
        if getattr(m, "reset_delay", False):
            raise UsageError(
                f"{type(m).__name__} has reset_delay=True (snnTorch's default), which NIR cannot express; "
                "build it with reset_delay=False"
            )
        self.resets.add(RESET_MODES[int(m.reset_mechanism_val)])
        shape = self.shapes[m][1]
        return shape, _per_neuron(m.threshold, shape)

    def _decay(self, beta: torch.Tensor, shape) -> np.ndarray:
        return np.clip(_per_neuron(beta, shape), 0.0, 1.0).astype(np.float64)

    def leaky(self, m: snn.Leaky) -> nir.NIRNode:
        shape, vth = self._common(m)
        beta = self._decay(m.beta, shape)
        if np.all(beta == 1.0):
            return nir.IF(r=np.ones(shape, np.float32), v_threshold=vth, v_reset=np.zeros(shape, np.float32))
        beta = np.minimum(beta, 1 - 1e-7)
        return nir.LIF(
            tau=(self.dt / (1 - beta)).astype(np.float32),
            r=(1 / (1 - beta)).astype(np.float32),
            v_leak=np.zeros(shape, np.float32),
            v_threshold=vth,
            v_reset=np.zeros(shape, np.float32),
        )

    def lapicque(self, m: snn.Lapicque) -> nir.NIRNode:
        if not isinstance(m, Lapicque):
            raise UsageError(
                "snnTorch's Lapicque zeroes the membrane one step after a spike, which NIR cannot "
                "express; use edgesnn.models.neurons.Lapicque (same-step reset)"
            )
        shape, vth = self._common(m)
        k = _per_neuron(m.time_step / (m.R * m.C), shape).astype(np.float64)  # v ← (1−k)·v + k·R·I
        return nir.LIF(
            tau=(self.dt / k).astype(np.float32),
            r=_per_neuron(m.R, shape),
            v_leak=np.zeros(shape, np.float32),
            v_threshold=vth,
            v_reset=np.zeros(shape, np.float32),
        )

    def synaptic(self, m: snn.Synaptic) -> nir.NIRNode:
        shape, vth = self._common(m)
        alpha = np.minimum(self._decay(m.alpha, shape), 1 - 1e-7)
        beta = np.minimum(self._decay(m.beta, shape), 1 - 1e-7)
        return nir.CubaLIF(
            tau_syn=(self.dt / (1 - alpha)).astype(np.float32),
            tau_mem=(self.dt / (1 - beta)).astype(np.float32),
            r=(1 / (1 - beta)).astype(np.float32),
            v_leak=np.zeros(shape, np.float32),
            v_threshold=vth,
            v_reset=np.zeros(shape, np.float32),
            w_in=(1 / (1 - alpha)).astype(np.float32),
        )

    def rleaky(self, m: snn.RLeaky) -> nir.NIRNode:
        if not m.all_to_all and hasattr(m, "V"):  # one-to-one: each neuron feeds back V·s[t−1]
            n = self.shapes[m][1]
            return nir.NIRGraph(
                nodes={
                    "input": nir.Input(input_type={"input": np.array(n)}),
                    "lif": self.leaky(m),
                    "w_rec": nir.Scale(scale=_per_neuron(m.V, n)),
                    "output": nir.Output(output_type={"output": np.array(n)}),
                },
                edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
            )
        if not (m.all_to_all and isinstance(getattr(m, "recurrent", None), nn.Linear)):
            raise UnsupportedPrimitiveError(
                type(m).__name__,
                "RLeaky(one-to-one or conv recurrence)",
                ["RLeaky(all_to_all, linear_features)"],
                where="NIR export",
            )
        rec = m.recurrent
        if rec.bias is not None and torch.any(rec.bias != 0):
            raise UsageError(
                "RLeaky recurrent Linear has a bias: NIR's cycle edge would miss it at step 0; "
                "move it into the preceding layer's bias or build recurrent Linear(bias=False)"
            )
        n = self.shapes[m][1]
        lif = self.leaky(m)
        return nir.NIRGraph(
            nodes={
                "input": nir.Input(input_type={"input": np.array(n)}),
                "lif": lif,
                "w_rec": nir.Linear(weight=_np(rec.weight)),
                "output": nir.Output(output_type={"output": np.array(n)}),
            },
            edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
        )

    def node_map(self) -> dict[type, Callable[[nn.Module], nir.NIRNode]]:
        return {
            nn.Linear: self.linear,
            nn.Conv1d: self.conv,
            nn.Conv2d: self.conv,
            nn.AvgPool2d: self.pool2d,
            SumPool2d: self.pool2d,
            nn.AvgPool1d: self.pool1d,
            SumPool1d: self.pool1d,
            nn.Flatten: self.flatten,
            snn.Leaky: self.leaky,
            snn.Lapicque: self.lapicque,
            Lapicque: self.lapicque,
            snn.Synaptic: self.synaptic,
            snn.RLeaky: self.rleaky,
        }
