"""Edge bundles: package an export directory into one verified zip the runner can use.

    from edgesnn.bundle import package
    result = package("runs/digits/export-onnx", target="cortex-m", out="digits.zip")
    result.manifest["accuracy"], result.manifest["quantization"]

The runner side (numpy + onnxruntime only) is ``edgesnn.runner``.
"""

from .build import PackageResult, package, write_zip
from .quantize import quantize_graph, quantize_weights

__all__ = ["PackageResult", "package", "quantize_graph", "quantize_weights", "write_zip"]
