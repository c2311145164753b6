"""Helpers shared by the CLI verbs: JSON output, tables, the one-line result style."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON on stdout (no progress bars).")
# what to train on, under which profile, for which target (train and tune)
DATASET_OPTION = typer.Option(
    ...,
    "--dataset",
    "-d",
    help="Built-in name (list: edgesnn datasets; e.g. digits, basic_motions, spoken_digits) or a CSV/NPZ/HDF5/.ts file.",
)
INPUTS_OPTION = typer.Option(
    None,
    "--inputs",
    help="Comma list of named inputs of a multimodal dataset to keep (e.g. image), still as named inputs: "
    "a fusion model trains with one branch per kept input (the dataset is then recorded as digits_spoken[image]).",
)
PROFILE_OPTION = typer.Option("wearable", "--profile", "-p", help="Profile name or YAML path (edgesnn profiles).")
TARGET_OPTION = typer.Option(
    None,
    "--target",
    "-t",
    help="Target name or YAML path; default: the profile's default_target. Sets reset mode and weight quantisation.",
)
# semantics a third-party NIR file may not state (export, run and evaluate of a .nir file)
RESET_OPTION = typer.Option(
    None,
    "--reset",
    help="For a .nir file that does not state it: reset after a spike, "
    "zero | subtract | none (NIR's LIF resets to zero; a graph trained with reset by "
    "subtraction needs subtract). Recorded in the manifest.",
)
DT_OPTION = typer.Option(
    None,
    "--dt",
    help="For a .nir file that does not state it: the timestep in seconds "
    "(default 1e-4, with a warning). Recorded in the manifest.",
)


def emit_json(obj: Any) -> None:
    from ..io import _json_default

    sys.stdout.write(json.dumps(obj, indent=2, default=_json_default) + "\n")


def table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*[fmt(v) for v in r])
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    console.print(t)


def fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def checks_table(checks: list) -> None:
    table(
        "profile checks (slack = value − limit; ≤ 0 is feasible)",
        ["check", "value", "limit", "slack", "ok", "note"],
        [[c.name, c.value, c.limit, c.slack, c.ok, getattr(c, "note", "")] for c in checks],
    )
