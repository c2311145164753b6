"""Training end to end on real data: checkpoint, reproducibility, 1-D CNN on a CSV, profile checks."""

import csv

import pytest
import torch

from edgesnn.train import load_checkpoint, train


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "digits"
    return train(
        "digits", "wearable", model="mlp", epochs=2, seed=3, out=out, progress=False, overrides={"hidden": [32]}
    )


def test_train_reports_metrics_checks_and_twin(digits_run):
    m = digits_run.metrics
    assert 0.5 < m["test_acc"] <= 1.0 and 0.5 < m["ann_test_acc"] <= 1.0
    assert m["timesteps"] == 25 and m["quantized_layers"] == 2  # loihi2: 8-bit weights
    assert {c.name for c in digits_run.checks} >= {
        "max_latency_ms",
        "max_param_bytes",
        "max_energy_uj",
        "max_mean_firing_rate",
        "min_mean_firing_rate",
    }
    assert m["param_bytes"] == (64 * 32 + 32 + 32 * 10 + 10)  # 8-bit weights and biases: one byte each
    assert (digits_run.out / "manifest.json").is_file() and (digits_run.out / "metrics.json").is_file()


def test_weights_sit_on_the_8bit_power_of_two_grid(digits_run):
    w = digits_run.model.dense.ops[0].parts[0].weight.detach()
    scale = w.abs().max() / 127
    step = 2.0 ** torch.ceil(torch.log2(scale))
    assert torch.allclose(w / step, torch.round(w / step), atol=1e-4)


def test_checkpoint_rebuilds_the_same_model(digits_run):
    ck = load_checkpoint(digits_run.out)
    for k, v in digits_run.model.state_dict().items():
        assert torch.equal(v, ck.model.state_dict()[k])
    g = ck.to_nir()
    assert g.metadata["dt"] == 0.1 and g.metadata["timesteps"] == 25 and g.metadata["encoder"] == "rate"


def test_same_seed_gives_identical_weights_and_metrics(digits_run, tmp_path):
    again = train("digits", "wearable", model="mlp", epochs=2, seed=3, progress=False, overrides={"hidden": [32]})
    for k, v in digits_run.model.state_dict().items():
        assert torch.equal(v, again.model.state_dict()[k]), k
    for key in ("test_acc", "val_acc", "ann_test_acc", "energy_uj", "mean_firing_rate"):
        assert again.metrics[key] == digits_run.metrics[key]


def test_tampered_checkpoint_is_refused(digits_run, tmp_path):
    import shutil

    from edgesnn.errors import ArtifactError

    copy = tmp_path / "copy"
    shutil.copytree(digits_run.out, copy)
    with open(copy / "checkpoint.pt", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00\x01")
    with pytest.raises(ArtifactError, match="checksum"):
        load_checkpoint(copy)


def test_csv_of_real_measurements_trains_through_the_1d_cnn(tmp_path):
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    path = tmp_path / "breast_cancer.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*[f"f{i}" for i in range(30)], "label"])
        for row, label in zip(data.data, data.target):
            w.writerow([*row, int(label)])
    r = train(
        str(path),
        "workstation",
        model="cnn1d",
        epochs=2,
        seed=0,
        progress=False,
        ann_twin=False,
        overrides={"wd1": 5, "h1": 2, "encoder": "static", "lr": 5e-3, "timesteps": 10},
    )
    assert r.model.input_shape == (1, 30)
    assert r.model.sizes["L1"] == 13 and r.model.sizes["L3"] >= 1  # Algorithm 1 shapes
    # accuracy on this path is reported, not yet tuned (see the issue note); it must be a real measurement
    assert 0.0 <= r.metrics["test_acc"] <= 1.0 and r.metrics["timesteps"] == 10


def test_profile_violation_is_flagged(tmp_path):
    prof = tmp_path / "tiny.yaml"
    prof.write_text("dt_s: 0.001\nlimits: {max_timesteps: 5, max_param_bytes: 100}\ndefault_target: onnx-cpu\n")
    r = train("wine", str(prof), epochs=1, progress=False, ann_twin=False, out=tmp_path / "run")
    assert not r.feasible
    bad = {c.name for c in r.checks if not c.ok}
    assert bad == {"max_param_bytes"}
    assert (tmp_path / "run" / "checkpoint.pt").is_file()  # saved, flagged


def test_rate_regularisation_lowers_the_firing_rate():
    """``rate_reg`` adds ``rate_reg · mean spikes per neuron and step`` to the loss: fewer spikes."""
    import torch

    from edgesnn.data import make_encoder, prepare
    from edgesnn.models import build, resolve, run_snn
    from edgesnn.train.loop import fit_snn, rate_penalty
    from edgesnn.train.progress import QUIET

    prep = prepare("digits", 0)
    x = torch.from_numpy(
        make_encoder("rate").encode(
            prep.val.x.reshape(len(prep.val), 1, 8, 8), 10, __import__("numpy").random.default_rng(0)
        )
    )
    rates = []
    for reg in (0.0, 0.5):
        hp = resolve("mlp", {"hidden": [32], "rate_reg": reg})
        model = build(hp, prep.train.feature_shape, 10, seed=0)
        fit_snn(model, hp, prep.train, prep.val, make_encoder("rate"), 10, epochs=2, seed=0, progress=QUIET)
        with torch.no_grad(), rate_penalty(model, 1.0) as penalty:
            run_snn(model, x)
            rates.append(float(penalty()))
    assert rates[1] < rates[0] and rates[0] > 0
