"""lava-dl netx files (``model.net``) of convolutional networks, run in real Lava.

The graphs are on the Loihi fixed-point grid (``grid.py``): conv weights are small integers
times ``2**-4``, dense weights ``k / 64``, LIF with ``dt / tau = 1/4`` and ``r = 4`` (gain 1),
per-neuron biases on the ``1/V`` grid; so edgesnn's own fixed-point build is exact and the
netx file must replay it spike for spike.
"""

from __future__ import annotations

import json

import h5py
import nir
import numpy as np
import pytest

from edgesnn.backends.lava.netx import NotExpressible, write_netx
from edgesnn.backends.lava.plan import Connection, Plan, Population, Tap
from edgesnn.config import load_target
from edgesnn.errors import DataError
from edgesnn.nir import simulate

F32 = np.float32
DT = 1e-3


def _lif(shape, v_leak=None):
    """dt/tau = 1/4, r = 4: gain 1, dv = 1024 exactly; ``v_leak`` per neuron (bias = v_leak / 4)."""
    ones = np.ones(shape)
    leak = np.zeros(shape) if v_leak is None else v_leak
    return nir.LIF(tau=4e-3 * ones, r=4.0 * ones, v_leak=leak, v_threshold=ones, v_reset=0.0 * ones)


def _conv_w(rng, shape, lo=-3, hi=7):
    """Integer mantissas times 2**-4 (one of them 7: the exponent is fixed, so V = 2**8)."""
    k = rng.integers(lo, hi + 1, shape).astype(float)
    k.flat[0] = 7
    return k / 16


def _dense_w(rng, shape):
    k = np.clip(np.round(rng.normal(0.1, 0.6, shape) * 64), -127, 127)
    k.flat[0] = 127
    return k / 64


def cnn(seed=0):
    """Input (2, 8, 6) -> Conv2d 2->4 k3 p1 -> LIF -> Conv2d 4->4 k3 s2 p1 -> LIF -> Flatten -> Affine -> LIF.

    Non-square maps and random kernels catch any swapped axis; lif1 has a per-neuron leak map
    (a per-position bias: the file holds it in Lava's (W, H, C) order).
    """
    rng = np.random.default_rng(seed)
    h1, h2 = (4, 8, 6), (4, 4, 3)
    leak = rng.integers(-1, 2, h1) / 64  # bias' = leak / 4 = k / 256 = k / V
    nodes = {
        "input": nir.Input(np.array([2, 8, 6])),
        "conv1": nir.Conv2d((8, 6), _conv_w(rng, (4, 2, 3, 3)), 1, 1, 1, 1, np.zeros(4)),
        "lif1": _lif(h1, leak),
        "conv2": nir.Conv2d((8, 6), _conv_w(rng, (4, 4, 3, 3), lo=-6), 2, 1, 1, 1, np.zeros(4)),
        "lif2": _lif(h2),
        "flat": nir.Flatten({"input": np.array(h2)}, start_dim=0),
        "fc": nir.Affine(_dense_w(rng, (10, 48)), np.zeros(10)),
        "lif3": _lif((10,)),
        "output": nir.Output(np.array([10])),
    }
    order = list(nodes)
    return nir.NIRGraph(nodes, list(zip(order, order[1:])), metadata={"dt": DT, "reset": "zero"})


def cnn1d(seed=0):
    """Input (2, 12) -> Conv1d 2->3 k3 p1 -> LIF -> Flatten -> Affine -> LIF (Conv on (C, 1, L))."""
    rng = np.random.default_rng(seed)
    nodes = {
        "input": nir.Input(np.array([2, 12])),
        "conv": nir.Conv1d(12, _conv_w(rng, (3, 2, 3)), 1, 1, 1, 1, np.zeros(3)),
        "lif1": _lif((3, 12), rng.integers(-1, 2, (3, 12)) / 64),
        "flat": nir.Flatten({"input": np.array([3, 12])}, start_dim=0),
        "fc": nir.Affine(_dense_w(rng, (6, 36)), np.zeros(6)),
        "lif2": _lif((6,)),
        "output": nir.Output(np.array([6])),
    }
    order = list(nodes)
    return nir.NIRGraph(nodes, list(zip(order, order[1:])), metadata={"dt": DT, "reset": "zero"})


def spikes(T, B, shape, p=0.3, seed=1):
    return (np.random.default_rng(seed).random((T, B, *shape)) < p).astype(F32)


def _netx_summary(path):
    return json.loads((path / "lava.json").read_text())["netx"]


@pytest.mark.lava
@pytest.mark.timeout(240)
def test_conv2d_netx_replays_the_fixed_point_build(lava_backend, tmp_path):
    graph = cnn()
    x = spikes(12, 3, (2, 8, 6))
    target = load_target("loihi2")
    lava_backend.export(graph, tmp_path, target)
    assert _netx_summary(tmp_path) == {"written": True}
    with h5py.File(tmp_path / "model.net") as f:  # the file is in NIR order; netx reverses it
        kinds = [f[f"layer/{i}/type"][()].decode() for i in range(len(f["layer"]))]
        assert kinds == ["input", "conv", "conv", "flatten", "dense"]
        assert list(f["layer/0/shape"][()]) == [2, 8, 6]
        assert list(f["layer/2/shape"][()]) == [4, 4, 3] and list(f["layer/2/stride"][()]) == [2, 2]
        assert f["layer/1/weight"].shape == (4, 2, 3, 3) and f["layer/1/bias"].shape == (6, 8, 4)
    ref = simulate(graph, x, record=True)
    got = lava_backend.run(tmp_path / "model.nir", x, target, record=True)
    net = lava_backend.run(tmp_path / "model.net", x, target)
    np.testing.assert_array_equal(net.output, got.output)
    assert net.output.shape == (12, 3, 10) and net.output.sum() > 0
    for name in ("lif1", "lif2", "lif3"):
        assert got.records[name].sum() > 0, name  # every layer spikes
        assert float((got.records[name] == ref.records[name]).mean()) >= 0.99, name
    assert float((got.output == ref.output).mean()) >= 0.99


@pytest.mark.lava
@pytest.mark.timeout(240)
def test_conv1d_netx_replays_the_fixed_point_build(lava_backend, tmp_path):
    graph = cnn1d()
    x = spikes(10, 3, (2, 12))
    target = load_target("loihi2")
    lava_backend.export(graph, tmp_path, target)
    assert _netx_summary(tmp_path) == {"written": True}
    with h5py.File(tmp_path / "model.net") as f:
        assert list(f["layer/0/shape"][()]) == [2, 1, 12] and list(f["layer/1/shape"][()]) == [3, 1, 12]
    ref = simulate(graph, x)
    got = lava_backend.run(tmp_path / "model.nir", x, target, record=True)
    net = lava_backend.run(tmp_path / "model.net", x, target)
    np.testing.assert_array_equal(net.output, got.output)
    assert net.output.sum() > 0 and got.records["lif1"].sum() > 0
    assert float((net.output == ref.output).mean()) >= 0.99
    with pytest.raises(DataError, match="spikes"):  # netx's synapses read unary spikes: graded input refused
        lava_backend.run(tmp_path / "model.net", x * 0.5, target)


def _pop(name, shape, depth):
    zeros = np.zeros(shape)
    return Population(
        name=name,
        nir_type="LIF",
        shape=shape,
        du=1.0,
        dv=0.25,
        vth=1.0,
        bias=zeros,
        bias_u=None,
        v_scale=np.ones(shape),
        v_offset=zeros,
        depth=depth,
    )


def test_pooling_between_conv_and_neuron_is_not_expressible(tmp_path):
    """Conv -> SumPool -> LIF (a connection feeding a connection): netx has no pooling layer."""
    conv = Connection(
        name="conv",
        kind="conv",
        src="input",
        in_shape=(1, 4, 4),
        out_shape=(2, 4, 4),
        weight=np.ones((2, 1, 3, 3)),
        bias=np.zeros((2, 4, 4)),
        padding=(1, 1),
        dst="pool",
        depth=1,
    )
    pool = Connection(
        name="pool",
        kind="conv",
        src="conv",
        in_shape=(2, 4, 4),
        out_shape=(2, 2, 2),
        weight=np.ones((2, 1, 2, 2)),
        bias=np.zeros((2, 2, 2)),
        stride=(2, 2),
        groups=2,
        dst="lif",
        depth=2,
    )
    plan = Plan(
        input_name="input",
        input_shape=(1, 4, 4),
        populations={"lif": _pop("lif", (2, 2, 2), 2)},
        connections={"conv": conv, "pool": pool},
        taps=[Tap("output", "lif", "spikes", 2, (2, 2, 2))],
        precision="fixed_pt",
    )
    with pytest.raises(NotExpressible, match="pooling"):
        write_netx(plan, tmp_path / "model.net")
    assert not (tmp_path / "model.net").exists()


def test_bad_netx_files_are_one_line_errors(tmp_path, capsys):
    import h5py

    from edgesnn.cli import main

    np.save(tmp_path / "x.npy", np.zeros((4, 2, 12), np.float32))
    (tmp_path / "junk.net").write_bytes(b"not hdf5")
    h5py.File(tmp_path / "empty.net", "w").close()
    for name, fragment in (("junk.net", "not a readable HDF5 file"), ("empty.net", "no 'layer' group")):
        assert main(["run", str(tmp_path / name), "--input", str(tmp_path / "x.npy")]) == 1
        err = capsys.readouterr().err.strip()
        assert fragment in err and "\n" not in err and "Traceback" not in err
