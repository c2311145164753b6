"""The ``edgesnn`` command line: one module per verb, registered on one typer app.

Heavy imports (torch, Lava, onnxruntime) happen inside the commands, so ``edgesnn --help``
is instant. Every user error is an EdgeSNNError printed as one line with its exit code
(1 input, 2 profile violated, 3 runtime unavailable); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys
from importlib import import_module

import typer

from ..errors import EdgeSNNError, EdgeSNNWarning, Interrupted, one_line
from .signals import InterruptibleGroup, interrupt_guard, signal_of

app = typer.Typer(
    name="edgesnn",
    cls=InterruptibleGroup,
    help="Train spiking neural networks under a hardware profile, export them through NIR to Lava and "
    "ONNX Runtime, evaluate them on the device runtime and package them for edge demos.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
_DEBUG = {"on": False}


@app.callback()
def _global(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks for errors.")) -> None:
    _DEBUG["on"] = debug


# one module per verb; each registers its command(s) on ``app`` at import
for _verb in ("catalog", "devices", "train", "export", "run", "evaluate", "tune", "sweep", "package"):
    try:
        import_module(f".{_verb}", __name__)
    except ModuleNotFoundError as exc:  # a verb still being built must not break the others
        if exc.name != f"{__name__}.{_verb}":
            raise


def _one_line_warnings():
    """edgesnn's own warnings as ``warning: <message>`` on stderr, each once; others as Python shows them."""
    import warnings

    shown: set[str] = set()
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not issubclass(category, EdgeSNNWarning):
            return default(message, category, filename, lineno, file, line)
        if str(message) not in shown:
            shown.add(str(message))
            typer.echo(f"warning: {message}", err=True)

    return show


def _report(exc: EdgeSNNError) -> int:
    prefix = "" if isinstance(exc, Interrupted) else "error: "
    typer.echo(f"{prefix}{exc}", err=True)
    return exc.exit_code


def _refuse_empty(argv: list[str]) -> None:
    """An empty value (``-t ''``, ``--profile=``) would silently mean "the default": refuse it."""
    from ..errors import UsageError

    for i, arg in enumerate(argv):
        if arg.startswith("--") and arg.endswith("="):  # --profile=
            option = arg[:-1]
        elif not arg:  # -t ''
            option = argv[i - 1] if i and argv[i - 1].startswith("-") else "an argument"
        else:
            continue
        raise UsageError(f"{option} is given an empty value; give a value or leave the option out")


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the process exit code."""
    import warnings

    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        _refuse_empty(argv)
        with interrupt_guard(), warnings.catch_warnings():
            warnings.simplefilter("always", EdgeSNNWarning)  # the hook prints each message once
            warnings.showwarning = _one_line_warnings()
            code = app(args=argv, standalone_mode=False)  # a verb's typer.Exit(n) comes back as n
        return code if isinstance(code, int) else 0
    except KeyboardInterrupt as exc:  # outside a verb (while parsing options, importing)
        return _report(Interrupted(signal_of(exc)))
    except EdgeSNNError as exc:
        if _DEBUG["on"] and not isinstance(exc, Interrupted):
            raise
        return _report(exc)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        return int(code or 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 1
    except Exception as exc:  # usage errors from typer's bundled click
        try:
            from click import ClickException
        except ImportError:
            from typer._click.exceptions import ClickException
        if isinstance(exc, ClickException):  # one line like every other error; usage errors exit 1 (DESIGN §3)
            verbs = {c.name or c.callback.__name__ for c in app.registered_commands} | {
                g.name for g in app.registered_groups
            }
            verb = next((a for a in argv[:1] if a in verbs), None)
            hint = f"; see edgesnn {verb + ' ' if verb else ''}--help"
            typer.echo(f"error: {one_line(exc.format_message()).rstrip('.')}{hint}", err=True)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
