"""A sweep's run directory: the tables, the curves and the plots.

results.json   setup (dataset, profile, target, model, seeds, factors), the baseline's resolved
               hyper-parameters, one summary row per point and every run with its curve
results.csv    one row per point and seed: factor, value, configuration, final metrics
curves.csv     one row per configuration, seed and epoch: training loss, validation accuracy
factor_<name>.png, curves_<name>.png   one pair per factor (``plots.py``)
manifest.json  versions, seed(s), profile, target and the sha256 of every file
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..io import atomic_write_text, write_json, write_manifest
from .spec import value_key

if TYPE_CHECKING:
    from .run import SweepResult

RUN_COLUMNS = ("test_acc", "val_acc", "best_epoch", "mean_firing_rate", "energy_uj", "timesteps", "train_seconds")


def to_dict(result: SweepResult) -> dict[str, Any]:
    """Everything the sweep measured, as JSON (what ``results.json`` and ``--json`` hold)."""
    from .run import summary_rows

    return {
        "dataset": result.dataset,
        "profile": result.profile.name,
        "target": result.target.name,
        "model": result.plan.family,
        "seeds": result.seeds,
        "factors": [{"name": f.name, "values": list(f.values)} for f in result.factors],
        "baseline": {"overrides": result.baseline.overrides, "hparams": result.plan.baseline_hp},
        "points": summary_rows(result),
        "runs": [
            {
                "config": r.config,
                "seed": r.seed,
                "overrides": r.overrides,
                "metrics": r.metrics,
                "feasible": r.feasible,
                "violated": r.violated,
                "error": r.error,
                "history": r.history,
            }
            for r in result.runs
        ],
        "seconds": result.seconds,
    }


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def results_csv(result: SweepResult) -> str:
    rows = []
    for p in result.plan.points:
        for r in result.runs_of(p, failed=True):
            last = r.history[-1] if r.history else {}
            rows.append(
                [p.label, p.factor or "", "" if p.factor is None else value_key(p.value), p.config, r.seed]
                + [r.metrics.get(k) for k in RUN_COLUMNS]
                + [last.get("loss"), last.get("val_acc"), r.feasible, ";".join(r.violated), r.error or ""]
            )
    header = ["point", "factor", "value", "config", "seed", *RUN_COLUMNS, "last_loss", "last_val_acc"]
    return _csv([*header, "feasible", "violated", "error"], rows)


def curves_csv(result: SweepResult) -> str:
    rows = [[r.config, r.seed, h["epoch"], h["loss"], h["val_acc"]] for r in result.runs for h in r.history]
    return _csv(["config", "seed", "epoch", "loss", "val_acc"], rows)


def write_all(result: SweepResult, directory: Path) -> dict[str, Path]:
    """Write every file of the run directory into ``directory``; returns name -> path."""
    from .plots import plot_curves, plot_factor

    directory = Path(directory)
    files = {"results.json": directory / "results.json"}
    write_json(files["results.json"], to_dict(result))
    for name, text in (("results.csv", results_csv(result)), ("curves.csv", curves_csv(result))):
        files[name] = directory / name
        atomic_write_text(files[name], text)
    for f in result.factors:
        files[f"factor_{f.name}.png"] = plot_factor(result, f.name, directory / f"factor_{f.name}.png")
        files[f"curves_{f.name}.png"] = plot_curves(result, f.name, directory / f"curves_{f.name}.png")
    write_manifest(
        directory,
        kind="sweep",
        seeds=result.seeds,
        dataset=result.dataset,
        profile=result.profile.name,
        target=result.target.name,
        dt_s=result.profile.dt_s,
        factors=json.loads(json.dumps({f.name: list(f.values) for f in result.factors}, default=str)),
    )
    files["manifest.json"] = directory / "manifest.json"
    return files
