"""The words of report.html: each count labelled once, nothing misleading."""

import re

import numpy as np
import pandas as pd

from .cli_helpers import run_main


def _cards(html):
    """(label, value, note) of each card of the report."""
    pattern = r'<div class="card"><span>(.*?)</span><b>(.*?)</b><span>(.*?)</span>'
    return re.findall(pattern, html)


def test_rows_are_labelled_once_and_the_refit_iterations_explained(tmp_path):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((70, 3))
    y = X[:, 0] + 0.2 * rng.standard_normal(70)
    frame = pd.DataFrame(np.c_[X, y], columns=["a", "b", "c", "y"])
    frame["train"] = np.arange(70) < 50
    frame.loc[3, "b"] = np.nan
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    status, _, err = run_main(
        "fit",
        data,
        "--target",
        "y",
        "--cv",
        5,
        "--train-column",
        "train",
        "--drop-missing",
        "--out",
        out,
        "--quiet",
    )
    assert status == 0, err
    html = (out / "report.html").read_text()
    cards = {label: (value, note) for label, value, note in _cards(html)}
    assert cards["rows fitted"][0] == "49"
    note = cards["rows fitted"][1]
    assert "70 read" in note and "1 dropped" in note and "20 held out" in note
    # No card shows a row count without saying which rows it counts.
    assert "rows used" not in cards and "train / test rows" not in cards
    # The refit's count is explained, not a bare "solver iterations: 1".
    assert "solver iterations:" not in html
    assert "final fit at the chosen alpha, started from the path" in html
