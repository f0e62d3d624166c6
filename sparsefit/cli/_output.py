"""The output folder and the summary printed at the end of a command.

Results never land half-written.  A command checks its output folder before
any work (that it can write there, and that ``--force`` would replace only
files sparsefit wrote), writes every result into a temporary folder beside
the target, and moves them into place only when all of them exist.  The
folder's manifest (``sparsefit-manifest.json``, written with the results)
lists each file sparsefit wrote with its SHA-256: ``--force`` replaces or
removes those files, and only those, so a user's own file in the folder (or
one of ours changed since) is never touched.  The move itself runs with
SIGINT held back, so a Ctrl-C leaves the complete old results or the
complete new ones.
"""

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from ._errors import UsageError

__all__ = [
    "RESULT_FILES",
    "MANIFEST",
    "check_out_dir",
    "result_folder",
    "owned_files",
    "spreadsheet_safe",
    "emit_summary",
    "note",
]

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

#: The list of what sparsefit wrote in a folder, with each file's SHA-256.
MANIFEST = "sparsefit-manifest.json"
_MANIFEST_FORMAT = "sparsefit-results"


@contextlib.contextmanager
def _sigint_held():
    """Hold SIGINT back until the block ends, then deliver it.

    Masking the signal in this thread is not enough: the kernel hands a
    process-directed SIGINT to any thread that does not block it (a BLAS or
    joblib worker), and Python then raises KeyboardInterrupt in the main
    thread at its next bytecode, in the middle of the block.  So the Python
    handler is swapped for one that only records the signal (main thread
    only, where handlers can be set), the thread's mask keeps the signal
    pending as well, and a recorded signal is raised again on leaving.
    """
    received = []
    swap = threading.current_thread() is threading.main_thread()
    if swap:
        previous_handler = signal.signal(
            signal.SIGINT, lambda signum, frame: received.append(signum)
        )
    block = getattr(signal, "pthread_sigmask", None)
    previous_mask = block(signal.SIG_BLOCK, {signal.SIGINT}) if block else None
    try:
        yield
    finally:
        if block is not None:
            # A signal pending on this thread reaches the recording handler.
            block(signal.SIG_SETMASK, previous_mask)
        if swap:
            signal.signal(signal.SIGINT, previous_handler)
            if received:
                signal.raise_signal(signal.SIGINT)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(out):
    """``{name: sha256}`` of the files the manifest in ``out`` lists (or {})."""
    try:
        document = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(document, dict) or document.get("format") != _MANIFEST_FORMAT:
        return {}
    files = document.get("files")
    if not isinstance(files, dict):
        return {}
    return {
        name: entry["sha256"]
        for name, entry in files.items()
        if isinstance(name, str)
        and Path(name).name == name
        and isinstance(entry, dict)
        and isinstance(entry.get("sha256"), str)
    }


def owned_files(out):
    """Names in ``out`` that sparsefit wrote and nobody changed since.

    A file counts as sparsefit's when the folder's manifest lists it and its
    content still has the SHA-256 recorded there.
    """
    out = Path(out)
    owned = set()
    for name, digest in _read_manifest(out).items():
        path = out / name
        if path.is_file() and not path.is_symlink() and _sha256(path) == digest:
            owned.add(name)
    return owned


def _not_ours(out, names):
    """Which of ``names`` exist in ``out`` without being sparsefit's."""
    present = [n for n in names if os.path.lexists(out / n)]
    if not present:
        return []
    owned = owned_files(out)
    return [n for n in present if n not in owned]


def _foreign_error(out, foreign):
    return UsageError(
        f"the output folder {out} holds {', '.join(foreign)}, which sparsefit "
        f"did not write (not listed in its {MANIFEST}, or changed since); "
        "--force replaces only sparsefit's own files: move them away or "
        "choose another --out"
    )


def _probe_writable(folder):
    """Create and remove a folder in ``folder``: True when that works."""
    with _sigint_held():
        try:
            Path(tempfile.mkdtemp(prefix=".sparsefit-probe-", dir=folder)).rmdir()
        except OSError:
            return False
    return True


def _check_writable(out):
    """The folder that must be writable: ``out`` itself, or its nearest
    existing ancestor (where the parents of ``out`` will be created)."""
    if out.is_dir():
        places = [out, out.parent]
    else:
        ancestor = out.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir():
            raise UsageError(
                f"cannot create the output folder {out}: {ancestor} is not a folder"
            )
        places = [ancestor]
    for place in places:
        if not _probe_writable(place):
            raise UsageError(
                f"cannot write the output folder {out}: {place} is not writable"
            )


def check_out_dir(out, force, names=RESULT_FILES, writes=None):
    """Check, before any work, that results can go to ``out``.

    Parameters
    ----------
    out : path
    force : bool
        Whether earlier results may be replaced.
    names : sequence of str
        The file names of the command's results: a folder holding any of
        them holds results, which only ``force`` may replace.
    writes : sequence of str, optional
        The names this run will write (default ``names``): with ``force``
        each of them that exists must be sparsefit's own.

    Returns
    -------
    Path
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"the output {out} exists and is not a folder")
    if out.is_dir():
        found = [n for n in (*names, MANIFEST) if os.path.lexists(out / n)]
        if found and not force:
            raise UsageError(
                f"the output folder {out} already holds results "
                f"({', '.join(found)}); pass --force to replace them or "
                "choose another --out"
            )
        foreign = _not_ours(out, names if writes is None else writes)
        if foreign:
            raise _foreign_error(out, foreign)
    _check_writable(out)
    return out


def _fresh_staging(out):
    """A new empty folder beside ``out`` (same file system: moves are renames)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.sparsefit-", dir=out.parent))
    # mkdtemp makes the folder private; the results get the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    return staging


def _write_manifest(staging, command):
    from sparsefit import __version__

    files = {
        p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size}
        for p in sorted(staging.iterdir())
        if p.is_file() and p.name != MANIFEST
    }
    document = {
        "format": _MANIFEST_FORMAT,
        "written_by": f"sparsefit {__version__}",
        "command": command,
        "files": files,
        "note": (
            "the files sparsefit wrote here; 'sparsefit ... --force' replaces or "
            "removes these (when unchanged) and never touches any other file"
        ),
    }
    (staging / MANIFEST).write_text(json.dumps(document, indent=1) + "\n")
    return sorted(files)


def _move_in(staging, out, written):
    """Put the staged results in ``out``; remove sparsefit's stale ones."""
    if not out.exists():
        os.replace(staging, out)
        return
    foreign = _not_ours(out, written)
    if foreign:
        raise _foreign_error(out, foreign)
    stale = owned_files(out) - set(written)
    for name in written:
        os.replace(staging / name, out / name)
    for name in sorted(stale):
        # Ours and unchanged, from an earlier run (a cv.csv after a
        # fixed-alpha refit): it would sit beside results it does not match.
        (out / name).unlink(missing_ok=True)
    # Last: the manifest makes the folder's new content official.
    os.replace(staging / MANIFEST, out / MANIFEST)


class ResultFolder:
    """Results staged in ``staging``, beside ``out``; :meth:`commit` moves them in."""

    def __init__(self, out, command):
        self.out = Path(out)
        self.command = command
        self.staging = None
        self.written = []

    def commit(self):
        """Write the manifest and move every staged file into ``out``."""
        self.written = _write_manifest(self.staging, self.command)
        with _sigint_held():
            _move_in(self.staging, self.out, self.written)
        return self.written


@contextlib.contextmanager
def result_folder(out, command):
    """A :class:`ResultFolder` for ``out`` (see the module docstring).

    The staging folder is removed on leaving, whether the results were
    committed or the work was interrupted.  Its creation sits inside the
    ``try`` so that a SIGINT delivered as soon as it is released still
    leads to the clean-up.
    """
    folder = ResultFolder(out, command)
    try:
        with _sigint_held():
            folder.staging = _fresh_staging(folder.out)
        yield folder
    finally:
        with _sigint_held():
            if folder.staging is not None and folder.staging.exists():
                shutil.rmtree(folder.staging, ignore_errors=True)


#: Cell starts that a spreadsheet reads as a formula (OWASP, "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text):
    """A name for a CSV cell: a leading quote keeps a spreadsheet from running
    a name such as ``=HYPERLINK(...)`` as a formula."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


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
