"""A Xylo IMU specification stepped in numpy: the chip's integer arithmetic, batched.

``XyloModel`` loads ``model.xylo.npz`` (the keyword arguments of Rockpool's
``XyloSim.from_specification``, see ``edgesnn/backends/xylo/spec.py``) and offers the stepwise
ONNX model's interface (``zero_states``, ``step``, ``run``), so a bundle for Xylo runs on a
device with numpy alone. The same code is the judge of a Xylo export: the semantics were read
from xylosim 0.1.3's C++ (``XyloLayer::evolve``, ``XyloIAFNeuron::evolve``) and are checked bit
for bit against ``XyloSim`` (Vmem, Isyn, spikes). Per step, ``sat(x) = clip(x, -2^15, 2^15 - 1)``::

    1. input events  c_i = min(x[t, i], 15), channels in index order:
                     isyn = sat(isyn + c_i · (w_in[i] << shift_in))
    2. recurrent     the same with the previous step's hidden counts min(s_j, 31), w_rec
    3. to outputs    the same with the previous step's hidden counts, w_out (last OEN neurons)
    4. decay         d(v, k) = v >> k (floor), but 1 when that is 0 and v > 0
                     isyn -= d(isyn, dash_syn)
    5. membrane      dv = wrap16(-d(v, dash_mem)); dv = sat(dv + isyn); dv = sat(dv + bias)
                     v = sat(v + dv)
    6. spikes        while v >= θ (at most 31 per step; 1 for outputs): count one, v -= θ

The adds of steps 1–3 saturate one presynaptic source at a time, so their order matters; when
no partial sum leaves int16 (the usual case) the total is added at once, else the batch rows
concerned are replayed one source at a time. Inputs are event counts: non-negative integers.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from ..errors import ArtifactError, DataError

LO, HI = -(2**15), 2**15 - 1
MAX_DASH = 15
MAX_INPUT_EVENTS = 15  # per channel and step
MAX_HIDDEN_SPIKES = 31  # per neuron and step (1 for output neurons)
#: the arrays of a specification file, and its scalars
ARRAYS = (
    "weights_in",
    "weights_rec",
    "weights_out",
    "dash_mem",
    "dash_syn",
    "threshold",
    "bias",
    "dash_mem_out",
    "dash_syn_out",
    "threshold_out",
    "bias_out",
)
SCALARS = ("weight_shift_in", "weight_shift_rec", "weight_shift_out", "dt")
STATES = ("isyn", "v", "spikes", "isyn_out", "v_out")


def sat(x: np.ndarray) -> np.ndarray:
    return np.clip(x, LO, HI)


def wrap16(x: np.ndarray) -> np.ndarray:
    return ((np.asarray(x, np.int64) + 2**15) % 2**16) - 2**15


def decay(v: np.ndarray, dash: np.ndarray) -> np.ndarray:
    dv = v >> dash
    return np.where((dv == 0) & (v > 0), 1, dv)


def deliver(isyn: np.ndarray, counts: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``isyn [B, N] ← sat(isyn + counts[:, p] · w[p])`` for p in order (``counts [B, P]``, ``w [P, N]``)."""
    if not counts.any():
        return isyn
    terms = counts[:, :, None] * w[None]  # [B, P, N]
    partial = isyn[:, None, :] + np.cumsum(terms, axis=1)
    exact = (partial.min(axis=(1, 2)) >= LO) & (partial.max(axis=(1, 2)) <= HI)
    out = isyn + terms.sum(axis=1)
    for b in np.flatnonzero(~exact):  # some partial sum saturated: replay this row in order
        row = isyn[b].copy()
        for p in np.flatnonzero(counts[b]):
            row = sat(row + terms[b, p])
        out[b] = row
    return out


def fire(v: np.ndarray, th: np.ndarray, max_spikes: int) -> tuple[np.ndarray, np.ndarray]:
    """Spike counts ``k = clip(floor(v / θ), 0, max)`` for θ > 0 (the ``while v >= θ`` loop), ``v -= k θ``."""
    positive = th > 0
    k = np.where(positive, np.clip(np.floor_divide(v, np.where(positive, th, 1)), 0, max_spikes), 0)
    if not positive.all():  # θ <= 0: the loop fires until the budget is spent
        k = np.where(positive, k, np.where(v >= th, max_spikes, 0))
    return wrap16(v - k * th), k


def neuron_step(isyn, v, dash_syn, dash_mem, th, bias, max_spikes):
    """Steps 4–6 for one population: (isyn, v, spike counts)."""
    isyn = isyn - decay(isyn, dash_syn)
    dv = sat(wrap16(-decay(v, dash_mem)) + isyn)
    if bias is not None:
        dv = sat(dv + bias)
    v, k = fire(sat(v + dv), th, max_spikes)
    return isyn, v, k


def event_counts(x, where: str = "input") -> np.ndarray:
    """``x`` as int64 event counts; DataError unless finite non-negative integers."""
    x = np.asarray(x)
    bad = ~np.isfinite(x) | (x < 0) | (x != np.rint(x))
    if bad.any():
        raise DataError(
            f"Xylo takes event counts (integers 0..{MAX_INPUT_EVENTS} per channel and step); the {where} "
            f"holds {float(x[bad].flat[0]):g}: train with a spike encoder (--set encoder=delta, sigma_delta or rate)"
        )
    return x.astype(np.int64)


class XyloModel:
    """A Xylo specification with the stepwise model's interface (see the module docstring)."""

    multi = False
    input_names = ["x"]

    def __init__(self, spec: dict[str, Any], where: str = "bundle"):
        try:
            i64 = np.int64
            a = {k: np.asarray(spec[k]).astype(i64) for k in ARRAYS}
            shift = {k: int(spec[k]) for k in SCALARS[:3]}
            self.dt = float(spec["dt"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(
                f"{where}: the Xylo specification is incomplete or malformed ({exc}); re-export it"
            ) from None
        n_in, ien = a["weights_in"].shape if a["weights_in"].ndim == 2 else (0, -1)
        n_hid = a["weights_rec"].shape[0]
        oen, n_out = a["weights_out"].shape if a["weights_out"].ndim == 2 else (-1, 0)
        shapes_ok = (
            a["weights_rec"].shape == (n_hid, n_hid)
            and 0 < ien <= n_hid
            and 0 < oen <= n_hid
            and all(a[k].shape == (n_hid,) for k in ("dash_mem", "dash_syn", "threshold", "bias"))
            and all(a[k].shape == (n_out,) for k in ("dash_mem_out", "dash_syn_out", "threshold_out", "bias_out"))
        )
        dashes = np.concatenate([a[k] for k in ("dash_mem", "dash_syn", "dash_mem_out", "dash_syn_out")])
        if not shapes_ok or n_in == 0 or n_out == 0 or dashes.min(initial=0) < 0 or dashes.max(initial=0) > MAX_DASH:
            raise ArtifactError(f"{where}: the Xylo specification's arrays disagree in shape or range; re-export it")
        self.sizes = (n_in, n_hid, n_out)
        self.input_shapes = {"x": (n_in,)}
        self.input_shape = (n_in,)
        self.output_shape = (n_out,)
        self.w_in = np.zeros((n_in, n_hid), i64)
        self.w_in[:, :ien] = wrap16(a["weights_in"] << shift["weight_shift_in"])
        self.w_rec = wrap16(a["weights_rec"] << shift["weight_shift_rec"])
        self.w_out = np.zeros((n_hid, n_out), i64)
        self.w_out[n_hid - oen :] = wrap16(a["weights_out"] << shift["weight_shift_out"])
        self.a = a
        has_bias = bool(np.any(a["bias"]) or np.any(a["bias_out"]))
        self.bias, self.bias_out = (a["bias"], a["bias_out"]) if has_bias else (None, None)

    @classmethod
    def from_bytes(cls, data: bytes, threads: int = 1, where: str = "bundle") -> XyloModel:
        """A ``model.xylo.npz`` file's bytes (``threads`` is ignored: numpy runs it)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                spec = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise ArtifactError(
                f"{where}: the Xylo specification is not a readable npz ({exc}); re-export it"
            ) from None
        return cls(spec, where)

    def zero_states(self, batch: int) -> dict[str, np.ndarray]:
        """Every current, potential and spike count at zero for ``batch`` samples."""
        n_hid, n_out = self.sizes[1:]
        sizes = {"isyn": n_hid, "v": n_hid, "spikes": n_hid, "isyn_out": n_out, "v_out": n_out}
        return {k: np.zeros((batch, sizes[k]), np.int64) for k in STATES}

    def step(self, x_t, states: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One step: event counts ``x_t [B, n_in]`` → (output spikes ``[B, n_out]`` float32, next states)."""
        return self._advance(np.minimum(event_counts(x_t), MAX_INPUT_EVENTS), states)

    def _advance(self, counts: np.ndarray, states: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """``step`` on counts already checked and capped at ``MAX_INPUT_EVENTS``."""
        a = self.a
        prev = np.minimum(states["spikes"], MAX_HIDDEN_SPIKES)
        isyn = deliver(deliver(states["isyn"], counts, self.w_in), prev, self.w_rec)
        isyn_o = deliver(states["isyn_out"], prev, self.w_out)
        isyn, v, spk = neuron_step(
            isyn, states["v"], a["dash_syn"], a["dash_mem"], a["threshold"], self.bias, MAX_HIDDEN_SPIKES
        )
        isyn_o, v_o, k = neuron_step(
            isyn_o, states["v_out"], a["dash_syn_out"], a["dash_mem_out"], a["threshold_out"], self.bias_out, 1
        )
        return k.astype(np.float32), {"isyn": isyn, "v": v, "spikes": spk, "isyn_out": isyn_o, "v_out": v_o}

    def run(self, x, hidden: np.ndarray | None = None) -> np.ndarray:
        """``x [T, B, n_in]`` event counts → output spikes ``[T, B, n_out]``, states zero at t = 0;
        ``hidden [T, B, n_hid]``, when given, receives the hidden spike counts."""
        x = np.minimum(event_counts(x), MAX_INPUT_EVENTS)  # checked once, not at every step
        T, B = x.shape[:2]
        states = self.zero_states(B)
        out = np.empty((T, B, *self.output_shape), np.float32)
        for t in range(T):
            out[t], states = self._advance(x[t], states)
            if hidden is not None:
                hidden[t] = states["spikes"]
        return out
