"""One error family for every user-facing failure.

Each class carries the process exit code the CLI uses (DESIGN §3):
0 ok, 1 usage/input error, 2 a profile constraint is violated, 3 a target's runtime is
unavailable. Classes mix in the matching built-in exception so ``except ValueError`` still
works for callers of the Python API.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class EdgeSNNError(Exception):
    """Base of every error edgesnn raises on purpose. The message is one line: what, where, fix
    (line breaks in echoed user text are escaped, see ``one_line``)."""

    exit_code: int = 1

    def __init__(self, *args):
        super().__init__(*(one_line(a) if isinstance(a, str) else a for a in args))


def one_line(message: str) -> str:
    """``message`` as one line: line breaks (e.g. in a name the user typed) are shown escaped."""
    return message.replace("\r", "\\r").replace("\n", "\\n")


def first_line(exc: BaseException) -> str:
    """The first line of a library exception's message (its type name when it has none)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class EdgeSNNWarning(UserWarning):
    """Something the user should know that does not stop the command (clipped weights, a repaired file).

    The CLI prints it as one line, ``warning: <message>``, once."""


class UsageError(EdgeSNNError, ValueError):
    """A bad argument, name or option."""


class ConfigError(EdgeSNNError, ValueError):
    """A profile, target or search-space file that does not validate."""


class DataError(EdgeSNNError, ValueError):
    """A dataset or input array that cannot be used (bad file, NaN, too few samples...)."""


class ShapeError(DataError):
    """An array or model whose shape does not fit what it is combined with."""


class ArtifactError(EdgeSNNError, ValueError):
    """A checkpoint, graph, model file or bundle that is missing, corrupt or tampered with."""


class UnsupportedPrimitiveError(EdgeSNNError, NotImplementedError):
    """A layer or NIR node the chosen target cannot express. Never dropped silently."""

    def __init__(self, node: str, node_type: str, supported: Iterable[str], where: str = "target"):
        self.node, self.node_type, self.supported = node, node_type, sorted(set(supported))
        super().__init__(
            f"node '{node}' of type {node_type} is not supported by the {where}; supported: {', '.join(self.supported)}"
        )


class ParityError(EdgeSNNError, RuntimeError):
    """An exported artifact does not reproduce the reference beyond the target's tolerance."""


class ConstraintViolation(EdgeSNNError):
    """A finished model violates a limit of the profile (the model is still saved, flagged)."""

    exit_code = 2


class RuntimeUnavailableError(EdgeSNNError, ImportError):
    """A target's runtime (Lava, onnxruntime, NNI, PostgreSQL...) is not installed or not usable."""

    exit_code = 3


class BackendRunError(EdgeSNNError, RuntimeError):
    """A runtime failed or hung while running a model (it was stopped and cleaned up)."""


class Interrupted(EdgeSNNError):
    """Ctrl-C (SIGINT, exit 130) or SIGTERM (exit 143) stopped a command; the message says what was kept.

    Artifacts are written atomically (a temporary directory renamed at the end), so an
    interrupted command leaves none half-written."""

    def __init__(self, signum: int = 2, kept: str = "nothing was written"):
        import signal

        self.signum, self.kept = signum, kept
        self.exit_code = 128 + signum
        super().__init__(f"interrupted ({signal.Signals(signum).name}); {kept}")


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix for a mistyped name, or an empty string."""
    match = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def unknown_name(kind: str, value: str, choices: Iterable[str]) -> UsageError:
    """The standard error for an unknown dataset / profile / target / model name."""
    choices = sorted(choices)
    return UsageError(f"unknown {kind} '{value}'{did_you_mean(value, choices)}; choose from: {', '.join(choices)}")
