"""NIR, the hub: torch → NIR, graph I/O and checks, and the reference simulator."""

from .from_torch import NIR_PRIMITIVES, to_nir
from .graph import graph_settings, read_graph, validate_graph
from .simulator import simulate

__all__ = ["NIR_PRIMITIVES", "graph_settings", "read_graph", "simulate", "to_nir", "validate_graph"]
