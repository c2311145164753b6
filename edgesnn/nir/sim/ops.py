"""Stateless NIR primitives (and Delay) for the reference simulator.

All maps act per timestep on a batch ``x[B, *in]``; NIR shapes never include the batch.

- Input / Output: y = x.
- Affine: y = W·x + b;  Linear: y = W·x  (W is ``[out, in]``, applied on the last axis).
- Scale: y = s ⊙ x.
- Conv1d / Conv2d: y = b + Σ W ⋆ x, cross-correlation exactly as ``torch.nn.functional.conv{1,2}d``
  (stride, zero padding given as int, tuple, "valid" or "same" — "same" pads
  d·(k−1) in total, the odd element on the right/bottom, stride 1 only — dilation, groups).
- SumPool2d: y = Σ over each k_h×k_w window (zero padding);  AvgPool2d: the same / (k_h·k_w),
  i.e. torch's ``AvgPool2d`` with ``count_include_pad=True, ceil_mode=False``.
- Flatten: NIR's ``start_dim`` / ``end_dim`` index the per-sample shape (NIR has no batch
  dimension): dims ``start_dim..end_dim`` (negative counts from the end) are merged. So
  ``start_dim=0`` on ``[8, 4, 4]`` gives ``[128]`` — what Sinabs writes for ``nn.Flatten()``
  and what snnTorch writes for ``nn.Flatten(start_dim=1)``.
- Threshold: y = H(x − θ) with H(0) = 0 (strict >, as NIR's docstring).
- Delay: y[t] = x[t − k], k = round(delay / dt) per element, zero before the first input.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...errors import ArtifactError, ShapeError
from ..geometry import Shape, conv_geometry, pool_geometry
from .base import Kernel, Lowering, SimContext, param

#: synaptic sums (dense, conv, pooling windows) accumulate in float64 and are rounded once to
#: the arithmetic's dtype: with float32 weights on the sum grid and integer inputs the float64
#: sum is exact, so a float32 artifact that adds the same terms in any order gets the same bits
#: (``edgesnn.numerics.float32``); a sum of real inputs is the float32 nearest its float64 value.
SUM_DTYPE = np.float64


def rounded(y: np.ndarray, ctx: SimContext) -> np.ndarray:
    """A float64 sum rounded once to ``ctx.dtype``."""
    return y.astype(ctx.dtype, copy=False)


def _identity(name: str, node, in_shape: Shape, ctx: SimContext) -> Kernel:
    return Kernel(in_shape, in_shape, lambda x, s: (x, s))


def _dense(name: str, weight, bias, in_shape: Shape, ctx: SimContext) -> Kernel:
    w = np.asarray(np.asarray(weight, dtype=ctx.dtype), dtype=SUM_DTYPE)
    if w.ndim != 2:
        raise ArtifactError(f"node '{name}': weight of shape {list(w.shape)} must be 2-D [out, in]")
    if not in_shape or in_shape[-1] != w.shape[1]:
        raise ShapeError(f"node '{name}': weight expects {w.shape[1]} inputs but receives shape {list(in_shape)}")
    wt = np.ascontiguousarray(w.T)
    b = None if bias is None else param(name, "bias", bias, (w.shape[0],), ctx).astype(SUM_DTYPE)
    out = (*in_shape[:-1], w.shape[0])
    if b is None:
        return Kernel(in_shape, out, lambda x, s: (rounded(x.astype(SUM_DTYPE, copy=False) @ wt, ctx), s))
    return Kernel(in_shape, out, lambda x, s: (rounded(x.astype(SUM_DTYPE, copy=False) @ wt + b, ctx), s))


def _affine(name, node, in_shape, ctx):
    return _dense(name, node.weight, node.bias, in_shape, ctx)


def _linear(name, node, in_shape, ctx):
    return _dense(name, node.weight, None, in_shape, ctx)


def _scale(name, node, in_shape, ctx):
    s = param(name, "scale", node.scale, in_shape, ctx)
    return Kernel(in_shape, in_shape, lambda x, st: (x * s, st))


def conv2d(x, w, b, stride, pads, dilation, groups):
    """Cross-correlation of ``x[B, C, H, W]`` with ``w[O, C/groups, kh, kw]``: im2col (channels last) + matmul."""
    batch = x.shape[0]
    out_ch, cg, kh, kw = w.shape
    x = np.ascontiguousarray(np.pad(x, ((0, 0), (0, 0), pads[0], pads[1])).transpose(0, 2, 3, 1))
    span = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    win = sliding_window_view(x, span, axis=(1, 2))[:, :: stride[0], :: stride[1], :, :: dilation[0], :: dilation[1]]
    ho, wo = win.shape[1], win.shape[2]
    og = out_ch // groups
    parts = []
    for g in range(groups):  # columns ordered (kh, kw, C) so the gather reads C contiguously
        cols = win[:, :, :, g * cg : (g + 1) * cg].transpose(0, 1, 2, 4, 5, 3).reshape(batch * ho * wo, kh * kw * cg)
        wg = w[g * og : (g + 1) * og].transpose(0, 2, 3, 1).reshape(og, kh * kw * cg)
        parts.append((cols @ wg.T).reshape(batch, ho, wo, og))
    y = np.concatenate(parts, axis=-1) if groups > 1 else parts[0]
    return y.transpose(0, 3, 1, 2) + b[None, :, None, None]


def _conv(name, node, in_shape, ctx, nd: int) -> Kernel:
    w = np.asarray(np.asarray(node.weight, dtype=ctx.dtype), dtype=SUM_DTYPE)
    if w.ndim != nd + 2:
        raise ArtifactError(f"node '{name}': Conv{nd}d weight must be {nd + 2}-D, got shape {list(w.shape)}")
    groups = int(np.asarray(node.groups).ravel()[0]) if node.groups is not None else 1
    if len(in_shape) != nd + 1 or in_shape[0] != w.shape[1] * groups:
        raise ShapeError(
            f"node '{name}': Conv{nd}d expects [{w.shape[1] * groups}, {', '.join(['*'] * nd)}] input, got {list(in_shape)}"
        )
    if groups < 1 or w.shape[0] % groups:
        raise ArtifactError(f"node '{name}': groups={groups} does not divide {w.shape[0]} output channels")
    geo = conv_geometry(name, node, nd)
    b = param(name, "bias", node.bias if node.bias is not None else 0.0, (w.shape[0],), ctx).astype(SUM_DTYPE)
    out_sp = geo.out_shape(in_shape[1:])
    if min(out_sp) < 1:
        raise ShapeError(f"node '{name}': input {list(in_shape)} is smaller than the kernel {list(w.shape[2:])}")
    out = (w.shape[0], *out_sp)
    stride, dilation, pads = geo.stride, geo.dilation, list(geo.pads)
    if nd == 1:  # a 1-D conv is a 2-D conv over a height-1 image
        w, stride, dilation, pads = w[:, :, None, :], (1, *stride), (1, *dilation), [(0, 0), *pads]

    def step(x, s):
        x4 = (x if nd == 2 else x[:, :, None, :]).astype(SUM_DTYPE, copy=False)
        y = rounded(conv2d(x4, w, b, stride, pads, dilation, groups), ctx)
        return (y if nd == 2 else y[:, :, 0, :]), s

    return Kernel(in_shape, out, step)


def _pool(name, node, in_shape, ctx, average: bool) -> Kernel:
    geo = pool_geometry(name, node)
    kernel, stride, pads = geo.kernel, geo.stride, geo.pads
    if len(in_shape) != 3:
        raise ShapeError(f"node '{name}': pooling expects [C, H, W] input, got {list(in_shape)}")
    out_sp = geo.out_shape(in_shape[1:])
    if min(out_sp) < 1:
        raise ShapeError(f"node '{name}': input {list(in_shape)} is smaller than the pooling window {list(kernel)}")
    scale = 1.0 / (kernel[0] * kernel[1]) if average else None

    def step(x, s):
        xp = np.pad(x, ((0, 0), (0, 0), pads[0], pads[1]))
        windows = sliding_window_view(xp, kernel, axis=(2, 3))[:, :, :: stride[0], :: stride[1]]
        y = rounded(windows.sum(axis=(-2, -1), dtype=SUM_DTYPE), ctx)
        return (y * scale if average else y), s

    return Kernel(in_shape, (in_shape[0], *out_sp), step)


def _flatten(name, node, in_shape, ctx) -> Kernel:
    nd = len(in_shape)
    start, end = int(node.start_dim), int(node.end_dim)
    start, end = start + nd if start < 0 else start, end + nd if end < 0 else end
    if not 0 <= start <= end < nd:
        raise ShapeError(
            f"node '{name}': Flatten start_dim={node.start_dim}, end_dim={node.end_dim} do not fit input {list(in_shape)} "
            "(NIR dims exclude the batch dimension)"
        )
    out = (*in_shape[:start], int(np.prod(in_shape[start : end + 1])), *in_shape[end + 1 :])
    return Kernel(in_shape, out, lambda x, s: (x.reshape(x.shape[0], *out), s))


def _threshold(name, node, in_shape, ctx) -> Kernel:
    theta = param(name, "threshold", node.threshold, in_shape, ctx)
    return Kernel(in_shape, in_shape, lambda x, s: ((x > theta).astype(ctx.dtype), s))


def _delay(name, node, in_shape, ctx) -> Kernel:
    steps = np.rint(param(name, "delay", node.delay, in_shape, ctx) / ctx.dt).astype(np.int64)
    if (steps < 0).any():
        raise ArtifactError(f"node '{name}': negative delay {np.min(node.delay)}")
    depth = int(steps.max()) + 1 if steps.size else 1

    def init(batch):  # ring buffer of the last `depth` inputs and the write position
        return np.zeros((depth, batch, *in_shape), dtype=ctx.dtype), 0

    def step(x, state):
        buf, pos = state
        buf[pos] = x
        idx = (pos - steps) % depth  # per element: slot written `steps` calls ago
        y = np.take_along_axis(buf, np.broadcast_to(idx, (1, x.shape[0], *in_shape)), axis=0)[0]
        return y, (buf, (pos + 1) % depth)

    return Kernel(in_shape, in_shape, step, init)


LOWERINGS: dict[str, Lowering] = {
    "Input": _identity,
    "Output": _identity,
    "Affine": _affine,
    "Linear": _linear,
    "Scale": _scale,
    "Conv1d": lambda n, node, s, c: _conv(n, node, s, c, 1),
    "Conv2d": lambda n, node, s, c: _conv(n, node, s, c, 2),
    "SumPool2d": lambda n, node, s, c: _pool(n, node, s, c, average=False),
    "AvgPool2d": lambda n, node, s, c: _pool(n, node, s, c, average=True),
    "Flatten": _flatten,
    "Threshold": _threshold,
    "Delay": _delay,
}

__all__ = ["LOWERINGS", "conv2d"]
