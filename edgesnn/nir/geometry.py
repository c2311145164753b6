"""Convolution and pooling geometry of NIR nodes, defined once for the simulator, backends and metrics.

Along one spatial dimension a window of ``k`` taps with dilation ``d`` and stride ``s`` slides over
``n`` inputs zero padded by ``p_lo`` before and ``p_hi`` after. Output position ``y`` reads input

    i = y·s − p_lo + j·d        through tap j = 0 … k−1,

so there are

    out = ⌊(n + p_lo + p_hi − d·(k − 1) − 1) / s⌋ + 1

output positions (:func:`conv_out`; torch's ``Conv{1,2}d`` / ``AvgPool2d`` with ``ceil_mode=False``).
Pooling is the same window with ``d = 1``.

NIR's parameters, normalised by :func:`conv_geometry` / :func:`pool_geometry` into a
:class:`Geometry` of per-dimension tuples:

- kernel: a Conv's ``weight.shape[2:]``; a pool's ``kernel_size`` (int or one per dimension).
- stride: int or one per dimension; a pool's ``None`` means the kernel (non-overlapping windows).
- dilation: int or one per dimension; ``None`` means 1 (NIR's default). Pools have none (1).
- padding: int or one per dimension, the same on both sides (``p_lo = p_hi = p``); ``"valid"``
  is 0; ``"same"`` keeps ``out = n`` at stride 1 by padding ``d·(k − 1)`` in total, the smaller
  half before (``p_lo = ⌊d·(k − 1)/2⌋``, the odd zero at the end: torch's choice) — stride 1
  only. A pool's ``None`` is 0.

Malformed values (a sequence of the wrong length, an unknown padding string, "same" with a
stride) are ArtifactErrors naming the node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ArtifactError

Shape = tuple[int, ...]
Pads = tuple[tuple[int, int], ...]


def ints(name: str, field: str, value: Any, n: int) -> Shape:
    """An int or n-tuple parameter (stride, dilation, kernel size...) as an n-tuple of ints."""
    flat = np.atleast_1d(np.asarray(value)).ravel()
    if flat.size == 1:
        flat = np.repeat(flat, n)
    if flat.size != n:
        raise ArtifactError(f"node '{name}': '{field}' = {value!r} must be an int or {n} ints")
    return tuple(int(v) for v in flat)


def conv_out(n: int, kernel: int, stride: int = 1, padding: int | tuple[int, int] = 0, dilation: int = 1) -> int:
    """Output positions along one dimension: ``⌊(n + p_lo + p_hi − d·(k − 1) − 1)/s⌋ + 1``.

    ``padding`` is ``p`` on both sides or a ``(p_lo, p_hi)`` pair. May be ≤ 0 when the window
    does not fit (callers refuse that with their own message).
    """
    lo, hi = (padding, padding) if np.ndim(padding) == 0 else padding
    return (int(n) + int(lo) + int(hi) - int(dilation) * (int(kernel) - 1) - 1) // int(stride) + 1


@dataclass(frozen=True)
class Geometry:
    """A convolution or pooling window, one entry per spatial dimension; ``pads[i] = (p_lo, p_hi)``."""

    kernel: Shape
    stride: Shape
    dilation: Shape
    pads: Pads

    @classmethod
    def of(cls, kernel: Sequence[int], stride=1, dilation=1, padding=0) -> Geometry:
        """From explicit values: ints broadcast to every dimension, ``padding`` an int per side
        (per dimension) or ``(p_lo, p_hi)`` pairs."""
        nd = len(kernel)
        pad = np.asarray(padding, dtype=int)
        if pad.ndim == 2:
            pads = tuple((int(a), int(b)) for a, b in pad)
        else:
            pads = tuple((p, p) for p in ints("window", "padding", padding, nd))
        return cls(
            tuple(int(k) for k in kernel),
            ints("window", "stride", stride, nd),
            ints("window", "dilation", dilation, nd),
            pads,
        )

    @property
    def pad_lo(self) -> Shape:
        return tuple(lo for lo, _ in self.pads)

    @property
    def pad_hi(self) -> Shape:
        return tuple(hi for _, hi in self.pads)

    @property
    def symmetric(self) -> bool:
        """The same padding on both sides of every dimension (``p_lo == p_hi``)."""
        return all(lo == hi for lo, hi in self.pads)

    def out_shape(self, spatial: Sequence[int]) -> Shape:
        """Output spatial shape for the input spatial shape ``spatial`` (:func:`conv_out` per dim)."""
        return tuple(
            conv_out(n, k, s, p, d)
            for n, k, s, p, d in zip(spatial, self.kernel, self.stride, self.pads, self.dilation)
        )


def zero_padding(name: str, padding, kernel: Shape, dilation: Shape, stride: Shape) -> Pads:
    """(before, after) zero padding per spatial dim; "same" pads d·(k−1), the odd one at the end."""
    if isinstance(padding, bytes):
        padding = padding.decode()
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ArtifactError(f"node '{name}': padding 'same' needs stride 1 (got {list(stride)})")
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ArtifactError(f"node '{name}': padding '{padding}' must be an int, a tuple, 'same' or 'valid'")
    return tuple((p, p) for p in ints(name, "padding", padding, len(kernel)))


def conv_geometry(name: str, node, nd: int | None = None) -> Geometry:
    """Geometry of a Conv1d/Conv2d node (``nd`` spatial dims, default ``weight.ndim − 2``): NIR's
    defaults applied (dilation 1), checked, and "same"/"valid" padding resolved."""
    kernel = tuple(int(k) for k in np.shape(node.weight)[2:])
    nd = len(kernel) if nd is None else nd
    stride = ints(name, "stride", node.stride, nd)
    dilation = ints(name, "dilation", node.dilation if node.dilation is not None else 1, nd)
    return Geometry(kernel, stride, dilation, zero_padding(name, node.padding, kernel, dilation, stride))


def pool_geometry(name: str, node) -> Geometry:
    """Geometry of a SumPool2d/AvgPool2d node: NIR's defaults applied (stride = kernel,
    padding 0, no dilation), checked."""
    kernel = ints(name, "kernel_size", node.kernel_size, 2)
    stride = ints(name, "stride", node.stride if node.stride is not None else kernel, 2)
    padding = node.padding if node.padding is not None else 0
    return Geometry(kernel, stride, (1, 1), zero_padding(name, padding, kernel, (1, 1), stride))


__all__ = ["Geometry", "Pads", "Shape", "conv_geometry", "conv_out", "ints", "pool_geometry", "zero_padding"]
