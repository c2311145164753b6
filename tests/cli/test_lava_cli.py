"""The headline command end to end: a model trained for loihi2, ``edgesnn export --target loihi2``,
then ``edgesnn run`` on the export directory (edgesnn's Lava build) and on ``model.net`` (netx)."""

import json

import numpy as np
import pytest

from edgesnn.cli import main

pytestmark = [pytest.mark.lava, pytest.mark.timeout(400)]


@pytest.fixture(scope="module")
def loihi2_export(tmp_path_factory, lava_backend):
    from edgesnn.train import train

    root = tmp_path_factory.mktemp("loihi2")
    # hardware-aware for loihi2: reset to zero, weights on the 8-bit Loihi grid (short, small)
    train(
        "digits",
        "wearable",
        target="loihi2",
        epochs=2,
        out=root / "run",
        progress=False,
        ann_twin=False,
        overrides={"hidden": [32], "timesteps": 10, "lr": 5e-3},
    )
    assert main(["export", str(root / "run"), "--target", "loihi2", "--out", str(root / "lava"), "--json"]) == 0
    return root


def test_export_writes_every_artifact_with_parity(loihi2_export):
    out = loihi2_export / "lava"
    for name in ("model.nir", "model.net", "parity.json", "manifest.json"):
        assert (out / name).is_file(), name
    parity = json.loads((out / "parity.json").read_text())
    ref, torch_side = parity["vs_reference"], parity["vs_torch"]
    assert ref["spike_agreement"] >= 0.999 and torch_side["spike_agreement"] >= 0.999
    assert abs(ref["runtime_accuracy"] - ref["reference_accuracy"]) <= 0.01
    assert ref["reference_accuracy"] > 0.5  # a trained model, not chance (0.1)


def test_run_directory_and_netx_file_give_the_same_spikes(loihi2_export, tmp_path, capsys):
    out = loihi2_export / "lava"
    x = (np.random.default_rng(0).random((10, 3, 1, 8, 8)) < 0.3).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    capsys.readouterr()
    assert (
        main(["run", str(out), "--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "lava.npy"), "--json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["output_shape"] == [10, 3, 10]
    assert (
        main(
            ["run", str(out / "model.net"), "--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "netx.npy")]
        )
        == 0
    )
    lava, netx = np.load(tmp_path / "lava.npy"), np.load(tmp_path / "netx.npy")
    assert lava.shape == netx.shape == (10, 3, 10) and lava.sum() > 0
    np.testing.assert_array_equal(lava, netx)


@pytest.mark.parametrize(
    "x,fragment",
    [
        (np.zeros((0, 2, 1, 8, 8), np.float32), "at least one timestep"),
        (np.full((4, 2, 1, 8, 8), 0.5, np.float32), "takes spikes (0/1)"),
        (np.zeros((4, 2, 12), np.float32), "takes [64] per step"),
    ],
)
def test_bad_input_to_model_net_is_one_line_exit_1(loihi2_export, x, fragment, tmp_path, capsys):
    np.save(tmp_path / "x.npy", x)
    capsys.readouterr()
    assert main(["run", str(loihi2_export / "lava" / "model.net"), "--input", str(tmp_path / "x.npy")]) == 1
    err = capsys.readouterr().err.strip()
    assert fragment in err and "\n" not in err


def test_clipped_weights_are_one_warning_line(lava_backend, tmp_path, capsys):
    """Weights beyond the fixed-point range: exported with the clipping reported, never silently."""
    import nir

    n = 4
    lif = nir.LIF(
        tau=np.full(n, 5e-3), r=np.full(n, 5.0), v_leak=np.zeros(n), v_threshold=np.ones(n), v_reset=np.zeros(n)
    )
    graph = nir.NIRGraph(
        {
            "input": nir.Input(np.array([n])),
            "w": nir.Linear(np.eye(n) * 1e6),
            "lif": lif,
            "output": nir.Output(np.array([n])),
        },
        [("input", "w"), ("w", "lif"), ("lif", "output")],
    )
    nir.write(tmp_path / "huge.nir", graph)
    capsys.readouterr()
    assert (
        main(
            [
                "export",
                str(tmp_path / "huge.nir"),
                "--target",
                "loihi2",
                "--out",
                str(tmp_path / "out"),
                "--json",
                "--reset",
                "zero",
                "--dt",
                "1e-4",
            ]
        )
        == 0
    )  # stated, so the only warning is the clipping
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["warning: loihi2 quantisation clipped 4 values (see lava.json)"]
    assert json.loads((tmp_path / "out" / "lava.json").read_text())["quantization"]["clipped"] == 4
