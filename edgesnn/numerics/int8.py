"""int8 weight quantisation of a NIR graph for targets that ask for it (``numerics.quantize: int8``).

Per layer (every Affine / Linear / Conv1d / Conv2d weight tensor), symmetric, no zero point:

    s = max|W| / 127          q = clip(round(W / s), -127, 127) ∈ int8          Ŵ = s · q

(the scale ``edgesnn.train.quant`` uses for fake-quantised training, so a model trained for the
target is unchanged: its weights already lie on the grid.) Biases stay float32 (on a
microcontroller they become int32 at the layer's accumulator scale). The bundle's ONNX holds
the *dequantised* float values Ŵ, so it runs unchanged on any ONNX Runtime, computes exactly
what an int8 kernel with the same scale computes, and the runner needs no quantised
operators; the int8 codes q and the scales s ship beside it (``weights.int8.npz``) for a port
to integer kernels. The graph is copied, never changed in place.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import nir
import numpy as np

from . import levels

WEIGHTED = (nir.Affine, nir.Linear, nir.Conv1d, nir.Conv2d)


def quantize_weights(w: np.ndarray, bits: int = 8) -> tuple[np.ndarray, np.ndarray, float]:
    """(dequantised Ŵ float32, codes q int8/int16, scale s) for one weight tensor."""
    w = np.asarray(w, dtype=np.float64)
    limit = levels(bits)
    top = float(np.abs(w).max(initial=0.0))
    scale = top / limit if top > 0 else 1.0
    q = np.clip(np.rint(w / scale), -limit, limit)
    return (q * scale).astype(np.float32), q.astype(np.int8 if bits <= 8 else np.int16), scale


def quantize_graph(
    graph: nir.NIRGraph, bits: int = 8, prefix: str = ""
) -> tuple[nir.NIRGraph, dict[str, Any], dict[str, np.ndarray]]:
    """A copy of ``graph`` with every weight tensor quantised; (graph, table, int8 arrays).

    ``table[node] = {type, shape, scale, max_abs_error}``; arrays hold ``<node>.q`` codes and
    ``<node>.scale``. Sub-graphs are walked, their node names joined with ``.``.
    """
    nodes, table, arrays = {}, {}, {}
    for name, node in graph.nodes.items():
        key = f"{prefix}{name}"
        if isinstance(node, nir.NIRGraph):
            sub, sub_table, sub_arrays = quantize_graph(node, bits, prefix=f"{key}.")
            nodes[name] = sub
            table.update(sub_table)
            arrays.update(sub_arrays)
        elif isinstance(node, WEIGHTED):
            deq, q, scale = quantize_weights(node.weight, bits)
            nodes[name] = dataclasses.replace(node, weight=deq)
            err = float(np.abs(deq.astype(np.float64) - np.asarray(node.weight, np.float64)).max(initial=0.0))
            table[key] = {"type": type(node).__name__, "shape": list(q.shape), "scale": scale, "max_abs_error": err}
            arrays[f"{key}.q"], arrays[f"{key}.scale"] = q, np.float64(scale)
        else:
            nodes[name] = node
    meta = dict(graph.metadata or {})
    if not prefix:
        meta["quantization"] = f"int{bits} per-layer symmetric weights (dequantised)"
    return nir.NIRGraph(nodes, list(graph.edges), metadata=meta), table, arrays
