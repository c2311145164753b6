"""A tiny trained digits model exported to ONNX (with recording) and NIR, shared by the module."""

from __future__ import annotations

from pathlib import Path

import nir
import numpy as np
import pytest


def _output_shape_shim(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the Output node its shape when ``to_nir`` leaves it unknown.

    Workaround for edgesnn.nir.from_torch._fix_io looking modules up by NIR node name
    ('dense_out_act') instead of module path ('dense.out_act'); a no-op once that is fixed.
    """
    from edgesnn.train import checkpoint as ck

    original = ck.Checkpoint.to_nir

    def to_nir(self, dt=None):
        graph = original(self, dt)
        for name, node in list(graph.nodes.items()):
            if isinstance(node, nir.Output) and node.output_type.get("output") is None:
                src = [s for s, d in graph.edges if d == name][0]
                shape = np.array(graph.nodes[src].output_type["output"])
                graph.nodes[name] = nir.Output(output_type={"output": shape})
        return graph

    monkeypatch.setattr(ck.Checkpoint, "to_nir", to_nir)


@pytest.fixture(scope="session")
def digits_exports(tmp_path_factory) -> dict[str, Path]:
    """{"run", "onnx", "nir", "export"}: a 2-epoch digits MLP (onnx-cpu numerics), its two exports,
    and ``export(target, out, **options)`` to export the same run again."""
    from edgesnn.export import export as run_export
    from edgesnn.train import train

    root = tmp_path_factory.mktemp("digits")

    def export(target: str, out: Path, **options):
        with pytest.MonkeyPatch.context() as mp:
            _output_shape_shim(mp)
            return run_export(root / "run", target, out=out, **options)

    # small and short (T=10, 2 epochs) yet well above chance (~0.7 test accuracy)
    train("digits", "wearable", target="onnx-cpu", epochs=2, out=root / "run", progress=False, ann_twin=False,
          overrides={"hidden": [32], "timesteps": 10, "lr": 5e-3})
    export("onnx", root / "onnx", record=True)
    export("nir", root / "nir")
    return {"run": root / "run", "onnx": root / "onnx", "nir": root / "nir", "export": export}
