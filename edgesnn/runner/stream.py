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

``push_step(x_t)`` feeds one already encoded step ``[*model_input]`` (bring your own encoder).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.preprocess import Preprocessor
from ..errors import UsageError
from .inputs import check_frame

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
        return {"step": self.step, "counts": [float(c) for c in self.counts], "decision": self.decision,
                "label": self.label, "done": self.done}


class SampleFrames:
    """A frame is one raw sample; it is encoded into a whole window of T steps."""

    def __init__(self, pipeline: "Pipeline"):
        self.pipeline = pipeline
        self.shape = pipeline.feature_shape
        self.what = "one raw sample"

    def reset(self) -> None:
        pass

    def push(self, stream: "Stream", frame) -> StreamResult:
        x = self.pipeline.encode_checked(check_frame(frame, self.shape, self.what)[None])
        if stream.auto_reset:
            stream.reset()
        result = None
        for t in range(x.shape[0]):
            result = stream._step(x[t, 0])
        return result


class SeriesFrames:
    """A frame is one reading ``[C]`` of a ``[C, L]`` series: one step of a temporal encoder.

    The reading is scaled like training (per-channel statistics, or column ``t`` of per-feature
    ones) and fed to the encoder's own state machine (``start``/``step``), so a window of L
    readings gives exactly the steps ``encoder.encode`` makes of the whole series."""

    def __init__(self, pipeline: "Pipeline"):
        self.pipeline = pipeline
        channels, self.length = pipeline.input_shape
        if pipeline.timesteps != self.length:
            raise UsageError(
                f"this model resamples its {self.length}-frame series to {pipeline.timesteps} steps; a stream "
                "feeds one frame per step: re-train with the series' own length (drop --set timesteps) to stream it")
        self.shape = (channels,)
        self.what = f"one sensor reading (one value per channel, {channels})"
        self.encoder = pipeline.encoder
        self.state = None

    def reset(self) -> None:
        self.state = None

    def _scale(self, frame: np.ndarray, t: int) -> np.ndarray:
        pre = self.pipeline.pre
        if pre.per == "feature":  # statistics per (channel, time): take column t
            pre = Preprocessor(pre.kind, "feature", pre.offset[:, t:t + 1], pre.scale[:, t:t + 1])
        return pre.transform(frame.reshape(1, -1, 1)).astype(np.float64)[:, :, 0]

    def push(self, stream: "Stream", frame) -> StreamResult:
        frame = check_frame(frame, self.shape, self.what)
        stream.maybe_reset()
        u = self._scale(frame, stream.step % self.length)
        if self.state is None or stream.step % self.length == 0:
            self.state = self.encoder.start(u)
        self.state, out = self.encoder.step(self.state, u)
        return stream._step(np.asarray(out, dtype=np.float32)[0])


def framer(pipeline: "Pipeline"):
    """What a frame is for this pipeline's encoder: a reading of a series, or a whole sample."""
    return (SeriesFrames if getattr(pipeline.encoder, "temporal", False) else SampleFrames)(pipeline)


class Stream:
    """Stateful streaming over a loaded bundle; see the module docstring."""

    def __init__(self, pipeline: "Pipeline", auto_reset: bool = True):
        self.pipeline = pipeline
        self.window = pipeline.timesteps
        self.auto_reset = bool(auto_reset)
        self.frames = framer(pipeline)
        self.reset()

    @property
    def frame_shape(self) -> tuple[int, ...]:
        return tuple(self.frames.shape)

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
        """Feed one encoded timestep ``[*model_input]``; keeps the ONNX states."""
        shape = self.pipeline.model.input_shape
        return self._step(check_frame(x_t, shape, "one encoded timestep").astype(np.float32))

    def _step(self, x_t: np.ndarray) -> StreamResult:
        """``push_step`` without the check: ``x_t`` is float32 of the model's input shape
        (the frame handlers' own encoder output)."""
        self.maybe_reset()
        y, self.states = self.pipeline.model.step(x_t[None], self.states)
        self.total += self.pipeline.counts(y[None])[0]
        self.step += 1
        decision = int(self.total.argmax())
        return StreamResult(self.step, self.total.copy(), decision, self.pipeline.classes[decision],
                            self.step % self.window == 0)

    def run(self, frames) -> list[StreamResult]:
        """Push every frame of an iterable (a recorded stream); returns each result."""
        if isinstance(frames, (str, bytes)):
            raise UsageError("Stream.run takes an iterable of frames (arrays), not a string")
        return [self.push(f) for f in frames]
