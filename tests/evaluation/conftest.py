"""A tiny trained digits model exported to ONNX (with recording) and NIR, shared by the session;
and a hand-made report for the tests that only render (no training, no runtime)."""

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
    train(
        "digits",
        "wearable",
        target="onnx-cpu",
        epochs=2,
        out=root / "run",
        progress=False,
        ann_twin=False,
        overrides={"hidden": [32], "timesteps": 10, "lr": 5e-3},
    )
    export("onnx", root / "onnx", record=True)
    export("nir", root / "nir")
    return {"run": root / "run", "onnx": root / "onnx", "nir": root / "nir", "export": export}


def build_sample_report(full: bool = True):
    """A report with every section filled; ``full=False`` leaves the optional parts empty."""
    from edgesnn.evaluation import Activity, Energy, Latency, LikeForLike, Memory, Report

    tables = {
        "snn": {
            "table": "horowitz-45nm-fp32",
            "covers": "fp32 adds | per event",
            "omits": "memory traffic",
            "constants": {
                "e_synop_pj": {"value_pj": 0.9, "source": "Horowitz 2014"},
                "e_neuron_update_pj": {"value_pj": 4.6, "source": "Horowitz <2014>"},
            },
        },
        "ann": (
            {
                "table": "horowitz-45nm-fp32",
                "covers": "fp32 MACs",
                "omits": "static power",
                "constants": {"e_mac_pj": {"value_pj": 4.6, "source": "Horowitz 2014"}},
            }
            if full
            else None
        ),
    }
    memory = Memory(32, 38440.0, 8, 552.0, 512.0, 39504.0)
    activity = Activity(
        ["fc1", "lif1", "fc2", "lif2"],
        {"lif1": 0.09439322916666665, "lif2": 0.0277},
        0.08956038647342994,
        0.3066857638888889,
        {"lif1": 302.05833333333334, "lif2": 6.925},
        308.98333333333335,
        {"lif1": 108741, "lif2": 2493},
        {"fc1": 62545.15, "fc2": 3005.063888888889},
        65550.21388888889,
        {"fc1": "spikes", "fc2": "nonzero"},
        {"lif1": 3200, "lif2": 250},
        3450,
        18982,
        5244.017111111111,
        131100.42777777778,
    )
    energy = Energy(
        "horowitz-45nm-fp32",
        0.0748651925,
        {"fc1": 0.056290635000000006, "fc2": 0.0027045575, "lif1": 0.014719999999999999, "lif2": 0.00115},
        {"synops": 0.05899519250000001, "neuron_updates": 0.01587, "spikes": 0.0},
        "horowitz-45nm-fp32" if full else None,
        9472,
        {"fc1": 8192, "fc2": 1280},
        0.0435712 if full else None,
        1.718226546434342 if full else None,
        -0.9989320405310974 if full else None,
        "measured",
        tables,
        "compute-only <tables> & caveats",
    )
    latency = Latency(
        25,
        0.1 if full else None,
        2.5 if full else None,
        8.277572499840366e-05,
        12080.836501514003,
        128,
        0.029799260999425314,
        0.06672460899790167,
    )
    checks = [
        {"name": "max_energy_uj", "value": 0.0748651925, "limit": 5.0, "note": "", "slack": -4.925, "ok": True},
        {"name": "max_mean_firing_rate", "value": 0.0896, "limit": 0.05, "note": "", "slack": 0.0396, "ok": False},
    ]
    return Report(
        model="run/exp" if full else "bare.nir",
        artifact="/x/model.onnx",
        target="onnx",
        backend="onnx",
        dataset="digits",
        samples=360,
        classes=["0", "1", "2"],
        accuracy=0.6888888888888889,
        per_class_accuracy={"0": 0.9722, "1": 0.75, "2": None},
        confusion=[[35, 1, 0], [2, 27, 7], [0, 0, 0]],
        parameters={"layers": {}, "weights": 9472, "biases": 138, "total": 9610, "neuron_params": 552},
        memory=memory,
        activity=activity,
        energy=energy,
        like_for_like=LikeForLike(
            "loihi2",
            "cortex-m4",
            3.25,
            2.5,
            0.75,
            {"fc1": 1.5, "lif1": 1.0, "fc2": 0.5, "lif2": 0.25},
            5.69,
            5.69,
            0.0,
            {"fc1": 4.9, "fc2": 0.79},
            1,
            0.5711775043936731,
            0.21,
            {"snn": {"synops": 65550.2, "events": 2000.0}, "ann": {"macs": 9472.0}},
            {
                "snn": {
                    "device": "loihi2",
                    "kind": "neuromorphic",
                    "covers": "ops | memory",
                    "omits": "static power",
                    "bits": 8,
                    "constants": {"e_synop_pj": {"value_pj": 23.6, "source": "Davies 2018"}},
                    "memory": "included in the operation costs",
                },
                "ann": {
                    "device": "sram-chip",
                    "kind": "accelerator",
                    "covers": "int8 <ops>",
                    "omits": "DRAM",
                    "bits": 8,
                    "constants": {"e_mac_pj": {"value_pj": 0.23, "source": "Horowitz 2014"}},
                    "memory": {
                        "word_bits": 64,
                        "levels": [{"max_bytes": 8192, "read_pj": 10.0, "write_pj": 10.0, "source": "Horowitz"}],
                    },
                },
            },
        )
        if full
        else None,
        latency=latency,
        profile="wearable" if full else None,
        checks=checks if full else [],
        feasible=False if full else None,
        training={"run": "/r", "model": "mlp", "train_seconds": 4.321648068002105, "ann_test_acc": 0.725}
        if full
        else None,
        device={
            "device": "a chip",
            "figures": [{"name": "cycles per step", "value": 1234.5, "unit": "cycles", "source": "a model | its file"}],
            "notes": ["no energy per cycle is published"],
        }
        if full
        else None,
        layer_names={"fc1": "fc1", "lif1": "lif1", "fc2": "fc2", "lif2": "lif2"} if full else {},
        assumptions=[] if full else ["split seed 0"],
        notes=["break-even rate <= 0: a | b"],
        versions={"edgesnn": "0.0.test"},
    )


@pytest.fixture
def sample_report():
    """``build_sample_report``: ``sample_report()`` full, ``sample_report(False)`` with the optional parts null."""
    return build_sample_report
