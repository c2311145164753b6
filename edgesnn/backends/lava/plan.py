"""The Lava build plan: plain numpy records between NIR lowering and Lava process construction.

A ``Plan`` holds everything needed to instantiate lava-nc processes, in **NIR layout**
(channels-first ``(C, H, W)`` arrays, Dense weights ``(out, in)``, Conv weights
``(out, in/groups, kh, kw)``); ``build.py`` converts to Lava's layout. It has no Lava import,
pickles cheaply into the child process, and is what ``quantize.py`` turns into integers.

Timing model (see ``lower.py``): a unit's **depth** is the number of connection processes
(Dense/Conv) between the input source and it. The source emits sample step ``k`` at Lava
step ``k + 1``; every connection process delays by one step, so a population of depth ``d``
processes simulator step ``k`` of sample ``s`` at Lava step ``s*P + k + 1 + d`` (``P`` = the
sample period) and a sink records it at buffer index ``s*P + k + d``.

Inputs: ``inputs`` maps every NIR Input node to its shape, one ``RingBuffer`` source each
(a multimodal graph has several; every depth counts from the unit's own source, and
``paths.pad`` aligns paths of different depths into a population). ``input_name`` /
``input_shape`` are the first input (the only one of a one-input graph).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Population:
    """One Lava ``LIFReset`` population standing for one NIR neuron node.

    Normalised dynamics (one step, state ``u``, ``v'``, threshold 1, reset to 0)::

        u  <- u (1 - du) + a_in           a_in = gain-folded synaptic input
        v' <- v' (1 - dv) + u + bias
        s  = v' > vth ;  v' <- 0 where s

    ``v_scale``/``v_offset`` map the normalised voltage back: ``v = v_scale * v' + v_offset``.
    """

    name: str
    nir_type: str
    shape: tuple[int, ...]  # NIR layout
    du: float
    dv: float
    vth: float  # 1.0 for spiking neurons, +inf-like for readouts
    bias: np.ndarray  # into v each step, shape == self.shape
    bias_u: np.ndarray | None  # constant into u (CubaLIF affine bias), via the 'ones' source
    v_scale: np.ndarray
    v_offset: np.ndarray
    readout: bool = False
    depth: int = 0
    recurrent: bool = False
    v_unit: float = 1.0  # Lava's v -> v' (fixed point: 1 / (64 vth_int))
    bias_exp: np.ndarray | None = None  # fixed point: bias = bias_mant * 2**bias_exp
    bias_u_exp: int = 0  # fixed point: exponent of the 'ones' Dense
    reset: str = "zero"  # "zero" | "subtract" | "none" (EdgeLIF)
    inclusive: bool = False  # spike on v >= vth (IF)
    gain: np.ndarray | None = None  # per-neuron factor folded into incoming weights (lowering only)
    bias_into_u: bool = False


@dataclass
class Connection:
    """One Lava connection process (``Dense`` or ``Conv``) from ``src`` to ``dst``.

    ``src`` is the name of a population, the input source, the ``ones`` source or another
    connection. ``flatten_src``: the source's multi-dimensional output is flattened (NIR
    C-order) before this Dense. ``bias``: the constant part of this connection's output
    (NIR Affine/Conv bias propagated through later linear ops), shape ``out_shape``.
    """

    name: str
    kind: str  # "dense" | "conv"
    src: str
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    weight: np.ndarray
    bias: np.ndarray
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    flatten_src: bool = False
    graded_in: bool = False  # the input is graded (currents), not spikes
    dst: str | None = None
    depth: int = 0
    weight_exp: int = 0  # fixed point only: effective weight = weight * 2**weight_exp
    out_scale: float = 1.0  # fixed point: integer output units per real unit
    delay: bool = False  # an identity that only delays its source by one step (skip-path alignment)


@dataclass
class Tap:
    """One NIR Output: read ``unit`` at ``depth`` (spikes, membrane ``v`` or graded ``a_out``)."""

    output: str
    unit: str
    kind: str  # "spikes" | "v" | "graded"
    depth: int
    shape: tuple[int, ...]
    bias: np.ndarray | None = None  # added on the host for graded taps


@dataclass
class Plan:
    """A whole network. ``period``: Lava steps per sample (T, or T + 1 with recurrence)."""

    input_name: str
    input_shape: tuple[int, ...]
    inputs: dict[str, tuple[int, ...]] = field(default_factory=dict)  # every Input -> shape (default: the one above)
    populations: dict[str, Population] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    taps: list[Tap] = field(default_factory=list)
    dt: float = 1e-4
    precision: str = "floating_pt"
    input_scale: float = 1.0  # fixed point: input integers = round(x * input_scale), every input
    lanes: int = 1  # copies of the network side by side, one sample each (``lanes.py``)

    def __post_init__(self) -> None:
        if not self.inputs:
            self.inputs = {self.input_name: tuple(self.input_shape)}

    @property
    def max_depth(self) -> int:
        depths = [p.depth for p in self.populations.values()] + [c.depth for c in self.connections.values()]
        return max(depths, default=0)

    @property
    def recurrent(self) -> bool:
        return any(p.recurrent for p in self.populations.values())

    def unit_shape(self, ref: str) -> tuple[int, ...]:
        """Output shape of a population or connection (a graph input otherwise)."""
        if ref in self.populations:
            return self.populations[ref].shape
        if ref in self.connections:
            return self.connections[ref].out_shape
        return self.inputs.get(ref, self.input_shape)

    def depth(self, ref: str) -> int:
        """Connection processes between the input source and ``ref`` (0 for the input)."""
        if ref in self.populations:
            return self.populations[ref].depth
        if ref in self.connections:
            return self.connections[ref].depth
        return 0

    def origin(self, ref: str) -> str:
        """The unit (or non-delay connection) whose values ``ref`` carries, looking through delays."""
        while ref in self.connections and self.connections[ref].delay:
            ref = self.connections[ref].src
        return ref

    def period(self, timesteps: int) -> int:
        """Lava steps per sample: one gap step lets recurrent populations be silenced."""
        return timesteps + 1 if self.recurrent else timesteps
