"""``LavaBackend``: NIR graph -> lava-nc processes, run in Lava (float or Loihi fixed point).

Lava has no file format of its own: the artifact is ``model.nir`` (what is lowered at run
time), plus ``model.net`` (lava-dl netx HDF5, fixed point) when netx can express the network,
plus ``lava.json`` (the lowering summary, why ``model.net`` was skipped if it was, and the
fixed-point quantisation report for ``loihi2``). ``run`` lowers the graph (``lower.py``),
quantises it for ``fixed_pt`` targets (``quantize.py``), streams all samples through one Lava
run in a killable child process (``process.py``, ``build.py``), ``L`` samples at once in ``L``
copies of the network where it can (``lanes.py``), and re-aligns the outputs by depth
(``readout.py``). A ``.net`` file alone runs through netx.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import ArtifactError, EdgeSNNWarning, ShapeError, UsageError
from ...io import write_json
from ...layout import GRAPH_FILE
from ..base import Backend, ExportSettings, RunResult
from .compat import import_lava
from .lower import SUPPORTED
from .process import DEFAULT_TIMEOUT_S, run_isolated

if TYPE_CHECKING:
    import nir

    from ...config import Target

NETX_NAME = "model.net"
SUMMARY_NAME = "lava.json"
PRECISIONS = ("floating_pt", "fixed_pt")


def precision_of(target: Target) -> str:
    if target.backend != "lava":
        raise UsageError(
            f"target '{target.name}' has backend '{target.backend}', not lava; use a lava target (lava, lava-float, loihi2)"
        )
    precision = str(target.runtime.get("precision", "floating_pt"))
    if precision not in PRECISIONS:
        raise UsageError(
            f"target '{target.name}': runtime.precision '{precision}' is not one of {', '.join(PRECISIONS)}"
        )
    return precision


def plan_for(graph: nir.NIRGraph, target: Target, x=None):
    """``(plan, quantisation report or None)`` for ``graph`` on ``target``; ``x`` (checked against
    the graph's input(s) first: an array, or a dict Input name -> array) sets the fixed-point
    input scale."""
    from ...nir.graph import graph_settings
    from ...nir.inputs import check_inputs
    from .lower import lower
    from .quantize import quantize

    settings = graph_settings(graph)
    plan = lower(
        graph,
        dt=settings["dt"],
        reset=settings["reset"],
        if_reset=settings["if_reset"],
        supported=target.supports,
        where=f"target '{target.name}'",
    )
    if x is not None:
        x = check_inputs(x, plan.inputs)
    if precision_of(target) == "fixed_pt":
        return quantize(plan, x)
    return plan, None


def timeout_for(steps: int, units: int) -> float:
    """``EDGESNN_LAVA_TIMEOUT_S`` if set, else 120 s plus 20 ms per step and process."""
    env = os.environ.get("EDGESNN_LAVA_TIMEOUT_S")
    if env:
        try:
            return float(env)
        except ValueError:
            raise UsageError(f"EDGESNN_LAVA_TIMEOUT_S={env!r} is not a number of seconds") from None
    return DEFAULT_TIMEOUT_S + 0.02 * steps * max(units, 1)


def preload() -> None:
    """Import, once in this process, what every Lava run imports lazily (its compiler pulls in
    networkx: ~0.25 s), so each forked run child inherits it instead of importing it again."""
    import importlib

    import_lava()
    for name in ("lava.magma.compiler.compiler", "lava.magma.runtime.runtime", ".procs.neuron"):
        importlib.import_module(name, __package__)


def _run_child(plan, x: np.ndarray, record: bool, lanes: int = 1):
    from .build import run_plan

    return run_plan(plan, x, record, lanes)


def _netx_child(path: Path, x: np.ndarray):
    from .netx import run_netx

    return run_netx(path, x)


class LavaBackend(Backend):
    """Targets ``lava``/``lava-float`` (``Loihi2SimCfg`` floating_pt) and ``loihi2`` (fixed_pt)."""

    name = "lava"
    artifact_name = GRAPH_FILE  # Lava lowers the graph at run time
    primitives = SUPPORTED
    suffixes = {".net": "loihi2"}  # a netx file alone is fixed point
    precisions = PRECISIONS
    eval_batch = 512  # ~0.2 s per Lava run whatever its size: fewer, larger runs (lanes.py)

    def require(self) -> None:
        import_lava()

    def write(self, graph: nir.NIRGraph, out_dir: Path, target: Target, settings: ExportSettings) -> list[Path]:
        """``model.net`` when netx can express the network, and ``lava.json`` (the summary)."""
        from .netx import NotExpressible, write_netx
        from .quantize import quantize

        out_dir = Path(out_dir)
        plan, report = plan_for(graph, target)  # refuses what Lava cannot express, before writing
        files: list[Path] = []
        summary: dict[str, Any] = {
            "target": target.name,
            "precision": precision_of(target),
            "populations": {
                n: {"type": p.nir_type, "depth": p.depth, "shape": list(p.shape)} for n, p in plan.populations.items()
            },
            "connections": {
                n: {"kind": "delay" if c.delay else c.kind, "src": c.src, "dst": c.dst, "depth": c.depth}
                for n, c in plan.connections.items()
            },
        }
        qplan = plan if report is not None else quantize(plan)[0]
        try:
            files.append(write_netx(qplan, out_dir / NETX_NAME, graph.metadata.get("timesteps")))
            summary["netx"] = {"written": True}
        except NotExpressible as exc:
            summary["netx"] = {"written": False, "reason": str(exc)}
        if report is not None:
            summary["quantization"] = report
            if report["clipped"]:
                warnings.warn(
                    f"loihi2 quantisation clipped {report['clipped']} values (see {SUMMARY_NAME})",
                    EdgeSNNWarning,
                    stacklevel=2,
                )
        write_json(out_dir / SUMMARY_NAME, summary)
        return [*files, out_dir / SUMMARY_NAME]

    def run(self, artifact: Path, x, target: Target, record: bool = False, lanes: int | None = None) -> RunResult:
        """Run ``x [T, B, *in]`` (a multimodal graph: a dict Input name -> ``[T, B, *shape]``).

        ``lanes``: copies of the network that run that many samples at once (``lanes.py``);
        None picks them (``lanes.choose``), 1 streams the samples one after another. Plans
        that lanes cannot express (Conv, pooling) always run with 1."""
        from ...nir.graph import input_shapes, read_graph
        from ...nir.inputs import check_inputs
        from .lanes import choose
        from .readout import to_result

        artifact = Path(artifact)
        if artifact.is_dir():
            artifact = artifact / self.artifact_name
        if not artifact.exists():
            raise ArtifactError(f"'{artifact}' does not exist; export with `edgesnn export ... --target {target.name}`")
        self.require()
        if artifact.suffix == ".net":
            return self._run_netx(artifact, np.asarray(x, dtype=np.float32))
        graph = read_graph(artifact)
        preload()
        x = {n: v.astype(np.float32) for n, v in check_inputs(x, input_shapes(graph)).items()}
        plan, report = plan_for(graph, target, x)
        if report is not None and report["clipped"]:
            warnings.warn(
                f"loihi2 quantisation clipped {report['clipped']} values (see {SUMMARY_NAME})",
                EdgeSNNWarning,
                stacklevel=2,
            )
        T, B = next(iter(x.values())).shape[:2]
        n_lanes = choose(plan, B, lanes)
        steps = -(-B // n_lanes) * plan.period(T) + plan.max_depth + 1
        units = len(plan.populations) + len(plan.connections)
        raw, wall = run_isolated(
            _run_child,
            plan,
            x,
            record,
            n_lanes,
            what=f"Lava run ({target.name})",
            timeout_s=timeout_for(steps * n_lanes, units),  # the unbatched run's budget
        )
        return to_result(plan, raw, T, B, record, wall, n_lanes)

    def reference(self, artifact: Path, x, target: Target, record: bool = False) -> RunResult | None:
        """``loihi2`` (fixed point): Loihi's integer arithmetic on the same quantised plan, in numpy
        (``judge.py``), which a Lava run must match spike for spike; float targets: None (the
        float reference simulator judges)."""
        if precision_of(target) != "fixed_pt":
            return None
        from ...nir.graph import input_shapes, read_graph
        from ...nir.inputs import check_inputs
        from .judge import simulate

        artifact = Path(artifact)
        graph = read_graph(artifact / self.artifact_name if artifact.is_dir() else artifact)
        x = {n: v.astype(np.float32) for n, v in check_inputs(x, input_shapes(graph)).items()}
        return simulate(plan_for(graph, target, x)[0], x, record)

    def _run_netx(self, path: Path, x: np.ndarray) -> RunResult:
        if x.ndim < 3:
            raise ShapeError(f"input has shape {list(x.shape)}; expected [T, B, *features]")
        _check_netx_file(path)
        from ...nir.inputs import check_input

        check_input(x, tuple(x.shape[2:]), path.name)  # empty / non-finite; run_netx checks the shape
        out, wall = run_isolated(
            _netx_child, path, x, what="netx run", timeout_s=timeout_for(x.shape[0] * x.shape[1], 8)
        )
        return RunResult(output=out, wall_s=wall)


def _check_netx_file(path: Path) -> None:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            ok = "layer" in f
    except OSError as exc:
        raise ArtifactError(
            f"'{path}' is not a readable HDF5 file ({exc}); expected a lava-dl netx model.net"
        ) from None
    if not ok:
        raise ArtifactError(f"'{path}' is HDF5 but has no 'layer' group: not a lava-dl netx network file")
