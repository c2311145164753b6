"""A NIR graph as the flat, ordered execution plan both ONNX forms are built from.

The plan is the reference simulator's own (``edgesnn.nir.sim.plan``), so the ONNX models
cannot drift from it: sub-graphs inlined with "/"-joined names, the same topological order,
the same back-edges (edges closing a cycle deliver the previous step's value), the same
shapes, and the same summation order of several edges into one node — forward
predecessors in name order, then back-edge predecessors in name order.
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
    input_name: str
    output_name: str
    back_sources: list[str] = field(default_factory=list)

    @property
    def in_shape(self) -> tuple[int, ...]:
        return self.shapes[self.input_name]

    @property
    def out_shape(self) -> tuple[int, ...]:
        return self.shapes[self.output_name]


def build_plan(graph: nir.NIRGraph, ctx) -> Plan:
    """The simulator's plan of ``graph`` (it validates edges, loops and shapes on the way)."""
    from ...errors import ArtifactError
    from ...nir.sim import plan as sim_plan

    built = sim_plan.build(graph, ctx)
    flat = built.flat
    if len(flat.inputs) != 1 or len(flat.outputs) != 1:
        raise ArtifactError(f"the ONNX backend exports graphs with one Input and one Output; this one has "
                            f"inputs {flat.inputs} and outputs {flat.outputs}")
    inputs = {n: [(p, False) for p in built.preds[n]] + [(p, True) for p in built.back_preds[n]]
              for n in built.order}
    return Plan(
        nodes=dict(flat.nodes),
        order=list(built.order),
        inputs=inputs,
        shapes={n: tuple(k.out_shape) for n, k in built.kernels.items()},
        in_shapes={n: tuple(k.in_shape) for n, k in built.kernels.items()},
        input_name=flat.inputs[0],
        output_name=flat.outputs[0],
        back_sources=sorted({p for ps in built.back_preds.values() for p in ps}),
    )

