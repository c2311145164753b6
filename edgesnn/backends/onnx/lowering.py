"""Stateless NIR nodes → ONNX nodes, on tensors ``[N, *features]``.

N is the batch B in the stepwise form and T·B in the unrolled form (time batching: one
Gemm/Conv per weight layer over all timesteps). Each function takes the builder, the NIR
node, the input tensor name, the input feature shape and the numerics, and returns the output
tensor name. Arithmetic is in ``numerics.dtype`` (see ``arithmetic.py``):

    Affine     y = W x + b            Linear  y = W x
    Conv1d/2d  y = W ⋆ x + b (NIR stride / padding / dilation / groups)
    SumPool2d  y = Σ_window x          AvgPool2d  y = (Σ_window x)·(1/(k_h k_w))
    Scale      y = s ⊙ x              Threshold  y = [x > θ]
    Flatten    reshape of the feature dims start_dim..end_dim (NIR has no batch dim)
"""

from __future__ import annotations

from collections.abc import Callable

import nir
import numpy as np

from ...nir.geometry import Geometry, conv_geometry, pool_geometry
from .arithmetic import Arithmetic
from .builder import Builder

Lowering = Callable[[Builder, nir.NIRNode, str, tuple, Arithmetic], str]


def _dense(b: Builder, node, x: str, shape: tuple, num: Arithmetic, bias: bool) -> str:
    """Gemm (bias inside) for a vector per sample, MatMul (+ Add) for a higher-rank input."""
    w = b.const(np.asarray(node.weight).T, num.dtype, "weight")
    has_bias = bias and node.bias is not None and np.any(np.asarray(node.bias) != 0)
    if len(shape) == 1 and np.issubdtype(num.dtype, np.floating):  # Gemm is float only
        args = [x, w] + ([b.const(np.asarray(node.bias), num.dtype, "bias")] if has_bias else [])
        return b.op("Gemm", *args)
    y = b.op("MatMul", x, w)
    if has_bias:
        y = b.op("Add", y, b.const(np.asarray(node.bias), num.dtype, "bias"))
    return y


def affine(b, node, x, shape, num):
    return _dense(b, node, x, shape, num, bias=True)


def linear(b, node, x, shape, num):
    return _dense(b, node, x, shape, num, bias=False)


def _window_index(shape: tuple, geo: Geometry) -> tuple[np.ndarray, tuple, tuple]:
    """Flat positions in the padded input of every (channel, output position, kernel tap).

    Output position y reads padded position y·s + j·d through tap j (:mod:`edgesnn.nir.geometry`).
    Returns ``idx [C, P, K]`` into ``[C·Hp·Wp]``, the padded spatial shape and the output
    spatial shape (1-d convs are 2-d with height 1).
    """
    channels, spatial = shape[0], tuple(shape[1:])
    padded = tuple(s + a + b for s, (a, b) in zip(spatial, geo.pads))
    out = geo.out_shape(spatial)
    pos = np.zeros((1, 1), dtype=np.int64)  # [P, K] offsets within one channel, built dim by dim
    for p_len, o_len, k_len, st, d in zip(padded, out, geo.kernel, geo.stride, geo.dilation):
        o = (np.arange(o_len) * st)[:, None] + (np.arange(k_len) * d)[None, :]  # [O, K] along this dim
        pos = (pos[:, None, :, None] * p_len + o[None, :, None, :]).reshape(pos.shape[0] * o_len, -1)
    idx = np.arange(channels)[:, None, None] * int(np.prod(padded)) + pos[None]
    return idx.astype(np.int64), padded, out


def _unfold(b: Builder, x: str, shape: tuple, geo: Geometry) -> tuple[str, tuple, np.ndarray]:
    """Gather the windows of ``x [N, C, *spatial]`` (zero padded): ``[N, C, P, K]``."""
    pads = geo.pads
    idx, padded, out = _window_index(shape, geo)
    if any(a or c for a, c in pads):
        x = b.op("Pad", x, b.ints([0, 0] + [a for a, _ in pads] + [0, 0] + [c for _, c in pads]))
    flat = b.op("Reshape", x, b.ints([-1, shape[0] * int(np.prod(padded))]))
    return b.op("Gather", flat, b.const(idx, np.int64, "window_index"), axis=1), out, idx


def conv(b, node, x, shape, num):
    """W ⋆ x + b: onnxruntime's Conv in float32; in float64 (which its Conv lacks) windows · W,
    a MatMul over C_in·K (groups as a block-diagonal weight)."""
    n = node.weight.ndim - 2
    geo = conv_geometry(type(node).__name__, node, n)
    stride, dil, pads = geo.stride, geo.dilation, geo.pads
    w = np.asarray(node.weight, dtype=np.float64)
    c_out, c_in_g, kernel = w.shape[0], w.shape[1], w.shape[2:]
    groups = int(np.asarray(node.groups if node.groups is not None else 1).ravel()[0])
    bias = [] if node.bias is None or not np.any(np.asarray(node.bias) != 0) else [np.asarray(node.bias).reshape(-1)]
    if num.dtype == np.float32:
        return b.op(
            "Conv",
            x,
            b.const(w, np.float32, "weight"),
            *[b.const(v, np.float32, "bias") for v in bias],
            strides=list(stride),
            dilations=list(dil),
            group=groups,
            kernel_shape=list(kernel),
            pads=[p[0] for p in pads] + [p[1] for p in pads],
        )
    windows, out, idx = _unfold(b, x, shape, geo)
    k = int(np.prod(kernel))
    cols = b.op("Reshape", b.op("Transpose", windows, perm=[0, 2, 1, 3]), b.ints([0, 0, shape[0] * k]))
    wmat = np.zeros((shape[0] * k, c_out))
    per_out = c_out // groups
    for g in range(groups):
        block = w[g * per_out : (g + 1) * per_out].reshape(per_out, c_in_g * k).T
        wmat[g * c_in_g * k : (g + 1) * c_in_g * k, g * per_out : (g + 1) * per_out] = block
    y = b.op("MatMul", cols, b.const(wmat, num.dtype, "weight"))
    if bias:
        y = b.op("Add", y, b.const(bias[0], num.dtype, "bias"))
    return b.op("Reshape", b.op("Transpose", y, perm=[0, 2, 1]), b.ints([-1, c_out, *out[-n:]]))


def _window_sum(b, node, x, shape, num) -> str:
    """Σ over each window (zero padding), in ``num.dtype``: ``[N, C, H_out, W_out]``."""
    windows, out, _ = _unfold(b, x, shape, pool_geometry(type(node).__name__, node))
    summed = b.op("ReduceSum", windows, b.ints([3]), keepdims=0)
    return b.op("Reshape", summed, b.ints([-1, shape[0], *out]))


def sum_pool(b, node, x, shape, num):
    return _window_sum(b, node, x, shape, num)


def avg_pool(b, node, x, shape, num):
    """The window sum (rounded to dtype) times 1/(k_h·k_w), as the simulator."""
    return average(b, node, _window_sum(b, node, x, shape, num), num)


def average(b, node, window_sum: str, num) -> str:
    """An AvgPool2d's window sum times 1/(k_h·k_w) in ``num.dtype``."""
    k = pool_geometry(type(node).__name__, node).kernel
    return b.op("Mul", window_sum, b.const(num.arr(1.0 / (k[0] * k[1])), num.dtype))


def scale(b, node, x, shape, num):
    return b.op("Mul", x, b.param(node.scale, num.dtype, "scale"))


def threshold(b, node, x, shape, num):
    spikes = b.op("Greater", x, b.param(node.threshold, num.dtype, "threshold"))
    return b.cast(spikes, num.dtype)


def flatten(b, node, x, shape, num):
    nd = len(shape)
    start, end = int(node.start_dim) % nd, int(node.end_dim) % nd
    out = (*shape[:start], int(np.prod(shape[start : end + 1])), *shape[end + 1 :])
    return b.op("Reshape", x, b.ints([-1, *out]))


STATELESS: dict[type, Lowering] = {
    nir.Affine: affine,
    nir.Linear: linear,
    nir.Conv1d: conv,
    nir.Conv2d: conv,
    nir.SumPool2d: sum_pool,
    nir.AvgPool2d: avg_pool,
    nir.Scale: scale,
    nir.Threshold: threshold,
    nir.Flatten: flatten,
}
