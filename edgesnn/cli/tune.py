"""``edgesnn tune``: constraint-aware hyper-parameter search (Optuna or NNI) under a profile."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from ._common import DATASET_OPTION, INPUTS_OPTION, JSON_OPTION, PROFILE_OPTION, TARGET_OPTION, emit_json, table


@app.command()
def tune(
    dataset: str = DATASET_OPTION,
    inputs: str = INPUTS_OPTION,
    profile: str = PROFILE_OPTION,
    target: str = TARGET_OPTION,
    model: str = typer.Option(
        None,
        "--model",
        "-m",
        help="mlp | cnn2d | cnn1d | rnn (built-in spaces), or any family with --space; default as train: "
        "rnn for a time series, mlp otherwise.",
    ),
    space: Path = typer.Option(
        None, "--space", help="Search space in NNI's JSON format (default: the model's built-in space)."
    ),
    engine: str = typer.Option(
        "optuna", "--engine", help="optuna (embedded: constraints, multi-objective) | nni (a real NNI experiment)."
    ),
    tuner: str = typer.Option(
        None,
        "--tuner",
        help="optuna: tpe | gp (Gaussian-process Bayesian optimisation) | nsga2 | random | grid | cmaes; "
        "nni: TPE | Anneal | Evolution | Random | GridSearch.",
    ),
    objectives: str = typer.Option(
        "accuracy,energy",
        "--objectives",
        help="Comma list of accuracy (max), energy (min), energy_vs_ann (min: SNN / ANN-twin energy, memory counted), "
        "memory (min), ann_snn_drop (min: ANN-twin val accuracy − SNN val accuracy after transfer + training; init=ann).",
    ),
    trials: int = typer.Option(
        20,
        "--trials",
        "-n",
        min=1,
        help="Trained trials in total (a resumed or shared study counts the finished ones); configurations "
        "the profile rejects before training are recorded but not counted.",
    ),
    timeout: float = typer.Option(None, "--timeout", min=1, help="Stop starting trials after this many seconds."),
    jobs: int = typer.Option(
        1, "--jobs", "-j", min=1, help="Trials in parallel in this process (NNI: trial concurrency)."
    ),
    storage: str = typer.Option(
        None,
        "--storage",
        help="Shared study storage, e.g. postgresql://user:pass@host/db (default: a journal file in --out).",
    ),
    study: str = typer.Option(
        None, "--study", help="Study name in --storage (workers on several machines pass the same)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Continue the study in --out (after a crash or kill -9)."),
    epochs: int = typer.Option(
        None, "--epochs", "-e", min=1, help="Training epochs per trial (default 3; 20 for a time series)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the data split, training and sampler."),
    no_prune: bool = typer.Option(False, "--no-prune", help="Do not stop trials below the median validation accuracy."),
    assessor: str = typer.Option(
        "none",
        "--assessor",
        help="nni: Medianstop | Curvefitting | none — NNI's assessor stops a trial whose per-epoch validation "
        "accuracy looks hopeless (judged from epoch max(1, epochs // 4); Curvefitting from max(epochs // 4, "
        "min(6, epochs // 2))); such trials are recorded as EARLY_STOPPED.",
    ),
    nni_remote: Path = typer.Option(
        None, "--nni-remote", help="machines.yaml for NNI's remote (SSH) training service."
    ),
    nni_port: int = typer.Option(None, "--nni-port", help="Port of NNI's manager and web UI (default: a free one)."),
    network: str = typer.Option(
        "snn",
        "--network",
        help="snn | ann: ann trains the ANN twin alone in every trial (an architecture search before "
        "conversion; --objectives accuracy).",
    ),
    transfer_from: Path = typer.Option(
        None,
        "--transfer-from",
        help="An ANN trained before (its run directory with ann.pt, e.g. a tune --network ann trial, or the file): every SNN trial starts from its transferred weights (init=ann) instead of training an ANN twin; the space's architecture must be the ANN's.",
    ),
    label_column: str = typer.Option(None, "--label-column", help="CSV column (or NPZ/HDF5 array) holding labels."),
    top_k: int = typer.Option(None, "--top-k", min=2, help="Keep only the k most frequent classes."),
    out: Path = typer.Option(None, "--out", "-o", help="Run directory (default: runs/tune-<dataset>-<model>-<time>)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Search hyper-parameters under a profile; infeasible configurations are rejected before training.

    Writes results.csv/json, pareto.json/png, exploration.png and best/ (the best feasible model by
    validation accuracy) into the run directory, and prints the export command for it.
    """
    from ..data import with_inputs
    from ..errors import ConstraintViolation
    from ..tune import TuneConfig
    from ..tune import tune as run_tune

    dataset = with_inputs(dataset, inputs)
    config = TuneConfig(
        dataset,
        profile,
        target=target,
        model=model,
        space=space,
        engine=engine,
        tuner=tuner,
        trials=trials,
        timeout=timeout,
        jobs=jobs,
        storage=storage,
        study=study,
        resume=resume,
        epochs=epochs,
        out=out,
        objectives=tuple(o.strip() for o in objectives.split(",") if o.strip()),
        seed=seed,
        prune=not no_prune,
        assessor=assessor,
        nni_remote=nni_remote,
        nni_port=nni_port,
        network=network,
        label_column=label_column,
        transfer_from=transfer_from,
        top_k=top_k,
    )
    result = run_tune(
        config,
        progress=None if not as_json else False,
        announce=None if as_json else (lambda msg: typer.echo(msg, err=True)),
    )
    s = result.summary
    if as_json:
        emit_json(
            {
                "out": str(result.out),
                "engine": result.engine,
                "objectives": result.objectives,
                "summary": s,
                "best": result.best.to_dict() if result.best else None,
                "best_path": str(result.best_path or ""),
                "pareto": [r.number for r in result.pareto],
                "files": {k: str(v) for k, v in result.files.items()},
                "seconds": result.seconds,
                "notes": result.notes,
                "next": result.next_command,
            }
        )
    else:
        rows = [
            [
                r.number,
                r.state,
                r.feasible,
                r.metrics.get("val_acc"),
                r.metrics.get("test_acc"),
                r.metrics.get("energy_uj"),
                r.metrics.get("param_bytes"),
                f"{1000 * r.static_seconds:.1f}",
                f"{r.train_seconds:.1f}",
                ", ".join(k for k, v in r.slacks.items() if v["slack"] > 0) or (r.error or "")[:40],
            ]
            for r in result.records
        ]
        table(
            f"tune {model} on {dataset} — profile {profile}, engine {result.engine}, {len(result.records)} trials",
            [
                "#",
                "state",
                "feasible",
                "val acc",
                "test acc",
                "energy µJ",
                "param B",
                "static ms",
                "train s",
                "violated / error",
            ],
            rows,
        )
        typer.echo(
            f"rejected before training: {s['rejected_before_training']} "
            f"(static check ≤ {s['static_check_ms_max']:.1f} ms each); training seconds on infeasible models: "
            f"{s['train_seconds_infeasible']:.1f}; wall time {result.seconds:.0f} s"
        )
        if s["early_stopped"]:
            typer.echo(
                f"stopped early by the assessor: {s['early_stopped']} of {s['trained_trials']} trained trials "
                f"({s['train_seconds_early_stopped']:.1f} s of training)"
            )
        for note in result.notes:
            typer.echo(note)
        typer.echo(f"results: {result.out / 'results.csv'}  pareto: {result.out / 'pareto.png'}")
        if result.best:
            b = result.best.metrics
            typer.echo(
                f"best feasible: trial {result.best.number}, val acc {b.get('val_acc', 0):.4f} "
                f"(test {b.get('test_acc', 0):.4f}), energy {b.get('energy_uj', 0):.4g} µJ -> {result.best_path}"
            )
            typer.echo(f"next: {result.next_command}")
    if result.best is None:
        raise ConstraintViolation(
            f"no trial met profile '{result.profile_name}'; see {result.out / 'results.csv'} "
            "for the slacks, or widen the search space"
        )
