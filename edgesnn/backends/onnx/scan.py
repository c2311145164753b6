"""Building blocks of the unrolled form: values in three layouts, and a block of nodes as one Scan.

A node's output lives in one or more layouts, converted lazily:
* "flat"   ``[T·B, *f]`` — what a time-batched Gemm / Conv consumes and produces;
* "seq"    ``[T, B, *f]`` — what a Scan consumes and produces (free reshape from/to "flat");
* "static" ``[B, *f]`` — a value that is the same at every step (a function of x[0] under
  static encoding); "seq" and "flat" are its broadcast over T (an Expand).

``block_scan`` runs a set of nodes step by step as one ONNX ``Scan`` over T: their states
(and the previous values of recurrent edges) are the Scan's state variables, inputs from
outside the block are scan inputs ("seq") or read directly from the outer scope ("static").
A stateful node whose inputs all come from outside the block has its state-free part
(``rule.pre``, e.g. gain·x) computed outside, once for the whole sequence or once for all
steps when static. Spikes that no node of the block reads leave the Scan as bool and are
cast once for the whole sequence.
"""

from __future__ import annotations

import numpy as np
from onnx import numpy_helper

from .arithmetic import Arithmetic
from .builder import Builder, onnx_dtype, value_info
from .neurons import STATEFUL, rules
from .plan import Plan
from .step import emit_step, state_specs, sum_inputs


class Values:
    """Each node's output per layout; ``tb`` / ``batch`` are shape tensors of the graph inputs.

    ``xs``: the float32 graph input tensors (one per modality); ``x`` the first (it sets T)."""

    def __init__(self, b: Builder, plan: Plan, xs: list[str], tb: str, batch: str):
        self.b, self.plan, self.xs, self.tb, self.batch = b, plan, list(xs), tb, batch
        self.x = self.xs[0]
        self.store: dict[str, dict[str, str]] = {}

    def set(self, name: str, tensor: str, layout: str) -> None:
        self.store[name] = {layout: tensor}

    def is_static(self, name: str) -> bool:
        return "static" in self.store[name]

    def get(self, name: str, layout: str) -> str:
        have = self.store[name]
        if layout not in have:
            b, feat = self.b, list(self.plan.shapes[name])
            if layout == "static":
                raise KeyError(f"{name} is not time-invariant")
            if layout == "seq":
                seq_shape = b.op("Concat", self.tb, b.ints(feat), axis=0)
                src = have["flat"] if "flat" in have else have["static"]
                op = "Reshape" if "flat" in have else "Expand"
                have["seq"] = b.op(op, src, seq_shape)
            else:
                have["flat"] = b.op("Reshape", self.get(name, "seq"), b.ints([-1, *feat]))
        return have[layout]

    def initial(self, shape: tuple, dtype, value: np.ndarray | None = None) -> str:
        """A state of ``shape`` ("B" = the dynamic batch): zeros, or ``value`` broadcast over B."""
        parts = [self.batch if d == "B" else self.b.ints([d]) for d in shape]
        dims = self.b.op("Concat", *parts, axis=0) if len(parts) > 1 else parts[0]
        if value is not None and np.any(value != 0):
            return self.b.op("Expand", self.b.const(np.asarray(value, dtype)[None], dtype, "rest"), dims)
        return self.b.op("ConstantOfShape", dims, value=numpy_helper.from_array(np.zeros(1, dtype=dtype)))


class LazySpikes(dict):
    """Step values where a spike (bool) is cast to the model's dtype only when a node reads it."""

    def __init__(self, b: Builder, num: Arithmetic, base: dict):
        super().__init__(base)
        self.b, self.num, self.spikes = b, num, {}

    def __missing__(self, key: str) -> str:
        if key not in self.spikes:
            raise KeyError(key)
        self[key] = self.b.cast(self.spikes[key], self.num.dtype)
        return self[key]


def scan(b: Builder, vals: Values, states: list[tuple], seqs: list[str], body_fn, dtype) -> list[str]:
    """Scan over axis 0 of ``seqs`` with ``states`` (name hint, shape[, initial value or None]).

    ``body_fn(body, state_names, elem_names) -> (new_state_names, scan_out_names, out_dtypes)``.
    Returns the final states followed by the stacked scan outputs.
    """
    body = b.child()
    st_in = [b.fresh(f"{st[0]}.in") for st in states]
    el_in = [b.fresh("x_t") for _ in seqs]
    new_states, outs, out_dtypes = body_fn(body, st_in, el_in)
    taken = set(st_in) | set(el_in)
    made = {o for n in body.nodes for o in n.output}
    outputs = []
    for name in [*new_states, *outs]:
        if name in taken or name not in made:
            name = body.op("Identity", name)  # a pass-through or an outer-scope value
        taken.add(name)
        outputs.append(name)
    in_infos = [value_info(n, dtype, [None if d == "B" else d for d in st[1]]) for n, st in zip(st_in, states)]
    in_infos += [value_info(n, np.float32 if s in vals.xs else dtype, None) for n, s in zip(el_in, seqs)]
    out_dtypes = [dtype] * len(new_states) + list(out_dtypes)
    out_infos = [value_info(n, dt, None) for n, dt in zip(outputs, out_dtypes)]
    graph = body.graph(b.fresh("scan_body"), in_infos, out_infos)
    inits = [vals.initial(st[1], dtype, st[2] if len(st) > 2 else None) for st in states]
    results = b.op("Scan", *inits, *seqs, n_out=len(outputs), body=graph, num_scan_inputs=len(seqs))
    return results if isinstance(results, list) else [results]


def block_scan(
    b: Builder, plan: Plan, vals: Values, block: list[str], exposed: list[str], num: Arithmetic, rest: dict
) -> None:
    """Run ``block`` (plan order) as one Scan; store the ``exposed`` nodes' outputs as "seq"."""
    inside = set(block)
    hoisted = [n for n in block if type(plan.nodes[n]) in STATEFUL and all(s not in inside for s, _ in plan.inputs[n])]
    external = list(dict.fromkeys(s for n in block if n not in hoisted for s, _ in plan.inputs[n] if s not in inside))
    outer = {s: vals.get(s, "static") for s in external if vals.is_static(s)}
    seq_ext = [s for s in external if s not in outer]
    ready_outer, ready_seq = {}, {}
    for n in hoisted:
        srcs = [s for s, _ in plan.inputs[n]]
        layout = "static" if all(vals.is_static(s) for s in srcs) else "seq"
        x = sum_inputs(b, plan, n, {s: vals.get(s, layout) for s in srcs}, {})
        u = rules(num)[type(plan.nodes[n])].pre(b, plan.nodes[n], x, num)
        (ready_outer if layout == "static" else ready_seq)[n] = u
    seqs = [vals.get(s, "seq") for s in seq_ext] + list(ready_seq.values())
    if not seqs:  # every input is time-invariant: scan the graph input only to count the steps
        seqs = [vals.x]
    backs = [s for s in plan.back_sources if s in inside]
    specs = state_specs(plan, num, block)
    kinds: list = []

    def body_fn(body, st_in, el_in):
        states = {(n, k): t for (n, k, _), t in zip(specs, st_in)}
        prev = dict(zip(backs, st_in[len(specs) :]))
        values = LazySpikes(body, num, {**outer, **dict(zip(seq_ext, el_in))})
        ready = {**ready_outer, **dict(zip(ready_seq, el_in[len(seq_ext) :]))}
        values, new = emit_step(body, plan, block, values, prev, states, num, ready)
        outs = []
        for n in exposed:
            raw = n not in values and n in values.spikes
            kinds.append(bool if raw else num.dtype)
            outs.append(values.spikes[n] if raw else values[n])
        return [new[(n, k)] for n, k, _ in specs] + [values[s] for s in backs], outs, list(kinds)

    st = [(f"{n}.{k}", shp) for n, k, shp in specs]
    st += [(f"{s}.out", ("B", *plan.shapes[s]), rest.get(s)) for s in backs]
    results = scan(b, vals, st, seqs, body_fn, num.dtype)
    for name, tensor, kind in zip(exposed, results[len(st) :], kinds):
        if kind is bool:  # one cast for the whole sequence
            tensor = b.op("Cast", tensor, to=onnx_dtype(num.dtype))
        vals.set(name, tensor, "seq")
