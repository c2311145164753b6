"""NIR linear node -> Lava connection process (the synapse half of the lowering table).

Each lowering takes the incoming signal and returns a ``Connection`` (NIR layout, see
``plan.py``); ``Flatten`` is bookkeeping only and ``Scale`` folds into a neighbour:

* **Affine / Linear** ``y = W x (+ b)`` -> ``Dense(W)``; ``b`` is not a synapse: it is a
  constant that ``lower.py`` hands to the next neuron (``bias_mant``, or a 'ones' source for
  CubaLIF). A multi-dimensional input is flattened in NIR C-order (``build.py`` permutes the
  columns to Lava's (W, H, C) layout).
* **Conv2d** -> ``Conv`` (lava's Conv is a true convolution in (W, H, C) layout: ``build.py``
  transposes and flips the kernel). Bias as for Affine, as a per-position map.
* **Conv1d** on ``(C, L)`` -> the same ``Conv`` on ``(C, 1, L)``: kernel ``(O, I/g, 1, k)``,
  stride ``(1, s)``, padding ``(0, p)``, dilation ``(1, d)``, groups unchanged (exact: a 2-D
  cross-correlation with a height-1 kernel on a height-1 map is the 1-D one). The signal keeps
  NIR's 2-D shape ``(O, L')``; ``build.py`` reshapes ports between ``(L, C)`` and ``(L, 1, C)``.
  edgesnn's 1-D pooling (a depthwise Conv1d with a constant kernel) lowers the same way.
* **SumPool2d / AvgPool2d** -> depthwise ``Conv`` (``groups = C``) with a fixed kernel of ones
  (``1/(kh kw)`` for the average: padding counts as zeros, like the simulator).
* **Flatten** -> nothing: the next Dense flattens its source (reshape port in Lava).
* **Scale** ``y = s * x`` -> multiplies the output rows (Dense) or output channels (Conv) of the
  pending connection; after a neuron or the input it becomes a diagonal Dense (1-D) or a
  depthwise 1x1 Conv.

Strides, dilations, padding and output shapes are the simulator's (:mod:`edgesnn.nir.geometry`:
``out = floor((n + 2 p - d (k - 1) - 1) / s) + 1`` with Lava's symmetric padding ``p``).

A constant input map ``B`` (an upstream bias) is carried through later linear ops exactly:
``bias_out = op(B) + b`` (``propagate``).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ...errors import ShapeError, UnsupportedPrimitiveError
from ...nir.geometry import Geometry, conv_geometry, pool_geometry


def pair(value, name: str = "") -> tuple[int, int]:
    arr = np.atleast_1d(np.asarray(value)).astype(int).ravel()
    return (int(arr[0]), int(arr[-1]))


def conv2d_np(x: np.ndarray, w: np.ndarray, stride, padding, dilation, groups: int) -> np.ndarray:
    """Cross-correlation of one ``(C, H, W)`` map, NIR/torch semantics (used for constant maps only)."""
    c_in, h, wd = x.shape
    out_ch, cpg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (padding[0],) * 2, (padding[1],) * 2))
    oh, ow = Geometry.of((kh, kw), stride, dilation, padding).out_shape((h, wd))
    out = np.zeros((out_ch, oh, ow))
    opg = out_ch // groups
    for o in range(out_ch):
        g = o // opg
        for i in range(kh):
            for j in range(kw):
                ys, xs = i * dilation[0], j * dilation[1]
                patch = xp[
                    g * cpg : (g + 1) * cpg, ys : ys + stride[0] * oh : stride[0], xs : xs + stride[1] * ow : stride[1]
                ]
                out[o] += np.tensordot(w[o, :, i, j], patch, axes=(0, 0))
    return out


def propagate(conn, const: np.ndarray) -> np.ndarray:
    """Output of ``conn`` for the constant input ``const`` (its input shape)."""
    if conn.kind == "dense":
        return conn.weight @ const.reshape(-1)
    return conv2d_np(const, conn.weight, conn.stride, conn.padding, conn.dilation, conn.groups)


def affine(name, node, in_shape) -> dict:
    weight = np.asarray(node.weight, dtype=np.float64)
    if weight.ndim != 2 or weight.shape[1] != int(np.prod(in_shape)):
        raise ShapeError(f"node '{name}': weight {weight.shape} does not fit input of shape {in_shape}")
    bias = np.asarray(getattr(node, "bias", np.zeros(weight.shape[0])), dtype=np.float64)
    return dict(
        kind="dense",
        in_shape=tuple(in_shape),
        out_shape=(weight.shape[0],),
        weight=weight,
        bias=np.broadcast_to(bias, (weight.shape[0],)).copy(),
    )


def conv2d(name, node, in_shape) -> dict:
    if len(in_shape) != 3:
        raise ShapeError(f"node '{name}': Conv2d needs a (C, H, W) input, got {in_shape}")
    weight = np.asarray(node.weight, dtype=np.float64)
    geo = conv_geometry(name, node, 2)
    stride, dilation, padding = geo.stride, geo.dilation, _even(name, node, geo.pads)
    groups = int(np.asarray(node.groups).ravel()[0])
    out_shape = (int(weight.shape[0]), *geo.out_shape(in_shape[1:]))
    bias = np.asarray(getattr(node, "bias", 0.0), dtype=np.float64).reshape(-1)
    bias_map = np.broadcast_to(np.broadcast_to(bias, (out_shape[0],))[:, None, None], out_shape).copy()
    return dict(
        kind="conv",
        in_shape=tuple(in_shape),
        out_shape=out_shape,
        weight=weight,
        bias=bias_map,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )


def conv1d(name, node, in_shape) -> dict:
    """NIR ``Conv1d`` on ``(C, L)`` (or an already lifted ``(C, 1, L)``) -> a Conv on ``(C, 1, L)``."""
    in_shape = tuple(int(d) for d in in_shape)
    if len(in_shape) == 3 and in_shape[1] == 1:
        in_shape = (in_shape[0], in_shape[2])
    if len(in_shape) != 2:
        raise ShapeError(f"node '{name}': Conv1d needs a (C, L) input, got {in_shape}")
    weight = np.asarray(node.weight, dtype=np.float64)
    if weight.ndim != 3:
        raise ShapeError(f"node '{name}': Conv1d weight must be (out, in/groups, k), got {weight.shape}")
    geo = conv_geometry(name, node, 1)
    (padding,) = _even(name, node, geo.pads)
    lifted = SimpleNamespace(
        weight=weight[:, :, None, :],
        stride=(1, *geo.stride),
        padding=(0, padding),
        dilation=(1, *geo.dilation),
        groups=node.groups,
        bias=getattr(node, "bias", 0.0),
    )
    return conv2d(name, lifted, (in_shape[0], 1, in_shape[1]))


def _even(name: str, node, pads) -> tuple[int, ...]:
    """Per-side padding of the simulator's ``(before, after)`` pads (:mod:`edgesnn.nir.geometry`).

    Lava's Conv pads both sides equally: "same" padding with an odd total ``d (k - 1)`` (the
    simulator puts the extra zero at the end) is refused rather than run shifted.
    """
    if any(before != after for before, after in pads):
        raise UnsupportedPrimitiveError(
            name,
            f"{type(node).__name__} with uneven padding {list(pads)}",
            ["even (symmetric) padding"],
            where="Lava backend (its Conv pads both sides equally)",
        )
    return tuple(before for before, _ in pads)


def pool(name, node, in_shape, average: bool) -> dict:
    if len(in_shape) != 3:
        raise ShapeError(f"node '{name}': pooling needs a (C, H, W) input, got {in_shape}")
    geo = pool_geometry(name, node)
    kernel, stride, padding = geo.kernel, geo.stride, _even(name, node, geo.pads)
    channels = in_shape[0]
    weight = np.ones((channels, 1, *kernel)) / (kernel[0] * kernel[1] if average else 1.0)
    out_shape = (int(channels), *geo.out_shape(in_shape[1:]))
    return dict(
        kind="conv",
        in_shape=tuple(in_shape),
        out_shape=out_shape,
        weight=weight,
        bias=np.zeros(out_shape),
        stride=stride,
        padding=padding,
        groups=channels,
    )


def identity(in_shape, scale: np.ndarray | None = None, name: str = "") -> dict:
    """A diagonal Dense (1-D) or depthwise 1x1 Conv (a ``(C, L)`` map as ``(C, 1, L)``, like Conv1d)."""
    in_shape = tuple(int(d) for d in in_shape)
    scale = np.ones(in_shape) if scale is None else np.broadcast_to(scale, in_shape)
    if len(in_shape) == 2:
        in_shape, scale = (in_shape[0], 1, in_shape[1]), scale.reshape(in_shape[0], 1, in_shape[1])
    if len(in_shape) == 1:
        return dict(
            kind="dense",
            in_shape=tuple(in_shape),
            out_shape=tuple(in_shape),
            weight=np.diag(scale),
            bias=np.zeros(in_shape),
        )
    per_channel = channel_uniform(scale, name, "Scale")
    return dict(
        kind="conv",
        in_shape=tuple(in_shape),
        out_shape=tuple(in_shape),
        weight=per_channel.reshape(-1, 1, 1, 1).copy(),
        bias=np.zeros(in_shape),
        groups=in_shape[0],
    )


def channel_uniform(values: np.ndarray, name: str, node_type: str) -> np.ndarray:
    """Per-channel values of a ``(C, H, W)`` array that must be uniform over H, W."""
    first = values.reshape(values.shape[0], -1)[:, :1]
    if not np.allclose(values.reshape(values.shape[0], -1), first, rtol=1e-6, atol=0):
        raise UnsupportedPrimitiveError(
            name,
            node_type,
            ["per-channel parameters after a Conv"],
            where="Lava backend (a Conv's output can only be scaled per channel)",
        )
    return first[:, 0]


def scale_rows(conn, gain: np.ndarray, name: str, node_type: str) -> None:
    """Multiply a connection's outputs by ``gain`` (its output shape): weights and bias."""
    gain = np.broadcast_to(gain, conn.out_shape)
    if conn.kind == "dense":
        conn.weight = conn.weight * gain.reshape(-1, 1)
    else:
        per_ch = channel_uniform(gain, name, node_type)
        conn.weight = conn.weight * per_ch.reshape(-1, 1, 1, 1)
    conn.bias = conn.bias * gain
