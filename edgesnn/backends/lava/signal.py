"""What flows between nodes while a graph is lowered to Lava: terms of a sum of signals."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class _Signal:
    """One term of what flows out of a node: a unit's output (population/input) or a pending connection.

    A node's output is a tuple of terms, summed: NIR sums every edge into a node, and a linear
    node fed by several edges becomes one connection per term (``W (a + b) = W a + W b``).
    """

    ref: str
    shape: tuple[int, ...]
    pending: bool  # ref names a Connection not yet consumed


def _terms(inputs: list[tuple[_Signal, ...]]) -> list[_Signal]:
    return [t for terms in inputs for t in terms]
