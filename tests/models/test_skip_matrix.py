"""Skip connections as an adjacency matrix (``skip_matrix``): checks, maths, and torch → NIR → ONNX parity."""

import numpy as np
import pytest
import torch

from edgesnn.backends import get_backend
from edgesnn.config import load_target
from edgesnn.errors import ShapeError, UsageError
from edgesnn.models import build, resolve
from edgesnn.models.run import run_ann, run_snn
from edgesnn.models.skips import describe, matrix_size
from edgesnn.models.to_nir import to_nir
from edgesnn.nir import simulate

# cnn2d: nodes 0 input, 1-3 conv blocks (same padding, no pooling), 4 dense, 5 readout
CNN = [
    [0, 0, 2, 0, 2, 0],  # input → conv 2 (concat), input → dense (concat, flattened)
    [0, 0, 0, 1, 2, 0],  # conv 1 → conv 3 (add), conv 1 → dense (concat)
    [0, 0, 0, 0, 0, 2],  # conv 2 → readout (concat)
    [0, 0, 0, 0, 0, 2],  # conv 3 → readout (concat)
    [0] * 6,
    [0] * 6,
]
# mlp: nodes 0 input, 1-3 dense (equal widths), 4 readout
MLP = [[0, 0, 2, 0, 2], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]
CASES = [
    ("cnn2d", (1, 8, 8), {"channels": [4, 4, 4], "pool_size": 1, "hidden": [16], "skip_matrix": CNN}),
    ("mlp", (12,), {"hidden": [16, 16, 16], "skip_matrix": MLP}),
    ("rnn", (6,), {"hidden": [16, 16, 16], "skip_matrix": MLP}),
    # cnn1d: valid convs shrink the length, so its skips go into the dense part
    (
        "cnn1d",
        (40,),
        {
            "hidden": [16],
            "skip_matrix": [
                [0, 0, 0, 0, 2, 0],
                [0, 0, 0, 0, 2, 2],
                [0, 0, 0, 0, 0, 0],
                [0, 0, 0, 0, 0, 2],
                [0] * 6,
                [0] * 6,
            ],
        },
    ),
]


def _spiking(family, shape, over, gain=3.0):
    model = build(resolve(family, over), shape, 4, seed=0).eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d)):
                m.weight.mul_(gain if family != "cnn1d" else 8.0)
    return model


def test_add_and_concat_maths_dense():
    """u_j = a_{j−1} + Σ_add a_i ; node j = W⁰·u_j + Σ_concat Wᵏ·a_i + b (the ANN twin shows it without spikes)."""
    over = {"hidden": [5, 5], "skip_matrix": [[0, 0, 2, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]]}
    ann = build(resolve("mlp", over), (3,), 2, ann=True, seed=0).eval()
    x = torch.randn(4, 3)
    net = ann.skipnet
    a1 = torch.relu(net.ops[0].parts[0](x))
    a2 = torch.relu(net.ops[1].parts[0](a1) + net.ops[1].parts[1](x))  # input concatenated into block 2
    out = net.ops[2].parts[0](a2 + a1)  # block 1 added into the readout's input
    torch.testing.assert_close(ann(x), out)
    w = torch.cat([net.ops[1].parts[0].weight, net.ops[1].parts[1].weight], dim=1)  # one Linear over [a1; x]
    torch.testing.assert_close(torch.relu(torch.cat([a1, x], 1) @ w.T + net.ops[1].parts[0].bias), a2)
    assert describe(over["skip_matrix"]) == "0→2 cat, 1→3 add"


@pytest.mark.parametrize("family,shape,over", CASES, ids=[c[0] for c in CASES])
def test_torch_nir_onnx_identical_spikes(family, shape, over, tmp_path):
    model = _spiking(family, shape, over)
    graph = to_nir(model, dt=1e-3, metadata={"timesteps": 12})
    x = (np.random.default_rng(1).random((12, 5, *model.input_shape)) < 0.4).astype(np.float32)
    ref = simulate(graph, x, record=True)
    assert ref.output.sum() > 0
    np.testing.assert_array_equal(run_snn(model, torch.tensor(x)).detach().numpy(), ref.output)
    backend, target = get_backend("onnx"), load_target("onnx")
    for form in ("unrolled", "stepwise"):
        backend.export(graph, tmp_path / form, target, form=form)
        got = backend.run(tmp_path / form / backend.artifact_name, x, target, record=True)
        np.testing.assert_array_equal(got.output, ref.output)
        for name, spikes in ref.records.items():
            np.testing.assert_array_equal(got.records[name], spikes, err_msg=name)


def test_ann_twin_same_weights_and_runs():
    family, shape, over = CASES[0]
    snn = build(resolve(family, over), shape, 4, seed=0)
    ann = build(resolve(family, over), shape, 4, ann=True, seed=0)
    assert {k: v.shape for k, v in ann.state_dict().items() if k.endswith(("weight", "bias"))} == {
        k: v.shape for k, v in snn.state_dict().items() if k.endswith(("weight", "bias"))
    }
    assert run_ann(ann, torch.rand(3, *shape)).shape == (3, 4)


@pytest.mark.parametrize(
    "matrix,error,text",
    [
        ([[0, 0, 1], [0, 0, 0]], UsageError, "row 0 has 3 entries; the matrix must be 2×2"),
        ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], UsageError, "edges go forward"),
        ([[0, 0, 0], [0, 0, 0], [1, 0, 0]], UsageError, "edges go forward"),
        ([[0, 0, 3], [0, 0, 0], [0, 0, 0]], UsageError, "must be 0 (none), 1 (add) or 2 (concat)"),
        ("[[0]]x", UsageError, "square list of lists"),
    ],
)
def test_bad_matrix_format_is_one_line(matrix, error, text):
    with pytest.raises(error) as exc:
        resolve("mlp", {"skip_matrix": matrix})
    assert text in str(exc.value) and "\n" not in str(exc.value)


def test_bad_matrix_for_the_model_is_one_line():
    hp = resolve("mlp", {"hidden": [16, 8], "skip_matrix": [[0, 0, 1], [0, 0, 0], [0, 0, 0]]})
    with pytest.raises(ShapeError, match=r"needs 4×4 \(input, 2 blocks, readout\)"):
        build(hp, (12,), 3)
    # add of 12 input features into a 16-wide block
    hp = resolve("mlp", {"hidden": [16, 16], "skip_matrix": [[0, 0, 1, 0], [0] * 4, [0] * 4, [0] * 4]})
    with pytest.raises(ShapeError, match="add needs equal sizes, use 2"):
        build(hp, (12,), 3)
    # conv add between unequal channels, conv concat across a pooling
    bad = [[0, 0, 1, 0, 0], [0] * 5, [0] * 5, [0] * 5, [0] * 5]
    with pytest.raises(ShapeError, match="add needs equal shapes"):
        build(resolve("cnn2d", {"channels": [4, 4], "pool_size": 1, "skip_matrix": bad}), (1, 8, 8), 3)
    bad = [[0, 0, 2, 0, 0], [0] * 5, [0] * 5, [0] * 5, [0] * 5]
    with pytest.raises(ShapeError, match="same spatial size"):
        build(resolve("cnn2d", {"channels": [4, 4], "pool_size": 2, "skip_matrix": bad}), (1, 8, 8), 3)
    with pytest.raises(UsageError, match="not both"):
        resolve("mlp", {"skip": "add", "skip_matrix": [[0, 0], [0, 0]]})


def test_matrix_size():
    assert matrix_size(2, 1) == 5
    model = build(resolve("cnn2d", {"skip_matrix": [[0] * 5 for _ in range(5)]}), (1, 8, 8), 3)
    assert len(model.skipnet.shapes) == 5


def test_cli_train_bad_matrix_one_line(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("edgesnn")),
            "train",
            "--dataset",
            "digits",
            "--model",
            "mlp",
            "--epochs",
            "1",
        ]
        + ["--set", "hidden=[16,16]", "--set", "skip_matrix=[[0,0,1,0],[0,0,0,0],[0,0,0,0],[0,0,0,0]]"]
        + ["--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "add needs equal sizes" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.lava
@pytest.mark.timeout(180)
@pytest.mark.parametrize("family,shape,over", CASES[:2], ids=[c[0] for c in CASES[:2]])
def test_lava_float_identical_spikes(family, shape, over, tmp_path, lava_backend):
    """Skip paths of unequal depth are delay-aligned by the Lava lowering, conv skips included."""
    model = _spiking(family, shape, over)
    graph = to_nir(model, dt=1e-3, metadata={"timesteps": 12})
    x = (np.random.default_rng(1).random((12, 3, *model.input_shape)) < 0.4).astype(np.float32)
    target = load_target("lava-float")
    lava_backend.export(graph, tmp_path, target)
    got = lava_backend.run(tmp_path / "model.nir", x, target, record=True)
    np.testing.assert_array_equal(got.output, simulate(graph, x).output)
