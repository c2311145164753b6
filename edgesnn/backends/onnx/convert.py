"""``nir2onnx``: a NIR graph → an ONNX model (stepwise or unrolled), settings from its metadata."""

from __future__ import annotations

from typing import Any

import nir
import onnx

from ...errors import UsageError
from .numerics import DEFAULT_DT, DEFAULT_RESET, Numerics
from .plan import build_plan
from .step import check_supported

FORMS = ("unrolled", "stepwise")


def graph_settings(graph: nir.NIRGraph) -> dict[str, Any]:
    """dt, reset, timesteps, encoder of ``graph.metadata`` (the simulator's reader when it exists)."""
    try:
        from ...nir.graph import graph_settings as shared
    except ImportError:
        shared = None
    if shared is not None:
        settings = dict(shared(graph))
    else:
        meta = dict(getattr(graph, "metadata", None) or {})
        settings = {"dt": float(meta.get("dt", DEFAULT_DT)), "reset": str(meta.get("reset", DEFAULT_RESET))}
    meta = dict(getattr(graph, "metadata", None) or {})
    for key in ("timesteps", "encoder"):
        settings.setdefault(key, meta.get(key))
    return settings


def nir2onnx(graph: nir.NIRGraph, form: str = "unrolled", record: bool = False,
             supports: list[str] | None = None, **numerics: Any) -> onnx.ModelProto:
    """Lower ``graph`` to one checked ONNX model.

    ``form``: "unrolled" (x [T, B, *in] → y [T, B, *out]) or "stepwise" (one step, explicit
    states). ``record`` adds ``rec.<node>`` outputs for every neuron node. ``supports``: the
    target's primitive list (an extra restriction). ``numerics`` overrides Numerics fields.
    """
    from .stepwise import build_stepwise
    from .unrolled import build_unrolled

    if form not in FORMS:
        raise UsageError(f"unknown ONNX form '{form}'; choose from: {', '.join(FORMS)}")
    settings = graph_settings(graph)
    num = Numerics(**{"dt": float(settings["dt"]), "reset": str(settings["reset"]), **numerics})
    plan = build_plan(graph)
    check_supported(plan, supports)
    props = {"dt": repr(num.dt), "reset": num.reset, "timesteps": "" if settings.get("timesteps") is None
             else str(settings["timesteps"]), "encoder": str(settings.get("encoder") or ""),
             "input_shape": list(plan.in_shape), "output_shape": list(plan.out_shape),
             "syn_dtype": str(num.syn_dtype.__name__)}
    build = build_unrolled if form == "unrolled" else build_stepwise
    return build(plan, num, props, record=record)
