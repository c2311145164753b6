"""``edgesnn train``: train an SNN (and its ANN twin) under a profile and check it."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from . import app
from ._common import (
    DATASET_OPTION,
    INPUTS_OPTION,
    JSON_OPTION,
    PROFILE_OPTION,
    TARGET_OPTION,
    checks_table,
    emit_json,
    table,
)


@app.command()
def train(
    dataset: str = DATASET_OPTION,
    inputs: str = INPUTS_OPTION,
    profile: str = PROFILE_OPTION,
    target: str = TARGET_OPTION,
    model: str = typer.Option(
        None,
        "--model",
        "-m",
        help="mlp | cnn2d | cnn1d | rnn | fusion | fusion2 (default: rnn for a "
        "time series, fusion2 for several inputs, mlp otherwise).",
    ),
    sets: list[str] = typer.Option(
        [],
        "--set",
        "-s",
        help="Hyper-parameter override key=value (repeatable), e.g. --set beta=0.95 --set hidden=[256]; "
        "@recipe sets a measured recipe (built-in name or YAML file), e.g. --set @spoken_digits; later items win.",
    ),
    epochs: int = typer.Option(None, "--epochs", "-e", min=1, help="Training epochs (default: the model's)."),
    seed: int = typer.Option(0, "--seed", help="One seed fixes split, init, shuffling and encoders."),
    label_column: str = typer.Option(None, "--label-column", help="CSV column (or NPZ/HDF5 array) holding labels."),
    top_k: int = typer.Option(None, "--top-k", min=2, help="Keep only the k most frequent classes."),
    transfer_from: Path = typer.Option(
        None,
        "--transfer-from",
        help="An ANN trained before (its run directory with ann.pt, e.g. a tune --network ann trial, or the file): start the SNN from its transferred weights instead of training the ANN twin; its architecture must be the SNN's.",
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Run directory (default: runs/<dataset>-<model>-<time>)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --out directory."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Train on real data under a profile; print accuracy, the ANN twin, activity and profile checks.

    Exit code 2 when the finished model violates the profile (it is still saved, flagged).
    """
    from ..data import with_inputs
    from ..errors import ConstraintViolation
    from ..models import parse_set
    from ..train import train as run_train

    dataset = with_inputs(dataset, inputs)
    out = out or Path("runs") / f"{Path(dataset).stem}-{model or 'auto'}-{time.strftime('%Y%m%d-%H%M%S')}"
    result = run_train(
        dataset,
        profile,
        model=model,
        target=target,
        overrides=parse_set(sets),
        epochs=epochs,
        seed=seed,
        out=out,
        force=force,
        progress=None if not as_json else False,
        label_column=label_column,
        transfer_from=transfer_from,
        top_k=top_k,
    )
    m = result.metrics
    if as_json:
        emit_json(
            {
                "out": str(result.out),
                "feasible": result.feasible,
                "hparams": result.hp,
                "metrics": {k: v for k, v in m.items() if k != "history"},
                "checks": [c.to_dict() for c in result.checks],
            }
        )
    else:
        rows = [
            ["SNN test accuracy", m["test_acc"]],
            ["SNN val accuracy (best epoch)", f"{m['val_acc']:.4f} ({m['best_epoch']})"],
        ]
        if "ann_test_acc" in m:
            rows += [
                ["ANN twin test accuracy", m["ann_test_acc"]],
                ["SNN − ANN (pp)", 100 * (m["test_acc"] - m["ann_test_acc"])],
                ["ANN→SNN transfer accuracy (drop pp)", f"{m['transfer_test_acc']:.4f} ({m['transfer_drop_pp']:.2f})"],
            ]
        rows += [
            ["timesteps", m["timesteps"]],
            ["parameter bytes", m["param_bytes"]],
            ["neuron state bytes", m["state_bytes"]],
            ["mean firing rate", m["mean_firing_rate"]],
            ["energy / inference (µJ)", m["energy_uj"]],
            ["cost table", result.target.energy.table],
            ["train time (s)", m["train_seconds"]],
        ]
        table(
            f"{result.hp['model']} on {dataset} — profile {result.profile.name}, target {result.target.name}",
            ["metric", "value"],
            rows,
        )
        checks_table(result.checks)
        typer.echo(f"saved {result.out}")
        hint = recipe_hint(dataset, sets)
        if hint:
            typer.echo(hint)
        typer.echo(f"next: edgesnn export {result.out} --target {result.target.name}")
    if not result.feasible:
        broken = ", ".join(c.name for c in result.checks if not c.ok)
        raise ConstraintViolation(
            f"the model violates profile '{result.profile.name}' ({broken}); saved and flagged in {result.out}"
        )


def recipe_hint(dataset: str, sets: list[str]) -> str | None:
    """A tip naming the built-in recipe measured for ``dataset`` when ``sets`` used no recipe."""
    from ..config import builtin_names

    if dataset in builtin_names("recipes") and not any(item.startswith("@") for item in sets):
        return f"tip: --set @{dataset} trains the recipe measured for this set (recipes/{dataset}.yaml)"
    return None
