"""``edgesnn devices``: the device cost tables the like-for-like energy comparison prices with."""

from __future__ import annotations

import typer

from . import app
from ._common import JSON_OPTION, emit_json, table

devices_app = typer.Typer(
    help="List built-in devices (energy per operation and per memory access, with sources) or show one.",
    invoke_without_command=True,
)
app.add_typer(devices_app, name="devices")


@devices_app.callback()
def devices(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the built-in devices: what each prices an SNN and an ANN twin with, memory included."""
    if ctx.invoked_subcommand:
        return
    from ..config.loader import list_devices

    items = list_devices()
    if as_json:
        return emit_json([d.model_dump() for d in items])
    table(
        "devices",
        ["name", "kind", "bits", "memory", "description"],
        [
            [
                d.name,
                d.kind,
                d.bits,
                "in the op costs" if d.memory_included else f"{len(d.memory)} SRAM levels",
                d.description,
            ]
            for d in items
        ],
    )


@devices_app.command("show")
def devices_show(
    name: str = typer.Argument(..., help="Built-in name or path to a device YAML."), as_json: bool = JSON_OPTION
) -> None:
    """Show one device: every constant with its source, its memory levels, what it covers and omits."""
    from ..config.loader import load_device

    d = load_device(name)
    if as_json:
        return emit_json(d.table())
    rows = [[k, f"{c.value:g} pJ", c.source] for k, c in d.constants.items()]
    rows += [
        [f"SRAM ≤ {m.max_bytes} B", f"{m.read_pj:g} / {m.write_pj:g} pJ per {d.word_bits}-bit access", m.source]
        for m in d.memory
    ]
    if d.memory_included:
        rows.append(["memory", "in the operation costs", d.covers])
    rows += [["covers", "", d.covers], ["omits", "", d.omits]]
    table(f"device {d.name} ({d.kind}, {d.bits}-bit)", ["constant", "value", "source"], rows)
