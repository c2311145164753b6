"""``evaluate``: artifact + test split → :class:`Report`, measured on the artifact's runtime.

Steps: resolve the artifact (verified manifest, target, NIR graph) → the encoded test split
exactly as the manifest says → batched runs on the runtime with spikes recorded per layer →
accuracy, confusion matrix, activity and energy on the target's cost table (``edgesnn.metrics``)
→ profile checks with their slack → optional report files (``write_report``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Profile, check_profile, load_profile
from ..metrics import ActivityReport, profile_metrics
from .artifact import Artifact, resolve
from .batches import RunSummary, run_split
from .data import TestSplit, load_test_split
from .names import readable_names
from .report import Activity, Energy, Latency, Memory, Report, confusion_matrix, per_class_accuracy


def evaluate(
    artifact: str | Path,
    dataset: str | None = None,
    *,
    profile: str | Profile | None = None,
    target: str | None = None,
    out: str | Path | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int | None = None,
    reset: str | None = None,
    dt: float | None = None,
    ann_baseline: str | None = None,
    energy_sim: str | None = None,
    sim_samples: int = 16,
) -> Report:
    """Evaluate ``artifact`` (export directory or ``.nir``) on the test split of ``dataset``.

    ``dataset``: default the manifest's. ``profile``: name, YAML path or Profile; default the
    manifest's. ``target``: another table of the same runtime, or "nir" for the reference
    simulator. ``out``: also write report.json/.md/.html and PNGs there. ``limit``: first N
    test samples. ``progress(done, total)`` is called after every batch. ``reset`` / ``dt``: for a
    bare ``.nir`` that does not state them. ``ann_baseline``: the device (``devices/``) the ANN
    twin is priced on in the like-for-like section (default: the target's, else the profile's).
    ``energy_sim``: "sanafe" also simulates the first ``sim_samples`` samples on SANA-FE's Loihi
    (``sanafe_sim.py``) and reports its energy beside the analytical estimate.
    """
    if out is not None:
        from .outputs import check_out

        check_out(Path(out))
    from ..run import semantics_applied

    art = resolve(artifact, target)
    with semantics_applied(Path(artifact), art.file, reset, dt) as file:
        if file != art.file:  # a bare .nir given --reset / --dt: run and measure the graph that states them
            from ..nir import read_graph

            art.file, art.graph = file, read_graph(file)
            art.assumptions.append(
                f"given on the command line: {', '.join(f'{k}={v}' for k, v in (('reset', reset), ('dt', dt)) if v is not None)}"
            )
        split = load_test_split(art, dataset, limit)
        prof = _profile(profile, art)
        if ann_baseline is not None:
            from ..config.loader import load_device

            load_device(ann_baseline)  # an unknown name fails before the run, with close matches
        if energy_sim is not None:
            from .sanafe_sim import SIMULATORS, require_sanafe

            if energy_sim not in SIMULATORS:
                from ..errors import unknown_name

                raise unknown_name("energy simulator", energy_sim, SIMULATORS)
            require_sanafe()  # not installed: exit 3 with the install command, before the run
        run = run_split(art, split.x, len(split.classes), batch_size, progress)
        report = build_report(art, split, run, prof, ann_baseline)
        if energy_sim is not None:
            from .sanafe_sim import cross_check

            report.energy_sim = cross_check(
                art.graph, split.x, str(art.graph.metadata.get("reset", "zero")), sim_samples
            )
    if out is not None:
        from .outputs import write_report

        write_report(report, Path(out))
    return report


def _profile(profile: str | Profile | None, art: Artifact) -> Profile | None:
    if isinstance(profile, Profile):
        return profile
    name = profile or art.profile_name
    return load_profile(name) if name else None


def build_report(
    art: Artifact, split: TestSplit, run: RunSummary, profile: Profile | None, ann_baseline: str | None = None
) -> Report:
    """Assemble the :class:`Report` from a finished run."""
    from .fair import like_for_like

    a = run.activity
    n = int(split.y.shape[0])
    cm = confusion_matrix(split.y, run.predictions, len(split.classes))
    fair = like_for_like(art, a, profile, ann_baseline)
    measured = {**profile_metrics(a), **({"energy_vs_ann": fair.snn_over_ann} if fair and fair.snn_over_ann else {})}
    checks = check_profile(profile, measured) if profile else []
    notes = [*run.notes, *a.notes]
    if profile is None:
        notes.append("no profile given or named by the manifest: no profile checks")
    dt = (art.manifest or {}).get("dt") or (art.graph.metadata or {}).get("dt")
    return Report(
        model=art.label,
        artifact=str(art.file),
        target=art.target.name,
        backend=art.target.backend,
        dataset=split.dataset,
        samples=n,
        classes=split.classes,
        accuracy=float((run.predictions == split.y).mean()),
        per_class_accuracy=per_class_accuracy(cm, split.classes),
        confusion=cm.tolist(),
        parameters=a.params,
        memory=_memory(art, a),
        activity=_activity(a, run, art),
        energy=_energy(a),
        like_for_like=fair,
        latency=_latency(a, run, n, dt),
        profile=profile.name if profile else None,
        checks=[c.to_dict() for c in checks],
        feasible=all(c.ok for c in checks) if checks else None,
        training=training_info(art),
        device=_device(art, a),
        layer_names=readable_names(art.graph, layer_order(art)),
        assumptions=[*art.assumptions, *split.assumptions],
        notes=notes,
        versions=_versions(art),
        sample_records=run.sample_records,
        sample_input=run.sample_input,
    )


def _device(art: Artifact, a: ActivityReport) -> dict[str, Any] | None:
    """The backend's own device figures at the measured activity (None: it has none)."""
    from ..backends import get_backend

    return get_backend(art.target.backend).device_figures(art.file, a, art.target)


def _memory(art: Artifact, a: ActivityReport) -> Memory:
    num = art.target.numerics
    return Memory(
        num.weight_bits,
        a.param_bytes,
        num.state_bits,
        a.state_bytes,
        a.activation_bytes,
        a.param_bytes + a.state_bytes + a.activation_bytes,
    )


def _activity(a: ActivityReport, run: RunSummary, art: Artifact) -> Activity:
    return Activity(
        layer_order(art),
        a.firing_rates,
        a.mean_firing_rate,
        a.input_rate,
        a.spikes,
        a.spikes_total,
        run.spike_counts,
        a.synops,
        a.synops_total,
        a.synops_counting,
        a.neuron_updates,
        a.neuron_updates_total,
        *_flops(a, art),
    )


def _flops(a: ActivityReport, art: Artifact) -> tuple[int, float, float]:
    """(ANN pass, SNN per step, SNN per inference) FLOPs (``edgesnn/metrics/flops.py``)."""
    from ..metrics import bias_adds

    bias, steps = bias_adds(art.graph), max(int(a.timesteps), 1)
    snn = 2 * float(a.synops_total) + bias * steps
    return 2 * int(a.ann_macs_total) + bias, snn / steps, snn


def layer_order(art: Artifact) -> list[str]:
    """Synaptic and neuron nodes in the reference simulator's evaluation order (its back-edges
    break the cycles, so layers are listed as the judge runs them)."""
    from ..nir import kinds
    from ..nir.flat import flatten, order

    flat = flatten(art.graph)
    seq, _ = order(flat)
    return [k for k in seq if kinds.is_kind(flat.nodes[k], kinds.NEURON_NODES | kinds.SYNAPSES)]


def _energy(a: ActivityReport) -> Energy:
    tables = a.energy_tables
    ann = tables.get("ann")
    ratio = a.energy_uj / a.ann_energy_uj if a.ann_energy_uj else None
    return Energy(
        tables["snn"]["table"],
        a.energy_uj,
        a.energy_uj_layers,
        a.energy_components_uj,
        ann["table"] if ann else None,
        a.ann_macs_total,
        a.ann_macs,
        a.ann_energy_uj,
        ratio,
        a.break_even_rate,
        a.break_even_first_layer,
        {k: v for k, v in tables.items() if k != "caveat"},
        tables["caveat"],
    )


def _latency(a: ActivityReport, run: RunSummary, n: int, dt: float | None) -> Latency:
    per = run.wall_s / n
    return Latency(
        a.timesteps,
        dt,
        a.timesteps * dt if dt else None,
        per,
        (1.0 / per) if per > 0 else float("inf"),
        run.batch_size,
        run.wall_s,
        run.eval_s,
    )


def training_info(art: Artifact) -> dict[str, Any] | None:
    """Training time and accuracies from the source run's metrics.json (None when unavailable)."""
    run = art.source_run
    if run is None or not (run / "metrics.json").is_file():
        return None
    try:
        metrics = json.loads((run / "metrics.json").read_text()).get("metrics", {})
        model = (
            json.loads((run / "manifest.json").read_text()).get("model") if (run / "manifest.json").is_file() else None
        )
    except (json.JSONDecodeError, OSError, AttributeError):
        return None
    keys = ("train_seconds", "ann_train_seconds", "test_acc", "ann_test_acc", "val_acc", "best_epoch", "timesteps")
    return {"run": str(run), "model": model, **{k: metrics[k] for k in keys if k in metrics}}


def _versions(art: Artifact) -> dict[str, str]:
    from ..io import package_versions

    return {"edgesnn_at_export": (art.manifest or {}).get("versions", {}).get("edgesnn", ""), **package_versions()}
