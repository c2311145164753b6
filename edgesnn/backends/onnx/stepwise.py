"""The stepwise form: one timestep with every state as an explicit input and output.

Inputs ``x [B, *in]`` (float32; a multimodal graph: one input per modality instead, named
after its NIR Input node, e.g. ``image [B, 1, 8, 8]``, ``audio [B, 13]``) then, in ``metadata.states`` order, ``state.<node>.<key>``
(neuron states ``v`` / ``i_syn``, Delay ``buffer [D, B, *f]``, and ``state.<node>.out`` the
previous output of a node that feeds a recurrent edge). Outputs ``y [B, *out]`` (float32),
then ``next.<node>.<key>`` in the same order, then ``rec.<node> [B, *shape]`` when recording.
States are in the model's precision (``metadata.precision``) and start at zero, except the
``state.<node>.out`` listed in ``metadata.initial_states`` (the network's output at rest, the
simulator's convention for recurrent edges at t = 0), broadcast over the batch. A device loop
feeds each ``next.*`` back as ``state.*``.
"""

from __future__ import annotations

import numpy as np
import onnx

from .arithmetic import Arithmetic
from .builder import Builder, value_info
from .model import finish
from .plan import Plan
from .step import emit_step, is_neuron, state_specs

BATCH = "batch"


def _dims(shape: tuple) -> list:
    return [BATCH if d == "B" else d for d in shape]


def io_cast(b: Builder, x: str, num: Arithmetic, to_model: bool, output: bool = False) -> str:
    """float32 graph I/O ↔ the model's arithmetic dtype. Integer arithmetic quantises the input,
    clip(rint(x · (1/scale)), ±127) (the product in float32), and gives the graph's ``output``
    back in the float model's units, float32(V) · float32(1/λ) (``numerics/integer.py``)."""
    if num.is_integer and to_model:
        q = b.op("Round", b.op("Mul", x, b.const(np.float32(1.0 / num.integer["input_scale"]), np.float32)))
        q = b.op("Clip", q, b.const(np.float32(-127), np.float32), b.const(np.float32(127), np.float32))
        return b.cast(q, num.dtype)
    if num.dtype == np.float32:
        return x
    y = b.cast(x, num.dtype if to_model else np.float32)
    scale = (num.integer or {}).get("output_scale")
    if output and scale is not None:
        y = b.op("Mul", y, b.const(np.asarray(scale, np.float32), np.float32, "output_scale"))
    return y


def build_stepwise(
    plan: Plan, num: Arithmetic, props: dict, record: bool = False, rest: dict | None = None
) -> onnx.ModelProto:
    b = Builder()
    inputs = [value_info(t, np.float32, [BATCH, *shape]) for t, shape in plan.input_shapes.items()]
    n_in = len(inputs)
    states = {}
    for node, key, shape in state_specs(plan, num):
        states[(node, key)] = f"state.{node}.{key}"
        inputs.append(value_info(states[(node, key)], num.dtype, _dims(shape)))
    prev = {}
    for src in plan.back_sources:
        prev[src] = f"state.{src}.out"
        inputs.append(value_info(prev[src], num.dtype, [BATCH, *plan.shapes[src]]))

    values = {n: io_cast(b, t, num, True) for n, t in plan.input_tensors.items()}
    body = [n for n in plan.order if n not in values]
    values, new_states = emit_step(b, plan, body, values, prev, states, num)
    y = b.op("Identity", io_cast(b, values[plan.output_name], num, False, output=True), out="y")
    outputs = [value_info(y, np.float32, [BATCH, *plan.out_shape])]
    for node, key, shape in state_specs(plan, num):
        name = b.op("Identity", new_states[(node, key)], out=f"next.{node}.{key}")
        outputs.append(value_info(name, num.dtype, _dims(shape)))
    for src in plan.back_sources:
        name = b.op("Identity", values[src], out=f"next.{src}.out")
        outputs.append(value_info(name, num.dtype, [BATCH, *plan.shapes[src]]))
    records = [n for n in plan.order if is_neuron(plan.nodes[n])] if record else []
    for node in records:
        rec = b.op("Identity", io_cast(b, values[node], num, False), out=f"rec.{node}")
        outputs.append(value_info(rec, np.float32, [BATCH, *plan.shapes[node]]))

    graph = b.graph("edgesnn_stepwise", inputs, outputs, with_initializers=True)
    init = {
        f"state.{s}.out": {"shape": list(v.shape), "values": v.ravel().tolist()}
        for s, v in (rest or {}).items()
        if np.any(v != 0)
    }
    props = {
        **props,
        "form": "stepwise",
        "output": "y",
        "records": records,
        "states": [inp.name for inp in inputs[n_in:]],
        "initial_states": init,
    }
    return finish(graph, props)
