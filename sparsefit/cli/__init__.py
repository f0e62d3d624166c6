"""The ``sparsefit`` command: fit, predict, explain, path, select and demo.

Each sub-command lives in its own module; this one parses the command line
and turns every mistake of the user (arguments or data) into one line on
stderr and exit status 2.
"""

import argparse
import os
import sys
import warnings

from ._errors import UsageError, report_error

__all__ = ["main", "build_parser"]

_COMMANDS = ("fit", "predict", "explain", "path", "select", "demo")


class _DefaultsFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default, unless it states it.

    Flags (off unless given) and options whose default is None state their
    default in their own words.
    """

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or default is None
            or default is False
            or default == argparse.SUPPRESS
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line and the defaults in its help."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _DefaultsFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        report_error(f"{message} (see '{self.prog} --help')")
        sys.exit(2)


def build_parser():
    from importlib import import_module

    from sparsefit import __version__

    parser = _Parser(
        prog="sparsefit",
        description=(
            "Certified sparse models (lasso, elastic net, GLMs) from a data file."
        ),
    )
    parser.add_argument("--version", action="version", version=__version__)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser
    )
    for name in _COMMANDS:
        import_module(f".{name}", __name__).add_parser(subparsers)
    return parser


def _one_line_warnings(args):
    """Warnings (a solver stopping short of its tolerance) as one line each."""

    def show(message, category, *_args, **_kwargs):
        if not (getattr(args, "quiet", False) or getattr(args, "json", False)):
            text = " ".join(str(message).split())
            sys.stderr.write(f"sparsefit: warning: {category.__name__}: {text}\n")

    warnings.showwarning = show


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    shown = warnings.showwarning
    _one_line_warnings(args)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as exc:
        # Ctrl-C inside a library can surface as another error that it caused
        # (Numba loading a compiled function reports a SystemError): still
        # an interruption, not the user's mistake.
        if _caused_by_interrupt(exc):
            return _interrupted()
        if isinstance(exc, UsageError | ValueError):
            # The library's own checks name the argument and the value received.
            return report_error(exc)
        if isinstance(exc, BrokenPipeError):
            # The reader of stdout went away (``| head``): nothing left to say.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0
        if isinstance(exc, OSError):
            text = f"{exc.strerror or exc}: {exc.filename or ''}"
            return report_error(text.strip())
        raise
    finally:
        warnings.showwarning = shown


def _interrupted():
    sys.stderr.write("sparsefit: interrupted\n")
    return 130


def _caused_by_interrupt(exc):
    """Whether a KeyboardInterrupt is in ``exc``'s chain of causes."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
