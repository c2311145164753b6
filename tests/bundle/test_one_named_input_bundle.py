"""A model trained on one named input of a multimodal set (``--inputs audio``) packages as a
one-input bundle: its raw samples go in as one array, and the runner gives the accuracy the
export's evaluation measured (it used to be refused: encoder.json named ['audio'] while the
model takes one input)."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from edgesnn.runner import Bundle

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def audio_bundle(tmp_path_factory):
    from edgesnn.data import with_inputs
    from edgesnn.export import export
    from edgesnn.package import package
    from edgesnn.train import train

    root = tmp_path_factory.mktemp("one-input")
    train(
        with_inputs("digits_spoken", "audio"),
        "workstation",
        epochs=1,
        seed=0,
        ann_twin=False,
        progress=False,
        overrides={"hidden": [16], "branch_hidden": 16, "init": "random"},
        out=root / "run",
    )
    export(root / "run", "onnx", out=root / "export")
    result = package(root / "export", out=root / "audio.zip")
    return root, result.manifest


def test_one_named_input_is_a_one_input_bundle_with_the_evaluated_accuracy(audio_bundle):
    from edgesnn.package.evidence import raw_test_split

    root, manifest = audio_bundle
    with zipfile.ZipFile(root / "audio.zip") as z:
        enc = json.loads(z.read("encoder.json"))
    assert enc["kind"] == "direct" and enc["feature_shape"] == [13, 50] and "inputs" not in enc
    assert any("one input 'audio'" in n for n in manifest["notes"])
    acc = manifest["accuracy"]
    assert acc["matches_report"] is True and acc["runner"] == acc["report"]

    spec = json.loads((root / "export" / "manifest.json").read_text())["data"]
    x, y = raw_test_split(spec)
    with Bundle.open(root / "audio.zip") as bundle:
        pred = bundle.predict(x["audio"]).classes
    assert np.mean(np.asarray(pred) == y) == pytest.approx(acc["runner"])
