"""NIR neuron node -> parameters of a Lava ``LIF`` population (the neuron half of the lowering table).

Lava's LIF (``lava.proc.lif``, floating point) does, per step::

    u <- u (1 - du) + a_in ;  v <- v (1 - dv) + u + bias ;  s = v > vth ;  v <- 0 where s

with **one** ``du``, ``dv`` and ``vth`` per population and a per-neuron ``bias``. The
reference simulator (``edgesnn.nir.simulator``) discretises NIR with forward Euler at ``dt``.
Each mapping below is exact in real arithmetic; it works on the *normalised* voltage

    v' = (v - v_reset) / theta,    theta = v_threshold - v_reset > 0

so the per-neuron threshold becomes Lava's shared ``vth = 1`` and NIR's reset to ``v_reset``
becomes Lava's reset to 0 (``v_reset`` must be 0, see the end). Reset modes "subtract"
(``v <- v - v_th``, i.e. ``v' <- v' - 1``) and "none", and the IF's ``v >= v_th``, are the
``EdgeLIF`` process of ``procs/neuron.py`` (Lava's LIF with those two rules changed). ``gain`` (per neuron) multiplies the incoming synaptic weights and
biases (folded into the Dense/Conv weights by ``lower.py``).

* **LIF** (``alpha = dt/tau``): ``v <- v + alpha (v_leak - v + r I)`` becomes
  ``v' <- v'(1 - alpha) + alpha r I / theta + alpha (v_leak - v_reset)/theta``, so
  ``du = 1`` (``u = a_in``: no synaptic filter), ``dv = alpha``, ``gain = alpha r / theta``,
  ``bias = alpha (v_leak - v_reset) / theta``.
  snnTorch's ``Leaky`` (``v <- beta v + I``) is exported with ``tau = dt/(1-beta)``,
  ``r = tau/dt``: then ``alpha = 1 - beta``, ``alpha r = 1``, i.e. ``dv = 1 - beta`` and
  ``gain = 1/threshold``: Lava's ``v <- v(1-dv) + u`` *is* snnTorch's ``v <- beta v + I``.
* **CubaLIF** (``beta_s = dt/tau_syn``, ``alpha = dt/tau_mem``): with
  ``u = alpha r I_syn / theta``, ``I_syn <- I_syn + beta_s(-I_syn + w_in x)`` becomes
  ``u <- u(1 - beta_s) + gain x``: ``du = beta_s``, ``dv = alpha``,
  ``gain = alpha r beta_s w_in / theta``, ``bias = alpha (v_leak - v_reset)/theta``. An Affine
  bias upstream is a constant input to ``u`` (not ``v``), so it enters through a Dense from a
  constant 'ones' source (``bias_u``).
* **IF**: the simulator integrates ``v <- v + r I`` (Sinabs-compatible, no ``dt``) and spikes
  on ``v >= v_th`` with the graph's IF reset (default "subtract"): ``du = 1``, ``dv = 0``,
  ``gain = r / theta``, ``bias = 0``, ``inclusive = True``.
* **LI / CubaLI** readouts: as LIF / CubaLIF with ``theta = 1``, ``v_reset = 0`` and a
  threshold that is never reached (``vth = 1e30``; 2**17-1 in fixed point); their membrane
  ``v`` is recorded (``v = v'``).

Lava starts and resets every neuron at ``v' = 0``, i.e. ``v = v_reset``; the simulator starts
at ``v = 0``. Both agree only when ``v_reset = 0``, so a non-zero ``v_reset`` is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...errors import UnsupportedPrimitiveError

READOUT_VTH = 1e30


@dataclass
class NeuronParams:
    du: float
    dv: float
    gain: np.ndarray
    bias: np.ndarray
    v_scale: np.ndarray
    v_offset: np.ndarray
    vth: float = 1.0
    readout: bool = False
    bias_into_u: bool = False
    reset: str = "zero"
    inclusive: bool = False


def _arr(node, attr: str, shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.asarray(getattr(node, attr), dtype=np.float64), shape).copy()


def _shared(name: str, node_type: str, values: np.ndarray, what: str) -> float:
    """Lava shares ``du``/``dv`` across a population: every neuron must have the same value."""
    flat = values.ravel()
    if not np.allclose(flat, flat[0], rtol=1e-6, atol=0):
        raise UnsupportedPrimitiveError(
            name,
            node_type,
            ["LIF/CubaLIF/LI/CubaLI with one time constant per node"],
            where=f"Lava backend ({what} differs across neurons: {flat.min():.4g}..{flat.max():.4g}; "
            "Lava's LIF has one decay per population)",
        )
    return float(flat[0])


def _theta(name: str, node, shape) -> tuple[np.ndarray, np.ndarray]:
    v_reset = _arr(node, "v_reset", shape) if getattr(node, "v_reset", None) is not None else np.zeros(shape)
    theta = _arr(node, "v_threshold", shape) - v_reset
    if np.any(v_reset != 0) or np.any(theta <= 0):
        raise UnsupportedPrimitiveError(
            name,
            type(node).__name__,
            ["neurons with v_reset = 0 < v_threshold"],
            where="Lava backend (Lava starts and resets neurons at 0)",
        )
    return theta, v_reset


def lif(name: str, node, shape, dt: float, reset: str = "zero") -> NeuronParams:
    theta, v_reset = _theta(name, node, shape)
    alpha = dt / _arr(node, "tau", shape)
    dv = _shared(name, "LIF", alpha, "dt/tau")
    gain = alpha * _arr(node, "r", shape) / theta
    bias = alpha * (_arr(node, "v_leak", shape) - v_reset) / theta
    return NeuronParams(1.0, dv, gain, bias, theta, v_reset, reset=reset)


def cuba_lif(name: str, node, shape, dt: float, reset: str = "zero", readout: bool = False) -> NeuronParams:
    if readout:
        theta, v_reset = np.ones(shape), np.zeros(shape)
    else:
        theta, v_reset = _theta(name, node, shape)
    alpha = dt / _arr(node, "tau_mem", shape)
    beta = dt / _arr(node, "tau_syn", shape)
    dv = _shared(name, type(node).__name__, alpha, "dt/tau_mem")
    du = _shared(name, type(node).__name__, beta, "dt/tau_syn")
    w_in = _arr(node, "w_in", shape) if getattr(node, "w_in", None) is not None else np.ones(shape)
    gain = alpha * _arr(node, "r", shape) * beta * w_in / theta
    bias = alpha * (_arr(node, "v_leak", shape) - v_reset) / theta
    vth = READOUT_VTH if readout else 1.0
    return NeuronParams(
        du, dv, gain, bias, theta, v_reset, vth, readout, bias_into_u=du != 1.0, reset="none" if readout else reset
    )


def if_(name: str, node, shape, dt: float, reset: str = "subtract") -> NeuronParams:
    theta, v_reset = _theta(name, node, shape)
    return NeuronParams(
        1.0, 0.0, _arr(node, "r", shape) / theta, np.zeros(shape), theta, v_reset, reset=reset, inclusive=True
    )


def li(name: str, node, shape, dt: float, reset: str = "none") -> NeuronParams:
    alpha = dt / _arr(node, "tau", shape)
    dv = _shared(name, "LI", alpha, "dt/tau")
    gain = alpha * _arr(node, "r", shape)
    bias = alpha * _arr(node, "v_leak", shape)
    return NeuronParams(1.0, dv, gain, bias, np.ones(shape), np.zeros(shape), READOUT_VTH, True, reset="none")


def cuba_li(name: str, node, shape, dt: float, reset: str = "none") -> NeuronParams:
    return cuba_lif(name, node, shape, dt, readout=True)


#: NIR neuron type -> params function (name, node, NIR shape, dt, reset) -> NeuronParams
NEURONS: dict[str, Callable[..., NeuronParams]] = {
    "LIF": lif,
    "CubaLIF": cuba_lif,
    "IF": if_,
    "LI": li,
    "CubaLI": cuba_li,
}
