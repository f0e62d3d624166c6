"""``sparsefit select`` end to end, ``fit --n-nonzero``, and their bad input."""

import json

import numpy as np
import pandas as pd
import pytest

from sparsefit.cli import select as select_command
from sparsefit.selection import StabilitySelection

from .cli_helpers import (
    DATA,
    assert_ok,
    assert_usage_error,
    one_error_line,
    run_cli,
    run_main,
)

PROSTATE = DATA / "prostate.csv"
FEATURES = ["lcavol", "lweight", "age", "lbph", "svi", "lcp", "gleason", "pgg45"]
QUICK = ("--n-resamples", 8, "--n-alphas", 30, "--standardize")


def _select(out, *extra):
    return run_main(
        "select", PROSTATE, "--target", "lpsa", "--exclude", "train",
        "--out", out, "--quiet", *QUICK, *extra,
    )  # fmt: skip


def test_select_end_to_end(tmp_path):
    proc = assert_ok(
        run_cli(
            "select",
            PROSTATE,
            "--target",
            "lpsa",
            "--exclude",
            "train",
            "--out",
            tmp_path / "out",
            "--json",
            *QUICK,
            "--seed",
            3,
        )  # fmt: skip
    )
    summary = json.loads(proc.stdout)
    out = tmp_path / "out"
    assert summary["files"] == [
        "selected.csv", "features.csv", "selection.json", "stability.png",
        "report.html",
    ]  # fmt: skip
    # The same selection as the library with the same seed and options.
    frame = pd.read_csv(PROSTATE)
    sel = StabilitySelection(
        n_resamples=8, n_alphas=30, standardize=True, random_state=3
    ).fit(frame[FEATURES], frame["lpsa"])
    selected = pd.read_csv(out / "selected.csv")
    assert sorted(selected["feature"]) == sorted(np.array(FEATURES)[sel.support_])
    assert selected["selected"].all()
    assert (selected["max_probability"] >= 0.6).all()
    features = pd.read_csv(out / "features.csv")
    assert sorted(features["feature"]) == sorted(FEATURES)
    np.testing.assert_allclose(
        features.set_index("feature").loc[FEATURES, "max_probability"],
        sel.max_probability_,
    )
    record = json.loads((out / "selection.json").read_text())["record"]
    assert record["random_state"] == 3
    assert len(record["subsamples"]) == 16
    for rows, expected in zip(record["subsamples"], sel.subsamples_, strict=True):
        assert rows == expected.tolist()
    assert record["not_converged"] == [] and 0 < record["max_gap"] <= 1e-4
    assert summary["details"]["error_bound"] <= 1.0
    report = (out / "report.html").read_text()
    assert "<h2>Selection</h2>" in report and "stability-figure" in report
    assert (out / "stability.png").read_bytes()[:4] == b"\x89PNG"


def test_select_same_result_for_any_n_jobs(tmp_path):
    assert _select(tmp_path / "a", "--n-jobs", 1)[0] == 0
    assert _select(tmp_path / "b", "--n-jobs", 2)[0] == 0
    for name in ("selected.csv", "features.csv"):
        assert (tmp_path / "a" / name).read_text() == (
            tmp_path / "b" / name
        ).read_text()


def test_select_binomial_and_halves(tmp_path):
    frame = pd.read_csv(PROSTATE)
    frame["high"] = (frame["lpsa"] > frame["lpsa"].median()).astype(int)
    data = tmp_path / "data.csv"
    frame.drop(columns=["lpsa", "train"]).to_csv(data, index=False)
    status, out, err = run_main(
        "select", data, "--target", "high", "--family", "binomial", "--halves",
        "--out", tmp_path / "out", "--json", *QUICK,
    )  # fmt: skip
    assert status == 0, err
    summary = json.loads(out)
    assert summary["family"] == "binomial"
    assert summary["details"]["resampling"] == "halves"
    assert summary["details"]["bound"] == "plain"
    assert summary["record"]["n_subsamples"] == 8


def test_adding_a_method_is_one_entry(tmp_path, monkeypatch):
    class Scores:
        support_ = np.array([0])
        random_state_ = None

        def to_frame(self):
            return pd.DataFrame(
                {"feature": FEATURES, "q_value": np.linspace(0, 1, 8),
                 "selected": np.arange(8) == 0}
            )  # fmt: skip

    def fake(X, y, family, args):
        assert args.fdr == 0.2
        return select_command.Selected(Scores(), details={"fdr": args.fdr})

    monkeypatch.setitem(select_command.METHODS, "fake", fake)
    status, _, err = _select(tmp_path / "out", "--method", "fake", "--fdr", 0.2)
    assert status == 0, err
    selected = pd.read_csv(tmp_path / "out" / "selected.csv")
    assert selected["feature"].tolist() == ["lcavol"]
    assert "q_value" in selected.columns


@pytest.mark.parametrize(
    "extra, fragments",
    [
        (("--threshold", 0), ["--threshold must lie in (0, 1)", "got 0"]),
        (("--threshold", 1), ["--threshold must lie in (0, 1)"]),
        (("--threshold", 1.5), ["--threshold must lie in (0, 1)", "1.5"]),
        (("--threshold", "nan"), ["--threshold must lie in (0, 1)"]),
        (("--fdr", 1), ["--fdr must lie in (0, 1)"]),
        (("--pfer", 0), ["--pfer must be > 0"]),
        (("--n-resamples", 0), ["--n-resamples must be >= 1"]),
        (("--seed", -1), ["--seed must be >= 0"]),
    ],
)
def test_select_bad_input(tmp_path, extra, fragments):
    status, _, err = _select(tmp_path / "out", *extra)
    one_error_line(status, err, *fragments)
    assert not (tmp_path / "out").exists()


# -- fit --n-nonzero -------------------------------------------------------------
def test_fit_n_nonzero(tmp_path):
    status, out, err = run_main(
        "fit", PROSTATE, "--target", "lpsa", "--exclude", "train",
        "--n-nonzero", 3, "--out", tmp_path / "out", "--json",
    )  # fmt: skip
    assert status == 0, err
    summary = json.loads(out)
    assert summary["n_nonzero"] == 3 and summary["selection"] == "n_nonzero"
    coefs = pd.read_csv(tmp_path / "out" / "coefficients.csv")
    assert (coefs["coef"].iloc[1:] != 0).sum() == 3
    assert "cv.csv" not in summary["files"]


@pytest.mark.parametrize(
    "extra, fragments",
    [
        (("--n-nonzero", -1), ["--n-nonzero must be >= 0"]),
        (("--n-nonzero", 9), ["n_nonzero=9 is above the largest support size", "8"]),
    ],
)
def test_fit_bad_n_nonzero(tmp_path, extra, fragments):
    status, _, err = run_main(
        "fit", PROSTATE, "--target", "lpsa", "--exclude", "train",
        "--out", tmp_path / "out", "--quiet", *extra,
    )  # fmt: skip
    one_error_line(status, err, *fragments)


@pytest.mark.parametrize(
    "extra, fragments",
    [
        (("select", "--threshold", 2), ["--threshold must lie in (0, 1)"]),
        (("select", "--method", "lottery"), ["--method", "lottery"]),
        (("fit", "--n-nonzero", 2, "--alpha", 0.1), ["not allowed with argument"]),
    ],
)
def test_bad_arguments_through_a_subprocess(tmp_path, extra, fragments):
    command, *rest = extra
    proc = run_cli(
        command, PROSTATE, "--target", "lpsa", "--out", tmp_path / "out", *rest
    )
    assert_usage_error(proc, *fragments)


def test_select_knockoff_and_debiased_match_the_library(tmp_path):
    """The knockoff and debiased methods write the library's selection: the
    same features, statistics and q-values for the same seed and --fdr."""
    from sparsefit.selection import debiased_lasso, knockoff_select

    frame = pd.read_csv(PROSTATE)
    X, y = frame[FEATURES], frame["lpsa"]
    for method, extra in (("knockoff", ("--fdr", 0.4)), ("debiased", ("--fdr", 0.1))):
        out = tmp_path / method
        status, _, err = _select(out, "--method", method, "--seed", 5, *extra)
        assert status == 0, err
        written = pd.read_csv(out / "features.csv").set_index("feature")
        if method == "knockoff":
            lib = knockoff_select(X, y, fdr=0.4, n_alphas=30, random_state=5).to_frame()
            column = "q_value"
        else:
            lib = debiased_lasso(X, y, random_state=5).to_frame(fdr=0.1)
            column = "p_value"
        lib = lib.set_index("feature").loc[written.index]
        np.testing.assert_allclose(written[column], lib[column], rtol=1e-9)
        np.testing.assert_array_equal(written["selected"], lib["selected"])
        selected = pd.read_csv(out / "selected.csv")
        assert sorted(selected["feature"]) == sorted(lib.index[lib["selected"]])
        assert len(selected) > 0
        assert "selection" in (out / "report.html").read_text().lower()


def test_select_debiased_needs_the_gaussian_family(tmp_path):
    status, _, err = _select(
        tmp_path / "o", "--method", "debiased", "--family", "huber"
    )
    assert status != 0 and "--method debiased supports --family gaussian" in err
