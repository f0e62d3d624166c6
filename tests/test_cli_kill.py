"""SIGINT at random moments of ``sparsefit fit --cv 10 --force`` over old results.

Every trial must leave either the complete old results or the complete new
ones (the manifest and the files agree, byte for byte), no staging folder
beside the target, and every file sparsefit did not write untouched.  The
command runs in this process (no interpreter start per trial); the signal
is a real SIGINT, sent to this process by a timer at a moment drawn from a
seeded generator over the length of an uninterrupted run.
"""

import hashlib
import json
import os
import signal
import subprocess
import time

import numpy as np
import pandas as pd
import pytest

from .cli_helpers import cli_env, command, run_main

MANIFEST = "sparsefit-manifest.json"
N_TRIALS = 20

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "setitimer") or not hasattr(signal, "pthread_sigmask"),
    reason="needs POSIX signals",
)


def _files(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.iterdir()
        if p.is_file()
    }


def _fit(data, out, seed):
    return run_main(
        "fit",
        data,
        "--target",
        "y",
        "--cv",
        10,
        "--n-alphas",
        30,
        "--seed",
        seed,
        "--out",
        out,
        "--force",
        "--quiet",
    )


def _interrupted(data, out, seed, delay):
    """Run the fit with a SIGINT sent after ``delay`` seconds; its status."""
    previous = signal.signal(
        signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT)
    )
    status = None
    try:
        signal.setitimer(signal.ITIMER_REAL, delay)
        status = _fit(data, out, seed)[0]
        signal.setitimer(signal.ITIMER_REAL, 0)
    except KeyboardInterrupt:
        # The signal came after the command returned: it interrupted nothing.
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return status


def _check_complete(out, user_files):
    """The folder holds one complete set of results and the user's files."""
    now = _files(out)
    listed = json.loads((out / MANIFEST).read_text())["files"]
    ours = {n: entry["sha256"] for n, entry in listed.items()}
    for name, digest in user_files.items():
        assert now.get(name) == digest, f"{name} was changed or removed"
    for name, digest in ours.items():
        assert now.get(name) == digest, f"{name} is missing or not the listed one"
    extra = set(now) - set(ours) - set(user_files) - {MANIFEST}
    assert not extra, extra
    assert {"coefficients.csv", "cv.csv", "model.json", "report.html"} <= set(ours)
    return ours


@pytest.fixture
def data(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 5))
    y = X[:, 0] - 2 * X[:, 1] + 0.5 * rng.standard_normal(50)
    path = tmp_path / "d.csv"
    columns = ["a", "b", "c", "d", "e", "y"]
    pd.DataFrame(np.c_[X, y], columns=columns).to_csv(path, index=False)
    return path


# A SIGINT landing in a weakref callback is reported as "unraisable" and
# ignored by Python, as it would be for a real Ctrl-C at that moment.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_sigint_leaves_the_old_or_the_new_results_and_the_users_files(data, tmp_path):
    out = tmp_path / "results"
    status, _, err = _fit(data, out, 0)
    assert status == 0, err
    user_files = {"notes.txt": "my notes", "cv_mine.csv": "a,b\n1,2\n"}
    for name, text in user_files.items():
        (out / name).write_text(text)
    user_files = {n: d for n, d in _files(out).items() if n in user_files}
    # The run's length, the shorter of two runs: a load spike during one
    # timing would push every moment past the end of the later runs.
    lengths = []
    for seed in (1, 1):
        start = time.perf_counter()
        assert _fit(data, out, seed)[0] == 0
        lengths.append(time.perf_counter() - start)
    length = min(lengths)

    rng = np.random.default_rng(20261201)
    outcomes = {"old": 0, "new": 0}
    old = _check_complete(out, user_files)
    # Half the moments fall in the last part of the run, where the results
    # are written and moved in. The last moments fall past the measured
    # length (up to half as long again), so that the finished case is
    # tested too. If no run finished (in CI on a 2-core machine the runs
    # after the timing were once all slower than 1.5 times it: 20 of 20
    # interrupted), later trials wait twice as long each time, up to 32
    # times the length, until one does.
    delays = []
    for trial in range(N_TRIALS):
        low = 0.02 if trial % 2 == 0 else 0.6 * length
        delays.append(float(rng.uniform(low, 1.5 * length)))
    for trial in range(N_TRIALS + 5):
        if trial >= N_TRIALS:
            if outcomes["new"] > 0:
                break
            delays.append(length * 2.0 ** (trial - N_TRIALS + 1))
        delay = delays[trial]
        status = _interrupted(data, out, seed=trial + 2, delay=delay)
        assert status in (0, 130, None), status
        now = _check_complete(out, user_files)
        leftovers = [p.name for p in tmp_path.iterdir() if ".sparsefit-" in p.name]
        assert not leftovers, (trial, delay, leftovers)
        outcomes["old" if now == old else "new"] += 1
        outcomes[status] = outcomes.get(status, 0) + 1
        old = now
    # The moments cover both outcomes: interrupted work and finished work.
    assert outcomes["old"] > 0 and outcomes["new"] > 0, outcomes


@pytest.mark.slow
def test_sigint_to_the_command_process(data, tmp_path):
    """The same check on the real command (its own process), three times."""
    out = tmp_path / "results"
    assert _fit(data, out, 0)[0] == 0
    (out / "notes.txt").write_text("mine")
    user_files = {"notes.txt": _files(out)["notes.txt"]}
    args = [*command(), "fit", str(data), "--target", "y", "--cv", "10"]
    args += ["--out", str(out), "--force", "--quiet"]
    rng = np.random.default_rng(7)
    for _ in range(3):
        proc = subprocess.Popen(args, env=cli_env(), stderr=subprocess.PIPE)
        time.sleep(float(rng.uniform(0.5, 4.0)))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        # A SIGINT during start-up ends Python with its own traceback: the
        # folder is what matters.
        assert proc.returncode in (0, 1, 130, -signal.SIGINT), err
        _check_complete(out, user_files)
        assert not [p for p in tmp_path.iterdir() if ".sparsefit-" in p.name]


def test_a_sigint_taken_by_another_thread_waits_for_the_held_block():
    """The kernel gives a process-directed SIGINT to any thread that does not
    block it (a BLAS or joblib worker); Python then raises KeyboardInterrupt
    in the main thread at once.  The move of the results must still finish
    first, and the interrupt come after it."""
    import signal
    import threading

    from sparsefit.cli._output import _sigint_held

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    steps = []
    try:
        with pytest.raises(KeyboardInterrupt):
            with _sigint_held():
                signal.pthread_kill(worker.ident, signal.SIGINT)
                for i in range(200_000):
                    steps.append(i)
                time.sleep(0.05)
                steps.append("done")
    finally:
        stop.set()
        worker.join()
    assert steps[-1] == "done"


@pytest.mark.parametrize("error", [SystemError, ValueError, OSError])
def test_an_error_that_ctrl_c_caused_is_an_interruption(
    monkeypatch, data, tmp_path, error
):
    """Ctrl-C while Numba loads a compiled function surfaces as a SystemError
    caused by the KeyboardInterrupt (seen once in 400 interrupted fits): the
    command reports an interruption (130), not an error of the user's (2) or
    a traceback."""
    import sparsefit.cli.fit as fit_module

    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise error("returned a result with an exception set") from exc

    monkeypatch.setattr(fit_module, "fit_frame", interrupted)
    status, _, err = _fit(data, tmp_path / "results", 0)
    assert status == 130, err
    assert "interrupted" in err and "Traceback" not in err
