"""A user's mistake ends the command with one line on stderr and exit status 2."""

import sys

__all__ = ["UsageError", "report_error", "EXIT_USAGE"]

#: The exit status of every mistake in the command line or the data.
EXIT_USAGE = 2


class UsageError(Exception):
    """A mistake in the arguments or the data, told in one line."""


def report_error(message):
    """Write ``sparsefit: error: message`` on one line of stderr; return 2."""
    line = " ".join(str(message).split())
    sys.stderr.write(f"sparsefit: error: {line}\n")
    return EXIT_USAGE
