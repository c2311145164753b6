"""``OnnxBackend``: NIR graph → ``model.onnx`` (+ ``model.stepwise.onnx``) → onnxruntime.

Files an export writes into ``out_dir``:
* ``model.onnx``: the requested form (default "unrolled": ``x [T, B, *in] → y [T, B, *out]``);
* ``model.stepwise.onnx``: the one-step form for streaming on a device, written beside an
  unrolled ``model.onnx`` unless ``stepwise_too=False``.
Both are single files (weights inside), pass ``onnx.checker`` (full check) and carry their
settings in ``metadata_props`` (see ``model.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...errors import UsageError
from ...io import atomic_write_bytes
from ..base import Backend, RunResult, register
from . import runtime

if TYPE_CHECKING:
    import nir

    from ...config import Target

STEPWISE_NAME = "model.stepwise.onnx"


def _runtime(target) -> dict:
    return dict(getattr(target, "runtime", None) or {})


def _provider(target) -> str:
    return str(_runtime(target).get("provider", "CPUExecutionProvider"))


@register
class OnnxBackend(Backend):
    """ONNX Runtime (CPU). Options of ``export``: form, record, stepwise_too, precision."""

    name = "onnx"
    artifact_name = "model.onnx"

    def require(self) -> None:
        runtime.require()

    def export(self, graph: "nir.NIRGraph", out_dir: Path, target: "Target", form: str = "unrolled",
               record: bool = True, stepwise_too: bool = True, precision: str | None = None,
               **options) -> list[Path]:
        """Write ``model.onnx`` (``form``) and, for the unrolled form, ``model.stepwise.onnx``.

        ``record`` adds ``rec.<node>`` outputs (fetched only when ``run(record=True)``).
        ``precision``: "float64" (bit-identical to the reference simulator, the default) or
        "float32" (a device's arithmetic, faster); default: the target's ``runtime.precision``.
        """
        from .convert import nir2onnx

        if options:
            raise UsageError(f"unknown ONNX export option(s) {sorted(options)}; known: form, record, stepwise_too, precision")
        supports = list(getattr(target, "supports", None) or []) or None
        precision = precision or str(_runtime(target).get("precision", "float64"))
        out_dir = Path(out_dir)
        model = nir2onnx(graph, form=form, record=record, supports=supports, precision=precision)
        paths = [out_dir / self.artifact_name]
        atomic_write_bytes(paths[0], model.SerializeToString())
        if form == "unrolled" and stepwise_too:
            step = nir2onnx(graph, form="stepwise", record=record, supports=supports, precision=precision)
            paths.append(out_dir / STEPWISE_NAME)
            atomic_write_bytes(paths[1], step.SerializeToString())
        return paths

    def run(self, artifact: Path, x: np.ndarray, target: "Target", record: bool = False) -> RunResult:
        threads = _runtime(target).get("threads")
        return runtime.run_model(Path(artifact), x, record=record, provider=_provider(target),
                                 threads=int(threads) if threads else None)
