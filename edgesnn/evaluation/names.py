"""Readable layer names for a report: ``fc1``, ``conv1``, ``rec1``, ``lif1`` … instead of graph ids.

Graph ids are what a converter wrote (``dense_ops_0_parts_0``, ``1.lif``, ``0``); a person
reads the network as layers. Every synaptic and neuron node gets a kind prefix and a number
counted in the reference simulator's evaluation order (``layer_order``)::

    Affine, Linear   fc      (a Linear that closes a recurrent loop: rec)
    Conv1d, Conv2d   conv
    LIF lif, CubaLIF cuba, IF if, LI li, CubaLI cubali, I i, Threshold thr

The report keeps the graph ids as its keys (``report.json`` stays comparable and joins with
``model.nir``) and maps them with ``layer_names``; the renderings show the readable names.
"""

from __future__ import annotations

import nir

from ..nir.flat import flatten, order

PREFIX = {
    "Affine": "fc",
    "Linear": "fc",
    "Conv1d": "conv",
    "Conv2d": "conv",
    "LIF": "lif",
    "CubaLIF": "cuba",
    "IF": "if",
    "LI": "li",
    "CubaLI": "cubali",
    "I": "i",
    "Threshold": "thr",
}


def readable_names(graph: nir.NIRGraph, layers: list[str]) -> dict[str, str]:
    """Graph id -> readable name for each of ``layers`` (in the order given)."""
    flat = flatten(graph)
    _, back = order(flat)
    closes_loop = {a for a, _ in back}
    counts: dict[str, int] = {}
    names = {}
    for key in layers:
        node = flat.nodes.get(key)
        prefix = PREFIX.get(type(node).__name__, "layer")
        if prefix == "fc" and key in closes_loop:
            prefix = "rec"
        counts[prefix] = counts.get(prefix, 0) + 1
        names[key] = f"{prefix}{counts[prefix]}"
    return names
