"""Replay a recorded sensor stream through a bundle, frame by frame, as a wearable would.

    .venv/bin/python examples/stream_replay.py runs/demo-digits/bundle.zip [--frames 8] [--input raw.npy|raw.csv]
                                               [--save-csv few.csv]

A time-series bundle (temporal encoder) is fed one sensor reading per step through
``Stream.push``, as the device's IMU delivers it; a static one gets each sample encoded into T
steps. The recording is ``--input`` (raw samples, one per row) or, by default, the raw test split the
bundle was measured on (rebuilt from the manifest's dataset, seed and split: needs edgesnn's
data loaders, not torch). For each frame the stream runs one model step at a time and the
line shows the decision after every step (the anytime answer a device could act on), then
the final spike counts, the true label when known and the time per frame.
``--save-csv`` writes the replayed frames as raw CSV rows for ``python -m edgesnn.runner``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from edgesnn.runner import Bundle, load_raw


def recording(bundle: Bundle, path: str | None, frames: int) -> tuple[np.ndarray, np.ndarray | None]:
    if path:
        return load_raw(path)[:frames], None
    from edgesnn.package.evidence import raw_test_split

    x, y = raw_test_split(bundle.manifest["data"])
    pick = np.unique(np.linspace(0, len(y) - 1, frames).astype(int))  # spread over the split (it is sorted by class)
    return x[pick], y[pick]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle")
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--input", default=None)
    ap.add_argument("--save-csv", default=None)
    args = ap.parse_args()
    with Bundle.open(args.bundle) as bundle:
        x, y = recording(bundle, args.input, args.frames)
        if args.save_csv:
            np.savetxt(args.save_csv, x.reshape(len(x), -1), delimiter=",", fmt="%.9g")
        print(
            f"bundle {args.bundle}: encoder {bundle.pipeline.encoder.name}, T = {bundle.timesteps}, "
            f"classes {', '.join(bundle.classes)}"
        )
        stream = bundle.stream()
        temporal = getattr(bundle.pipeline.encoder, "temporal", False)
        hits = 0
        for i, frame in enumerate(x):
            start = time.perf_counter()
            if temporal:  # a series: one sensor reading [C] per step, encoded on the device as it arrives
                trail = [stream.push(reading) for reading in frame.T]
            else:
                steps = bundle.encode(frame[None])[:, 0]  # one sensor frame -> T encoded steps (seeded)
                trail = [stream.push_step(step) for step in steps]  # state kept between calls
            ms = 1e3 * (time.perf_counter() - start)
            last = trail[-1]
            every = max(1, len(trail) // 40)  # at most 40 characters of anytime decisions
            decisions = "".join(r.label[0] if r.counts.any() else "." for r in trail[every - 1 :: every])
            truth = "" if y is None else f"  true {bundle.classes[int(y[i])]}"
            hits += y is not None and last.decision == int(y[i])
            print(
                f"frame {i:3d}  decisions per step {decisions}  -> {last.label}  counts "
                f"{' '.join(str(int(c)) for c in last.counts)}{truth}  {ms:.1f} ms"
            )
        if y is not None:
            print(f"{hits}/{len(x)} frames classified correctly")


if __name__ == "__main__":
    main()
