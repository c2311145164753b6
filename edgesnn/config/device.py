"""A device's energy costs, as data with sources: what one operation and one memory access cost.

A **device** file (``devices/<name>.yaml``, or a YAML path) prices the operations the
like-for-like energy model counts (``edgesnn/metrics/like_for_like.py``), each constant with
its source, and says what it covers and omits:

    e_synop_pj           one synaptic event: a weight accumulated into a neuron's input
    e_neuron_update_pj   one neuron and step: leak and integrate
    e_spike_pj           one spike leaving a neuron (routing)
    e_mac_pj             one multiply-accumulate of the ANN twin

Memory is priced one of two ways. ``memory_included: true`` says the operation costs above
already contain their memory traffic (Loihi's synaptic op reads its synapse; a microcontroller's
cycles include its loads) and names why in ``covers``. Otherwise ``memory`` lists SRAM levels
``{max_bytes, read_pj, write_pj, source}``: an access to a structure of ``n`` bytes costs the
smallest level that holds ``n`` (the largest level beyond it). A device with neither is refused:
an estimate that silently leaves memory out is the mistake this model exists to avoid.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, PositiveInt, model_validator

from .schema import EnergyConstant, _Strict

SYNOP, UPDATE, SPIKE, MAC = "e_synop_pj", "e_neuron_update_pj", "e_spike_pj", "e_mac_pj"


class MemoryLevel(_Strict):
    max_bytes: PositiveInt
    read_pj: NonNegativeFloat
    write_pj: NonNegativeFloat
    source: str = Field(min_length=3)


class Device(_Strict):
    name: str
    description: str = ""
    kind: Literal["neuromorphic", "mcu", "accelerator", "cpu"]
    covers: str = Field(min_length=3)
    omits: str = Field(min_length=3)
    constants: dict[str, EnergyConstant]
    #: operand width of its arithmetic (an ANN twin priced here moves ``bits``-wide weights and activations)
    bits: PositiveInt = 8
    memory_included: bool = False
    memory: list[MemoryLevel] = []
    #: width of one SRAM access in ``memory``: moving ``b`` bits costs ``b / word_bits`` accesses
    word_bits: PositiveInt = 64

    @model_validator(mode="after")
    def _memory_priced(self) -> Device:
        if not self.memory_included and not self.memory:
            raise ValueError(
                "memory is not priced: list SRAM levels under 'memory' or set 'memory_included: true' "
                "when the operation costs contain their memory traffic (say so in 'covers')"
            )
        sizes = [m.max_bytes for m in self.memory]
        if sizes != sorted(set(sizes)):
            raise ValueError("memory levels must be listed by increasing max_bytes, each size once")
        return self

    def pj(self, key: str) -> float:
        """The constant ``key``; ConfigError naming the device and the key when it is missing."""
        from ..errors import ConfigError

        if key not in self.constants:
            raise ConfigError(
                f"device '{self.name}' has no constant '{key}' (has: {', '.join(sorted(self.constants))}); "
                "add it with its source to the device YAML"
            )
        return self.constants[key].value

    def access_pj(self, size_bytes: float, bits: float, write: bool = False) -> float:
        """Moving one ``bits``-wide value of a structure of ``size_bytes``: ``bits / word_bits`` of an
        access of the smallest level that holds the structure; 0 when memory is in the operation costs."""
        if self.memory_included:
            return 0.0
        level = next((m for m in self.memory if size_bytes <= m.max_bytes), self.memory[-1])
        return (level.write_pj if write else level.read_pj) * bits / self.word_bits

    def table(self) -> dict:
        """What the report shows: name, covers, omits, constants with sources, memory levels."""
        return {
            "device": self.name,
            "kind": self.kind,
            "covers": self.covers,
            "omits": self.omits,
            "constants": {k: {"value_pj": c.value, "source": c.source} for k, c in self.constants.items()},
            "bits": self.bits,
            "memory": "included in the operation costs"
            if self.memory_included
            else {"word_bits": self.word_bits, "levels": [m.model_dump() for m in self.memory]},
        }
