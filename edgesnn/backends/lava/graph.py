"""Graph plumbing for the lowering: flatten nested NIR sub-graphs, find cycle-closing edges, order nodes."""

from __future__ import annotations

from collections import deque

from ...errors import UsageError


def flatten_graph(graph, prefix: str = "") -> tuple[dict, list[tuple[str, str]]]:
    """Nodes and edges of ``graph`` with every nested ``NIRGraph`` inlined as ``"sub/node"`` (the simulator's names).

    An edge into a sub-graph goes to its Input node(s); an edge out of it leaves from its
    Output node(s); the sub-graph's Input/Output nodes become pass-throughs that are removed.
    """
    nodes: dict = {}
    edges: list[tuple[str, str]] = []
    entry: dict[str, list[str]] = {}
    exit_: dict[str, list[str]] = {}
    for name, node in graph.nodes.items():
        full = f"{prefix}{name}"
        if type(node).__name__ == "NIRGraph":
            sub_nodes, sub_edges = flatten_graph(node, f"{full}/")
            ins = [n for n in node.nodes if type(node.nodes[n]).__name__ == "Input"]
            outs = [n for n in node.nodes if type(node.nodes[n]).__name__ == "Output"]
            entry[full] = _through(sub_nodes, sub_edges, [f"{full}/{n}" for n in ins], forward=True)
            exit_[full] = _through(sub_nodes, sub_edges, [f"{full}/{n}" for n in outs], forward=False)
            for n in ins + outs:
                sub_nodes.pop(f"{full}/{n}")
            sub_edges = [(a, b) for a, b in sub_edges if a in sub_nodes and b in sub_nodes]
            nodes.update(sub_nodes)
            edges.extend(sub_edges)
        else:
            nodes[full] = node
    for a, b in graph.edges:
        a, b = f"{prefix}{a}", f"{prefix}{b}"
        for src in exit_.get(a, [a]):
            for dst in entry.get(b, [b]):
                edges.append((src, dst))
    for a, b in edges:
        if a not in nodes or b not in nodes:
            raise UsageError(f"edge {a} -> {b} names a node that is not in the graph")
    return nodes, edges


def _through(nodes, edges, ends: list[str], forward: bool) -> list[str]:
    """The nodes just after a sub-graph's Input (forward) or just before its Output."""
    if forward:
        return [b for a, b in edges if a in ends]
    return [a for a, b in edges if b in ends]


def back_edges(nodes: dict, edges: list[tuple[str, str]], start: str) -> set[tuple[str, str]]:
    """Edges that close a cycle in a depth-first walk from ``start`` (NIR's one-step-delay edges)."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    stack = [(start, iter(succ[start]))]
    state[start] = 1
    while stack:
        node, it = stack[-1]
        nxt = next(it, None)
        if nxt is None:
            state[node] = 2
            stack.pop()
        elif state.get(nxt) == 1:
            back.add((node, nxt))
        elif nxt not in state:
            state[nxt] = 1
            stack.append((nxt, iter(succ[nxt])))
    return back


def topo_order(nodes: dict, edges: list[tuple[str, str]]) -> list[str]:
    """Kahn's order of the acyclic (forward) edges; nodes not reached from an Input come last."""
    indeg = {n: 0 for n in nodes}
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        indeg[b] += 1
        succ[a].append(b)
    queue = deque(n for n in nodes if indeg[n] == 0)
    order = []
    while queue:
        n = queue.popleft()
        order.append(n)
        for m in succ[n]:
            indeg[m] -= 1
            if indeg[m] == 0:
                queue.append(m)
    return order
