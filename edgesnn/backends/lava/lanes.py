"""Lanes: ``L`` copies of a network side by side in one Lava run, ``L`` samples at once.

Lava's simulator pays a fixed Python cost per step and process, so streaming ``B`` samples
one after another (``build.py``: sample ``s`` at steps ``s*P ...``) costs ``B*P`` steps. With
lanes, every unit of the plan is replicated ``L`` times and lane ``l`` of group ``g`` carries
sample ``g*L + l``; the run needs ``G*P`` steps, ``G = ceil(B/L)`` (the last group is padded
with all-zero samples, whose outputs are dropped).

**Layout** (lane-major, everything 1-D): a unit of ``n`` values becomes ``L*n`` values, lane
``l`` at ``[l*n, (l+1)*n)``. Inputs ``[T, B, *shape]`` are flattened in NIR C-order, padded to
``G*L`` samples and laid out ``[T, G, L*n]``; outputs come back as ``[steps, L*n]``, are gathered
by depth to ``[T, G, L*n] = [T, G, L, n]`` and read as ``[T, G*L, n][:, :B]`` (``readout.py``).

* **Populations**: shape ``(L*n,)``; per-neuron arrays (``bias``, ``bias_exp``, ``bias_u``, ...)
  tiled ``L`` times; the shared ``du``/``dv``/``vth``, the period and the reset offsets are
  unchanged (every lane resets at the same step). Neuron updates are elementwise, so each
  lane computes exactly what the unbatched run computes.
* **Dense connections** (Affine, the recurrent back-connection, skip-path delays) act as
  the block-diagonal ``I_L (x) W``: lane ``l``'s output is ``W @ x_l``. A ``LaneDense``
  process holds ``W`` once and computes lane by lane with Lava's own ``Dense`` arithmetic (the
  float sum over spiking columns per lane: block-diagonal zeros would change numpy's pairwise
  summation order, so not one bit of a float sum may differ; fixed point sums integers,
  identical in any order, so lanes are one integer matmul). Fixed point is quantised before
  replication: every lane holds the same integers and exponents.
* **Constants**: the CubaLIF 'ones' Dense and the recurrent gate Dense are plain ``Dense``
  with their rows tiled (one source drives every lane, each output is one product).

* **Inputs**: every input (a multimodal plan has several) is replicated alike; a
  multi-dimensional input (it can only feed Dense connections here) arrives flattened in NIR
  order, so the Dense needs none of the unbatched path's column permutation.

**Where ``L = 1`` stays** (the unbatched path, ``why_single``): any Conv/pooling connection
(Lava's Conv has no batch axis; lanes would need one Conv per lane or a lane axis folded into
the image, neither exact without more machinery), and with it every population of
multi-dimensional (``(C, H, W)``/``(C, L)``) shape.

**Choosing ``L``** (``choose``): at most ``MAX_LANES`` and at most ``MAX_LANE_UNITS`` values in
the largest unit, never more than ``B``, then balanced (the fewest lanes for that many groups).
A step costs Lava's fixed synchronisation (~1 ms) plus ~8 us per lane and Dense (its per-lane
loop), so per sample ``P * (c0 / L + c1)``: 64 lanes were measurably faster than 32 for the
benchmark MLP, memory is ``L`` times one sample's.
"""

from __future__ import annotations

import copy

import numpy as np

from .plan import Plan

MAX_LANES = 64  # at most this many samples at once
MAX_LANE_UNITS = 16384  # ... and at most this many values in the largest replicated unit


def why_single(plan: Plan) -> str | None:
    """Why ``plan`` cannot run in lanes (None: it can)."""
    conv = [c.name for c in plan.connections.values() if c.kind != "dense"]
    if conv:
        return f"Conv/pooling connection '{conv[0]}' (no lane axis in Lava's Conv)"
    multi = [p for p in plan.populations.values() if len(p.shape) != 1]
    if multi:
        return f"population '{multi[0].name}' of shape {multi[0].shape} is not 1-D"
    return None


def choose(plan: Plan, samples: int, lanes: int | None = None) -> int:
    """Lanes for ``samples`` samples: ``lanes`` if given (capped at ``samples``), else automatic.

    Automatic: as many groups as ``MAX_LANES`` / ``MAX_LANE_UNITS`` force, then the fewest lanes
    that still fit the samples in that many groups (the least padding). 1 if ``why_single``.
    """
    if samples <= 1 or why_single(plan) is not None:
        return 1
    if lanes is not None:
        return max(1, min(int(lanes), samples))
    sizes = [int(np.prod(s)) for s in plan.inputs.values()]
    sizes += [int(np.prod(p.shape)) for p in plan.populations.values()]
    sizes += [int(np.prod(c.out_shape)) for c in plan.connections.values()]
    cap = max(1, min(MAX_LANES, MAX_LANE_UNITS // max(sizes, default=1)))
    groups = -(-samples // cap)
    return -(-samples // groups)


def replicate(plan: Plan, lanes: int) -> Plan:
    """The plan of ``lanes`` copies side by side (see the module docstring); ``plan`` is unchanged."""
    if lanes == 1:
        return plan
    why = why_single(plan)
    if why is not None:
        raise ValueError(f"plan cannot run in lanes: {why}")
    q = copy.deepcopy(plan)
    q.lanes = lanes

    def tile(arr):
        return None if arr is None else np.tile(np.asarray(arr).reshape(-1), lanes)

    q.inputs = {name: (lanes * int(np.prod(shape)),) for name, shape in plan.inputs.items()}
    q.input_shape = q.inputs[q.input_name]
    for p in q.populations.values():
        p.shape = (lanes * int(np.prod(p.shape)),)
        for key in ("bias", "bias_exp", "bias_u", "v_scale", "v_offset", "gain"):
            setattr(p, key, tile(getattr(p, key)))
    for c in q.connections.values():
        c.in_shape = (lanes * int(np.prod(c.in_shape)),)
        c.out_shape = (lanes * int(np.prod(c.out_shape)),)
        c.bias = tile(c.bias)
        c.flatten_src = False  # inputs arrive flattened in NIR order: W's columns need no permutation
    return q


def tile_inputs(x: dict[str, np.ndarray], lanes: int) -> dict[str, np.ndarray]:
    """``[T, B, *shape]`` per input -> ``[T, G, L*n]``: sample ``g*L + l`` in lane ``l`` of group ``g``."""
    out = {}
    for name, v in x.items():
        T, B = v.shape[:2]
        flat = v.reshape(T, B, -1)
        groups = -(-B // lanes)
        padded = np.zeros((T, groups * lanes, flat.shape[2]), dtype=flat.dtype)
        padded[:, :B] = flat
        out[name] = padded.reshape(T, groups, -1)
    return out


def untile(series: np.ndarray, samples: int, lanes: int) -> np.ndarray:
    """Gathered ``[T, G, L*n]`` -> ``[T, B, n]`` in sample order (drops the padding samples)."""
    T, G = series.shape[:2]
    return series.reshape(T, G * lanes, -1)[:, :samples]


_CLASSES: tuple | None = None


def lava_classes() -> tuple:
    """``(LaneDense, float model, fixed-point model)``, defined on first use (Lava imported by then).

    The models are handed to Lava through ``exception_proc_model_map`` (``build.py``), so
    Lava's model discovery never scans this package.
    """
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    from lava.magma.core.decorator import implements, requires, tag
    from lava.magma.core.process.ports.ports import InPort, OutPort
    from lava.magma.core.process.variable import Var
    from lava.magma.core.resources import CPU
    from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
    from lava.proc.dense.models import AbstractPyDenseModelBitAcc, AbstractPyDenseModelFloat
    from lava.proc.dense.process import Dense
    from lava.utils.weightutils import clip_weights, determine_sign_mode, truncate_weights

    class LaneDense(Dense):
        """Lava's ``Dense`` with weights ``W`` applied to each of ``lanes`` slices of ``s_in``."""

        def __init__(self, *, weights: np.ndarray, lanes: int, **kwargs) -> None:
            super().__init__(weights=weights, lanes=lanes, **kwargs)
            n_out, n_in = weights.shape
            self.s_in = InPort(shape=(lanes * n_in,))
            self.a_out = OutPort(shape=(lanes * n_out,))
            self.a_buff = Var(shape=(lanes * n_out,), init=0)

    @implements(proc=LaneDense, protocol=LoihiProtocol)
    @requires(CPU)
    @tag("floating_pt")
    class PyLaneDenseFloat(AbstractPyDenseModelFloat):
        implements_process = None

        def run_spk(self):  # AbstractPyDenseModelFloat.run_spk, lane by lane
            self.a_out.send(self.a_buff)
            w, lanes = self.weights, self.proc_params["lanes"]
            n = w.shape[1]
            if self.num_message_bits.item() > 0:
                s = self.s_in.recv()
                parts = [w.dot(s[i * n : (i + 1) * n].copy()) for i in range(lanes)]
            else:
                s = self.s_in.recv().astype(bool)
                parts = [w[:, s[i * n : (i + 1) * n]].sum(axis=1) for i in range(lanes)]
            self.a_buff = np.concatenate(parts)

    @implements(proc=LaneDense, protocol=LoihiProtocol)
    @requires(CPU)
    @tag("bit_accurate_loihi", "fixed_pt")
    class PyLaneDenseFixed(AbstractPyDenseModelBitAcc):
        implements_process = None

        def run_spk(self):  # AbstractPyDenseModelBitAcc.run_spk on all lanes (integer sums)
            self.weight_exp = self.proc_params.get("weight_exp", 0)
            if not self.weights_set:
                sign_mode = self.proc_params.get("sign_mode") or determine_sign_mode(self.weights)
                self.weights = clip_weights(self.weights, sign_mode, num_bits=8)
                self.weights = truncate_weights(self.weights, sign_mode, self.proc_params.get("num_weight_bits", 8))
                self.weights_set = True
            self.a_out.send(self.a_buff)
            w, lanes = self.weights, self.proc_params["lanes"]
            if self.num_message_bits.item() > 0:  # as w.dot(s): same dtypes, modular integer sums
                a_accum = (self.s_in.recv().reshape(lanes, -1) @ w.T).reshape(-1)
            else:  # as w[:, s].sum(axis=1): 64-bit integer sums
                s = self.s_in.recv().astype(bool).reshape(lanes, -1).astype(np.int64)
                a_accum = (s @ w.T.astype(np.int64)).reshape(-1)
            self.a_buff = (
                np.left_shift(a_accum, self.weight_exp)
                if self.weight_exp > 0
                else np.right_shift(a_accum, -self.weight_exp)
            )

    _CLASSES = (LaneDense, PyLaneDenseFloat, PyLaneDenseFixed)
    return _CLASSES
