"""The output folder of ``sparsefit fit``, ``path`` and ``demo``: nothing lost.

Results are staged beside the target and moved in when complete; ``--force``
replaces only the files sparsefit wrote (listed with their SHA-256 in the
folder's manifest); an unwritable ``--out`` is refused before any work.
"""

import hashlib
import json
import os
import time

import numpy as np
import pandas as pd
import pytest

from .cli_helpers import one_error_line, run_main

MANIFEST = "sparsefit-manifest.json"


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory):
    """60 rows, 4 features, a Gaussian target."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = X @ [1.0, 0.0, -2.0, 0.0] + 0.1 * rng.standard_normal(60)
    path = tmp_path_factory.mktemp("data") / "small.csv"
    frame = pd.DataFrame(np.c_[X, y], columns=["a", "b", "c", "d", "y"])
    frame.to_csv(path, index=False)
    return path


def _fit(data, out, *extra):
    return run_main(
        "fit",
        data,
        "--target",
        "y",
        "--n-alphas",
        20,
        "--out",
        out,
        "--quiet",
        *extra,
    )


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(folder):
    return {p.name: _digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def _no_staging_left(parent):
    left = [p.name for p in parent.iterdir() if ".sparsefit-" in p.name]
    assert not left, left


def test_force_keeps_the_users_files_and_removes_only_stale_results(
    small_csv, tmp_path
):
    out = tmp_path / "out"
    status, _, err = _fit(small_csv, out, "--cv", 5)
    assert status == 0, err
    listed = json.loads((out / MANIFEST).read_text())["files"]
    assert {"cv.csv", "cv.png", "model.json"} <= set(listed)
    (out / "notes.txt").write_text("my own notes")
    # A fixed-alpha refit writes no CV files: ours, now stale, go.
    status, _, err = _fit(small_csv, out, "--alpha", 0.05, "--force")
    assert status == 0, err
    assert not (out / "cv.csv").exists() and not (out / "cv.png").exists()
    assert (out / "notes.txt").read_text() == "my own notes"
    # The user's own cv.csv beside a fixed-alpha fit is never touched.
    (out / "cv.csv").write_text("the user's table\n")
    status, _, err = _fit(small_csv, out, "--alpha", 0.02, "--force")
    assert status == 0, err
    assert (out / "cv.csv").read_text() == "the user's table\n"
    # A CV fit would write cv.csv over it: refused, before any work.
    before = _snapshot(out)
    status, _, err = _fit(small_csv, out, "--cv", 5, "--force")
    one_error_line(status, err, "cv.csv", "did not write")
    assert _snapshot(out) == before
    _no_staging_left(tmp_path)


def test_a_result_changed_by_the_user_is_not_replaced(small_csv, tmp_path):
    out = tmp_path / "out"
    assert _fit(small_csv, out, "--alpha", 0.05)[0] == 0
    with open(out / "coefficients.csv", "a") as stream:
        stream.write("my,edit\n")
    status, _, err = _fit(small_csv, out, "--alpha", 0.05, "--force")
    one_error_line(status, err, "coefficients.csv", "changed since")
    assert (out / "coefficients.csv").read_text().endswith("my,edit\n")


def test_without_force_a_result_folder_is_refused(small_csv, tmp_path):
    out = tmp_path / "out"
    assert _fit(small_csv, out, "--alpha", 0.05)[0] == 0
    status, _, err = _fit(small_csv, out, "--alpha", 0.05)
    one_error_line(status, err, "already holds results", "--force")


def test_a_failure_while_writing_leaves_the_old_results_whole(
    small_csv, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    assert _fit(small_csv, out, "--cv", 5)[0] == 0
    (out / "notes.txt").write_text("mine")
    before = _snapshot(out)

    def broken(*args, **kwargs):
        raise ValueError("the figure could not be drawn")

    from sparsefit.cli import _figures

    monkeypatch.setattr(_figures, "cv_png", broken)
    status, _, err = _fit(small_csv, out, "--cv", 5, "--force", "--seed", 3)
    one_error_line(status, err, "could not be drawn")
    assert _snapshot(out) == before
    _no_staging_left(tmp_path)


def test_a_feature_named_like_tex_does_not_break_the_figures(small_csv, tmp_path):
    frame = pd.read_csv(small_csv)
    frame.columns = ["$\\badcommand$", "b", "$x_1$", "d", "y"]
    data = tmp_path / "tex.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    status, _, err = _fit(data, out, "--cv", 5)
    assert status == 0, err
    assert {"path.png", "cv.png", "report.html"} <= set(os.listdir(out))


def test_an_unwritable_out_is_refused_before_any_work(small_csv, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    start = time.perf_counter()
    status, _, err = run_main(
        "fit", small_csv, "--target", "y", "--cv", 10, "--out", blocker / "out"
    )
    one_error_line(status, err, "cannot create the output folder", "a-file")
    assert "fitting" not in err  # the note printed before the fit starts
    assert time.perf_counter() - start < 5


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="permissions do not bind the superuser",
)
def test_a_read_only_out_is_refused_before_any_work(small_csv, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        status, _, err = run_main(
            "fit", small_csv, "--target", "y", "--out", locked / "out"
        )
    finally:
        locked.chmod(0o700)
    one_error_line(status, err, "not writable")
    assert "fitting" not in err


def test_path_command_stages_its_results_too(small_csv, tmp_path):
    out = tmp_path / "out"
    args = ("path", small_csv, "--target", "y", "--n-alphas", 10, "--out", out)
    assert run_main(*args, "--quiet")[0] == 0
    (out / "notes.txt").write_text("mine")
    assert run_main(*args, "--quiet", "--force")[0] == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert set(json.loads((out / MANIFEST).read_text())["files"]) == {
        "path.csv",
        "path.png",
    }


def test_demo_refuses_an_existing_result_folder(tmp_path):
    demo = tmp_path / "demo"
    (demo / "golub").mkdir(parents=True)
    (demo / "golub" / "report.html").write_text("the user's page")
    start = time.perf_counter()
    status, _, err = run_main("demo", "--out", demo, "--quiet")
    one_error_line(status, err, "already holds results", "--force")
    # With --force the user's page (not sparsefit's) is still not replaced.
    status, _, err = run_main("demo", "--out", demo, "--quiet", "--force")
    one_error_line(status, err, "report.html", "did not write")
    assert time.perf_counter() - start < 5  # refused before the first fit
    assert not (demo / "prostate").exists()
    assert (demo / "golub" / "report.html").read_text() == "the user's page"
