"""A small helper that emits ONNX nodes and initializers with unique names (onnx.helper only).

A ``Builder`` collects nodes for one graph; a sub-graph (a Scan body) gets a child builder
that shares the root's name counter and initializers, since ONNX sub-graphs may read
outer-scope values.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from onnx import GraphProto, TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # the IR version that goes with opset 17; onnxruntime >= 1.13 loads it

DTYPES = {
    np.dtype(np.float32): TensorProto.FLOAT,
    np.dtype(np.float64): TensorProto.DOUBLE,
    np.dtype(np.int64): TensorProto.INT64,
    np.dtype(bool): TensorProto.BOOL,
}


BOOL_OPS = frozenset({"Greater", "GreaterOrEqual", "Less", "LessOrEqual", "Equal", "Not", "And", "Or"})


def onnx_dtype(dtype) -> int:
    return DTYPES[np.dtype(dtype)]


class Builder:
    """Emit nodes into one graph. ``op`` returns the output name(s); ``const`` an initializer."""

    def __init__(self, root: Builder | None = None):
        self.root = root or self
        self.nodes: list = []
        if root is None:
            self.bools: set[str] = set()
            self.initializers: list[TensorProto] = []
            self._counts: Counter[str] = Counter()
            self._consts: dict[tuple, str] = {}

    def child(self) -> Builder:
        return Builder(self.root)

    def fresh(self, hint: str) -> str:
        counts = self.root._counts
        counts[hint] += 1
        return f"{hint}_{counts[hint]}"

    def op(self, op_type: str, *inputs: str, out: str | None = None, n_out: int = 1, **attrs):
        """Append one node; ``out`` fixes the (single) output name."""
        outs = [out] if out else [self.fresh(op_type.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, **attrs))
        if op_type in BOOL_OPS:
            self.root.bools.update(outs)
        return outs[0] if n_out == 1 else outs

    def const(self, value, dtype=np.float32, hint: str = "c") -> str:
        """An initializer holding ``value``; equal constants are stored once."""
        arr = np.ascontiguousarray(np.asarray(value, dtype=dtype))
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        root = self.root
        if key not in root._consts:
            name = root.fresh(hint)
            root.initializers.append(numpy_helper.from_array(arr, name))
            root._consts[key] = name
        return root._consts[key]

    def param(self, value, dtype=np.float32, hint: str = "p") -> str:
        """A per-neuron parameter: a scalar when every entry is equal (cheaper broadcasting)."""
        arr = np.asarray(value, dtype=dtype)
        if arr.size and np.all(arr == arr.flat[0]) and len(set(np.signbit(arr).ravel().tolist())) == 1:
            arr = arr.reshape(-1)[:1].reshape(())
        return self.const(arr, dtype, hint)

    def is_bool(self, name: str) -> bool:
        """Whether ``name`` is the output of a comparison (a bool tensor)."""
        return name in self.root.bools

    def cast(self, x: str, dtype) -> str:
        return self.op("Cast", x, to=onnx_dtype(dtype))

    def ints(self, values) -> str:
        return self.const(np.asarray(values, dtype=np.int64), np.int64, "i")

    def graph(self, name: str, inputs: list, outputs: list, with_initializers: bool = False) -> GraphProto:
        inits = self.root.initializers if with_initializers else []
        return helper.make_graph(self.nodes, name, inputs, outputs, initializer=inits)


def value_info(name: str, dtype, shape) -> helper.ValueInfoProto:
    """A typed graph input/output; ``None`` or a string in ``shape`` is a dynamic dimension."""
    return helper.make_tensor_value_info(name, onnx_dtype(dtype), None if shape is None else list(shape))
