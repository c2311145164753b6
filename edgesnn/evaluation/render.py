"""report.md and a self-contained report.html from one list of sections.

``sections(report)`` builds (title, header, rows) tables once; ``markdown`` and ``html`` only
format them. The HTML embeds each PNG as a base64 ``data:`` URI, so it is one file. The rows
and columns of the measured quantities are not listed here: they come from the declarations in
:mod:`edgesnn.evaluation.schema` (a labelled scalar is a summary row, a labelled per-layer
mapping a column), so a new metric shows up in every rendering without touching this module.
"""

from __future__ import annotations

import base64
import html as _html
from typing import Any

from .fields import fmt, lookup
from .report import Report
from .schema import LAYER_COLUMNS, SUMMARY, TERMINAL_COLUMNS
from .verdict import verdict

__all__ = ["fmt", "html", "markdown", "sections", "summary_rows", "terminal_layers"]

Section = tuple[str, list[str], list[list[Any]]]


def summary_rows(r: Report) -> list[list[Any]]:
    """[label, value] rows: the run's own (accuracy, size, training) around the schema's."""
    rows = [
        ["accuracy", f"{r.accuracy:.4f} ({r.samples} test samples of {r.dataset})"],
        ["parameters (weights + biases)", r.parameters["total"]],
        *([f.row_label(r), f.cell(r)] for f in SUMMARY if lookup(r, f.section) is not None),
    ]
    if r.training:
        rows.append(["training time (s)", fmt(r.training.get("train_seconds"))])
    return rows


def _layer_names(r: Report) -> list[str]:
    """Graph order, then layers only the energy or the rates name."""
    return list(dict.fromkeys([*r.activity.layers, *r.energy.snn_layers_uj, *r.activity.firing_rates]))


def label(r: Report, key: str) -> str:
    """The readable name of layer ``key`` (its graph id when the report has none)."""
    return r.layer_names.get(key, key)


def terminal_layers(r: Report) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the terminal's short per-layer table (``edgesnn evaluate``)."""
    values = [lookup(r, f.path) for f in TERMINAL_COLUMNS]
    return (
        ["layer", *(f.label for f in TERMINAL_COLUMNS)],
        [[label(r, k), *(fmt(v.get(k)) for v in values)] for k in r.activity.layers],
    )


def sections(r: Report) -> list[Section]:
    columns = [f for f in LAYER_COLUMNS if lookup(r, f.section) is not None]  # a null section has no column
    values = [lookup(r, f.path) for f in columns]
    ids = ["graph id"] if r.layer_names else []
    per_layer = [[label(r, k), *(v.get(k) for v in values), *([k] if r.layer_names else [])] for k in _layer_names(r)]
    out: list[Section] = [
        ("Summary", ["metric", "value"], summary_rows(r)),
        ("Per layer (per inference)", ["layer", *(f.label for f in columns), *ids], per_layer),
        ("Per-class accuracy", ["class", "accuracy"], [[c, v] for c, v in r.per_class_accuracy.items()]),
        (
            f"Profile checks ({r.profile or 'none'}; slack = value − limit, ≤ 0 is feasible)",
            ["check", "value", "limit", "slack", "ok"],
            [[c["name"], c["value"], c["limit"], c["slack"], c["ok"]] for c in r.checks],
        ),
    ]
    if r.device:
        rows = [[f["name"], f["value"], f["unit"], f["source"]] for f in r.device["figures"]]
        out.append(
            (
                f"Device: {r.device['device']} (its maker's models, published figures)",
                ["figure", "value", "unit", "source"],
                rows,
            )
        )
    if r.energy_sim:
        out.append(("Energy cross-check by simulation", ["figure", "value"], sim_rows(r.energy_sim)))
    if r.like_for_like is not None:
        for side, t in r.like_for_like.devices.items():
            rows = [[k, c["value_pj"], c["source"]] for k, c in t["constants"].items()]
            mem = t["memory"]
            if isinstance(mem, dict):
                rows += [
                    [
                        f"SRAM ≤ {m['max_bytes']} B, read / write per {mem['word_bits']}-bit access",
                        f"{m['read_pj']:g} / {m['write_pj']:g}",
                        m["source"],
                    ]
                    for m in mem["levels"]
                ]
            else:
                rows.append(["memory", "", mem])
            rows += [["covers", "", t["covers"]], ["omits", "", t["omits"]]]
            out.append((f"Device '{t['device']}' ({side}, memory counted)", ["constant", "pJ", "source"], rows))
    for kind, t in r.energy.tables.items():
        if t:
            rows = [[k, c["value_pj"], c["source"]] for k, c in t["constants"].items()]
            rows += [["covers", "", t["covers"]], ["omits", "", t["omits"]]]
            out.append((f"Cost table '{t['table']}' ({kind})", ["constant", "pJ", "source"], rows))
    return out


def sim_rows(sim: dict) -> list[list]:
    """The cross-check's rows: the simulator's energy and time, the analytical estimates, ratios."""
    rows = [["simulator", sim["simulator"]], ["samples simulated", sim["samples"]]]
    rows += [[f"simulated energy: {k} (µJ)", v] for k, v in sim["energy_uj"].items() if k != "total"]
    rows += [["simulated energy per inference (µJ)", sim["energy_total_uj"]]]
    rows += [["simulated time per inference (s)", sim["time_s"]]]
    rows += [[f"analytical on '{k}' (µJ)", v] for k, v in sim["analytical_uj"].items()]
    rows += [[f"simulated / analytical ('{k}')", v] for k, v in sim["simulated_over_analytical"].items()]
    rows += [
        ["neurons fired, simulator (inputs included)", sim["neurons_fired"]],
        ["spikes, edgesnn", sim["spikes_edgesnn"]],
    ]
    return rows


def _lists(r: Report) -> list[tuple[str, list[str]]]:
    device = [("Device notes", list(r.device.get("notes") or []))] if r.device else []
    return [("Caveat", [r.energy.caveat]), *device, ("Assumptions", r.assumptions), ("Notes", r.notes)]


_MARK = {True: "✔", False: "✘", None: "·"}


def markdown(r: Report, images: list[str]) -> str:
    lines = [
        f"# Evaluation of {r.model}",
        "",
        f"Target **{r.target}** ({r.backend} runtime), dataset **{r.dataset}**, schema `{r.schema}`.",
        "",
        "## Verdict",
        "",
        *[f"- {_MARK[good]} **{topic}**: {text}" for topic, text, good in verdict(r)],
        "",
    ]
    for title, header, rows in sections(r):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(fmt(v).replace("|", "\\|") for v in row) + " |" for row in rows] + [""]
    for title, items in _lists(r):
        if items:
            lines += [f"## {title}", "", *[f"- {i}" for i in items], ""]
    lines += ["## Plots", ""] + [f"![{name}]({name})" for name in images] + [""]
    return "\n".join(lines)


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
    "text-align:left;font-size:14px}th{background:#f3f3f3}img{max-width:100%;margin:1em 0}"
    ".bad{color:#b00;font-weight:bold}"
    ".verdict{border:2px solid #888;border-radius:6px;padding:.6em 1em;margin:1em 0 1.5em;font-size:15px}"
    ".verdict li{list-style:none;margin:.25em 0}.good{color:#176f2c}.poor{color:#b00}"
)


def html(r: Report, pngs: dict[str, bytes]) -> str:
    esc = _html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>edgesnn report — {esc(r.model)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Evaluation of {esc(r.model)}</h1>",
        "<div class='verdict' id='verdict'><b>Verdict</b><ul>"
        + "".join(
            f"<li class='{ {True: 'good', False: 'poor', None: ''}[good] }'>{_MARK[good]} <b>{esc(topic)}</b>: {esc(text)}</li>"
            for topic, text, good in verdict(r)
        )
        + "</ul></div>",
        f"<p>Target <b>{esc(r.target)}</b> ({esc(r.backend)} runtime), dataset <b>{esc(r.dataset)}</b>, "
        f"schema <code>{esc(r.schema)}</code>.</p>",
    ]
    for title, header, rows in sections(r):
        parts.append(f"<h2>{esc(title)}</h2><table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>")
        for row in rows:
            cells = "".join(f"<td{' class=bad' if v is False else ''}>{esc(fmt(v))}</td>" for v in row)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    for title, items in _lists(r):
        if items:
            parts.append(f"<h2>{esc(title)}</h2><ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
    parts.append("<h2>Plots</h2>")
    for name, data in pngs.items():
        b64 = base64.b64encode(data).decode()
        parts.append(f"<img alt='{esc(name)}' src='data:image/png;base64,{b64}'>")
    parts.append("</body></html>")
    return "\n".join(parts)
