"""The model members of a bundle: what the target's backend makes for the runner, and the
accuracy change of putting an ONNX model's weights on an int8 grid (``quantization.json``)."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from ..config import Target
from ..io import _json_default
from ..numerics import quantize_graph_for
from ..runner.format import NIR_GRAPH, QUANTIZATION, QUANTIZED_WEIGHTS, STEPWISE
from .evidence import runner_accuracy
from .source import ExportSource


def json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, default=_json_default) + "\n").encode()


def backend_for(tgt: Target):
    from ..backends import get_backend

    backend = get_backend(tgt.backend)
    backend.require()
    return backend


def bundle_model(graph, tgt: Target) -> tuple[str, bytes]:
    """(member name, bytes) of the model the runner executes for ``graph`` on ``tgt``."""
    backend = backend_for(tgt)
    return backend.bundle_member, backend.bundle_model(graph, tgt)


def unrolled_onnx(graph, tgt: Target) -> bytes:
    """The unrolled ONNX form of ``graph`` (weights as given), for hosts that run a whole window."""
    return backend_for(tgt).form_bytes(graph, tgt, "unrolled")


def nir_bytes(graph) -> bytes:
    from ..nir.graph import write_graph

    with tempfile.TemporaryDirectory(prefix="edgesnn-bundle-nir-") as tmp:
        return write_graph(graph, Path(tmp) / NIR_GRAPH).read_bytes()


def quantize_members(src: ExportSource, tgt: Target, members: dict[str, bytes], x_raw, y) -> tuple[Any, dict[str, Any]]:
    """Quantise the graph's weights into ``members``; (graph, manifest entry with the accuracy change)."""
    if backend_for(tgt).ships_integers(tgt):
        return src.graph, integer_entry(src, tgt, members, x_raw, y)
    graph, table, arrays = quantize_graph_for(src.graph, tgt.numerics.quantize, tgt.numerics.weight_bits)
    import numpy as np

    float_acc = runner_accuracy(members, x_raw, y)  # members still hold the float model
    members[STEPWISE] = bundle_model(graph, tgt)[1]
    members[NIR_GRAPH] = nir_bytes(graph)
    q_acc = runner_accuracy(members, x_raw, y)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    members[QUANTIZED_WEIGHTS] = buf.getvalue()
    scheme = f"{tgt.numerics.quantize}-per-layer-symmetric"
    entry = {
        "scheme": scheme,
        "weights": "dequantised float32 in the ONNX; int8 codes and scales in " + QUANTIZED_WEIGHTS,
        "layers": len(table),
        "accuracy_float": float_acc,
        "accuracy_quantized": q_acc,
        "delta_pp": 100 * (q_acc - float_acc),
        "samples": int(len(y)),
    }
    members[QUANTIZATION] = json_bytes({**entry, "table": table})
    return graph, entry


def integer_entry(src: ExportSource, tgt: Target, members: dict[str, bytes], x_raw, y) -> dict[str, Any]:
    """The manifest entry of an integer model made from a float export (``members`` hold it):
    the accuracy of the float model and of the integer one, through the same runner."""
    from ..backends.onnx.backend import integer_graph

    backend = backend_for(tgt)
    float_acc = runner_accuracy({**members, STEPWISE: backend.form_bytes(src.graph, tgt, "stepwise", False)}, x_raw, y)
    q_acc = runner_accuracy(members, x_raw, y)
    ig = integer_graph(src.graph)
    return {
        "scheme": f"{tgt.numerics.quantize}-integer",
        "weights": f"int8 codes and int64 states in {STEPWISE} (integer ONNX, edgesnn/numerics/integer.py)",
        "values": ig.values,
        "off_grid": ig.off_grid,
        "accuracy_float": float_acc,
        "accuracy_quantized": q_acc,
        "delta_pp": 100 * (q_acc - float_acc),
        "samples": int(len(y)),
    }


def native_entry(src: ExportSource, member: str, data: bytes, tgt: Target) -> dict[str, Any]:
    """The manifest entry of a model in the target's own numbers (no float twin to compare in
    the runner): whether it is byte for byte the export's artifact that parity was measured on."""
    own = src.path / member
    return {
        "scheme": tgt.numerics.quantize,
        "weights": f"the target's integers, in {member}",
        "matches_export": own.is_file() and own.read_bytes() == data,
    }
