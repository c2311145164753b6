"""The analytical Loihi energy checked by simulation: SANA-FE (``sanafe`` 2.2.9) and its Loihi preset.

``edgesnn evaluate EXPORT --energy-sim sanafe`` maps the exported graph onto SANA-FE's Loihi
architecture (``sanafe/examples/loihi.yaml``: 32 tiles × 4 cores, ≤ 1024 neurons per core) and
replays the recorded input spikes of the first ``samples`` test samples, one SANA-FE run of T
steps each. Beside SANA-FE's energy (synapse, soma, network) and simulated time it reports the
analytical estimate for the same samples — the reference simulator's spikes priced on the Loihi
device (``devices/loihi.yaml``, Davies et al. 2018; ``metrics/like_for_like.py``) — and their ratio.

Mapping: the graph Input → a group of SANA-FE ``input`` neurons (``loihi_inputs`` somas) that
emit the recorded spikes; each LIF / CubaLIF → a ``loihi_lif`` group (``leak_decay`` β,
``input_decay`` α for CubaLIF, ``threshold`` θ, ``reset_mode`` hard or soft, ``bias``); each
Affine / Linear between them → dense synapses (``loihi_dense_synapse``) with the weights the
neuron sees (NIR gain folded in). Groups are placed greedily, core after core. What it cannot
express — a conv or pooling layer, a non-spiking readout (LI), graded input values — is refused
in one line naming the layer. SANA-FE delivers a spike one step after it is fired and uses its
own float LIF, so its spike counts are reported beside edgesnn's (they explain part of the ratio).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataError, RuntimeUnavailableError, UnsupportedPrimitiveError, UsageError

INSTALL = "pip install sanafe==2.2.9"
SUPPORTED = {"Input", "Output", "Affine", "Linear", "LIF", "CubaLIF", "Flatten"}


def require_sanafe():
    try:
        import sanafe
    except ImportError as err:
        raise RuntimeUnavailableError(f"SANA-FE is not installed ({err}); install it with `{INSTALL}`") from None
    return sanafe


def _lif_attributes(node, dt: float) -> tuple[dict[str, Any], np.ndarray]:
    """(SANA-FE loihi_lif attributes except bias, the gain NIR puts on the input current)."""
    tau = np.asarray(getattr(node, "tau", getattr(node, "tau_mem", None)), np.float64).reshape(-1)
    beta = 1.0 - dt / tau
    gain = dt * np.asarray(node.r, np.float64).reshape(-1) / tau
    attrs = {"leak_decay": float(beta.mean()), "threshold": float(np.mean(node.v_threshold)), "reset": 0.0}
    if type(node).__name__ == "CubaLIF":
        alpha = 1.0 - dt / np.asarray(node.tau_syn, np.float64).reshape(-1)
        attrs["input_decay"] = float(alpha.mean())
        gain = gain * np.asarray(node.w_in, np.float64).reshape(-1) * dt / np.asarray(node.tau_syn).reshape(-1)
    return attrs, gain


def simulate_energy(graph, x: np.ndarray, samples: int, reset: str = "zero") -> dict[str, Any]:
    """SANA-FE's energy and time per inference for ``x [T, N, n_in]`` (binary spikes), first
    ``samples`` samples; see the module docstring."""
    from ..nir.flat import flatten, order
    from ..nir.graph import graph_settings

    sanafe = require_sanafe()
    fg = flatten(graph)
    for name, node in fg.nodes.items():
        kind = type(node).__name__
        if kind not in SUPPORTED:
            raise UnsupportedPrimitiveError(name, kind, SUPPORTED, where="SANA-FE Loihi mapping")
    if isinstance(x, dict):
        raise UsageError("SANA-FE mapping: a multimodal model (several inputs) is not mapped; drop --energy-sim")
    x = np.asarray(x)
    x = x.reshape(x.shape[0], x.shape[1], -1)
    if not np.isin(x, (0.0, 1.0)).all():
        raise DataError(
            "SANA-FE's input neurons replay spikes; this model's input is graded (a static or direct encoder): "
            "evaluate a model trained with a spike encoder (rate, latency, delta)"
        )
    settings = graph_settings(graph)
    dt = float(settings["dt"])
    seq, back = order(fg)
    arch = sanafe.load_arch(str(Path(sanafe.__file__).parent / "examples" / "loihi.yaml"))
    T, N, n_in = x.shape
    samples = min(samples, N)
    totals: dict[str, float] = {}
    sim_time = spikes = 0.0
    for s in range(samples):
        net, groups, gains = sanafe.Network(), {}, {}
        cores = iter(arch.cores())
        for name in seq:
            node = fg.nodes[name]
            kind = type(node).__name__
            if kind == "Input" and name in fg.inputs:  # a sub-graph's own Input is a port: walked through
                g = net.create_neuron_group(f"in_{name}", n_in)
                for i, neuron in enumerate(g.neurons):
                    neuron.set_attributes(
                        soma_hw_name=f"loihi_inputs[{i % 1024}]",
                        model_attributes={"spikes": [bool(v) for v in x[:, s, i]]},
                    )
                groups[name] = g
            elif kind in ("LIF", "CubaLIF"):
                attrs, gains[name] = _lif_attributes(node, dt)
                attrs["reset_mode"] = "soft" if reset == "subtract" else "hard"
                n = int(np.asarray(node.v_threshold).size)
                groups[name] = net.create_neuron_group(
                    f"lif_{name}", n, model_attributes=attrs, soma_hw_name="loihi_lif"
                )
        for name, node in fg.nodes.items():
            if type(node).__name__ not in ("Affine", "Linear"):
                continue
            src = _neuron_source(fg, name, groups)
            dst = _neuron_target(fg, name, groups)
            w = np.asarray(node.weight, np.float64) * gains[dst][:, None]
            groups[src].connect_neurons_dense(groups[dst], {"weight": w.T.reshape(-1).tolist()})
            if type(node).__name__ == "Affine" and np.any(node.bias):
                for i, neuron in enumerate(groups[dst].neurons):
                    neuron.set_attributes(model_attributes={"bias": float(node.bias[i] * gains[dst][i])})
        _place(list(groups.values()), cores)
        chip = sanafe.SpikingChip(arch)
        chip.load(net)
        with _quiet_stdout():  # SANA-FE's C++ prints its progress on stdout (keep --json clean)
            res = chip.sim(T)
        for k, v in res["energy"].items():
            totals[k] = totals.get(k, 0.0) + float(v)
        sim_time += float(res["sim_time"])
        spikes += float(res.get("neurons_fired", 0))
    return {
        "simulator": "SANA-FE 2.2.9, Loihi preset (sanafe/examples/loihi.yaml)",
        "samples": samples,
        "energy_uj": {k: v / samples * 1e6 for k, v in totals.items()},
        "time_s": sim_time / samples,
        "neurons_fired": spikes / samples,
    }


@contextmanager
def _quiet_stdout():
    """File descriptor 1 sent to /dev/null for the duration (C++ output included)."""
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


def _place(groups: list, cores, per_core: int = 1024) -> None:
    """Greedy placement: each group from a fresh core, ``per_core`` neurons per core."""
    for group in groups:
        used = per_core
        for neuron in group.neurons:
            if used == per_core:
                core, used = next(cores), 0
            neuron.map_to_core(core)
            used += 1


def _neuron_source(fg, name: str, groups: dict) -> str:
    """The Input or neuron node feeding synaptic node ``name`` (through identities)."""
    prev = [a for a, b in fg.edges if b == name]
    while prev and prev[0] not in groups:
        prev = [a for a, b in fg.edges if b == prev[0]]
    if not prev:
        raise UsageError(f"SANA-FE mapping: layer '{name}' is not fed by an input or a neuron layer")
    return prev[0]


def _neuron_target(fg, name: str, groups: dict) -> str:
    nxt = [b for a, b in fg.edges if a == name]
    while nxt and nxt[0] not in groups:
        nxt = [b for a, b in fg.edges if a == nxt[0]]
    if not nxt:
        raise UsageError(
            f"SANA-FE mapping: layer '{name}' feeds no spiking neuron layer (a non-spiking readout cannot be mapped)"
        )
    return nxt[0]


SIMULATORS = ("sanafe",)


def cross_check(graph, x, reset: str, samples: int = 16) -> dict[str, Any]:
    """SANA-FE's figures for the first ``samples`` samples of ``x`` beside edgesnn's analytical
    estimate of the same samples (the reference simulator's spikes priced on ``loihi`` and on
    ``sanafe-loihi``, SANA-FE's own constants) and the ratios simulated / analytical."""
    from ..config.loader import load_device
    from ..config.schema import Target
    from ..metrics import measure
    from ..metrics.like_for_like import counts_from, snn_cost
    from ..nir import simulate

    sim = simulate_energy(graph, x, samples, reset)
    n = sim["samples"]
    xs = np.asarray(x)[:, :n]
    run = simulate(graph, xs, record=True)
    stub = Target(name="sanafe-check", backend="nir", supports=["Input"], energy=_zero_table())  # measure() needs one
    a = measure(graph, xs, run.records, stub)
    c = counts_from(graph, a, 8, passes=1)
    total = sum(sim["energy_uj"].get(k, 0.0) for k in ("synapse", "dendrite", "soma", "network"))
    analytical = {name: snn_cost(c, load_device(name), 8, 24).total_uj for name in ("loihi", "sanafe-loihi")}
    return {
        **sim,
        "energy_total_uj": total,
        "spikes_edgesnn": float(a.spikes_total),
        "analytical_uj": analytical,
        "simulated_over_analytical": {k: (total / v if v > 0 else None) for k, v in analytical.items()},
    }


def _zero_table():
    """A cost table pricing nothing: ``measure`` is used here for its counts only."""
    from ..config.schema import EnergyConstant, EnergyTable

    zero = EnergyConstant(value=0.0, source="not priced: counts only")
    return EnergyTable(
        table="counts-only",
        covers="counts only",
        omits="everything",
        constants={"e_synop_pj": zero, "e_neuron_update_pj": zero, "e_spike_pj": zero},
    )
