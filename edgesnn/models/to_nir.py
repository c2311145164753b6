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
from collections.abc import Mapping

import nir
import nirtorch
import numpy as np
import snntorch as snn
import torch
from torch import nn

from ..errors import UnsupportedPrimitiveError, UsageError
from ..nir.graph import NIR_PRIMITIVES
from .nir_nodes import _Converter


def to_nir(
    model: nn.Module,
    *,
    dt: float,
    input_shape: tuple[int, ...] | Mapping[str, tuple[int, ...]] | None = None,
    metadata: dict | None = None,
) -> nir.NIRGraph:
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
        if (user.op == "call_function" and user.target is operator.add) or (
            user.op == "call_method" and user.target == "add"
        ):
            out |= _consumers(user)
        elif user.op in ("call_module", "output"):
            out.add(user.name)
        else:
            raise UsageError(
                f"input '{node.name}' is used by {user.op} '{user.target}'; only layers and additions "
                "may read a model input for NIR export"
            )
    return out


def _refuse_unmapped(model: nn.Module, node_map: dict) -> None:
    """Every leaf module with parameters or state must have a mapping: never a silent drop."""
    passthrough = (nn.Identity, nn.Dropout)
    neurons = {name for name, m in model.named_modules() if isinstance(m, snn.SpikingNeuron)}
    for name, m in model.named_modules():
        if name.rpartition(".")[0] in neurons and type(m).__name__ == "RecurrentOneToOne":
            continue  # an RLeaky's one-to-one recurrence: the neuron's own mapping writes it
        is_leaf = not list(m.children()) or isinstance(m, snn.SpikingNeuron)
        if (
            not is_leaf
            or isinstance(m, passthrough)
            or type(m) in node_map
            or isinstance(m, (nn.ModuleList, nn.ModuleDict))
        ):
            continue
        if any(isinstance(m, t) for t in node_map) and type(m) not in node_map:
            continue  # a subclass of a mapped type is resolved by nirtorch's exact-type lookup below
        raise UnsupportedPrimitiveError(name, type(m).__name__, NIR_PRIMITIVES, where="NIR export")


def _fix_io(
    graph: nir.NIRGraph, shape: tuple[int, ...] | dict[str, tuple[int, ...]], conv: _Converter, model: nn.Module
) -> None:
    """Give the Input/Output nodes their real shapes (nirtorch leaves them unknown); ``shape``
    is a dict Input name -> shape for a multimodal model."""
    for name, node in list(graph.nodes.items()):
        if isinstance(node, nir.Input):
            graph.nodes[name] = nir.Input(
                input_type={"input": np.array(shape[name] if isinstance(shape, dict) else shape)}
            )
    out_shape = None
    for name, node in graph.nodes.items():
        if isinstance(node, nir.Output):
            sources = [s for s, d in graph.edges if d == name]
            modules = {n.replace(".", "_"): m for n, m in model.named_modules()}
            src = modules.get(sources[0]) if len(sources) == 1 else None
            out_shape = conv.shapes.get(src, (None, None))[1] if src is not None else None
            if out_shape is None:
                raise UsageError(
                    f"cannot infer the shape of output node '{name}' (fed by {sources}); "
                    "give the model a single output layer"
                )
            graph.nodes[name] = nir.Output(output_type={"output": np.array(out_shape)})
