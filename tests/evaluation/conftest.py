"""A tiny trained digits model exported to ONNX (with recording) and NIR, shared by the session."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def digits_exports(tmp_path_factory) -> dict:
    """{"run", "onnx", "nir", "export"}: a 2-epoch digits MLP (onnx-cpu numerics), its two exports,
    and ``export(target, out, **options)`` to export the same run again."""
    from edgesnn.export import export as run_export
    from edgesnn.train import train

    root = tmp_path_factory.mktemp("digits")

    def export(target: str, out: Path, **options):
        return run_export(root / "run", target, out=out, **options)

    # small and short (T=10, 2 epochs) yet well above chance (~0.7 test accuracy)
    train("digits", "wearable", target="onnx-cpu", epochs=2, out=root / "run", progress=False, ann_twin=False,
          overrides={"hidden": [32], "timesteps": 10, "lr": 5e-3})
    export("onnx", root / "onnx", record=True)
    export("nir", root / "nir")
    return {"run": root / "run", "onnx": root / "onnx", "nir": root / "nir", "export": export}
