"""The graph the lowering walks: the reference simulator's flat graph, order and back-edges.

Flattening, evaluation order and the choice of cycle-closing edges are the simulator's own
(:func:`edgesnn.nir.flat.flatten` / :func:`~edgesnn.nir.flat.order`, one definition for
every consumer), so Lava breaks each cycle exactly where the judge does. The only change: a
sub-graph's own Input/Output nodes (identities in the simulator) are spliced out, an edge
``a -> sub/input -> b`` becoming ``a -> b``; the spliced edge is a back-edge when either half was.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...nir.flat import flatten, order


@dataclass
class LavaGraph:
    nodes: dict  # flat name -> NIR node (no sub-graph Input/Output)
    order: list[str]  # the simulator's topological order of the forward edges
    forward: list[tuple[str, str]]  # same-step edges
    back: set[tuple[str, str]]  # previous-step edges (closing a cycle)
    inputs: list[str]


def lava_graph(graph) -> LavaGraph:
    """Flatten ``graph`` as the simulator does and splice out sub-graph ports (raises ArtifactError)."""
    flat = flatten(graph)
    sequence, back = order(flat)
    top = set(flat.inputs) | set(flat.outputs)
    ports = {n for n, node in flat.nodes.items() if n not in top and type(node).__name__ in ("Input", "Output")}
    edges = {(a, b): (a, b) in back for a, b in flat.edges}
    for p in ports:
        ins = [(e, is_back) for e, is_back in edges.items() if e[1] == p]
        outs = [(e, is_back) for e, is_back in edges.items() if e[0] == p]
        for e, _ in ins + outs:
            edges.pop(e)
        for (a, _), back_in in ins:
            for (_, b), back_out in outs:
                edges[(a, b)] = edges.get((a, b), False) or back_in or back_out
    nodes = {n: node for n, node in flat.nodes.items() if n not in ports}
    return LavaGraph(
        nodes=nodes,
        order=[n for n in sequence if n not in ports],
        forward=[e for e, is_back in edges.items() if not is_back],
        back={e for e, is_back in edges.items() if is_back},
        inputs=list(flat.inputs),
    )
