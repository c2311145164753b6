"""``tune``: search a space under a profile with one engine, then write the run directory.

<out>/study.journal          the Optuna study (journal file; --resume continues it)
<out>/trials/<n>/            the checkpoint of every trained trial
<out>/best/                  the best feasible model (by validation accuracy)
<out>/results.csv|json       every trial: parameters, metrics, feasibility, slacks, seconds
<out>/pareto.json|png        the feasible non-dominated trials; accuracy vs energy
<out>/exploration.png        the search-space exploration
<out>/accuracy_per_trial.png train / validation / test accuracy of every trial
<out>/confusion.png          the best trial's confusion matrix on the test split (also in results.json)
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Profile, Target, load_profile, load_target
from ..errors import EdgeSNNError, Interrupted
from .config import TuneConfig
from .results import best_feasible, pareto_front, summary, write_results
from .trial import TrialRecord, TuneSetup

#: epochs per trial when --epochs is not given: 20 trials of the built-in MLP space on digits
#: finish well inside 15 minutes on 2 shared cores (see the issue's closing note)
DEFAULT_EPOCHS = 3
#: a recurrent model of a time series learns far slower per epoch (basic_motions: val 0.5 at 10, 0.83 at 20)
SERIES_EPOCHS = 20


@dataclass
class TuneResult:
    out: Path
    engine: str
    objectives: list[str]
    records: list[TrialRecord]
    best: TrialRecord | None
    pareto: list[TrialRecord]
    files: dict[str, Path] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    target: str = ""
    profile_name: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def best_path(self) -> Path | None:
        return self.files.get("best")

    @property
    def next_command(self) -> str | None:
        return f"edgesnn export {self.best_path} --target {self.target}" if self.best_path else None


def make_setup(
    dataset: str,
    profile: str | Profile,
    target: str | Target | None,
    model: str | None,
    space: str | Path | None,
    epochs: int | None,
    out: Path,
    seed: int,
    constrained: bool = True,
    label_column: str | None = None,
    top_k: int | None = None,
    network: str = "snn",
) -> TuneSetup:
    from ..data import prepare
    from ..models.hparams import DEFAULT_FAMILY
    from .bounds import fit_to_profile
    from .constraints import as_shape
    from .space import load_space

    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    target = target if isinstance(target, Target) else load_target(target or profile.default_target)
    prep = prepare(dataset, seed, label_column=label_column, top_k=top_k)
    model = model or DEFAULT_FAMILY[prep.train.kind]  # as train: rnn for a series, fusion2 for several inputs
    parsed, fitted = fit_to_profile(load_space(space, model, series=prep.train.kind == "timeseries"), profile)
    setup = TuneSetup(
        dataset,
        profile,
        target,
        model,
        parsed,
        int(epochs or (SERIES_EPOCHS if prep.train.kind == "timeseries" else DEFAULT_EPOCHS)),
        Path(out).resolve(),
        as_shape(prep.train.feature_shape),
        int(prep.train.n_classes),
        seed,
        constrained,
        label_column,
        top_k,
        tuple(fitted),
        network,
    )
    _warm_up(setup)
    return setup


def _warm_up(setup: TuneSetup) -> None:
    """Build each neuron type once so first-use costs (lazy imports) are not billed to a trial's static check."""
    from .constraints import static_checks

    for neuron in ("leaky", "synaptic", "lapicque"):
        try:
            static_checks(
                {"neuron": neuron}, setup.family, setup.feature_shape, setup.n_classes, setup.profile, setup.target
            )
        except Exception:  # the family's defaults may not fit the data; the trials will say so
            pass


def tune(
    config: TuneConfig | str,
    *args: Any,
    progress: bool | None = None,
    announce: Callable[[str], None] | None = None,
    **fields: Any,
) -> TuneResult:
    """Tune as ``config`` says; see the module docstring for the outputs.

    ``tune("digits", "wearable", trials=20)`` is short for ``tune(TuneConfig("digits", "wearable",
    trials=20))``. ``progress`` (None: a bar when the terminal shows one) and ``announce`` (where
    the engine says something the user needs while it runs) are how this run talks, not what it
    tunes, so they are not part of the config.
    """
    if not isinstance(config, TuneConfig):
        config = TuneConfig(config, *args, **fields)
    elif args or fields:
        raise TypeError("tune(TuneConfig(...)) takes no other settings; put them in the TuneConfig")
    engine = config.make_engine()
    out = config.run_dir()
    setup = make_setup(
        config.dataset,
        config.profile,
        config.target,
        config.model,
        config.space,
        config.epochs,
        out,
        config.seed,
        config.constrained,
        config.label_column,
        config.top_k,
        config.network,
    )
    if config.transfer_from is not None:
        from ..train.twin import for_tune

        setup = for_tune(setup, config.transfer_from)
    from .skips import check_drop_objective

    check_drop_objective(config.objectives, setup.family, setup.space)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        records, notes = engine.run(setup, progress=progress, announce=announce)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the finished trials are in the study; say how to go on
        raise Interrupted(getattr(exc, "signum", 2), kept_trials(out, config.engine, config.storage)) from None
    except EdgeSNNError:  # refused before any trial finished (bad storage, sampler, space): leave nothing behind
        if created and not any((out / "trials").glob("*/checkpoint.pt")):
            shutil.rmtree(out, ignore_errors=True)
        raise
    notes = [*setup.notes, *notes]
    return finish(setup, records, list(config.objectives), config.engine, time.perf_counter() - start, notes)


def kept_trials(out: Path, engine: str, storage: str | None) -> str:
    """What an interrupted search kept, and how to continue it."""
    finished = sorted(p.name for p in (out / "trials").glob("*") if (p / "checkpoint.pt").is_file())
    where = "the shared storage" if storage else f"'{out}'"
    again = "" if engine != "optuna" or storage else f"; continue with the same command plus --resume --out {out}"
    return f"{len(finished)} finished trial(s) kept in {where}{again}"


def finish(
    setup: TuneSetup, records: list[TrialRecord], objectives: list[str], engine: str, seconds: float, notes: list[str]
) -> TuneResult:
    """Write the results, plots and the best checkpoint into the run directory."""
    from ..metrics.like_for_like import ann_baseline
    from .plots import plot_accuracy_per_trial, plot_confusion, plot_exploration, plot_pareto

    out = setup.out
    best = best_feasible(records, objectives)
    stats = summary(records, best)
    front = pareto_front(records, objectives)
    # the plot joins the accuracy-energy front (the ratio to the ANN baseline when that is tuned)
    energy = "energy_vs_ann" if "energy_vs_ann" in objectives else "energy"
    plotted = (
        front if sorted(objectives) == sorted(["accuracy", energy]) else pareto_front(records, ["accuracy", energy])
    )
    baseline = ann_baseline(setup.target, setup.profile) if energy == "energy_vs_ann" else None
    files = write_results(records, out, objectives, stats, front)
    title = f"{setup.family} on {setup.dataset}, profile {setup.profile.name}, target {setup.target.name} ({engine})"
    files["pareto.png"] = plot_pareto(records, plotted, out / "pareto.png", title, baseline)
    files["exploration.png"] = plot_exploration(records, out / "exploration.png", title)
    files["accuracy_per_trial.png"] = plot_accuracy_per_trial(records, out / "accuracy_per_trial.png", title, best)
    if best is not None and best.metrics.get("test_confusion"):
        files["confusion.png"] = plot_confusion(
            best.metrics["test_confusion"], out / "confusion.png", f"best trial {best.number}: {title}"
        )
    if best is not None and best.checkpoint:
        src = Path(best.checkpoint)
        if src.is_dir():
            tmp = out / ".best.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(src, tmp)
            shutil.rmtree(out / "best", ignore_errors=True)
            tmp.rename(out / "best")
            files["best"] = out / "best"
        else:
            notes.append(f"best trial {best.number}'s checkpoint is on the worker that trained it: {src}")
    return TuneResult(
        out,
        engine,
        objectives,
        records,
        best,
        front,
        files,
        stats,
        setup.target.name,
        setup.profile.name,
        seconds,
        notes,
    )
