"""Streaming: feed a sensor stream frame by frame, keep the ONNX states between calls.

A stream works in *windows* of ``W`` model steps (``W`` = the bundle's T, or the series
length L for a temporal encoder); after each step it returns the running spike counts per
class and the current decision ``argmax(counts)``. When a window is complete (``done``) the
next push starts a new window with zero states and counts (``auto_reset=False`` keeps
counting across windows).

What a *frame* is depends on the encoder (``framer``):

* temporal encoders (``direct``, ``delta``, ``level_crossing``, ``sigma_delta``; time series
  ``[C, L]``): one sensor reading ``[C]``, one step. The frame is scaled like training
  (per-channel statistics, or column ``t`` of per-feature ones) and passed through the
  encoder's own per-frame step (e.g. delta: ``d_t = u_t - u_{t-1}``, ``on = d > θ``,
  ``off = -d > θ``): the steps are exactly ``encoder.encode`` of the whole series, so a window
  of L frames equals ``predict`` on that series. A model that resamples its series to another
  T cannot be streamed frame by frame (refused with the fix).
* ``static`` / ``rate`` / ``latency``: one raw sample ``[*features]`` fills a whole window of
  T steps (a new window every frame). ``rate`` draws from ``default_rng(seed)`` afresh for
  each window, so each window equals ``predict(frame[None])``.

* a multimodal bundle (``MultiFrames``): a frame is a dict, e.g. ``{"audio": one reading [13],
  "image": one raw image [1, 8, 8]}``. Each time-series input is streamed as above (one
  reading per step, the window is its length L). The static inputs (rate / latency / static
  encoders, e.g. the image) are read on the *first* frame of each window and held for the
  window: they are scaled and encoded over the whole window right then, with a fresh
  ``default_rng(seed)`` drawn in input-name order, the very draws ``predict`` makes of one
  sample (the time-series encoders draw nothing). So a window of L frames equals
  ``predict({name: sample[None]})`` exactly, also for the random ``rate`` code; on the
  window's later frames static inputs may be left out (given, they are checked and ignored
  until the next window). With no time-series input a frame is one whole sample dict (a window).

``push_step(x_t)`` feeds one already encoded step ``[*model_input]`` (multimodal: a dict name ->
step) (bring your own encoder).

The frame handlers (``SampleFrames``, ``SeriesFrames``, ``MultiFrames``, ``framer``) live in
``edgesnn.runner.frames`` and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError
from ..readout import decide
from .frames import MultiFrames, SampleFrames, SeriesFrames, framer, scale_reading, series_frames
from .inputs import check_frame, check_names

if TYPE_CHECKING:
    from .pipeline import Pipeline


@dataclass
class StreamResult:
    """After one step: position in the window (1-based), running counts, decision, window done."""

    step: int
    counts: np.ndarray
    decision: int
    label: str
    done: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "counts": [float(c) for c in self.counts],
            "decision": self.decision,
            "label": self.label,
            "done": self.done,
        }


class Stream:
    """Stateful streaming over a loaded bundle; see the module docstring."""

    def __init__(self, pipeline: Pipeline, auto_reset: bool = True):
        self.pipeline = pipeline
        self.window = pipeline.timesteps
        self.auto_reset = bool(auto_reset)
        self.frames = framer(pipeline)
        self.reset()

    @property
    def frame_shape(self) -> tuple[int, ...] | dict[str, tuple[int, ...]]:
        """The shape of one frame (multimodal: a dict input name -> shape)."""
        shape = self.frames.shape
        return dict(shape) if isinstance(shape, dict) else tuple(shape)

    def reset(self) -> None:
        """Zero the ONNX states and the counts; start a new window."""
        self.states = self.pipeline.model.zero_states(1)
        self.total = np.zeros(self.pipeline.n_classes, dtype=np.float64)
        self.step = 0
        self.frames.reset()

    def maybe_reset(self) -> None:
        if self.auto_reset and self.step >= self.window:
            self.reset()

    def push(self, frame) -> StreamResult:
        """Feed one raw sensor frame (see the module docstring); returns the state after it."""
        return self.frames.push(self, frame)

    def push_step(self, x_t) -> StreamResult:
        """Feed one encoded timestep ``[*model_input]`` (multimodal: a dict name -> step); keeps
        the ONNX states."""
        model = self.pipeline.model
        if model.multi:
            check_names(x_t, model.input_shapes, "encoded timestep")
            return self._step(
                {
                    n: check_frame(x_t[n], s, f"one encoded timestep of '{n}'", f"step '{n}'").astype(np.float32)
                    for n, s in model.input_shapes.items()
                }
            )
        return self._step(check_frame(x_t, model.input_shape, "one encoded timestep").astype(np.float32))

    def _step(self, x_t) -> StreamResult:
        """``push_step`` without the check: ``x_t`` is float32 of the model's input shape, or a
        dict of them (the frame handlers' own encoder output)."""
        self.maybe_reset()
        batch = {n: v[None] for n, v in x_t.items()} if isinstance(x_t, dict) else x_t[None]
        y, self.states = self.pipeline.model.step(batch, self.states)
        self.total += self.pipeline.counts(y[None])[0]
        self.step += 1
        decision = int(decide(self.total))
        return StreamResult(
            self.step, self.total.copy(), decision, self.pipeline.classes[decision], self.step % self.window == 0
        )

    def run(self, frames) -> list[StreamResult]:
        """Push every frame of an iterable (a recorded stream); returns each result."""
        if isinstance(frames, (str, bytes)):
            raise UsageError("Stream.run takes an iterable of frames (arrays), not a string")
        return [self.push(f) for f in frames]


__all__ = [
    "MultiFrames",
    "SampleFrames",
    "SeriesFrames",
    "Stream",
    "StreamResult",
    "framer",
    "scale_reading",
    "series_frames",
]
