"""Study S0 (Scalera et al., miRNA CNN→SNN pipelines): the PyTorch + snnTorch pipeline, two stages.

Stage 1 — the 1-D CNN's shape on the ANN alone: a real NNI experiment with NNI's **Anneal** tuner
(``edgesnn tune --engine nni --tuner Anneal --network ann``) over the independent sizes
{w1, w2, w3, wd1, h1}; the dependent ones {wd2, h2, wd3, h3} come from Algorithm 1, once under
``shape_rule=paper`` (the paper's random draws, seeded by the run's seed) and once under
``shape_rule=deterministic`` (edgesnn's default): two experiments at the same budget. From all
trials, CNN_PT_1 = best validation accuracy, CNN_PT_2 = the trade-off (fewest parameters within
``TRADEOFF_PP`` points of the best validation accuracy).

Stage 2 — each architecture as an SNN, an HPO over β, lr, T and the neuron (Leaky / Lapicque /
RLeaky, in the conv blocks too), in two arms: CE-count loss + ANN→SNN weight transfer from the
very ANN stage 1 trained (``edgesnn tune --transfer-from <its trial directory>``: no twin is
retrained per trial), and MSE-count loss from random weights (scaled to fire at 10 %,
``init_rate``) with population coding up to 75 neurons per class. Per SNN: the best row (best validation accuracy) and the trade-off row (fewest
timesteps within ``TRADEOFF_PP`` points of it).

Writes ``results.json``, ``results.md`` (the paper's Table II layout beside its numbers),
``class_frequencies.png`` and ``stage1.png``.

    python examples/mirna/run.py --parallel 1   # full size (≈ 60 min on one core)
    python examples/mirna/run.py --smoke    # CI: one trial of a few epochs per search (< 1 min)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before torch is imported (here and in every child)

HERE = Path(__file__).resolve().parent
DATASET = "pbmc68k"
PROFILE = "workstation"  # no device limits: the study compares networks, not hardware fits
RULES = ("paper", "deterministic")
ARMS = {"ce": "CE-count + weight transfer", "mse": "MSE-count (random init, population coding)"}
TRADEOFF_PP = 2.0  # a trade-off row may give up at most this many validation-accuracy points
BETAS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))  # 0.5 … 0.95
LRS = (0.0005, 0.001, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005)
MSE_INIT_RATE = 0.1  # the MSE arm's activity-calibrated start (mean spikes per neuron and step)
SIZES = {
    "full": {
        "s1_trials": 10, "s1_epochs": 50, "s1_timeout": 420, "w_max": 32,
        "s2_trials": 8, "s2_epochs": 10, "s2_timeout": 540, "timesteps": [5, 10, 20],
    },
    "smoke": {
        "s1_trials": 1, "s1_epochs": 2, "s1_timeout": None, "w_max": 8,
        "s2_trials": 1, "s2_epochs": 1, "s2_timeout": None, "timesteps": [5],
    },
}  # fmt: skip

#: Scalera et al., Table II (TCGA miRNA, top-10 tumour types; NVIDIA GTX 1080 Ti)
PAPER = {
    "CNN_PT_1": {"acc": 74.57, "params": 3350772, "time": "4m52s"},
    "CNN_PT_2": {"acc": 72.24, "params": 80736, "time": "37s"},
    "SNN_PT_1": {"best": 74.89, "tradeoff": 74.52, "params": 3350772, "time": ("37min30s", "9min39s")},
    "SNN_PT_2": {"best": 75.06, "tradeoff": 74.41, "params": 80736, "time": ("8min23s", "1min36s")},
    "CNN_K": {"acc": 73.09, "params": 255357, "time": "55 s"},
    "SNN_K": {"acc": 70.24, "params": 255357, "time": "/"},
}
#: the paper's text: SNN_PT_1 with MSE-count (no transfer) vs CE-count + transfer
PAPER_MSE_VS_CE = {"SNN_PT_1": (64.57, 74.89)}
#: Tables III–VI: the architectures and the SNN hyper-parameters found
PAPER_HP = {
    "CNN_PT_1": "w 142/226/220, wd 51/101/2, h 8/58/1",
    "CNN_PT_2": "w 12/85/229, wd 35/38/2, h 12/56/1",
    "SNN_PT_1": "best β 0.8, lr 0.0015, T 20, Lapicque; trade-off β 0.9, lr 0.002, T 5, Lapicque",
    "SNN_PT_2": "best β 0.95, lr 0.0025, T 75, Lapicque; trade-off β 0.85, lr 0.0015, T 10, Lapicque",
}
ARCH_KEYS = ("w1", "w2", "w3", "wd1", "h1", "wd2", "h2", "wd3", "h3")


def edgesnn_cli() -> str:
    exe = Path(sys.executable).parent / "edgesnn"
    return str(exe) if exe.exists() else "edgesnn"


def choice(*values) -> dict:
    return {"_type": "choice", "_value": list(values)}


def stage1_space(rule: str, w_max: int) -> dict:
    """Table I's independent sizes; the dependent ones are Algorithm 1's (``shape_rule``)."""
    return {
        "w1": {"_type": "randint", "_value": [4, w_max + 1]},
        "w2": {"_type": "randint", "_value": [4, w_max + 1]},
        "w3": {"_type": "randint", "_value": [4, w_max + 1]},
        "wd1": {"_type": "randint", "_value": [2, 41]},
        "h1": {"_type": "randint", "_value": [2, 13]},
        "shape_rule": choice(rule),
        "pool": choice("avg"),
        "hidden": choice([]),  # three conv blocks, flatten, one dense layer (the readout)
        "lr": choice(0.001),  # the paper's CNN training: Adam, constant lr 0.001
    }


def stage2_space(arch: dict, arm: str, timesteps: list[int]) -> dict:
    """Table I's SNN hyper-parameters over a fixed architecture; ``arm`` fixes loss and init."""
    space = {k: choice(int(arch[k])) for k in ARCH_KEYS}
    space |= {
        "pool": choice("avg"),
        "hidden": choice([]),
        "encoder": choice("static"),  # "repeating inputs for a certain number of temporal steps"
        # β and lr as choices on grids (the paper's values are multiples of 0.05 and 0.0005): NNI 3.0's
        # hyperopt tuners (Anneal, TPE) test a sampled numpy number against [] when a result comes back,
        # which numpy 2 refuses, so with quniform/loguniform the tuner died after the first trial and
        # the search idled until its timeout; choices come back as plain Python values
        "beta": choice(*BETAS),
        "lr": choice(*LRS),
        "timesteps": choice(*timesteps),
        "neuron": choice("leaky", "lapicque", "rleaky"),
    }
    if arm == "ce":
        space |= {"loss": choice("ce_count"), "init": choice("ann"), "population": choice(1)}
    else:
        # random weights leave this SNN silent (mean rate ≤ 7e-4: no count reaches its target, no gradient
        # flows): every layer is first scaled to fire at MSE_INIT_RATE on training data (``init_rate``)
        space |= {"loss": choice("mse_count"), "init": choice("random"), "population": choice(1, 25, 50, 75),
                  "init_rate": choice(MSE_INIT_RATE)}  # fmt: skip
    return space


def tune_command(name: str, space: dict, out: Path, *, engine: str, tuner: str, trials: int, epochs: int,
                 network: str, seed: int, timeout: int | None) -> tuple[list[str], Path]:  # fmt: skip
    run = out / name
    run.mkdir(parents=True, exist_ok=True)
    (run / "space.json").write_text(json.dumps(space, indent=1))
    cmd = [
        edgesnn_cli(), "tune", "--dataset", DATASET, "--profile", PROFILE, "--model", "cnn1d",
        "--space", str(run / "space.json"), "--engine", engine, "--tuner", tuner, "--trials", str(trials),
        "--epochs", str(epochs), "--objectives", "accuracy", "--network", network, "--seed", str(seed),
        "--out", str(run / "tune"), "--json",
    ]  # fmt: skip
    if engine == "optuna":
        cmd.append("--no-prune")  # every trial trains all its epochs: an equal budget
    if timeout:
        cmd += ["--timeout", str(timeout)]
    return cmd, run


def run_all(jobs: list[tuple[str, list[str], Path]], parallel: int) -> dict[str, dict]:
    """Run the ``edgesnn tune`` commands, ``parallel`` at a time; name -> {records, seconds, ...}."""
    pending, running, done = list(jobs), {}, {}
    while pending or running:
        while pending and len(running) < parallel:
            name, cmd, run = pending.pop(0)
            log = open(run / "tune.log", "w")  # noqa: SIM115 - closed when the process ends
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
            running[name] = (proc, run, log, time.perf_counter())
        for name, (proc, run, log, t0) in list(running.items()):
            if proc.poll() is None:
                continue
            out = proc.stdout.read()
            log.close()
            del running[name]
            if proc.returncode != 0:
                err = (run / "tune.log").read_text().strip().splitlines()
                raise SystemExit(f"error: search {name} failed ({err[-1] if err else proc.returncode}); see {run}")
            summary = json.loads(out)
            records = json.loads((run / "tune" / "results.json").read_text())["trials"]
            done[name] = {"seconds": time.perf_counter() - t0, "records": records, "notes": summary.get("notes", [])}
            print(f"  {name}: {sum(r['stage'] == 'trained' for r in records)} trained trials "
                  f"({done[name]['seconds']:.0f} s)", flush=True)  # fmt: skip
        time.sleep(0.5)
    return done


def run_in_process(name: str, space: dict, out: Path, *, engine: str, tuner: str, trials: int, epochs: int,
                   seed: int, timeout: int | None, jobs: int, transfer_from: str | None = None) -> dict:  # fmt: skip
    """One SNN search through the Python API (``TuneConfig``), ``jobs`` trials at a time; ``transfer_from``:
    the stage-1 ANN every trial starts from (``edgesnn tune --transfer-from``)."""
    from edgesnn.tune import TuneConfig, tune

    run = out / name
    run.mkdir(parents=True, exist_ok=True)
    (run / "space.json").write_text(json.dumps(space, indent=1))
    config = TuneConfig(
        DATASET, PROFILE, model="cnn1d", space=run / "space.json", engine=engine, tuner=tuner, trials=trials,
        epochs=epochs, objectives=("accuracy",), prune=False, seed=seed, timeout=timeout, jobs=jobs,
        out=run / "tune", transfer_from=transfer_from,
    )  # fmt: skip
    t0 = time.perf_counter()
    result = tune(config, progress=False)
    records = [r.to_json() for r in result.records]
    seconds = time.perf_counter() - t0
    print(f"  {name}: {sum(r['stage'] == 'trained' for r in records)} trained trials ({seconds:.0f} s)", flush=True)
    return {"seconds": seconds, "records": records, "notes": result.notes}


def trained(records: list[dict]) -> list[dict]:
    return [r for r in records if r["stage"] == "trained" and r["state"] == "COMPLETE" and "val_acc" in r["metrics"]]


def pick_architectures(stage1: dict[str, dict]) -> dict[str, dict]:
    """CNN_PT_1: best validation accuracy; CNN_PT_2: fewest parameters within TRADEOFF_PP of it."""
    rows = []
    for rule, res in stage1.items():
        for r in trained(res["records"]):
            arch = {k: r["params"][k] for k in ARCH_KEYS[:5]} | r["metrics"]["sizes"]
            rows.append({"rule": rule, "number": r["number"], "arch": {k: int(v) for k, v in arch.items()},
                         "ann": r.get("checkpoint"),
                         **{k: r["metrics"][k] for k in ("val_acc", "test_acc", "train_seconds")},
                         "params": int(r["metrics"]["params"])})  # fmt: skip
    if not rows:
        raise SystemExit("error: stage 1 trained no architecture; see the stage1-* logs")
    if not all(r["ann"] for r in rows):
        raise SystemExit("error: a stage-1 trial names no trained ANN (its checkpoint); the CE arm transfers from it")
    best = max(rows, key=lambda r: (r["val_acc"], -r["params"]))
    near = [r for r in rows if r["val_acc"] >= best["val_acc"] - TRADEOFF_PP / 100]
    trade = min(near, key=lambda r: (r["params"], -r["val_acc"]))
    return {"CNN_PT_1": best, "CNN_PT_2": trade}


def snn_rows(records: list[dict]) -> list[dict]:
    """Trained SNN trials with parameter count and the SNN's own training time (from the checkpoint)."""
    import torch

    rows = []
    for r in trained(records):
        ckpt = Path(r["checkpoint"])
        saved = json.loads((ckpt / "metrics.json").read_text())["metrics"]
        state = torch.load(ckpt / "checkpoint.pt", map_location="cpu", weights_only=True)["state_dict"]
        params = sum(v.numel() for k, v in state.items() if k.endswith((".weight", ".bias", ".V")))
        total = float(r["metrics"]["train_seconds"])
        rows.append({
            "number": r["number"], "hp": {k: r["params"][k] for k in ("beta", "lr", "timesteps", "neuron", "population")},
            "val_acc": r["metrics"]["val_acc"], "test_acc": r["metrics"]["test_acc"], "params": int(params),
            "snn_seconds": total - float(saved.get("ann_train_seconds", 0.0)), "total_seconds": total,
            "transfer_test_acc": saved.get("transfer_test_acc"),
        })  # fmt: skip
    return rows


def best_and_tradeoff(rows: list[dict]) -> tuple[dict | None, dict | None]:
    if not rows:
        return None, None
    best = max(rows, key=lambda r: (r["val_acc"], -r["hp"]["timesteps"]))
    near = [r for r in rows if r["val_acc"] >= best["val_acc"] - TRADEOFF_PP / 100]
    return best, min(near, key=lambda r: (r["hp"]["timesteps"], r["snn_seconds"]))


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f}"


def dur(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{int(s // 60)}m{s % 60:02.0f}s" if s >= 60 else f"{s:.1f} s"


def arch_text(a: dict) -> str:
    return f"w {a['w1']}/{a['w2']}/{a['w3']}, wd {a['wd1']}/{a['wd2']}/{a['wd3']}, h {a['h1']}/{a['h2']}/{a['h3']}"


def hp_text(hp: dict) -> str:
    pop = f", population {hp['population']}" if hp.get("population", 1) > 1 else ""
    return f"β {hp['beta']:.2f}, lr {hp['lr']:.2g}, T {hp['timesteps']}, {hp['neuron']}{pop}"


def write_markdown(res: dict, path: Path) -> None:
    meta, archs, snn = res["meta"], res["architectures"], res["snn"]
    lines = [
        f"# Study S0 — miRNA CNN→SNN pipeline, reproduced on `{DATASET}` ({meta['size']})",
        "",
        "Table II layout: test accuracy of the configuration chosen by **validation** accuracy, trainable "
        "parameters, training time. SNN rows: the CE-count + weight-transfer arm (as the paper's Table II); "
        f"trade-off = fewest timesteps within {TRADEOFF_PP:g} validation points of the best.",
        "",
        "## Measured (edgesnn)",
        "",
        "| Network | Test accuracy (%) | Parameters | Training time | architecture / hyper-parameters |",
        "|---|---|---|---|---|",
    ]
    for name in ("CNN_PT_1", "CNN_PT_2"):
        a = archs[name]
        lines.append(
            f"| {name} | **{pct(a['test_acc'])}** | {a['params']} | {dur(a['train_seconds'])} | "
            f"{arch_text(a['arch'])} (shape_rule {a['rule']}, val {pct(a['val_acc'])}) |"
        )
    for k, name in ((1, "SNN_PT_1"), (2, "SNN_PT_2")):
        best, trade = snn[f"CNN_PT_{k}"]["ce"]["best"], snn[f"CNN_PT_{k}"]["ce"]["tradeoff"]
        if best is None:
            lines.append(f"| {name} | no trained trial | — | — | — |")
            continue
        lines.append(
            f"| {name} | best: **{pct(best['test_acc'])}**<br>tradeoff acc./timestep: **{pct(trade['test_acc'])}** | "
            f"{best['params']} | {dur(best['snn_seconds'])}<br>{dur(trade['snn_seconds'])} | "
            f"best {hp_text(best['hp'])}<br>trade-off {hp_text(trade['hp'])} |"
        )
    lines += [
        "",
        "## Paper (Scalera et al., Table II; TCGA miRNA, 1881 features, top-10 of 33 tumour types, GTX 1080 Ti)",
        "",
        "| Network | Test accuracy (%) | Parameters | Training time | architecture / hyper-parameters |",
        "|---|---|---|---|---|",
    ]
    for name, p in PAPER.items():
        if "best" in p:
            acc = f"best: **{p['best']:.2f}**<br>tradeoff acc./timestep: **{p['tradeoff']:.2f}**"
            lines.append(f"| {name} | {acc} | {p['params']} | {p['time'][0]}<br>{p['time'][1]} | {PAPER_HP[name]} |")
        else:
            note = PAPER_HP.get(name, "Keras + NengoDL pipeline (not reproduced)")
            lines.append(f"| {name} | **{p['acc']:.2f}** | {p['params']} | {p['time']} | {note} |")
    lines += [
        "",
        "## CE-count + weight transfer vs MSE-count (best validation trial of each arm, test accuracy %)",
        "",
        "| SNN | CE-count + transfer | MSE-count (no transfer) | MSE arm's best population | paper |",
        "|---|---|---|---|---|",
    ]
    for k in (1, 2):
        ce, mse = snn[f"CNN_PT_{k}"]["ce"]["best"], snn[f"CNN_PT_{k}"]["mse"]["best"]
        paper = PAPER_MSE_VS_CE.get(f"SNN_PT_{k}")
        paper_txt = f"MSE {paper[0]:.2f} vs CE {paper[1]:.2f}" if paper else "not stated"
        lines.append(
            f"| SNN_PT_{k} | **{pct(ce and ce['test_acc'])}** | **{pct(mse and mse['test_acc'])}** | "
            f"{mse['hp']['population'] if mse else '—'} | {paper_txt} |"
        )
    lines += ["", "## Stage 1: the two shape rules (NNI Anneal, ANN alone, same budget)", ""]
    lines += ["| shape rule | trained trials | best val (%) | its test (%) | its parameters | median parameters |"]
    lines += ["|---|---|---|---|---|---|"]
    for rule, s in res["stage1"].items():
        rows = trained(s["records"])
        if not rows:
            lines.append(f"| {rule} | 0 | — | — | — | — |")
            continue
        b = max(rows, key=lambda r: r["metrics"]["val_acc"])
        params = sorted(r["metrics"]["params"] for r in rows)
        lines.append(
            f"| {rule} | {len(rows)} | {pct(b['metrics']['val_acc'])} | {pct(b['metrics']['test_acc'])} | "
            f"{int(b['metrics']['params'])} | {int(params[len(params) // 2])} |"
        )
    lines += [
        "",
        "## Run",
        "",
        f"- Data: `{DATASET}` (700 cells × 765 genes, 10 cell types; split seed {meta['seed']}: "
        f"{meta['split']}), z-score → min-max fitted on train; class frequencies in `class_frequencies.png`.",
        f"- Stage 1: NNI Anneal, {meta['s1_trials']} trials × {meta['s1_epochs']} epochs per shape rule "
        f"(Adam, lr 0.001, cross-entropy); w ∈ [4, {meta['w_max']}], wd1 ∈ [2, 40], h1 ∈ [2, 12]; avg pooling.",
        f"- Stage 2: {meta['s2_engine']} ({meta['s2_tuner']}), {meta['s2_trials']} trials × {meta['s2_epochs']} "
        f"epochs per search (4 searches: 2 architectures × 2 arms); β ∈ {{0.5, 0.55, …, 0.95}}, lr ∈ {{{', '.join(map(str, LRS))}}}, "
        f"T ∈ {meta['timesteps']}, neuron ∈ leaky / lapicque / rleaky; MSE arm population ∈ 1 / 25 / 50 / 75.",
        "- SNN training time = the SNN's own training. The CE arm transfers from the stage-1 ANN itself "
        "(`--transfer-from`: lr 0.001, 50 epochs, trained once; its time is the CNN row's), as the paper converted "
        "its trained CNN; the MSE arm starts from random weights scaled to fire at "
        f"{MSE_INIT_RATE:g} (`init_rate`).",
        f"- Wall time: {meta['seconds']:.0f} s in all ({meta['threads']} thread(s) per process, "
        f"{meta['parallel']} searches at a time); per search: "
        + ", ".join(f"{n} {s['seconds']:.0f} s" for n, s in {**res["stage1"], **res["stage2_runs"]}.items())
        + ".",
        "- Plots: `class_frequencies.png` (samples per class per split), `stage1.png` (stage-1 trials: test "
        "accuracy against parameters, by shape rule).",
        "",
    ]
    path.write_text("\n".join(lines))


def plot_stage1(stage1: dict, archs: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for rule, res in stage1.items():
        rows = trained(res["records"])
        ax.scatter([r["metrics"]["params"] for r in rows], [100 * r["metrics"]["test_acc"] for r in rows],
                   label=f"shape_rule {rule}", alpha=0.75)  # fmt: skip
    for name, a in archs.items():
        ax.annotate(name, (a["params"], 100 * a["test_acc"]), fontsize=8, xytext=(4, 4), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("trainable parameters")
    ax.set_ylabel("ANN test accuracy (%)")
    ax.set_title(f"stage 1 (NNI Anneal, ANN alone) on {DATASET}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="CI size: one short trial per search (< 1 min)")
    ap.add_argument("--out", type=Path, help="tuning runs and results (default: runs/mirna-<size>)")
    ap.add_argument("--results", type=Path, help="results.md (default: beside run.py for the full size, else in --out)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parallel", type=int, default=2, help="searches run at the same time (default 2)")
    ap.add_argument(
        "--stage2-engine",
        choices=("nni", "optuna"),
        help="stage 2's engine: nni (Anneal, as the paper; full default) or optuna (TPE; smoke default)",
    )
    args = ap.parse_args(argv)
    size = "smoke" if args.smoke else "full"
    cfg = SIZES[size]
    s2_engine = args.stage2_engine or ("optuna" if args.smoke else "nni")
    s2_tuner = "Anneal" if s2_engine == "nni" else "tpe"
    out = (args.out or Path("runs") / f"mirna-{size}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    results_md = args.results or (HERE / "results.md" if size == "full" else out / "results.md")
    start = time.perf_counter()

    from edgesnn.data.figures import class_frequencies, plot_class_frequencies

    freq = class_frequencies(DATASET, args.seed)
    plot_class_frequencies(freq, results_md.parent / "class_frequencies.png")

    print(f"stage 1: NNI Anneal over the 1-D CNN's shape (ANN alone), shape rules {', '.join(RULES)}", flush=True)
    jobs = []
    for rule in RULES:
        cmd, run = tune_command(
            f"stage1-{rule}", stage1_space(rule, cfg["w_max"]), out, engine="nni", tuner="Anneal",
            trials=cfg["s1_trials"], epochs=cfg["s1_epochs"], network="ann", seed=args.seed, timeout=cfg["s1_timeout"],
        )  # fmt: skip
        jobs.append((rule, cmd, run))
    stage1 = run_all(jobs, args.parallel)
    archs = pick_architectures(stage1)
    for name, a in archs.items():
        print(f"  {name}: {arch_text(a['arch'])} ({a['rule']}), val {pct(a['val_acc'])} test {pct(a['test_acc'])}, "
              f"{a['params']} parameters", flush=True)  # fmt: skip

    print(f"stage 2: SNN HPO ({s2_engine} {s2_tuner}), CE-count + transfer vs MSE-count", flush=True)
    stage2 = {}
    for name, a in archs.items():
        for arm in ARMS:
            stage2[f"{name}-{arm}"] = run_in_process(
                f"stage2-{name}-{arm}", stage2_space(a["arch"], arm, cfg["timesteps"]), out, engine=s2_engine,
                tuner=s2_tuner, trials=cfg["s2_trials"], epochs=cfg["s2_epochs"], seed=args.seed,
                timeout=cfg["s2_timeout"], jobs=args.parallel, transfer_from=a["ann"] if arm == "ce" else None,
            )  # fmt: skip
    snn = {}
    for name in archs:
        snn[name] = {}
        for arm in ARMS:
            rows = snn_rows(stage2[f"{name}-{arm}"]["records"])
            best, trade = best_and_tradeoff(rows)
            snn[name][arm] = {"trials": rows, "best": best, "tradeoff": trade}
            if best:
                print(f"  {name} {arm}: best test {pct(best['test_acc'])} ({hp_text(best['hp'])}), trade-off test "
                      f"{pct(trade['test_acc'])} ({hp_text(trade['hp'])})", flush=True)  # fmt: skip

    import torch

    split = ", ".join(f"{s} {sum(c.values())}" for s, c in freq["counts"].items())
    meta = {"size": size, "seed": args.seed, "split": split, "s2_engine": s2_engine, "s2_tuner": s2_tuner}
    meta |= {k: v for k, v in cfg.items()} | {"parallel": args.parallel, "threads": torch.get_num_threads()}
    meta["seconds"] = time.perf_counter() - start
    res = {
        "meta": meta,
        "class_frequencies": freq,
        "stage1": stage1,
        "architectures": archs,
        "stage2_runs": {k: {"seconds": v["seconds"], "notes": v["notes"]} for k, v in stage2.items()},
        "snn": snn,
        "paper": PAPER,
    }
    (out / "results.json").write_text(json.dumps(res, indent=1, default=str))
    plot_stage1(stage1, archs, results_md.parent / "stage1.png")
    write_markdown(res, results_md)
    print(f"results: {results_md}  ({meta['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
