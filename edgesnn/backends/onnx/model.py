"""Finish an ONNX graph into a checked, self-describing model (metadata_props).

Metadata keys (all strings; lists and shapes as JSON): ``form`` (stepwise | unrolled),
``layout``, ``input`` / ``output`` (tensor names), ``input_shape`` / ``output_shape``
(features, no batch), ``dt``, ``reset``, ``timesteps``, ``encoder``, ``states`` (stepwise
state input names, in order), ``records`` (recorded node names; outputs ``rec.<node>``),
``edgesnn_version``, ``nir_version``.
"""

from __future__ import annotations

import json
from importlib import metadata as _md

import onnx
from onnx import helper

from .builder import IR_VERSION, OPSET

LAYOUTS = {
    "unrolled": "x [T, B, *in] -> y [T, B, *out]; rec.<node> [T, B, *shape]",
    "stepwise": "x [B, *in], state.* -> y [B, *out], next.* (same order); rec.<node> [B, *shape]",
}


def _version(pkg: str) -> str:
    try:
        return _md.version(pkg)
    except _md.PackageNotFoundError:
        return "unknown"


def finish(graph: onnx.GraphProto, props: dict) -> onnx.ModelProto:
    """Wrap ``graph`` into a model with metadata and run the full ONNX checker on it."""
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        producer_name="edgesnn",
        producer_version=_version("edgesnn"),
    )
    props = {
        **props,
        "layout": LAYOUTS[props["form"]],
        "edgesnn_version": _version("edgesnn"),
        "nir_version": _version("nir"),
    }
    helper.set_model_props(model, {k: v if isinstance(v, str) else json.dumps(v) for k, v in props.items()})
    onnx.checker.check_model(model, full_check=True)
    return model


def read_props(model_or_session) -> dict:
    """metadata_props back as a dict, JSON values decoded."""
    if isinstance(model_or_session, onnx.ModelProto):
        raw = {p.key: p.value for p in model_or_session.metadata_props}
    else:
        raw = dict(model_or_session.get_modelmeta().custom_metadata_map)
    out = {}
    for key, value in raw.items():
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out
