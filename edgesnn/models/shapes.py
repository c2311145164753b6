"""Shape arithmetic, and the miRNA study's Algorithm 1 for the 1-D CNN.

A 1-D CNN block is ``Conv1d(kernel wd, valid) → pool(h, stride h) → neuron``; its output
length is ``floor((L − wd + 1) / h)``: the conv leaves ``n = L − wd + 1`` positions and the pool
``floor((n − h)/h) + 1 = floor(n / h)`` (:func:`edgesnn.nir.geometry.conv_out`,
``out = floor((n + p_lo + p_hi − d·(k − 1) − 1)/s) + 1``). Algorithm 1 takes the input length
L and the first block's (wd1, h1) and derives the dependent sizes of blocks 2 and 3 so every
block keeps at least one output position:

    L1 = ⌊(L − wd1 + 1) / h1⌋                      (must be ≥ 1)
    for k = 2, 3:
        wd_k = max(1, min(wd1, ⌈L_{k−1} / 2⌉))     kernel no wider than half the input
        h_k  = max(1, min(h1, L_{k−1} − wd_k + 1)) pool no wider than the conv output
        L_k  = ⌊(L_{k−1} − wd_k + 1) / h_k⌋

An impossible first block (wd1 > L, or h1 > L − wd1 + 1) is a ShapeError before any tensor
is built. Sizes the user fixes explicitly are kept and checked.
"""

from __future__ import annotations

import math

from ..errors import ShapeError
from ..nir.geometry import conv_out


def block_out(length: int, wd: int, h: int) -> int:
    """Length after a valid conv of width ``wd`` and a pool of width/stride ``h``."""
    return conv_out(conv_out(length, wd), h, stride=h)


def algorithm1(length: int, wd1: int, h1: int, fixed: dict[str, int] | None = None) -> dict[str, int]:
    """Derive wd2, h2, wd3, h3 (and the block lengths) from L, wd1 and h1; see module docstring."""
    fixed = fixed or {}
    if wd1 < 1 or h1 < 1:
        raise ShapeError(f"1-D CNN: wd1={wd1} and h1={h1} must be ≥ 1")
    if wd1 > length:
        raise ShapeError(f"1-D CNN: kernel wd1={wd1} is wider than the input length {length}; use wd1 ≤ {length}")
    if h1 > length - wd1 + 1:
        raise ShapeError(
            f"1-D CNN: pool h1={h1} is wider than the first conv output ({length - wd1 + 1}); "
            f"use h1 ≤ {length - wd1 + 1}"
        )
    sizes = {"wd1": wd1, "h1": h1, "L1": block_out(length, wd1, h1)}
    prev = sizes["L1"]
    for k in (2, 3):
        wd = fixed.get(f"wd{k}") or max(1, min(wd1, math.ceil(prev / 2)))
        h = fixed.get(f"h{k}") or max(1, min(h1, prev - wd + 1))
        if wd > prev or h > prev - wd + 1:
            raise ShapeError(
                f"1-D CNN: block {k} (wd{k}={wd}, h{k}={h}) does not fit its input length {prev}; "
                f"leave wd{k}/h{k} unset to derive them"
            )
        sizes.update({f"wd{k}": wd, f"h{k}": h, f"L{k}": block_out(prev, wd, h)})
        prev = sizes[f"L{k}"]
    return sizes
