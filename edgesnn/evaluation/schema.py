"""The report's measured sections — memory, activity, energy, latency — declared once.

Each line is one quantity (:class:`~edgesnn.evaluation.fields.Field`: key, type, unit,
meaning, and how it is shown). From these tuples come the ``Memory`` / ``Activity`` /
``Energy`` / ``Latency`` dataclasses and so the order of report.json's keys, the summary rows
of report.md / report.html / the terminal, the per-layer table's columns and the field table
of docs/report-schema.md (``python -m edgesnn.evaluation.schema_doc docs/report-schema.md``).
Adding a metric is one line here plus the code that measures it (``evaluation.core``);
a field is appended at the end of its section so positional construction keeps working.

Every figure is per inference (one test sample of T steps, averaged over the split) unless
its name says ``total``; energies in µJ; memory in bytes; times in seconds.
"""

from __future__ import annotations

from typing import Any

from .fields import Field, Section

MEMORY = Section(
    "memory",
    "Memory",
    "Weights at the target's precision, neuron state, peak single activation buffer (bytes).",
    (
        Field("weight_bits", int, "bit", "the target's weight precision"),
        Field(
            "weight_bytes",
            float,
            "B",
            "weights + biases at `weight_bits`",
            label="weight memory ({memory.weight_bits}-bit)",
            fmt="g",
        ),
        Field("state_bits", int, "bit", "the target's neuron-state precision"),
        Field(
            "state_bytes",
            float,
            "B",
            "neuron state variables (1 per LIF/IF/LI/I, 2 per CubaLIF/CubaLI) at `state_bits`",
            label="neuron state ({memory.state_bits}-bit)",
            fmt="g",
        ),
        Field(
            "activation_bytes",
            float,
            "B",
            "peak single activation buffer (largest tensor between two nodes, one sample, one step)",
            label="peak activation buffer",
            fmt="g",
        ),
        Field("total_bytes", float, "B", "`weight_bytes + state_bytes + activation_bytes`"),
    ),
)

ACTIVITY = Section(
    "activity",
    "Activity",
    "Spikes and operations per inference; ``spike_counts_total`` are exact over the split.",
    (
        Field("layers", list[str], "", "synaptic and neuron nodes in graph order (the reference simulator's)"),
        Field(
            "firing_rates",
            dict[str, float],
            "spikes/neuron/step",
            "firing rate of each spiking layer",
            label="rate",
            terminal=True,
        ),
        Field(
            "mean_firing_rate",
            float,
            "spikes/neuron/step",
            "mean firing rate, layers weighted by neuron count",
            label="mean firing rate",
            fmt=".4g",
        ),
        Field("input_rate", float, "events/element/step", "non-zero input entries per input element per step"),
        Field("spikes", dict[str, float], "", "spikes of each spiking layer", label="spikes"),
        Field("spikes_per_inference", float, "", "spikes of all layers", label="spikes / inference"),
        Field(
            "spike_counts_total",
            dict[str, int],
            "",
            "exact non-zero count over the whole evaluated split, every "
            "recorded node (used to prove runtime agreement)",
            label="spikes (split total)",
        ),
        Field(
            "synops",
            dict[str, float],
            "",
            "`SynOps = Σ_t Σ_i e_i[t]·fanout_i` of each synaptic layer (input events × non-zero fan-out)",
            label="SynOps",
            terminal=True,
        ),
        Field("synops_per_inference", float, "", "SynOps of all layers", label="synaptic operations / inference"),
        Field(
            "synops_counting",
            dict[str, str],
            "",
            "what a layer's SynOps count: `spikes` (binary input), `nonzero` (graded input), `dense`",
        ),
        Field("neuron_updates", dict[str, int], "", "neurons × T of each neuron layer", label="neuron updates"),
        Field(
            "neuron_updates_per_inference", int, "", "neuron updates of all layers", label="neuron updates / inference"
        ),
        Field(
            "flops_ann",
            int,
            "",
            "FLOPs of one pass of the ANN twin: `2·MACs + bias adds` (the MNIST lab study's convention, "
            "`edgesnn/metrics/flops.py`)",
            label="FLOPs: ANN pass, SNN per step, SNN over T",
            shown="{activity.flops_ann}, {activity.flops_snn_per_step}, {activity.flops_snn}",
        ),
        Field("flops_snn_per_step", float, "", "SNN FLOPs per step: `2·synops_per_inference / T + bias adds`"),
        Field("flops_snn", float, "", "SNN FLOPs per inference: `2·synops_per_inference + bias adds · T`"),
    ),
)

ENERGY = Section(
    "energy",
    "Energy",
    "SNN energy on the target's table (per layer / component), the ANN twin, break-even rate.",
    (
        Field("table", str, "", "the target's named SNN cost table"),
        Field(
            "snn_uj",
            float,
            "µJ",
            "`E = SynOps·e_synop + updates·e_update + spikes·e_spike` on `table`",
            label="SNN energy / inference ({energy.table})",
            fmt=".4g",
        ),
        Field("snn_layers_uj", dict[str, float], "µJ", "`snn_uj` of each layer", label="energy µJ", terminal=True),
        Field(
            "snn_components_uj",
            dict[str, float],
            "µJ",
            "`snn_uj` split into its `synops`, `neuron_updates` and `spikes` terms",
            keys="component",
        ),
        Field("ann_table", str | None, "", "the ANN twin's cost table (null: the target has none, no ANN comparison)"),
        Field(
            "ann_macs",
            int,
            "",
            "MACs of the ANN twin (same layers, one dense pass)",
            label="ANN twin: MACs, energy ({energy.ann_table})",
            shown="{energy.ann_macs}, {energy.ann_uj} µJ",
        ),
        Field("ann_macs_layers", dict[str, int], "", "`ann_macs` of each synaptic layer", label="ANN MACs"),
        Field("ann_uj", float | None, "µJ", "the ANN twin's energy on `ann_table`: `E = MACs·e_mac`"),
        Field("snn_over_ann", float | None, "", "`snn_uj / ann_uj`", label="SNN / ANN energy"),
        Field(
            "break_even_rate",
            float | None,
            "",
            "mean firing rate r* at which the SNN's energy equals the ANN's on "
            "these tables (see `edgesnn/metrics/energy.py`); ≤ 0: the SNN costs more even when silent; ≥ 1: cheaper "
            "at any rate; null: energy does not depend on the rate",
            label="break-even firing rate",
        ),
        Field("break_even_first_layer", str, "", "`measured` (the input layer's SynOps as measured) or `same`"),
        Field(
            "tables",
            dict[str, Any],
            "",
            "per table (`snn`, `ann`; null when absent): `table`, `covers`, `omits`, "
            "`constants` {name: {value_pj, source}}",
            keys="kind",
        ),
        Field(
            "caveat",
            str,
            "",
            "compute-only tables omit memory traffic and static power; once memory access counts, "
            "SNNs win only at low spike counts (Dampfhoffer et al., IEEE TETCI 2023) — read r* as an optimistic bound",
        ),
    ),
)

LIKE_FOR_LIKE = Section(
    "like_for_like",
    "LikeForLike",
    "Energy with memory counted on both sides: the SNN on its device, the ANN twin on the device it "
    "would otherwise run on (`edgesnn/metrics/like_for_like.py`); null when the target names no device.",
    (
        Field("snn_device", str, "", "the device pricing the SNN (the target's `device`)"),
        Field(
            "ann_device",
            str,
            "",
            "the device pricing the ANN twin (`--ann-baseline`, else the target's or the profile's `ann_baseline`)",
        ),
        Field(
            "snn_uj",
            float,
            "µJ",
            "SNN energy per inference, compute + memory, on `snn_device`",
            label="SNN energy, memory included",
            shown="{like_for_like.snn_uj:.4g} µJ on {like_for_like.snn_device} (compute {like_for_like.snn_compute_uj:.4g}, "
            "memory {like_for_like.snn_memory_uj:.4g})",
        ),
        Field("snn_compute_uj", float, "µJ", "synaptic operations, neuron updates and spikes"),
        Field("snn_memory_uj", float, "µJ", "weight reads, state reads and writes, event traffic"),
        Field("snn_layers_uj", dict[str, float], "µJ", "`snn_uj` of each layer", label="SNN µJ (mem. incl.)"),
        Field(
            "ann_uj",
            float,
            "µJ",
            "the ANN twin's energy per inference, compute + memory, on `ann_device`",
            label="ANN twin energy, memory included",
            shown="{like_for_like.ann_uj:.4g} µJ on {like_for_like.ann_device} (compute {like_for_like.ann_compute_uj:.4g}, "
            "memory {like_for_like.ann_memory_uj:.4g}; {like_for_like.ann_passes} pass(es))",
        ),
        Field("ann_compute_uj", float, "µJ", "multiply-accumulates"),
        Field("ann_memory_uj", float, "µJ", "weight and activation reads, activation writes"),
        Field("ann_layers_uj", dict[str, float], "µJ", "`ann_uj` of each synaptic layer", label="ANN µJ (mem. incl.)"),
        Field("ann_passes", int, "", "ANN passes per inference: T for a sequence read frame by frame, else 1"),
        Field(
            "snn_over_ann",
            float | None,
            "",
            "`snn_uj / ann_uj`",
            label="SNN / ANN energy, like for like",
            shown="{like_for_like.snn_over_ann:.4g} ({like_for_like.snn_device} vs {like_for_like.ann_device})",
        ),
        Field(
            "break_even_rate",
            float | None,
            "",
            "mean firing rate r* at which the SNN's energy equals the ANN's on these devices, memory included; "
            "≤ 0: more even when silent; ≥ 1: cheaper at any rate; null: independent of the rate",
            label="break-even firing rate, like for like",
        ),
        Field("counts", dict[str, Any], "", "what was priced: `snn` and `ann` counts per inference", keys="side"),
        Field(
            "devices",
            dict[str, Any],
            "",
            "`snn` and `ann` device tables (`covers`, `omits`, constants with sources, memory)",
            keys="side",
        ),
    ),
)

LATENCY = Section(
    "latency",
    "Latency",
    "Latency in timesteps (and simulated seconds at dt) and measured wall time on the runtime.",
    (
        Field(
            "timesteps",
            int,
            "",
            "latency in steps (T)",
            label="timesteps (latency)",
            detail=" = {latency.simulated_s!m:.4g} ms at dt {latency.dt_s:g} s",
        ),
        Field("dt_s", float | None, "s", "simulated time per step, from the manifest or the graph (null: not stated)"),
        Field("simulated_s", float | None, "s", "latency in simulated seconds (`timesteps · dt_s`)"),
        Field(
            "wall_s_per_sample",
            float,
            "s",
            "runtime wall time per sample, as the backend measures it",
            label="wall time per sample on {backend}",
            shown="{latency.wall_s_per_sample!m:.4g} ms ({latency.samples_per_s:.4g} samples/s, "
            "batch {latency.batch_size})",
        ),
        Field("samples_per_s", float, "1/s", "inverse of `wall_s_per_sample`"),
        Field("batch_size", int, "", "samples per runtime call"),
        Field("runtime_wall_s", float, "s", "total runtime wall time"),
        Field("evaluation_wall_s", float, "s", "the whole evaluation, metrics included"),
    ),
)

#: report.json's order (``Report``'s attributes)
SECTIONS: tuple[Section, ...] = (MEMORY, ACTIVITY, ENERGY, LIKE_FOR_LIKE, LATENCY)
#: the summary reads size, then time, then activity and its cost: a reading order, not the JSON's
SUMMARY_ORDER = ("memory", "latency", "activity", "energy", "like_for_like")

_BY_NAME = {s.name: s for s in SECTIONS}
_BY_PATH = {f.path: f for s in SECTIONS for f in s.fields}
#: scalar fields with a label: the summary rows, in SUMMARY_ORDER then declaration order
SUMMARY: tuple[Field, ...] = tuple(
    f for name in SUMMARY_ORDER for f in _BY_NAME[name].fields if f.label and not f.per_layer
)
#: per-layer fields with a label: the per-layer table's columns, in report.json's order
LAYER_COLUMNS: tuple[Field, ...] = tuple(f for s in SECTIONS for f in s.fields if f.label and f.per_layer)
#: the columns of the terminal's short per-layer table
TERMINAL_COLUMNS: tuple[Field, ...] = tuple(f for f in LAYER_COLUMNS if f.terminal)


def field(path: str) -> Field:
    """The field at ``"section.key"`` (KeyError when none is declared there)."""
    return _BY_PATH[path]
