"""``edgesnn.evaluate``: the public entry of the on-device evaluator (see ``edgesnn.evaluation``).

    report = edgesnn.evaluate("runs/digits/export-onnx")          # dataset, profile from the manifest
    report.accuracy, report.energy.snn_uj, report.energy.break_even_rate
    report.to_dict()                                               # the report.json form

The module itself is callable (``edgesnn.evaluate(...)``), so the package attribute works
whether Python resolved it to this module or to the function.
"""

from __future__ import annotations

import sys
import types

from .evaluation import Report, evaluate, write_report

__all__ = ["Report", "evaluate", "write_report"]


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs) -> Report:
        return evaluate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
