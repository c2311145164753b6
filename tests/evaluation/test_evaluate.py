"""The evaluator on a real trained digits model: runtimes agree, SynOps match torch, reports render."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch

import edgesnn
from edgesnn.evaluation import SCHEMA, comparison_markdown, comparison_rows, evaluate

LIMIT = 120


@pytest.fixture(scope="module")
def reports(digits_exports):
    """The same ONNX export evaluated on ONNX Runtime and on the reference simulator (one batch)."""
    onnx = evaluate(digits_exports["onnx"], limit=LIMIT, batch_size=LIMIT)
    ref = evaluate(digits_exports["onnx"], target="nir", limit=LIMIT, batch_size=LIMIT)
    return onnx, ref


def test_onnx_and_reference_agree_exactly(reports):
    onnx, ref = reports
    assert (onnx.backend, ref.backend) == ("onnx", "nir")
    assert onnx.samples == ref.samples == LIMIT
    assert onnx.accuracy > 0.4  # a trained model, not chance (0.1)
    assert onnx.accuracy == ref.accuracy
    assert onnx.confusion == ref.confusion
    assert onnx.activity.spike_counts_total == ref.activity.spike_counts_total
    assert sum(onnx.activity.spike_counts_total.values()) > 0
    assert onnx.activity.synops == ref.activity.synops
    assert onnx.energy.snn_uj == ref.energy.snn_uj


def test_nir_export_agrees_with_onnx_export(digits_exports, reports):
    onnx, _ = reports
    nir_report = evaluate(digits_exports["nir"], limit=LIMIT, batch_size=32)  # 4 batches, merged
    assert nir_report.accuracy == onnx.accuracy
    assert nir_report.activity.spike_counts_total == onnx.activity.spike_counts_total
    for k, v in onnx.activity.synops.items():
        assert nir_report.activity.synops[k] == pytest.approx(v, rel=1e-12)
    assert nir_report.energy.break_even_rate == pytest.approx(onnx.energy.break_even_rate, rel=1e-9)


def _torch_records(model, x: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run the snnTorch model, recording every neuron's spikes with forward hooks (NIR names)."""
    import snntorch as snn

    from edgesnn.models import run_snn

    steps: dict[str, list[np.ndarray]] = {}
    hooks = []
    for path, module in model.named_modules():
        if isinstance(module, snn.SpikingNeuron):
            name = path.replace(".", "_")

            def hook(_m, _inp, out, name=name):
                spk = out[0] if isinstance(out, tuple) else out
                steps.setdefault(name, []).append(spk.detach().numpy().copy())

            hooks.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            out = run_snn(model, torch.from_numpy(x), folded=False).numpy()  # the hooks record per step
    finally:
        for h in hooks:
            h.remove()
    return out, {k: np.stack(v) for k, v in steps.items()}


def test_runtime_synops_equal_torch_synops(digits_exports, reports):
    from edgesnn.loading import test_split
    from edgesnn.metrics import synops
    from edgesnn.nir import read_graph
    from edgesnn.train import load_checkpoint

    onnx, _ = reports
    ckpt = load_checkpoint(digits_exports["run"])
    x, _ = test_split(ckpt.data, LIMIT)
    _, records = _torch_records(ckpt.model, x)
    graph = read_graph(digits_exports["onnx"] / "model.nir")
    assert set(records) == set(onnx.activity.spike_counts_total)
    assert {k: int(np.count_nonzero(v)) for k, v in records.items()} == onnx.activity.spike_counts_total
    from_torch = synops(graph, x, records)
    assert {k: l.synops for k, l in from_torch.layers.items()} == onnx.activity.synops
    assert from_torch.total == pytest.approx(onnx.activity.synops_per_inference, rel=1e-12)


def test_report_contents(reports, digits_exports):
    onnx, _ = reports
    d = onnx.to_dict()
    assert d["schema"] == SCHEMA and list(d)[0] == "schema"
    json.dumps(d)  # plain types only
    assert np.asarray(d["confusion"]).sum() == LIMIT
    assert onnx.parameters["total"] > 0 and onnx.memory.weight_bytes == onnx.parameters["total"] * 4
    assert 0 < onnx.activity.mean_firing_rate < 1
    assert onnx.energy.table == "horowitz-45nm-fp32" and onnx.energy.ann_uj > 0
    assert "Dampfhoffer" in onnx.energy.caveat
    assert onnx.energy.tables["snn"]["omits"]
    assert onnx.latency.timesteps == 10 and onnx.latency.wall_s_per_sample > 0
    # the MNIST lab study's FLOPs view: the ANN's from the graph alone, the SNN's from the measured SynOps
    from edgesnn.metrics import ann_flops, bias_adds
    from edgesnn.nir import read_graph

    graph = read_graph(digits_exports["onnx"] / "model.nir")
    a = onnx.activity
    assert a.flops_ann == ann_flops(graph) > 0
    assert a.flops_snn == pytest.approx(2 * a.synops_per_inference + 10 * bias_adds(graph))
    assert a.flops_snn_per_step == pytest.approx(a.flops_snn / 10)
    # like for like: the SNN on the target's device, the twin on the wearable profile's baseline
    f = onnx.like_for_like
    assert (f.snn_device, f.ann_device) == ("horowitz-45nm-fp32", "cortex-m4") and f.ann_passes == 1
    assert f.snn_uj == pytest.approx(f.snn_compute_uj + f.snn_memory_uj) and f.snn_memory_uj > 0
    assert f.ann_memory_uj == 0 and f.ann_compute_uj == pytest.approx(600e-6 * f.counts["ann"]["macs"])
    assert f.counts["ann"]["macs"] == sum(onnx.energy.ann_macs_layers.values())
    assert f.counts["snn"]["synops"] == pytest.approx(a.synops_per_inference)
    assert f.snn_over_ann == pytest.approx(f.snn_uj / f.ann_uj) and f.break_even_rate is not None
    assert set(f.snn_layers_uj) == set(onnx.activity.layers)
    assert onnx.profile == "wearable" and {c["name"] for c in onnx.checks} >= {"max_latency_ms", "max_energy_uj"}
    assert all(set(c) == {"name", "value", "limit", "slack", "ok", "note"} for c in onnx.checks)
    assert onnx.training is not None and onnx.training["train_seconds"] > 0
    assert onnx.activity.layers[0].startswith("dense_ops")  # graph order


def test_report_files_and_self_contained_html(digits_exports, tmp_path):
    out = tmp_path / "rep"
    report = edgesnn.evaluate(digits_exports["onnx"], limit=40, out=out)
    names = {p.name for p in out.iterdir()}
    assert {
        "report.json",
        "report.md",
        "report.html",
        "firing_rates.png",
        "raster.png",
        "confusion.png",
        "energy.png",
    } <= names
    assert json.loads((out / "report.json").read_text())["accuracy"] == report.accuracy
    html = (out / "report.html").read_text()
    blobs = html.split("data:image/png;base64,")[1:]
    assert len(blobs) == 4
    assert base64.b64decode(blobs[0].split("'")[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Dampfhoffer" in html and "break-even" in html
    # a second evaluation replaces the earlier report in place
    edgesnn.evaluate(digits_exports["onnx"], limit=20, out=out)
    assert json.loads((out / "report.json").read_text())["samples"] == 20


def test_comparison_table(reports):
    onnx, ref = reports
    rows = comparison_rows([onnx, ref])
    assert [r["target"] for r in rows] == ["onnx", "nir"]
    assert rows[0]["accuracy"] == rows[1]["accuracy"] and rows[0]["T"] == 10
    assert rows[0]["training time (s)"] > 0
    md = comparison_markdown([onnx, ref])
    assert md.count("\n") == 4 and "training time (s)" in md


def test_recording_twin_for_an_artifact_exported_without_records(digits_exports, tmp_path, reports):
    onnx, _ = reports
    digits_exports["export"]("onnx", tmp_path / "plain", record=False)
    plain = evaluate(tmp_path / "plain", limit=LIMIT, batch_size=LIMIT)
    assert plain.activity.spike_counts_total == onnx.activity.spike_counts_total
    assert plain.accuracy == onnx.accuracy
    assert any("twin" in n for n in plain.notes)


def test_batches_merge_to_the_single_batch_report(digits_exports, reports):
    onnx, _ = reports
    split = evaluate(digits_exports["onnx"], limit=LIMIT, batch_size=50)  # 50 + 50 + 20
    assert split.activity.spike_counts_total == onnx.activity.spike_counts_total
    assert split.activity.mean_firing_rate == pytest.approx(onnx.activity.mean_firing_rate, rel=1e-12)
    assert split.energy.snn_uj == pytest.approx(onnx.energy.snn_uj, rel=1e-12)
    assert split.energy.break_even_rate == pytest.approx(onnx.energy.break_even_rate, rel=1e-9)


@pytest.mark.lava
@pytest.mark.slow
def test_lava_float_agrees_with_reference_within_tolerance(digits_exports, tmp_path):
    from edgesnn.config import load_target

    tolerance = load_target("lava-float").parity_tolerance
    digits_exports["export"]("lava-float", tmp_path / "lava")
    n = 24
    lava = evaluate(tmp_path / "lava", limit=n, batch_size=n)
    ref = evaluate(tmp_path / "lava", target="nir", limit=n, batch_size=n)
    assert lava.backend == "lava" and ref.backend == "nir"
    # parity tolerance = max fraction of differing spike entries; |Δ count| <= differing entries
    for layer, count in ref.activity.spike_counts_total.items():
        entries = n * ref.activity.neuron_updates[layer]  # samples x neurons x T
        assert abs(lava.activity.spike_counts_total[layer] - count) <= tolerance * entries
    assert abs(lava.accuracy - ref.accuracy) <= 1.0 / n + 1e-12


def test_ann_baseline_override_and_an_unknown_device(digits_exports):
    from edgesnn.errors import UsageError

    r = evaluate(digits_exports["onnx"], limit=8, batch_size=8, ann_baseline="horowitz-45nm-int8")
    f = r.like_for_like
    assert f.ann_device == "horowitz-45nm-int8" and f.ann_memory_uj > 0
    assert f.devices["ann"]["memory"]["levels"][0]["source"].startswith("Horowitz")
    with pytest.raises(UsageError, match="did you mean 'cortex-m4'"):
        evaluate(digits_exports["onnx"], limit=8, ann_baseline="cortx-m4")
