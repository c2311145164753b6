"""Model zoo (snnTorch) with ANN twins, built from a flat hyper-parameter dict."""

from .hparams import FAMILIES, defaults, parse_set, resolve
from .run import class_counts, predict, run_ann, run_snn
from .shapes import algorithm1
from .zoo import ZOO, ZooNet, build, model_input_shape

__all__ = ["FAMILIES", "ZOO", "ZooNet", "algorithm1", "build", "class_counts", "defaults", "parse_set",
           "model_input_shape", "predict", "resolve", "run_ann", "run_snn"]
