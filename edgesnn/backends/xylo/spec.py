"""A Xylo IMU network specification: the integers the chip (and ``XyloSim``) runs, and its file.

The arrays are exactly the keyword arguments of Rockpool's
``XyloSim.from_specification(**spec)`` (Rockpool 3.1, ``devices.xylo.syns63300``)::

    weights_in   int8  [Nin, IEN]   input channel -> the first IEN hidden neurons
    weights_rec  int8  [N, N]       hidden -> hidden, delivered one step later
    weights_out  int8  [OEN, Nout]  the last OEN hidden neurons -> output neurons (one step later)
    dash_mem, dash_syn          uint8 [N]     decays 1 - 2^-dash of membrane and synaptic current
    threshold, bias             int16 [N]
    dash_mem_out, dash_syn_out  uint8 [Nout]
    threshold_out, bias_out     int16 [Nout]
    weight_shift_in/rec/out     int   (weights are used as w << shift)
    dt                          float (seconds)

``model.xylo.npz`` holds them (plus ``__meta__``: a JSON string naming the NIR nodes each part
came from), so ``XyloSim.from_specification(**{k: v for k, v in np.load(f).items() if not
k.startswith("__")})`` rebuilds the network without edgesnn.

The chip's limits (SYNS63300; Rockpool's mapper and ``config_from_specification``): ≤ 16 input
channels, ≤ 496 hidden neurons, ≤ 16 outputs, ≤ 128 hidden neurons fed by the inputs (IEN) and
≤ 128 feeding the outputs (OEN), one synapse per neuron, dash 0..15.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ArtifactError
from ...runner.xylo import ARRAYS, SCALARS

LIMITS = {"inputs": 16, "hidden": 496, "outputs": 16, "input_fed": 128, "output_feeding": 128}


@dataclass
class XyloSpec:
    weights_in: np.ndarray
    weights_rec: np.ndarray
    weights_out: np.ndarray
    dash_mem: np.ndarray
    dash_syn: np.ndarray
    threshold: np.ndarray
    bias: np.ndarray
    dash_mem_out: np.ndarray
    dash_syn_out: np.ndarray
    threshold_out: np.ndarray
    bias_out: np.ndarray
    weight_shift_in: int = 0
    weight_shift_rec: int = 0
    weight_shift_out: int = 0
    dt: float = 1e-3
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(inputs, hidden, outputs)."""
        return self.weights_in.shape[0], self.weights_rec.shape[0], self.weights_out.shape[1]

    def records(self, hidden: np.ndarray, output: np.ndarray) -> dict[str, np.ndarray]:
        """Spike counts ``[T, B, n]`` keyed by the NIR neuron nodes they came from."""
        records = {self.meta.get("hidden", "hidden"): hidden}
        if self.meta.get("output", "output") is not None:  # relays of a one-layer graph are no NIR node
            records[self.meta.get("output", "output")] = output.copy()
        return records

    def kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``XyloSim.from_specification`` (plain Python ints where it wants them)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "meta"}
        for key in ("weight_shift_in", "weight_shift_rec", "weight_shift_out"):
            out[key] = int(out[key])
        out["dt"] = float(out["dt"])
        return out

    def save(self, path: Path) -> Path:
        arrays = {k: np.asarray(v) for k, v in self.kwargs().items()}
        with open(path, "wb") as f:
            np.savez(f, __meta__=np.array(json.dumps(self.meta)), **arrays)
        return Path(path)

    @classmethod
    def load(cls, path: Path) -> XyloSpec:
        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"'{path}' is not a Xylo specification file ({exc})") from None
        names = {*ARRAYS, *SCALARS}
        missing = sorted(names - set(data))
        if missing:
            raise ArtifactError(f"'{path}' lacks {', '.join(missing)}; not a Xylo specification written by edgesnn")
        meta = json.loads(str(data.pop("__meta__"))) if "__meta__" in data else {}
        values = {k: (data[k].item() if k in SCALARS else data[k].astype(np.int64)) for k in names}
        return cls(**values, meta=meta)
