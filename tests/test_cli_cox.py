"""The Cox family on the command line, on the shipped veterans' data.

Every number the command writes is checked against the estimators called
directly on the same arrays; every mistake in the survival columns ends
with one line naming the column (and the rows) and exit status 2.
"""

import json

import numpy as np
import pandas as pd
import pytest

from sparsefit import CoxLasso, compute_path
from sparsefit.datafits import Cox, survival_target
from sparsefit.datasets import load_veteran
from sparsefit.penalties import ElasticNetPenalty

from .cli_helpers import one_error_line, run_main

ALPHA = 0.05


@pytest.fixture(scope="module")
def veteran():
    data = load_veteran()
    frame = pd.DataFrame(np.asarray(data.X), columns=data.feature_names)
    frame["time"] = data.y["stop"]
    frame["status"] = data.y["event"].astype(int)
    return data, frame


@pytest.fixture
def csv(tmp_path, veteran):
    path = tmp_path / "veteran.csv"
    veteran[1].to_csv(path, index=False)
    return path


def _fit(csv, out, *extra):
    status, stdout, err = run_main(
        "fit",
        csv,
        "--family",
        "cox",
        "--time",
        "time",
        "--event",
        "status",
        "--out",
        out,
        "--json",
        *extra,
    )
    assert status == 0, err
    return json.loads(stdout)


def _coef(out, names):
    table = pd.read_csv(out / "coefficients.csv").set_index("feature")
    return table.loc[names, "coef"].to_numpy(dtype=float)


def test_fit_at_alpha_equals_the_estimator(tmp_path, csv, veteran):
    data, _ = veteran
    summary = _fit(
        csv, tmp_path / "o", "--alpha", ALPHA, "--standardize", "--tol", 1e-10
    )
    ref = CoxLasso(alpha=ALPHA, standardize=True, tol=1e-10).fit(data.X, data.y)
    got = _coef(tmp_path / "o", data.feature_names)
    np.testing.assert_allclose(got, ref.coef_, rtol=1e-7, atol=1e-9)
    assert summary["family"] == "cox" and summary["target"] == "time"
    assert summary["target_summary"]["events"] == int(data.y["event"].sum())
    doc = json.loads((tmp_path / "o" / "model.json").read_text())
    assert doc["link"] == "cox" and doc["survival"]["event"] == "status"
    assert "events" in (tmp_path / "o" / "report.html").read_text()
    # The path written with it starts at the exact alpha_max: all zero there.
    path = pd.read_csv(tmp_path / "o" / "path.csv")
    assert path["n_nonzero"].iloc[0] == 0 and path["n_nonzero"].iloc[1] > 0
    assert path["alpha"].iloc[-1] <= ALPHA * (1 + 1e-12)


def test_cv_fit_scores_the_grouped_deviance(tmp_path, csv):
    summary = _fit(csv, tmp_path / "o", "--cv", 5, "--standardize", "--n-alphas", 30)
    assert summary["metrics"]["cv"]["scoring"] == "deviance"
    cv = pd.read_csv(tmp_path / "o" / "cv.csv")
    assert len(cv) == 30 and np.isfinite(cv["cv_mean"]).all()
    assert summary["alpha_1se"] >= summary["alpha_min"]


def test_predict_link_risk_and_survival(tmp_path, csv, veteran):
    data, frame = veteran
    _fit(csv, tmp_path / "o", "--alpha", ALPHA, "--standardize", "--tol", 1e-10)
    ref = CoxLasso(alpha=ALPHA, standardize=True, tol=1e-10).fit(data.X, data.y)
    status, stdout, err = run_main(
        "predict",
        tmp_path / "o",
        csv,
        "--times",
        "30,100.5,400",
        "--out",
        tmp_path / "p.csv",
    )
    assert status == 0, err
    pred = pd.read_csv(tmp_path / "p.csv")
    assert list(pred.columns) == [
        "row",
        "link",
        "risk",
        "survival_30",
        "survival_100.5",
        "survival_400",
    ]
    np.testing.assert_allclose(pred["link"], ref.predict(data.X), atol=1e-8)
    np.testing.assert_allclose(
        pred["risk"], ref.predict(data.X, kind="risk"), rtol=1e-7
    )
    curves = ref.predict_survival_function(data.X, times=[30, 100.5, 400])
    np.testing.assert_allclose(pred.iloc[:, 3:].to_numpy(), curves, rtol=1e-6)
    status, stdout, err = run_main("explain", tmp_path / "o")
    assert status == 0 and "karno: kept" in stdout, err


def test_path_command_starts_at_the_exact_alpha_max(tmp_path, csv, veteran):
    data, _ = veteran
    status, stdout, err = run_main(
        "path",
        csv,
        "--family",
        "cox",
        "--time",
        "time",
        "--event",
        "status",
        "--n-alphas",
        20,
        "--out",
        tmp_path / "p",
        "--json",
    )
    assert status == 0, err
    table = pd.read_csv(tmp_path / "p" / "path.csv")
    ref = compute_path(
        data.X,
        data.y,
        Cox(),
        ElasticNetPenalty(1.0, 1.0),
        n_alphas=20,
        fit_intercept=False,
    )
    np.testing.assert_allclose(table["alpha"], ref.alphas, rtol=1e-12)
    assert (table["dual_gap"] <= np.asarray(ref.gap_tols) * 1.0001).all()
    assert json.loads(stdout)["entries"][0]["feature"] == "karno"


def test_start_and_strata_reach_the_fit(tmp_path, veteran):
    data, frame = veteran
    frame = frame.copy()
    frame["entry"] = np.where(np.arange(len(frame)) % 3 == 0, frame["time"] / 4, 0)
    frame["group"] = np.where(frame["trt"] > 1, "test", "standard")
    path = tmp_path / "v.csv"
    frame.to_csv(path, index=False)
    _fit(
        path,
        tmp_path / "o",
        "--alpha",
        0.02,
        "--start",
        "entry",
        "--strata",
        "group",
        "--exclude",
        "trt",
        "--tol",
        1e-10,
    )
    names = [n for n in data.feature_names if n != "trt"]
    y = survival_target(
        frame["time"], frame["status"], start=frame["entry"], strata=frame["group"]
    )
    ref = CoxLasso(alpha=0.02, tol=1e-10).fit(frame[names].to_numpy(), y)
    np.testing.assert_allclose(_coef(tmp_path / "o", names), ref.coef_, atol=1e-8)


def test_held_out_rows_get_the_c_index(tmp_path, veteran):
    data, frame = veteran
    frame = frame.copy()
    frame["train"] = np.arange(len(frame)) % 4 != 0
    path = tmp_path / "v.csv"
    frame.to_csv(path, index=False)
    summary = _fit(
        path,
        tmp_path / "o",
        "--alpha",
        ALPHA,
        "--standardize",
        "--train-column",
        "train",
    )
    test = summary["metrics"]["test"]
    rows = ~frame["train"].to_numpy()
    ref = CoxLasso(alpha=ALPHA, standardize=True).fit(data.X[~rows], data.y[~rows])
    assert test["c_index"] == pytest.approx(
        ref.score(data.X[rows], data.y[rows]), abs=1e-6
    )
    assert test["deviance_per_event"] > 0


def _bad(tmp_path, frame, *extra):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return run_main("fit", path, "--alpha", 0.1, "--out", tmp_path / "o", *extra)


COX = ("--family", "cox", "--time", "time", "--event", "status")


def test_missing_survival_columns_are_named(tmp_path, veteran):
    frame = veteran[1]
    one_error_line(
        *_bad(tmp_path, frame, "--family", "cox", "--time", "tme", "--event", "status")[
            ::2
        ],
        "'tme'",
        "did you mean",
    )
    one_error_line(
        *_bad(tmp_path, frame, "--family", "cox", "--time", "time", "--event", "dead")[
            ::2
        ],
        "--event column 'dead'",
    )
    one_error_line(
        *_bad(tmp_path, frame, "--family", "cox", "--time", "time")[::2],
        "family cox needs --event",
    )


def test_survival_options_need_family_cox(tmp_path, veteran):
    status, _, err = _bad(tmp_path, veteran[1], "--target", "karno", "--time", "time")
    one_error_line(status, err, "--time is an option of family cox", "gaussian")
    status, _, err = _bad(tmp_path, veteran[1], "--exclude", "time")
    one_error_line(status, err, "--target is required")


@pytest.mark.parametrize(
    ("column", "values", "fragments"),
    [
        (
            "time",
            lambda t: np.where(np.arange(len(t)) == 4, -1.0, t),
            ["--time column 'time'", "times >= 0", "row(s) 5"],
        ),
        (
            "time",
            lambda t: np.where(np.arange(len(t)) == 0, "soon", t.astype(str)),
            ["--time column 'time' must be numeric", "'soon'"],
        ),
        (
            "status",
            lambda e: np.where(np.arange(len(e)) == 2, 2, e),
            ["--event column 'status'", "found 2", "row(s) 3"],
        ),
        ("status", lambda e: np.zeros_like(e), ["'status' has no event"]),
    ],
)
def test_bad_survival_values_are_refused(tmp_path, veteran, column, values, fragments):
    frame = veteran[1].copy()
    frame[column] = values(frame[column].to_numpy())
    one_error_line(*_bad(tmp_path, frame, *COX)[::2], *fragments)


def test_start_not_below_time_is_refused(tmp_path, veteran):
    frame = veteran[1].copy()
    frame["entry"] = np.where(np.arange(len(frame)) == 6, frame["time"], 0)
    status, _, err = _bad(tmp_path, frame, *COX, "--start", "entry")
    one_error_line(status, err, "--start column 'entry'", "row(s) 7")


def test_predict_times_need_a_cox_model(tmp_path, csv):
    status, _, err = run_main(
        "fit",
        csv,
        "--target",
        "karno",
        "--alpha",
        1,
        "--out",
        tmp_path / "g",
        "--quiet",
    )
    assert status == 0, err
    status, _, err = run_main("predict", tmp_path / "g", csv, "--times", "10")
    one_error_line(status, err, "--times is for survival models")


def test_stratified_fit_predicts_each_stratum_survival(tmp_path, veteran):
    _, frame = veteran
    frame = frame.copy()
    frame["arm"] = np.where(frame["trt"] > 1, "test", "standard")
    path = tmp_path / "v.csv"
    frame.to_csv(path, index=False)
    _fit(
        path,
        tmp_path / "o",
        "--alpha",
        0.02,
        "--strata",
        "arm",
        "--exclude",
        "trt",
        "--tol",
        1e-10,
    )
    names = [c for c in frame.columns if c not in ("trt", "arm", "time", "status")]
    y = survival_target(frame["time"], frame["status"], strata=frame["arm"])
    ref = CoxLasso(alpha=0.02, tol=1e-10).fit(frame[names].to_numpy(), y)
    times = [20, 150, 500]
    want = ref.predict_survival_function(
        frame[names].to_numpy(), times=times, strata=frame["arm"].to_numpy()
    )
    status, _, err = run_main(
        "predict",
        tmp_path / "o",
        path,
        "--times",
        "20,150,500",
        "--out",
        tmp_path / "p.csv",
    )
    assert status == 0, err
    got = pd.read_csv(tmp_path / "p.csv").iloc[:, 3:].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)
    # Without the strata column the curves are refused, naming it.
    status, _, err = run_main(
        "predict", tmp_path / "o", csv_without(frame, "arm", tmp_path), "--times", "20"
    )
    one_error_line(status, err, "fitted with strata (column 'arm')")


def csv_without(frame, column, folder):
    path = folder / f"without_{column}.csv"
    frame.drop(columns=[column]).to_csv(path, index=False)
    return path
