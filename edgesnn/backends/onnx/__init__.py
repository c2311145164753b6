"""ONNX Runtime backend: a lowering table from NIR node types to ONNX nodes, two model forms.

``nir2onnx(graph, form="unrolled"|"stepwise", record=False)`` builds a checked
``onnx.ModelProto``; ``OnnxBackend`` (registered as "onnx") writes and runs it.
"""

from .backend import STEPWISE_NAME, OnnxBackend
from .convert import FORMS, nir2onnx
from .runtime import run_model
from .step import supported_types

__all__ = ["FORMS", "STEPWISE_NAME", "OnnxBackend", "nir2onnx", "run_model", "supported_types"]
