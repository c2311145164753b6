"""One-factor-at-a-time hyper-parameter sweeps with learning curves (``edgesnn sweep``).

    result = edgesnn.sweep.sweep("digits", "workstation", vary={"beta": [0.5, 0.7, 0.9]}, epochs=5,
                                 out="runs/sweep-beta")

Around a baseline configuration, each factor takes each of its values in turn (the others held
at the baseline), every configuration is trained with the same seed(s), and the per-epoch
training loss and validation accuracy are kept beside the final test accuracy.
"""

from .plan import Plan, Point
from .run import RunRecord, SweepResult, summary_rows, sweep
from .spec import Factor, parse_vary

__all__ = ["Factor", "Plan", "Point", "RunRecord", "SweepResult", "parse_vary", "summary_rows", "sweep"]
