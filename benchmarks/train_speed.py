"""Training throughput: ``edgesnn train``'s loop vs a plain hand-written snnTorch loop.

Same model (digits MLP 64-128-10, Leaky, T=25, rate encoding), same data, same batch size,
measured side by side in one run: the two loops alternate ``--repeats`` times, taking turns to
go first (so a change of machine load, or a cold start, hits both) and the medians are compared. Prints samples/s of each and the ratio
(goal ≥ 1.0).

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
    ours, with_val, plain = [], [], []

    def run_ours() -> None:
        model = build(hp, prep.train.feature_shape, 10, seed=0)
        fit = fit_snn(
            model, hp, prep.train, prep.val, make_encoder("rate"), T, epochs=args.epochs, seed=0, progress=QUIET
        )
        ours.append(fit.samples_per_s)
        with_val.append(len(prep.train) * args.epochs / fit.seconds)

    def run_plain() -> None:
        plain.append(plain_snntorch(flat, prep.train.y, T, args.epochs, int(hp["batch_size"])))

    for r in range(args.repeats):  # alternate which loop goes first: neither always runs on a cold process
        for run in (run_ours, run_plain) if r % 2 == 0 else (run_plain, run_ours):
            run()
        print(
            f"  run {r + 1}: edgesnn {ours[-1]:.1f}, plain {plain[-1]:.1f} samples/s, ratio {ours[-1] / plain[-1]:.2f}"
        )
    ours_m, with_val_m, plain_m = (float(np.median(v)) for v in (ours, with_val, plain))
    print(f"edgesnn train loop : {ours_m:8.1f} samples/s training ({with_val_m:.1f} counting its per-epoch validation)")
    print(f"plain snnTorch loop: {plain_m:8.1f} samples/s (no validation)")
    print(
        f"ratio edgesnn / plain = {ours_m / plain_m:.2f} training only, {with_val_m / plain_m:.2f} with validation  "
        f"(medians of {args.repeats}; goal >= 1.0)"
    )


if __name__ == "__main__":
    main()
