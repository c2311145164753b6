"""``OnnxBackend``: NIR graph → ``model.onnx`` (+ ``model.stepwise.onnx``) → onnxruntime.

Files an export writes into ``out_dir`` beside ``model.nir``:
* ``model.onnx``: the requested form (default "unrolled": ``x [T, B, *in] → y [T, B, *out]``);
* ``model.stepwise.onnx``: the one-step form for streaming on a device, written beside an
  unrolled ``model.onnx`` unless ``stepwise_too=False``.
Both are single files (weights inside), pass ``onnx.checker`` (full check) and carry their
settings in ``metadata_props`` (see ``model.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from ...io import atomic_write_bytes
from ..base import Backend, ExportSettings, Prepared, RunResult
from . import runtime
from .step import check_supported, supported_types

if TYPE_CHECKING:
    import nir

    from ...config import Target

STEPWISE_NAME = "model.stepwise.onnx"


class OnnxSettings(ExportSettings):
    """``form``: "unrolled" (``[T, B, …]`` in, ``[T, B, n]`` out) or "stepwise" (one step,
    explicit states). ``record``: add ``rec.<node>`` outputs (fetched only when
    ``run(record=True)``). ``stepwise_too``: write ``model.stepwise.onnx`` beside an unrolled
    model. ``precision``: "float32" (a device's arithmetic, the default unless the target's
    ``runtime.precision`` says otherwise; judged by the simulator in float32, spike-exact by
    construction) or "float64" (the simulator's default arithmetic, bit-identical to it).
    ``quantize``: put the weights on the target's ``numerics.quantize`` grid first (int8 for
    cortex-m), so the artifact, and the parity measured on it, is what ships; False keeps
    the float weights (packaging measures the accuracy change from one to the other)."""

    form: Literal["unrolled", "stepwise"] = "unrolled"
    record: bool = True
    stepwise_too: bool = True
    precision: Literal["float64", "float32"] | None = None
    quantize: bool = True


def integer_graph(graph: nir.NIRGraph, warn: bool = False):
    """``numerics.integer.to_integer`` of ``graph`` (its input kind read from its encoder), warning
    once with the count of values that were off the integer grid."""
    import warnings

    from ...errors import EdgeSNNWarning
    from ...numerics.float32 import spike_input_bound
    from ...numerics.integer import to_integer

    ig = to_integer(graph, spike_input=spike_input_bound(graph) is not None)
    if warn and ig.off_grid:
        warnings.warn(
            f"{ig.off_grid} of {ig.values} weights were off the int8 integer grid and were rounded: parity is "
            "exact against the integer arithmetic, and 'vs_float64_reference' in parity.json says what rounding "
            "cost; train with --target cortex-m for weights on the grid",
            EdgeSNNWarning,
            stacklevel=3,
        )
    return ig


def _runtime(target) -> dict:
    return dict(getattr(target, "runtime", None) or {})


class OnnxBackend(Backend):
    """ONNX Runtime (CPU)."""

    name = "onnx"
    artifact_name = "model.onnx"
    primitives = frozenset(supported_types())
    suffixes = {".onnx": "onnx"}
    precisions = ("float64", "float32")
    records = False  # only when exported with record=True (the default); see recording_twin
    bundle_member = STEPWISE_NAME
    Settings = OnnxSettings

    def require(self) -> None:
        runtime.require()

    def prepare(self, graph: nir.NIRGraph, target: Target, settings: OnnxSettings) -> Prepared:
        """The weights on the target's grid (``quantize``), then, in float32, the spike-fed sums
        on the float32 sum grid (``numerics/float32.py``); judged in the artifact's precision."""
        from ...numerics import quantize_graph_for
        from ...numerics.float32 import for_float32

        if self.integer(target, settings):
            check_supported(graph, list(getattr(target, "supports", None) or []) or None)  # the target's list first
            ig = integer_graph(graph)
            notes = {"precision": "integer", "integer_grid": {"values": ig.values, "off_grid": ig.off_grid}}
            return Prepared(graph, np.int64, notes, judged=ig.graph)
        if settings.quantize:
            graph = quantize_graph_for(graph, target.numerics.quantize, target.numerics.weight_bits)[0]
        precision = self.precision(target, settings)
        if precision == "float64":
            return Prepared(graph, np.float64, {"precision": precision})
        graph, moved = for_float32(graph)
        return Prepared(graph, np.float32, {"precision": precision, "sum_grid_moved": sum(moved.values())})

    @staticmethod
    def integer(target: Target, settings: OnnxSettings) -> bool:
        """An int8 target (``numerics.quantize: int8``) gets an integer artifact unless asked for
        float weights (``quantize=False``) or a float precision."""
        return target.numerics.quantize == "int8" and settings.quantize and settings.precision is None

    @staticmethod
    def precision(target: Target, settings: OnnxSettings) -> str:
        """The export option, else the target's ``runtime.precision``, else float32."""
        return settings.precision or str(_runtime(target).get("precision", "float32"))

    def write(self, graph: nir.NIRGraph, out_dir: Path, target: Target, settings: OnnxSettings) -> list[Path]:
        """Write ``model.onnx`` (``settings.form``) and, for the unrolled form, ``model.stepwise.onnx``."""
        from .convert import nir2onnx

        supports = list(getattr(target, "supports", None) or []) or None
        precision = self.precision(target, settings)
        if self.integer(target, settings):
            graph, precision = integer_graph(graph, warn=True).graph, "integer"
        forms = [settings.form] + (["stepwise"] if settings.form == "unrolled" and settings.stepwise_too else [])
        models = [
            nir2onnx(graph, form=form, record=settings.record, supports=supports, precision=precision) for form in forms
        ]  # every form lowered before any file is written
        paths = [Path(out_dir) / self.artifact_name, Path(out_dir) / STEPWISE_NAME][: len(models)]
        for path, model in zip(paths, models):
            atomic_write_bytes(path, model.SerializeToString())
        return paths

    def run(self, artifact: Path, x: np.ndarray, target: Target, record: bool = False) -> RunResult:
        threads = _runtime(target).get("threads")
        return runtime.run_model(
            Path(artifact),
            x,
            record=record,
            provider=str(_runtime(target).get("provider", "CPUExecutionProvider")),
            threads=int(threads) if threads else None,
        )

    def ships_integers(self, target: Target) -> bool:
        """An int8 target's artifact is integer ONNX: bundles ship it as export measured it."""
        return self.integer(target, self.Settings())

    def bundle_model(self, graph: nir.NIRGraph, target: Target) -> bytes:
        """The one-step form of ``graph``: the integer model on an int8 target, else with its
        weights as given (``edgesnn package`` puts them on the target's grid itself, to measure
        what that changes)."""
        return self.form_bytes(graph, target, "stepwise")

    def form_bytes(self, graph: nir.NIRGraph, target: Target, form: str, integer: bool | None = None) -> bytes:
        """The ``form`` ("stepwise" | "unrolled") model of ``graph`` as bytes: integer on an int8
        target (what export writes; ``integer=False``: the float model), else with the weights as given."""
        import tempfile

        integer = self.ships_integers(target) if integer is None else integer
        with tempfile.TemporaryDirectory(prefix="edgesnn-bundle-onnx-") as tmp:
            self.export(graph, Path(tmp), target, form=form, stepwise_too=False, quantize=integer)
            return (Path(tmp) / self.artifact_name).read_bytes()

    def recording_twin(self, artifact: Path, graph: nir.NIRGraph, target: Target, tmp: Path) -> Path | None:
        """An artifact exported without ``rec.*`` outputs cannot report its spikes: lower its
        ``model.nir`` again, same form and precision, with recording (None when it records)."""
        _, props = runtime.load(artifact)
        if props.get("records"):
            return None
        precision = props.get("precision") or None
        return self.export(
            graph, tmp, target, form=props["form"], record=True, stepwise_too=False, precision=precision
        )[1]
