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
is built. Sizes the user fixes explicitly are kept and checked. This is ``shape_rule:
deterministic`` (the default): no draws, so a shape is a function of (L, wd1, h1) alone.

``shape_rule: paper`` (:func:`algorithm1_paper`) is the paper's Algorithm 1 *as written*, its
random draws and redraws included. ``random(a, b)`` is a uniform integer in [a, b] (both ends
included, Python's ``random.randint``), drawn from ``random.Random(seed)``; the paper's ``/``
in the pool formula is read as floor division (PyTorch's output size; a float length would
not be a length):

    s1 = ⌊(L − wd1 + 1 − h1) / h1⌋ + 1                      (= ⌊(L − wd1 + 1)/h1⌋)
    repeat:  h2 ← random(2, s1);  wd2 ← random(2, s1)          (lines 4–5, redrawn 9–12)
             s2 = ⌊(s1 − wd2 + 1 − h2) / h2⌋ + 1
    until s2 ≥ 2
    s2 = 2:  h3 = 1, wd3 = 2                                  (block 3 leaves one position)
    s2 > 2:  wd3 ← random(2, s2);  h3 ← random(2, wd3)
             h3 = 1 if s2 = wd3 or s2 − wd3 < h3              (line 21: the pool would not fit)

Line 20's ``s3`` is computed and never used in the paper; it is left out. A pair with
s2 ≥ 2 exists only when s1 ≥ 5 (wd2 = h2 = 2 leaves ⌊(s1 − 1)/2⌋ ≥ 2), so a first block
leaving s1 < 5 would redraw forever: that is a ShapeError, as is a pathological run of more
than ``MAX_REDRAWS`` redraws. Every size it returns builds (s1, s2 ≥ 2 and L3 ≥ 1).
"""

from __future__ import annotations

import math
import random

from ..errors import ShapeError
from ..nir.geometry import conv_out


def block_out(length: int, wd: int, h: int) -> int:
    """Length after a valid conv of width ``wd`` and a pool of width/stride ``h``."""
    return conv_out(conv_out(length, wd), h, stride=h)


def algorithm1(length: int, wd1: int, h1: int, fixed: dict[str, int] | None = None) -> dict[str, int]:
    """Derive wd2, h2, wd3, h3 (and the block lengths) from L, wd1 and h1; see module docstring."""
    fixed = fixed or {}
    check_first_block(length, wd1, h1)
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


#: the paper rule's redraw loop gives up (ShapeError) after this many draws of (h2, wd2)
MAX_REDRAWS = 100_000
#: the 1-D CNN's shape rules (hyper-parameter ``shape_rule``)
SHAPE_RULES = ("deterministic", "paper")


def _floor_pool(n: int, h: int) -> int:
    """The paper's ``(n − 1·(h − 1) − 1)/h + 1`` with floor division: a pool of width and stride h."""
    return (n - (h - 1) - 1) // h + 1


def algorithm1_paper(length: int, wd1: int, h1: int, seed: int) -> dict[str, int]:
    """The paper's Algorithm 1 as written (module docstring), its draws from ``random.Random(seed)``.

    Returns the same keys as :func:`algorithm1` (wd/h of the three blocks, lengths L1..L3) plus
    ``draws``: how many (h2, wd2) pairs were drawn before one fitted."""
    check_first_block(length, wd1, h1)
    rng = random.Random(int(seed))
    s1 = _floor_pool(length - wd1 + 1, h1)
    if s1 < 5:
        raise ShapeError(
            f"1-D CNN (shape_rule=paper): the first block (wd1={wd1}, h1={h1}) leaves {s1} positions of {length}; "
            "Algorithm 1 needs at least 5 to draw block 2 (h2, wd2 ≥ 2 with s2 ≥ 2): use a smaller wd1 or h1"
        )
    draws, s2 = 0, 0
    while s2 < 2:  # lines 4-13: draw, then redraw while block 2 leaves fewer than 2 positions
        if draws == MAX_REDRAWS:  # pragma: no cover - s1 ≥ 5 makes this vanishingly unlikely
            raise ShapeError(f"1-D CNN (shape_rule=paper): no block 2 fitted {s1} positions in {MAX_REDRAWS} draws")
        h2, wd2 = rng.randint(2, s1), rng.randint(2, s1)
        s2 = _floor_pool(s1 - wd2 + 1, h2)
        draws += 1
    if s2 == 2:
        h3, wd3 = 1, 2
    else:
        wd3 = rng.randint(2, s2)
        h3 = rng.randint(2, wd3)
        if s2 == wd3 or s2 - wd3 < h3:
            h3 = 1
    sizes = {"wd1": wd1, "h1": h1, "L1": s1, "wd2": wd2, "h2": h2, "L2": s2, "wd3": wd3, "h3": h3}
    sizes["L3"] = block_out(s2, wd3, h3)
    sizes["draws"] = draws
    return sizes


def check_first_block(length: int, wd1: int, h1: int) -> None:
    """ShapeError (one line) unless a valid conv of width wd1 and a pool h1 fit ``length``."""
    if wd1 < 1 or h1 < 1:
        raise ShapeError(f"1-D CNN: wd1={wd1} and h1={h1} must be ≥ 1")
    if wd1 > length:
        raise ShapeError(f"1-D CNN: kernel wd1={wd1} is wider than the input length {length}; use wd1 ≤ {length}")
    if h1 > length - wd1 + 1:
        raise ShapeError(
            f"1-D CNN: pool h1={h1} is wider than the first conv output ({length - wd1 + 1}); "
            f"use h1 ≤ {length - wd1 + 1}"
        )
