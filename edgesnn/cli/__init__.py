"""The ``edgesnn`` command line: one module per verb, registered on one typer app.

Heavy imports (torch, Lava, onnxruntime) happen inside the commands, so ``edgesnn --help``
is instant. Every user error is an EdgeSNNError printed as one line with its exit code
(1 input, 2 profile violated, 3 runtime unavailable); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys
from importlib import import_module

import typer

from ..errors import EdgeSNNError, EdgeSNNWarning

app = typer.Typer(
    name="edgesnn",
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
for _verb in ("catalog", "train", "export", "run", "evaluate", "tune", "package"):
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


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the process exit code."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", EdgeSNNWarning)  # the hook prints each message once
            warnings.showwarning = _one_line_warnings()
            app(args=argv, standalone_mode=False)
    except EdgeSNNError as exc:
        if _DEBUG["on"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        return exc.exit_code
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
        if isinstance(exc, ClickException):
            exc.show()
            return exc.exit_code
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
