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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.preprocess import Preprocessor
from ..errors import DataError, ShapeError, UsageError
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
        return scale_reading(self.pipeline.pre, frame, t)

    def push(self, stream: "Stream", frame) -> StreamResult:
        frame = check_frame(frame, self.shape, self.what)
        stream.maybe_reset()
        u = self._scale(frame, stream.step % self.length)
        if self.state is None or stream.step % self.length == 0:
            self.state = self.encoder.start(u)
        self.state, out = self.encoder.step(self.state, u)
        return stream._step(np.asarray(out, dtype=np.float32)[0])


def scale_reading(pre: Preprocessor, frame: np.ndarray, t: int) -> np.ndarray:
    """One reading ``[C]`` of a series scaled like training: ``[1, C]`` float64 (per-feature
    statistics: column ``t`` of them)."""
    if pre.per == "feature":  # statistics per (channel, time): take column t
        pre = Preprocessor(pre.kind, "feature", pre.offset[:, t:t + 1], pre.scale[:, t:t + 1])
    return pre.transform(frame.reshape(1, -1, 1)).astype(np.float64)[:, :, 0]


class MultiFrames:
    """A multimodal frame: a dict with one reading ``[C]`` of every time-series input and, on a
    window's first frame, one raw sample of every static input (held for the window); see the
    module docstring."""

    def __init__(self, pipeline: "Pipeline"):
        self.pipeline = pipeline
        encoders = pipeline.encoder.encoders
        self.encoders = {n: encoders[n] for n in pipeline.names}
        self.series = [n for n in pipeline.names if self.encoders[n].temporal]
        self.static = [n for n in pipeline.names if not self.encoders[n].temporal]
        self.shape: dict[str, tuple[int, ...]] = {}
        parts = []
        for n in self.series:
            if self.encoders[n].stochastic:  # pragma: no cover - no random time-series encoder exists
                raise UsageError(f"input '{n}': encoder '{self.encoders[n].name}' is random; it cannot be streamed "
                                 "with the same draws as predict")
            channels, length = pipeline.input_shape[n]
            if pipeline.timesteps != length:
                raise UsageError(
                    f"this model resamples its {length}-frame series '{n}' to {pipeline.timesteps} steps; a stream "
                    "feeds one frame per step: re-train with the series' own length (drop --set timesteps) to stream it")
            self.shape[n] = (channels,)
            parts.append(f"{n}: one sensor reading [{channels}]")
        for n in self.static:
            self.shape[n] = tuple(pipeline.feature_shape[n])
            parts.append(f"{n}: one raw sample [{', '.join(map(str, self.shape[n]))}]"
                         + (" on each window's first frame, held for the window" if self.series else ""))
        self.what = "a dict {" + "; ".join(parts) + "}"
        self.reset()

    def reset(self) -> None:
        self.held: dict[str, np.ndarray] = {}
        self.state: dict[str, Any] = {}

    def _check(self, frame, first: bool) -> dict[str, np.ndarray]:
        if not isinstance(frame, Mapping):
            raise DataError(f"frame is one array; this stream expects {self.what}")
        needed = self.pipeline.names if first else self.series
        missing = [n for n in needed if n not in frame]
        unknown = [str(n) for n in frame if n not in self.shape]
        if missing or unknown:
            what = ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unknown {', '.join(unknown)}"] if unknown else [])
            raise DataError(f"frame names {sorted(map(str, frame))} ({'; '.join(what)}); this stream expects {self.what}")
        return {n: check_frame(frame[n], self.shape[n], f"input '{n}'", f"frame '{n}'") for n in self.shape if n in frame}

    def _hold(self, frame: dict[str, np.ndarray]) -> None:
        """Encode the static inputs over the window with a fresh generator, input-name order."""
        rng = np.random.default_rng(self.pipeline.seed)
        T = self.pipeline.timesteps
        self.held = {n: self.encoders[n].encode(self.pipeline.scale_one(frame[n][None], n), T, rng)
                     for n in self.static}

    def push(self, stream: "Stream", frame) -> StreamResult:
        if not self.series:  # static inputs only: one frame is one whole sample, a window
            x = self.pipeline.encode_checked({n: v[None] for n, v in self._check(frame, True).items()})
            if stream.auto_reset:
                stream.reset()
            result = None
            for t in range(self.pipeline.timesteps):
                result = stream._step({n: v[t, 0] for n, v in x.items()})
            return result
        stream.maybe_reset()
        t = stream.step % self.pipeline.timesteps
        frame = self._check(frame, t == 0)
        if t == 0:
            self._hold(frame)
        x_t = {}
        for n in self.series:
            u = scale_reading(self.pipeline.pre[n], frame[n], t)
            if t == 0 or n not in self.state:
                self.state[n] = self.encoders[n].start(u)
            self.state[n], out = self.encoders[n].step(self.state[n], u)
            x_t[n] = np.asarray(out, dtype=np.float32)[0]
        for n in self.static:
            x_t[n] = self.held[n][t, 0]
        return stream._step(x_t)


def series_frames(pipeline: "Pipeline", raw: dict) -> list[dict[str, np.ndarray]]:
    """A recorded multimodal stream as frames: ``raw[name]`` holds the readings ``[M, C]`` of each
    time-series input (one per step, all M alike) and one raw sample ``[K, *features]`` of each
    static input per window (K ≥ the windows the M readings start)."""
    check_names(raw, pipeline.feature_shape, "recorded stream")
    frames_of = MultiFrames(pipeline)
    if not frames_of.series:
        n = {k: len(np.asarray(v)) for k, v in raw.items()}
        if len(set(n.values())) != 1:
            raise ShapeError(f"recorded inputs hold different numbers of samples {n}; give one sample of each per window")
        return [{k: np.asarray(v)[i] for k, v in raw.items()} for i in range(next(iter(n.values())))]
    arrays = {k: np.asarray(v) for k, v in raw.items()}
    lengths = {n: len(arrays[n]) for n in frames_of.series}
    if len(set(lengths.values())) != 1:
        raise ShapeError(f"recorded time-series inputs hold different numbers of readings {lengths}; give one reading "
                         "of each per step")
    M, T = next(iter(lengths.values())), pipeline.timesteps
    windows = -(-M // T)
    for n in frames_of.static:
        if len(arrays[n]) < windows:
            raise ShapeError(f"recorded input '{n}' holds {len(arrays[n])} samples but the {M} readings start {windows} "
                             f"windows of {T} steps; give one '{n}' sample per window")
    frames = []
    for i in range(M):
        frame = {n: arrays[n][i] for n in frames_of.series}
        if i % T == 0:
            frame.update({n: arrays[n][i // T] for n in frames_of.static})
        frames.append(frame)
    return frames


def framer(pipeline: "Pipeline"):
    """What a frame is for this pipeline's encoder: a reading of a series, a whole sample, or a
    dict of them (multimodal)."""
    if getattr(pipeline, "names", None) is not None:
        return MultiFrames(pipeline)
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
            return self._step({n: check_frame(x_t[n], s, f"one encoded timestep of '{n}'", f"step '{n}'")
                               .astype(np.float32) for n, s in model.input_shapes.items()})
        return self._step(check_frame(x_t, model.input_shape, "one encoded timestep").astype(np.float32))

    def _step(self, x_t) -> StreamResult:
        """``push_step`` without the check: ``x_t`` is float32 of the model's input shape, or a
        dict of them (the frame handlers' own encoder output)."""
        self.maybe_reset()
        batch = {n: v[None] for n, v in x_t.items()} if isinstance(x_t, dict) else x_t[None]
        y, self.states = self.pipeline.model.step(batch, self.states)
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
