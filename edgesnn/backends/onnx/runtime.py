"""Load and run edgesnn ONNX models with onnxruntime (both forms), with input checks.

Sessions are cached per file (path, size, mtime), so an evaluator looping over batches pays
for loading once. The stepwise form is looped over T here, its states zero-initialised for
every call (every batch).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np

from ...errors import ArtifactError, DataError, RuntimeUnavailableError
from ...runner import session as _session
from ..base import RunResult
from .model import read_props

INSTALL = "pip install onnxruntime==1.31.1"
DEFAULT_THREADS = 1


def require():
    """The onnxruntime module, or RuntimeUnavailableError naming the install command."""
    try:
        import onnxruntime
    except ImportError as err:
        raise RuntimeUnavailableError(f"onnxruntime is not installed ({err}); install it with `{INSTALL}`") from None
    return onnxruntime


def session_options(threads: int | None = None):
    """Sequential execution, all graph optimisations, ``threads`` intra-op threads (default 1).

    One thread is the default: an SNN step is many small ops, where a thread pool's hand-offs
    cost more than they save (measured in ``benchmarks/inference_speed.py``: 2 threads are no
    faster at batch 1 and slower on a loaded machine); a target can ask for more with
    ``runtime: {threads: N}``.
    """
    return _session.session_options(require(), threads or DEFAULT_THREADS)


def load(path: Path, provider: str = "CPUExecutionProvider", threads: int | None = None):
    """(session, metadata props) for an edgesnn ONNX file; ArtifactError if it is not one.

    One ``stat`` per call (a session is reused while the file's size and mtime are unchanged).
    """
    path = os.fspath(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            path = os.path.join(path, "model.onnx")
            info = os.stat(path)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode):
        raise ArtifactError(f"ONNX model not found: {path}; export one with `edgesnn export MODEL --target onnx`")
    return _load(_absolute(path), info.st_size, info.st_mtime_ns, provider, threads or DEFAULT_THREADS)


@lru_cache(maxsize=64)
def _absolute(path: str) -> str:
    return str(Path(path).resolve())


@lru_cache(maxsize=8)
def _load(path: str, size: int, mtime: int, provider: str, threads: int = 1):
    ort = require()
    try:
        sess = ort.InferenceSession(path, session_options(threads), providers=[provider])
    except Exception as err:  # onnxruntime raises its own exception types for corrupt files
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise ArtifactError(f"{path} is not a loadable ONNX model ({first}); re-export it") from None
    props = read_props(sess)
    if props.get("form") not in ("unrolled", "stepwise"):
        raise ArtifactError(f"{path} was not written by edgesnn (no 'form' in its metadata); re-export it with edgesnn")
    return sess, props


def feed_for(x, props: dict) -> dict[str, np.ndarray]:
    """The model's feed: ONNX input name -> float32 ``[T, B, *in]``.

    The names and shapes come from the model's metadata (``props["input_shapes"]``, the NIR
    Input names; ``x`` for a one-input model); the check is the one every runtime uses
    (``edgesnn.nir.inputs.check_inputs``), then the cast to the model's float32, which must
    stay finite."""
    from ...nir.inputs import check_inputs as check_named

    shapes = {n: tuple(s) for n, s in (props.get("input_shapes") or {"x": props["input_shape"]}).items()}
    node = props.get("input_node")
    if isinstance(x, Mapping) and len(shapes) == 1 and node and list(x) == [node]:
        x = x[node]  # a one-input graph's data under its Input's name (e.g. one input of a multimodal set)
    feed = {}
    for name, value in check_named(x, shapes).items():
        value = np.ascontiguousarray(value, dtype=np.float32)
        if not np.isfinite(value).all():
            raise DataError(f"input '{name}' holds values beyond float32's range (±3.4e38); scale it first")
        feed[name] = value
    return feed


def run_model(
    path: Path, x, record: bool = False, provider: str = "CPUExecutionProvider", threads: int | None = None
) -> RunResult:
    """Run an edgesnn ONNX file on ``x [T, B, *in]`` (a multimodal model: a dict input name ->
    ``[T, B, *in]``); ``record`` fetches ``rec.<node>`` outputs; ``threads``: onnxruntime
    intra-op threads (default 1)."""
    sess, props = load(path, provider, threads)
    x = feed_for(x, props)
    records = list(props.get("records") or [])
    if record and not records:
        raise ArtifactError(
            f"{path} was exported without recording; export it with record=True to count spikes per layer"
        )
    fetch = ["y"] + ([f"rec.{n}" for n in records] if record else [])
    run = _run_unrolled if props["form"] == "unrolled" else _run_stepwise
    start = time.perf_counter()
    outs = run(sess, props, x, fetch)
    wall = time.perf_counter() - start
    recs = {name: outs[i + 1] for i, name in enumerate(records)} if record else {}
    return RunResult(output=outs[0], records=recs, wall_s=wall)


def _run_unrolled(sess, props, xs, fetch):
    return sess.run(fetch, xs)


def _run_stepwise(sess, props, xs, fetch):
    steps_, batch = next(iter(xs.values())).shape[:2]
    state_inputs = [i for i in sess.get_inputs() if i.name not in xs]
    states = _session.initial_states(state_inputs, batch, props.get("initial_states") or {})
    names = list(states)
    nexts = ["next." + n[len("state.") :] for n in names]
    outputs = [fetch[0], *nexts, *fetch[1:]]
    steps = [[] for _ in fetch]
    for t in range(steps_):
        res = sess.run(outputs, {**{n: v[t] for n, v in xs.items()}, **states})
        states = dict(zip(names, res[1 : 1 + len(names)]))
        steps[0].append(res[0])
        for i, r in enumerate(res[1 + len(names) :]):
            steps[i + 1].append(r)
    return [np.stack(s) for s in steps]
