"""``XyloBackend``: NIR graph → Xylo IMU specification → Rockpool's bit-accurate ``XyloSim``.

Files an export writes beside ``model.nir``: ``model.xylo.npz`` (the specification, loadable by
Rockpool alone: see ``spec.py``) and ``xylo.json`` (what was mapped where, the per-neuron
scales, the limits used). ``run`` steps every sample through ``XyloSim`` (state reset between
samples; the chip has no batch); ``reference`` steps the same specification through edgesnn's
own integer model (``judge.py``), which is what the export's parity is measured against.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...errors import ArtifactError, EdgeSNNWarning
from ...io import write_json
from ...nir.inputs import check_inputs
from ...runner.xylo import event_counts as counts_of
from ..base import Backend, ExportSettings, RunResult
from .cycles import cycles_per_step, realtime_clock_hz
from .spec import LIMITS, XyloSpec

if TYPE_CHECKING:
    import nir

    from ...config import Target
    from ...metrics import ActivityReport

SPEC_NAME = "model.xylo.npz"
SUMMARY_NAME = "xylo.json"


def event_counts(x, n_in: int, name: str = "input") -> np.ndarray:
    """``x [T, B, n_in]`` as int64 event counts; DataError unless non-negative integers."""
    return counts_of(next(iter(check_inputs(x, {name: (n_in,)}).values())))


class XyloBackend(Backend):
    """SynSense Xylo IMU (SYNS63300), simulated by Rockpool's ``XyloSim``."""

    name = "xylo"
    artifact_name = SPEC_NAME
    primitives = frozenset({"Input", "Output", "Flatten", "Affine", "Linear", "LIF", "CubaLIF"})
    event_input = True
    bundle_member = SPEC_NAME  # run on the device by edgesnn.runner.xylo (numpy), the judge's code

    def require(self) -> None:
        from .compat import import_xylo

        import_xylo()

    def check_graph(self, graph: nir.NIRGraph, target: Target) -> None:
        """Topology and the chip's limits (``lower.lower`` refuses what does not fit)."""
        self._lower(graph, target)

    def write(self, graph: nir.NIRGraph, out_dir: Path, target: Target, settings: ExportSettings) -> list[Path]:
        spec = self._lower(graph, target)
        n_in, n_hid, n_out = spec.sizes
        path = spec.save(Path(out_dir) / SPEC_NAME)
        grid = spec.meta["grid"]
        if grid["off_grid"] or grid["clipped"]:
            warnings.warn(
                f"{grid['off_grid']} of {grid['values']} weights, thresholds and biases were off Xylo's "
                f"integer grid and were rounded ({grid['clipped']} clipped; largest error "
                f"{grid['max_step_err']:.3g} of a step): parity is exact against the chip's arithmetic, and "
                "'vs_float_reference' in parity.json says what rounding cost; train with --target xylo-imu "
                "for weights on the grid",
                EdgeSNNWarning,
                stacklevel=2,
            )
        summary = {
            "target": target.name,
            **spec.meta,
            "inputs": n_in,
            "hidden": n_hid,
            "outputs": n_out,
            "limits": LIMITS,
            "recurrent": bool(np.any(spec.weights_rec)),
            "cycles_per_step_worst_case": cycles_per_step(spec),
            "realtime_clock_hz": realtime_clock_hz(spec),
        }
        write_json(Path(out_dir) / SUMMARY_NAME, summary)
        return [path, Path(out_dir) / SUMMARY_NAME]

    def run(self, artifact: Path, x, target: Target, record: bool = False) -> RunResult:
        spec = _load(artifact)
        counts = event_counts(x, spec.sizes[0])
        from .compat import import_xylo

        sim = import_xylo().XyloSim.from_specification(**spec.kwargs())
        T, B, _ = counts.shape
        out = np.zeros((T, B, spec.sizes[2]), np.float32)
        hidden = np.zeros((T, B, spec.sizes[1]), np.float32) if record else None
        start = time.perf_counter()
        for b in range(B):
            sim.reset_state()
            y, _, rec = sim(counts[:, b], record=record)
            out[:, b] = y
            if record:
                hidden[:, b] = rec["Spikes"]
        wall = time.perf_counter() - start
        return RunResult(output=out, records=spec.records(hidden, out) if record else {}, wall_s=wall)

    def reference(self, artifact: Path, x, target: Target, record: bool = False) -> RunResult:
        from .judge import simulate

        spec = _load(artifact)
        return simulate(spec, event_counts(x, spec.sizes[0]), record=record)

    def device_figures(self, artifact: Path, activity: ActivityReport, target: Target) -> dict | None:
        """Cycles, clock and published power of a Xylo IMU at the measured activity (``power.py``)."""
        from .power import device_figures

        spec = _load(artifact)
        hidden = activity.firing_rates.get(spec.meta.get("hidden", ""), activity.mean_firing_rate)
        return device_figures(spec, activity.input_rate, hidden, activity.timesteps)

    def _lower(self, graph: nir.NIRGraph, target: Target) -> XyloSpec:
        from ...nir.graph import validate_graph
        from .lower import lower

        spec = lower(graph)  # topology first: a conv or a skip is a design limit (exit 2), named
        validate_graph(graph, target.supports, where=f"target '{target.name}'")
        return spec


def _load(artifact: Path) -> XyloSpec:
    artifact = Path(artifact)
    if artifact.is_dir():
        artifact = artifact / SPEC_NAME
    if not artifact.is_file():
        raise ArtifactError(f"'{artifact}' does not exist; export with `edgesnn export ... --target xylo-imu`")
    return XyloSpec.load(artifact)
