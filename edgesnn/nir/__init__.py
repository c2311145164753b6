"""NIR, the hub: graph I/O and checks, the shared graph layer, and the reference simulator.

The hub imports no backend and no model code: torch → NIR lives with the models
(``edgesnn.models.to_nir``), so the simulator and graph tools load with numpy and nir alone.
"""

from .graph import (
    DEFAULT_DT,
    DEFAULT_RESET,
    NIR_PRIMITIVES,
    graph_settings,
    infer_shapes,
    input_shapes,
    read_graph,
    validate_graph,
    with_semantics,
    write_graph,
)
from .simulator import simulate

__all__ = [
    "DEFAULT_DT",
    "DEFAULT_RESET",
    "NIR_PRIMITIVES",
    "graph_settings",
    "infer_shapes",
    "input_shapes",
    "read_graph",
    "simulate",
    "validate_graph",
    "with_semantics",
    "write_graph",
]
