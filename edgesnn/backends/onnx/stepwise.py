"""The stepwise form: one timestep with every state as an explicit input and output.

Inputs ``x [B, *in]`` then, in ``metadata.states`` order, ``state.<node>.<key>`` (neuron
states ``v`` / ``i_syn``, Delay ``buffer [D, B, *f]``, and ``state.<node>.out`` the previous
output of a node that feeds a recurrent edge). Outputs ``y [B, *out]``, then
``next.<node>.<key>`` in the same order, then ``rec.<node> [B, *shape]`` when recording.
States start at zero; a device loop feeds each ``next.*`` back as ``state.*``.
"""

from __future__ import annotations

import onnx

from .builder import Builder, value_info
from .model import finish
from .numerics import Numerics
from .plan import Plan
from .step import emit_step, is_neuron, state_specs

BATCH = "batch"


def _dims(shape: tuple) -> list:
    return [BATCH if d == "B" else d for d in shape]


def state_layout(plan: Plan, num: Numerics) -> list[tuple[str, tuple]]:
    """(state name without the ``state.`` prefix, shape with "B") in input order."""
    out = [(f"{n}.{k}", shp) for n, k, shp in state_specs(plan, num)]
    return out + [(f"{s}.out", ("B", *plan.shapes[s])) for s in plan.back_sources]


def build_stepwise(plan: Plan, num: Numerics, props: dict, record: bool = False) -> onnx.ModelProto:
    b = Builder()
    dtype = num.state_dtype
    inputs = [value_info("x", dtype, [BATCH, *plan.in_shape])]
    states = {}
    for node, key, shape in state_specs(plan, num):
        states[(node, key)] = f"state.{node}.{key}"
        inputs.append(value_info(states[(node, key)], dtype, _dims(shape)))
    prev = {}
    for src in plan.back_sources:
        prev[src] = f"state.{src}.out"
        inputs.append(value_info(prev[src], dtype, [BATCH, *plan.shapes[src]]))

    values, new_states = emit_step(b, plan, plan.order[1:], {plan.input_name: "x"}, prev, states, num)
    outputs = [value_info(b.op("Identity", values[plan.output_name], out="y"), dtype, [BATCH, *plan.out_shape])]
    for node, key, shape in state_specs(plan, num):
        name = b.op("Identity", new_states[(node, key)], out=f"next.{node}.{key}")
        outputs.append(value_info(name, dtype, _dims(shape)))
    for src in plan.back_sources:
        name = b.op("Identity", values[src], out=f"next.{src}.out")
        outputs.append(value_info(name, dtype, [BATCH, *plan.shapes[src]]))
    records = [n for n in plan.order if is_neuron(plan.nodes[n])] if record else []
    for node in records:
        outputs.append(value_info(b.op("Identity", values[node], out=f"rec.{node}"), dtype, [BATCH, *plan.shapes[node]]))

    graph = b.graph("edgesnn_stepwise", inputs, outputs, with_initializers=True)
    props = {**props, "form": "stepwise", "input": "x", "output": "y",
             "states": [f"state.{name}" for name, _ in state_layout(plan, num)], "records": records}
    return finish(graph, props)
