"""``sweep``: one-factor-at-a-time hyper-parameter sweeps around a baseline, with learning curves.

    plan      baseline + every (factor, value), checked against the profile before any training
              (``plan.py``); identical configurations (a value equal to the baseline's) share a run
    train     each distinct configuration once per seed, with ``edgesnn.train.train`` (no ANN twin),
              recording the per-epoch training loss and validation accuracy (``FitResult.history``)
    write     <out>/results.json|csv, curves.csv, factor_<name>.png, curves_<name>.png, manifest.json

The run directory is assembled in a temporary sibling and renamed at the end (``io.atomic_dir``):
a refused input, a failed run or an interrupt leaves no directory behind.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Profile, Target, load_profile, load_target
from .plan import BASELINE, Plan, Point, make_plan
from .spec import Factor, check_names

#: metrics kept from each trained run (``TrainResult.metrics``)
KEEP = (
    "test_acc",
    "val_acc",
    "best_epoch",
    "mean_firing_rate",
    "energy_uj",
    "timesteps",
    "param_bytes",
    "train_seconds",
)


@dataclass
class RunRecord:
    """One trained configuration at one seed: its learning curve and final metrics."""

    config: str
    seed: int
    overrides: dict[str, Any]
    #: one entry per epoch: ``{"epoch", "loss" (mean training loss), "val_acc"}``
    history: list[dict[str, float]]
    metrics: dict[str, float]
    feasible: bool
    #: the profile checks the trained model fails (firing-rate band, energy...), by name
    violated: list[str] = field(default_factory=list)
    #: why training failed (a diverged loss); the run then has no curve and no metrics
    error: str | None = None


@dataclass
class SweepResult:
    out: Path | None
    dataset: str
    profile: Profile
    target: Target
    plan: Plan
    factors: list[Factor]
    seeds: list[int]
    runs: list[RunRecord]
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0

    def runs_of(self, point: Point, failed: bool = False) -> list[RunRecord]:
        """The finished runs (one per seed; ``failed``: the failed ones too) of ``point``'s configuration."""
        return [r for r in self.runs if r.config == point.config and (failed or r.error is None)]

    @property
    def baseline(self) -> Point:
        return self.plan.points[0]


def _factors(vary: list[Factor] | dict[str, list] | list[str]) -> list[Factor]:
    from .spec import parse_vary

    if isinstance(vary, dict):
        return [Factor(k, tuple(v)) for k, v in vary.items()]
    if all(isinstance(v, str) for v in vary):
        return parse_vary(list(vary))
    return list(vary)


def sweep(
    dataset: str,
    profile: str | Profile = "wearable",
    *,
    vary: list[Factor] | dict[str, list] | list[str],
    model: str | None = None,
    target: str | Target | None = None,
    base: dict[str, Any] | None = None,
    epochs: int | None = None,
    seeds: list[int] | tuple[int, ...] = (0,),
    out: Path | None = None,
    force: bool = False,
    progress: bool | None = None,
    keep_models: bool = False,
    label_column: str | None = None,
    top_k: int | None = None,
) -> SweepResult:
    """Train the baseline ``base`` and each value of each factor in ``vary`` (one at a time), each
    with the same ``seeds``; write the results into ``out`` (nothing written when ``out`` is None).

    ``vary``: ``{"beta": [0.5, 0.9]}``, ``["beta=0.5,0.9"]`` or ``[Factor(...)]``. ``epochs``: the
    baseline's epochs (a hyper-parameter like the others, so ``epochs`` can be a factor too)."""
    from ..data import prepare
    from ..errors import UsageError
    from ..io import atomic_dir
    from ..models.hparams import DEFAULT_FAMILY
    from ..train.run import resolve_hparams

    factors = _factors(vary)
    if not factors:
        raise UsageError("nothing to sweep; name at least one factor, e.g. --vary beta=0.5,0.7,0.9")
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds):
        raise UsageError(f"seeds {seeds} must be one or more distinct integers")
    base = {**(base or {}), **({"epochs": int(epochs)} if epochs is not None else {})}
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    target = target if isinstance(target, Target) else load_target(target or profile.default_target)
    resolve_hparams(model or "mlp", base, target)  # bad names and values fail before any data is read
    check_names(factors, model or "mlp", base)
    start = time.perf_counter()
    with atomic_dir(out, force=force) if out is not None else nullcontext() as tmp:
        prep = prepare(dataset, seeds[0], label_column=label_column, top_k=top_k)
        family = model or DEFAULT_FAMILY[prep.train.kind]
        plan = make_plan(factors, base, family, prep.train.feature_shape, prep.train.n_classes, profile, target)
        result = SweepResult(None, dataset, profile, target, plan, factors, seeds, [])
        result.runs = _train_all(result, progress, tmp if keep_models else None, label_column, top_k)
        result.seconds = time.perf_counter() - start
        if tmp is not None:
            from .results import write_all

            result.files = {k: Path(out) / v.relative_to(tmp) for k, v in write_all(result, tmp).items()}
    result.out = Path(out) if out is not None else None
    return result


def _train_all(
    result: SweepResult, progress: bool | None, models: Path | None, label_column: str | None, top_k: int | None
) -> list[RunRecord]:
    from ..errors import DataError
    from ..train import train
    from ..train.progress import Progress

    plan, runs = result.plan, []
    total = sum(plan.epochs[c] for c in plan.configs) * len(result.seeds)
    with Progress(progress) as bar:
        task = bar.task(f"sweep {len(plan.configs)} configurations × {len(result.seeds)} seed(s)", total=total)
        for cid, overrides in plan.configs.items():
            for seed in result.seeds:

                def tick(epoch: int, val_acc: float, cid=cid, seed=seed) -> None:
                    bar.advance(task, f"{cid} seed {seed}: epoch {epoch + 1} val {val_acc:.3f}")

                try:
                    trained = train(
                        result.dataset,
                        result.profile,
                        model=plan.family,
                        target=result.target,
                        overrides=overrides,
                        seed=seed,
                        out=models / "models" / f"{cid}-seed{seed}" if models is not None else None,
                        progress=False,
                        ann_twin=False,
                        label_column=label_column,
                        top_k=top_k,
                        callback=tick,
                    )
                except DataError as exc:  # a diverged loss: recorded, the sweep goes on
                    if not str(exc).startswith("training diverged"):
                        raise
                    runs.append(RunRecord(cid, seed, dict(overrides), [], {}, False, error=str(exc)))
                    continue
                m = trained.metrics
                runs.append(
                    RunRecord(
                        cid,
                        seed,
                        dict(overrides),
                        [dict(h) for h in m["history"]],
                        {k: float(m[k]) for k in KEEP if k in m},
                        trained.feasible,
                        [c.name for c in trained.checks if not c.ok],
                    )
                )
    return runs


def summary_rows(result: SweepResult) -> list[dict[str, Any]]:
    """One row per point (the baseline first): mean and spread over seeds of the final metrics."""
    import numpy as np

    rows = []
    for p in result.plan.points:
        runs = result.runs_of(p)
        test = np.array([r.metrics["test_acc"] for r in runs] or [np.nan])
        failed = [r for r in result.runs_of(p, failed=True) if r.error]
        rows.append(
            {
                "point": p.label,
                "factor": p.factor,
                "value": p.value,
                "config": p.config,
                "is_baseline": p.config == BASELINE,
                "test_acc": float(test.mean()),
                "test_acc_std": float(test.std()),
                "val_acc": _mean([r.metrics["val_acc"] for r in runs]),
                "last_loss": _mean([r.history[-1]["loss"] for r in runs]),
                "mean_firing_rate": _mean([r.metrics.get("mean_firing_rate", np.nan) for r in runs]),
                "timesteps": result.plan.timesteps[p.config],
                "epochs": result.plan.epochs[p.config],
                "train_seconds": _mean([r.metrics["train_seconds"] for r in runs]),
                "feasible": bool(runs) and not failed and all(r.feasible for r in runs),
                "violated": sorted({v for r in runs for v in r.violated}),
                "failed": [f"seed {r.seed}: {r.error}" for r in failed],
            }
        )
    return rows


def _mean(values: list[float]) -> float:
    """The mean, NaN for no values (every seed of the configuration failed)."""
    return float(sum(values) / len(values)) if values else float("nan")
