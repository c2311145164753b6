"""The stepwise ONNX model on onnxruntime: one timestep per call, states kept by the caller.

The model (written by edgesnn's ONNX backend, ``form=stepwise``) has inputs ``x [B, *in]``
then ``state.<node>.<key>`` and outputs ``y [B, *out]`` then ``next.<node>.<key>`` in the
same order; its ``metadata_props`` name the states (``states``, JSON) and the shapes
(``input_shape`` / ``output_shape``). ``x`` and ``y`` are float32; states are in the model's
precision (their declared ONNX type, float32 or float64) and start at zero, except those in
``metadata.initial_states`` (``{name: {shape, values}}``, the network at rest for recurrent
edges), broadcast over the batch. Each step feeds ``next.*`` back as ``state.*``. This module
reads only those conventions (no onnx / edgesnn backend import).
"""

from __future__ import annotations

import json

import numpy as np

from ..errors import ArtifactError, RuntimeUnavailableError

INSTALL = "pip install onnxruntime"
_DTYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64}


def _onnxruntime():
    try:
        import onnxruntime
    except ImportError as err:
        raise RuntimeUnavailableError(f"onnxruntime is not installed ({err}); install it with `{INSTALL}`") from None
    return onnxruntime


def _props(sess) -> dict:
    out = {}
    for key, value in sess.get_modelmeta().custom_metadata_map.items():
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def session_options(ort, threads: int = 1):
    """onnxruntime ``SessionOptions`` (``ort``: the onnxruntime module): sequential execution,
    all graph optimisations, ``threads`` intra-op threads (at least 1), warnings off."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, int(threads))
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return opts


def initial_states(inputs, batch: int, initial: dict) -> dict[str, np.ndarray]:
    """The states at t = 0 for a batch of ``batch`` samples, from the session's state inputs
    ``inputs`` (symbolic dimensions are the batch; dtype from the declared ONNX type): zero,
    except ``initial[name]`` (``{shape, values}``) broadcast over the batch."""
    states = {}
    for info in inputs:
        shape = [d if isinstance(d, int) else batch for d in info.shape]
        dtype = _DTYPES.get(info.type, np.float32)
        if info.name in initial:
            rest = np.asarray(initial[info.name]["values"], dtype=dtype).reshape(initial[info.name]["shape"])
            states[info.name] = np.ascontiguousarray(np.broadcast_to(rest, shape))
        else:
            states[info.name] = np.zeros(shape, dtype=dtype)
    return states


class StepModel:
    """A loaded stepwise model: ``zero_states(B)``, ``step(x_t, states)``, ``run(x [T, B, *in])``."""

    def __init__(self, model: bytes, threads: int = 1, where: str = "bundle"):
        ort = _onnxruntime()
        opts = session_options(ort, threads)
        try:
            self.session = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime raises its own exception types for a bad model
            first = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
            raise ArtifactError(f"{where}: the stepwise model does not load in onnxruntime ({first}); re-package it") from None
        props = _props(self.session)
        if props.get("form") != "stepwise":
            raise ArtifactError(f"{where}: the model's metadata says form={props.get('form')!r}, not 'stepwise'; re-package it")
        self.props = props
        self.input_shape = tuple(int(d) for d in props["input_shape"])
        self.output_shape = tuple(int(d) for d in props["output_shape"])
        inputs = self.session.get_inputs()
        self.state_names = [i.name for i in inputs[1:]]
        if list(props.get("states") or []) != self.state_names:
            raise ArtifactError(f"{where}: the model's state inputs do not match its metadata 'states'; re-package it")
        self.next_names = ["next." + n[len("state."):] for n in self.state_names]
        self._state_inputs = inputs[1:]
        self._initial = dict(props.get("initial_states") or {})
        self._fetch = ["y", *self.next_names]

    def zero_states(self, batch: int) -> dict[str, np.ndarray]:
        """The states at t = 0 for a batch of ``batch`` samples: zero, or the model's ``initial_states``."""
        return initial_states(self._state_inputs, batch, self._initial)

    def step(self, x_t: np.ndarray, states: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One timestep: ``x_t [B, *in]`` float32 → (``y [B, *out]``, next states)."""
        res = self.session.run(self._fetch, {"x": x_t, **states})
        return res[0], dict(zip(self.state_names, res[1:]))

    def run(self, x: np.ndarray) -> np.ndarray:
        """``x [T, B, *in]`` → ``y [T, B, *out]``, states zero at t = 0."""
        states = self.zero_states(x.shape[1])
        out = np.empty((x.shape[0], x.shape[1], *self.output_shape), dtype=np.float32)
        for t in range(x.shape[0]):
            out[t], states = self.step(x[t], states)
        return out
