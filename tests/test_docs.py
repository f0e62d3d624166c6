"""The user guide's and the README's code run as written.

The ``>>>`` blocks of every page in ``docs/`` are doctests: each number the
guide's text quotes is printed by one of them, so a change in the library
that moves a number fails here. The README's Python blocks are run as they
are, top to bottom, each in a fresh namespace, with the project's
interpreter (the one running this test).
"""

import doctest
import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    p
    for p in (ROOT / "docs").rglob("*.rst")
    if not {"_build", "auto_examples", "generated", "_generated"} & set(p.parts)
    and p.name != "sg_execution_times.rst"  # written by the gallery at build time
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_user_guide_code_blocks_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a page that writes a file writes it here
    failed, _ = doctest.testfile(
        str(page), module_relative=False, optionflags=FLAGS, verbose=False
    )
    assert failed == 0, f"{failed} doctest(s) failed in {page.name}"


def readme_python_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_names_the_interpreter():
    text = (ROOT / "README.md").read_text()
    assert ".venv/bin/python" in text
    assert readme_python_blocks(), "the README has Python examples"


@pytest.mark.parametrize(
    "index", range(len(readme_python_blocks())), ids=lambda i: f"block{i}"
)
def test_readme_python_blocks_run_as_written(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = readme_python_blocks()[index]
    exec(compile(code, f"README.md python block {index}", "exec"), {})
