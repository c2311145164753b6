"""``export``: model → NIR → backend artifact, proven against the reference simulator.

Every export runs the artifact on its runtime and the NIR reference simulator on the same
input (the encoded test split when the model came from ``edgesnn train``, else fixed
Bernoulli spikes) and writes ``parity.json``: spike agreement, max |Δ| of outputs, accuracy of
both (and of the torch model) when labels are known. Beyond the target's
``parity_tolerance`` the export fails and nothing is written.

A multimodal graph (several Input nodes) is probed with a dict, Input name -> ``[T, B, *shape]``,
which the reference simulator and every backend's ``run`` take as they take an array.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..backends import get_backend
from ..config import TARGET_FILE, Target, load_profile, load_target, save_target
from ..io import atomic_dir, write_json, write_manifest
from ..layout import GRAPH_FILE, MANIFEST_FILE, PARITY_FILE
from ..loading import Source, load_source
from .parity import compare, probe_input, steps_and_samples, torch_output
from .verdict import check


@dataclass
class ExportResult:
    out: Path
    target: Target
    parity: dict[str, Any]
    files: list[str]


def export(
    model: str | Path | None,
    target: str,
    *,
    profile: str | None = None,
    out: Path | None = None,
    force: bool = False,
    reset: str | None = None,
    dt: float | None = None,
    **options: Any,
) -> ExportResult:
    """Export ``model`` (run directory, checkpoint or ``.nir``; None = latest run) to ``target``.

    ``reset`` / ``dt``: for a ``.nir`` file that does not state them (recorded in the manifest)."""
    from ..nir import graph_settings, simulate, validate_graph

    tgt = load_target(target)
    default_dt = load_profile(profile).dt_s if profile else None
    source = load_source(model, dt, reset=reset, default_dt=default_dt)
    graph = source.graph
    backend = get_backend(tgt.backend)
    backend.check_graph(graph, tgt)  # the chip's design rules first (exit 2, naming the limit)
    validate_graph(graph, tgt.supports, where=f"target '{tgt.name}'")
    prepared = backend.prepare(graph, tgt, backend.settings(**options))  # unknown options refused first
    backend.require()
    out = Path(out) if out else _default_out(source, tgt)
    x, y = probe_input(source)
    n_classes = source.checkpoint.model.n_classes if source.checkpoint is not None else None
    with atomic_dir(out, force=force) as tmp:
        files = [p.name for p in backend.export(graph, tmp, tgt, **options)[1:]]  # [0] is model.nir
        # the judge: the simulator on the graph the artifact computes, in the artifact's arithmetic
        reference = simulate(prepared.judge_graph, x, dtype=prepared.dtype).output
        runtime = backend.run(tmp / backend.artifact_name, x, tgt)
        judge = backend.reference(tmp / backend.artifact_name, x, tgt)  # an integer chip's own arithmetic
        T, B = steps_and_samples(x)
        parity = {
            "target": tgt.name,
            "backend": backend.name,
            "samples": B,
            "timesteps": T,
            "tolerance": tgt.parity_tolerance,
            "vs_reference": compare(reference if judge is None else judge.output, runtime.output, y, n_classes),
            "runtime_wall_s": runtime.wall_s,
        }
        parity.update(prepared.notes)
        if prepared.dtype != np.float64:  # what the artifact's arithmetic changes against float64 maths
            parity["vs_float64_reference"] = compare(simulate(graph, x).output, runtime.output, y, n_classes)
        if judge is not None:  # the artifact is judged by its chip's arithmetic; the float graph beside it
            parity["judge"] = f"edgesnn's model of {tgt.name}'s integer arithmetic"
            parity["vs_float_reference"] = compare(reference, runtime.output, y, n_classes)
        if source.checkpoint is not None:
            trained = torch_output(source.checkpoint, x)
            parity["vs_torch"] = compare(trained, runtime.output, y, n_classes)
            parity["torch_vs_reference"] = compare(trained, reference, y, n_classes)
        check(parity, tgt, source.checkpoint.target.name if source.checkpoint is not None else None)
        write_json(tmp / PARITY_FILE, parity)
        if save_target(tgt, tmp):
            files.append(TARGET_FILE)
        settings = graph_settings(graph)
        write_manifest(
            tmp,
            kind="export",
            target=tgt.name,
            backend=backend.name,
            dt=settings["dt"],
            reset=settings["reset"],
            assumed=settings["defaulted"],
            timesteps=settings["timesteps"],
            source=str(source.path),
            profile=(source.checkpoint.profile.name if source.checkpoint else profile),
            seed=(source.checkpoint.seed if source.checkpoint else None),
            data=(source.checkpoint.data if source.checkpoint else None),
        )
    return ExportResult(out, tgt, parity, [GRAPH_FILE, *files, PARITY_FILE, MANIFEST_FILE])


def _default_out(source: Source, target: Target) -> Path:
    base = source.path if source.checkpoint is not None else Path("exports") / source.name
    return base / f"export-{target.name}"
