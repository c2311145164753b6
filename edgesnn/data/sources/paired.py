"""Two-modality datasets made by pairing two labelled sets class by class.

The multimodal study classifies a digit seen (an image) and heard (a spoken word) at once. No
offline set records both, so each image is paired with a spoken clip **of the same class**:

- the image set's official test samples (or a stratified 20 % by ``seed`` when it has none) are
  the pair set's test samples, and they take clips only from the audio set's test voices, so a
  test pair holds an unseen image *and* an unseen speaker;
- within each class and part (train / test), clips are drawn in a seeded random order and
  reused cyclically when a part has more images than clips (each image gets one clip).

The result is a ``multimodal`` ``Dataset`` with inputs ``image`` ``[1, H, W]`` and ``audio``
``[n_features, frames]``, the image set's classes, and ``test_mask`` as described.
"""

from __future__ import annotations

import numpy as np

from ..dataset import Dataset

#: fraction of each class's images held out as the pair set's own test part when the image set
#: has no official one. Part of the dataset (which images meet unseen voices), not a split
#: default: ``splits.split`` keeps an official test part and ignores its ``test`` fraction.
PAIR_TEST_FRACTION = 0.2


def _test_mask(ds: Dataset, seed: int) -> np.ndarray:
    if ds.test_mask is not None and ds.test_mask.any():
        return ds.test_mask.copy()
    rng = np.random.default_rng([seed, 1])
    mask = np.zeros(len(ds), dtype=bool)
    for c in range(ds.n_classes):
        idx = rng.permutation(np.flatnonzero(ds.y == c))
        mask[idx[: max(1, round(PAIR_TEST_FRACTION * len(idx)))]] = True
    return mask


def pair_by_class(name: str, images: Dataset, audio: Dataset, seed: int = 0) -> Dataset:
    """``images`` and ``audio`` (same class names, in the same order) paired as described above."""
    if images.classes != audio.classes:
        raise ValueError(f"cannot pair '{images.name}' ({images.classes}) with '{audio.name}' ({audio.classes})")
    image_test = _test_mask(images, seed)
    audio_test = audio.test_mask if audio.test_mask is not None else np.zeros(len(audio), dtype=bool)
    rng = np.random.default_rng([seed, 2])
    clip = np.empty(len(images), dtype=np.int64)
    for c in range(images.n_classes):
        for part in (False, True):
            who = np.flatnonzero((images.y == c) & (image_test == part))
            pool = np.flatnonzero((audio.y == c) & (audio_test == part))
            if pool.size == 0:  # the audio set has no such part: fall back to every clip of the class
                pool = np.flatnonzero(audio.y == c)
            order = rng.permutation(pool)
            clip[who] = order[np.arange(who.size) % order.size]
    return Dataset(
        name,
        {"image": images.x, "audio": audio.x[clip]},
        images.y,
        list(images.classes),
        "multimodal",
        f"{images.source} + {audio.source} (paired by class)",
        test_mask=image_test,
    )
