"""Augmented training: the SNN and its ANN twin see new variants of the training series each
epoch (reproducibly by seed); validation and test data are not augmented."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from edgesnn.data import DirectEncoder, prepare
from edgesnn.train.loop import ann_inputs, augmented_ann_batches

AUG = {"aug_shift": 4, "aug_noise": 0.2, "aug_time_mask": 5}


def _train(overrides: dict):
    from edgesnn.train import train

    base = {"hidden": [8], "batch_size": 8, "encoder": "direct"}  # a net this small spikes from epoch 1
    return train(
        "basic_motions",
        "wearable",
        model="rnn",
        epochs=2,
        seed=0,
        progress=False,
        ann_twin=True,
        overrides={**base, **overrides},
    )


@pytest.fixture(scope="module")
def runs():
    return _train({}), _train(AUG), _train(AUG)


def test_augmentation_changes_training_and_is_reproducible(runs):
    plain, aug, again = runs
    losses = lambda r: [h["loss"] for h in r.metrics["history"]]  # noqa: E731
    assert losses(aug) != losses(plain)
    assert losses(aug) == losses(again) and aug.metrics["test_acc"] == again.metrics["test_acc"]
    for a, b in zip(aug.model.state_dict().values(), again.model.state_dict().values()):
        assert torch.equal(a, b)
    assert aug.hp["aug_shift"] == 4 and plain.hp["aug_shift"] == 0


def test_twin_batches_are_augmented_encodings_of_the_training_rows():
    prep = prepare("basic_motions", 0)
    view, enc = tuple(prep.train.feature_shape), DirectEncoder()
    assert augmented_ann_batches({"aug_shift": 0}, prep.train, view, enc, None, 0) is None
    batch = augmented_ann_batches(AUG, prep.train, view, enc, None, 0)
    idx = np.arange(5)
    plain = ann_inputs(prep.train, view, enc, None)[:, idx]  # [T, B, C]
    first, same, later = batch(idx, 0, 0), batch(idx, 0, 0), batch(idx, 1, 0)
    assert first.shape == plain.shape and torch.equal(first, same)
    assert not torch.equal(first, plain) and not torch.equal(first, later)
