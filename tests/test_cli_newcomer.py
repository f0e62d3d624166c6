"""The newcomer's path: examples that run as written, the compile note, set-up.

Every example takes ``--out`` (default ``sparsefit-examples/NAME`` in the
current folder, git-ignored), creates it and writes nowhere else; the README
runs them with the project's interpreter; the command says "compiling
(first run only)" on a terminal while the compiled-code cache is cold; and
``make demo`` / ``make test`` warm that cache as part of their set-up.
"""

import io
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sparsefit.cli import _warm

from .cli_helpers import ROOT, cli_env, run_main

EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_takes_out_defaulting_to_an_ignored_folder(name):
    proc = subprocess.run(
        [sys.executable, ROOT / "examples" / f"{name}.py", "--help"],
        env=dict(cli_env(), COLUMNS="200"),  # no line break inside the path
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "--out" in proc.stdout
    assert f"(default: sparsefit-examples/{name})" in proc.stdout
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "sparsefit-examples/" in ignored


@pytest.mark.slow
@pytest.mark.parametrize("name", ["path_and_cv", "exact_penalty"])
def test_a_quick_example_writes_only_into_its_folder(tmp_path, name):
    proc = subprocess.run(
        [sys.executable, ROOT / "examples" / f"{name}.py"],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    written = sorted(
        str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()
    )
    assert written and all(
        w.startswith(f"sparsefit-examples/{name}/") and w.endswith(".png")
        for w in written
    ), written


def test_the_readme_runs_examples_with_the_projects_interpreter():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"([^\s`]*python\S*)\s+examples/(\w+)\.py", readme)
    assert commands, "the README shows how to run the examples"
    assert {c for c, _ in commands} == {".venv/bin/python"}, commands
    mentioned = set(re.findall(r"examples/(\w+)\.py", readme))
    assert mentioned == set(EXAMPLES)


def test_make_demo_and_test_warm_the_cache_first():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        line = re.search(rf"^{target}:(.*)$", makefile, re.M).group(1)
        assert "$(VENV)/.warm" in line, line
    recipe = re.search(r"^\$\(VENV\)/\.warm:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert "warm_up()" in recipe.group(1)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def cold_cache(tmp_path, monkeypatch):
    """An empty marker folder: the cache counts as cold."""
    folder = tmp_path / "markers"
    monkeypatch.setattr(_warm, "_marker_folder", lambda: folder)
    return folder


def test_cold_cache_is_told_from_the_markers(cold_cache, monkeypatch):
    assert _warm.cache_is_cold("gaussian")
    _warm.warm_up(["gaussian"], verbose=False)
    assert not _warm.cache_is_cold("gaussian")
    assert _warm.cache_is_cold("poisson")  # each family compiles its own
    # A kernel module edited since: Numba recompiles it, so cold again.
    monkeypatch.setattr(_warm, "_newest_cached_source", lambda: 4e9)
    assert _warm.cache_is_cold("gaussian")


def test_the_command_says_compiling_on_a_terminal_when_cold(
    cold_cache, tmp_path, monkeypatch
):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    data = tmp_path / "d.csv"
    pd.DataFrame(np.c_[X, X[:, 0]], columns=["a", "b", "c", "y"]).to_csv(data)

    def fit(out, *extra):
        terminal = _Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        argv = ["fit", data, "--target", "y", "--alpha", 0.1, "--out", out, *extra]
        from sparsefit.cli import main

        status = main([str(a) for a in argv])
        monkeypatch.undo()
        monkeypatch.setattr(_warm, "_marker_folder", lambda: cold_cache)
        return status, terminal.getvalue()

    status, err = fit(tmp_path / "o1")
    assert status == 0 and "compiling (first run only)" in err
    status, err = fit(tmp_path / "o2")
    assert status == 0 and "compiling" not in err
    # Not on a terminal (a pipe, a log file): no note.
    (cold_cache / f"sparsefit-warm-gaussian-{_version()}.marker").unlink()
    status, _, err = run_main("fit", data, "--target", "y", "--out", tmp_path / "o3")
    assert status == 0 and "compiling" not in err


def _version():
    import sparsefit

    return sparsefit.__version__


def test_warm_up_fits_every_command_line_family(tmp_path, monkeypatch):
    """make demo and make test run warm_up over every CLI family: each
    needs a tiny target of its own kind (a survival target for cox)."""
    from sparsefit.cli._families import FAMILIES

    monkeypatch.setattr(_warm, "_marker_folder", lambda: tmp_path)
    _warm.warm_up(verbose=False)
    assert not any(_warm.cache_is_cold(name) for name in FAMILIES)
