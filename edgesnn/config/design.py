"""A target's design rules, asked of its backend (``Backend.check_graph``) before any training."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nir

    from .schema import Target


def has_design_rules(target: Target) -> bool:
    """True when the target's backend checks graphs before training (Xylo's neuron and input limits)."""
    from ..backends.base import Backend
    from ..backends.registry import backend_class

    return backend_class(target.backend).check_graph is not Backend.check_graph


def takes_events(target: Target) -> bool:
    """True when the target's backend takes event counts (``Backend.event_input``: Xylo)."""
    from ..backends.registry import backend_class

    return backend_class(target.backend).event_input


def check_design(target: Target, graph: nir.NIRGraph) -> None:
    """ConstraintViolation (exit 2) naming the resource and its limit when ``graph`` does not fit ``target``."""
    from ..backends.registry import backend_class

    backend_class(target.backend)().check_graph(graph, target)
