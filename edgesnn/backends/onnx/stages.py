"""How the unrolled form cuts a plan: stages, and the prefix / core / suffix around the Scans.

* **stages**: the strongly connected components (Tarjan) in topological order, each in plan
  order. A stage of one node with no self-edge is acyclic; any other stage is a cycle (a
  recurrent layer) that must run step by step as a whole.
* **prefix**: the stateless acyclic nodes whose every input is a graph Input (one per
  modality in a multimodal graph) or another prefix node. They are functions of x[t] alone, so they run once on all T·B rows — or once on
  x[0] when every step sees the same input (static encoding): then they are time-invariant.
* **core**: every stateful node (neuron, Delay), every cycle, and every stateless node that
  feeds one of them: what has to run inside a Scan over T (or, stage by stage, around Scans).
* **suffix**: the remaining stateless nodes (read-outs after the last neuron); they run once
  on all T·B rows after the core.
"""

from __future__ import annotations

from dataclasses import dataclass

from .neurons import STATEFUL
from .plan import Plan


def stages(plan: Plan) -> list[list[str]]:
    """Strongly connected components (Tarjan) in topological order, each in plan order."""
    succ = _successors(plan)
    index, low, on_stack, stack, comps = {}, {}, set(), [], []

    def visit(root: str) -> None:
        work = [(root, iter(succ[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    comps.append(sorted(comp, key=plan.order.index))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(succ[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for name in plan.order:
        if name not in index:
            visit(name)
    return comps[::-1]


def _successors(plan: Plan) -> dict[str, list[str]]:
    succ: dict[str, list[str]] = {n: [] for n in plan.order}
    for dst, srcs in plan.inputs.items():
        for src, _ in srcs:
            succ[src].append(dst)
    return succ


def is_cyclic(plan: Plan, stage: list[str]) -> bool:
    return len(stage) > 1 or any(src == stage[0] for src, _ in plan.inputs[stage[0]])


@dataclass
class Segments:
    """``prefix`` and ``suffix``: node names in plan order; ``core``: stages in topological order."""

    prefix: list[str]
    core: list[list[str]]
    suffix: list[str]

    @property
    def core_nodes(self) -> list[str]:
        return [n for stage in self.core for n in stage]


def segments(plan: Plan) -> Segments:
    """Cut ``plan`` (without its Inputs) into prefix, core and suffix (see the module docstring)."""
    order = [s for s in stages(plan) if s[0] not in plan.input_names]
    stateful = {n for s in order for n in s if is_cyclic(plan, s) or type(plan.nodes[n]) in STATEFUL}
    prefix: list[str] = []
    for stage in order:
        name = stage[0]
        if name not in stateful and all(s in plan.input_names or s in prefix for s, _ in plan.inputs[name]):
            prefix.append(name)
    feeds = set(stateful)  # nodes from which a stateful node is reachable
    succ = _successors(plan)
    for stage in reversed(order):
        for name in stage:
            if any(d in feeds for d in succ[name]):
                feeds.add(name)
    core = [s for s in order if s[0] not in prefix and s[0] in feeds]
    suffix = [s[0] for s in order if s[0] not in prefix and s[0] not in feeds]
    return Segments(prefix, core, suffix)
