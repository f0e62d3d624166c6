"""End-to-end tests of the ``sparsefit`` command on the bundled real data.

The command runs in a subprocess; its numbers are checked against the
Python estimators fitted here with the same settings, and its certificates
(duality gap, KKT margins) are checked on their own.
"""

import json
import os
import pty
import subprocess
import sys
import tomllib
from importlib import metadata

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold

import sparsefit

from .cli_helpers import (
    DATA,
    ROOT,
    assert_ok,
    assert_usage_error,
    cli_env,
    command,
    run_cli,
)


@pytest.fixture(scope="module")
def prostate():
    return pd.read_csv(DATA / "prostate.csv")


@pytest.fixture(scope="module")
def golub():
    return pd.read_csv(DATA / "golub_multtest.csv")


def _xy(frame, target, drop=()):
    X = frame.drop(columns=[target, *drop])
    return X, frame[target].to_numpy(dtype=float)


@pytest.fixture(scope="module")
def prostate_cv(tmp_path_factory):
    """``fit --cv 5`` on the ESL split, once for the module."""
    tmp = tmp_path_factory.mktemp("prostate_cv")
    proc = assert_ok(
        run_cli(
            "fit",
            DATA / "prostate.csv",
            "--target",
            "lpsa",
            "--cv",
            5,
            "--standardize",
            "--train-column",
            "train",
            "--selection",
            "1se",
            "--out",
            tmp / "out",
            "--json",
            cwd=tmp,
        )
    )
    return tmp, json.loads(proc.stdout)


def test_fit_cv_matches_the_estimator_and_writes_every_file(prostate_cv, prostate):
    tmp, summary = prostate_cv
    out = tmp / "out"
    expected = {"coefficients.csv", "path.csv", "cv.csv", "model.json", "path.png"}
    expected |= {"cv.png", "report.html"}
    assert expected <= {p.name for p in out.iterdir()}
    assert set(summary["files"]) == expected

    train = prostate["train"].to_numpy()
    X, y = _xy(prostate, "lpsa", ["train"])
    est = sparsefit.LassoCV(
        cv=KFold(5, shuffle=True, random_state=0), selection="1se", standardize=True
    ).fit(X[train], y[train])
    assert summary["alpha"] == pytest.approx(est.alpha_, rel=1e-12)
    assert summary["alpha_min"] == pytest.approx(est.alpha_min_, rel=1e-12)
    assert summary["alpha_1se"] == pytest.approx(est.alpha_1se_, rel=1e-12)
    assert summary["alpha_1se"] >= summary["alpha_min"]
    cert = summary["certificate"]
    assert 0 <= cert["dual_gap"] <= cert["gap_bound"]

    coefs = pd.read_csv(out / "coefficients.csv").set_index("feature")
    np.testing.assert_allclose(
        coefs.loc[list(X.columns), "coef"], est.coef_, atol=1e-12
    )
    # The intercept first, as glmnet's coef(); then the features.
    assert coefs.index[0] == "(Intercept)"
    assert coefs["coef"].iloc[0] == pytest.approx(est.intercept_, abs=1e-12)
    coefs = coefs.iloc[1:]
    # Non-zero first; the KKT margin is ~0 for kept features, >= 0 for zeros.
    nonzero = (coefs["coef"] != 0).to_numpy()
    k = int(nonzero.sum())
    assert k == summary["n_nonzero"] and nonzero[:k].all() and not nonzero[k:].any()
    scale = coefs["penalty"].max()
    assert (coefs["kkt_margin"][:k].abs() <= 1e-3 * scale).all()
    assert (coefs["kkt_margin"][k:] >= -1e-3 * scale).all()

    cv = pd.read_csv(out / "cv.csv")
    np.testing.assert_allclose(cv["cv_mean"], est.cv_mean_, rtol=1e-12)
    assert cv.loc[cv["alpha_1se"], "alpha"].item() == pytest.approx(est.alpha_1se_)
    assert {f"fold_{i}" for i in range(1, 6)} <= set(cv.columns)

    # Held-out metrics on the 30 test men, as computed from the estimator.
    mse = np.mean((est.predict(X[~train]) - y[~train]) ** 2)
    assert summary["metrics"]["test"]["mse"] == pytest.approx(mse, rel=1e-12)
    assert summary["rows"] == {
        "read": 97,
        "used": 97,
        "dropped": [],
        "train": 67,
        "test": 30,
    }


def test_predict_round_trip_to_1e_12(prostate_cv, prostate):
    tmp, _ = prostate_cv
    train = prostate["train"].to_numpy()
    X, y = _xy(prostate, "lpsa", ["train"])
    est = sparsefit.LassoCV(
        cv=KFold(5, shuffle=True, random_state=0), selection="1se", standardize=True
    ).fit(X[train], y[train])
    new = prostate.drop(columns=["lpsa"])  # no target needed to predict
    new.to_csv(tmp / "new.csv", index=False)
    assert_ok(run_cli("predict", tmp / "out", tmp / "new.csv", "--out", tmp / "p.csv"))
    pred = pd.read_csv(tmp / "p.csv")
    assert pred["row"].tolist() == list(range(1, 98))
    np.testing.assert_allclose(pred["prediction"], est.predict(X), rtol=0, atol=1e-12)
    # Again to stdout.
    proc = assert_ok(run_cli("predict", tmp / "out" / "model.json", tmp / "new.csv"))
    again = pd.read_csv(pd.io.common.StringIO(proc.stdout))
    np.testing.assert_array_equal(again["prediction"], pred["prediction"])


def test_model_json_is_readable_versioned_json(prostate_cv):
    tmp, summary = prostate_cv
    text = (tmp / "out" / "model.json").read_text()
    doc = json.loads(text)
    assert doc["format"] == "sparsefit-model" and doc["schema_version"] == 1
    assert doc["family"] == "gaussian" and doc["link"] == "identity"
    assert doc["features"] == [
        "lcavol",
        "lweight",
        "age",
        "lbph",
        "svi",
        "lcp",
        "gleason",
        "pgg45",
    ]
    (block,) = doc["coefficients"]
    assert len(block["nonzero"]) == summary["n_nonzero"]
    assert "\n" in text and "NaN" not in text and "Infinity" not in text


def test_explain_command(prostate_cv):
    tmp, summary = prostate_cv
    proc = assert_ok(run_cli("explain", tmp / "out", "--json"))
    rows = json.loads(proc.stdout)
    kept = [r for r in rows if r["coef"] != 0]
    assert len(kept) == summary["n_nonzero"]
    assert [r["feature"] for r in kept] == [r["feature"] for r in summary["selected"]]
    name = kept[0]["feature"]
    one = assert_ok(run_cli("explain", tmp / "out", "--feature", name))
    assert f"{name}: kept" in one.stdout and "enters the path at alpha" in one.stdout
    dropped = [r for r in rows if r["coef"] == 0]
    if dropped:
        text = assert_ok(
            run_cli("explain", tmp / "out", "--feature", dropped[0]["feature"])
        ).stdout
        assert "dropped" in text and "below the penalty" in text


def test_fixed_alpha_on_golub_p_much_larger_than_n(tmp_path, golub):
    out = tmp_path / "g"
    proc = assert_ok(
        run_cli(
            "fit",
            DATA / "golub_multtest.csv",
            "--target",
            "cl",
            "--alpha",
            0.05,
            "--n-alphas",
            20,
            "--out",
            out,
            "--json",
        )
    )
    summary = json.loads(proc.stdout)
    X, y = _xy(golub, "cl")
    est = sparsefit.Lasso(alpha=0.05).fit(X, y)
    assert summary["n_nonzero"] == np.count_nonzero(est.coef_) > 0
    assert summary["selection"] == "fixed" and summary["metrics"] == {"cv": None}
    assert not (out / "cv.csv").exists() and not (out / "cv.png").exists()
    coefs = pd.read_csv(out / "coefficients.csv").set_index("feature")
    np.testing.assert_allclose(
        coefs.loc[list(X.columns), "coef"], est.coef_, atol=1e-12
    )

    path = pd.read_csv(out / "path.csv")
    assert len(path) == 20 and path["alpha"].iloc[-1] <= 0.05
    reference = sparsefit.lasso_path(X, y, n_alphas=20, progress=False)
    np.testing.assert_allclose(path["alpha"], reference.alphas, rtol=1e-12)
    np.testing.assert_array_equal(path["n_nonzero"], reference.n_nonzero)
    assert (path["dual_gap"] <= reference.gap_tols + 1e-15).all()

    golub.drop(columns=["cl"]).to_parquet(tmp_path / "new.parquet")
    assert_ok(
        run_cli("predict", out, tmp_path / "new.parquet", "--out", tmp_path / "p")
    )
    pred = pd.read_csv(tmp_path / "p")["prediction"]
    np.testing.assert_allclose(pred, est.predict(X), rtol=0, atol=1e-12)


def test_tsv_and_parquet_read_as_csv(tmp_path, prostate):
    prostate.to_csv(tmp_path / "p.tsv", sep="\t", index=False)
    prostate.to_parquet(tmp_path / "p.parquet")
    coefs = []
    for name in ("p.tsv", "p.parquet"):
        assert_ok(
            run_cli(
                "fit",
                tmp_path / name,
                "--target",
                "lpsa",
                "--exclude",
                "train",
                "--alpha",
                0.1,
                "--out",
                tmp_path / name.replace(".", "_"),
                "--quiet",
            )
        )
        frame = pd.read_csv(tmp_path / name.replace(".", "_") / "coefficients.csv")
        coefs.append(frame.set_index("feature")["coef"].sort_index())
    X, y = _xy(prostate, "lpsa", ["train"])
    est = sparsefit.Lasso(alpha=0.1).fit(X, y)
    np.testing.assert_allclose(coefs[0][list(X.columns)], est.coef_, atol=1e-12)
    np.testing.assert_array_equal(coefs[0], coefs[1])


def test_one_hot_and_penalty_factors_round_trip(tmp_path, prostate):
    frame = prostate.drop(columns=["train"]).copy()
    frame["svi"] = np.where(frame["svi"] == 1, "invaded", "clear")
    frame["gleason"] = "g" + frame["gleason"].astype(int).astype(str)
    frame.to_csv(tmp_path / "cat.csv", index=False)
    pd.DataFrame({"feature": ["lcavol", "gleason"], "factor": [0.0, 2.0]}).to_csv(
        tmp_path / "pf.csv", index=False
    )
    out = tmp_path / "out"
    proc = assert_ok(
        run_cli(
            "fit",
            tmp_path / "cat.csv",
            "--target",
            "lpsa",
            "--one-hot",
            "--penalty-factor",
            tmp_path / "pf.csv",
            "--alpha",
            0.3,
            "--out",
            out,
            "--json",
        )
    )
    summary = json.loads(proc.stdout)
    assert summary["features"]["one_hot"] == {"svi": 2, "gleason": 4}
    coefs = pd.read_csv(out / "coefficients.csv").set_index("feature")
    levels = ["svi=clear", "svi=invaded", "gleason=g6", "gleason=g7", "gleason=g8"]
    assert set(levels) <= set(coefs.index)
    assert coefs.loc["lcavol", "status"] == "unpenalised"
    assert "unpenalised (penalty factor 0)" in (out / "report.html").read_text()

    design = pd.get_dummies(frame.drop(columns=["lpsa"]), dtype=float)
    design.columns = [
        c.replace("_", "=", 1) if c.startswith(("svi_", "gleason_")) else c
        for c in design.columns
    ]
    names = json.loads((out / "model.json").read_text())["design_columns"]
    factor = np.array(
        [
            0.0 if n == "lcavol" else 2.0 if n.startswith("gleason=") else 1.0
            for n in names
        ]
    )
    est = sparsefit.Lasso(alpha=0.3, penalty_factor=factor).fit(
        design[names], frame["lpsa"]
    )
    np.testing.assert_allclose(coefs.loc[names, "coef"], est.coef_, atol=1e-12)
    assert_ok(run_cli("predict", out, tmp_path / "cat.csv", "--out", tmp_path / "p"))
    pred = pd.read_csv(tmp_path / "p")["prediction"]
    np.testing.assert_allclose(pred, est.predict(design[names]), rtol=0, atol=1e-12)

    frame.loc[4, "gleason"] = "g10"
    frame.to_csv(tmp_path / "unseen.csv", index=False)
    assert_usage_error(
        run_cli("predict", out, tmp_path / "unseen.csv"), "'gleason'", "'g10'", "row 5"
    )


def test_path_command_matches_lasso_path(tmp_path, prostate):
    proc = assert_ok(
        run_cli(
            "path",
            DATA / "prostate.csv",
            "--target",
            "lpsa",
            "--exclude",
            "train",
            "--n-alphas",
            30,
            "--out",
            tmp_path / "p",
            "--json",
        )
    )
    summary = json.loads(proc.stdout)
    X, y = _xy(prostate, "lpsa", ["train"])
    ref = sparsefit.lasso_path(X, y, n_alphas=30, progress=False)
    table = pd.read_csv(tmp_path / "p" / "path.csv")
    for j, name in enumerate(X.columns):
        np.testing.assert_allclose(
            table[name], ref.coefs[j].toarray().ravel(), atol=1e-12
        )
    order = np.argsort(-ref.entry_alphas, kind="stable")
    assert [e["feature"] for e in summary["entries"]] == list(X.columns[order])
    assert (tmp_path / "p" / "path.png").stat().st_size > 10_000


def test_quiet_and_progress_only_on_a_terminal(tmp_path):
    args = ["fit", DATA / "prostate.csv", "--target", "lpsa", "--exclude", "train"]
    quiet = assert_ok(
        run_cli(*args, "--alpha", 0.1, "--out", tmp_path / "q", "--quiet")
    )
    assert quiet.stdout == "" and quiet.stderr == ""
    # On a terminal the CV folds show a counter on stderr (on a pipe, none:
    # every other test reads stderr from a pipe and finds one line at most).
    leader, follower = pty.openpty()
    proc = subprocess.run(
        [*command(), *map(str, [*args, "--cv", 3, "--n-alphas", 10])],
        cwd=tmp_path,
        stderr=follower,
        stdout=subprocess.PIPE,
        env=cli_env(),
        timeout=300,
    )
    os.close(follower)
    seen = b""
    try:
        while chunk := os.read(leader, 4096):
            seen += chunk
    except OSError:
        pass
    os.close(leader)
    assert proc.returncode == 0
    assert b"cv folds 3/3" in seen and b"\r" in seen
    assert b"alpha_1se" in proc.stdout and b"cv folds" not in proc.stdout


def test_demo_runs_on_the_bundled_data(tmp_path):
    proc = assert_ok(run_cli("demo", "--out", tmp_path / "demo", "--json"))
    summary = json.loads(proc.stdout)
    prostate = summary["results"]["prostate"]
    assert prostate["rows"]["train"] == 67 and prostate["rows"]["test"] == 30
    # ESL Table 3.3: the lasso's test error is 0.479 (folds differ: a loose check).
    assert prostate["metrics"]["test"]["mse"] == pytest.approx(0.479, abs=0.1)
    assert (tmp_path / "demo" / "prostate" / "report.html").exists()
    golub = summary["results"]["golub"]
    if hasattr(sparsefit, "SparseLogisticRegressionCV"):
        assert golub["n_nonzero"] > 0 and golub["metrics"]["cv"] is not None
    else:
        assert "SparseLogisticRegressionCV" in golub["skipped"]


def test_console_script_is_declared_and_installed():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["sparsefit"] == "sparsefit.cli:main"
    from sparsefit.cli import main

    assert callable(main)
    try:
        points = metadata.entry_points(group="console_scripts", name="sparsefit")
    except metadata.PackageNotFoundError:  # pragma: no cover
        points = ()
    script = os.path.join(os.path.dirname(sys.executable), "sparsefit")
    if not points or not os.path.exists(script):
        pytest.skip(
            "sparsefit is not installed with its console script here "
            "(pip install -e . creates it)"
        )
    assert {p.value for p in points} == {"sparsefit.cli:main"}
    proc = assert_ok(
        subprocess.run(
            [script, "--version"],
            capture_output=True,
            text=True,
            env=cli_env(),
            timeout=120,
        )
    )
    assert proc.stdout.strip() == sparsefit.__version__
