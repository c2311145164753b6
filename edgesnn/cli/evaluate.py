"""``edgesnn evaluate``: the on-device report of one or more exported artifacts."""

from __future__ import annotations

from pathlib import Path

import typer

from . import app
from ._common import DT_OPTION, JSON_OPTION, RESET_OPTION, checks_table, emit_json, table


@app.command()
def evaluate(
    artifacts: list[Path] = typer.Argument(
        ...,
        help="Export directories from 'edgesnn export' (or a bare .nir file with --dataset). Several: a side-by-side table.",
    ),
    dataset: str = typer.Option(
        None, "--dataset", "-d", help="Dataset name or file; default: the one in the artifact's manifest."
    ),
    profile: str = typer.Option(None, "--profile", "-p", help="Profile to check against; default: the manifest's."),
    target: str = typer.Option(
        None,
        "--target",
        "-t",
        help="Another cost table of the same runtime, or 'nir' for the reference simulator; default: the manifest's.",
    ),
    out: Path = typer.Option(
        None,
        "--out",
        "-o",
        help="Report directory (default: <artifact>/report; with several artifacts, DIR/<n>-<name>).",
    ),
    limit: int = typer.Option(None, "--limit", min=1, help="Evaluate only the first N test samples."),
    batch_size: int = typer.Option(
        None, "--batch-size", min=1, help="Samples per runtime call (default: the runtime's; 128, Lava 512)."
    ),
    ann_baseline: str = typer.Option(
        None,
        "--ann-baseline",
        help="Device the ANN twin is priced on, memory counted (built-in: edgesnn devices, or a YAML file); "
        "default: the target's ann_baseline, else the profile's (a wearable: cortex-m4).",
    ),
    energy_sim: str = typer.Option(
        None,
        "--energy-sim",
        help="Cross-check the energy by simulation: 'sanafe' maps the model onto SANA-FE's Loihi and replays "
        "the recorded input spikes (dense / recurrent spiking layers, spike input).",
    ),
    sim_samples: int = typer.Option(16, "--sim-samples", min=1, help="Test samples the energy simulator runs."),
    reset: str = RESET_OPTION,
    dt: float = DT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Run artifacts over the test split on their runtime with spikes recorded per layer; write
    report.json, report.md, PNG plots and a self-contained report.html.

    Exit code 2 when a model violates its profile (the report is still written).
    """
    from ..errors import ConstraintViolation
    from ..evaluation import comparison_markdown, comparison_rows, default_out
    from ..evaluation import evaluate as run_evaluate
    from ..io import atomic_write_text, write_json

    reports, outs = [], []
    for i, artifact in enumerate(artifacts):
        where = default_out(artifact) if out is None else (out if len(artifacts) == 1 else out / _slug(i, artifact))
        with _progress(not as_json, f"evaluate {artifact}") as progress:
            reports.append(
                run_evaluate(
                    artifact,
                    dataset,
                    profile=profile,
                    target=target,
                    out=where,
                    limit=limit,
                    progress=progress,
                    batch_size=batch_size,
                    reset=reset,
                    dt=dt,
                    ann_baseline=ann_baseline,
                    energy_sim=energy_sim,
                    sim_samples=sim_samples,
                )
            )
        outs.append(where)
    if len(reports) > 1 and out is not None:
        write_json(out / "comparison.json", comparison_rows(reports))
        atomic_write_text(out / "comparison.md", comparison_markdown(reports))
    if as_json:
        docs = [r.to_dict() for r in reports]
        emit_json(docs[0] if len(docs) == 1 else {"reports": docs, "comparison": comparison_rows(reports)})
    else:
        for report, where in zip(reports, outs):
            _print(report, where)
        if len(reports) > 1:
            rows = comparison_rows(reports)
            table("side by side", list(rows[0]), [list(r.values()) for r in rows])
    bad = [r for r in reports if r.feasible is False]
    if bad:
        names = "; ".join(f"{r.model}: " + ", ".join(c["name"] for c in r.checks if not c["ok"]) for r in bad)
        raise ConstraintViolation(f"profile violated ({names}); the report is written")


def _slug(i: int, artifact: Path) -> str:
    p = Path(artifact).resolve()
    return f"{i + 1}-{p.parent.name}-{p.name}" if p.is_dir() else f"{i + 1}-{p.stem}"


def _print(r, where: Path) -> None:
    from ..config.checks import Check
    from ..evaluation.render import fmt, summary_rows, terminal_layers

    table(f"{r.model} on {r.target} — {r.dataset}, {r.samples} samples", ["metric", "value"], summary_rows(r))
    table("per layer (per inference)", *terminal_layers(r))
    if r.device:
        rows = [[f["name"], f"{fmt(f['value'])} {f['unit']}".strip()] for f in r.device["figures"]]
        table(f"device: {r.device['device']} (sources in the report)", ["figure", "value"], rows)
    if r.energy_sim:
        from ..evaluation.render import sim_rows

        table("energy cross-check by simulation", ["figure", "value"], [[k, fmt(v)] for k, v in sim_rows(r.energy_sim)])
    if r.checks:
        checks_table([Check(c["name"], c["value"], c["limit"], c.get("note", "")) for c in r.checks])
    for line in (*r.assumptions, *r.notes):
        typer.echo(f"note: {line}")
    typer.echo(f"energy: {r.energy.caveat}")
    for line in (r.device or {}).get("notes", []):
        typer.echo(f"device: {line}")
    from ..evaluation.verdict import verdict

    for topic, text, good in verdict(r):
        typer.echo(f"verdict: {topic}: {text}" + {True: "", False: "  ✘", None: ""}[good])
    typer.echo(f"report: {where / 'report.html'}")


class _progress:
    """A rich bar fed by the evaluator's ``progress(done, total)`` callback (quiet when not a TTY)."""

    def __init__(self, enabled: bool, label: str):
        import sys

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._label, self._task = label, None
        self._bar = (
            Progress(label, BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            if enabled and sys.stderr.isatty()
            else None
        )

    def __enter__(self):
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc):
        if self._bar:
            self._bar.stop()

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            return
        if self._task is None:
            self._task = self._bar.add_task(self._label, total=total)
        self._bar.update(self._task, completed=done)
