"""``EdgeLIF``: Lava's ``LIFReset`` with the reset mode and threshold comparison of a NIR graph.

Lava's LIF spikes on ``v > vth`` and sets ``v = 0``. NIR graphs also use subtractive reset
(``v <- v - vth`` where a spike was emitted: Sinabs' IAF, snnTorch's default) or no reset, and
the simulator's IF compares ``v >= vth`` (Sinabs). ``EdgeLIF`` keeps every other line of
Lava's ``LIFReset`` models (same sub-threshold dynamics, same fixed-point arithmetic, same
periodic state reset) and only overrides the spike and reset rules:

* ``reset_mode``: ``"zero"`` (Lava's own), ``"subtract"`` (``v -= vth``; fixed point
  ``v -= vth << 6``), ``"none"``.
* ``inclusive``: spike on ``v >= vth`` instead of ``v > vth``.

Models: ``floating_pt`` (subclass of ``PyLifResetModelFloat``) and ``fixed_pt``
(subclass of ``PyLifResetModelBitAcc``, bit-accurate Loihi arithmetic otherwise).
"""

from __future__ import annotations

import numpy as np
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from lava.proc.lif.models import PyLifResetModelBitAcc, PyLifResetModelFloat
from lava.proc.lif.process import LIFReset


class EdgeLIF(LIFReset):
    """``LIFReset`` plus ``reset_mode`` ("zero" | "subtract" | "none") and ``inclusive`` (>=)."""

    def __init__(self, *, reset_mode: str = "zero", inclusive: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.proc_params["reset_mode"] = reset_mode
        self.proc_params["inclusive"] = bool(inclusive)


class _Rules:
    """Spike and reset rules shared by both precisions; ``_vth()`` is the threshold in state units."""

    def _rules_init(self, proc_params) -> None:
        self.reset_mode = proc_params["reset_mode"]
        self.inclusive = proc_params["inclusive"]

    def spiking_activation(self):
        vth = self._vth()
        return self.v >= vth if self.inclusive else self.v > vth

    def reset_voltage(self, spike_vector: np.ndarray):
        if self.reset_mode == "zero":
            self.v[spike_vector] = 0
        elif self.reset_mode == "subtract":
            self.v[spike_vector] -= self._vth()


@implements(proc=EdgeLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyEdgeLifFloat(_Rules, PyLifResetModelFloat):
    implements_process = None  # let @implements bind the subclass to EdgeLIF

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self._rules_init(proc_params)

    def _vth(self):
        return self.vth


@implements(proc=EdgeLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyEdgeLifFixed(_Rules, PyLifResetModelBitAcc):
    implements_process = None

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self._rules_init(proc_params)

    def _vth(self):
        if not self.isthrscaled:
            self.scale_threshold()
        return self.effective_vth
