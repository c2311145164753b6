"""Study S4 (Park & Hong): grid vs random vs Bayesian search × image / audio / image+audio.

For each search method (Optuna's grid sized to the budget, random, GP Bayesian optimisation)
and each modality of ``digits_spoken`` (``--inputs image``, ``--inputs audio``, both), run
``edgesnn tune`` with the same model family (fusion2: one branch per kept input), the same
MSE spike-count loss, the same search space (``space.json``: learning rate, correct rate,
incorrect rate) and the same number of trained trials; then report the test accuracy of the
configuration with the best *validation* accuracy. Writes ``results.json``, ``results.md`` and
``search.png``.

    python examples/multimodal/run.py            # full size (18 trials × 8 epochs per search)
    python examples/multimodal/run.py --smoke    # CI: 2 trials × 1 epoch per search
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the study runs on one core; before torch is imported

HERE = Path(__file__).resolve().parent
DATASET = "digits_spoken"
MODALITIES = {"image": "image", "audio": "audio", "image+audio": None}  # column -> --inputs (None: all)
METHODS = {"grid": "grid search", "random": "random search", "gp": "Bayesian (GP)"}
PROFILE = "workstation"  # no device limits: the study compares searches, not hardware fits
SIZES = {"full": {"trials": 18, "epochs": 8}, "smoke": {"trials": 2, "epochs": 1}}

#: Park & Hong, Tables I and II: test accuracy (%) and the chosen (learning rate, correct rate, incorrect rate)
PAPER = {
    "grid": {
        "image": (92.97, 0.001, 0.7, 0.3),
        "audio": (81.22, 0.02, 0.7, 0.3),
        "image+audio": (89.73, 0.0001, 0.8, 0.2),
    },
    "random": {
        "image": (94.16, 0.01, 0.8, 0.2),
        "audio": (86.64, 0.0001, 0.8, 0.2),
        "image+audio": (92.67, 0.0001, 0.8, 0.2),
    },
    "gp": {
        "image": (93.24, 0.02, 0.8, 0.2),
        "audio": (84.53, 0.001, 0.7, 0.3),
        "image+audio": (91.88, 0.001, 0.8, 0.2),
    },
}


def run_cell(method: str, modality: str, trials: int, epochs: int, out: Path, seed: int) -> dict:
    """One ``edgesnn tune`` search; its best-validation trial and the whole trace."""
    from edgesnn.data import with_inputs
    from edgesnn.tune import TuneConfig, tune

    config = TuneConfig(
        with_inputs(DATASET, MODALITIES[modality]),
        PROFILE,
        model="fusion2",
        space=HERE / "space.json",
        tuner=method,
        trials=trials,
        epochs=epochs,
        objectives=("accuracy",),
        prune=False,  # every trial trains all its epochs: an equal budget in epochs too
        seed=seed,
        out=out / f"{method}-{modality.replace('+', '-')}",
    )
    start = time.perf_counter()
    result = tune(config, progress=False)
    best = result.best
    return {
        "method": method,
        "modality": modality,
        "dataset": config.dataset,
        "trained": sum(r.stage == "trained" for r in result.records),
        "seconds": time.perf_counter() - start,
        "notes": result.notes,
        "best": None
        if best is None
        else {
            "number": best.number,
            "params": {k: best.params[k] for k in ("lr", "correct_rate", "incorrect_rate")},
            "val_acc": best.metrics["val_acc"],
            "test_acc": best.metrics["test_acc"],
        },
        "trace": [
            {"number": r.number, "state": r.state, "val_acc": r.metrics.get("val_acc"), "params": r.params}
            for r in result.records
        ],
    }


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f}"


def hp_text(lr: float, correct: float, incorrect: float) -> str:
    return f"lr {lr:.2g}, c {correct:.2f}, i {incorrect:.2f}"


def table(rows: dict[str, dict[str, tuple[str, str]]]) -> list[str]:
    cols = list(MODALITIES)
    lines = ["| method | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for method, cells in rows.items():
        lines.append(f"| {METHODS[method]} | " + " | ".join(f"**{cells[c][0]}** ({cells[c][1]})" for c in cols) + " |")
    return lines


def write_markdown(cells: list[dict], meta: dict, path: Path) -> None:
    by = {(c["method"], c["modality"]): c for c in cells}
    measured = {
        m: {
            mod: (pct(by[m, mod]["best"]["test_acc"]), hp_text(*by[m, mod]["best"]["params"].values()))
            if by[m, mod]["best"]
            else ("—", "no feasible trial")
            for mod in MODALITIES
        }
        for m in METHODS
    }
    paper = {m: {mod: (f"{v[0]:.2f}", hp_text(*v[1:])) for mod, v in PAPER[m].items()} for m in METHODS}
    best_of = {mod: max(METHODS, key=lambda m: (by[m, mod]["best"] or {}).get("test_acc", -1.0)) for mod in MODALITIES}
    lines = [
        f"# Study S4 — grid vs random vs Bayesian search, image / audio / image+audio ({meta['size']})",
        "",
        "Test accuracy (%) of the configuration with the best validation accuracy, and its learning rate (lr), "
        "correct rate (c) and incorrect rate (i) of the MSE spike-count loss.",
        "",
        f"## Measured (edgesnn, `{DATASET}`, {meta['trials']} trained trials × {meta['epochs']} epochs per search)",
        "",
        *table(measured),
        "",
        "## Paper (Park & Hong, Tables I and II; MNIST images + spoken-digit MNIST audio)",
        "",
        *table(paper),
        "",
        "## Headline",
        "",
        *[
            f"- {mod}: best search here **{METHODS[best_of[mod]]}** "
            f"({pct(by[best_of[mod], mod]['best']['test_acc'])} %); in the paper **random search** "
            f"({PAPER['random'][mod][0]:.2f} %)."
            for mod in MODALITIES
            if by[best_of[mod], mod]["best"]
        ],
        "- Modalities, best over the three searches: "
        + ", ".join(
            f"{mod} {pct(max((by[m, mod]['best'] or {}).get('test_acc', 0.0) for m in METHODS))} %"
            for mod in MODALITIES
        )
        + " (paper: image 94.16, audio 86.64, image+audio 92.67).",
        "",
        "## Run",
        "",
        f"- Budget per search: {meta['trials']} trained trials, {meta['epochs']} epochs each, no pruning; "
        f"seed {meta['seed']}; model fusion2 (one branch per kept input), profile `{PROFILE}`.",
        *[f"- {n}" for n in sorted({n for c in cells for n in c["notes"] if n.startswith("grid search")})],
        "- Trained trials per search: "
        + ", ".join(f"{c['method']}/{c['modality']} {c['trained']}" for c in cells)
        + ".",
        f"- Wall time: {meta['seconds']:.0f} s in all ({meta['threads']} thread(s)); per search: "
        + ", ".join(f"{c['method']}/{c['modality']} {c['seconds']:.0f} s" for c in cells)
        + ".",
        "- Plot: `search.png` (best validation accuracy so far against trials, one panel per modality).",
        "",
    ]
    path.write_text("\n".join(lines))


def plot(cells: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(MODALITIES), figsize=(4 * len(MODALITIES), 3.2), sharey=True)
    for ax, mod in zip(axes, MODALITIES):
        for c in (c for c in cells if c["modality"] == mod):
            vals = [t["val_acc"] or 0.0 for t in c["trace"] if t["state"] == "COMPLETE"]
            ax.plot(range(1, len(vals) + 1), [max(vals[: i + 1]) for i in range(len(vals))], label=METHODS[c["method"]])
        ax.set_title(mod)
        ax.set_xlabel("trial")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("best validation accuracy so far")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="CI size: 2 trials × 1 epoch per search (< 1 min)")
    ap.add_argument("--trials", type=int, help="trained trials per search (default: 18 full, 2 smoke)")
    ap.add_argument("--epochs", type=int, help="epochs per trial (default: 8 full, 1 smoke)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, help="tuning runs and results (default: runs/multimodal-<size>)")
    ap.add_argument("--results", type=Path, help="results.md (default: beside run.py for the full size, else in --out)")
    args = ap.parse_args(argv)
    size = "smoke" if args.smoke else "full"
    trials, epochs = args.trials or SIZES[size]["trials"], args.epochs or SIZES[size]["epochs"]
    out = args.out or Path("runs") / f"multimodal-{size}"
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    cells = []
    for method in METHODS:
        for modality in MODALITIES:
            cell = run_cell(method, modality, trials, epochs, out, args.seed)
            best = cell["best"] or {}
            print(
                f"{method:>6} {modality:<12} trained {cell['trained']}  best val {pct(best.get('val_acc'))} "
                f"test {pct(best.get('test_acc'))}  ({cell['seconds']:.0f} s)",
                flush=True,
            )
            cells.append(cell)
    import torch

    meta = {"size": size, "trials": trials, "epochs": epochs, "seed": args.seed}
    meta |= {"seconds": time.perf_counter() - start, "threads": torch.get_num_threads()}
    (out / "results.json").write_text(json.dumps({"meta": meta, "cells": cells, "paper": PAPER}, indent=1))
    results = args.results or (
        HERE / "results.md" if size == "full" and not (args.trials or args.epochs) else out / "results.md"
    )
    plot(cells, results.parent / "search.png")
    write_markdown(cells, meta, results)
    print(f"results: {results}  ({meta['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
