"""Reading, writing and checking NIR graphs (the settings dt / reset: ``semantics.py``)."""

from __future__ import annotations

import copy
import io
import math
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nir
import numpy as np

from ..errors import ArtifactError, EdgeSNNWarning, ShapeError, UnsupportedPrimitiveError, first_line
from ..io import atomic_write_bytes
from .semantics import (
    DEFAULT_DT,
    DEFAULT_IF_RESET,
    DEFAULT_RESET,
    check_dt,
    check_reset,
    graph_settings,
    node_types,
    refuse_semantics,
    sim_context,
    with_semantics,
)
from .sim.base import as_shape

__all__ = [
    "DEFAULT_DT",
    "DEFAULT_IF_RESET",
    "DEFAULT_RESET",
    "NIR_PRIMITIVES",
    "check_dt",
    "check_reset",
    "graph_settings",
    "infer_shapes",
    "input_shape",
    "input_shapes",
    "node_types",
    "read_graph",
    "refuse_semantics",
    "sim_context",
    "validate_graph",
    "with_semantics",
    "write_graph",
]

#: every primitive of NIR 1.0.8 (NIRGraph is a container, allowed wherever its contents are)
NIR_PRIMITIVES = (
    "Input", "Output", "Affine", "Linear", "Scale", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d",
    "Flatten", "Threshold", "Delay", "I", "IF", "LI", "LIF", "CubaLI", "CubaLIF",
)  # fmt: skip
REPAIRED_KEY = "edgesnn_repaired"


# ----------------------------------------------------------------------------- reading


def read_graph(path: str | Path) -> nir.NIRGraph:
    """Load a ``.nir`` file; a bad file is an ArtifactError naming it, never an h5py traceback.

    Files of older NIR formats whose only fault is a declared Input/Output shape that
    disagrees with its neighbour's (same number of elements, e.g. Rockpool's ``[1, 1, 1]``
    for a ``[1]`` neuron) are repaired; ``graph.metadata["edgesnn_repaired"]`` says what changed.
    """
    import h5py

    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"NIR file '{path}' does not exist" + (" (it is a directory)" if path.is_dir() else ""))
    try:
        with h5py.File(path, "r") as fh:
            if "node" not in fh:
                raise ArtifactError(f"'{path}' is an HDF5 file but not a NIR graph (no 'node' group)")
            version = fh["version"][()].decode() if "version" in fh else "unknown"
            data = nir.serialization.hdf2dict(fh["node"])
    except ArtifactError:
        raise
    except Exception as exc:  # h5py raises OSError, KeyError, ValueError... for damaged files
        raise ArtifactError(f"cannot read NIR file '{path}': not a valid HDF5 file ({first_line(exc)})") from None
    if data.get("type") != "NIRGraph":
        raise ArtifactError(f"'{path}' does not hold a NIR graph at its root (type {data.get('type')!r})")
    _check_types_in_dict(data, path)
    try:
        return nir.dict2NIRNode(_with_type_check(copy.deepcopy(data), True))
    except Exception as exc:
        first = first_line(exc)
        if "type" not in first.lower() or "mismatch" not in first.lower():
            raise ArtifactError(f"'{path}' is not a valid NIR graph (format {version}): {first}") from None
    return _repair(data, path, version, first)


def _check_types_in_dict(data: dict, path: Path, prefix: str = "") -> None:
    for name, node in sorted(data.get("nodes", {}).items()):
        kind = node.get("type") if isinstance(node, dict) else None
        if kind == "NIRGraph":
            _check_types_in_dict(node, path, f"{prefix}{name}/")
        elif kind not in NIR_PRIMITIVES:
            raise ArtifactError(
                f"'{path}': node '{prefix}{name}' has unknown type {kind!r}; NIR primitives are {', '.join(NIR_PRIMITIVES)}"
            )


def _with_type_check(data: dict, flag: bool) -> dict:
    data["type_check"] = flag
    for node in data.get("nodes", {}).values():
        if node.get("type") == "NIRGraph":
            _with_type_check(node, flag)
    return data


def _repair(data: dict, path: Path, version: str, reason: str) -> nir.NIRGraph:
    """Rebuild without NIR's type check, then give Input/Output nodes their neighbour's shape."""
    try:
        graph = nir.dict2NIRNode(_with_type_check(copy.deepcopy(data), False))
    except Exception as exc:
        raise ArtifactError(f"'{path}' (NIR format {version}) cannot be loaded: {first_line(exc)}") from None
    _fix_grouped_convs(graph)
    fixes = _fix_io_shapes(graph)
    try:
        nir.NIRGraph(nodes=graph.nodes, edges=graph.edges, metadata=graph.metadata, type_check=True)
    except Exception:
        raise ArtifactError(
            f"'{path}' (NIR format {version}) fails NIR's type check and cannot be repaired: {reason}"
        ) from None
    if fixes:
        note = f"NIR format {version} file repaired by edgesnn: " + "; ".join(fixes)
        graph.metadata = {**(graph.metadata or {}), REPAIRED_KEY: note}
        warnings.warn(f"{path}: {note}", EdgeSNNWarning, stacklevel=2)
    return graph


def _fix_grouped_convs(graph: nir.NIRGraph) -> None:
    """nir 1.0.8 infers a conv's input channels as ``weight.shape[1]``, ignoring ``groups``
    (a depthwise conv — edgesnn's 1-D pooling — then looks like a 1-channel input). The real
    count is ``weight.shape[1] · groups``; this is NIR's inference, not a defect of the file."""
    for node in graph.nodes.values():
        if isinstance(node, nir.NIRGraph):
            _fix_grouped_convs(node)
        elif isinstance(node, (nir.Conv1d, nir.Conv2d)) and int(node.groups) > 1:
            shape = np.array(node.input_type["input"]).copy()
            shape[0] = node.weight.shape[1] * int(node.groups)
            node.input_type = {"input": shape}


def _fix_io_shapes(graph: nir.NIRGraph, prefix: str = "") -> list[str]:
    fixes = []
    for name, node in graph.nodes.items():
        if isinstance(node, nir.NIRGraph):
            fixes += _fix_io_shapes(node, f"{prefix}{name}/")
    for a, b in graph.edges:
        pre, post = graph.nodes.get(a), graph.nodes.get(b)
        if isinstance(post, nir.Output) and not isinstance(pre, (nir.NIRGraph, type(None))):
            have, want = _shape_of(post.input_type, "input"), _shape_of(pre.output_type, "output")
            if have is not None and want is not None and have != want and math.prod(have) == math.prod(want):
                post.output_type = {"output": _array(want)}
                post.input_type = {"input": _array(want)}
                fixes.append(f"Output '{prefix}{b}' shape {list(have)} -> {list(want)} (the shape of '{a}')")
        if isinstance(pre, nir.Input) and not isinstance(post, (nir.NIRGraph, type(None))):
            have, want = _shape_of(pre.output_type, "output"), _shape_of(post.input_type, "input")
            if have is not None and want is not None and have != want and math.prod(have) == math.prod(want):
                pre.input_type, pre.output_type = {"input": _array(want)}, {"output": _array(want)}
                fixes.append(f"Input '{prefix}{a}' shape {list(have)} -> {list(want)} (the shape of '{b}')")
    if not prefix:
        graph._update_input_output_types()
    return fixes


def _shape_of(types: Any, key: str):
    if not isinstance(types, dict) or types.get(key) is None:
        return None
    return as_shape(types[key])


def _array(shape):
    return np.asarray(shape, dtype=np.int64)


# ----------------------------------------------------------------------------- writing


def write_graph(graph: nir.NIRGraph, path: str | Path) -> Path:
    """Write ``graph`` (with its metadata; None values are left out) atomically to ``path``."""
    path = Path(path)
    meta = getattr(graph, "metadata", None) or {}
    clean = {k: v for k, v in meta.items() if v is not None}
    original = graph.metadata
    graph.metadata = clean
    buf = io.BytesIO()
    try:
        nir.write(buf, graph)
    except Exception as exc:
        raise ArtifactError(f"cannot write NIR graph to '{path}': {first_line(exc)}") from None
    finally:
        graph.metadata = original
    atomic_write_bytes(path, buf.getvalue())
    return path


# ----------------------------------------------------------------------------- settings


def _walk_types(graph: nir.NIRGraph, supported: set[str] | None, where: str, prefix: str = "") -> None:
    for name in sorted(graph.nodes):
        node, full = graph.nodes[name], prefix + name
        kind = type(node).__name__
        if isinstance(node, nir.NIRGraph):
            _walk_types(node, supported, where, f"{full}/")
            continue
        if supported is not None and kind not in supported:
            raise UnsupportedPrimitiveError(full, kind, supported, where)
        if kind not in NIR_PRIMITIVES or not isinstance(node, getattr(nir, kind)):
            raise ArtifactError(
                f"node '{full}' has type {kind}, which is not a NIR primitive; NIR primitives are {', '.join(NIR_PRIMITIVES)}"
            )


def validate_graph(graph: nir.NIRGraph, supported: Iterable[str] | None = None, where: str = "target") -> None:
    """Check a graph before it is simulated or exported; raise a one-line edgesnn error.

    Refuses: a node type outside ``supported``, NIR primitive or not (UnsupportedPrimitiveError naming the node, its type, ``supported`` and
    ``where``; sub-graphs are searched); a node that is not a NIR primitive (ArtifactError); an edge naming a missing node, a duplicate edge, a
    node unreachable from every Input (a graph may have several, one per modality), a cycle with no neuron or Delay on it (ArtifactError);
    shapes that do not agree along an edge or with a node's declared input/output type
    (ShapeError).
    """
    from .sim import plan

    if not isinstance(graph, nir.NIRGraph):
        raise ArtifactError(f"expected a nir.NIRGraph, got {type(graph).__name__}")
    _walk_types(graph, None if supported is None else set(supported), where)
    plan.build(graph, sim_context(graph))


def input_shapes(graph: nir.NIRGraph) -> dict[str, tuple[int, ...]]:
    """Per-sample shape of every top-level Input node, by name, in the simulator's input order
    (sorted names). One entry for a single-input graph; one per modality for a multimodal one."""
    ports = {n: node for n, node in graph.nodes.items() if isinstance(node, nir.Input)}
    shapes = {n: _shape_of(ports[n].input_type, "input") for n in sorted(ports)}
    missing = [n for n, shape in shapes.items() if shape is None]
    if missing:
        raise ArtifactError(f"Input node '{missing[0]}' has no shape")
    return shapes


def input_shape(graph: nir.NIRGraph) -> tuple[int, ...]:
    """The shape of a one-input graph's Input (ShapeError naming the inputs when it has several)."""
    shapes = input_shapes(graph)
    if len(shapes) != 1:
        raise ShapeError(
            f"the graph has {len(shapes)} inputs {dict(shapes)}; this needs exactly one "
            "(edgesnn.nir.input_shapes gives each)"
        )
    return next(iter(shapes.values()))


def infer_shapes(graph: nir.NIRGraph) -> dict[str, tuple[int, ...]]:
    """Per-sample output shape of every node (flat "/"-joined names), from the Input's shape."""
    from .sim import plan

    built = plan.build(graph, sim_context(graph))
    return {name: built.kernels[name].out_shape for name in built.order}
