"""The stepwise ONNX model on onnxruntime: one timestep per call, states kept by the caller.

The model (written by edgesnn's ONNX backend, ``form=stepwise``) has inputs ``x [B, *in]``
(a multimodal model: one input per modality instead, named in ``metadata.inputs`` with shapes
``metadata.input_shapes``, e.g. ``audio [B, 13]``, ``image [B, 1, 8, 8]``) then ``state.<node>.<key>`` and outputs ``y [B, *out]`` then ``next.<node>.<key>`` in the
same order; its ``metadata_props`` name the states (``states``, JSON) and the shapes
(``input_shape`` / ``output_shape``). ``x`` and ``y`` are float32; states are in the model's
precision (their declared ONNX type: float32, float64, or int64 for an integer model) and start at zero, except those in
``metadata.initial_states`` (``{name: {shape, values}}``, the network at rest for recurrent
edges), broadcast over the batch. Each step feeds ``next.*`` back as ``state.*``. This module
reads only those conventions (no onnx / edgesnn backend import).
"""

from __future__ import annotations

import json

import numpy as np

from ..errors import ArtifactError, RuntimeUnavailableError

INSTALL = "pip install onnxruntime"
_DTYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64}


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
            raise ArtifactError(
                f"{where}: the stepwise model does not load in onnxruntime ({first}); re-package it"
            ) from None
        props = _props(self.session)
        if props.get("form") != "stepwise":
            raise ArtifactError(
                f"{where}: the model's metadata says form={props.get('form')!r}, not 'stepwise'; re-package it"
            )
        self.props = props
        try:
            shapes = props.get("input_shapes") or {"x": props["input_shape"]}
            #: ONNX input name -> per-step shape; a one-input model: {"x": input_shape}
            self.input_shapes = {str(n): tuple(int(d) for d in s) for n, s in shapes.items()}
            self.output_shape = tuple(int(d) for d in props["output_shape"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ArtifactError(
                f"{where}: the model's metadata has no valid input/output shapes; re-package it"
            ) from None
        self.input_names = list(self.input_shapes)
        #: True: the model takes several named inputs (``step``/``run`` take dicts)
        self.multi = self.input_names != ["x"]
        self.input_shape = self.input_shapes if self.multi else self.input_shapes["x"]
        inputs = self.session.get_inputs()
        n_in = len(self.input_names)
        if sorted(i.name for i in inputs[:n_in]) != sorted(self.input_names):
            raise ArtifactError(f"{where}: the model's inputs do not match its metadata 'inputs'; re-package it")
        self.state_names = [i.name for i in inputs[n_in:]]
        if list(props.get("states") or []) != self.state_names:
            raise ArtifactError(f"{where}: the model's state inputs do not match its metadata 'states'; re-package it")
        self.next_names = ["next." + n[len("state.") :] for n in self.state_names]
        self._state_inputs = inputs[n_in:]
        self._initial = dict(props.get("initial_states") or {})
        self._fetch = ["y", *self.next_names]

    def zero_states(self, batch: int) -> dict[str, np.ndarray]:
        """The states at t = 0 for a batch of ``batch`` samples: zero, or the model's ``initial_states``."""
        return initial_states(self._state_inputs, batch, self._initial)

    def _feed(self, x_t) -> dict[str, np.ndarray]:
        return dict(x_t) if self.multi else {"x": x_t}

    def step(self, x_t, states: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One timestep: ``x_t [B, *in]`` float32 (multimodal: a dict name -> ``[B, *in]``) →
        (``y [B, *out]``, next states)."""
        res = self.session.run(self._fetch, {**self._feed(x_t), **states})
        return res[0], dict(zip(self.state_names, res[1:]))

    def run(self, x) -> np.ndarray:
        """``x [T, B, *in]`` (multimodal: a dict name -> ``[T, B, *in]``, one T and B) →
        ``y [T, B, *out]``, states zero at t = 0."""
        feed = self._feed(x)
        T, B = next(iter(feed.values())).shape[:2]
        states = self.zero_states(B)
        out = np.empty((T, B, *self.output_shape), dtype=np.float32)
        for t in range(T):
            out[t], states = self.step({n: v[t] for n, v in feed.items()} if self.multi else x[t], states)
        return out
