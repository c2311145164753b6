"""The graph-level settings of a NIR graph: timestep ``dt`` and reset mode.

Metadata convention (``graph.metadata``, written by edgesnn's torch→NIR export):

- ``dt``: timestep in seconds. Default ``DEFAULT_DT`` = 1e-4 s (the NIR paper's and
  snnTorch's export convention).
- ``reset``: "zero" | "subtract" | "none", for every spiking neuron. Default: "zero" for
  LIF/CubaLIF (NIR's v_reset semantics) and "subtract" for IF (Sinabs' IAF; see
  ``sim/neurons.py``). A neuron node's own ``metadata["reset"]`` takes precedence over the
  graph's; an explicit ``simulate(reset=...)`` over both.
- ``timesteps``, ``encoder``: informational, passed through.

``graph_settings`` reports the values and which were defaulted, so callers can say so.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import nir
import numpy as np

from ..errors import ArtifactError, EdgeSNNError, EdgeSNNWarning, UsageError
from .sim.base import RESET_MODES, SimContext

DEFAULT_DT = 1e-4
DEFAULT_RESET = "zero"
DEFAULT_IF_RESET = "subtract"


def graph_settings(graph: nir.NIRGraph) -> dict[str, Any]:
    """``{"dt", "reset", "if_reset", "timesteps", "encoder", "defaulted": [...]}`` from ``graph.metadata``.

    ``reset`` applies to LIF/CubaLIF, ``if_reset`` to IF; both equal the metadata's ``reset``
    when it is given. ``defaulted`` names the settings that fell back to a default.
    """
    meta = getattr(graph, "metadata", None) or {}
    defaulted = []
    dt = meta.get("dt")
    if dt is None:
        dt, defaulted = DEFAULT_DT, ["dt"]
    dt = check_dt(dt, "graph.metadata['dt']")
    reset = meta.get("reset")
    if reset is None:
        reset, if_reset = DEFAULT_RESET, DEFAULT_IF_RESET
        defaulted.append("reset")
    else:
        reset = if_reset = check_reset(reset, "graph.metadata['reset']")
    timesteps = meta.get("timesteps")
    encoder = meta.get("encoder")
    return {
        "dt": dt,
        "reset": reset,
        "if_reset": if_reset,
        "timesteps": None if timesteps is None else int(timesteps),
        "encoder": None if encoder is None else _text(encoder),
        "defaulted": defaulted,
    }


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def check_dt(value: Any, where: str, error: type[EdgeSNNError] = ArtifactError) -> float:
    try:
        dt = float(value)
    except (TypeError, ValueError):
        dt = float("nan")
    if not math.isfinite(dt) or dt <= 0:
        raise error(f"{where} = {value!r} is not a positive number of seconds; use e.g. 1e-3")
    return dt


def check_reset(value: Any, where: str, error: type[EdgeSNNError] = ArtifactError) -> str:
    reset = _text(value)
    if reset not in RESET_MODES:
        raise error(f"{where} = {reset!r} is not a reset mode; choose from {', '.join(RESET_MODES)}")
    return reset


def refuse_semantics(reset: str | None, dt: float | None, why: str) -> None:
    """UsageError when ``--reset`` / ``--dt`` are given for a model that already states them."""
    given = [f"--{k}" for k, v in (("reset", reset), ("dt", dt)) if v is not None]
    if given:
        verb = "applies" if len(given) == 1 else "apply"
        raise UsageError(f"{' and '.join(given)} {verb} only to a bare .nir file; {why}: drop {' and '.join(given)}")


def with_semantics(
    graph: nir.NIRGraph, where: str, *, reset: str | None = None, dt: float | None = None
) -> nir.NIRGraph:
    """``graph`` with the semantics a NIR file cannot always state, given on the command line
    (``--reset``, ``--dt``) and written into ``graph.metadata`` (so the manifest records them).

    A value the graph already states and the option contradicts is a UsageError; a setting
    still missing afterwards is assumed (``graph_settings``' default) with one warning."""
    meta = dict(graph.metadata or {})
    for key, value, check in (("reset", reset, check_reset), ("dt", dt, check_dt)):
        if value is None:
            continue
        value = check(value, f"--{key}", UsageError)
        stated = meta.get(key)
        if stated is not None and (_text(stated) if key == "reset" else float(stated)) != value:
            raise UsageError(
                f"{where} states {key}={_text(stated) if key == 'reset' else float(stated)!r}; --{key} "
                f"{value} contradicts it: drop --{key}"
            )
        meta[key] = value
    graph.metadata = meta
    settings = graph_settings(graph)
    if settings["defaulted"]:
        kinds = node_types(graph)
        resets = (
            [f"{settings['reset']} ({'/'.join(sorted(kinds & {'LIF', 'CubaLIF'}))})"]
            if kinds & {"LIF", "CubaLIF"}
            else []
        )
        resets += [f"{settings['if_reset']} (IF)"] if "IF" in kinds else []
        shown = {"dt": f"{settings['dt']:g} s", "reset": ", ".join(resets) or settings["reset"]}
        assumed = ", ".join(f"{k}={shown[k]}" for k in settings["defaulted"])
        options = " / ".join(f"--{k}" for k in settings["defaulted"])
        warnings.warn(
            EdgeSNNWarning(
                f"{where} does not state {' or '.join(settings['defaulted'])}; assuming {assumed} "
                f"(pass {options} if it was trained otherwise)"
            ),
            stacklevel=2,
        )
    return graph


def sim_context(graph: nir.NIRGraph, dt: float | None = None, reset: str | None = None, dtype=None) -> SimContext:
    """The simulator settings: explicit arguments override the graph's metadata and defaults."""
    s = graph_settings(graph)
    dt_ = s["dt"] if dt is None else check_dt(dt, "dt", UsageError)
    if reset is not None:
        s["reset"] = s["if_reset"] = check_reset(reset, "reset", UsageError)
    return SimContext(
        dt=dt_, reset=s["reset"], if_reset=s["if_reset"], dtype=dtype or np.float64, reset_forced=reset is not None
    )


# ----------------------------------------------------------------------------- validation


def node_types(graph: nir.NIRGraph) -> set[str]:
    """The NIR type names of every node, nested graphs included."""
    kinds: set[str] = set()
    for node in graph.nodes.values():
        kinds |= node_types(node) if isinstance(node, nir.NIRGraph) else {type(node).__name__}
    return kinds
