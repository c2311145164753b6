"""``--transfer-from``: an SNN starts from an ANN trained before (``train_ann``) instead of a twin
trained again; an ANN of another architecture is refused in one line with exit 1."""

import pytest
import torch

from edgesnn.cli import main
from edgesnn.errors import ArtifactError, UsageError
from edgesnn.train import train
from edgesnn.train.ann import train_ann

HIDDEN = {"hidden": [16]}


@pytest.fixture(scope="module")
def ann_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ann") / "ann"
    return train_ann("digits", "workstation", model="mlp", overrides=HIDDEN, epochs=3, seed=1, out=out)


def test_snn_starts_from_the_given_ann_weights(ann_run):
    # lr ~ 0: the one training epoch cannot move the weights, so they are the transferred ones;
    # the ANN's seed, so the same split (the seed fixes the split)
    result = train(
        "digits", "workstation", model="mlp", overrides={**HIDDEN, "lr": 1e-12}, epochs=1, seed=1,
        progress=False, transfer_from=ann_run.out,
    )  # fmt: skip
    ann_state = ann_run.model.state_dict()
    snn_state = result.model.state_dict()
    for key in ("dense.ops.0.parts.0.weight", "dense.ops.0.parts.0.bias", "dense.readout.parts.0.weight"):
        assert torch.allclose(snn_state[key], ann_state[key], atol=1e-6), key
    assert result.hp["init"] == "ann"
    m = result.metrics
    # the loaded ANN, evaluated on the same split, is the one train_ann measured; nothing was retrained
    assert m["ann_test_acc"] == pytest.approx(ann_run.metrics["test_acc"])
    assert m["ann_val_acc"] == pytest.approx(ann_run.metrics["val_acc"])
    assert "ann_train_seconds" not in m and m["transfer_from"] == str(ann_run.out)
    assert 0.0 <= m["transfer_test_acc"] <= 1.0


def test_without_transfer_from_the_weights_are_not_that_ann(ann_run):
    result = train(
        "digits", "workstation", model="mlp", overrides={**HIDDEN, "lr": 1e-12}, epochs=1, seed=5,
        progress=False, ann_twin=False,
    )  # fmt: skip
    key = "dense.ops.0.parts.0.weight"
    assert not torch.allclose(result.model.state_dict()[key], ann_run.model.state_dict()[key], atol=1e-3)


def test_mismatched_architecture_is_refused_in_one_line(ann_run, tmp_path, capsys):
    code = main(
        ["train", "--dataset", "digits", "--profile", "workstation", "--model", "mlp", "--set", "hidden=[8]",
         "--epochs", "1", "--seed", "1", "--transfer-from", str(ann_run.out), "--out", str(tmp_path / "snn")]
    )  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1
    assert "architecture does not match" in err and "dense.ops.0.parts.0.bias: ANN [16] vs SNN [8]" in err
    assert not (tmp_path / "snn").exists()


def test_init_random_and_a_missing_ann_are_refused(ann_run, tmp_path):
    with pytest.raises(UsageError, match="init=random"):
        train("digits", "workstation", model="mlp", overrides={**HIDDEN, "init": "random"}, epochs=1,
              progress=False, transfer_from=ann_run.out)  # fmt: skip
    with pytest.raises(ArtifactError, match="no ann.pt"):
        train("digits", "workstation", model="mlp", overrides=HIDDEN, epochs=1, progress=False,
              transfer_from=tmp_path)  # fmt: skip


def test_an_ann_trained_on_another_split_is_refused(ann_run):
    """The ANN (seed 1) trained on samples that seed 0 puts in its test split: starting an SNN of
    seed 0 from it would leak them, so it is refused naming the seeds."""
    from edgesnn.errors import UsageError

    with pytest.raises(UsageError, match=r"another split \(seed 1 vs 0: ANN vs this run\)"):
        train(
            "digits", "workstation", model="mlp", overrides=HIDDEN, epochs=1, seed=0, progress=False,
            transfer_from=ann_run.out,
        )  # fmt: skip
