"""NNI's trial command: ``python -m edgesnn.tune.nni_trial setup.json``.

Reads the parameters NNI's tuner chose (``nni.get_next_parameter()``), runs the same trial as
the Optuna engine (static checks first: a forbidden configuration is never trained), reports
the validation accuracy after every epoch (``report_intermediate_result``: ``default`` is what
an assessor judges, ``seconds`` the trial's time so far, kept for a trial the assessor kills) and
a final dict
whose ``default`` key is what the tuner optimises — the penalised objective when constrained,
the plain validation accuracy otherwise — plus accuracy, energy, memory, slacks and the whole
record (so ``export_data()`` alone rebuilds the results table, even from remote machines).
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any


def _finite(v: Any) -> Any:
    """NNI's manager parses metrics with JSON.parse: no Infinity/NaN."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_finite(x) for x in v]
    return v


def final_metric(record, constrained: bool) -> dict[str, Any]:
    default = record.penalised if constrained else float(record.metrics.get("val_acc", 0.0))
    return _finite(
        {
            "default": default,
            "accuracy": record.objective("accuracy"),
            "energy": record.objective("energy"),
            "memory": record.objective("memory"),
            "feasible": record.feasible,
            "state": record.state,
            "slacks": {k: s["slack"] for k, s in record.slacks.items()},
            "record": record.to_json(),
        }
    )


#: seconds a trial rejected before training waits before reporting (see ``main``)
REJECTION_GRACE_S = 3.0


def main(argv: list[str] | None = None) -> int:
    import nni

    from ..io import write_json
    from .run import _warm_up
    from .trial import TuneSetup, run_trial

    argv = sys.argv[1:] if argv is None else argv
    setup_file = Path(argv[0])
    setup = TuneSetup.from_dict(json.loads(setup_file.read_text()))
    if not setup.out.is_absolute():  # remote machines: results live beside the uploaded code
        setup.out = setup_file.parent.resolve() / setup.out
    _warm_up(setup)  # a fresh process: first-use costs are not the static check's
    params = nni.get_next_parameter() or {}
    trial_id, number = nni.get_trial_id(), int(nni.get_sequence_id())
    start = time.perf_counter()
    record = run_trial(
        setup,
        params,
        number,
        name=f"nni-{trial_id}",
        on_epoch=lambda epoch, acc: nni.report_intermediate_result(
            {"default": float(acc), "seconds": time.perf_counter() - start}
        ),
    )
    record.engine, record.trial_id = "nni", trial_id
    write_json(setup.out / "trials" / f"nni-{trial_id}.json", record.to_dict())
    if record.stage == "static":
        # rejected before training: the engine raises NNI's maximum trial number by one when it
        # sees this record (the rejection does not use up one of --trials); staying alive this
        # long lets it do so while the trial still runs, so NNI asks its tuner for one more
        time.sleep(REJECTION_GRACE_S)
    nni.report_final_result(final_metric(record, setup.constrained))
    return 0


if __name__ == "__main__":
    sys.exit(main())
