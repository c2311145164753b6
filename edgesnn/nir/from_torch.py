"""torch (snnTorch) → NIR, with dt, reset mode and per-neuron parameters made explicit.

nirtorch traces the module graph with torch.fx; edgesnn passes its own node map (below), so
nothing is dropped: a module without a mapping is an UnsupportedPrimitiveError.

Neuron mappings (Euler step of NIR's ODEs with the profile's ``dt``; ``edgesnn.nir.simulator``
runs exactly these):

    Leaky(β, θ)      → LIF  τ = dt/(1−β),  r = 1/(1−β),  v_leak = 0, v_th = θ, v_reset = 0
                       since v + (dt/τ)(−v + r·I) = β·v + I
    Lapicque(R, C)   → LIF  τ = dt/k, r = R, k = Δ/(R·C)   : v ← (1−k)·v + k·R·I
                       (snnTorch derives C = Δ/(R·ln(1/β)) from β, so k = ln(1/β))
    Synaptic(α, β,θ) → CubaLIF τ_syn = dt/(1−α), w_in = 1/(1−α), τ_mem = dt/(1−β), r = 1/(1−β)
                       : i ← α·i + I,  v ← β·v + i
    RLeaky(β, V, θ)  → sub-graph {input → LIF → V (Linear) → LIF (cycle) → output}
    β = 1 (no leak)  → IF with r = 1

and back (``edgesnn.nir.to_torch``): β = 1 − dt/τ, α = 1 − dt/τ_syn, input scaled by r·(1−β).
Reset: snnTorch's same-step reset (``reset_delay=False``) is NIR's; the mode
(``zero`` | ``subtract`` | ``none``) is written to ``graph.metadata["reset"]`` and to each neuron
node's metadata. NIR's LIF itself only knows reset-to-``v_reset``: a third-party reader of a
``subtract`` graph will reset to zero instead.

Inputs: a one-input model gives one ``nir.Input`` (named after its ``forward`` argument, as
nirtorch does). A multimodal model (``input_shapes``, ``forward`` on a dict name -> tensor)
gives one ``nir.Input`` per modality, **named exactly after the modality** ("image",
"audio"), each with its real shape; ``simulate`` and every backend then take a dict keyed by
those names.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping

import nir
import nirtorch
import numpy as np
import snntorch as snn
import torch
from torch import nn

from ..errors import UnsupportedPrimitiveError, UsageError
from ..models.blocks import SumPool1d, SumPool2d
from ..models.neurons import Lapicque
from .graph import NIR_PRIMITIVES

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
            from ..models.run import reset_states

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
            return nir.Conv1d(input_shape=in_shape[-1], weight=_np(m.weight), stride=m.stride[0],
                              padding=m.padding[0], dilation=m.dilation[0], groups=m.groups, bias=bias)
        return nir.Conv2d(input_shape=tuple(in_shape[-2:]), weight=_np(m.weight), stride=tuple(m.stride),
                          padding=tuple(m.padding), dilation=tuple(m.dilation), groups=m.groups, bias=bias)

    def pool2d(self, m: nn.AvgPool2d) -> nir.NIRNode:
        pair = lambda v: np.array(v if isinstance(v, tuple) else (v, v))  # noqa: E731
        cls = nir.SumPool2d if isinstance(m, SumPool2d) else nir.AvgPool2d
        return cls(kernel_size=pair(m.kernel_size), stride=pair(m.stride), padding=pair(m.padding))

    def pool1d(self, m: nn.AvgPool1d) -> nir.NIRNode:
        """NIR has no 1-D pooling: a depthwise Conv1d with a fixed kernel (1/k for avg, 1 for sum)."""
        channels, k = self.shapes[m][0][0], m.kernel_size[0]
        value = 1.0 if isinstance(m, SumPool1d) else 1.0 / k
        node = nir.Conv1d(input_shape=self.shapes[m][0][-1], weight=np.full((channels, 1, k), value, np.float32),
                          stride=m.stride[0], padding=m.padding[0], dilation=1, groups=channels,
                          bias=np.zeros(channels, np.float32))
        # nir infers in-channels from weight.shape[1], ignoring groups: state the real types
        node.input_type = {"input": np.array(self.shapes[m][0])}
        node.output_type = {"output": np.array(self.shapes[m][1])}
        return node

    def flatten(self, m: nn.Flatten) -> nir.NIRNode:
        if m.start_dim != 1 or m.end_dim != -1:
            raise UsageError(f"Flatten(start_dim={m.start_dim}, end_dim={m.end_dim}): only batch-preserving start_dim=1 exports")
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
        return nir.LIF(tau=(self.dt / (1 - beta)).astype(np.float32), r=(1 / (1 - beta)).astype(np.float32),
                       v_leak=np.zeros(shape, np.float32), v_threshold=vth, v_reset=np.zeros(shape, np.float32))

    def lapicque(self, m: snn.Lapicque) -> nir.NIRNode:
        if not isinstance(m, Lapicque):
            raise UsageError("snnTorch's Lapicque zeroes the membrane one step after a spike, which NIR cannot "
                             "express; use edgesnn.models.neurons.Lapicque (same-step reset)")
        shape, vth = self._common(m)
        k = _per_neuron(m.time_step / (m.R * m.C), shape).astype(np.float64)  # v ← (1−k)·v + k·R·I
        return nir.LIF(tau=(self.dt / k).astype(np.float32), r=_per_neuron(m.R, shape),
                       v_leak=np.zeros(shape, np.float32), v_threshold=vth, v_reset=np.zeros(shape, np.float32))

    def synaptic(self, m: snn.Synaptic) -> nir.NIRNode:
        shape, vth = self._common(m)
        alpha = np.minimum(self._decay(m.alpha, shape), 1 - 1e-7)
        beta = np.minimum(self._decay(m.beta, shape), 1 - 1e-7)
        return nir.CubaLIF(tau_syn=(self.dt / (1 - alpha)).astype(np.float32), tau_mem=(self.dt / (1 - beta)).astype(np.float32),
                           r=(1 / (1 - beta)).astype(np.float32), v_leak=np.zeros(shape, np.float32), v_threshold=vth,
                           v_reset=np.zeros(shape, np.float32), w_in=(1 / (1 - alpha)).astype(np.float32))

    def rleaky(self, m: snn.RLeaky) -> nir.NIRNode:
        if not (m.all_to_all and isinstance(getattr(m, "recurrent", None), nn.Linear)):
            raise UnsupportedPrimitiveError(type(m).__name__, "RLeaky(one-to-one or conv recurrence)", ["RLeaky(all_to_all, linear_features)"], where="NIR export")
        rec = m.recurrent
        if rec.bias is not None and torch.any(rec.bias != 0):
            raise UsageError("RLeaky recurrent Linear has a bias: NIR's cycle edge would miss it at step 0; "
                             "move it into the preceding layer's bias or build recurrent Linear(bias=False)")
        n = self.shapes[m][1]
        lif = self.leaky(m)
        return nir.NIRGraph(
            nodes={"input": nir.Input(input_type={"input": np.array(n)}), "lif": lif,
                   "w_rec": nir.Linear(weight=_np(rec.weight)), "output": nir.Output(output_type={"output": np.array(n)})},
            edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
        )

    def node_map(self) -> dict[type, Callable[[nn.Module], nir.NIRNode]]:
        return {
            nn.Linear: self.linear, nn.Conv1d: self.conv, nn.Conv2d: self.conv,
            nn.AvgPool2d: self.pool2d, SumPool2d: self.pool2d, nn.AvgPool1d: self.pool1d, SumPool1d: self.pool1d,
            nn.Flatten: self.flatten, snn.Leaky: self.leaky, snn.Lapicque: self.lapicque, Lapicque: self.lapicque,
            snn.Synaptic: self.synaptic, snn.RLeaky: self.rleaky,
        }


def to_nir(model: nn.Module, *, dt: float, input_shape: tuple[int, ...] | Mapping[str, tuple[int, ...]] | None = None,
           metadata: dict | None = None) -> nir.NIRGraph:
    """Convert an snnTorch model (zoo or user-built, one timestep per ``forward``) to NIR.

    ``dt`` is the profile's time step in seconds. ``input_shape`` (features, no batch) defaults
    to ``model.input_shape``; for a multimodal model, a dict name -> shape, defaulting to
    ``model.input_shapes`` (one ``nir.Input`` per name, see the module docstring).
    ``metadata`` (encoder, timesteps, ...) is merged into ``graph.metadata`` together with dt
    and the reset mode.
    """
    if not dt or dt <= 0:
        raise UsageError(f"dt={dt} must be a positive number of seconds (from the profile's dt_s)")
    shape = _model_inputs(model, input_shape)
    named = isinstance(shape, dict)
    was_training = model.training
    model.eval()
    try:
        example = {n: torch.zeros(1, *s) for n, s in shape.items()} if named else torch.zeros(1, *shape)
        conv = _Converter(model, example, dt)
        _refuse_unmapped(model, conv.node_map())
        if named:
            graph = _trace_named(model, list(shape), conv.node_map())
        else:
            graph = nirtorch.torch_to_nir(model, conv.node_map(), stateful_modules=set(), type_check=False)
    finally:
        model.train(was_training)
    if len(conv.resets) > 1:
        raise UsageError(f"neurons mix reset modes {sorted(conv.resets)}; one model must use one reset mode")
    _fix_io(graph, shape, conv, model)
    reset = conv.resets.pop() if conv.resets else "zero"
    for node in graph.nodes.values():
        if isinstance(node, (nir.LIF, nir.CubaLIF, nir.IF, nir.NIRGraph)):
            node.metadata["reset"] = reset
    graph.metadata.update({"dt": float(dt), "reset": reset, **(metadata or {})})
    return graph


def _model_inputs(model: nn.Module, given) -> tuple[int, ...] | dict[str, tuple[int, ...]]:
    """The input shape of ``model`` (``given`` wins): a tuple, or an ordered dict name -> shape."""
    if given is None:
        given = getattr(model, "input_shapes", None) or getattr(model, "input_shape", None)
    if isinstance(given, Mapping):
        if not given:
            raise UsageError("to_nir got an empty dict of input shapes; give name -> shape for every input")
        return {str(k): tuple(int(d) for d in v) for k, v in given.items()}
    shape = tuple(given or ())
    if not shape:
        raise UsageError("to_nir needs input_shape=(features...) for a model without .input_shape")
    return shape


class _Named(nn.Module):
    """``forward(self, <name_1>, <name_2>, ...)`` = ``model({name_k: tensor_k})``, for tracing.

    It holds ``model``'s children under their own names, so traced node names are those of the
    model itself; ``forward`` is generated with one positional argument per input (torch.fx
    turns ``*args`` into getitem, which nirtorch refuses)."""

    def __init__(self, model: nn.Module, names: list[str]):
        super().__init__()
        for child_name, child in model.named_children():
            self.add_module(child_name, child)
        self.names, self.run_dict = list(names), model.forward


def _positional(model: nn.Module, names: list[str]) -> _Named:
    args = ", ".join(names)  # identifiers (checked by the caller)
    scope: dict = {}
    exec(f"def forward(self, {args}):\n    return self.run_dict(dict(zip(self.names, [{args}])))\n", scope)  # noqa: S102
    cls = type("_NamedInputs", (_Named,), {"forward": scope["forward"]})
    return cls(model, names)


def _trace_named(model: nn.Module, names: list[str], node_map: dict) -> nir.NIRGraph:
    """NIR graph of a model with named inputs: one ``nir.Input`` per name, named after it.

    nirtorch 2.6 makes an Input of the first positional argument only (``node.prev.op ==
    "root"``) and drops the others with their edges; a dict argument becomes getitem, which it
    refuses. So a positional wrapper is traced, nirtorch's Input is removed, and each name gets
    an Input wired to the nodes that read its argument (through additions, as nirtorch does).
    """
    bad = [n for n in names if not n.isidentifier()]
    if bad:
        raise UsageError(f"input name '{bad[0]}' must be a Python identifier to be traced")
    wrapper = _positional(model, names)
    graph = nirtorch.torch_to_nir(wrapper, node_map, stateful_modules=set(), type_check=False)
    traced = nirtorch.torch_tracer.NIRTorchTracer(tuple(node_map)).trace(wrapper)
    placeholders = [n for n in traced.nodes if n.op == "placeholder"]
    dropped = {n for n, node in graph.nodes.items() if isinstance(node, nir.Input)}
    nodes = {n: node for n, node in graph.nodes.items() if n not in dropped}
    edges = [e for e in graph.edges if e[0] not in dropped]
    for name, ph in zip(names, placeholders):
        if name in nodes:
            raise UsageError(f"input name '{name}' is also the name of a layer node; rename the input")
        nodes[name] = nir.Input(input_type={"input": np.array([1])})  # the real shape is set by _fix_io
        edges += [(name, user) for user in sorted(_consumers(ph))]
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=graph.metadata, type_check=False)


def _consumers(node) -> set[str]:
    """Names of the traced nodes that read ``node``, looking through additions."""
    out: set[str] = set()
    for user in node.users:
        if (user.op == "call_function" and user.target is operator.add) or (user.op == "call_method" and user.target == "add"):
            out |= _consumers(user)
        elif user.op in ("call_module", "output"):
            out.add(user.name)
        else:
            raise UsageError(f"input '{node.name}' is used by {user.op} '{user.target}'; only layers and additions "
                             "may read a model input for NIR export")
    return out


def _refuse_unmapped(model: nn.Module, node_map: dict) -> None:
    """Every leaf module with parameters or state must have a mapping: never a silent drop."""
    passthrough = (nn.Identity, nn.Dropout)
    for name, m in model.named_modules():
        is_leaf = not list(m.children()) or isinstance(m, snn.SpikingNeuron)
        if not is_leaf or isinstance(m, passthrough) or type(m) in node_map or isinstance(m, nn.ModuleList):
            continue
        if any(isinstance(m, t) for t in node_map) and type(m) not in node_map:
            continue  # a subclass of a mapped type is resolved by nirtorch's exact-type lookup below
        raise UnsupportedPrimitiveError(name, type(m).__name__, NIR_PRIMITIVES, where="NIR export")


def _fix_io(graph: nir.NIRGraph, shape: tuple[int, ...] | dict[str, tuple[int, ...]], conv: _Converter,
            model: nn.Module) -> None:
    """Give the Input/Output nodes their real shapes (nirtorch leaves them unknown); ``shape``
    is a dict Input name -> shape for a multimodal model."""
    for name, node in list(graph.nodes.items()):
        if isinstance(node, nir.Input):
            graph.nodes[name] = nir.Input(input_type={"input": np.array(shape[name] if isinstance(shape, dict) else shape)})
    out_shape = None
    for name, node in graph.nodes.items():
        if isinstance(node, nir.Output):
            sources = [s for s, d in graph.edges if d == name]
            modules = {n.replace(".", "_"): m for n, m in model.named_modules()}
            src = modules.get(sources[0]) if len(sources) == 1 else None
            out_shape = conv.shapes.get(src, (None, None))[1] if src is not None else None
            if out_shape is None:
                raise UsageError(f"cannot infer the shape of output node '{name}' (fed by {sources}); "
                                 "give the model a single output layer")
            graph.nodes[name] = nir.Output(output_type={"output": np.array(out_shape)})
