"""Running the ``sparsefit`` command in a subprocess, on this checkout's code."""

import os
import subprocess
import sys
from pathlib import Path

import sparsefit

ROOT = Path(sparsefit.__file__).resolve().parents[1]
DATA = ROOT / "sparsefit" / "datasets" / "data"


def command():
    """The installed console script when there is one, else ``python -m``."""
    script = Path(sys.executable).with_name("sparsefit")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sparsefit.cli"]


def cli_env():
    # PYTHONPATH first: the command imports the code under test, whichever
    # copy of sparsefit is installed.
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path, MPLBACKEND="Agg")


def run_cli(*args, cwd=None, timeout=600):
    """Run ``sparsefit *args``; return the CompletedProcess (text mode)."""
    return subprocess.run(
        [*command(), *map(str, args)],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_ok(proc):
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def assert_usage_error(proc, *fragments):
    """Exit status 2 and exactly one line on stderr that holds ``fragments``."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("sparsefit: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def run_main(*args):
    """Run the command in this process; return (status, stdout, stderr).

    Much faster than :func:`run_cli` (no interpreter start, compiled code
    already loaded), for tests that run the command many times.
    """
    import contextlib
    import io

    from sparsefit.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in args])
    return status, out.getvalue(), err.getvalue()


def one_error_line(status, stderr, *fragments):
    """Like :func:`assert_usage_error` for :func:`run_main`'s result."""
    assert status == 2, (status, stderr)
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("sparsefit: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]
