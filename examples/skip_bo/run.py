"""Study S2 (Benmeziane et al.): skip connections chosen by Bayesian optimisation vs random search.

For each data set (``digits`` with a 2-D CNN, ``basic_motions`` — a temporal set, one IMU frame
per step — with a dense SNN) the search space is every skip adjacency matrix the base topology
can take (``edgesnn.tune.skips.skip_space``: add and concat edges between conv and dense blocks,
only where shapes fit). The objective is the ANN→SNN accuracy drop (``ann_snn_drop``: ANN twin
validation accuracy − validation accuracy of the SNN transferred from it and trained), minimised
by Optuna's GP sampler (Bayesian optimisation) and by random search with the same number of
trials and epochs, over several seeds. Each seed also trains the base topology without skips
(the chain) as the reference. Every trial records the topology's firing rate, MACs and SynOps.
Writes ``results.json``, ``results.md`` and ``drop_curves.png``.

    python examples/skip_bo/run.py              # full size (3 seeds × 12 trials per search)
    python examples/skip_bo/run.py --smoke      # CI: 1 seed × 2 trials × 1 epoch (< 1 min)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per study; before torch is imported

HERE = Path(__file__).resolve().parent
PROFILE = "workstation"  # no device limits: the study compares searches, not hardware fits
METHODS = {"gp": "Bayesian optimisation (GP)", "random": "random search"}
#: data set -> (model family, the fixed base topology and training settings)
SETS = {
    "digits": (
        "cnn2d",
        {"channels": [8, 8, 8], "pool_size": 1, "hidden": [32], "init": "ann", "timesteps": 16, "batch_size": 128},
    ),
    "basic_motions": ("mlp", {"hidden": [32, 32, 32], "init": "ann", "timesteps": 50}),
}
SIZES = {
    "full": {"trials": 12, "seeds": 3, "epochs": {"digits": 2, "basic_motions": 10}},
    "smoke": {"trials": 2, "seeds": 1, "epochs": {"digits": 1, "basic_motions": 1}},
}
#: smoke: smaller blocks, fewer steps, larger batches (the ANN twin trains ≥ 50 epochs per trial)
SMOKE_BASE = {
    "digits": {"channels": [2, 2, 2], "hidden": [8], "timesteps": 4, "batch_size": 512},
    "basic_motions": {"hidden": [8, 8, 8], "timesteps": 10},
}
#: what the paper (IPDPS-W 2023 poster, arXiv:2303.13563) states; it gives no table of numbers
PAPER = {
    "search": "BO beats random search on CIFAR10-DVS: a lower drop in fewer iterations, more stable (Fig. 3, no numbers)",
    "gain": "average accuracy improvement of 8 % within about 5 minutes",
    "add": "addition-type skips: higher firing rate and higher accuracy (may cost energy)",
    "concat": "DenseNet-like (concat) skips: more MACs, only slightly higher firing rate",
}


def matrix_of(params: dict, family: str) -> list[list[int]]:
    from edgesnn.tune.space import to_overrides

    return to_overrides(params, family)["skip_matrix"]


def trial_row(r, family: str) -> dict:
    from edgesnn.models.skips import describe, edges

    m = matrix_of(r.params, family)
    kinds = {k for _, _, k in edges(m)}
    drop = r.objective("ann_snn_drop") if r.state == "COMPLETE" else None
    return {
        "number": r.number,
        "state": r.state,
        "error": r.error,
        "drop": drop if drop is not None and math.isfinite(drop) else None,
        "matrix": m,
        "edges": describe(m),
        "kinds": "+".join(sorted(kinds)) or "none",
        **{k: r.metrics.get(k) for k in ("ann_val_acc", "val_acc", "test_acc", "mean_firing_rate", "macs", "synops")},
        "seconds": r.seconds,
    }


def run_search(dataset: str, method: str, seed: int, trials: int, epochs: int, base: dict, out: Path) -> dict:
    from edgesnn.data import prepare
    from edgesnn.tune import TuneConfig, tune
    from edgesnn.tune.skips import write_skip_space

    family = SETS[dataset][0]
    prep = prepare(dataset, seed)
    run = out / f"{dataset}-{method}-s{seed}"
    run.mkdir(parents=True, exist_ok=True)
    space = write_skip_space(run / "space.json", family, prep.train.feature_shape, prep.train.n_classes, base)
    config = TuneConfig(
        dataset,
        PROFILE,
        model=family,
        space=space,
        tuner=method,
        trials=trials,
        epochs=epochs,
        objectives=("ann_snn_drop",),
        prune=False,  # every trial trains all its epochs: an equal budget
        seed=seed,
        out=run / "tune",
    )
    start = time.perf_counter()
    result = tune(config, progress=False)
    return {
        "dataset": dataset,
        "method": method,
        "seed": seed,
        "seconds": time.perf_counter() - start,
        "space_edges": sum(k.startswith("skip_matrix_") for k in json.loads(space.read_text())),
        "trials": [trial_row(r, family) for r in sorted(result.records, key=lambda r: r.number)],
    }


def chain_reference(dataset: str, seed: int, epochs: int, base: dict) -> dict:
    """The base topology without skips (all-zero matrix), trained like a trial."""
    from edgesnn.models import resolve
    from edgesnn.models.skips import family_blocks, matrix_size
    from edgesnn.train import train
    from edgesnn.tune.skips import topology_costs

    family = SETS[dataset][0]
    n = matrix_size(*family_blocks(family, resolve(family, base)))
    over = {**base, "skip_matrix": [[0] * n for _ in range(n)]}
    start = time.perf_counter()
    res = train(dataset, PROFILE, model=family, overrides=over, epochs=epochs, seed=seed, progress=False, ann_twin=True)
    m = res.metrics
    return {
        "dataset": dataset,
        "seed": seed,
        "drop": m["ann_val_acc"] - m["val_acc"],
        "ann_val_acc": m["ann_val_acc"],
        "val_acc": m["val_acc"],
        "test_acc": m["test_acc"],
        "mean_firing_rate": m["mean_firing_rate"],
        **topology_costs(m),
        "seconds": time.perf_counter() - start,
    }


def best_so_far(trials: list[dict]) -> list[float | None]:
    out, best = [], None
    for t in trials:
        if t["drop"] is not None:
            best = t["drop"] if best is None else min(best, t["drop"])
        out.append(best)
    return out


def curves(searches: list[dict], dataset: str, method: str) -> dict:
    runs = [best_so_far(s["trials"]) for s in searches if s["dataset"] == dataset and s["method"] == method]
    n = min(len(r) for r in runs)
    mean, lo, hi = [], [], []
    for k in range(n):
        vals = [r[k] for r in runs if r[k] is not None]
        mean.append(statistics.fmean(vals) if vals else None)
        lo.append(min(vals) if vals else None)
        hi.append(max(vals) if vals else None)
    finals = [r[n - 1] for r in runs if r[n - 1] is not None]
    # the trial at which each seed's final best drop was first reached (1-based)
    reached = [next(k + 1 for k, v in enumerate(r) if v == r[n - 1]) for r in runs if r[n - 1] is not None]
    return {"mean": mean, "min": lo, "max": hi, "finals": finals, "reached": reached}


def gp_startup() -> int:
    """Trials edgesnn's GP sampler draws at random before its surrogate steers (``tune/samplers.py``)."""
    from edgesnn.tune.samplers import SAMPLERS

    return int(SAMPLERS["gp"](0, None, 1)._n_startup_trials)


def after_startup(searches: list[dict], dataset: str, method: str, start: int) -> list[float]:
    """The drop of every trial after the first ``start`` (where GP and random draw differently)."""
    return [
        t["drop"]
        for s in searches
        if s["dataset"] == dataset and s["method"] == method
        for t in s["trials"][start:]
        if t["drop"] is not None
    ]


def val_gain(results: dict, dataset: str, method: str) -> list[float]:
    """Per seed: SNN val accuracy of the search's best-drop topology − that of the no-skip chain."""
    out = []
    for c in (c for c in results["chain"] if c["dataset"] == dataset):
        s = next(
            s for s in results["searches"] if (s["dataset"], s["method"], s["seed"]) == (dataset, method, c["seed"])
        )
        done = [t for t in s["trials"] if t["drop"] is not None]
        if done:
            out.append(min(done, key=lambda t: (t["drop"], -(t["val_acc"] or 0.0)))["val_acc"] - c["val_acc"])
    return out


def pp(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f}"


def ms(vals: list[float], scale: float = 100.0) -> str:
    if not vals:
        return "—"
    mean = statistics.fmean(vals) * scale
    sd = statistics.stdev(vals) * scale if len(vals) > 1 else 0.0
    return f"{mean:.2f} ± {sd:.2f}"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(SETS), figsize=(5 * len(SETS), 3.6))
    for ax, dataset in zip(axes, SETS):
        for method, color in zip(METHODS, ("tab:blue", "tab:orange")):
            c = results["curves"][dataset][method]
            xs = [k + 1 for k, v in enumerate(c["mean"]) if v is not None]
            ys = [100 * v for v in c["mean"] if v is not None]
            lo = [100 * v for v in c["min"] if v is not None]
            hi = [100 * v for v in c["max"] if v is not None]
            ax.plot(xs, ys, color=color, marker="o", ms=3, label=f"{METHODS[method]} (mean)")
            ax.fill_between(xs, lo, hi, color=color, alpha=0.2, label=f"{method}: min–max over seeds")
        chain = [c["drop"] for c in results["chain"] if c["dataset"] == dataset]
        if chain:
            ax.axhline(100 * statistics.fmean(chain), color="gray", ls="--", label="no skips (mean)")
        ax.set_title(f"{dataset} ({SETS[dataset][0]})")
        ax.set_xlabel("trial")
        ax.set_ylabel("best ANN→SNN drop so far (pp)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def group_effects(searches: list[dict], dataset: str) -> list[str]:
    """Mean firing rate, MACs and SNN accuracy of every trained topology, by the kinds of edge it has."""
    rows = [t for s in searches if s["dataset"] == dataset for t in s["trials"] if t["drop"] is not None]
    lines = []
    for kinds in ("none", "add", "concat", "add+concat"):
        g = [t for t in rows if t["kinds"] == kinds]
        if not g:
            continue
        mean = lambda k: statistics.fmean(t[k] for t in g if t[k] is not None)  # noqa: E731
        lines.append(
            f"| {dataset} | {kinds} | {len(g)} | {mean('mean_firing_rate'):.4f} | {mean('macs'):,.0f} | "
            f"{mean('synops'):,.0f} | {100 * mean('val_acc'):.2f} | {100 * mean('drop'):.2f} |"
        )
    return lines


def edge_effects(searches: list[dict], dataset: str) -> str | None:
    """Least squares over every trained topology: y = c + a·(add edges) + b·(concat edges), for the
    firing rate, MACs and SNN validation accuracy (what one more edge of each kind changes)."""
    import numpy as np

    rows = [t for s in searches if s["dataset"] == dataset for t in s["trials"] if t["drop"] is not None]
    counts = [
        [1.0, sum(v == 1 for r in t["matrix"] for v in r), sum(v == 2 for r in t["matrix"] for v in r)] for t in rows
    ]
    x = np.array(counts)
    if len(rows) < 4 or np.linalg.matrix_rank(x) < 3:
        return None
    fit = {
        k: np.linalg.lstsq(x, np.array([t[k] for t in rows], float), rcond=None)[0]
        for k in ("mean_firing_rate", "macs", "val_acc")
    }
    return (
        f"| {dataset} | {len(rows)} | {fit['mean_firing_rate'][1]:+.4f} | {fit['mean_firing_rate'][2]:+.4f} | "
        f"{fit['macs'][1]:+,.0f} | {fit['macs'][2]:+,.0f} | {100 * fit['val_acc'][1]:+.2f} | {100 * fit['val_acc'][2]:+.2f} |"
    )


def write_markdown(results: dict, path: Path) -> None:
    meta, searches = results["meta"], results["searches"]
    start = min(gp_startup(), meta["trials"])
    lines = [
        f"# Study S2 — skip connections by Bayesian optimisation vs random search ({meta['size']})",
        "",
        "Objective: **ANN→SNN accuracy drop** = ANN twin validation accuracy − validation accuracy of the SNN "
        "transferred from the twin (weights + threshold balancing) and then trained; minimised. "
        "Search space: every skip adjacency matrix of the base topology (`edgesnn.tune.skips.skip_space`). "
        f"Budget per search: {meta['trials']} trials; {meta['seeds']} seed(s) per method; "
        f"epochs per trial: {', '.join(f'{d} {e}' for d, e in meta['epochs'].items())}.",
        "",
        "## Drop curves (best so far; mean and min–max over seeds)",
        "",
        "![drop curves](drop_curves.png)",
        "",
        "| data set | model | edges searched | method | final best drop (pp, mean ± sd over seeds) | "
        f"trial the final best was first reached (mean) | drop of trials {start + 1}–{meta['trials']} (pp, mean ± sd) "
        "| no-skip chain drop (pp, mean ± sd) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dataset, (family, _) in SETS.items():
        chain = [c["drop"] for c in results["chain"] if c["dataset"] == dataset]
        edges_n = next(s["space_edges"] for s in searches if s["dataset"] == dataset)
        for method in METHODS:
            c = results["curves"][dataset][method]
            reached = f"{statistics.fmean(c['reached']):.1f}" if c["reached"] else "—"
            lines.append(
                f"| {dataset} | {family} | {edges_n} | {METHODS[method]} | {ms(c['finals'])} | {reached} | "
                f"{ms(after_startup(searches, dataset, method, start))} | {ms(chain)} |"
            )
    lines += [
        "",
        f"GP's first {start} trials are random draws; with the same seed they are the random search's own draws, "
        f"so the two methods differ from trial {start + 1} on (a paired comparison).",
        "",
        "Per trial (mean best-so-far drop, pp):",
        "",
        "| data set | method | " + " | ".join(str(k + 1) for k in range(meta["trials"])) + " |",
        "|---|---|" + "---|" * meta["trials"],
    ]
    for dataset in SETS:
        for method in METHODS:
            c = results["curves"][dataset][method]
            lines.append(f"| {dataset} | {method} | " + " | ".join(pp(v) for v in c["mean"]) + " |")
    lines += [
        "",
        "## Best topologies found (lowest drop per search; ties: higher SNN validation accuracy)",
        "",
        "Edges `i→j` over nodes 0 = input, then the blocks, last = readout; `add` sums, `cat` concatenates.",
        "",
        "| data set | method | seed | skip edges | drop (pp) | ANN val | SNN val | SNN test | firing rate | MACs (ANN pass) "
        "| SynOps / inference |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in searches:
        done = [t for t in s["trials"] if t["drop"] is not None]
        if not done:
            lines.append(f"| {s['dataset']} | {s['method']} | {s['seed']} | no completed trial | | | | | | | |")
            continue
        b = min(done, key=lambda t: (t["drop"], -(t["val_acc"] or 0.0)))
        lines.append(
            f"| {s['dataset']} | {s['method']} | {s['seed']} | {b['edges']} | {pp(b['drop'])} | {pp(b['ann_val_acc'])} | "
            f"{pp(b['val_acc'])} | {pp(b['test_acc'])} | {b['mean_firing_rate']:.4f} | {b['macs']:,.0f} | {b['synops']:,.0f} |"
        )
    for c in results["chain"]:
        lines.append(
            f"| {c['dataset']} | no skips | {c['seed']} | none | {pp(c['drop'])} | {pp(c['ann_val_acc'])} | "
            f"{pp(c['val_acc'])} | {pp(c['test_acc'])} | {c['mean_firing_rate']:.4f} | {c['macs']:,.0f} | {c['synops']:,.0f} |"
        )
    lines += [
        "",
        "## Skip kinds: firing rate and cost (every trained trial of both searches)",
        "",
        "| data set | edge kinds | trials | mean firing rate | MACs | SynOps | SNN val (%) | drop (pp) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dataset in SETS:
        lines += group_effects(searches, dataset)
    fits = [f for f in (edge_effects(searches, d) for d in SETS) if f]
    if fits:
        lines += [
            "",
            "What one more edge of each kind changes (least squares over every trained topology: "
            "y = c + a·#add + b·#concat):",
            "",
            "| data set | trials | firing rate per add | per concat | MACs per add | per concat | SNN val (pp) per add "
            "| per concat |",
            "|---|---|---|---|---|---|---|---|",
            *fits,
            "",
            "An add edge adds no weights (it sums into an existing input), so its own MAC cost is 0 by construction; "
            "a non-zero MAC coefficient for add reflects which concat edges the sampled topologies hold besides "
            "(every edge is none, add or concat, so the counts are not independent).",
        ]
    gains = {}
    for dataset in SETS:
        chain = statistics.fmean([c["drop"] for c in results["chain"] if c["dataset"] == dataset] or [math.nan])
        finals = results["curves"][dataset]["gp"]["finals"]
        gains[dataset] = 100 * (chain - statistics.fmean(finals)) if finals else math.nan
    lines += [
        "",
        "## Beside the paper",
        "",
        "| claim | paper (CIFAR10-DVS, their models) | measured here |",
        "|---|---|---|",
        f"| BO vs random search | {PAPER['search']} | "
        + "; ".join(
            f"{d}: final best drop GP {ms(results['curves'][d]['gp']['finals'])} vs random "
            f"{ms(results['curves'][d]['random']['finals'])} pp, drop of the trials after GP's startup "
            f"GP {ms(after_startup(searches, d, 'gp', start))} vs random {ms(after_startup(searches, d, 'random', start))} pp"
            for d in SETS
        )
        + " |",
        f"| gain over the unoptimised topology | {PAPER['gain']} | "
        + "; ".join(
            f"{d}: drop reduced by {g:.2f} pp vs no skips (GP best), SNN val accuracy "
            f"{ms(val_gain(results, d, 'gp'))} pp above the no-skip SNN"
            for d, g in gains.items()
        )
        + f"; one search takes {statistics.fmean(s['seconds'] for s in searches):.0f} s on one thread |",
        f"| add skips | {PAPER['add']} | see the skip-kinds tables (per-edge fit) |",
        f"| concat skips | {PAPER['concat']} | see the skip-kinds tables (per-edge fit) |",
        "",
        "## Run",
        "",
        f"- Wall time {meta['seconds']:.0f} s ({meta['threads']} thread); per search: "
        + ", ".join(f"{s['dataset']}/{s['method']}/s{s['seed']} {s['seconds']:.0f} s" for s in searches)
        + ".",
        "- Failed or refused trials: "
        + (
            "; ".join(
                f"{s['dataset']}/{s['method']}/s{s['seed']} #{t['number']} {t['state']}: {t['error']}"
                for s in searches
                for t in s["trials"]
                if t["state"] != "COMPLETE"
            )
            or "none"
        )
        + ".",
        "",
    ]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="CI size: 1 seed × 2 trials × 1 epoch per search (< 1 min)")
    ap.add_argument("--trials", type=int, help="trials per search (default: 12 full, 2 smoke)")
    ap.add_argument("--seeds", type=int, help="seeds per method (default: 3 full, 1 smoke)")
    ap.add_argument("--out", type=Path, help="tuning runs and results (default: runs/skip_bo-<size>)")
    ap.add_argument(
        "--report-only", action="store_true", help="re-render results.md and the plot from --out's results.json"
    )
    ap.add_argument("--results", type=Path, help="results.md (default: beside run.py for the full size, else in --out)")
    args = ap.parse_args(argv)
    size = "smoke" if args.smoke else "full"
    trials = SIZES[size]["trials"] if args.trials is None else args.trials
    seeds = SIZES[size]["seeds"] if args.seeds is None else args.seeds
    if trials < 1 or seeds < 1:
        print(f"error: --trials {trials} and --seeds {seeds} must be ≥ 1", file=sys.stderr)
        return 1
    epochs = SIZES[size]["epochs"]
    out = args.out or Path("runs") / f"skip_bo-{size}"
    md = args.results or (
        HERE / "results.md" if size == "full" and args.trials is None and args.seeds is None else out / "results.md"
    )
    if args.report_only:
        if not (out / "results.json").is_file():
            print(f"error: no results.json in '{out}' to report; run without --report-only first", file=sys.stderr)
            return 1
        results = json.loads((out / "results.json").read_text())
        plot(results, md.parent / "drop_curves.png")
        write_markdown(results, md)
        print(f"results: {md}")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    searches, chain = [], []
    for dataset in SETS:
        base = {**SETS[dataset][1], **(SMOKE_BASE[dataset] if size == "smoke" else {})}
        for seed in range(seeds):
            chain.append(chain_reference(dataset, seed, epochs[dataset], base))
            for method in METHODS:
                s = run_search(dataset, method, seed, trials, epochs[dataset], base, out)
                best = min((t["drop"] for t in s["trials"] if t["drop"] is not None), default=None)
                print(
                    f"{dataset:>13} {method:>6} seed {seed}: best drop {pp(best)} pp ({s['seconds']:.0f} s)", flush=True
                )
                searches.append(s)
    import torch

    meta = {"size": size, "trials": trials, "seeds": seeds, "epochs": epochs}
    meta |= {"seconds": time.perf_counter() - start, "threads": torch.get_num_threads()}
    results = {
        "meta": meta,
        "searches": searches,
        "chain": chain,
        "curves": {d: {m: curves(searches, d, m) for m in METHODS} for d in SETS},
        "paper": PAPER,
    }
    (out / "results.json").write_text(json.dumps(results, indent=1))
    plot(results, md.parent / "drop_curves.png")
    write_markdown(results, md)
    print(f"results: {md}  ({meta['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
