"""The output folder and the summary printed at the end of a command."""

import json
import sys
from pathlib import Path

from ._errors import UsageError

__all__ = ["RESULT_FILES", "prepare_out_dir", "emit_summary", "note"]

#: What ``fit`` writes; a folder holding any of them already holds results.
RESULT_FILES = (
    "coefficients.csv",
    "path.csv",
    "cv.csv",
    "model.json",
    "path.png",
    "cv.png",
    "report.html",
)


def prepare_out_dir(out, force, names=RESULT_FILES, create=True):
    """Check ``out`` holds no results (unless ``force``), then create it and
    clear the old results (only with ``create``)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"the output {out} exists and is not a folder")
    if out.is_dir() and not force:
        found = [n for n in names if (out / n).exists()]
        if found:
            raise UsageError(
                f"the output folder {out} already holds results "
                f"({', '.join(found)}); pass --force to overwrite them or "
                "choose another --out"
            )
    if not create:
        return out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output folder {out}: {exc}") from None
    if force:
        for name in names:
            # A stale file from an earlier fit (a cv.csv after a fixed-alpha
            # refit) would otherwise sit beside results it does not belong to.
            (out / name).unlink(missing_ok=True)
    return out


def note(args, message):
    """A progress note on stderr, silenced by ``--quiet`` and ``--json``."""
    if not (getattr(args, "quiet", False) or getattr(args, "json", False)):
        sys.stderr.write(message + "\n")


def emit_summary(args, summary, text):
    """The JSON summary on stdout with ``--json``, else the human one."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(summary, indent=1, allow_nan=False) + "\n")
    elif not getattr(args, "quiet", False):
        sys.stdout.write(text.rstrip("\n") + "\n")
