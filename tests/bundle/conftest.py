"""A tiny trained digits model, exported to ONNX and packaged, shared by the bundle tests."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def digits_export(tmp_path_factory) -> Path:
    from edgesnn.export import export
    from edgesnn.train import train

    root = tmp_path_factory.mktemp("bundle-model")
    train(
        "digits",
        "wearable",
        target="onnx",
        epochs=1,
        seed=0,
        overrides={"hidden": [32]},
        ann_twin=False,
        out=root / "run",
        progress=False,
    )
    export(root / "run", "onnx", out=root / "export")
    return root / "export"


@pytest.fixture(scope="session")
def digits_bundle(digits_export, tmp_path_factory) -> Path:
    from edgesnn.package import package

    out = tmp_path_factory.mktemp("bundle") / "digits.zip"
    package(digits_export, out=out, unrolled=True)
    return out


@pytest.fixture(scope="session")
def raw_test(digits_export) -> tuple[np.ndarray, np.ndarray]:
    from edgesnn.package.evidence import raw_test_split

    spec = json.loads((digits_export / "manifest.json").read_text())["data"]
    return raw_test_split(spec)
