"""The bundle's accuracy computed by the runner from RAW inputs equals the evaluator's."""

from __future__ import annotations

import json
import zipfile

import numpy as np

from edgesnn.runner import Bundle


def test_runner_accuracy_from_raw_equals_the_evaluator(digits_bundle, raw_test):
    x_raw, y = raw_test
    with Bundle.open(digits_bundle) as bundle:
        pred = bundle.predict(x_raw)
        manifest = bundle.manifest
    report = json.loads(zipfile.ZipFile(digits_bundle).read("report.json"))  # written by edgesnn.evaluation
    acc = float((pred.classes == y).mean())
    assert report["samples"] == len(y)
    assert acc == report["accuracy"]
    assert manifest["accuracy"]["runner"] == acc and manifest["accuracy"]["matches_report"] is True
    assert pred.counts.shape == (len(y), 10) and np.all(pred.counts >= 0)


def test_runner_encodes_raw_exactly_as_training(digits_export, digits_bundle, raw_test):
    from edgesnn.loading import test_split
    from edgesnn.nir import read_graph, simulate

    spec = json.loads((digits_export / "manifest.json").read_text())["data"]
    x_enc, y = test_split(spec)
    with Bundle.open(digits_bundle) as bundle:
        np.testing.assert_array_equal(bundle.encode(raw_test[0]), x_enc)
        runner_out = bundle.run(x_enc)
    reference = simulate(read_graph(digits_export / "model.nir"), x_enc).output
    np.testing.assert_array_equal(runner_out, reference)


def test_manifest_records_what_the_issue_asks(digits_bundle):
    with Bundle.open(digits_bundle) as bundle:
        m = bundle.manifest
        names = sorted(p.name for p in bundle.dir.iterdir())
    for key in ("bundle_format", "versions", "seed", "dt", "timesteps", "target", "profile", "files", "accuracy"):
        assert key in m, key
    assert {
        "model.stepwise.onnx",
        "model.unrolled.onnx",
        "model.nir",
        "encoder.json",
        "preprocessing.json",
        "classes.json",
        "profile.json",
        "target.json",
        "report.json",
        "report.html",
        "README.md",
    } <= set(m["files"])
    assert names == sorted([*m["files"], "manifest.json", "manifest.sha256"])
    assert m["source"]["nir_matches_export"] is True
