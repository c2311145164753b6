"""Edge bundles: package an export directory into one verified zip the runner can use.

    from edgesnn.package import package
    result = package("runs/digits/export-onnx", target="cortex-m", out="digits.zip")
    result.manifest["accuracy"], result.manifest["quantization"]

int8 weights: ``edgesnn.numerics.int8``. The runner side (numpy + onnxruntime only) is ``edgesnn.runner``.
"""

from .archive import write_zip
from .build import PackageResult, package

__all__ = ["PackageResult", "package", "write_zip"]
