"""Fan-out maps and dense MACs of synaptic nodes (Affine, Linear, Conv1d, Conv2d).

``fanout[i]`` is the number of non-zero synapses leaving input element ``i``: the number of
(output element, weight) pairs with ``W != 0`` that input ``i`` feeds. SynOps of a step are then
``sum_i e_i * fanout_i`` for the step's input events ``e`` — exactly what applying the layer with
its weights replaced by ``(W != 0)`` to the events and summing the output gives.

Affine / Linear, ``W`` of shape ``[..., out, in]``: ``fanout = (W != 0).sum(axis=-2)``.

Convolution, ``W`` of shape ``[C_out, C_in/groups, *k]``: output position ``y`` reads input
``i = y*stride - pad_lo + kk*dilation`` through kernel offset ``kk``, so

    fanout[c, i] = sum_kk  #{y in [0, out) : y*stride - pad_lo + kk*dilation = i}
                           * sum_{o in group(c)} (W[o, c mod C_in/groups, kk] != 0)

which counts padding and stride edge effects exactly (border inputs feed fewer outputs). The
geometry (``pad_lo``, ``out``, stride, dilation, "same"/"valid" padding) is the simulator's,
:func:`edgesnn.nir.geometry.conv_geometry`: ``out = floor((n + pad_lo + pad_hi - d*(k-1) - 1)/s) + 1``,
"same" pads ``d*(k-1)`` in total, the smaller half before (PyTorch's choice; stride 1 only).

Dense MACs of the ANN twin (one pass, ReLU, no time): ``W.size`` for Affine/Linear and
``C_out * prod(out) * C_in/groups * prod(k)`` for convolutions (padded positions multiplied too,
as dense hardware does).
"""

from __future__ import annotations

from collections.abc import Callable

import nir
import numpy as np

from ..errors import ShapeError
from ..nir.geometry import Geometry, conv_geometry


def _window(
    node: nir.Conv1d | nir.Conv2d,
    spatial: tuple[int, ...],
    name: str | None = None,
) -> tuple[Geometry, tuple[int, ...]]:
    """The node's geometry and its output spatial shape for input size ``spatial`` (errors name
    the node ``name``, else its type)."""
    nd = np.ndim(node.weight) - 2
    if len(spatial) != nd:
        raise ShapeError(f"{type(node).__name__} with a {nd}-d kernel got spatial input {spatial}")
    geo = conv_geometry(name or type(node).__name__, node, nd)
    return geo, geo.out_shape(spatial)


def _dense_fanout(node: nir.Affine | nir.Linear, in_shape: tuple[int, ...]) -> np.ndarray:
    fan = (np.asarray(node.weight) != 0).sum(axis=-2).astype(np.float64)
    if fan.shape != tuple(in_shape):
        raise ShapeError(f"{type(node).__name__} with weight {np.shape(node.weight)} cannot take input {in_shape}")
    return fan


def _conv_fanout(node: nir.Conv1d | nir.Conv2d, in_shape: tuple[int, ...]) -> np.ndarray:
    w = np.asarray(node.weight) != 0
    c_out, cpg, k = w.shape[0], w.shape[1], w.shape[2:]
    groups, c_in, spatial = int(node.groups), int(in_shape[0]), tuple(in_shape[1:])
    if c_in != cpg * groups or c_out % groups:
        raise ShapeError(
            f"{type(node).__name__} weight {w.shape} with groups={groups} cannot take {c_in} input channels"
        )
    geo, out = _window(node, spatial)
    pad_lo, stride, dil = geo.pad_lo, geo.stride, geo.dilation
    # per_offset[c, *kk]: non-zero synapses from input channel c through kernel offset kk
    per_offset = w.reshape(groups, c_out // groups, cpg, *k).sum(axis=1).reshape(c_in, *k).astype(np.float64)
    fan = np.zeros((c_in, *spatial))
    for kk in np.ndindex(*k):
        index: list[slice] = [slice(None)]
        for n, pl, o, s, d, off in zip(spatial, pad_lo, out, stride, dil, kk):
            first = off * d - pl  # input index read by output position 0
            y0 = max(0, -(first // s))  # ceil(-first / s): first output reading index >= 0
            y1 = min(o - 1, (n - 1 - first) // s)
            if y1 < y0:
                break
            index.append(slice(first + y0 * s, first + y1 * s + 1, s))
        else:
            fan[tuple(index)] += per_offset[(slice(None), *kk)].reshape((c_in,) + (1,) * len(spatial))
    return fan


#: synaptic node type -> fan-out map for a given per-step input shape
FANOUT: dict[type, Callable[[nir.NIRNode, tuple[int, ...]], np.ndarray]] = {
    nir.Affine: _dense_fanout,
    nir.Linear: _dense_fanout,
    nir.Conv1d: _conv_fanout,
    nir.Conv2d: _conv_fanout,
}


def expected_input_shape(node: nir.NIRNode) -> tuple[int, ...] | None:
    """The per-step input shape a synaptic node declares (None for a conv without input type)."""
    if isinstance(node, (nir.Affine, nir.Linear)):
        w = np.shape(node.weight)
        return tuple(w[:-2]) + (w[-1],)
    if node.input_shape is None:
        return None
    # NIR declares C_in = weight.shape[1], which is wrong for grouped convolutions
    return (int(np.shape(node.weight)[1]) * int(node.groups), *(int(v) for v in np.atleast_1d(node.input_shape)))


def output_shape(name: str, node: nir.NIRNode, in_shape: tuple[int, ...] | None = None) -> tuple[int, ...]:
    """Per-step output shape of a synaptic node (a conv's input shape: declared or ``in_shape``)."""
    if isinstance(node, (nir.Affine, nir.Linear)):
        w = np.shape(node.weight)
        return tuple(w[:-2]) + (w[-2],)
    in_shape = _conv_input(name, node) if in_shape is None else tuple(in_shape)
    _, out = _window(node, in_shape[1:], name)
    return (int(np.shape(node.weight)[0]), *out)


def _conv_input(name: str, node: nir.NIRNode) -> tuple[int, ...]:
    shape = expected_input_shape(node)
    if shape is None:
        raise ShapeError(
            f"{type(node).__name__} node '{name}' has no input shape; build the graph with type checking "
            "(nir.NIRGraph(..., type_check=True)) or set input_shape"
        )
    return shape


def macs(name: str, node: nir.NIRNode) -> int:
    """Dense multiply-accumulates of one pass of a synaptic node (the ANN twin's cost)."""
    w = np.shape(node.weight)
    if isinstance(node, (nir.Affine, nir.Linear)):
        return int(np.prod(w))
    out = output_shape(name, node)
    return int(np.prod(out)) * int(np.prod(w[1:]))


def bias_adds(name: str, node: nir.NIRNode) -> int:
    """Bias additions of one pass: one per output element of a node that has a bias."""
    if isinstance(node, nir.Linear) or getattr(node, "bias", None) is None:
        return 0
    return int(np.prod(output_shape(name, node)))
