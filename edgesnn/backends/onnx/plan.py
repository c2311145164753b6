"""A NIR graph as the flat, ordered execution plan both ONNX forms are built from.

The plan is the reference simulator's own (``edgesnn.nir.sim.plan``), so the ONNX models
cannot drift from it: sub-graphs inlined with "/"-joined names, the same topological order,
the same back-edges (edges closing a cycle deliver the previous step's value), the same
shapes, and the same summation order of several edges into one node — forward
predecessors in name order, then back-edge predecessors in name order.

Graph inputs: a one-input graph reads the ONNX tensor ``x`` (as always); a multimodal graph
has one ONNX input per NIR Input node, named after it ("image", "audio"), which must not
collide with the model's other tensor names (``y``, ``state.*``, ``next.*``, ``rec.*``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nir


@dataclass
class Plan:
    """``inputs[name]`` lists ``(source, is_back_edge)`` in summation order."""

    nodes: dict[str, nir.NIRNode]
    order: list[str]
    inputs: dict[str, list[tuple[str, bool]]]
    shapes: dict[str, tuple[int, ...]]
    in_shapes: dict[str, tuple[int, ...]]
    input_names: list[str]  # the NIR Input nodes, in the simulator's order
    output_name: str
    back_sources: list[str] = field(default_factory=list)
    #: sums (synapses, pooling) whose inputs are real numbers, not integers (``nir.values``)
    real_sums: frozenset[str] = frozenset()

    @property
    def input_tensors(self) -> dict[str, str]:
        """ONNX graph input name of each Input node: ``x`` for a one-input graph, else the node's name."""
        if len(self.input_names) == 1:
            return {self.input_names[0]: "x"}
        return {n: n for n in self.input_names}

    @property
    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        """Feature shape per ONNX graph input name."""
        return {t: self.shapes[n] for n, t in self.input_tensors.items()}

    @property
    def out_shape(self) -> tuple[int, ...]:
        return self.shapes[self.output_name]


def build_plan(graph: nir.NIRGraph, ctx, input_bound: int | None = None) -> Plan:
    """The simulator's plan of ``graph`` (it validates edges, loops and shapes on the way).
    ``input_bound``: 1 when the Input nodes carry spikes, None for real values."""
    from ...errors import ArtifactError
    from ...nir.kinds import POOLS, SYNAPSES, kind
    from ...nir.sim import plan as sim_plan
    from ...nir.values import integer_bounds

    built = sim_plan.build(graph, ctx)
    flat = built.flat
    if len(flat.outputs) != 1:
        raise ArtifactError(f"the ONNX backend exports graphs with one Output; this one has outputs {flat.outputs}")
    if len(flat.inputs) > 1:
        _check_input_names(flat.inputs)
    inputs = {n: [(p, False) for p in built.preds[n]] + [(p, True) for p in built.back_preds[n]] for n in built.order}
    return Plan(
        nodes=dict(flat.nodes),
        order=list(built.order),
        inputs=inputs,
        shapes={n: tuple(k.out_shape) for n, k in built.kernels.items()},
        in_shapes={n: tuple(k.in_shape) for n, k in built.kernels.items()},
        input_names=list(flat.inputs),
        output_name=flat.outputs[0],
        back_sources=sorted({p for ps in built.back_preds.values() for p in ps}),
        real_sums=frozenset(
            n
            for n, bound in integer_bounds(flat, input_bound).items()
            if bound is None and kind(flat.nodes[n]) in SYNAPSES | POOLS
        ),
    )


RESERVED_PREFIXES = ("state.", "next.", "rec.")


def _check_input_names(names: list[str]) -> None:
    """Input node names become ONNX input names: refuse one that collides with another tensor's."""
    from ...errors import ArtifactError

    for name in names:
        if name == "y" or name.startswith(RESERVED_PREFIXES):
            raise ArtifactError(
                f"Input node '{name}' cannot name an ONNX graph input (reserved: y, state.*, next.*, "
                "rec.*); rename the input"
            )
