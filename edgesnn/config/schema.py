"""Profile and Target schemas (DESIGN §4).

A **profile** is what the application can afford (dt, timestep budget, memory, energy,
firing-rate band). A **target** is where the model runs (backend, numerics, supported NIR
primitives, energy cost table). Both are plain typed records; unknown keys are errors.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(_Strict):
    """Each limit is a check ``slack = value - limit`` (``limit - value`` for minimums); slack <= 0 is feasible."""

    max_timesteps: PositiveInt | None = None
    max_latency_ms: PositiveFloat | None = Field(
        default=None, description="time budget of one decision, T · dt_s · 1000 ms (a timestep budget in time units)"
    )
    max_param_bytes: PositiveInt | None = None
    max_state_bytes: PositiveInt | None = None
    max_energy_uj: PositiveFloat | None = None
    #: SNN energy / ANN-twin energy, like for like (memory counted, each on its device): below 1 the SNN is cheaper
    max_energy_vs_ann: PositiveFloat | None = None
    max_mean_firing_rate: float | None = Field(default=None, gt=0, le=1)
    min_mean_firing_rate: float | None = Field(default=None, ge=0, lt=1)

    @model_validator(mode="after")
    def _band(self) -> Limits:
        lo, hi = self.min_mean_firing_rate, self.max_mean_firing_rate
        if lo is not None and hi is not None and lo >= hi:
            raise ValueError(f"min_mean_firing_rate {lo} must be below max_mean_firing_rate {hi}")
        return self


class Profile(_Strict):
    name: str
    description: str = ""
    dt_s: PositiveFloat = Field(description="simulation time step in seconds")
    timesteps: PositiveInt | None = Field(
        default=None, description="timesteps used for training; default: limits.max_timesteps or 25"
    )
    limits: Limits = Limits()
    default_target: str = "onnx-cpu"
    #: the device (``devices/``) an ANN for this application would otherwise run on: its twin is
    #: priced there (``--ann-baseline`` overrides; a target's own ``ann_baseline`` comes first)
    ann_baseline: str | None = None

    @property
    def step_budget(self) -> int | None:
        """The most steps the limits allow: ``min(max_timesteps, floor(max_latency_ms / (1000·dt_s)))``
        over the limits that are set (None: no budget)."""
        caps = [self.limits.max_timesteps] if self.limits.max_timesteps else []
        if self.limits.max_latency_ms:
            caps.append(int(self.limits.max_latency_ms / (1000.0 * self.dt_s) + 1e-9))
        return min(caps) if caps else None

    @property
    def default_timesteps(self) -> int:
        """T for a static input (a time series runs its own frames): ``timesteps``, else the step
        budget, else 25."""
        return self.timesteps or self.step_budget or 25

    def latency_ms(self, timesteps: int) -> float:
        """Time one decision of ``timesteps`` steps takes at this profile's dt."""
        return float(timesteps) * self.dt_s * 1000.0

    @model_validator(mode="after")
    def _timesteps_within_budget(self) -> Profile:
        cap = self.step_budget
        if self.limits.max_latency_ms and cap is not None and cap < 1:
            raise ValueError(
                f"limits.max_latency_ms {self.limits.max_latency_ms} is shorter than one step (dt_s {self.dt_s} s)"
            )
        if self.timesteps and cap and self.timesteps > cap:
            raise ValueError(
                f"timesteps {self.timesteps} exceeds the step budget {cap} "
                "(limits.max_timesteps / max_latency_ms at dt_s)"
            )
        return self


class EnergyConstant(_Strict):
    value: float = Field(ge=0, description="picojoules")
    source: str = Field(min_length=3)


class EnergyTable(_Strict):
    """A named cost table. ``constants`` keys end in ``_pj``; each carries its source."""

    table: str
    covers: str
    omits: str
    constants: dict[str, EnergyConstant]

    def pj(self, key: str) -> float:
        from ..errors import ConfigError

        if key not in self.constants:
            raise ConfigError(
                f"energy table '{self.table}' has no constant '{key}' (has: {', '.join(sorted(self.constants))}); "
                "add it to the target YAML"
            )
        return self.constants[key].value


class Numerics(_Strict):
    weight_bits: Literal[4, 8, 16, 32] = 32
    state_bits: PositiveInt = 32
    reset: Literal["zero", "subtract"] = "zero"
    decay_bits: PositiveInt | None = None
    #: a scheme of ``edgesnn.numerics.SCHEMES`` (checked at load, with the backend)
    quantize: str = "none"


class Target(_Strict):
    name: str
    description: str = ""
    #: a registered backend (``edgesnn.backends.backend_names()``; checked at load)
    backend: str = Field(min_length=1)
    runtime: dict[str, str | int | float | bool] = {}
    numerics: Numerics = Numerics()
    supports: list[str]
    parity_tolerance: float = Field(default=0.0, ge=0, le=1, description="max fraction of differing spikes")
    max_memory_bytes: PositiveInt | None = None
    energy: EnergyTable
    ann_energy: EnergyTable | None = None
    #: the device (``devices/``) that prices this target's SNN with memory included (like-for-like energy)
    device: str | None = None
    #: the device its ANN twin is compared against (default: the profile's ``ann_baseline``)
    ann_baseline: str | None = None

    @property
    def weight_bytes(self) -> float:
        return self.numerics.weight_bits / 8
