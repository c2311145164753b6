"""The Lava backend in real Lava (lava-nc 0.10 on Python 3.11 + numpy 2, patched at import).

Every test that starts Lava is marked ``lava`` and has a hard timeout; each Lava run happens
in a child process (``runner.py``).
"""

from __future__ import annotations

import os

import nir
import numpy as np
import pytest

from edgesnn.backends import get_backend
from edgesnn.backends.lava import lower, quantize
from edgesnn.backends.lava.compat import patch_source
from edgesnn.backends.lava.process import group_members, run_isolated
from edgesnn.config import load_target
from edgesnn.errors import BackendRunError, RuntimeUnavailableError, UnsupportedPrimitiveError
from edgesnn.nir.simulator import simulate
from edgesnn.testing import BackendContract, contract_graphs, contract_input

F32 = np.float32
lava = [pytest.mark.lava]


def _lif(n, rng, tau=5e-3, r=5.0, vth=None):
    vth = rng.uniform(0.5, 1.5, n) if vth is None else np.full(n, vth)
    return nir.LIF(tau=np.full(n, tau), r=np.full(n, r), v_leak=np.zeros(n), v_threshold=vth, v_reset=np.zeros(n))


def mlp(seed=0, n_in=20, h=32, n_out=10):
    """Per-neuron thresholds, r != 1/(1-beta): exercises the normalisation of neurons.py."""
    rng = np.random.default_rng(seed)
    nodes = {
        "input": nir.Input(np.array([n_in])),
        "fc1": nir.Affine(rng.normal(0, 0.5, (h, n_in)), rng.normal(0, 0.1, h)),
        "lif1": _lif(h, rng),
        "fc2": nir.Affine(rng.normal(0, 0.5, (n_out, h)), rng.normal(0, 0.1, n_out)),
        "lif2": _lif(n_out, rng),
        "output": nir.Output(np.array([n_out])),
    }
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")]
    return nir.NIRGraph(nodes, edges, metadata={"dt": 1e-3, "reset": "zero"})


def cuba(seed=0, n_in=20, h=32, n_out=10, readout=False):
    """CubaLIF with Affine biases (they enter the synaptic current) and an optional CubaLI readout."""
    rng = np.random.default_rng(seed)

    def layer(n, li=False):
        kw = dict(
            tau_syn=np.full(n, 4e-3),
            tau_mem=np.full(n, 8e-3),
            r=np.full(n, 4.0),
            v_leak=np.zeros(n),
            w_in=np.full(n, 2.0),
        )
        return nir.CubaLI(**kw) if li else nir.CubaLIF(**kw, v_threshold=rng.uniform(0.5, 1.5, n), v_reset=np.zeros(n))

    nodes = {
        "input": nir.Input(np.array([n_in])),
        "fc1": nir.Affine(rng.normal(0, 0.6, (h, n_in)), rng.normal(0, 0.2, h)),
        "c1": layer(h),
        "fc2": nir.Affine(rng.normal(0, 0.6, (n_out, h)), rng.normal(0, 0.2, n_out)),
        "c2": layer(n_out, readout),
        "output": nir.Output(np.array([n_out])),
    }
    edges = [("input", "fc1"), ("fc1", "c1"), ("c1", "fc2"), ("fc2", "c2"), ("c2", "output")]
    return nir.NIRGraph(nodes, edges, metadata={"dt": 1e-3, "reset": "zero"})


def recurrent(seed=0, n_in=20, h=24, n_out=6):
    """snnTorch RLeaky as exported: a sub-graph with a recurrent Linear (the NIR paper's failure case)."""
    rng = np.random.default_rng(seed)
    sub = nir.NIRGraph(
        {
            "input": nir.Input(np.array([h])),
            "lif": _lif(h, rng),
            "w_rec": nir.Linear(rng.normal(0, 0.4, (h, h))),
            "output": nir.Output(np.array([h])),
        },
        [("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    nodes = {
        "input": nir.Input(np.array([n_in])),
        "fc1": nir.Affine(rng.normal(0, 0.5, (h, n_in)), rng.normal(0, 0.1, h)),
        "rnn": sub,
        "fc2": nir.Affine(rng.normal(0, 0.5, (n_out, h)), np.zeros(n_out)),
        "lif2": _lif(n_out, rng),
        "output": nir.Output(np.array([n_out])),
    }
    edges = [("input", "fc1"), ("fc1", "rnn"), ("rnn", "fc2"), ("fc2", "lif2"), ("lif2", "output")]
    return nir.NIRGraph(nodes, edges, metadata={"dt": 1e-3, "reset": "zero"})


def grid_mlp(seed=0, n_in=20, h=32, n_out=10):
    """Weights k/64 with max |k| = 127 (so V = 128), biases on 1/128, dt/tau = 1/4, gain 1: exact in fixed point."""
    rng = np.random.default_rng(seed)

    def layer(n):
        return nir.LIF(
            tau=np.full(n, 4e-3), r=np.full(n, 4.0), v_leak=np.zeros(n), v_threshold=np.ones(n), v_reset=np.zeros(n)
        )

    def w(shape):
        k = np.clip(np.round(rng.normal(0, 0.5, shape) * 64), -127, 127)
        k.flat[0] = 127
        return k / 64

    nodes = {
        "input": nir.Input(np.array([n_in])),
        "fc1": nir.Affine(w((h, n_in)), np.round(rng.normal(0, 0.05, h) * 128) / 128),
        "lif1": layer(h),
        "fc2": nir.Affine(w((n_out, h)), np.zeros(n_out)),
        "lif2": layer(n_out),
        "output": nir.Output(np.array([n_out])),
    }
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")]
    return nir.NIRGraph(nodes, edges, metadata={"dt": 1e-3, "reset": "zero"})


def spikes(T, B, shape, p=0.3, seed=1):
    return (np.random.default_rng(seed).random((T, B, *shape)) < p).astype(F32)


def agreement(got, ref) -> float:
    return float((np.asarray(got) == np.asarray(ref)).mean())


def export_run(lava_backend, graph, x, target_name, tmp_path, record=True):
    target = load_target(target_name)
    lava_backend.export(graph, tmp_path, target)
    return lava_backend.run(tmp_path / "model.nir", x, target, record=record)


# --------------------------------------------------------------------------- contract


@pytest.mark.lava
@pytest.mark.timeout(240)
class TestLavaFloatContract(BackendContract):
    backend_name = "lava"
    target_name = "lava-float"
    output_atol = 0.0


# --------------------------------------------------------------------------- compatibility layer


def test_patch_source_rewrites_both_defects():
    var_model = "    x: ByteEncoder = ByteEncoder()\n"
    assert "default_factory=ByteEncoder" in patch_source("lava.magma.compiler.var_model", var_model)
    ports = "        return ft.partial(np.reshape, newshape=self.shape)\n"
    assert "newshape" not in patch_source("lava.magma.core.process.ports.ports", ports)
    assert patch_source("some.other.module", ports) == ports
    conv = "    x_out = np.floor(\n        (input_shape[0] + 2 * padding[0]"
    assert "np.asarray(v, dtype=np.int64)" in patch_source("lava.proc.conv.utils", "\n" + conv)


def _wide_conv1d(width=300):
    """A Conv1d over 300 samples (a gene-expression profile): wider than Lava's int8 conv fields."""
    rng = np.random.default_rng(0)
    n_out = 2 * (width - 2)
    nodes = {
        "input": nir.Input(np.array([1, width])),
        "conv": nir.Conv1d(
            input_shape=width,
            weight=rng.normal(0, 1.0, (2, 1, 3)),
            stride=1,
            padding=0,
            dilation=1,
            groups=1,
            bias=np.zeros(2),
        ),
        "lif1": _lif((2, width - 2), rng, vth=1.0),
        "flat": nir.Flatten(start_dim=0, end_dim=-1, input_type={"input": np.array([2, width - 2])}),
        "fc": nir.Affine(rng.normal(0, 0.3, (3, n_out)), np.zeros(3)),
        "lif2": _lif(3, rng),
        "output": nir.Output(np.array([3])),
    }
    edges = [("input", "conv"), ("conv", "lif1"), ("lif1", "flat"), ("flat", "fc"), ("fc", "lif2"), ("lif2", "output")]
    return nir.NIRGraph(nodes, edges, metadata={"dt": 1e-3, "reset": "zero"})


@pytest.mark.lava
@pytest.mark.timeout(120)
@pytest.mark.parametrize("target", ["lava-float", "loihi2"])
def test_conv1d_wider_than_int8_runs(lava_backend, tmp_path, target):
    """Lava's Conv sized its output with int8 fields: a 300-wide input raised OverflowError in the
    worker under numpy 2 (compat.py rewrite 4); now it runs and equals the simulator / the judge."""
    graph = _wide_conv1d()
    x = spikes(10, 3, (1, 300), p=0.4)
    got = export_run(lava_backend, graph, x, target, tmp_path)
    want = (
        simulate(graph, x)
        if target == "lava-float"
        else lava_backend.reference(tmp_path / "model.nir", x, load_target(target))
    )
    assert want.output.sum() > 0
    np.testing.assert_array_equal(got.output, want.output)


def test_a_failing_process_model_reports_its_own_error():
    """Lava says "1 Exception(s) occurred. See output above" and logs the traceback: the error
    edgesnn raises carries the worker's last line instead."""
    import logging

    from edgesnn.backends.lava.build import worker_errors

    log = logging.getLogger("lava.magma.runtime.runtime")
    level = log.level
    log.setLevel(logging.INFO)
    try:
        with pytest.raises(RuntimeError, match=r"^OverflowError: 765 out of bounds \(in a Lava process model"):
            with worker_errors():
                log.info("Traceback (most recent call last):\n  File x\nOverflowError: 765 out of bounds")
                raise RuntimeError("1 Exception(s) occurred. See output above for details.")
    finally:
        log.setLevel(level)


def _reshape_net():
    from edgesnn.backends.lava.compat import import_lava

    L = import_lava()
    data = np.zeros((2, 3, 4))
    data[1, 2, 0] = 1.0  # one spike at step 1, element (1, 2) -> flat index 5
    src = L.io_source.RingBuffer(data=data)
    dense = L.dense.Dense(weights=np.eye(6) * 2.0, num_message_bits=24)
    sink = L.io_sink.RingBuffer(shape=(6,), buffer=4)
    src.s_out.flatten().connect(dense.s_in)  # a reshape port: broken on numpy 2 without the fix
    dense.a_out.connect(sink.a_in)
    src.run(
        condition=L.run_conditions.RunSteps(num_steps=4), run_cfg=L.run_configs.Loihi2SimCfg(select_tag="floating_pt")
    )
    try:
        return np.asarray(sink.data.get())
    finally:
        src.stop()


@pytest.mark.lava
@pytest.mark.timeout(90)
def test_reshape_port_network_runs(lava_backend):
    out = run_isolated(_reshape_net, timeout_s=60)
    assert out[5, 1] == 2.0 and out.sum() == 2.0  # delivered one step later (Dense delay), through the flatten


def test_lava_unavailable_is_exit_3(monkeypatch):
    from edgesnn.backends.lava import compat

    def broken(name, *a, **k):
        raise ImportError(f"No module named '{name}'")

    monkeypatch.setattr(compat.importlib, "import_module", broken)
    backend = get_backend("lava")
    with pytest.raises(RuntimeUnavailableError, match="--no-deps --ignore-requires-python") as info:
        backend.require()
    assert info.value.exit_code == 3
    assert backend.available() is False


# --------------------------------------------------------------------------- parity (float)


@pytest.mark.lava
@pytest.mark.timeout(120)
@pytest.mark.parametrize("target", ["lava-float", "loihi2"])
def test_lif_norse_hits_exact_steps(lava_backend, nir_fixtures, tmp_path, target):
    """Steps 460, 510, 710, 760 after depth alignment; Lava's raw output is one step later (the paper's Lava)."""
    graph = nir.read(nir_fixtures / "lif_norse.nir")
    csv = np.loadtxt(nir_fixtures / "lif_exact.csv", delimiter=",")
    x = csv[:, 0].reshape(-1, 1, 1).astype(F32)
    out = export_run(lava_backend, graph, x, target, tmp_path).output
    assert list(np.flatnonzero(out[:, 0, 0])) == [460, 510, 710, 760]
    assert list(np.flatnonzero(csv[:, 2])) == [460, 510, 710, 760]


@pytest.mark.lava
@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", ["mlp", "cuba", "cuba_li", "recurrent"])
def test_float_matches_simulator(lava_backend, name, tmp_path):
    graph = {"mlp": mlp, "cuba": cuba, "cuba_li": lambda: cuba(readout=True), "recurrent": recurrent}[name]()
    x = spikes(30, 6, (20,))
    ref = simulate(graph, x, record=True)
    got = export_run(lava_backend, graph, x, "lava-float", tmp_path)
    if name == "cuba_li":  # membrane readout
        np.testing.assert_allclose(got.output, ref.output, rtol=1e-5, atol=1e-5)
    else:
        assert agreement(got.output, ref.output) >= 0.999 and ref.output.sum() > 0
    for node, rec in ref.records.items():
        if node in got.records:
            assert agreement(got.records[node], rec) >= 0.999, node
    assert set(got.records) >= {n for n in ref.records if n not in ("c2",)}


@pytest.mark.lava
@pytest.mark.timeout(150)
def test_cnn_sinabs_matches_simulator(lava_backend, nir_fixtures, tmp_path):
    graph = nir.read(nir_fixtures / "cnn_sinabs.nir")
    x = spikes(6, 2, (2, 34, 34), p=0.3, seed=0)
    ref = simulate(graph, x, record=True)
    got = export_run(lava_backend, graph, x, "lava-float", tmp_path)
    assert agreement(got.output, ref.output) >= 0.999
    for node, rec in ref.records.items():
        assert agreement(got.records[node], rec) >= 0.999, node
    assert sum(r.sum() for r in ref.records.values()) > 1000  # the layers are active
    assert not (tmp_path / "model.net").exists()  # pooling: netx cannot express it ...
    import json

    assert "pooling" in json.loads((tmp_path / "lava.json").read_text())["netx"]["reason"]  # ... and says why


# --------------------------------------------------------------------------- fixed point (loihi2)


@pytest.mark.lava
@pytest.mark.timeout(150)
def test_fixed_point_grid_model_matches_and_netx_round_trip(lava_backend, tmp_path):
    """Representable weights: Loihi fixed point reproduces the simulator; model.net replays it in netx."""
    graph = grid_mlp()
    x = spikes(25, 8, (20,))
    ref = simulate(graph, x, record=True)
    got = export_run(lava_backend, graph, x, "loihi2", tmp_path)
    assert agreement(got.output, ref.output) >= 0.995 and ref.output.sum() > 0
    for node, rec in ref.records.items():
        assert agreement(got.records[node], rec) >= 0.995, node
    net = lava_backend.run(tmp_path / "model.net", x, load_target("loihi2"))  # lava-dl netx.hdf5.Network, fixed_pt
    np.testing.assert_array_equal(net.output, got.output)


@pytest.mark.lava
@pytest.mark.timeout(120)
def test_fixed_point_random_mlp_within_tolerance(lava_backend, tmp_path):
    """Unrepresentable weights (8-bit mantissa, rel. error ~1.5 %): at most 2 % of spikes differ."""
    graph = mlp()
    x = spikes(30, 6, (20,))
    ref = simulate(graph, x, record=True)
    got = export_run(lava_backend, graph, x, "loihi2", tmp_path)
    for node, rec in ref.records.items():
        assert agreement(got.records[node], rec) >= 0.98, node


def test_quantization_reports_errors_and_clipping():
    graph = mlp()
    plan = lower(graph, dt=1e-3)
    q, report = quantize(plan)
    assert set(report["layers"]) == {"fc1", "fc2"} and report["clipped"] == 0
    assert 0 < report["layers"]["fc1"]["rel_err"] < 0.03
    assert report["populations"]["lif1"]["dv"] == round(4096 * 0.2) and report["populations"]["lif1"]["du"] == 4095
    w1 = q.connections["fc1"]
    assert w1.weight.dtype.kind == "i" and w1.weight_exp == 0 and np.abs(w1.weight).max() <= 256
    vth = q.populations["lif1"].vth  # the largest state scale with 8-bit weights and no exponent
    assert vth == int(254 / np.abs(plan.connections["fc1"].weight).max())
    huge = mlp()
    huge.nodes["fc1"].weight = huge.nodes["fc1"].weight * 1e6  # beyond the largest exponent
    _, report = quantize(lower(huge, dt=1e-3))
    assert report["layers"]["fc1"]["clipped"] > 0 and report["clipped"] > 0


# --------------------------------------------------------------------------- errors and cleanup


def test_unsupported_primitive_names_supported_list():
    graph = mlp()
    graph.nodes["fc2"] = nir.Threshold(threshold=np.ones(32))
    graph.nodes["lif2"] = _lif(32, np.random.default_rng(0))
    graph.nodes["output"] = nir.Output(np.array([32]))
    with pytest.raises(UnsupportedPrimitiveError, match=r"'fc2' of type Threshold.*supported: .*Affine"):
        lower(graph, dt=1e-3)


def _skip_graph():
    """input -> a -> l1 -> b -> l2 and input -> c -> l2: a skip path one layer shorter."""
    rng = np.random.default_rng(0)
    nodes = {
        "input": nir.Input(np.array([4])),
        "a": nir.Linear(rng.normal(size=(4, 4))),
        "l1": _lif(4, rng),
        "b": nir.Linear(rng.normal(size=(4, 4))),
        "c": nir.Linear(rng.normal(size=(4, 4))),
        "l2": _lif(4, rng),
        "output": nir.Output(np.array([4])),
    }
    edges = [("input", "a"), ("a", "l1"), ("l1", "b"), ("b", "l2"), ("input", "c"), ("c", "l2"), ("l2", "output")]
    return nir.NIRGraph(nodes, edges)


def test_skip_connection_of_unequal_depth_is_delay_aligned():
    plan = lower(_skip_graph(), dt=1e-3)
    delays = [c for c in plan.connections.values() if c.delay]
    assert [(d.src, d.dst, d.depth) for d in delays] == [("input", "c", 1)]
    assert plan.connections["c"].depth == plan.connections["b"].depth == plan.populations["l2"].depth == 2
    np.testing.assert_array_equal(delays[0].weight, np.eye(4))
    q, report = quantize(plan)
    assert report["layers"][delays[0].name]["kind"] == "delay"
    np.testing.assert_array_equal(q.connections[delays[0].name].weight, np.eye(4))  # integer 1: values pass unchanged


@pytest.mark.lava
@pytest.mark.timeout(120)
def test_skip_connection_runs_identical_to_simulator(lava_backend, tmp_path):
    graph = _skip_graph()
    x = spikes(20, 4, (4,), p=0.5)
    ref = simulate(graph, x, record=True)
    got = export_run(lava_backend, graph, x, "lava-float", tmp_path)
    assert ref.output.sum() > 0
    np.testing.assert_array_equal(got.output, ref.output)


def _sum_of_units_graph():
    """l3 sums l1's and l2's spikes directly (no linear node between: NIR sums a node's inputs)."""
    rng = np.random.default_rng(1)
    nodes = {
        "input": nir.Input(np.array([4])),
        "a": nir.Linear(2 * rng.random((4, 4))),
        "l1": _lif(4, rng),
        "b": nir.Linear(2 * rng.random((4, 4))),
        "l2": _lif(4, rng),
        "l3": _lif(4, rng, r=20.0),
        "output": nir.Output(np.array([4])),
    }
    edges = [("input", "a"), ("a", "l1"), ("input", "b"), ("b", "l2"), ("l1", "l3"), ("l2", "l3"), ("l3", "output")]
    return nir.NIRGraph(nodes, edges)


@pytest.mark.lava
@pytest.mark.timeout(120)
def test_neuron_summing_two_neuron_layers(lava_backend, tmp_path):
    plan = lower(_sum_of_units_graph(), dt=1e-3)
    assert sorted(c.name for c in plan.connections.values() if c.dst == "l3") == ["l3.syn", "l3.syn+1"]
    x = spikes(20, 4, (4,), p=0.5)
    ref = simulate(_sum_of_units_graph(), x, record=True)
    got = export_run(lava_backend, _sum_of_units_graph(), x, "lava-float", tmp_path)
    assert ref.output.sum() > 0 and ref.records["l1"].sum() > 0 and ref.records["l2"].sum() > 0
    np.testing.assert_array_equal(got.output, ref.output)


def _hanging_lava(pidfile: str):
    """A Lava network whose LIF model raises in its worker (Lava reports it, or waits forever)."""
    from edgesnn.backends.lava.compat import import_lava

    with open(pidfile, "w") as fh:
        fh.write(str(os.getpid()))
    L = import_lava()
    src = L.io_source.RingBuffer(data=np.ones((3, 5)))
    lif = L.lif.LIF(shape=(3,), du=1.0, dv=0.0, vth=1.0)
    lif.vth.init = "not a number"  # `v > vth` raises TypeError inside the worker
    src.s_out.connect(lif.a_in)
    lif.run(
        condition=L.run_conditions.RunSteps(num_steps=5), run_cfg=L.run_configs.Loihi2SimCfg(select_tag="floating_pt")
    )
    return "finished"


@pytest.mark.lava
@pytest.mark.timeout(90)
def test_failing_worker_is_reported_and_killed_without_orphans(lava_backend, tmp_path):
    pidfile = tmp_path / "pid"
    with pytest.raises(BackendRunError, match="failed in Lava: RuntimeError|did not finish within 10 s and was killed"):
        run_isolated(_hanging_lava, str(pidfile), timeout_s=10)
    pgid = int(pidfile.read_text())
    assert group_members(pgid) == []  # Lava's worker processes died with the group


def test_child_error_becomes_backend_run_error():
    def boom():
        raise ValueError("bad model")

    with pytest.raises(BackendRunError, match="ValueError: bad model"):
        run_isolated(boom, timeout_s=30)


def _leaves_a_worker_behind(outcome: str):
    """Like a Lava run whose worker outlives it: a grandchild holds the result pipe open for 60 s."""
    import time

    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
    time.sleep(1.5)  # the parent has looked at least once and found the child alive
    if outcome == "die":
        os._exit(3)
    return outcome


@pytest.mark.timeout(60)
@pytest.mark.parametrize("outcome", ["ok", "die"])
def test_a_finished_child_is_not_waited_for_past_its_workers(outcome):
    """The pipe stays open while a worker lives; the child's exit ends the wait, not the timeout
    (an export once sat 6 minutes behind a dead child's Lava worker)."""
    import time

    start = time.monotonic()
    if outcome == "ok":
        assert run_isolated(_leaves_a_worker_behind, "ok", timeout_s=45) == "ok"
    else:
        with pytest.raises(BackendRunError, match=r"died without a result \(exit code 3\)"):
            run_isolated(_leaves_a_worker_behind, "die", timeout_s=45)
    assert time.monotonic() - start < 15


def test_contract_graphs_lower():
    for graph in contract_graphs().values():
        plan = lower(graph, dt=1e-3, reset="subtract")
        assert plan.taps and plan.max_depth >= 2
        x = contract_input(graph)  # a dict name -> spikes for the multimodal graph
        xs = x if isinstance(x, dict) else {plan.input_name: x}
        assert {n: v.shape[2:] for n, v in xs.items()} == plan.inputs


def cnn1d_graph(seed=0, gain=8.0):
    """edgesnn's 1-D CNN (Conv1d, pooling as a depthwise constant Conv1d), weights x gain so it spikes."""
    import torch

    import edgesnn.models
    import edgesnn.models.to_nir
    import edgesnn.nir
    from edgesnn.models import resolve

    torch.manual_seed(seed)
    graph = edgesnn.models.to_nir.to_nir(edgesnn.models.build(resolve("cnn1d", {}), (30,), 3), dt=1e-3)
    for node in graph.nodes.values():
        if isinstance(node, nir.Affine) or (isinstance(node, nir.Conv1d) and int(node.groups) == 1):
            node.weight = node.weight * gain
    return graph


@pytest.mark.lava
@pytest.mark.timeout(150)
def test_cnn1d_matches_simulator(lava_backend, tmp_path):
    graph = cnn1d_graph()
    assert sum(isinstance(n, nir.Conv1d) for n in graph.nodes.values()) == 6
    x = spikes(8, 3, tuple(int(d) for d in graph.nodes["x"].input_type["input"]), p=0.4, seed=2)
    ref = simulate(graph, x, record=True)
    # In memory (lowering -> real Lava in the child -> readout): edgesnn.nir.read_graph cannot yet
    # re-load a depthwise Conv1d from model.nir (NIR 1.0.8 infers its input as 1 channel).
    from edgesnn.backends.lava.backend import _run_child, plan_for
    from edgesnn.backends.lava.readout import to_result

    plan, _ = plan_for(graph, load_target("lava-float"))
    raw, wall = run_isolated(_run_child, plan, x, True, timeout_s=120)
    got = to_result(plan, raw, x.shape[0], x.shape[1], True, wall)
    np.testing.assert_array_equal(got.output, ref.output)
    for node, rec in ref.records.items():
        np.testing.assert_array_equal(got.records[node], rec, err_msg=node)
    assert ref.output.sum() > 0 and all(
        ref.records[n].sum() > 100 for n in ("conv_acts_0", "conv_acts_1", "conv_acts_2")
    )


@pytest.mark.lava
@pytest.mark.timeout(150)
def test_off_grid_graph_on_loihi2_is_exact_to_the_chip_and_warns_with_a_hint(lava_backend, nir_fixtures, tmp_path):
    """Sinabs' float weights rounded to 8 bits: Lava equals the Loihi judge spike for spike; the gap
    to the float graph is measured, kept in parity.json and named in one warning with the way out."""
    from edgesnn.errors import EdgeSNNWarning
    from edgesnn.export import export

    with pytest.warns(EdgeSNNWarning, match=r"differs from the float graph in .*train for it") as caught:
        result = export(nir_fixtures / "cnn_sinabs.nir", "loihi2", out=tmp_path / "out")
    p = result.parity
    assert p["passed"] and p["vs_reference"]["mismatches"] == 0 and "loihi2" in p["judge"]
    assert 1.0 - p["vs_float_reference"]["spike_agreement"] > p["tolerance"]  # rounding cost, not hidden
    assert all("\n" not in str(w.message) for w in caught)


def test_non_finite_input_is_refused_before_fixed_point_quantisation(lava_backend, tmp_path):
    """The input scale of loihi2 is computed from x: a NaN must be a DataError, not a crash in it."""
    from edgesnn.errors import DataError

    graph = mlp()
    nir.write(tmp_path / "model.nir", graph)
    x = spikes(5, 2, (20,))
    x[0, 0, 0] = np.nan
    with pytest.raises(DataError, match="1 NaN or infinite"):
        lava_backend.run(tmp_path / "model.nir", x, load_target("loihi2"))


@pytest.mark.parametrize("kernel", [3, 4])
def test_same_padding_is_read_like_the_simulator(kernel):
    """'same' pads d(k-1) in total, the odd zero at the end (the simulator); Lava pads both sides
    equally, so an odd total is refused instead of run one position shifted."""
    rng = np.random.default_rng(0)
    lif = nir.LIF(
        tau=np.full((3, 10), 5e-3),
        r=np.full((3, 10), 5.0),
        v_leak=np.zeros((3, 10)),
        v_threshold=np.ones((3, 10)),
        v_reset=np.zeros((3, 10)),
    )  # per-channel uniform, as a Conv needs
    nodes = {
        "input": nir.Input(np.array([2, 10])),
        "conv": nir.Conv1d(
            input_shape=10,
            weight=rng.normal(size=(3, 2, kernel)),
            stride=1,
            padding="same",
            dilation=None,
            groups=1,
            bias=np.zeros(3),
        ),
        "lif": lif,
        "output": nir.Output(np.array([3, 10])),
    }
    graph = nir.NIRGraph(nodes, [("input", "conv"), ("conv", "lif"), ("lif", "output")])
    if kernel % 2:
        plan = lower(graph, dt=1e-3)
        assert plan.connections["conv"].padding == (0, 1) and plan.populations["lif"].shape == (3, 10)
    else:
        with pytest.raises(UnsupportedPrimitiveError, match="uneven padding"):
            lower(graph, dt=1e-3)
