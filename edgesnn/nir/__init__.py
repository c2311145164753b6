"""NIR, the hub: torch → NIR, graph I/O and checks, and the reference simulator.

``to_nir`` (which needs torch) is imported on first use, so the simulator and graph tools load
with numpy and nir alone.
"""

from .graph import (DEFAULT_DT, DEFAULT_RESET, NIR_PRIMITIVES, graph_settings, infer_shapes, input_shapes, read_graph,
                    validate_graph, with_semantics, write_graph)
from .simulator import simulate


def __getattr__(name: str):
    if name == "to_nir":
        from .from_torch import to_nir

        return to_nir
    raise AttributeError(f"module 'edgesnn.nir' has no attribute '{name}'")


__all__ = ["DEFAULT_DT", "DEFAULT_RESET", "NIR_PRIMITIVES", "graph_settings", "infer_shapes", "input_shapes", "read_graph",
           "simulate", "to_nir", "validate_graph", "with_semantics", "write_graph"]
