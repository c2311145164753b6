"""The contract every backend's tests inherit (DESIGN §6): export, run, parity, errors.

Usage in ``tests/backends/test_<backend>.py``::

    from edgesnn.testing import BackendContract

    class TestOnnxContract(BackendContract):
        backend_name = "onnx"
        target_name = "onnx"

Optional class attributes: ``graph_names`` (which of ``contract_graphs()`` the backend must
handle), ``export_options`` (passed to ``export``), ``sim_options`` (passed to ``simulate``),
``output_atol`` (max |Δ| allowed between outputs; spikes are judged by the target's
``parity_tolerance``, the fraction of spikes that may differ), ``check_records``.
Each graph is exported once per class; every test reuses that export, so the contract
costs one export and a few runs per graph. The "multi" graph has two Input nodes (a
multimodal model): its input is a dict name -> ``[T, B, *shape]`` (``contract_input``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import nir
import numpy as np
import pytest

from ..errors import DataError, ShapeError, UnsupportedPrimitiveError

F32 = np.float32


def _lif(n: int | tuple[int, ...], beta: float = 0.9, dt: float = 1e-3, threshold: float = 1.0) -> nir.LIF:
    """An snnTorch-style Leaky layer (``n`` neurons, or a shape) in NIR terms: τ = dt/(1−β), r = 1/(1−β)."""
    return nir.LIF(
        tau=np.full(n, dt / (1 - beta), F32),
        r=np.full(n, 1 / (1 - beta), F32),
        v_leak=np.zeros(n, F32),
        v_threshold=np.full(n, threshold, F32),
        v_reset=np.zeros(n, F32),
    )


def mlp_graph(seed: int = 0) -> nir.NIRGraph:
    """Input(12) → Affine → LIF(16) → Affine → LIF(4) → Output."""
    rng = np.random.default_rng(seed)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([12])),
            "fc1": nir.Affine(weight=rng.normal(0, 0.6, (16, 12)).astype(F32), bias=rng.normal(0, 0.1, 16).astype(F32)),
            "lif1": _lif(16),
            "fc2": nir.Affine(weight=rng.normal(0, 0.6, (4, 16)).astype(F32), bias=np.zeros(4, F32)),
            "lif2": _lif(4),
            "output": nir.Output(output_type=np.array([4])),
        },
        edges=[("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")],
        metadata={"dt": 1e-3, "reset": "zero"},
    )


def cnn_graph(seed: int = 0) -> nir.NIRGraph:
    """Input(2×8×8) → Conv2d → IF → SumPool2d → Flatten → Affine → IF → Output."""
    rng = np.random.default_rng(seed)
    ones = np.ones((4, 8, 8), F32)
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([2, 8, 8])),
            "conv": nir.Conv2d(
                input_shape=(8, 8),
                weight=rng.normal(0, 0.5, (4, 2, 3, 3)).astype(F32),
                stride=1,
                padding=1,
                dilation=1,
                groups=1,
                bias=rng.normal(0, 0.1, 4).astype(F32),
            ),
            "if1": nir.IF(r=ones, v_threshold=ones, v_reset=np.zeros_like(ones)),
            "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
            "flat": nir.Flatten(input_type={"input": np.array([4, 4, 4])}, start_dim=0, end_dim=-1),
            "fc": nir.Affine(weight=rng.normal(0, 0.4, (5, 64)).astype(F32), bias=np.zeros(5, F32)),
            "if2": nir.IF(r=np.ones(5, F32), v_threshold=np.ones(5, F32), v_reset=np.zeros(5, F32)),
            "output": nir.Output(output_type=np.array([5])),
        },
        edges=[
            ("input", "conv"),
            ("conv", "if1"),
            ("if1", "pool"),
            ("pool", "flat"),
            ("flat", "fc"),
            ("fc", "if2"),
            ("if2", "output"),
        ],
        metadata={"dt": 1e-3, "reset": "subtract"},
    )


class _Unknown(nir.NIRNode):
    """A node type no backend lowers (not a NIR primitive)."""

    def __init__(self, shape):
        self.input_type = {"input": np.array(shape)}
        self.output_type = {"output": np.array(shape)}
        self.metadata = {}


def unsupported_graph() -> nir.NIRGraph:
    """Input → Affine → <unknown node type> → Output."""
    g = mlp_graph()
    nodes = {
        "input": g.nodes["input"],
        "fc1": g.nodes["fc1"],
        "mystery": _Unknown([16]),
        "output": nir.Output(output_type=np.array([16])),
    }
    return nir.NIRGraph(
        nodes=nodes, edges=[("input", "fc1"), ("fc1", "mystery"), ("mystery", "output")], type_check=False
    )


def multimodal_graph(seed: int = 0) -> nir.NIRGraph:
    """Two named inputs fused in one layer, their paths of different depth::

    image(2×4×4) → Conv2d → LIF → Flatten → Affine ─┐
    audio(12) ─────────────────────────→ Affine ────┴→ LIF(16) → Affine → LIF(4) → Output
    """
    rng = np.random.default_rng(seed)
    return nir.NIRGraph(
        nodes={
            "image": nir.Input(input_type=np.array([2, 4, 4])),
            "audio": nir.Input(input_type=np.array([12])),
            "conv": nir.Conv2d(
                input_shape=(4, 4),
                weight=rng.normal(0, 0.6, (3, 2, 3, 3)).astype(F32),
                stride=1,
                padding=1,
                dilation=1,
                groups=1,
                bias=rng.normal(0, 0.1, 3).astype(F32),
            ),
            "lif_img": _lif((3, 4, 4), beta=0.8),
            "flat": nir.Flatten(input_type={"input": np.array([3, 4, 4])}, start_dim=0, end_dim=-1),
            "fc_img": nir.Affine(weight=rng.normal(0, 0.4, (16, 48)).astype(F32), bias=np.zeros(16, F32)),
            "fc_audio": nir.Affine(
                weight=rng.normal(0, 0.6, (16, 12)).astype(F32), bias=rng.normal(0, 0.1, 16).astype(F32)
            ),
            "lif_fuse": _lif(16),
            "fc_out": nir.Affine(weight=rng.normal(0, 0.6, (4, 16)).astype(F32), bias=np.zeros(4, F32)),
            "lif_out": _lif(4),
            "output": nir.Output(output_type=np.array([4])),
        },
        edges=[
            ("image", "conv"),
            ("conv", "lif_img"),
            ("lif_img", "flat"),
            ("flat", "fc_img"),
            ("fc_img", "lif_fuse"),
            ("audio", "fc_audio"),
            ("fc_audio", "lif_fuse"),
            ("lif_fuse", "fc_out"),
            ("fc_out", "lif_out"),
            ("lif_out", "output"),
        ],
        metadata={"dt": 1e-3, "reset": "zero"},
    )


def contract_graphs() -> dict[str, nir.NIRGraph]:
    return {"mlp": mlp_graph(), "cnn": cnn_graph(), "multi": multimodal_graph()}


def contract_input(graph: nir.NIRGraph, timesteps: int = 12, batch: int = 3, p: float = 0.3, seed: int = 0):
    """Fixed Bernoulli spikes ``[T, B, *in]`` for ``graph``'s Input; a dict Input name -> spikes
    for a graph with several Inputs (each its own seed, in name order)."""
    from ..nir.graph import input_shapes

    shapes = input_shapes(graph)
    x = {
        n: (np.random.default_rng(seed + i).random((timesteps, batch, *s)) < p).astype(F32)
        for i, (n, s) in enumerate(shapes.items())
    }
    return x if len(x) > 1 else next(iter(x.values()))


def spike_mismatch(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of entries where two spike rasters differ."""
    return float(np.mean(np.asarray(a) != np.asarray(b))) if np.size(a) else 0.0


@dataclass
class Exported:
    graph: nir.NIRGraph
    artifact: Path
    paths: list[Path]


class BackendContract:
    """Inherit with ``backend_name`` and ``target_name`` set (the class name must start with Test)."""

    backend_name: ClassVar[str]
    target_name: ClassVar[str]
    graph_names: ClassVar[tuple[str, ...]] = ("mlp", "cnn", "multi")
    export_options: ClassVar[dict] = {}
    sim_options: ClassVar[dict] = {}
    output_atol: ClassVar[float] = 1e-5
    check_records: ClassVar[bool] = True

    @pytest.fixture(scope="class")
    def backend(self):
        from ..backends import get_backend

        backend = get_backend(self.backend_name)
        if not backend.available():
            pytest.skip(f"runtime of backend '{self.backend_name}' is not installed here")
        return backend

    @pytest.fixture(scope="class")
    def target(self):
        from ..config import load_target

        return load_target(self.target_name)

    @pytest.fixture(scope="class")
    def exported(self, backend, target, tmp_path_factory) -> dict[str, Exported]:
        graphs = contract_graphs()
        out = {}
        for name in self.graph_names:
            out_dir = tmp_path_factory.mktemp(f"{self.backend_name}_{name}")
            paths = [Path(p) for p in backend.export(graphs[name], out_dir, target, **self.export_options)]
            out[name] = Exported(graphs[name], out_dir / backend.artifact_name, paths)
        return out

    def test_export_writes_artifact(self, exported):
        for name, exp in exported.items():
            assert exp.artifact.is_file() and exp.artifact.stat().st_size > 0, f"{name}: no artifact"
            assert exp.artifact in exp.paths, f"{name}: export did not return {exp.artifact}"
            leftovers = [p.name for p in exp.artifact.parent.iterdir() if p.name.startswith(".")]
            assert not leftovers, f"{name}: temporary files left behind: {leftovers}"

    def test_parity_with_simulator(self, backend, target, exported):
        from ..nir.simulator import simulate

        for name, exp in exported.items():
            x = contract_input(exp.graph)
            ref = simulate(exp.graph, x, record=self.check_records, **self.sim_options)
            got = backend.run(exp.artifact, x, target, record=self.check_records)
            assert got.output.shape == ref.output.shape, (
                f"{name}: output shape {got.output.shape} != {ref.output.shape}"
            )
            assert got.output.dtype == np.float32
            delta = float(np.max(np.abs(got.output - ref.output)))
            assert delta <= self.output_atol, f"{name}: max |Δ| of outputs {delta} > {self.output_atol}"
            for node, spikes in ref.records.items() if self.check_records else ():
                assert node in got.records, f"{name}: no record of neuron '{node}'"
                miss = spike_mismatch(got.records[node], spikes)
                assert miss <= target.parity_tolerance, f"{name}/{node}: {miss:.2%} of spikes differ"
            assert np.any(ref.output != 0), f"{name}: the contract input leaves the network silent"

    def test_unsupported_node_raises(self, backend, target, tmp_path):
        with pytest.raises(UnsupportedPrimitiveError, match="mystery"):
            backend.export(unsupported_graph(), tmp_path, target, **self.export_options)

    def test_bad_input_shape_raises(self, backend, target, exported):
        exp = next(iter(exported.values()))
        x = contract_input(exp.graph)
        with pytest.raises(ShapeError):
            backend.run(exp.artifact, x[..., :-1], target)
        with pytest.raises(ShapeError):
            backend.run(exp.artifact, x[0], target)

    def test_missing_or_misnamed_input_raises(self, backend, target, exported):
        """A multimodal artifact: a missing or misnamed input is a one-line DataError naming the inputs."""
        if "multi" not in exported:
            pytest.skip("this backend's contract has no multimodal graph")
        exp = exported["multi"]
        x = contract_input(exp.graph)
        for bad in ({"image": x["image"]}, {"image": x["image"], "audi": x["audio"]}):
            with pytest.raises(DataError, match="audio") as info:
                backend.run(exp.artifact, bad, target)
            assert "\n" not in str(info.value) and "image" in str(info.value)
        with pytest.raises(DataError, match="dict"):
            backend.run(exp.artifact, x["audio"], target)
