"""float32 exports are spike-exact by construction: the sum grid and the float32 judge."""

from pathlib import Path

import nir
import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from edgesnn.backends import get_backend
from edgesnn.config import load_target
from edgesnn.export import export
from edgesnn.nir.graph import write_graph
from edgesnn.nir.simulator import simulate
from edgesnn.numerics.float32 import on_sum_grid, row_bound, row_steps, to_sum_grid

F = np.float32


def _mlp(encoder: str, seed: int = 0, hidden: int = 96) -> nir.NIRGraph:
    rng = np.random.default_rng(seed)

    def lif(n):
        return nir.LIF(tau=np.full(n, 0.004, F), r=np.ones(n, F), v_leak=np.zeros(n, F), v_threshold=np.ones(n, F))

    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([40])),
            "fc1": nir.Affine(rng.normal(0, 1.5, (hidden, 40)).astype(F), rng.normal(0, 0.1, hidden).astype(F)),
            "lif1": lif(hidden),
            "fc2": nir.Affine(rng.normal(0, 0.3, (10, hidden)).astype(F), np.zeros(10, F)),
            "li": nir.LI(tau=np.full(10, 0.004, F), r=np.ones(10, F), v_leak=np.zeros(10, F)),
            "output": nir.Output(np.array([10])),
        },
        edges=[("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "li"), ("li", "output")],
        metadata={"dt": 1e-3, "encoder": encoder, "timesteps": 20, "reset": "subtract"},
    )


def test_every_partial_sum_on_the_grid_is_exact_in_float32():
    rng = np.random.default_rng(1)
    w = rng.normal(0, 1, (16, 300)).astype(F)
    b = rng.normal(0, 1, 16).astype(F)
    gw, gb, moved = to_sum_grid(w, b, m=1)
    assert moved > 0 and gw.dtype == F
    q = row_steps(gw, gb, 1)
    assert np.all(np.abs(gw - w) <= q[:, None] / 2 + 1e-12)  # moved by at most half a step
    for i in range(4):
        terms = np.concatenate([gw[i][rng.random(300) < 0.5], gb[i : i + 1]])
        exact = terms.astype(np.float64).sum()
        for order in (terms, terms[::-1], rng.permutation(terms)):
            acc = F(0)
            for t in order:  # float32 accumulation, one rounding per addition
                acc = F(acc + t)
            assert float(acc) == exact


def test_a_row_already_on_the_grid_is_left_alone():
    rng = np.random.default_rng(2)
    w, b, _ = to_sum_grid(rng.normal(0, 1, (8, 50)).astype(F), rng.normal(0, 1, 8).astype(F), m=3)
    again, again_b, moved = to_sum_grid(w, b, m=3)
    assert moved == 0 and np.array_equal(again, w) and np.array_equal(again_b, b)
    assert np.all(row_bound(w, b, 3) > 0)


def test_only_integer_fed_sums_move():
    _, moved = on_sum_grid(_mlp("static"), input_bound=None)
    assert set(moved) == {"fc2"}  # fc1 sees real inputs: summed in float64 instead
    _, moved = on_sum_grid(_mlp("rate"), input_bound=1)
    assert set(moved) == {"fc1", "fc2"}


@pytest.mark.parametrize("encoder", ["rate", "static"])
def test_default_onnx_export_is_float32_judged_in_float32(encoder, tmp_path):
    graph = _mlp(encoder)
    src = write_graph(graph, tmp_path / "mlp.nir")
    res = export(src, "onnx", out=tmp_path / "exp")
    parity = res.parity
    assert parity["precision"] == "float32" and parity["vs_reference"]["mismatches"] == 0
    assert "vs_float64_reference" in parity
    props = {p.key: p.value for p in onnx.load(tmp_path / "exp" / "model.onnx").metadata_props}
    assert props["precision"] == "float32"
    # the judge is the simulator in float32 on the exported model.nir: bit-identical membranes too
    rng = np.random.default_rng(3)
    x = rng.random((20, 32, 40)).astype(F)
    x = (x < 0.3).astype(F) if encoder == "rate" else 2 * x
    judge = simulate(tmp_path / "exp" / "model.nir", x, dtype=F)
    got = get_backend("onnx").run(tmp_path / "exp" / "model.onnx", x, load_target("onnx"))
    assert np.array_equal(got.output, judge.output)  # LI membranes: every bit


def _threshold_graph(theta: float) -> nir.NIRGraph:
    return nir.NIRGraph(
        nodes={
            "input": nir.Input(np.array([1])),
            "fc": nir.Linear(np.array([[theta]], F)),
            "fire": nir.Threshold(np.array([theta], F)),
            "output": nir.Output(np.array([1])),
        },
        edges=[("input", "fc"), ("fc", "fire"), ("fire", "output")],
        metadata={"dt": 1e-3, "encoder": "rate", "timesteps": 4, "reset": "zero"},
    )


def test_the_judge_sees_a_threshold_one_ulp_off(tmp_path):
    """x = θ exactly gives no spike (strict >); an artifact whose θ is one ulp lower fires."""
    theta = 0.7  # not a power of two: its float32 value is the one that matters
    src = write_graph(_threshold_graph(theta), tmp_path / "t.nir")
    export(src, "onnx", out=tmp_path / "exp", form="stepwise", stepwise_too=False)
    artifact = tmp_path / "exp" / "model.onnx"
    x = np.ones((4, 2, 1), F)
    judge = simulate(tmp_path / "exp" / "model.nir", x, dtype=F).output
    target, backend = load_target("onnx"), get_backend("onnx")
    assert np.array_equal(backend.run(artifact, x, target).output, judge) and judge.sum() == 0
    model = onnx.load(artifact)
    nudged = 0
    for init in model.graph.initializer:
        if "threshold" in init.name:
            value = numpy_helper.to_array(init)
            init.CopyFrom(numpy_helper.from_array(np.nextafter(value, F(0)).astype(value.dtype), init.name))
            nudged += 1
    assert nudged == 1
    onnx.save(model, artifact)
    got = backend.run(artifact, x, target).output
    assert (got != judge).sum() == 8  # every step of both samples now fires


def test_float64_stays_an_option_and_matches_float64_maths(tmp_path):
    graph = _mlp("static", seed=4)
    src = write_graph(graph, Path(tmp_path) / "mlp.nir")
    res = export(src, "onnx", out=tmp_path / "exp", precision="float64")
    assert res.parity["precision"] == "float64" and res.parity["vs_reference"]["mismatches"] == 0
    assert "vs_float64_reference" not in res.parity
