"""report.md and a self-contained report.html from one list of sections.

``sections(report)`` builds (title, header, rows) tables once; ``markdown`` and ``html`` only
format them. The HTML embeds each PNG as a base64 ``data:`` URI, so it is one file.
"""

from __future__ import annotations

import base64
import html as _html
from typing import Any

from .report import Report

Section = tuple[str, list[str], list[list[Any]]]


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def summary_rows(r: Report) -> list[list[Any]]:
    e, m, a, lat = r.energy, r.memory, r.activity, r.latency
    rows = [
        ["accuracy", f"{r.accuracy:.4f} ({r.samples} test samples of {r.dataset})"],
        ["parameters (weights + biases)", r.parameters["total"]],
        [f"weight memory ({m.weight_bits}-bit)", f"{m.weight_bytes:g} B"],
        [f"neuron state ({m.state_bits}-bit)", f"{m.state_bytes:g} B"],
        ["peak activation buffer", f"{m.activation_bytes:g} B"],
        ["timesteps (latency)", f"{lat.timesteps}" + (f" = {lat.simulated_s * 1e3:.4g} ms at dt {lat.dt_s:g} s" if lat.dt_s else "")],
        [f"wall time per sample on {r.backend}", f"{lat.wall_s_per_sample * 1e3:.4g} ms ({lat.samples_per_s:.4g} samples/s, batch {lat.batch_size})"],
        ["mean firing rate", f"{a.mean_firing_rate:.4g} spikes/neuron/step"],
        ["spikes / inference", a.spikes_per_inference],
        ["synaptic operations / inference", a.synops_per_inference],
        ["neuron updates / inference", a.neuron_updates_per_inference],
        [f"SNN energy / inference ({e.table})", f"{e.snn_uj:.4g} µJ"],
        [f"ANN twin: MACs, energy ({e.ann_table})", f"{e.ann_macs}, {fmt(e.ann_uj)} µJ"],
        ["SNN / ANN energy", fmt(e.snn_over_ann)],
        ["break-even firing rate", fmt(e.break_even_rate)],
    ]
    if r.training:
        rows.append(["training time (s)", fmt(r.training.get("train_seconds"))])
    return rows


def sections(r: Report) -> list[Section]:
    a, e = r.activity, r.energy
    layers = list(dict.fromkeys([*a.layers, *e.snn_layers_uj, *a.firing_rates]))
    per_layer = [[k, a.firing_rates.get(k), a.spikes.get(k), a.spike_counts_total.get(k), a.synops.get(k),
                  a.neuron_updates.get(k), e.snn_layers_uj.get(k), e.ann_macs_layers.get(k)] for k in layers]
    out: list[Section] = [
        ("Summary", ["metric", "value"], summary_rows(r)),
        ("Per layer (per inference)", ["layer", "rate", "spikes", "spikes (split total)", "SynOps", "neuron updates",
                                       "energy µJ", "ANN MACs"], per_layer),
        ("Per-class accuracy", ["class", "accuracy"], [[c, v] for c, v in r.per_class_accuracy.items()]),
        (f"Profile checks ({r.profile or 'none'}; slack = value − limit, ≤ 0 is feasible)",
         ["check", "value", "limit", "slack", "ok"], [[c["name"], c["value"], c["limit"], c["slack"], c["ok"]]
                                                      for c in r.checks]),
    ]
    for kind, t in e.tables.items():
        if t:
            rows = [[k, c["value_pj"], c["source"]] for k, c in t["constants"].items()]
            rows += [["covers", "", t["covers"]], ["omits", "", t["omits"]]]
            out.append((f"Cost table '{t['table']}' ({kind})", ["constant", "pJ", "source"], rows))
    return out


def _lists(r: Report) -> list[tuple[str, list[str]]]:
    return [("Caveat", [r.energy.caveat]), ("Assumptions", r.assumptions), ("Notes", r.notes)]


def markdown(r: Report, images: list[str]) -> str:
    lines = [f"# Evaluation of {r.model}", "",
             f"Target **{r.target}** ({r.backend} runtime), dataset **{r.dataset}**, schema `{r.schema}`.", ""]
    for title, header, rows in sections(r):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(fmt(v).replace("|", "\\|") for v in row) + " |" for row in rows] + [""]
    for title, items in _lists(r):
        if items:
            lines += [f"## {title}", "", *[f"- {i}" for i in items], ""]
    lines += ["## Plots", ""] + [f"![{name}]({name})" for name in images] + [""]
    return "\n".join(lines)


_CSS = ("body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
        "text-align:left;font-size:14px}th{background:#f3f3f3}img{max-width:100%;margin:1em 0}"
        ".bad{color:#b00;font-weight:bold}")


def html(r: Report, pngs: dict[str, bytes]) -> str:
    esc = _html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>edgesnn report — {esc(r.model)}</title>",
             f"<style>{_CSS}</style></head><body>", f"<h1>Evaluation of {esc(r.model)}</h1>",
             f"<p>Target <b>{esc(r.target)}</b> ({esc(r.backend)} runtime), dataset <b>{esc(r.dataset)}</b>, "
             f"schema <code>{esc(r.schema)}</code>.</p>"]
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
