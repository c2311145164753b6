"""``lr_schedule``: constant keeps Adam's lr, cosine follows lr·(1 + cos(π·e/E))/2 per epoch;
an unknown schedule is refused before training."""

import math

import pytest
import torch

from edgesnn.errors import UsageError
from edgesnn.models.hparams import resolve
from edgesnn.train.loop import optimiser


def _lrs(schedule: str, epochs: int = 4) -> list[float]:
    model = torch.nn.Linear(2, 2)
    opt, sched = optimiser(model, {"lr": 0.01, "weight_decay": 0.0, "lr_schedule": schedule}, epochs)
    seen = []
    for _ in range(epochs):
        seen.append(opt.param_groups[0]["lr"])
        if sched is not None:
            sched.step()
    return seen


@pytest.mark.filterwarnings("ignore:Detected call of")  # no optimiser step: only the lr is read
def test_cosine_schedule_follows_the_formula_and_constant_does_not_move():
    assert _lrs("constant") == [0.01] * 4
    want = [0.01 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(4)]
    assert _lrs("cosine") == pytest.approx(want, rel=1e-9)


def test_unknown_schedule_is_a_one_line_usage_error():
    with pytest.raises(UsageError, match="lr_schedule"):
        resolve("mlp", {"lr_schedule": "cosin"})
