"""What a stream *frame* is, per encoder: a reading of a series, a whole sample, or a dict of them.

The frame handlers of ``Stream`` (see ``edgesnn.runner.stream`` for the semantics): each turns
one raw frame into model steps with the encoder's own maths, so a window equals ``predict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.preprocess import Preprocessor
from ..errors import DataError, ShapeError, UsageError
from .inputs import check_frame, check_names

if TYPE_CHECKING:
    from .pipeline import Pipeline
    from .stream import Stream, StreamResult


class SampleFrames:
    """A frame is one raw sample; it is encoded into a whole window of T steps."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self.shape = pipeline.feature_shape
        self.what = "one raw sample"

    def reset(self) -> None:
        pass

    def push(self, stream: Stream, frame) -> StreamResult:
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

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        channels, self.length = pipeline.input_shape
        if pipeline.timesteps != self.length:
            raise UsageError(
                f"this model resamples its {self.length}-frame series to {pipeline.timesteps} steps; a stream "
                "feeds one frame per step: re-train with the series' own length (drop --set timesteps) to stream it"
            )
        self.shape = (channels,)
        self.what = f"one sensor reading (one value per channel, {channels})"
        self.encoder = pipeline.encoder
        self.state = None

    def reset(self) -> None:
        self.state = None

    def _scale(self, frame: np.ndarray, t: int) -> np.ndarray:
        return scale_reading(self.pipeline.pre, frame, t)

    def push(self, stream: Stream, frame) -> StreamResult:
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
        pre = Preprocessor(pre.kind, "feature", pre.offset[:, t : t + 1], pre.scale[:, t : t + 1])
    return pre.transform(frame.reshape(1, -1, 1)).astype(np.float64)[:, :, 0]


class MultiFrames:
    """A multimodal frame: a dict with one reading ``[C]`` of every time-series input and, on a
    window's first frame, one raw sample of every static input (held for the window); see the
    ``stream`` module docstring."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        encoders = pipeline.encoder.encoders
        self.encoders = {n: encoders[n] for n in pipeline.names}
        self.series = [n for n in pipeline.names if self.encoders[n].temporal]
        self.static = [n for n in pipeline.names if not self.encoders[n].temporal]
        self.shape: dict[str, tuple[int, ...]] = {}
        parts = []
        for n in self.series:
            if self.encoders[n].stochastic:  # pragma: no cover - no random time-series encoder exists
                raise UsageError(
                    f"input '{n}': encoder '{self.encoders[n].name}' is random; it cannot be streamed "
                    "with the same draws as predict"
                )
            channels, length = pipeline.input_shape[n]
            if pipeline.timesteps != length:
                raise UsageError(
                    f"this model resamples its {length}-frame series '{n}' to {pipeline.timesteps} steps; a stream "
                    "feeds one frame per step: re-train with the series' own length (drop --set timesteps) to stream it"
                )
            self.shape[n] = (channels,)
            parts.append(f"{n}: one sensor reading [{channels}]")
        for n in self.static:
            self.shape[n] = tuple(pipeline.feature_shape[n])
            parts.append(
                f"{n}: one raw sample [{', '.join(map(str, self.shape[n]))}]"
                + (" on each window's first frame, held for the window" if self.series else "")
            )
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
            what = ([f"missing {', '.join(missing)}"] if missing else []) + (
                [f"unknown {', '.join(unknown)}"] if unknown else []
            )
            raise DataError(
                f"frame names {sorted(map(str, frame))} ({'; '.join(what)}); this stream expects {self.what}"
            )
        return {
            n: check_frame(frame[n], self.shape[n], f"input '{n}'", f"frame '{n}'") for n in self.shape if n in frame
        }

    def _hold(self, frame: dict[str, np.ndarray]) -> None:
        """Encode the static inputs over the window with a fresh generator, input-name order."""
        rng = np.random.default_rng(self.pipeline.seed)
        T = self.pipeline.timesteps
        self.held = {
            n: self.encoders[n].encode(self.pipeline.scale_one(frame[n][None], n), T, rng) for n in self.static
        }

    def push(self, stream: Stream, frame) -> StreamResult:
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


def series_frames(pipeline: Pipeline, raw: dict) -> list[dict[str, np.ndarray]]:
    """A recorded multimodal stream as frames: ``raw[name]`` holds the readings ``[M, C]`` of each
    time-series input (one per step, all M alike) and one raw sample ``[K, *features]`` of each
    static input per window (K ≥ the windows the M readings start)."""
    check_names(raw, pipeline.feature_shape, "recorded stream")
    frames_of = MultiFrames(pipeline)
    if not frames_of.series:
        n = {k: len(np.asarray(v)) for k, v in raw.items()}
        if len(set(n.values())) != 1:
            raise ShapeError(
                f"recorded inputs hold different numbers of samples {n}; give one sample of each per window"
            )
        return [{k: np.asarray(v)[i] for k, v in raw.items()} for i in range(next(iter(n.values())))]
    arrays = {k: np.asarray(v) for k, v in raw.items()}
    lengths = {n: len(arrays[n]) for n in frames_of.series}
    if len(set(lengths.values())) != 1:
        raise ShapeError(
            f"recorded time-series inputs hold different numbers of readings {lengths}; give one reading "
            "of each per step"
        )
    M, T = next(iter(lengths.values())), pipeline.timesteps
    windows = -(-M // T)
    for n in frames_of.static:
        if len(arrays[n]) < windows:
            raise ShapeError(
                f"recorded input '{n}' holds {len(arrays[n])} samples but the {M} readings start {windows} "
                f"windows of {T} steps; give one '{n}' sample per window"
            )
    frames = []
    for i in range(M):
        frame = {n: arrays[n][i] for n in frames_of.series}
        if i % T == 0:
            frame.update({n: arrays[n][i // T] for n in frames_of.static})
        frames.append(frame)
    return frames


def framer(pipeline: Pipeline):
    """What a frame is for this pipeline's encoder: a reading of a series, a whole sample, or a
    dict of them (multimodal)."""
    if getattr(pipeline, "names", None) is not None:
        return MultiFrames(pipeline)
    return (SeriesFrames if getattr(pipeline.encoder, "temporal", False) else SampleFrames)(pipeline)
