"""``edgesnn profiles`` and ``edgesnn targets``: what is built in, and what each allows."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from ._common import JSON_OPTION, emit_json, table

profiles_app = typer.Typer(
    help="List built-in profiles (application constraints) or show one.", invoke_without_command=True
)
targets_app = typer.Typer(help="List built-in targets (where a model runs) or show one.", invoke_without_command=True)
app.add_typer(profiles_app, name="profiles")
app.add_typer(targets_app, name="targets")


@profiles_app.callback()
def profiles(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the built-in profiles: dt, timestep budget, memory, energy and firing-rate limits."""
    if ctx.invoked_subcommand:
        return
    from ..config import list_profiles

    items = list_profiles()
    if as_json:
        return emit_json([p.model_dump() for p in items])
    table(
        "profiles",
        ["name", "dt_s", "T max", "latency ms", "param bytes", "energy µJ", "rate band", "target", "description"],
        [
            [
                p.name,
                p.dt_s,
                p.step_budget,
                p.limits.max_latency_ms,
                p.limits.max_param_bytes,
                p.limits.max_energy_uj,
                f"{p.limits.min_mean_firing_rate}–{p.limits.max_mean_firing_rate}",
                p.default_target,
                p.description,
            ]
            for p in items
        ],
    )


@profiles_app.command("show")
def profiles_show(
    name: str = typer.Argument(..., help="Built-in name or path to a profile YAML."), as_json: bool = JSON_OPTION
) -> None:
    """Show one profile with every limit."""
    from ..config import load_profile

    p = load_profile(name)
    if as_json:
        return emit_json(p.model_dump())
    table(
        f"profile {p.name}: {p.description}",
        ["key", "value"],
        [
            ["dt_s", p.dt_s],
            ["timesteps (static input)", p.default_timesteps],
            ["step budget", p.step_budget],
            ["default_target", p.default_target],
        ]
        + [[k, v] for k, v in p.limits.model_dump().items()],
    )


@targets_app.callback()
def targets(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the built-in targets: backend (and whether its runtime is installed here), numerics,
    energy cost table. A target YAML of your own may name any registered backend, plug-ins too."""
    if ctx.invoked_subcommand:
        return
    from ..config import list_targets

    items = list_targets()
    ready = _installed({t.backend for t in items})
    if as_json:
        return emit_json([{**t.model_dump(), "installed": ready[t.backend]} for t in items])
    table(
        "targets",
        ["name", "backend", "installed", "weights", "reset", "cost table", "description"],
        [
            [
                t.name,
                t.backend,
                "yes" if ready[t.backend] else "no",
                f"{t.numerics.weight_bits}-bit",
                t.numerics.reset,
                t.energy.table,
                t.description,
            ]
            for t in items
        ],
    )


def _installed(backends: set[str]) -> dict[str, bool]:
    """Backend name -> whether its runtime imports here (``Backend.available``)."""
    from ..backends import get_backend

    return {name: get_backend(name).available() for name in backends}


@targets_app.command("show")
def targets_show(
    name: str = typer.Argument(..., help="Built-in name or path to a target YAML."), as_json: bool = JSON_OPTION
) -> None:
    """Show one target: numerics, supported NIR primitives, every energy constant with its source."""
    from ..config import load_target

    t = load_target(name)
    if as_json:
        return emit_json(t.model_dump())
    rows = [
        ["backend", f"{t.backend} ({'installed' if _installed({t.backend})[t.backend] else 'not installed here'})"],
        ["runtime", t.runtime],
        ["numerics", t.numerics.model_dump()],
        ["supports", ", ".join(t.supports)],
        ["energy table", f"{t.energy.table} — covers {t.energy.covers}; omits {t.energy.omits}"],
    ]
    rows += [[k, f"{c.value} pJ — {c.source}"] for k, c in t.energy.constants.items()]
    table(f"target {t.name}: {t.description}", ["key", "value"], rows)


datasets_app = typer.Typer(
    help="List the built-in offline datasets, or show one dataset's classes per split.", invoke_without_command=True
)
app.add_typer(datasets_app, name="datasets")


@datasets_app.callback()
def datasets(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the built-in offline datasets: kind, feature shape, classes, sizes, source."""
    if ctx.invoked_subcommand:
        return
    from dataclasses import asdict

    from ..data.builtin import CATALOG

    if as_json:
        return emit_json({name: asdict(info) for name, info in CATALOG.items()})
    table(
        "built-in datasets (train/test = the official split)",
        ["name", "kind", "shape", "classes", "samples", "what", "source"],
        [[n, i.kind, i.shape, i.classes, i.sizes, i.what, i.citation] for n, i in CATALOG.items()],
    )


@datasets_app.command("show")
def datasets_show(
    name: str = typer.Argument(..., help="Built-in name or a CSV/NPZ/HDF5/.ts file."),
    seed: int = typer.Option(0, "--seed", help="Seed of the split (as train and tune use it)."),
    top_k: int = typer.Option(None, "--top-k", min=2, help="Keep only the k most frequent classes."),
    label_column: str = typer.Option(None, "--label-column", help="CSV column (or NPZ/HDF5 array) holding labels."),
    plot: Path = typer.Option(
        None, "--plot", help="Write the class-frequency figure (samples per class per split, a PNG) here."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Samples per class in each split (train / val / test, as train and tune split it); --plot draws them."""
    from ..data.figures import class_frequencies, plot_class_frequencies
    from ..io import check_writable

    if plot is not None:
        check_writable(plot.parent if str(plot.parent) else Path("."))
    freq = class_frequencies(name, seed, label_column=label_column, top_k=top_k)
    if plot is not None:
        freq["plot"] = str(plot_class_frequencies(freq, plot))
    if as_json:
        return emit_json(freq)
    splits = list(freq["counts"])
    table(
        f"dataset {freq['dataset']}: samples per class (split seed {seed}{f', top {top_k}' if top_k else ''})",
        ["class", *splits, "all"],
        [
            [c, *(freq["counts"][s].get(c, 0) for s in splits), sum(freq["counts"][s].get(c, 0) for s in splits)]
            for c in freq["classes"]
        ]
        + [
            [
                "all",
                *(sum(freq["counts"][s].values()) for s in splits),
                sum(sum(v.values()) for v in freq["counts"].values()),
            ]
        ],
    )
    if plot is not None:
        typer.echo(f"wrote {plot}")
