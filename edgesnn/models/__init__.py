"""Model zoo (snnTorch) with ANN twins, built from a flat hyper-parameter dict."""

from .build import ZOO, build
from .hparams import FAMILIES, defaults, resolve
from .run import run_ann, run_snn
from .sets import parse_set
from .shapes import algorithm1
from .zoo import ZooNet, model_input_shape

__all__ = [
    "FAMILIES",
    "ZOO",
    "ZooNet",
    "algorithm1",
    "build",
    "defaults",
    "parse_set",
    "model_input_shape",
    "resolve",
    "run_ann",
    "run_snn",
]
