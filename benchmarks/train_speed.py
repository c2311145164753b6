"""Training throughput: ``edgesnn train``'s loop vs a plain hand-written snnTorch loop.

Same model (digits MLP 64-128-10, Leaky, T=25, rate encoding), same data, same batch size,
measured side by side in one run: three loops alternate ``--repeats`` times, each round in a
rotated order (so a change of machine load, or a cold start, hits all) and the medians are
compared. ``edgesnn`` is the default loop (time folded into the batch, fused Leaky neurons:
``edgesnn/models/multistep.py``); ``edgesnn stepwise`` is the same loop stepping the model one
timestep at a time as before (``multistep.stepwise()``). Prints samples/s of each, the ratios
(goal ≥ 1.5× plain snnTorch, validation counted) and the tuning trials an hour each buys.

    .venv/bin/python benchmarks/train_speed.py [--epochs 3] [--repeats 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import snntorch as snn
import snntorch.functional as SF
import torch
from snntorch import utils as snn_utils

from edgesnn.data import make_encoder, prepare
from edgesnn.models import build, resolve
from edgesnn.models.multistep import stepwise
from edgesnn.train.loop import fit_snn
from edgesnn.train.progress import QUIET


def plain_snntorch(train_x: np.ndarray, train_y: np.ndarray, T: int, epochs: int, bs: int) -> float:
    """The loop a researcher writes by hand from the snnTorch tutorials."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(64, 128),
        snn.Leaky(beta=0.9, init_hidden=True, reset_mechanism="zero", reset_delay=False),
        torch.nn.Linear(128, 10),
        snn.Leaky(beta=0.9, init_hidden=True, reset_mechanism="zero", reset_delay=False),
    )
    opt, loss_fn = torch.optim.Adam(net.parameters(), lr=2e-3), SF.ce_count_loss()
    x, y = torch.from_numpy(train_x), torch.from_numpy(train_y)
    seen, start = 0, time.perf_counter()
    for _ in range(epochs):
        for i in range(0, len(x), bs):
            xb = (torch.rand(T, *x[i : i + bs].shape) < x[i : i + bs]).float()
            snn_utils.reset(net)
            spk = torch.stack([net(xb[t]) for t in range(T)])
            loss = loss_fn(spk, y[i : i + bs])
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += len(xb[0])
    return seen / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3, help="alternating runs of each loop; medians are compared")
    args = ap.parse_args()
    torch.set_num_threads(2)
    prep = prepare("digits", 0)
    hp = resolve("mlp", {"reset": "zero"})
    T = 25
    # warm-up: the first Adam step imports torch._dynamo helpers (~2 s); keep it out of both timings
    warm = torch.nn.Linear(2, 2)
    opt = torch.optim.Adam(warm.parameters())
    warm(torch.ones(1, 2)).sum().backward()
    opt.step()
    flat = prep.train.x.reshape(len(prep.train), -1)
    ours, with_val, plain, before, before_val = [], [], [], [], []

    def fit(rates: list, with_validation: list) -> None:
        model = build(hp, prep.train.feature_shape, 10, seed=0)
        result = fit_snn(
            model, hp, prep.train, prep.val, make_encoder("rate"), T, epochs=args.epochs, seed=0, progress=QUIET
        )
        rates.append(result.samples_per_s)
        with_validation.append(len(prep.train) * args.epochs / result.seconds)

    def run_ours() -> None:
        fit(ours, with_val)

    def run_before() -> None:
        with stepwise():
            fit(before, before_val)

    def run_plain() -> None:
        plain.append(plain_snntorch(flat, prep.train.y, T, args.epochs, int(hp["batch_size"])))

    loops = [run_ours, run_before, run_plain]
    for r in range(args.repeats):  # rotate which loop goes first: none always runs on a cold process
        for run in loops[r % 3 :] + loops[: r % 3]:
            run()
        print(
            f"  run {r + 1}: edgesnn {with_val[-1]:.1f}, edgesnn stepwise {before_val[-1]:.1f}, plain {plain[-1]:.1f} "
            f"samples/s (validation counted), ratio {with_val[-1] / plain[-1]:.2f}"
        )
    med = {
        k: float(np.median(v))
        for k, v in (
            ("ours", ours),
            ("val", with_val),
            ("plain", plain),
            ("before", before),
            ("before_val", before_val),
        )
    }
    print(
        f"edgesnn train loop : {med['ours']:8.1f} samples/s training ({med['val']:.1f} counting its per-epoch validation)"
    )
    print(f"edgesnn stepwise   : {med['before']:8.1f} samples/s training ({med['before_val']:.1f} counting validation)")
    print(f"plain snnTorch loop: {med['plain']:8.1f} samples/s (no validation)")
    print(
        f"ratio edgesnn / plain = {med['ours'] / med['plain']:.2f} training only, {med['val'] / med['plain']:.2f} with "
        f"validation (medians of {args.repeats}; goal >= 1.5); stepwise / plain = {med['before_val'] / med['plain']:.2f}"
    )
    epoch_s = {k: len(prep.train) / med[k] for k in ("val", "before_val")}
    trial_epochs = int(hp.get("epochs", 30))
    print(
        "tuning trials per hour (one trial = a digits MLP of "
        f"{trial_epochs} epochs, training + validation only): "
        f"{3600 / (epoch_s['val'] * trial_epochs):.0f} now, {3600 / (epoch_s['before_val'] * trial_epochs):.0f} stepwise"
    )


if __name__ == "__main__":
    main()
