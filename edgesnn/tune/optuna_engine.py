"""The embedded engine: an Optuna study over the same space, constraints and records.

- Samplers (``SAMPLERS``): tpe (default, multi-objective), gp, nsga2, random, grid (sized to
  the trial budget, see ``samplers``), cmaes (one objective only). Every sampler sees the
  profile through ``trial.set_constraint`` (Optuna 5's constraint API; ``constraints_func`` is
  deprecated there): one constraint per check, its slack divided by its limit, ≤ 0 feasible.
- Pruning: the median rule on intermediate validation accuracy (``MedianRule``), read from the
  other trials' learning curves, so it works for multi-objective studies too (Optuna's own
  pruners refuse them).
- Storage: a journal file in the run directory or a shared RDB (see ``optuna_storage``).
- Exactly N *trained* trials: a configuration the profile rejects before training (its static
  check fails, in milliseconds) is recorded and its constraints are told to the sampler, but it
  does not use up one of the N (``REJECTED``). A trial's *slot* is its number minus the void
  (interrupted or surplus) and rejected trials before it; a trial whose slot is ≥ N is voided at
  once and the worker stops, so two workers racing for the last slot never run N + 1
  trainings. A space that keeps proposing rejected configurations stops after
  ``max_rejections(N)`` of them in a row, with a note.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from .engine import Engine, max_rejections, register_engine
from .optuna_storage import (
    REJECTED,
    VOID,
    counted,
    open_storage,
    open_study,
    recover_interrupted,
    rejected_in_a_row,
    trained,
)
from .results import best_feasible
from .samplers import check_sampler, grid_note, make_sampler
from .trial import OBJECTIVES, Pruned, TrialRecord, TuneSetup, run_trial

if TYPE_CHECKING:
    from .config import TuneConfig


class MedianRule:
    """Prune at epoch e (≥ ``warmup``) when val_acc < median of the finished curves at e."""

    def __init__(self, warmup: int = 1, min_curves: int = 3):
        self.warmup, self.min_curves = warmup, min_curves

    def __call__(self, study, number: int, epoch: int, val_acc: float) -> bool:
        if epoch < self.warmup:
            return False
        curves = [
            t.user_attrs.get("curve", [])
            for t in study.get_trials(deepcopy=False)
            if t.number != number and t.state.is_finished()
        ]
        at = [c[epoch] for c in curves if len(c) > epoch]
        return len(at) >= self.min_curves and val_acc < statistics.median(at)


class Objective:
    """The Optuna objective: sample → run_trial → record + constraints + objective values."""

    class Failed(Exception):
        """A trial that raised; recorded, and the study goes on."""

    def __init__(self, setup: TuneSetup, objectives: list[str], n_trials: int, prune: bool = True):
        self.setup, self.objectives, self.n_trials = setup, objectives, n_trials
        self.rule = MedianRule() if prune else None

    def __call__(self, trial) -> float | tuple[float, ...]:
        import optuna

        study = trial.study
        before = [
            t
            for t in study.get_trials(deepcopy=False)
            if t.number < trial.number and (VOID in t.user_attrs or REJECTED in t.user_attrs)
        ]
        if trial.number - len(before) >= self.n_trials:
            trial.set_user_attr(VOID, "surplus")
            study.stop()
            raise Objective.Failed("surplus")
        values = self.setup.space.sample(trial)

        def on_epoch(epoch: int, val_acc: float) -> None:
            trial.set_user_attr("curve", [*trial.user_attrs.get("curve", []), float(val_acc)])
            if self.rule is not None and self.rule(study, trial.number, epoch, val_acc):
                raise Pruned(f"epoch {epoch + 1}: val_acc {val_acc:.3f} below the median")

        record = run_trial(self.setup, values, trial.number, on_epoch=on_epoch)
        trial.set_user_attr("record", record.to_json())
        if record.stage == "static":  # rejected before training: recorded, not one of the N
            trial.set_user_attr(REJECTED, record.state)
        for name, scaled in record.scaled_slacks().items():
            trial.set_constraint(name, scaled)
        if record.state == "PRUNED":
            raise optuna.TrialPruned()
        if record.state == "FAIL":
            raise Objective.Failed(record.error)
        values_out = tuple(record.objective(o) for o in self.objectives)
        return values_out[0] if len(values_out) == 1 else values_out


def records_of(study) -> list[TrialRecord]:
    """Every counted trial's record, in trial order (a killed-before-record trial is a FAIL row)."""
    return records_from(counted(study))


def records_from(trials: list) -> list[TrialRecord]:
    """``records_of`` for trials already fetched with ``counted``."""
    out = []
    for t in trials:
        if "record" in t.user_attrs:
            out.append(TrialRecord.from_dict(t.user_attrs["record"]))
        elif t.state.is_finished():
            out.append(TrialRecord(t.number, dict(t.params), state="FAIL", error="no record (trial interrupted)"))
    return sorted(out, key=lambda r: r.number)


@register_engine
@dataclass(frozen=True)
class OptunaEngine(Engine):
    """An Optuna study: constraints, several objectives, pruning, a journal file or a shared RDB."""

    name = "optuna"
    objectives: tuple[str, ...]
    trials: int
    timeout: float | None
    jobs: int
    seed: int
    sampler: str = "tpe"
    storage: str | None = None
    study: str | None = None
    resume: bool = False
    prune: bool = True

    @classmethod
    def from_config(cls, config: TuneConfig) -> OptunaEngine:
        """The sampler must suit the objectives; NNI's options have no meaning here."""
        sampler = config.tuner or "tpe"
        check_sampler(sampler, len(config.objectives))
        if config.assessor is not None and config.assessor.lower() != "none":
            raise UsageError(
                f"--assessor applies to --engine nni, not '{cls.name}' (it stops trials below the median "
                "validation accuracy itself; --no-prune turns that off); drop --assessor or use --engine nni"
            )
        if config.nni_port is not None or config.nni_remote is not None:
            raise UsageError(
                f"--nni-port / --nni-remote apply to --engine nni, not '{cls.name}'; drop them or use --engine nni"
            )
        return cls(
            config.objectives,
            config.trials,
            config.timeout,
            config.jobs,
            config.seed,
            sampler,
            config.storage,
            config.study,
            config.resume,
            config.prune,
        )

    def run(
        self, setup: TuneSetup, *, progress: bool | None, announce: Callable[[str], None] | None
    ) -> tuple[list[TrialRecord], list[str]]:
        """Open (or continue) the study and optimise until ``trials`` are counted in it."""
        import logging

        import optuna

        from ..train.progress import Progress

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        logging.getLogger("optuna").setLevel(logging.ERROR)
        dirs = [OBJECTIVES[o][0] for o in self.objectives]
        shared = self.storage is not None
        sampler = make_sampler(self.sampler, self.seed, setup, len(dirs), shared=shared, budget=self.trials)
        store = open_storage(self.storage, setup.out)
        name = self.study or f"edgesnn-{Path(setup.dataset).stem}-{setup.family}-{setup.profile.name}"
        # a list, as the study's stored copy reads back from JSON: a resumed study compares equal
        config = {
            "dataset": setup.dataset,
            "profile": setup.profile.name,
            "family": setup.family,
            "objectives": list(self.objectives),
            "space": setup.space.raw,
            "target": setup.target.name,
            "epochs": setup.epochs,
        }
        st = open_study(store, name, dirs, sampler, config, create=self.storage is None, resume=self.resume)
        notes = [grid_note(setup.space, self.trials)] if self.sampler == "grid" else []
        if self.storage is None:
            n = recover_interrupted(st)
            if n:
                notes.append(f"{n} trial(s) interrupted by the previous run were voided and queued again")
        objective = Objective(setup, list(self.objectives), self.trials, prune=self.prune)
        with Progress(progress) as bar:
            task = bar.task(f"tune {setup.family} ({self.sampler})", total=self.trials)
            done = len([t for t in trained(counted(st)) if t.state.is_finished()])
            for _ in range(min(done, self.trials)):
                bar.advance(task, "")
            limit = max_rejections(self.trials)

            def callback(study, frozen) -> None:
                if VOID in frozen.user_attrs:
                    return
                trials = counted(study)  # one fetch per finished trial: a full query on an RDB storage
                if REJECTED in frozen.user_attrs:
                    if rejected_in_a_row(trials) >= limit and not any("in a row were rejected" in n for n in notes):
                        notes.append(
                            f"stopped after {limit} configurations in a row were rejected before training: "
                            "the search space hardly holds a configuration the profile allows"
                        )
                        study.stop()
                    return
                best = best_feasible(records_from(trials), self.objectives)
                bar.advance(
                    task,
                    f"best feasible val {best.metrics['val_acc']:.3f} (#{best.number})" if best else "no feasible yet",
                )
                if len([t for t in trained(trials) if t.state.is_finished()]) >= self.trials:
                    study.stop()

            if done < self.trials:
                st.optimize(
                    objective,
                    n_trials=None,
                    timeout=self.timeout,
                    n_jobs=self.jobs,
                    catch=(Objective.Failed,),
                    callbacks=[callback],
                    gc_after_trial=True,
                    show_progress_bar=False,
                )
        return records_of(st), notes
