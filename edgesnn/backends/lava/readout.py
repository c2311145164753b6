"""Re-align Lava's recorded time series with the simulator's steps and undo the normalisation.

A unit of depth ``d`` records sample ``s``, step ``k`` at buffer index ``s*P + k + d`` (see
``plan.py``). Voltages are mapped back with ``v = v_scale * v' + v_offset``, where in fixed
point ``v' = v_int / (64 * vth_int)`` (Lava left-shifts the threshold by 6 bits); graded
outputs of a connection are divided by their fixed-point scale and get the host-side bias.

**Recording** (``recorders``): Lava's ``io.sink.RingBuffer`` and ``Monitor`` hand their data
back through ``Var.get()``, one message per value (about 60 us each: 15 ms per sample of a
10-neuron output at T = 25, more than the run itself). The ``Recorder`` (an ``OutPort``
sink, as ``RingBuffer``) and ``Probe`` (a ``RefPort`` on a Var, read after each step, as
``Monitor``) store the same values, in the same dtypes, straight into a shared anonymous
``mmap`` that the run's process allocates before Lava forks its workers.
"""

from __future__ import annotations

import itertools
import mmap

import numpy as np

from ..base import RunResult
from .lanes import untile
from .plan import Plan


def gather(series: np.ndarray, depth: int, timesteps: int, samples: int, period: int, lanes: int = 1) -> np.ndarray:
    """``series[steps, *shape]`` -> ``[T, B, *shape]`` for a unit of ``depth``.

    With ``lanes > 1`` the series is ``[steps, lanes * n]`` over ``ceil(B / lanes)`` groups and
    comes back as ``[T, B, n]`` in sample order (``lanes.untile``)."""
    groups = -(-samples // lanes)
    idx = np.arange(groups)[None, :] * period + np.arange(timesteps)[:, None] + depth
    return series[idx] if lanes == 1 else untile(series[idx], samples, lanes)


def to_result(
    plan: Plan, raw: dict[str, np.ndarray], timesteps: int, samples: int, record: bool, wall_s: float, lanes: int = 1
) -> RunResult:
    """The ``RunResult`` of one Lava run: outputs concatenated over Output nodes (in graph order).

    ``plan`` is the unreplicated plan; ``lanes``: how many copies of it ran (``lanes.py``)."""
    period = plan.period(timesteps)
    outs = []
    for tap in plan.taps:
        series = gather(raw[tap.unit], tap.depth, timesteps, samples, period, lanes)
        if tap.kind == "v":
            pop = plan.populations[tap.unit]
            series = series * pop.v_unit * pop.v_scale + pop.v_offset
        elif tap.kind == "graded":
            conn = plan.connections[tap.unit]
            series = series / conn.out_scale + tap.bias
        outs.append(series.reshape(timesteps, samples, *tap.shape).astype(np.float32))
    output = outs[0] if len(outs) == 1 else np.concatenate([o.reshape(timesteps, samples, -1) for o in outs], axis=-1)
    records = {}
    if record:
        for name, pop in plan.populations.items():
            if name in raw and not pop.readout:
                series = gather(raw[name], pop.depth, timesteps, samples, period, lanes)
                records[name] = series.reshape(timesteps, samples, *pop.shape).astype(np.float32)
    return RunResult(output=output, records=records, wall_s=wall_s)


_SHARED: dict[int, np.ndarray] = {}  # key -> [steps, *shape] float64 view of a shared mmap
_KEYS = itertools.count()


def shared_series(steps: int, shape) -> tuple[int, np.ndarray]:
    """A zeroed ``[steps, *shape]`` float64 array in memory shared with processes forked later."""
    n = steps * int(np.prod(shape))
    buf = np.frombuffer(mmap.mmap(-1, max(8 * n, 8)), dtype=np.float64, count=n).reshape(steps, *shape)
    key = next(_KEYS)
    _SHARED[key] = buf
    return key, buf


def release_shared() -> None:
    _SHARED.clear()


_RECORDERS: tuple | None = None


def recorders() -> tuple:
    """``(Recorder, Probe, Recorder model, Probe model)``, defined on first use (in the Lava child).

    Handed to Lava through ``exception_proc_model_map`` (``build.py``), as ``lanes.LaneDense``.
    """
    global _RECORDERS
    if _RECORDERS is not None:
        return _RECORDERS
    from lava.magma.core.decorator import implements, requires
    from lava.magma.core.model.py.model import PyLoihiProcessModel
    from lava.magma.core.model.py.ports import PyInPort, PyRefPort
    from lava.magma.core.model.py.type import LavaPyType
    from lava.magma.core.process.ports.ports import InPort, RefPort
    from lava.magma.core.process.process import AbstractProcess
    from lava.magma.core.resources import CPU
    from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

    class Recorder(AbstractProcess):
        """Every step's ``a_in`` into ``series[step - 1]`` (``fixed``: through int32, as RingBuffer)."""

        def __init__(self, *, shape, steps: int, fixed: bool, **kwargs) -> None:
            key, self.series = shared_series(steps, shape)
            super().__init__(shape=shape, key=key, fixed=fixed, **kwargs)
            self.a_in = InPort(shape=shape)

    class Probe(AbstractProcess):
        """``var`` after every step into ``series[step - 1]`` (as ``Monitor``)."""

        def __init__(self, *, var, steps: int, **kwargs) -> None:
            key, self.series = shared_series(steps, var.shape)
            super().__init__(key=key, **kwargs)
            self.ref = RefPort(shape=var.shape)
            self.ref.connect_var(var)

    @implements(proc=Recorder, protocol=LoihiProtocol)
    @requires(CPU)
    class PyRecorder(PyLoihiProcessModel):
        a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)

        def run_spk(self) -> None:
            data = self.a_in.recv()
            if self.proc_params["fixed"]:
                data = np.asarray(data).astype(np.int32)
            _SHARED[self.proc_params["key"]][self.time_step - 1] = data

    @implements(proc=Probe, protocol=LoihiProtocol)
    @requires(CPU)
    class PyProbe(PyLoihiProcessModel):
        ref: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, int)  # as Monitor's

        def post_guard(self) -> bool:
            return True

        def run_post_mgmt(self) -> None:
            _SHARED[self.proc_params["key"]][self.time_step - 1] = np.array(self.ref.read())

    _RECORDERS = (Recorder, Probe, PyRecorder, PyProbe)
    return _RECORDERS
