"""Instantiate a ``Plan`` as lava-nc processes and stream a batch of samples through one Lava run.

Runs inside the child process (``process.py``). Layout: Lava's Conv works on ``(W, H, C)``
arrays, the reverse of NIR's ``(C, H, W)``; every multi-dimensional array is transposed
(all axes reversed) on the way in and out, Conv kernels are transposed and flipped (Lava's
Conv is a true convolution, NIR's a cross-correlation), and a Dense fed by a
multi-dimensional source gets its columns permuted so Lava's C-order flatten of ``(W, H, C)``
meets NIR's flatten of ``(C, H, W)``.

Samples: sample ``s`` occupies Lava steps ``s*P + 1 ... s*P + T`` at the source (``P`` =
``plan.period(T)``), every population resets its state at the step its first input arrives
(``LIFReset``, offset ``1 + depth``), and outputs are read back at ``s*P + k + depth``. With
recurrence ``P = T + 1``: at each population's gap step a 'gate' source drives a large
negative current so no spike of sample ``s-1`` crosses the back-connection into sample ``s``.
With lanes (``lanes.py``) ``s`` counts groups of ``L`` samples, one per copy of the network.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time

import numpy as np

from .compat import import_lava
from .lanes import lava_classes, replicate, tile_inputs
from .plan import Plan
from .readout import recorders, release_shared

GATE_CURRENT = -1e9  # float; fixed point uses the most negative 8-bit weight at the top exponent


def to_lava(arr: np.ndarray) -> np.ndarray:
    """NIR ``(C, H, W)`` (or any rank) -> Lava ``(W, H, C)``: reverse all axes."""
    return np.ascontiguousarray(np.transpose(arr))


def from_lava_series(arr: np.ndarray) -> np.ndarray:
    """A recorded ``[steps, *lava_shape]`` series -> ``[steps, *nir_shape]`` (reverse the non-time axes)."""
    return np.transpose(arr, (0, *range(arr.ndim - 1, 0, -1)))


def lava_shape(shape) -> tuple[int, ...]:
    return tuple(int(d) for d in reversed(tuple(shape)))


def dense_columns(weight: np.ndarray, src_shape) -> np.ndarray:
    """Permute Dense columns so Lava's flatten of the reversed-axes source matches NIR's flatten."""
    perm = np.arange(int(np.prod(src_shape))).reshape(src_shape).transpose().reshape(-1)
    return weight[:, perm]


def conv_kernel(weight: np.ndarray) -> np.ndarray:
    """NIR ``(O, I, kh, kw)`` cross-correlation kernel -> Lava ``(O, kx, ky, I)`` convolution kernel."""
    return np.ascontiguousarray(weight.transpose(0, 3, 2, 1)[:, ::-1, ::-1])


def standard_models(L, fixed: bool) -> dict[type, type]:
    """Process class -> the model ``Loihi2SimCfg(select_tag=precision)`` picks for it, handed to
    Lava up front (``exception_proc_model_map``, keyed by process): Lava's own model discovery
    re-executes every module beside a process class on every run (~50 ms per run; the choice is
    checked against Lava's in ``tests/backends/test_lava_lanes.py``)."""
    from lava.proc.conv.models import PyConvModelFixed, PyConvModelFloat
    from lava.proc.dense.models import PyDenseModelBitAcc, PyDenseModelFloat
    from lava.proc.io.source import PySendModelFixed, PySendModelFloat

    from .procs.neuron import EdgeLIF, PyEdgeLifFixed, PyEdgeLifFloat

    pairs = {
        EdgeLIF: (PyEdgeLifFloat, PyEdgeLifFixed),
        L.dense.Dense: (PyDenseModelFloat, PyDenseModelBitAcc),
        L.conv.Conv: (PyConvModelFloat, PyConvModelFixed),
        L.io_source.RingBuffer: (PySendModelFloat, PySendModelFixed),
    }
    return {proc: models[int(fixed)] for proc, models in pairs.items()}


class _Builder:
    def __init__(self, plan: Plan, x: dict[str, np.ndarray], record: bool):
        self.L = import_lava()
        self.plan, self.record = plan, record
        self.fixed = plan.precision == "fixed_pt"
        self.T, self.S = next(iter(x.values())).shape[:2]
        self.P = plan.period(self.T)
        self.steps = self.S * self.P + plan.max_depth + 1
        self.procs: dict[str, object] = {}
        self.sinks: dict[str, object] = {}
        self.models: dict[object, type] = {}  # process -> its model, bypassing Lava's discovery
        self.extra: list[object] = []  # processes not in self.procs (constants)
        self.x = x

    def sources(self) -> None:
        """One ``RingBuffer`` per graph input (a multimodal graph has several), same timing each."""
        plan, L = self.plan, self.L
        idx = (np.arange(self.S)[:, None] * self.P + np.arange(self.T)[None, :]).reshape(-1)
        for name, shape in plan.inputs.items():
            data = np.zeros((*lava_shape(shape), self.steps))
            series = np.swapaxes(self.x[name], 0, 1).reshape(self.S * self.T, *shape)  # [(s, k), *shape]
            data[..., idx] = np.transpose(series)  # all axes reversed: [*lava_shape, (s, k)]
            if self.fixed:
                data = np.round(data * plan.input_scale).astype(np.int32)
            self.procs[name] = L.io_source.RingBuffer(data=data)

    def populations(self) -> None:
        from .procs.neuron import EdgeLIF

        for pop in self.plan.populations.values():
            shape = lava_shape(pop.shape)
            self.procs[pop.name] = EdgeLIF(
                reset_mode=pop.reset,
                inclusive=pop.inclusive,
                shape=shape,
                du=pop.du,
                dv=pop.dv,
                vth=pop.vth,
                bias_mant=to_lava(pop.bias),
                bias_exp=to_lava(pop.bias_exp if pop.bias_exp is not None else np.zeros(pop.shape)),
                reset_interval=self.P,
                reset_offset=(1 + pop.depth) % self.P,
                name=f"pop:{pop.name}",
            )

    def connections(self) -> None:
        L = self.L
        for c in self.plan.connections.values():
            bits = 24 if c.graded_in else 0
            if c.kind == "dense":
                src_shape = self.plan.unit_shape(c.src)
                weight = dense_columns(c.weight, src_shape) if c.flatten_src else c.weight
                kw = dict(weight_exp=c.weight_exp, num_weight_bits=8) if self.fixed else {}
                if self.plan.lanes > 1:  # W once, applied per lane (lanes.py)
                    lane_dense, *models = lava_classes()
                    kw["lanes"] = self.plan.lanes
                    proc = lane_dense(weights=weight, num_message_bits=bits, name=f"conn:{c.name}", **kw)
                    self.models[proc] = models[self.fixed]
                else:
                    proc = L.dense.Dense(weights=weight, num_message_bits=bits, name=f"conn:{c.name}", **kw)
            else:
                proc = L.conv.Conv(
                    weight=conv_kernel(c.weight),
                    input_shape=lava_shape(c.in_shape),
                    padding=c.padding[::-1],
                    stride=c.stride[::-1],
                    dilation=c.dilation[::-1],
                    groups=c.groups,
                    num_message_bits=bits,
                    name=f"conn:{c.name}",
                )
            self.procs[c.name] = proc
        for c in self.plan.connections.values():
            out = self._out_port(c.src)
            if c.flatten_src:
                out = out.flatten()
            elif c.kind == "conv" and tuple(out.shape) != lava_shape(c.in_shape):  # Conv1d: (L, C) -> (L, 1, C)
                out = out.reshape(lava_shape(c.in_shape))
            out.connect(self.procs[c.name].s_in)
            if c.dst in self.plan.populations:
                a_out = self.procs[c.name].a_out
                dst = self.procs[c.dst]
                (a_out.reshape(dst.a_in.shape) if a_out.shape != dst.a_in.shape else a_out).connect(dst.a_in)

    def constants(self) -> None:
        """'ones' source -> Dense for CubaLIF biases into u; 'gate' source for recurrent populations."""
        L, plan = self.L, self.plan
        with_u = [p for p in plan.populations.values() if p.bias_u is not None and np.any(p.bias_u)]
        if with_u:
            ones = L.io_source.RingBuffer(data=np.ones((1, self.steps), dtype=np.int32 if self.fixed else float))
            self.extra.append(ones)
            for p in with_u:
                w = to_lava(p.bias_u).reshape(-1, 1)
                kw = dict(weight_exp=int(p.bias_u_exp), num_weight_bits=8) if self.fixed else {}
                d = L.dense.Dense(weights=w, num_message_bits=24, name=f"bias_u:{p.name}", **kw)
                self.extra.append(d)
                ones.s_out.connect(d.s_in)
                a_out = d.a_out if len(p.shape) == 1 else d.a_out.reshape(lava_shape(p.shape))
                a_out.connect(self.procs[p.name].a_in)
        gated = [p for p in plan.populations.values() if p.recurrent]
        if gated:
            data = np.zeros((len(gated), self.steps))
            for i, p in enumerate(gated):
                for s in range(1, self.S):  # fixed point: -2**14 k in a_in, at least 4 thresholds for any V
                    data[i, s * self.P + p.depth - 2] = max(1, int(p.vth) // 2**12) if self.fixed else 1
            gate = L.io_source.RingBuffer(data=data.astype(np.int32) if self.fixed else data)
            self.extra.append(gate)
            for i, p in enumerate(gated):
                n = int(np.prod(p.shape))
                w = np.zeros((n, len(gated)))
                w[:, i] = -128 if self.fixed else GATE_CURRENT
                kw = dict(weight_exp=7, num_weight_bits=8) if self.fixed else {}
                d = L.dense.Dense(weights=w, num_message_bits=24, name=f"gate:{p.name}", **kw)
                self.extra.append(d)
                gate.s_out.connect(d.s_in)
                a_out = d.a_out if len(p.shape) == 1 else d.a_out.reshape(lava_shape(p.shape))
                a_out.connect(self.procs[p.name].a_in)

    def outputs(self) -> None:
        """A ``Recorder`` per tapped (or, recording, every) unit, a ``Probe`` on readout voltages."""
        plan = self.plan
        recorder, probe, recorder_model, probe_model = recorders()
        wanted = {t.unit for t in plan.taps if t.kind != "v"}
        if self.record:
            wanted |= set(plan.populations)
        for unit in sorted(wanted):
            if unit in plan.populations and plan.populations[unit].readout:
                continue
            port = self._out_port(unit)
            sink = recorder(shape=port.shape, steps=self.steps, fixed=self.fixed, name=f"rec:{unit}")
            port.connect(sink.a_in)
            self.sinks[unit], self.models[sink] = sink, recorder_model
        for pop in plan.populations.values():
            if pop.readout:
                sink = probe(var=self.procs[pop.name].v, steps=self.steps, name=f"probe:{pop.name}")
                self.sinks[pop.name], self.models[sink] = sink, probe_model

    def _out_port(self, ref: str):
        proc = self.procs[ref]
        return proc.a_out if ref in self.plan.connections else proc.s_out

    def run(self) -> tuple[dict[str, np.ndarray], float]:
        """Build, run ``steps`` Lava steps, read every sink/monitor: unit -> ``[steps, *nir_shape]``."""
        self.sources()
        self.populations()
        self.connections()
        self.constants()
        self.outputs()
        L = self.L
        anchor = self.procs[self.plan.input_name]
        known = standard_models(L, self.fixed)
        for proc in [*self.procs.values(), *self.extra]:
            if proc not in self.models:
                self.models[proc] = known[type(proc)]
        cfg = L.run_configs.Loihi2SimCfg(select_tag=self.plan.precision, exception_proc_model_map=self.models)
        start = time.perf_counter()
        # the runtime's logger takes the anchor's level: INFO lets worker_errors see the tracebacks
        anchor._log_config = dataclasses.replace(anchor._log_config, level=logging.INFO)
        with worker_errors():
            anchor.run(condition=L.run_conditions.RunSteps(num_steps=self.steps), run_cfg=cfg)
        wall = time.perf_counter() - start
        anchor.stop()
        out = {u: from_lava_series(np.array(s.series)) for u, s in self.sinks.items()}  # -> [steps, *nir_shape]
        release_shared()
        return out, wall


class _Tracebacks(logging.Handler):
    """Keeps the tracebacks Lava's runtime logs (at INFO) for process models that raised."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "Traceback" in message:
            self.seen.append(message)


@contextlib.contextmanager
def worker_errors():
    """Lava reports a process model's exception as "N Exception(s) occurred. See output above",
    with the traceback only in its log: raise the first worker's own last line instead."""
    log = logging.getLogger("lava.magma.runtime.runtime")
    handler, propagate = _Tracebacks(), log.propagate
    log.addHandler(handler)
    log.propagate = False  # the tracebacks go into the message, not onto the terminal
    try:
        yield
    except RuntimeError as exc:
        if not handler.seen:
            raise
        last = handler.seen[0].strip().splitlines()[-1]
        raise RuntimeError(f"{last} (in a Lava process model; {exc})") from None
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def run_plan(
    plan: Plan, x: np.ndarray | dict[str, np.ndarray], record: bool = False, lanes: int = 1
) -> tuple[dict[str, np.ndarray], float]:
    """Run ``x`` ``[T, B, *input]`` (a dict Input name -> ``[T, B, *shape]`` with several inputs)
    through ``plan``; raw per-unit time series and the Lava wall time.

    ``lanes > 1``: ``lanes`` copies of the network run ``lanes`` samples at once (``lanes.py``);
    the series are then ``[steps, lanes * n]`` over ``ceil(B / lanes)`` sample groups."""
    xs = x if isinstance(x, dict) else {plan.input_name: x}
    if lanes > 1:
        plan, xs = replicate(plan, lanes), tile_inputs(xs, lanes)
    return _Builder(plan, xs, record).run()
