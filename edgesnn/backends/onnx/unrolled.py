"""The unrolled form: ``x [T, B, *in] → y [T, B, *out]`` in one call, T and B dynamic.

Time batching: the graph is cut into stages in topological order of its strongly connected
components.
* a stateless node outside a cycle runs once on all T·B rows (``[T·B, *f]``): one MatMul /
  Conv per weight layer for the whole sequence;
* a neuron outside a cycle applies its state-free part (r·x) to the whole sequence, then an
  ONNX ``Scan`` over T runs only its state update; spikes leave the Scan as bool and are cast
  once for the whole sequence;
* a Delay outside a cycle is a shift in time (zeros first);
* a cycle (a recurrent layer) runs as one Scan over its whole step, with the previous values
  of its recurrent edges as Scan state.
Tensors switch between ``[T·B, *f]`` and ``[T, B, *f]`` with free reshapes.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from .builder import Builder, onnx_dtype, value_info
from .model import finish
from .neurons import STATEFUL, delay_sequence
from .numerics import Numerics
from .plan import Plan
from .stepwise import io_cast
from .step import emit_step, is_neuron, lower_stateless, state_specs, sum_inputs

TIME, BATCH = "time", "batch"


def stages(plan: Plan) -> list[list[str]]:
    """Strongly connected components (Tarjan) in topological order, each in plan order."""
    succ = {n: [] for n in plan.order}
    for dst, srcs in plan.inputs.items():
        for src, _ in srcs:
            succ[src].append(dst)
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


class _Values:
    """Each node's output in layout "flat" [T·B, *f] and/or "seq" [T, B, *f], converted lazily."""

    def __init__(self, b: Builder, plan: Plan, x: str):
        self.b, self.plan, self.store = b, plan, {}
        shape = b.op("Shape", x)
        self.tb = b.op("Slice", shape, b.ints([0]), b.ints([2]))
        self.batch = b.op("Slice", shape, b.ints([1]), b.ints([2]))

    def set(self, name: str, tensor: str, layout: str) -> None:
        self.store[name] = {layout: tensor}

    def get(self, name: str, layout: str) -> str:
        have = self.store[name]
        if layout not in have:
            feat = list(self.plan.shapes[name])
            if layout == "flat":
                target = self.b.ints([-1, *feat])
            else:
                target = self.b.op("Concat", self.tb, self.b.ints(feat), axis=0)
            have[layout] = self.b.op("Reshape", next(iter(have.values())), target)
        return have[layout]

    def initial(self, shape: tuple, dtype, value: np.ndarray | None = None) -> str:
        """A state of ``shape`` ("B" = the dynamic batch): zeros, or ``value`` broadcast over B."""
        parts = [self.batch if d == "B" else self.b.ints([d]) for d in shape]
        dims = self.b.op("Concat", *parts, axis=0) if len(parts) > 1 else parts[0]
        if value is not None and np.any(value != 0):
            return self.b.op("Expand", self.b.const(np.asarray(value, dtype)[None], dtype, "rest"), dims)
        return self.b.op("ConstantOfShape", dims, value=numpy_helper.from_array(np.zeros(1, dtype=dtype)))


def _scan(b: Builder, vals: _Values, states: list[tuple], seqs: list[str], body_fn, dtype) -> list[str]:
    """Scan over axis 0 of ``seqs`` with ``states`` (name hint, shape[, initial value or None]).

    ``body_fn(body, state_names, elem_names) -> (new_state_names, scan_out_names, out_dtypes)``.
    Returns the final states (unused) followed by the stacked scan outputs.
    """
    body = b.child()
    st_in = [b.fresh(f"{st[0]}.in") for st in states]
    el_in = [b.fresh("x_t") for _ in seqs]
    new_states, outs, out_dtypes = body_fn(body, st_in, el_in)
    taken = set(st_in) | set(el_in)
    outputs = []
    for i, name in enumerate([*new_states, *outs]):
        if name in taken:
            name = body.op("Identity", name)
        taken.add(name)
        outputs.append(name)
    in_infos = [value_info(n, dtype, [None if d == "B" else d for d in st[1]]) for n, st in zip(st_in, states)]
    in_infos += [value_info(n, dtype, None) for n in el_in]
    out_dtypes = [dtype] * len(new_states) + list(out_dtypes)
    out_infos = [value_info(n, dt, None) for n, dt in zip(outputs, out_dtypes)]
    graph = body.graph(b.fresh("scan_body"), in_infos, out_infos)
    inits = [vals.initial(st[1], dtype, st[2] if len(st) > 2 else None) for st in states]
    results = b.op("Scan", *inits, *seqs, n_out=len(outputs), body=graph, num_scan_inputs=len(seqs))
    return results if isinstance(results, list) else [results]


def _neuron_stage(b, plan, vals, name, num, record=False):
    node = plan.nodes[name]
    rule = STATEFUL[type(node)]
    x = sum_inputs(b, plan, name, {s: vals.get(s, "seq") for s, _ in plan.inputs[name]}, {})
    if rule.neuron is False:
        vals.set(name, delay_sequence(b, node, x, num), "seq")
        return
    u = rule.pre(b, node, x, num)
    specs = state_specs(plan, num, [name])

    def body_fn(body, st_in, el_in):
        out, nxt = rule.step(body, node, el_in[0], {key: t for (_, key, _), t in zip(specs, st_in)}, num)
        return [nxt[key] for _, key, _ in specs], [out], [bool if rule.spiking else num.dtype]

    result = _scan(b, vals, [(f"{name}.{k}", shp) for _, k, shp in specs], [u], body_fn, num.dtype)[-1]
    if rule.spiking:  # one cast for the whole sequence; named as the record when it can be one
        as_rec = f"rec.{name}" if record and num.dtype == np.float32 else None
        result = b.op("Cast", result, out=as_rec, to=onnx_dtype(num.dtype))
    vals.set(name, result, "seq")


def _recurrent_stage(b, plan, vals, block, needed, num, rest):
    """One Scan over the whole step of a cycle; its states include the recurrent edges' values."""
    inside = set(block)
    external = list(dict.fromkeys(s for n in block for s, _ in plan.inputs[n] if s not in inside))
    backs = [s for s in plan.back_sources if s in inside]
    specs = state_specs(plan, num, block)
    exposed = [n for n in block if n in needed]

    def body_fn(body, st_in, el_in):
        states = {(n, k): t for (n, k, _), t in zip(specs, st_in)}
        prev = dict(zip(backs, st_in[len(specs):]))
        values, new = emit_step(body, plan, block, dict(zip(external, el_in)), prev, states, num)
        return ([new[(n, k)] for n, k, _ in specs] + [values[s] for s in backs],
                [values[n] for n in exposed], [num.dtype] * len(exposed))

    st = [(f"{n}.{k}", shp) for n, k, shp in specs]
    st += [(f"{s}.out", ("B", *plan.shapes[s]), rest.get(s)) for s in backs]
    results = _scan(b, vals, st, [vals.get(s, "seq") for s in external], body_fn, num.dtype)
    for name, tensor in zip(exposed, results[len(st):]):
        vals.set(name, tensor, "seq")


def build_unrolled(plan: Plan, num: Numerics, props: dict, record: bool = False,
                   rest: dict | None = None) -> onnx.ModelProto:
    """``rest``: the value at rest of each recurrent-edge source (its input at t = 0)."""
    b = Builder()
    vals = _Values(b, plan, "x")
    vals.set(plan.input_name, io_cast(b, "x", num, True), "seq")
    records = [n for n in plan.order if is_neuron(plan.nodes[n])] if record else []
    for block in stages(plan):
        name = block[0]
        cyclic = len(block) > 1 or any(src == name for src, _ in plan.inputs[name])
        if name == plan.input_name:
            continue
        if cyclic:
            needed = {s for n in plan.order if n not in block for s, _ in plan.inputs[n]} | set(records)
            _recurrent_stage(b, plan, vals, block, needed, num, rest or {})
        elif type(plan.nodes[name]) in STATEFUL:
            _neuron_stage(b, plan, vals, name, num, bool(records))
        else:
            layout = "seq" if name == plan.output_name else "flat"
            x = sum_inputs(b, plan, name, {s: vals.get(s, layout) for s, _ in plan.inputs[name]}, {})
            vals.set(name, lower_stateless(b, plan, name, x, num), layout)

    y = b.op("Identity", io_cast(b, vals.get(plan.output_name, "seq"), num, False), out="y")
    outputs = [value_info(y, np.float32, [TIME, BATCH, *plan.out_shape])]
    for node in records:
        rec = vals.get(node, "seq")
        if rec != f"rec.{node}":
            rec = b.op("Identity", io_cast(b, rec, num, False), out=f"rec.{node}")
        outputs.append(value_info(rec, np.float32, [TIME, BATCH, *plan.shapes[node]]))
    graph = b.graph("edgesnn_unrolled", [value_info("x", np.float32, [TIME, BATCH, *plan.in_shape])], outputs,
                    with_initializers=True)
    props = {**props, "form": "unrolled", "input": "x", "output": "y", "states": [], "records": records}
    return finish(graph, props)
