"""NIR graph → Xylo IMU specification: topology, design-rule checks and the integer grid.

**Topology.** Xylo IMU is one hidden population (input-fed, optionally recurrent) and one
output population fed by it. A graph maps when, through identities (sub-graph ports, a
Flatten), it is::

    Input ─ Affine/Linear ─ hidden LIF|CubaLIF (─ Linear back to itself) ─ Affine/Linear ─ output LIF|CubaLIF ─ Output

(snnTorch's Leaky/Synaptic MLPs and RLeaky networks are this). Anything else — a conv or pool,
a second hidden layer, a skip, an output fed by the inputs or by itself, too many neurons —
is a ``ConstraintViolation`` (exit 2) naming the node or the resource and its limit.

**Grid** (per neuron j, so each row keeps 8 bits of precision; v_Xylo ≈ λ_j · v)::

    β = 1 − dt/τ_mem → dash_mem = clip(round(log2 1/(1−β)), 1, 15)    (α, dash_syn likewise)
    CubaLIF   W_x = round(λ g a_s w_in W / α),  θ_x = round(λ θ),  bias_x = round(λ g w_in b)
    LIF       dash_syn = 1 (Xylo has no current-free neuron; α = ½ spreads each input over the
              next steps without changing its total charge), W_x = round(λ g W), θ_x = round(λ θ),
              bias_x = round(λ g b)
    λ_j = min(127 / max_i |W_j,i · gain|, 32767 / θ_j)         (g = dt·r/τ_mem, a_s = dt/τ_syn)
    λ_j = k_j / θ_j for a row trained on the grid (``detect_row_scale``): no re-rounding

Xylo differs from NIR's semantics where the chip is what it is: it spikes when v ≥ θ (NIR: >),
resets by subtraction, may emit up to 31 spikes per hidden neuron and step, and delivers
hidden spikes to the outputs one step later. The export measures the artifact against
``judge.py`` (the chip's arithmetic) and reports the float reference beside it.
"""

from __future__ import annotations

import nir
import numpy as np

from ...errors import ConstraintViolation, UnsupportedPrimitiveError
from ...nir import kinds
from ...nir.flat import FlatGraph, flatten
from ...nir.graph import graph_settings
from ...numerics.rows import row_scale
from ...numerics.xylo import dash_of, keep_of
from .spec import LIMITS, XyloSpec

NEURON_TYPES = ("LIF", "CubaLIF")
LINEAR = ("Affine", "Linear")
PASS = ("Input", "Output", "Flatten")


def _refuse(what: str) -> ConstraintViolation:
    return ConstraintViolation(f"xylo-imu cannot map this network: {what}")


def _source(flat, name: str, top_inputs: set[str]) -> str:
    """Walk back from ``name`` through identities (``topology`` has refused every other type)
    to a neuron, a linear node or a top Input."""
    while True:
        kind = type(flat.nodes[name]).__name__
        if name in top_inputs or kind in NEURON_TYPES or kind in LINEAR:
            return name
        preds = flat.preds(name)
        if len(preds) != 1:
            raise _refuse(f"node '{name}' sums {len(preds)} inputs (a skip connection); Xylo has one path per layer")
        name = preds[0]


def topology(flat: FlatGraph) -> dict:
    """``{"input", "hidden", "output", "w_in", "w_rec", "w_out"}``: node names of the mapped parts
    of the flattened graph."""
    top_inputs = set(flat.inputs)
    if len(top_inputs) != 1:
        raise _refuse(f"the graph has {len(top_inputs)} inputs; Xylo takes one input stream")
    for name, node in flat.nodes.items():
        kind = type(node).__name__
        if kind not in (*PASS, *LINEAR, *NEURON_TYPES):
            if kind in kinds.CONVS or kind in kinds.POOLS:
                raise _refuse(f"node '{name}' is a {kind}; Xylo has dense weights only")
            raise UnsupportedPrimitiveError(name, kind, (*PASS, *LINEAR, *NEURON_TYPES), where="xylo-imu")
    neurons = [n for n, node in flat.nodes.items() if type(node).__name__ in NEURON_TYPES]
    if len(neurons) not in (1, 2):
        raise _refuse(
            f"the graph has {len(neurons)} neuron layer(s) ({', '.join(repr(n) for n in neurons) or 'none'}); "
            "Xylo maps one hidden layer (recurrent or not) and one output layer (or one layer, read out by relays)"
        )
    feeds: dict[str, list[tuple[str, str]]] = {}
    for neuron in neurons:
        feeds[neuron] = []
        for pred in flat.preds(neuron):
            linear = _source(flat, pred, top_inputs)
            if type(flat.nodes[linear]).__name__ not in LINEAR:
                raise _refuse(f"'{linear}' drives neuron '{neuron}' without weights between them")
            origin = _source(flat, _single(flat, linear), top_inputs)
            feeds[neuron].append((linear, origin))
    (inp,) = top_inputs
    hidden = [n for n in neurons if any(o == inp for _, o in feeds[n])]
    if len(hidden) != 1:
        raise _refuse("exactly one neuron layer must be fed by the input")
    hidden = hidden[0]
    output = next((n for n in neurons if n != hidden), None)  # None: one layer, read out through relays
    parts = {"input": inp, "hidden": hidden, "output": output, "w_rec": None, "w_out": None}
    for linear, origin in feeds[hidden]:
        key = "w_in" if origin == inp else "w_rec" if origin == hidden else None
        if key is None or parts.get(key):
            raise _refuse(f"'{linear}' feeds the hidden layer from '{origin}'; it takes the input and itself only")
        parts[key] = linear
    if output is None:
        return parts
    if [o for _, o in feeds[output]] != [hidden]:
        raise _refuse(f"the output layer '{output}' must be fed by the hidden layer only (no recurrence, no skip)")
    parts["w_out"] = feeds[output][0][0]
    return parts


def _single(flat, name: str) -> str:
    preds = flat.preds(name)
    if len(preds) != 1:
        raise _refuse(f"node '{name}' sums {len(preds)} inputs; Xylo has one path per layer")
    return preds[0]


def _vector(value) -> np.ndarray:
    return np.asarray(value, np.float64).reshape(-1)


def _neuron_grid(node, dt: float):
    """(dash_mem, dash_syn, gain applied to incoming weights, bias gain, θ) per neuron."""
    theta = _vector(node.v_threshold)
    if isinstance(node, nir.CubaLIF):
        a_s, a_m = dt / _vector(node.tau_syn), dt / _vector(node.tau_mem)
        g = a_m * _vector(node.r)
        ds = dash_of(1.0 - a_s)
        alpha = keep_of(ds)
        return dash_of(1.0 - a_m), ds, g * a_s * _vector(node.w_in) / alpha, g * _vector(node.w_in), theta
    a = dt / _vector(node.tau)
    g = a * _vector(node.r)
    return dash_of(1.0 - a), np.ones_like(a, np.int64), g, g, theta


def _bias(node, n: int) -> np.ndarray:
    """An Affine's bias (zeros for a Linear), as ``n`` floats."""
    return _vector(node.bias) if isinstance(node, nir.Affine) else np.zeros(n)


def lower(graph: nir.NIRGraph) -> XyloSpec:
    """The Xylo specification of ``graph`` (see the module docstring); ConstraintViolation when it does not fit."""
    flat = flatten(graph)
    parts = topology(flat)
    dt = float(graph_settings(graph)["dt"])
    w_in = np.asarray(flat.nodes[parts["w_in"]].weight, np.float64)  # [H, C]
    relay = parts["output"] is None
    w_out = np.eye(w_in.shape[0]) if relay else np.asarray(flat.nodes[parts["w_out"]].weight, np.float64)  # [O, H]
    n_hid, n_in = w_in.shape
    n_out = w_out.shape[0]
    output_name = f"relays of '{parts['hidden']}'" if relay else f"the output layer '{parts['output']}'"
    for what, n, where in (
        ("inputs", n_in, f"input channels into '{parts['w_in']}'"),
        ("hidden", n_hid, f"neurons in the hidden layer '{parts['hidden']}'"),
        ("outputs", n_out, f"neurons in {output_name}"),
    ):
        if n > LIMITS[what]:
            raise ConstraintViolation(f"xylo-imu has at most {LIMITS[what]} {what}; the model has {n} {where}")
    if n_hid > LIMITS["input_fed"] or n_hid > LIMITS["output_feeding"]:
        raise ConstraintViolation(
            f"xylo-imu feeds at most {LIMITS['input_fed']} hidden neurons from the inputs "
            f"and reads at most {LIMITS['output_feeding']} into the outputs; the hidden layer "
            f"'{parts['hidden']}' has {n_hid}"
        )
    w_rec = np.zeros((n_hid, n_hid)) if parts["w_rec"] is None else np.asarray(flat.nodes[parts["w_rec"]].weight)
    hid = flat.nodes[parts["hidden"]]
    dm, ds, gain, bgain, theta = (np.broadcast_to(v, (n_hid,)) for v in _neuron_grid(hid, dt))
    eff_in, eff_rec = w_in * gain[:, None], np.asarray(w_rec, np.float64) * gain[:, None]
    b_in = _bias(flat.nodes[parts["w_in"]], n_hid)
    lam = row_scale(np.concatenate([eff_in, eff_rec], axis=1), theta, b_in * bgain)
    scaled = {
        "weights_in": (eff_in * lam[:, None], 8),
        "weights_rec": (eff_rec * lam[:, None], 8),
        "threshold": (theta * lam, 16),
        "bias": (b_in * bgain * lam, 16),
    }
    if relay:
        out = RELAY | {"weights_out": RELAY_WEIGHT * np.eye(n_hid, dtype=np.int64)}
        out = {k: np.broadcast_to(v, (n_out,)).astype(np.int64) if np.ndim(v) == 0 else v for k, v in out.items()}
        lam_o = np.ones(n_out)
    else:
        node_o = flat.nodes[parts["output"]]
        dm_o, ds_o, gain_o, bgain_o, theta_o = (np.broadcast_to(v, (n_out,)) for v in _neuron_grid(node_o, dt))
        eff_out, b_out = w_out * gain_o[:, None], _bias(flat.nodes[parts["w_out"]], n_out)
        lam_o = row_scale(eff_out, theta_o, b_out * bgain_o)
        scaled |= {
            "weights_out": (eff_out * lam_o[:, None], 8),
            "threshold_out": (theta_o * lam_o, 16),
            "bias_out": (b_out * bgain_o * lam_o, 16),
        }
        out = {"dash_mem_out": dm_o.astype(np.int64), "dash_syn_out": ds_o.astype(np.int64)}
    ints = {k: (_int8(v) if bits == 8 else _int16(v)) for k, (v, bits) in scaled.items()}
    out = {**{k: ints[k] for k in ("weights_out", "threshold_out", "bias_out") if k in ints}, **out}
    return XyloSpec(
        weights_in=ints["weights_in"].T,
        weights_rec=ints["weights_rec"].T,
        weights_out=out["weights_out"].T,
        dash_mem=dm.astype(np.int64),
        dash_syn=ds.astype(np.int64),
        threshold=ints["threshold"],
        bias=ints["bias"],
        dash_mem_out=out["dash_mem_out"],
        dash_syn_out=out["dash_syn_out"],
        threshold_out=out["threshold_out"],
        bias_out=out["bias_out"],
        dt=dt,
        meta={
            "hidden": parts["hidden"],
            "output": parts["output"],
            "nodes": parts,
            "scale_hidden": lam.tolist(),
            "scale_output": lam_o.tolist(),
            "relay_outputs": relay,
            "grid": grid_report({k: v for k, (v, _) in scaled.items()}, ints),
        },
    )


#: a one-layer graph is read out through one relay output neuron per neuron (Xylo's outputs are
#: fed by hidden neurons only): weight 127 from its neuron, Isyn and Vmem halving each step,
#: threshold 64, so one hidden spike makes one output spike one step later (bursts can merge)
RELAY_WEIGHT = 127
RELAY = {"dash_mem_out": 1, "dash_syn_out": 1, "threshold_out": 64, "bias_out": 0}


def grid_report(scaled: dict[str, np.ndarray], ints: dict[str, np.ndarray]) -> dict[str, float]:
    """How far the scaled float values were from the integers they became: ``off_grid`` values
    (more than 1e-3 of a step from an integer: rounded), ``clipped`` (beyond int8 / int16),
    ``max_step_err`` (largest |rounded - scaled| in steps, clipping included), of ``values``."""
    values = off = clipped = 0
    worst = 0.0
    for key, x in scaled.items():
        x = np.asarray(x, np.float64)
        err = np.abs(ints[key] - x)
        values += x.size
        off += int(np.count_nonzero(np.abs(x - np.rint(x)) > 1e-3))
        clipped += int(np.count_nonzero(np.abs(ints[key] - np.rint(x)) > 0))
        worst = max(worst, float(err.max(initial=0.0)))
    return {"values": values, "off_grid": off, "clipped": clipped, "max_step_err": worst}


def _int8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), -128, 127).astype(np.int64)


def _int16(x) -> np.ndarray:
    return np.clip(np.rint(np.asarray(x, np.float64)), -(2**15), 2**15 - 1).astype(np.int64)
