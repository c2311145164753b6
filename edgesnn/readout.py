"""The class readout, defined once for training, export parity, evaluation and the device runner.

An output layer of ``C·pop`` neurons (``pop`` per class, class-major) spikes for ``T`` steps;
the prediction is the class with most spikes::

    counts[b, c] = Σ_t Σ_k y[t, b, c·pop + k]          decide(counts) = argmax_c counts[b, c]

ties going to the lowest class index (numpy's and torch's ``argmax``). Works on numpy arrays
(counts summed in float64) and torch tensors alike; numpy only, so the runner can ship it.
"""

from __future__ import annotations

import numpy as np


def class_counts(output, n_classes: int):
    """Spike counts per class ``[B, C]`` from output spikes ``[T, B, C·pop]``."""
    total = output.sum(axis=0, dtype=np.float64) if isinstance(output, np.ndarray) else output.sum(0)
    return total.reshape(total.shape[0], n_classes, -1).sum(-1)


def decide(counts):
    """The class with most spikes, ``[…, C]`` → ``[…]`` (ties: lowest index)."""
    return counts.argmax(-1)


def predict(output, n_classes: int):
    """``decide(class_counts(output, n_classes))``."""
    return decide(class_counts(output, n_classes))


def accuracy(output, labels, n_classes: int) -> float:
    """Fraction of samples whose predicted class equals its label."""
    return float((np.asarray(predict(output, n_classes)) == np.asarray(labels)).mean())
