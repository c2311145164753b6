"""``tune``: search a space under a profile with one engine, then write the run directory.

    <out>/study.journal          the Optuna study (journal file; --resume continues it)
    <out>/trials/<n>/            the checkpoint of every trained trial
    <out>/best/                  the best feasible model (by validation accuracy)
    <out>/results.csv|json       every trial: parameters, metrics, feasibility, slacks, seconds
    <out>/pareto.json|png        the feasible non-dominated trials; accuracy vs energy
    <out>/exploration.png        the search-space exploration
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Profile, Target, load_profile, load_target
from ..errors import EdgeSNNError, Interrupted, UsageError, unknown_name
from ..io import check_writable
from .results import best_feasible, pareto_front, summary, write_results
from .trial import TrialRecord, TuneSetup

#: epochs per trial when --epochs is not given: 20 trials of the built-in MLP space on digits
#: finish well inside 15 minutes on 2 shared cores (see the issue's closing note)
DEFAULT_EPOCHS = 3


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


def make_setup(dataset: str, profile: str | Profile, target: str | Target | None, model: str, space: str | Path | None,
               epochs: int | None, out: Path, seed: int, constrained: bool = True, label_column: str | None = None,
               top_k: int | None = None) -> TuneSetup:
    from ..data import prepare
    from .space import load_space

    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    target = target if isinstance(target, Target) else load_target(target or profile.default_target)
    prep = prepare(dataset, seed, label_column=label_column, top_k=top_k)
    parsed = load_space(space, model, series=prep.train.kind == "timeseries")
    setup = TuneSetup(dataset, profile, target, model, parsed, int(epochs or DEFAULT_EPOCHS), Path(out).resolve(),
                      tuple(prep.train.feature_shape), int(prep.train.n_classes), seed, constrained, label_column, top_k)
    _warm_up(setup)
    return setup


def _warm_up(setup: TuneSetup) -> None:
    """Build each neuron type once so first-use costs (lazy imports) are not billed to a trial's static check."""
    from .constraints import static_checks

    for neuron in ("leaky", "synaptic", "lapicque"):
        try:
            static_checks({"neuron": neuron}, setup.family, setup.feature_shape, setup.n_classes, setup.profile, setup.target)
        except Exception:  # the family's defaults may not fit the data; the trials will say so
            pass


def tune(dataset: str, profile: str | Profile = "wearable", *, target: str | Target | None = None, model: str = "mlp",
         space: str | Path | None = None, engine: str = "optuna", tuner: str | None = None, trials: int = 20,
         timeout: float | None = None, jobs: int = 1, storage: str | None = None, study: str | None = None,
         resume: bool = False, epochs: int | None = None, out: Path | None = None,
         objectives: list[str] | tuple[str, ...] = ("accuracy", "energy"), seed: int = 0, prune: bool = True,
         constrained: bool = True, nni_remote: Path | None = None, nni_port: int | None = None,
         progress: bool | None = None, label_column: str | None = None, top_k: int | None = None,
         announce: Callable[[str], None] | None = None) -> TuneResult:
    """Tune ``model`` on ``dataset`` under ``profile``; see the module docstring for the outputs."""
    if engine not in ENGINES:
        raise unknown_name("engine", engine, ENGINES)
    if trials < 1 or jobs < 1:
        raise UsageError(f"--trials {trials} and --jobs {jobs} must be ≥ 1")
    out = Path(out or Path("runs") / f"tune-{Path(dataset).stem}-{model}-{time.strftime('%Y%m%d-%H%M%S')}")
    if resume and not out.is_dir():
        raise UsageError(f"--resume: run directory '{out}' does not exist; pass the --out of the run to continue")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out '{out}' is a file; give a directory for the tuning run")
    check_writable(out)
    objectives = list(objectives)
    check_options(engine, tuner, objectives)
    if engine != "nni" and (nni_port is not None or nni_remote is not None):
        raise UsageError(f"--nni-port / --nni-remote apply to --engine nni, not '{engine}'; drop them or use --engine nni")
    setup = make_setup(dataset, profile, target, model, space, epochs, out, seed, constrained, label_column, top_k)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        records, notes = ENGINES[engine](setup, objectives=objectives, tuner=tuner, trials=trials, timeout=timeout,
                                         jobs=jobs, storage=storage, study=study, resume=resume, prune=prune, seed=seed,
                                         nni_remote=nni_remote, nni_port=nni_port, progress=progress,
                                         announce=announce)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the finished trials are in the study; say how to go on
        raise Interrupted(getattr(exc, "signum", 2), kept_trials(out, engine, storage)) from None
    except EdgeSNNError:  # refused before any trial finished (bad storage, sampler, space): leave nothing behind
        if created and not any((out / "trials").glob("*/checkpoint.pt")):
            shutil.rmtree(out, ignore_errors=True)
        raise
    return finish(setup, records, objectives, engine, time.perf_counter() - start, notes)


def kept_trials(out: Path, engine: str, storage: str | None) -> str:
    """What an interrupted search kept, and how to continue it."""
    finished = sorted(p.name for p in (out / "trials").glob("*") if (p / "checkpoint.pt").is_file())
    where = "the shared storage" if storage else f"'{out}'"
    again = "" if engine != "optuna" or storage else f"; continue with the same command plus --resume --out {out}"
    return f"{len(finished)} finished trial(s) kept in {where}{again}"


def check_options(engine: str, tuner: str | None, objectives: list[str]) -> None:
    """Cheap checks of the engine's options, before any data is loaded."""
    from . import optuna_engine as oe

    n_obj = len(oe.directions(objectives))
    if engine == "nni":
        from .nni_engine import tuner_name

        tuner_name(tuner)
    else:
        oe.check_sampler(tuner or "tpe", n_obj)


def finish(setup: TuneSetup, records: list[TrialRecord], objectives: list[str], engine: str, seconds: float,
           notes: list[str]) -> TuneResult:
    """Write the results, plots and the best checkpoint into the run directory."""
    from .plots import plot_exploration, plot_pareto

    out = setup.out
    best = best_feasible(records)
    stats = summary(records, best)
    front = pareto_front(records, objectives)
    # the plot joins the accuracy-energy front, whatever the study's objectives
    plotted = front if sorted(objectives) == ["accuracy", "energy"] else pareto_front(records, ["accuracy", "energy"])
    files = write_results(records, out, objectives, stats, front)
    title = f"{setup.family} on {setup.dataset}, profile {setup.profile.name}, target {setup.target.name} ({engine})"
    files["pareto.png"] = plot_pareto(records, plotted, out / "pareto.png", title)
    files["exploration.png"] = plot_exploration(records, out / "exploration.png", title)
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
    return TuneResult(out, engine, objectives, records, best, front, files, stats, setup.target.name,
                      setup.profile.name, seconds, notes)


def _run_optuna(setup: TuneSetup, *, objectives, tuner, trials, timeout, jobs, storage, study, resume, prune, seed,
                progress, **_) -> tuple[list[TrialRecord], list[str]]:
    import logging

    import optuna

    from ..train.progress import Progress
    from . import optuna_engine as oe

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    logging.getLogger("optuna").setLevel(logging.ERROR)
    dirs = oe.directions(objectives)
    sampler = oe.make_sampler(tuner or "tpe", seed, setup, len(dirs), shared=storage is not None)
    store = oe.open_storage(storage, setup.out)
    name = study or f"edgesnn-{Path(setup.dataset).stem}-{setup.family}-{setup.profile.name}"
    config = {"dataset": setup.dataset, "profile": setup.profile.name, "family": setup.family, "objectives": objectives,
              "space": setup.space.raw, "target": setup.target.name, "epochs": setup.epochs}
    st = oe.open_study(store, name, dirs, sampler, config, create=storage is None, resume=resume)
    notes = []
    if storage is None:
        n = oe.recover_interrupted(st)
        if n:
            notes.append(f"{n} trial(s) interrupted by the previous run were voided and queued again")
    objective = oe.Objective(setup, objectives, trials, prune=prune)
    with Progress(progress) as bar:
        task = bar.task(f"tune {setup.family} ({tuner or 'tpe'})", total=trials)
        done = len([t for t in oe.counted(st) if t.state.is_finished()])
        for _ in range(min(done, trials)):
            bar.advance(task, "")

        def callback(study, frozen) -> None:
            if oe.VOID in frozen.user_attrs:
                return
            counted = oe.counted(study)  # one fetch per finished trial: a full query on an RDB storage
            best = best_feasible(oe.records_from(counted))
            bar.advance(task, f"best feasible val {best.metrics['val_acc']:.3f} (#{best.number})" if best else "no feasible yet")
            if len([t for t in counted if t.state.is_finished()]) >= trials:
                study.stop()

        if done < trials:
            st.optimize(objective, n_trials=None, timeout=timeout, n_jobs=jobs, catch=(oe.Objective.Failed,),
                        callbacks=[callback], gc_after_trial=True, show_progress_bar=False)
    return oe.records_of(st), notes


def _run_nni(setup: TuneSetup, **kwargs) -> tuple[list[TrialRecord], list[str]]:
    from .nni_engine import run_nni

    return run_nni(setup, **kwargs)


ENGINES: dict[str, Callable[..., tuple[list[TrialRecord], list[str]]]] = {"optuna": _run_optuna, "nni": _run_nni}
