"""Numerics in one home: the weight grids a target's ``numerics.quantize`` names.

Training fake-quantises to a grid (``edgesnn.train.quant``), the export puts the graph on it
(the ONNX backend for ``int8``; the Lava backend maps ``loihi`` onto Loihi 2's registers),
and packaging ships its codes — all from the definitions here:

    none   float weights, as trained
    int8   integer artifacts (``integer.py``): int8 codes on one step per neuron that makes its
           threshold an integer (``rows.py``), int64 states, 12-bit decays; trained on that grid
           (``train/quant_xylo.apply_rows``). A float artifact asked of an int8 target
           (``precision=float32``) uses the per-layer grid of ``int8.py`` instead:
           s = max|W| / (2^(b−1) − 1), Ŵ = s · clip(round(W / s), ±(2^(b−1) − 1))
    loihi  Loihi 2's 8-bit mantissa × 2^e weights, 13-bit biases, 12-bit decays (``loihi.py``)

A scheme that is applied to a NIR graph before export has a ``graph_quantizer``
(``graph, bits -> (graph, table, arrays)``); ``loihi`` has none: its grid is the Lava
backend's fixed-point lowering, which needs the state scales only it computes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scheme:
    name: str
    description: str
    graph_quantizer: Callable[..., tuple[Any, dict, dict]] | None = None


def _int8_graph(graph, bits: int = 8):
    from .int8 import quantize_graph

    return quantize_graph(graph, bits)


SCHEMES: dict[str, Scheme] = {
    "none": Scheme("none", "float weights, as trained"),
    "int8": Scheme(
        "int8", "integer artifacts: int8 weights per neuron row, integer thresholds, 12-bit decays", _int8_graph
    ),
    "loihi": Scheme("loihi", "Loihi 2 fixed point: 8-bit mantissa x 2^e weights, 13-bit biases, 12-bit decays"),
    "xylo": Scheme("xylo", "Xylo IMU: int8 weights per neuron row, integer thresholds, decays 1 - 2^-dash"),
}


def levels(bits: int) -> int:
    """Largest code of a symmetric ``bits``-bit signed integer: 2^(b−1) − 1 (127 for 8 bits)."""
    return 2 ** (int(bits) - 1) - 1


def quantize_graph_for(graph, scheme: str, bits: int):
    """``(graph on the scheme's grid, per-layer table, code arrays)``; the graph unchanged and
    empty table/arrays for a scheme applied elsewhere (``none``, ``loihi``)."""
    quantizer = SCHEMES[scheme].graph_quantizer
    return quantizer(graph, bits) if quantizer else (graph, {}, {})
