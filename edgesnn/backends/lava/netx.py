"""Write a network as a lava-dl netx HDF5 file (``model.net``) and run one through netx.

netx (``lava.lib.dl.netx.hdf5.Network``) reads a *sequence* of layers: ``input``, ``dense``,
``dense_rec``, ``conv``, ``flatten`` with CUBA neurons (Lava's LIF: strict ``v > vth``, reset
to zero) in integers: ``weight`` (effective integer weights; netx picks the 8-bit mantissa
and exponent itself), ``neuron: {type: CUBA, iDecay = du + 1, vDecay = dv, vThMant = vth}``,
``bias`` in units of 2**6. So the file is written from the **fixed-point** plan
(``quantize.py``), whose bias exponent is 6 or 7 for exactly this reason.

Written when every layer is expressible; otherwise ``NotExpressible`` says why and only this
file is skipped (the export keeps ``model.nir``). Not expressible: pooling (netx has no pooling
layer), Conv layers (not written by this version), IF (netx neurons spike on ``>``, reset to
zero; IF here uses ``>=`` and the graph's reset), subtractive/no reset, LI/CubaLI readouts,
CubaLIF with an Affine bias (netx has no constant synaptic input), graded (non-spike) taps,
anything but a chain, and effective weights that are not integers.

netx's timing equals edgesnn's: layer ``i`` (1-based) has depth ``i`` and, with
``reset_interval = T`` and ``reset_offset = 1``, resets at Lava step ``s*T + 1 + i``. A
recurrent layer is written as ``dense_rec``; netx re-picks one exponent for its feed-forward
and recurrent weights together, and its sample period has no gap step, so across samples
its last spike crosses into the next sample (edgesnn's own build gates it): the spike-exact
round trip is proven on feed-forward networks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...errors import UsageError
from .plan import Plan


class NotExpressible(UsageError):
    """The network cannot be written as a netx file (the reason is the message)."""


def _chain(plan: Plan) -> list[str]:
    """Population names in order, checking the plan is a netx-shaped chain."""
    order, src = [], plan.input_name
    while True:
        feed = [c for c in plan.connections.values() if c.src == src and c.dst in plan.populations and c.dst != src]
        if not feed:
            break
        if len(feed) != 1:
            raise NotExpressible(f"'{src}' feeds {len(feed)} layers; netx files are a chain of layers")
        order.append(feed[0].dst)
        src = feed[0].dst
    if len(order) != len(plan.populations):
        raise NotExpressible("the network is not a single chain of layers from the input")
    return order


def _check_kinds(plan: Plan) -> None:
    for c in plan.connections.values():
        if c.kind != "dense":
            raise NotExpressible(f"layer '{c.name}' is a Conv/pooling layer; netx has no pooling and this version writes dense layers only")


def _check(plan: Plan, order: list[str]) -> None:
    for name in order:
        p = plan.populations[name]
        if p.readout or p.reset != "zero" or p.inclusive:
            raise NotExpressible(f"neuron '{name}' ({p.nir_type}, reset {p.reset}) is not netx's CUBA neuron (v > vth, reset to zero)")
        if p.bias_u is not None and np.any(p.bias_u):
            raise NotExpressible(f"neuron '{name}' has a bias into its synaptic current; netx has none")
    if any(t.kind != "spikes" for t in plan.taps) or [t.unit for t in plan.taps] != order[-1:]:
        raise NotExpressible("netx outputs the last layer's spikes only")


def write_netx(qplan: Plan, path: Path, timesteps: int | None = None) -> Path:
    """Write the fixed-point ``qplan`` as netx HDF5; raise ``NotExpressible`` with the reason."""
    import h5py

    if qplan.precision != "fixed_pt":
        raise UsageError("write_netx needs the fixed-point plan (quantize(plan) first)")
    _check_kinds(qplan)
    order = _chain(qplan)
    _check(qplan, order)
    path = Path(path)
    with h5py.File(path, "w") as f:
        layers = f.create_group("layer")
        inp = layers.create_group("0")
        inp.create_dataset("type", data=np.bytes_("input"))
        inp.create_dataset("shape", data=np.array(qplan.input_shape[::-1]))
        for i, name in enumerate(order, start=1):
            pop = qplan.populations[name]
            ff = [c for c in qplan.connections.values() if c.dst == name and c.src != name]
            rec = [c for c in qplan.connections.values() if c.dst == name and c.src == name]
            g = layers.create_group(str(i))
            g.create_dataset("type", data=np.bytes_("dense_rec" if rec else "dense"))
            g.create_dataset("shape", data=np.array([int(np.prod(pop.shape))]))
            g.create_dataset("weight", data=_effective(ff[0]))
            if rec:
                g.create_dataset("weight_rec", data=_effective(rec[0]))
            bias = pop.bias * 2.0 ** (pop.bias_exp - 6)
            if np.any(bias):
                g.create_dataset("bias", data=bias.reshape(-1).astype(np.int64))
            n = g.create_group("neuron")
            n.create_dataset("type", data=np.bytes_("CUBA"))
            n.create_dataset("iDecay", data=int(pop.du) + 1)
            n.create_dataset("vDecay", data=int(pop.dv))
            n.create_dataset("vThMant", data=int(pop.vth))
            n.create_dataset("refDelay", data=1)
            n.create_dataset("gradedSpike", data=False)
        if timesteps:
            f.attrs["timesteps"] = int(timesteps)
    return path


def _effective(c) -> np.ndarray:
    w = c.weight * 2.0**c.weight_exp
    if not np.allclose(w, np.round(w)):
        raise NotExpressible(f"layer '{c.name}' has fractional effective weights (exponent {c.weight_exp}); netx stores integers")
    return np.round(w).astype(np.int64)


def run_netx(path: Path, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Run ``x[T, B, n_in]`` spikes through netx's ``Network`` (fixed_pt); last layer's spikes ``[T, B, n_out]``."""
    import time

    from .compat import import_lava

    L = import_lava(netx=True)
    T, B = x.shape[:2]
    net = L.netx.hdf5.Network(net_config=str(path), reset_interval=T, reset_offset=1)
    depth = len(net.layers)
    steps = B * T + depth + 1
    data = np.zeros((int(np.prod(x.shape[2:])), steps), dtype=np.int32)
    data[:, : B * T] = np.transpose(x.reshape(T, B, -1), (2, 1, 0)).reshape(-1, B * T)
    src = L.io_source.RingBuffer(data=data)
    sink = L.io_sink.RingBuffer(shape=net.out.shape, buffer=steps)
    src.s_out.connect(net.inp)
    net.out.connect(sink.a_in)
    start = time.perf_counter()
    net.run(condition=L.run_conditions.RunSteps(num_steps=steps), run_cfg=L.run_configs.Loihi2SimCfg(select_tag="fixed_pt"))
    wall = time.perf_counter() - start
    try:
        out = np.asarray(sink.data.get())
    finally:
        net.stop()
    idx = np.arange(B)[None, :] * T + np.arange(T)[:, None] + depth
    return (out[:, idx].transpose(1, 2, 0) != 0).astype(np.float32), wall
