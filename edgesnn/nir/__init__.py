"""NIR, the hub: torch → NIR, graph I/O and checks, and the reference simulator."""

from .from_torch import to_nir
from .graph import (DEFAULT_DT, DEFAULT_RESET, NIR_PRIMITIVES, graph_settings, infer_shapes, read_graph,
                    validate_graph, write_graph)
from .simulator import simulate

__all__ = ["DEFAULT_DT", "DEFAULT_RESET", "NIR_PRIMITIVES", "graph_settings", "infer_shapes", "read_graph",
           "simulate", "to_nir", "validate_graph", "write_graph"]
