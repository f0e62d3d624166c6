"""The command's family table: the Gaussian rows now, the GLM rows when the
estimators exist.

The pieces the GLM families share with the Gaussian one (alpha_max, the
path of fixed-alpha fits, model.json's logit and softmax links) are checked
here against independent references; the end-to-end GLM tests run once
``sparsefit`` has ``SparseLogisticRegression(CV)`` and ``PoissonLasso(CV)``.
"""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

import sparsefit
from sparsefit.cli._families import get_family
from sparsefit.cli._model import load_model, model_document, write_model
from sparsefit.cli._paths import alpha_max, grid_path

from .cli_helpers import DATA, assert_ok, run_cli

needs_logistic = pytest.mark.skipif(
    not hasattr(sparsefit, "SparseLogisticRegressionCV"),
    reason="sparsefit has no SparseLogisticRegression(CV) yet (binomial family)",
)
needs_poisson = pytest.mark.skipif(
    not hasattr(sparsefit, "PoissonLassoCV"),
    reason="sparsefit has no PoissonLasso(CV) yet (poisson family)",
)


@pytest.fixture(scope="module")
def prostate():
    frame = pd.read_csv(DATA / "prostate.csv")
    return frame.drop(columns=["lpsa", "train"]), frame["lpsa"].to_numpy()


@pytest.mark.parametrize("standardize", [False, True])
def test_alpha_max_is_the_top_of_the_lasso_path(prostate, standardize):
    X, y = prostate
    factor = np.linspace(0.5, 2.0, X.shape[1])
    family = get_family("gaussian")
    for l1_ratio, pf in ((1.0, None), (0.5, factor)):
        ours = alpha_max(X, y, family, l1_ratio, standardize, pf)
        path = sparsefit.enet_path(
            X,
            y,
            l1_ratio=l1_ratio,
            penalty_factor=pf,
            standardize=standardize,
            n_alphas=2,
            progress=False,
        )
        assert ours == pytest.approx(path.alphas[0], rel=1e-10)


def test_grid_path_of_fixed_alpha_fits_is_the_path(prostate):
    X, y = prostate
    ref = sparsefit.lasso_path(X, y, n_alphas=15, tol=1e-10, progress=False)
    params = {"l1_ratio": 1.0, "standardize": False, "penalty_factor": None}
    table = grid_path(get_family("gaussian"), X, y, ref.alphas, params | {"tol": 1e-10})
    np.testing.assert_allclose(table.coefs[:, 0, :], ref.coefs.toarray().T, atol=1e-6)
    np.testing.assert_array_equal(table.n_nonzero, ref.n_nonzero)
    assert list(table.feature_names) == list(X.columns)
    assert np.isnan(table.entry_alphas()).sum() == np.isnan(ref.entry_alphas).sum()


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_model_json_reproduces_logistic_probabilities(tmp_path, loader):
    """The logit and softmax links of model.json against scikit-learn."""
    data = loader(as_frame=True)
    X, y = data.data, data.target.map(lambda k: data.target_names[k])
    X = (X - X.mean()) / X.std()
    est = LogisticRegression(C=0.5, max_iter=5000).fit(X, y)
    family = get_family("binomial" if len(est.classes_) == 2 else "multinomial")
    prep = SimpleNamespace(X=X, target="class", features=list(X.columns), encoding={})
    doc = model_document(est, family, prep, {}, {"feature": list(X.columns)})
    write_model(tmp_path / "model.json", doc)
    model = load_model(tmp_path)
    assert json.loads((tmp_path / "model.json").read_text())["link"] == (
        "logit" if len(est.classes_) == 2 else "softmax"
    )
    out = model.predict(X.to_numpy())
    np.testing.assert_array_equal(out["prediction"], est.predict(X))
    proba = est.predict_proba(X)
    for k, c in enumerate(est.classes_):
        np.testing.assert_allclose(out[f"probability_{c}"], proba[:, k], atol=1e-12)


@needs_logistic
def test_binomial_on_golub_round_trip(tmp_path):
    frame = pd.read_csv(DATA / "golub_multtest.csv")
    frame["cl"] = np.where(frame["cl"] == 1, "AML", "ALL")
    frame.to_csv(tmp_path / "golub.csv", index=False)
    proc = assert_ok(
        run_cli(
            "fit",
            tmp_path / "golub.csv",
            "--target",
            "cl",
            "--family",
            "binomial",
            "--cv",
            5,
            "--out",
            tmp_path / "out",
            "--json",
        )
    )
    summary = json.loads(proc.stdout)
    X, y = frame.drop(columns=["cl"]), frame["cl"].to_numpy()
    est = sparsefit.SparseLogisticRegressionCV(
        cv=StratifiedKFold(5, shuffle=True, random_state=0)
    ).fit(X, y)
    assert summary["alpha"] == pytest.approx(est.alpha_, rel=1e-12)
    assert summary["n_nonzero"] == np.count_nonzero(est.coef_) > 0
    assert_ok(
        run_cli(
            "predict",
            tmp_path / "out",
            tmp_path / "golub.csv",
            "--out",
            tmp_path / "p.csv",
        )
    )
    pred = pd.read_csv(tmp_path / "p.csv")
    np.testing.assert_array_equal(pred["prediction"], est.predict(X))
    proba = est.predict_proba(X)
    for k, c in enumerate(est.classes_):
        np.testing.assert_allclose(pred[f"probability_{c}"], proba[:, k], atol=1e-12)
    assert (tmp_path / "out" / "cv.png").exists()


@needs_logistic
def test_multinomial_on_wine_round_trip(tmp_path):
    data = load_wine(as_frame=True)
    frame = data.frame.rename(columns={"target": "cultivar"})
    # Columns standardised in the file: the solver's own standardize=True
    # takes 1000 proximal Newton passes here (multinomial, ungrouped).
    X = frame.drop(columns=["cultivar"])
    frame[X.columns] = (X - X.mean()) / X.std()
    frame.to_csv(tmp_path / "wine.csv", index=False)
    assert_ok(
        run_cli(
            "fit",
            tmp_path / "wine.csv",
            "--target",
            "cultivar",
            "--family",
            "multinomial",
            "--alpha",
            0.05,
            "--n-alphas",
            10,
            "--out",
            tmp_path / "out",
            "--quiet",
        )
    )
    X, y = frame.drop(columns=["cultivar"]), frame["cultivar"].to_numpy()
    est = sparsefit.SparseLogisticRegression(alpha=0.05).fit(X, y)
    assert_ok(
        run_cli(
            "predict",
            tmp_path / "out",
            tmp_path / "wine.csv",
            "--out",
            tmp_path / "p.csv",
        )
    )
    pred = pd.read_csv(tmp_path / "p.csv")
    np.testing.assert_array_equal(pred["prediction"], est.predict(X))
    proba = est.predict_proba(X)
    for k, c in enumerate(est.classes_):
        np.testing.assert_allclose(pred[f"probability_{c}"], proba[:, k], atol=1e-12)


@needs_poisson
def test_poisson_with_offset_round_trip(tmp_path):
    frame = pd.read_csv(DATA / "prostate.csv").drop(columns=["train"])
    # Gleason scores are small non-negative integers; the offset is a log
    # exposure varying by row.
    frame["exposure"] = np.log1p(frame["age"] / 70)
    frame.to_csv(tmp_path / "p.csv", index=False)
    assert_ok(
        run_cli(
            "fit",
            tmp_path / "p.csv",
            "--target",
            "gleason",
            "--family",
            "poisson",
            "--offset",
            "exposure",
            "--alpha",
            0.01,
            "--n-alphas",
            10,
            "--out",
            tmp_path / "out",
            "--quiet",
        )
    )
    X = frame.drop(columns=["gleason", "exposure"])
    y, offset = frame["gleason"].to_numpy(), frame["exposure"].to_numpy()
    est = sparsefit.PoissonLasso(alpha=0.01).fit(X, y, offset=offset)
    assert_ok(
        run_cli(
            "predict",
            tmp_path / "out",
            tmp_path / "p.csv",
            "--out",
            tmp_path / "pred.csv",
        )
    )
    pred = pd.read_csv(tmp_path / "pred.csv")["prediction"]
    np.testing.assert_allclose(pred, est.predict(X, offset=offset), rtol=1e-12)


def test_huber_family_resists_outlying_responses(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 6))
    y = 2 * X[:, 0] - X[:, 1] + 0.2 * rng.standard_normal(120)
    y[:8] += 30
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(6)]).assign(y=y)
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    fits = {}
    for family in ("huber", "gaussian"):
        out = tmp_path / family
        extra = ["--delta", "0.5"] if family == "huber" else []
        result = run_cli(
            "fit", data, "--target", "y", "--family", family, "--cv", "5",
            "--out", out, *extra,
        )  # fmt: skip
        assert_ok(result)
        coefs = pd.read_csv(out / "coefficients.csv").set_index("feature")["coef"]
        fits[family] = coefs
    truth = pd.Series([2.0, -1.0, 0, 0, 0, 0], index=[f"f{j}" for j in range(6)])
    err = {
        k: float(np.abs(v.drop("(Intercept)") - truth).max()) for k, v in fits.items()
    }
    assert err["huber"] < 0.1 < err["gaussian"]
    model = json.loads((tmp_path / "huber" / "model.json").read_text())
    assert model["family"] == "huber"
    wrong = run_cli("fit", data, "--target", "y", "--delta", "2", "--alpha", "0.1",
                    "--out", tmp_path / "g2")  # fmt: skip
    assert wrong.returncode != 0 and "delta" in wrong.stderr
