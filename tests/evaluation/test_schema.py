"""The measured sections are declared once (edgesnn/evaluation/schema.py) and everything follows.

Checked here without running a model: the dataclasses and report.json's key order are the
declaration's, the docs' field table is the generated one, every path the comparison table
names exists, and the template rules (null cells, dropped details, ``!m``) hold.
"""

from __future__ import annotations

import pickle
from dataclasses import fields
from pathlib import Path

import pytest

from edgesnn.evaluation import (
    Activity,
    Energy,
    Latency,
    LikeForLike,
    Memory,
    Report,
    compare,
    render,
    schema,
    schema_doc,
)
from edgesnn.evaluation.fields import Field, Section, expand

DOC = Path(__file__).resolve().parents[2] / "docs" / "report-schema.md"
CLASSES = {"memory": Memory, "activity": Activity, "energy": Energy, "like_for_like": LikeForLike, "latency": Latency}


def test_dataclasses_and_json_follow_the_declaration(sample_report):
    d = sample_report().to_dict()
    for section in schema.SECTIONS:
        keys = [f.key for f in section.fields]
        assert [f.name for f in fields(CLASSES[section.name])] == keys
        assert list(d[section.name]) == keys
    assert [f.name for f in fields(Report)][11:16] == [s.name for s in schema.SECTIONS]


def test_records_pickle_and_compare(sample_report):
    r = sample_report()
    assert pickle.loads(pickle.dumps(r.memory)) == r.memory
    with pytest.raises(AttributeError):
        r.memory.weight_bits = 8  # frozen


def test_doc_table_is_the_generated_one():
    doc = DOC.read_text(encoding="utf-8")
    assert schema_doc.splice(doc) == doc, "run: python -m edgesnn.evaluation.schema_doc docs/report-schema.md"
    for section in schema.SECTIONS:
        for f in section.fields:
            assert f"| `{f.path}` |" in doc


def test_every_section_is_in_the_summary_order():
    assert sorted(schema.SUMMARY_ORDER) == sorted(s.name for s in schema.SECTIONS)
    assert all(f.label and not f.per_layer for f in schema.SUMMARY)
    assert all(f.per_layer for f in schema.LAYER_COLUMNS)


def test_comparison_names_existing_values():
    top = {f.name for f in fields(Report)}
    for header, path in compare.TABLE:
        head = path.split(".")[0]
        assert head in top, header
        if head in CLASSES:
            assert schema.field(path).path == path
    assert compare.COLUMNS == [h for h, _ in compare.TABLE]


def test_json_types():
    assert schema.field("activity.firing_rates").json_type == "{layer: float}"
    assert schema.field("energy.ann_uj").json_type == "float \\| null"
    assert schema.field("activity.layers").json_type == "[str]"
    assert schema.field("energy.tables").json_type == "{kind: object}"


def test_templates(sample_report):
    r = sample_report(full=False)
    assert expand("{energy.ann_uj} µJ", r) == "— µJ"  # a null cell
    assert expand("({energy.ann_table})", r, label=True) == "(None)"  # labels use str
    assert expand("{latency.wall_s_per_sample!m:.3g}", r) == "0.0828"
    assert schema.field("latency.timesteps").cell(r) == "25"  # detail dropped: dt is null
    assert schema.field("latency.timesteps").cell(sample_report()) == "25 = 2500 ms at dt 0.1 s"


def test_a_new_metric_is_one_line(sample_report):
    """A labelled scalar becomes a summary row, a labelled per-layer mapping a column."""
    extra = Section(
        "demo",
        "Demo",
        "demo",
        (
            Field("joules", float, "J", "energy in joules", label="energy", fmt=".2f"),
            Field("heat", dict[str, float], "K", "per layer", label="heat"),
        ),
    )
    Demo = extra.record_type(__name__)
    r = sample_report()
    r.demo = Demo(1.234, {"lif1": 3.0})  # type: ignore[attr-defined]
    scalar, layered = extra.fields
    assert (scalar.row_label(r), scalar.cell(r)) == ("energy", "1.23 J")
    assert layered.per_layer and not scalar.per_layer


def test_terminal_layers_are_the_flagged_columns(sample_report):
    header, rows = render.terminal_layers(sample_report())
    assert header == ["layer", "rate", "SynOps", "energy µJ"]
    assert [row[0] for row in rows] == sample_report().activity.layers


def test_readable_layer_names_follow_the_evaluation_order():
    """fc / rec / lif numbered as a person reads the network, whatever the converter called them."""
    import nir
    import numpy as np

    from edgesnn.evaluation.names import readable_names
    from edgesnn.nir.flat import flatten, order

    f = np.float32

    def lif(n):
        return nir.LIF(tau=np.full(n, 0.01, f), r=np.ones(n, f), v_leak=np.zeros(n, f), v_threshold=np.ones(n, f))

    nodes = {
        "x": nir.Input(input_type=np.array([3])),
        "dense_ops_0_parts_0": nir.Affine(weight=np.ones((4, 3), f), bias=np.zeros(4, f)),
        "dense_acts_0": lif(4),
        "w_rec": nir.Linear(weight=np.ones((4, 4), f)),
        "dense_readout_parts_0": nir.Linear(weight=np.ones((2, 4), f)),
        "dense_out_act": lif(2),
        "output": nir.Output(output_type=np.array([2])),
    }
    edges = [
        ("x", "dense_ops_0_parts_0"),
        ("dense_ops_0_parts_0", "dense_acts_0"),
        ("dense_acts_0", "w_rec"),
        ("w_rec", "dense_acts_0"),
        ("dense_acts_0", "dense_readout_parts_0"),
        ("dense_readout_parts_0", "dense_out_act"),
        ("dense_out_act", "output"),
    ]
    graph = nir.NIRGraph(nodes=nodes, edges=edges)
    seq, _ = order(flatten(graph))
    layers = [k for k in seq if k not in ("x", "output")]
    assert readable_names(graph, layers) == {
        "dense_ops_0_parts_0": "fc1",
        "dense_acts_0": "lif1",
        "w_rec": "rec1",
        "dense_readout_parts_0": "fc2",
        "dense_out_act": "lif2",
    }


def test_the_verdict_judges_accuracy_energy_and_profile(sample_report):
    from dataclasses import replace

    from edgesnn.evaluation.verdict import verdict

    full = dict((t, (s, g)) for t, s, g in verdict(sample_report()))
    assert full["accuracy"][1] is False and "(-3.61 pp)" in full["accuracy"][0]  # 3.6 pp below its twin
    assert full["energy"][1] is True and "loihi2" in full["energy"][0] and "cortex-m4" in full["energy"][0]
    assert full["profile"][1] is False and "max_mean_firing_rate (0.0896 > 0.05)" in full["profile"][0]
    r = sample_report()
    close = replace(r, training={**r.training, "ann_test_acc": 0.70}, checks=[c for c in r.checks if c["ok"]])
    again = dict((t, g) for t, _, g in verdict(close))
    assert again["accuracy"] is True and again["profile"] is True
    dear = replace(r, like_for_like=replace(r.like_for_like, snn_over_ann=1.4))
    assert dict((t, g) for t, _, g in verdict(dear))["energy"] is False
