"""Write a network as a lava-dl netx HDF5 file (``model.net``) and run one through netx.

netx (``lava.lib.dl.netx.hdf5.Network``) reads a *sequence* of layers: ``input``, ``dense``,
``dense_rec``, ``conv``, ``flatten`` with CUBA neurons (Lava's LIF: strict ``v > vth``, reset
to zero) in integers: ``weight`` (effective integer weights; for a dense layer netx picks the
8-bit mantissa and exponent itself, a conv layer has none: its weights are the integers),
``neuron: {type: CUBA, iDecay = du + 1, vDecay = dv, vThMant = vth}``, ``bias`` in units of
2**6. So the file is written from the **fixed-point** plan (``quantize.py``), whose bias
exponent is 6 or 7 for exactly this reason: ``bias = mant * 2**(bias_exp - 6)``.

Expressible: a chain ``Input -> L1 -> ... -> Ln`` where each layer ``Li`` is one Dense or Conv
(Conv2d, or Conv1d as the Conv on ``(C, 1, L)`` of ``linear.py``) feeding one LIF-type
population, the last layer's spikes being the only output. Layout conventions of the file
(netx reverses what it reads, so the file is in NIR order):

* ``shape``: NIR order ``(C, H, W)`` (netx turns it into Lava's ``(W, H, C)``); a conv
  layer's shape is its connection's ``out_shape`` (``(C, 1, L)`` for a Conv1d), the input's
  is the first connection's ``in_shape`` if that is a Conv, else the plan's input shape.
* conv ``weight``: NIR ``(out, in/groups, kh, kw)``; netx flips and transposes it exactly as
  ``build.conv_kernel`` does. ``stride``, ``padding``, ``dilation``: ``(h, w)`` arrays (netx
  reverses them to Lava's ``(x, y)``); ``groups``: an integer.
* conv ``bias``: one integer per neuron in Lava's ``(W, H, C)`` order (netx takes it as is),
  i.e. the population's bias map reshaped to ``out_shape`` with all axes reversed.
* a dense layer fed by a multi-dimensional layer is preceded by a ``flatten`` entry: netx then
  feeds it ``out.transpose([2, 1, 0]).flatten()``, i.e. Lava's ``(W, H, C)`` back to
  ``(C, H, W)`` flattened in C order - NIR's Flatten. So its weight is the plan's NIR
  ``(out, in)`` matrix as it is (no column permutation, unlike ``build.dense_columns``).
* file attributes (netx ignores them): ``timesteps`` and ``output_shape`` (the NIR shape of
  the Output, which ``run_netx`` gives its result, e.g. ``(C, L)`` for a Conv1d layer).

Written when every layer is expressible; otherwise ``NotExpressible`` says why and only this
file is skipped (the export keeps ``model.nir``). Not expressible: a connection chained to
another with no neuron layer between - pooling next to a Conv, or two linear layers in a row
(netx has no pooling layer, and each netx layer is one synapse plus one neuron layer; a
pooling layer alone between two neuron layers is a depthwise Conv and is written as one),
a Conv fed by a dense layer, IF (netx neurons spike on ``>``, reset to zero; IF here uses ``>=`` and the graph's
reset), subtractive/no reset, LI/CubaLI readouts, CubaLIF with an Affine bias (netx has no
constant synaptic input), graded (non-spike) taps, a graded input (``input_scale != 1``:
the file's network takes unary spikes; ``run_netx`` refuses graded ``x``), anything but a chain, and effective weights that are
not integers.

netx's timing equals edgesnn's: layer ``i`` (1-based) has depth ``i`` and, with
``reset_interval = P`` and ``reset_offset = 1``, resets at Lava step ``s*P + 1 + i``. A
recurrent layer is written as ``dense_rec`` (netx re-picks one exponent for its feed-forward
and recurrent weights together). netx's reset does not stop a spike already on the
back-connection, so ``run_netx`` runs a recurrent file one sample at a time with its state
cleared in between (edgesnn's own build gates the gap step instead). The spike-exact round
trip is tested on dense, conv and recurrent networks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...errors import ArtifactError, DataError, ShapeError, UsageError
from .build import from_lava_series
from .plan import Connection, Plan
from .readout import gather


class NotExpressible(UsageError):
    """The network cannot be written as a netx file (the reason is the message)."""


def _check_linear(plan: Plan) -> None:
    """Every connection joins a unit to a population: no pooling, no linear op feeding another."""
    for c in plan.connections.values():
        if c.delay:
            raise NotExpressible(f"layer '{c.name}' delays a skip path; netx files are a chain of layers")
        if c.dst in plan.connections:
            raise NotExpressible(
                f"layer '{c.name}' feeds layer '{c.dst}' with no neuron layer between (pooling, or two linear "
                "layers in a row); netx has no pooling layer and each netx layer is one synapse plus one neuron layer"
            )
        if c.kind not in ("dense", "conv"):
            raise NotExpressible(f"layer '{c.name}' is a {c.kind} connection; netx files hold dense and conv layers")


def _chain(plan: Plan) -> list[str]:
    """Population names in order, checking the plan is a netx-shaped chain."""
    if len(plan.inputs) > 1:
        raise NotExpressible(
            f"the network has {len(plan.inputs)} inputs ({', '.join(plan.inputs)}); a netx file has one"
        )
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


def _check(plan: Plan, order: list[str]) -> None:
    if plan.input_scale != 1.0:
        raise NotExpressible(
            f"the input is graded (sent as integers x {plan.input_scale:g}); the netx file's network takes spikes (0/1)"
        )
    for name in order:
        p = plan.populations[name]
        if p.readout or p.reset != "zero" or p.inclusive:
            raise NotExpressible(
                f"neuron '{name}' ({p.nir_type}, reset {p.reset}) is not netx's CUBA neuron (v > vth, reset to zero)"
            )
        if p.bias_u is not None and np.any(p.bias_u):
            raise NotExpressible(f"neuron '{name}' has a bias into its synaptic current; netx has none")
    if any(t.kind != "spikes" for t in plan.taps) or [t.unit for t in plan.taps] != order[-1:]:
        raise NotExpressible("netx outputs the last layer's spikes only")


def _feeds(plan: Plan, name: str) -> tuple[Connection, Connection | None]:
    """The feed-forward connection into population ``name`` and its recurrent one (or None)."""
    ff = [c for c in plan.connections.values() if c.dst == name and c.src != name]
    rec = [c for c in plan.connections.values() if c.dst == name and c.src == name]
    if len(ff) != 1:
        raise NotExpressible(f"neuron '{name}' has {len(ff)} feed-forward inputs; a netx layer has one")
    return ff[0], (rec[0] if rec else None)


def write_netx(qplan: Plan, path: Path, timesteps: int | None = None) -> Path:
    """Write the fixed-point ``qplan`` as netx HDF5; raise ``NotExpressible`` with the reason."""
    import h5py

    if qplan.precision != "fixed_pt":
        raise UsageError("write_netx needs the fixed-point plan (quantize(plan) first)")
    _check_linear(qplan)
    order = _chain(qplan)
    _check(qplan, order)
    feeds = [_feeds(qplan, name) for name in order]
    first = feeds[0][0] if feeds else None
    shape = tuple(first.in_shape) if first is not None and first.kind == "conv" else tuple(qplan.input_shape)
    layers = [("input", {"shape": np.array(shape)})]
    for name, (ff, rec) in zip(order, feeds):  # everything is checked before the file is opened
        pop = qplan.populations[name]
        if rec is not None and ff.kind != "dense":
            raise NotExpressible(f"neuron '{name}' has a recurrent connection behind a conv; netx has dense_rec only")
        if ff.kind == "conv":
            if tuple(ff.in_shape) != shape or len(shape) != 3:
                raise NotExpressible(
                    f"conv layer '{ff.name}' reads a layer of shape {shape}, not {tuple(ff.in_shape)}; "
                    "netx feeds a conv from the input or another conv layer"
                )
            shape = tuple(ff.out_shape)
            entry = {
                "shape": np.array(shape),
                "weight": _effective(ff),
                "stride": np.array(ff.stride),
                "padding": np.array(ff.padding),
                "dilation": np.array(ff.dilation),
                "groups": int(ff.groups),
            }
            bias = np.transpose(_bias(pop).reshape(shape))  # NIR (C, H, W) -> netx/Lava (W, H, C)
        else:
            if len(shape) > 1 and layers[-1][0] != "input":
                layers.append(("flatten", {}))
            shape = (int(np.prod(pop.shape)),)
            entry = {"shape": np.array(shape), "weight": _effective(ff)}
            if rec is not None:
                entry["weight_rec"] = _effective(rec)
            bias = _bias(pop).reshape(-1)
        if np.any(bias):
            entry["bias"] = bias
        entry["neuron"] = {
            "type": np.bytes_("CUBA"),
            "iDecay": int(pop.du) + 1,
            "vDecay": int(pop.dv),
            "vThMant": int(pop.vth),
            "refDelay": 1,
            "gradedSpike": False,
        }
        layers.append(("dense_rec" if rec is not None else ff.kind, entry))
    path = Path(path)
    with h5py.File(path, "w") as f:
        group = f.create_group("layer")
        for i, (kind, entry) in enumerate(layers):
            g = group.create_group(str(i))
            g.create_dataset("type", data=np.bytes_(kind))
            for key, value in entry.items():
                if isinstance(value, dict):
                    n = g.create_group(key)
                    for k, v in value.items():
                        n.create_dataset(k, data=v)
                else:
                    g.create_dataset(key, data=value)
        if timesteps:
            f.attrs["timesteps"] = int(timesteps)
        if qplan.taps:
            f.attrs["output_shape"] = np.array(qplan.taps[0].shape, dtype=np.int64)
    return path


def _bias(pop) -> np.ndarray:
    """The population's bias in netx units (``bias_exp`` 6): ``mant * 2**(bias_exp - 6)``, integers."""
    exp = np.zeros(pop.shape) if pop.bias_exp is None else np.asarray(pop.bias_exp)
    return np.round(pop.bias * 2.0 ** (exp - 6)).astype(np.int64)


def _effective(c: Connection) -> np.ndarray:
    w = c.weight * 2.0**c.weight_exp
    if not np.allclose(w, np.round(w)):
        raise NotExpressible(
            f"layer '{c.name}' has fractional effective weights (exponent {c.weight_exp}); netx stores integers"
        )
    return np.round(w).astype(np.int64)


def run_netx(path: Path, x: np.ndarray) -> tuple[np.ndarray, float]:
    """Run ``x[T, B, *input]`` spikes through netx's ``Network`` (fixed_pt); last layer's spikes ``[T, B, *out]``.

    The input is sent in netx's input layout (Lava's ``(W, H, C)``, or flat for a dense first
    layer); the output comes back in NIR order, shaped as the graph's Output
    (``output_shape`` attribute; else the last layer's shape reversed).

    Samples follow each other with period ``P = T + depth`` (``depth`` = number of layers), and
    netx resets layer ``i`` at step ``s*P + 1 + i``. That reset clears ``u`` and ``v`` but not a
    spike already in flight on a ``dense_rec`` back-connection, so a file with a recurrent layer
    is run one sample per ``run()`` call with every neuron state and synaptic buffer set to zero
    in between (one compile, no sample leaks into the next); a feed-forward file in one call.
    """
    import time

    import h5py

    from .compat import import_lava

    x = np.asarray(x)
    if not np.isin(x, (0.0, 1.0)).all():
        raise DataError(
            "a netx file's network takes spikes (0/1) as input; this input is graded (run the export directory's model.nir instead)"
        )
    with h5py.File(path, "r") as f:
        out_shape = tuple(int(d) for d in f.attrs["output_shape"]) if "output_shape" in f.attrs else None
        kinds = [f["layer"][k]["type"][()].decode() for k in f["layer"]]
    depth = sum(kind in ("dense", "dense_rec", "conv") for kind in kinds)  # netx's layers: one step each
    L = import_lava(netx=True)
    T, B = x.shape[:2]
    period = T + depth
    net = L.netx.hdf5.Network(net_config=str(path), reset_interval=period, reset_offset=1)
    if len(net.layers) != depth:
        raise ArtifactError(f"'{path}' holds layer types netx runs differently than edgesnn reads them: {kinds}")
    recurrent = "dense_rec" in kinds
    in_lava = tuple(int(d) for d in net.inp.shape)
    if int(np.prod(x.shape[2:])) != int(np.prod(in_lava)):
        raise ShapeError(f"input has shape {list(x.shape)} but the netx network takes {list(in_lava[::-1])} per step")
    steps = B * period + 1
    samples = np.transpose(x, (1, 0, *range(2, x.ndim))).reshape(B, T, *in_lava[::-1])  # [B, T, *nir]
    data = np.zeros((*in_lava, steps), dtype=np.int32)
    for s in range(B):
        data[..., s * period : s * period + T] = np.transpose(samples[s])  # reverse all axes: [*lava, T]
    src = L.io_source.RingBuffer(data=data)
    sink = L.io_sink.RingBuffer(shape=net.out.shape, buffer=steps)
    src.s_out.connect(net.inp)
    net.out.connect(sink.a_in)
    cfg = L.run_configs.Loihi2SimCfg(select_tag="fixed_pt")
    start = time.perf_counter()
    try:
        if recurrent:
            for _ in range(B):
                net.run(condition=L.run_conditions.RunSteps(num_steps=period), run_cfg=cfg)
                _clear_state(net)
            net.run(condition=L.run_conditions.RunSteps(num_steps=1), run_cfg=cfg)
        else:
            net.run(condition=L.run_conditions.RunSteps(num_steps=steps), run_cfg=cfg)
        wall = time.perf_counter() - start
        out = from_lava_series(np.moveaxis(np.asarray(sink.data.get()), -1, 0))  # [steps, *nir]
    finally:
        net.stop()
    out = out.reshape(steps, *(out_shape if out_shape is not None else out.shape[1:]))
    return (gather(out, depth, T, B, period) != 0).astype(np.float32), wall


def _clear_state(net) -> None:
    """Zero every neuron's ``u``/``v`` and every synapse's buffered output (spikes in flight)."""
    for layer in net.layers:
        for part in ("neuron", "synapse", "synapse_rec"):
            proc = getattr(layer, part, None)
            for var in ("u", "v", "a_buff"):
                if proc is not None and hasattr(proc, var):
                    getattr(proc, var).set(np.zeros(getattr(proc, var).shape))
