"""``spoken_digits``: the names and numbers of the recipe (see ``speech``), and the progress log.

Every default of the recipe is a constant here; ``speech`` re-exports them all.
"""

from __future__ import annotations

import sys

NAME = "spoken_digits"
CLASSES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
KINDS = ("mfcc", "logmel")
INSTALL_HINT = "sudo apt-get install espeak-ng (or bash scripts/espeak.sh)"

# ---- features
SAMPLE_RATE = 16_000
WIN_MS = 25.0
HOP_MS = 20.0
N_FFT = 512
N_MELS = 32
N_MFCC = 13
PRE_EMPHASIS = 0.97
F_MIN = 20.0
F_MAX = 8_000.0
LOG_FLOOR = 1e-10
CLIP_SECONDS = 1.0
N_FRAMES = int(round(CLIP_SECONDS * 1000 / HOP_MS))  # 50

# ---- synthesis grid and augmentation
SPEEDS = (130, 150, 175, 200, 230)
PITCHES = (20, 35, 50, 65, 80)
SNR_DB = (20.0, 15.0, 10.0, 5.0)
COMBOS_PER_VARIANT = 4
#: fraction of voice variants that are test-only: the dataset's own speaker split (part of the
#: recipe and the cache key), not the split default of ``edgesnn.data.splits``, which ``split``
#: ignores for a dataset with an official test part
TEST_FRACTION = 0.2
SPEECH_RMS = 0.05
GAIN_DB = 6.0
MAX_SHIFT_S = 0.10
TRIM_DB = 40.0
SSML_BREAK_S = 0.6
SPLIT_GAP_S = 0.25
SPLIT_FLOOR_DB = 60.0
DEFAULT_VARIANT = "default"
#: bump when the build changes in a way the recipe does not capture (invalidates caches)
FORMAT = 1
PROGRESS_EVERY = 500


def _log(verbose: bool, msg: str) -> None:
    if verbose:
        print(f"{NAME}: {msg}", file=sys.stderr, flush=True)
