"""Timing and scaling along a path of connections: skip-path delays and where a neuron's gain goes.

A *path* is a chain of connection processes ending in a population (``lower.py``): the first
one is fed by a unit (the input or a population), each later one by the previous connection.
"""

from __future__ import annotations

from . import linear
from .plan import Connection, Plan


def chain(plan: Plan, c: Connection) -> list[Connection]:
    """``c`` and the connections in front of it, back to the one a unit feeds (last)."""
    links = [c]
    while links[-1].src in plan.connections:
        links.append(plan.connections[links[-1].src])
    return links


def pad(plan: Plan, c: Connection, steps: int) -> None:
    """Delay the path ending in ``c`` by ``steps`` Lava steps: identity connections in front of it.

    Lava has no axon delay on Dense/Conv, but every connection process delays by one step,
    so ``steps`` identity connections (a diagonal Dense of ones, or a depthwise 1x1 Conv of
    ones) between the path's source unit and its first connection make a skip path arrive
    with the same depth as the longest path into the neuron. They carry the source's values
    (spikes, or graded input) unchanged, in float and in fixed point (integer weight 1).
    """
    if steps <= 0:
        return
    links = chain(plan, c)
    head, unit = links[-1], links[-1].src
    shape = plan.unit_shape(unit)
    src, depth = unit, plan.depth(unit)
    for i in range(1, steps + 1):
        d = Connection(
            name=f"{head.name}.delay{i}",
            src=src,
            depth=depth + i,
            delay=True,
            graded_in=i > 1 or unit in plan.inputs,
            dst=head.name if i == steps else None,
            **linear.identity(shape),
        )
        if i > 1:
            plan.connections[src].dst = d.name
        plan.connections[d.name] = d
        src = d.name
    head.src, head.graded_in = src, True
    for link in links:
        link.depth += steps


def gain_head(plan: Plan, c: Connection) -> Connection:
    """Where a neuron's gain is folded: ``c``, or the Conv in front of the depthwise ops ending in ``c``.

    A per-channel gain commutes with a depthwise connection (pooling: channel ``k`` out
    depends on channel ``k`` in only), so it moves up a Conv -> pooling chain to the Conv. The
    pooling keeps its plain kernel (ones, or ``1/(kh kw)``) and a Conv trained on the Loihi
    grid keeps ``m 2^e`` in units of the threshold: the fixed-point integers are then exact
    (``quantize.py``) where folding into the pooling would round ``1/θ``.
    """
    head = c
    while (
        head.kind == "conv"
        and not head.delay
        and head.src in plan.connections
        and head.groups == head.in_shape[0] == head.out_shape[0]
        and head.weight.shape[1] == 1
        and plan.connections[head.src].kind == "conv"
        and not plan.connections[head.src].delay
    ):
        head = plan.connections[head.src]
    return head
