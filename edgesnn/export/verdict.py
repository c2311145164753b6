"""Whether an export passes: the runtime against its judge, and a chip's arithmetic against the float graph.

``vs_reference`` compares the runtime with its judge: the reference simulator in the artifact's
precision, or, for an integer chip (Loihi 2 fixed point, Xylo), edgesnn's model of that chip's
arithmetic (``Backend.reference``). More than ``parity_tolerance`` of spikes apart: the runtime
does not compute what it was given, and the export is refused.

For an integer chip, ``vs_float_reference`` says how far the chip's arithmetic lands from the
float graph. Two things move spikes there: weights rounded onto the chip's grid (a model not
trained for the target: a third-party graph, a float-trained run) and the chip's own integer
steps (decays truncated towards zero, 24-bit state), which no training on float maths removes.
Beyond the tolerance the export is kept (it computes the chip's arithmetic exactly) with a
warning that gives the gap, the accuracy on both sides and, for a model not trained for the
target, the way to close most of it; ``parity.json`` keeps it.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..config import Target
from ..errors import EdgeSNNWarning, ParityError


def check(parity: dict[str, Any], target: Target, trained_for: str | None) -> None:
    """Set ``parity["passed"]``; raise ParityError (nothing is written) if the runtime misses its judge,
    warn if a chip's arithmetic lands beyond the tolerance from the float graph."""
    tol, samples = target.parity_tolerance, parity["samples"]
    judged = "judge" in parity
    off = 1.0 - parity["vs_reference"]["spike_agreement"]
    float_off = 1.0 - parity["vs_float_reference"]["spike_agreement"] if judged else 0.0
    on_grid = target.numerics.quantize == "none" or trained_for == target.name
    parity["passed"] = off <= tol
    if off > tol:
        whom = f"edgesnn's model of {target.name}'s arithmetic" if judged else "the reference simulator"
        raise ParityError(
            f"{target.name} output differs from {whom} in {off:.2%} of spikes (tolerance {tol:.2%}"
            f"{_accuracy(parity['vs_reference'], 'runtime / reference')} on {samples} samples); "
            f"nothing was written{'' if on_grid else _hint(target)}"
        )
    if float_off > tol:
        why = (
            f"the model was trained for {target.name}, so this is the chip's own arithmetic"
            if on_grid
            else f"its weights were rounded onto the chip's grid{_hint(target)}"
        )
        warnings.warn(
            f"{target.name}'s integer arithmetic differs from the float graph in {float_off:.2%} of spikes "
            f"(tolerance {tol:.2%}{_accuracy(parity['vs_float_reference'], 'chip / float')} on {samples} "
            f"samples): {why}; the export computes the chip's arithmetic exactly and parity.json keeps the gap "
            "('vs_float_reference')",
            EdgeSNNWarning,
            stacklevel=3,
        )


def _hint(target: Target) -> str:
    return (
        f"; {target.name} rounds weights to {target.numerics.weight_bits} bits: train for it "
        f"(edgesnn train --target {target.name}) so they sit on its grid, or export to a float target"
    )


def _accuracy(vs: dict[str, Any], label: str) -> str:
    if "runtime_accuracy" not in vs:
        return ""
    return f", accuracy {label} {vs['runtime_accuracy']:.4f} / {vs['reference_accuracy']:.4f}"
