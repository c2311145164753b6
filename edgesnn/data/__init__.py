"""Datasets, user files, preprocessing, splits and spike encoders.

Importing this package is cheap and torch-free: scikit-learn and h5py are imported inside the
functions that need them, so the on-device runner can use ``Preprocessor`` and the encoders
with numpy alone.

    prep = prepare("wine", seed=0)                    # splits scaled to [0, 1] + spec
    enc = make_encoder("rate", gain=1.0)
    spikes = encode_batch(enc, prep.train.x[:32], T=25, seed=0)   # [25, 32, 13] float32
"""

from .builtin import BUILTINS
from .dataset import KINDS, Dataset, check_dataset, labels_to_indices
from .encoders import (
    CALIBRATION_STREAM,
    ENCODERS,
    TEST_STREAM,
    VAL_STREAM,
    DeltaEncoder,
    DirectEncoder,
    Encoder,
    LatencyEncoder,
    LevelCrossingEncoder,
    RateEncoder,
    SigmaDeltaEncoder,
    StaticEncoder,
    TemporalEncoder,
    encode_batch,
    make_encoder,
    resample,
)
from .load import keep_inputs, load_dataset, with_inputs
from .prepare import Prepared, prepare
from .preprocess import Preprocessor
from .splits import Splits, keep_top_k_classes, split

__all__ = [
    "CALIBRATION_STREAM",
    "TEST_STREAM",
    "VAL_STREAM",
    "BUILTINS",
    "ENCODERS",
    "KINDS",
    "Dataset",
    "DeltaEncoder",
    "DirectEncoder",
    "Encoder",
    "LatencyEncoder",
    "LevelCrossingEncoder",
    "SigmaDeltaEncoder",
    "TemporalEncoder",
    "resample",
    "Prepared",
    "Preprocessor",
    "RateEncoder",
    "Splits",
    "StaticEncoder",
    "check_dataset",
    "encode_batch",
    "keep_top_k_classes",
    "labels_to_indices",
    "keep_inputs",
    "load_dataset",
    "with_inputs",
    "make_encoder",
    "prepare",
    "split",
]
