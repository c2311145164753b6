"""Training: loop, losses, ANN twin and weight transfer, hardware-aware quantisation, checkpoints."""

from .checkpoint import Checkpoint, latest_run, load_checkpoint, save_checkpoint
from .run import TrainResult, train

__all__ = ["Checkpoint", "TrainResult", "latest_run", "load_checkpoint", "save_checkpoint", "train"]
