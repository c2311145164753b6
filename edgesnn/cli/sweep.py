"""``edgesnn sweep``: one-factor-at-a-time hyper-parameter sweeps with learning curves."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from . import app
from ._common import DATASET_OPTION, JSON_OPTION, PROFILE_OPTION, TARGET_OPTION, emit_json, table


@app.command()
def sweep(
    dataset: str = DATASET_OPTION,
    profile: str = PROFILE_OPTION,
    target: str = TARGET_OPTION,
    vary: list[str] = typer.Option(
        [],
        "--vary",
        "-v",
        help="A factor and its values, name=v1,v2,... (repeatable): any hyper-parameter --set takes, numbers "
        "or names, e.g. --vary beta=0.5,0.7,0.9 --vary timesteps=10,25,50 --vary encoder=static,rate "
        "--vary loss=ce_count,mse_count --vary hidden=[32],[64].",
    ),
    sets: list[str] = typer.Option(
        [],
        "--set",
        "-s",
        help="The baseline: hyper-parameter key=value or @recipe (repeatable), as in edgesnn train; "
        "the rest are the model's defaults.",
    ),
    model: str = typer.Option(
        None, "--model", "-m", help="mlp | cnn2d | cnn1d | rnn | fusion | fusion2 (default as train)."
    ),
    epochs: int = typer.Option(
        None, "--epochs", "-e", min=1, help="Epochs of every run (default: the model's); 'epochs' can also be a factor."
    ),
    seed: int = typer.Option(0, "--seed", help="The seed every run shares (split, init, shuffling, encoders)."),
    repeats: int = typer.Option(
        1,
        "--repeats",
        "-r",
        min=1,
        help="Train each configuration with seeds seed..seed+N-1; plots show mean and spread.",
    ),
    keep_models: bool = typer.Option(False, "--keep-models", help="Save every run's checkpoint under <out>/models/."),
    out: Path = typer.Option(None, "--out", "-o", help="Run directory (default: runs/sweep-<dataset>-<time>)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out directory."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Vary one hyper-parameter at a time around a baseline and record learning curves.

    The baseline is the model's defaults plus --set; each --vary factor then takes each of its
    values with every other hyper-parameter at the baseline. Every run uses the same seed (or
    seeds, with --repeats); a value equal to the baseline's reuses the baseline run. Each run
    records its training loss and validation accuracy per epoch and its final test accuracy
    (at the best validation epoch).

    Writes into the run directory: results.json, results.csv (one row per value and seed),
    curves.csv (one row per epoch), factor_<name>.png (final accuracy vs value) and
    curves_<name>.png (learning curves) per factor, manifest.json.

    Every value is checked before training starts: an unknown name or a bad value exits 1, a
    value the profile forbids (too many timesteps, bytes) exits 2, and nothing is written.
    Models that break a profile limit only after training (firing rate, energy) are flagged in
    the results, and a run whose loss diverges is recorded as failed; neither stops the sweep.
    Example:

      edgesnn sweep -d digits -p workstation --set hidden=[10] --epochs 10
      --vary beta=0.5,0.7,0.9 --vary timesteps=10,25,50
    """
    from ..errors import UsageError
    from ..models import parse_set
    from ..sweep import parse_vary, summary_rows
    from ..sweep import sweep as run_sweep
    from ..sweep.spec import value_key

    factors = parse_vary(vary)
    if not factors:
        raise UsageError("nothing to sweep; give at least one --vary name=v1,v2,... (e.g. --vary beta=0.5,0.7,0.9)")
    out = out or Path("runs") / f"sweep-{Path(dataset).stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    result = run_sweep(
        dataset,
        profile,
        vary=factors,
        model=model,
        target=target,
        base=parse_set(sets),
        epochs=epochs,
        seeds=list(range(seed, seed + repeats)),
        out=out,
        force=force,
        progress=None if not as_json else False,
        keep_models=keep_models,
    )
    rows = summary_rows(result)
    if as_json:
        from ..sweep.results import to_dict

        emit_json({"out": str(result.out), "files": {k: str(v) for k, v in result.files.items()}, **to_dict(result)})
        return
    spread = len(result.seeds) > 1
    table(
        f"sweep {result.plan.family} on {dataset} — profile {result.profile.name}, target {result.target.name}, "
        f"{len(result.plan.configs)} configurations × {len(result.seeds)} seed(s)",
        [
            "factor",
            "value",
            "test acc" + (" (± sd)" if spread else ""),
            "best val acc",
            "last loss",
            "T",
            "rate",
            "note",
        ],
        [
            [
                r["factor"] or "baseline",
                "" if r["factor"] is None else value_key(r["value"]),
                f"{r['test_acc']:.4f}" + (f" ± {r['test_acc_std']:.4f}" if spread else ""),
                r["val_acc"],
                r["last_loss"],
                r["timesteps"],
                r["mean_firing_rate"],
                ("= baseline" if r["is_baseline"] and r["factor"] else "")
                + (f" violates {', '.join(r['violated'])}" if r["violated"] else "")
                + (f" FAILED {'; '.join(r['failed'])}" if r["failed"] else ""),
            ]
            for r in rows
        ],
    )
    typer.echo(f"wall time {result.seconds:.0f} s; results: {result.out / 'results.csv'}")
    typer.echo(f"plots: {', '.join(sorted(k for k in result.files if k.endswith('.png')))} in {result.out}")
