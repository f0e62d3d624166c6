"""The GLM estimators: scikit-learn contract, paths, CV, explain, errors."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils.estimator_checks import parametrize_with_checks

import sparsefit
from sparsefit import (
    HuberLasso,
    HuberLassoCV,
    PoissonLasso,
    PoissonLassoCV,
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
    compute_path,
)
from sparsefit.datafits import Logistic, Multinomial, Poisson


def _expected_failures(estimator):
    # Repeating a row is not the same as doubling its weight for the CV
    # selectors: the folds depend on the number of rows.
    if type(estimator).__name__.endswith("CV"):
        reason = "CV folds depend on the number of rows, not only on the weights"
        failures = {
            "check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }
        if type(estimator).__name__ == "SparseLogisticRegressionCV":
            # The check's columns sit at 100 +- 1; on one shuffled fold the
            # path's prox-Newton overflows (the uncentred GLM design): see
            # test_numerics_design.test_glm_path_with_offset_columns.
            failures["check_fit_check_is_fitted"] = (
                "prox-Newton overflows on a fold of offset columns"
            )
        return failures
    return {}


# tol=1e-10 on the plain estimators: the weight-equivalence checks compare
# two fits to 1e-7, which needs solutions certified well below that.
@parametrize_with_checks(
    [
        SparseLogisticRegression(alpha=0.01, tol=1e-10),
        SparseLogisticRegression(alpha=0.01, multinomial="grouped", tol=1e-10),
        SparseLogisticRegression(alpha=0.01, standardize=True, tol=1e-10),
        PoissonLasso(alpha=0.01, tol=1e-10),
        HuberLasso(alpha=0.01, tol=1e-10),
        HuberLassoCV(n_alphas=5, cv=3),
        SparseLogisticRegressionCV(n_alphas=5, cv=3),
        PoissonLassoCV(n_alphas=5, cv=3),
    ],
    expected_failed_checks=_expected_failures,
)
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def _binary(seed=0, n=150, p=40):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:5] = [2, -2, 1.5, -1.5, 1]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-X @ w - 0.3))).astype(int)
    return X, y


def _counts(seed=0, n=200, p=30):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    offset = np.log(rng.uniform(0.5, 3, n))
    y = rng.poisson(np.exp(0.6 * X[:, 0] - 0.4 * X[:, 1] + offset))
    return X, y.astype(float), offset


@pytest.mark.parametrize(
    "datafit, data",
    [
        (Logistic(), lambda: _binary()),
        (Multinomial(), lambda: (_binary()[0], np.arange(150) % 3)),
        (Poisson(), lambda: _counts()[:2]),
    ],
)
def test_path_is_certified_at_every_alpha(datafit, data):
    X, y = data()
    path = compute_path(X, y, datafit, n_alphas=20, tol=1e-7)
    assert (path.dual_gaps <= path.gap_tols).all()
    assert path.n_nonzero[0] == 0
    assert path.n_nonzero[-1] > 0
    # alpha_max is exact: just below it a feature enters.
    below = compute_path(X, y, datafit, alphas=[path.alphas[0] * 0.98], tol=1e-9)
    assert below.n_nonzero[0] >= 1
    assert (np.diff(path.dev_ratio) >= -1e-6).all()
    # The path's point equals a direct fit.
    k = 10
    coef = path.coef(path.alphas[k])
    if isinstance(datafit, Poisson):
        model = PoissonLasso(path.alphas[k], tol=1e-9).fit(X, y)
        np.testing.assert_allclose(coef, model.coef_, atol=1e-4)
    else:
        model = SparseLogisticRegression(path.alphas[k], tol=1e-9).fit(X, y)
        proba = path.predict(X, path.alphas[k], kind="response")
        ref = model.predict_proba(X)
        ref = ref[:, 1] if ref.shape[1] == 2 else ref
        np.testing.assert_allclose(proba, ref, atol=1e-4)


@pytest.mark.parametrize("bounds", [{"positive": True}, {"upper_bounds": 0.3}])
def test_path_warm_starts_respect_bounds(bounds):
    """Along a path each solve starts from a prediction made from the last two
    solutions: the path must stay in the box, be certified at every alpha and
    match cold solves."""
    from sparsefit.penalties import ElasticNetPenalty

    X, y = _binary(7, n=200, p=60)
    penalty = ElasticNetPenalty(1.0, 1.0, **bounds)
    path = compute_path(X, y, Logistic(), penalty=penalty, n_alphas=25, tol=1e-9)
    assert (path.dual_gaps <= path.gap_tols).all()
    coefs = path.coefs.toarray() if sp.issparse(path.coefs) else path.coefs
    assert coefs.min() >= 0.0 if "positive" in bounds else coefs.max() <= 0.3
    for k in (6, 15, 24):
        alpha = path.alphas[k]
        model = SparseLogisticRegression(alpha, tol=1e-10, **bounds).fit(X, y)
        np.testing.assert_allclose(path.coef(alpha), model.coef_[0], atol=1e-5)


def test_poisson_offset_is_exposure():
    X, y, offset = _counts(1)
    model = PoissonLasso(alpha=0.05, tol=1e-9).fit(X, y, offset=offset)
    assert abs(model.coef_[0] - 0.6) < 0.2 and abs(model.coef_[1] + 0.4) < 0.2
    assert np.abs(model.coef_[2:]).max() < 0.5 * np.abs(model.coef_[1])
    # Doubling every exposure adds log 2 to the intercept and nothing else.
    twice = PoissonLasso(alpha=0.05, tol=1e-9).fit(
        X, y * 1.0, offset=offset + np.log(2)
    )
    assert twice.intercept_ == pytest.approx(model.intercept_ - np.log(2), abs=1e-5)
    np.testing.assert_allclose(twice.coef_, model.coef_, atol=1e-5)
    mu = model.predict(X, offset=offset)
    assert mu.shape == (X.shape[0],) and (mu > 0).all()
    cv = PoissonLassoCV(cv=5, n_alphas=20).fit(X, y, offset=offset)
    assert cv.alpha_1se_ >= cv.alpha_min_
    assert 0 < np.count_nonzero(cv.coef_) < X.shape[1]


def test_class_weight_and_sample_weight_are_the_same_thing():
    X, y = _binary(2)
    w = np.where(y == 1, 3.0, 1.0)
    a = SparseLogisticRegression(0.01, tol=1e-10).fit(X, y, sample_weight=w)
    b = SparseLogisticRegression(0.01, tol=1e-10, class_weight={1: 3.0}).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-7)
    bal = SparseLogisticRegression(0.01, class_weight="balanced").fit(X, y)
    assert bal.coef_.shape == (1, X.shape[1])


def test_string_labels_and_sparse_input():
    X, y = _binary(3)
    labels = np.array(["benign", "malignant"])[y]
    model = SparseLogisticRegression(0.02).fit(sp.csr_matrix(X), labels)
    assert set(model.predict(X)) <= set(labels)
    assert model.decision_function(X).shape == (X.shape[0],)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.classes_.tolist() == ["benign", "malignant"]


def test_explain_certifies_each_feature():
    X, y = _binary(4)
    model = SparseLogisticRegression(0.02, tol=1e-10).fit(X, y)
    ex = model.explain()
    zero = ex.coef == 0
    assert (ex.pull[zero] <= ex.penalty[zero] + 1e-8).all()
    np.testing.assert_allclose(ex.pull[~zero], ex.penalty[~zero], atol=1e-7)
    # The entry alpha of a zero feature with the rest held is its pull.
    np.testing.assert_allclose(ex.entry_alpha[zero], ex.pull[zero])
    # An active feature's: the pull with that feature removed, by brute force.
    t = np.where(y == model.classes_[1], 1.0, -1.0)
    z = X @ model.coef_[0] + model.intercept_[0]
    for j in np.flatnonzero(~zero):
        zj = z - X[:, j] * model.coef_[0, j]
        held = abs(X[:, j] @ (t / (1 + np.exp(t * zj)))) / X.shape[0]
        assert ex.entry_alpha[j] == pytest.approx(held, rel=1e-10)
    # For an active feature, refitting at just above its entry alpha with the
    # other coefficients held drops it: check with the path entry instead.
    full = model.explain(X, y)
    active = ~zero
    assert (full.path_entry_alpha[active] >= model.alpha * (1 - 1e-9)).all()
    assert np.isnan(full.path_entry_alpha[zero]).all()


def test_multinomial_grouped_selects_whole_features():
    X, _ = _binary(5, n=240)
    y = np.argmax(
        X[:, :3] + 0.3 * np.random.default_rng(0).standard_normal((240, 3)), axis=1
    )
    g = SparseLogisticRegression(0.02, multinomial="grouped", tol=1e-9).fit(X, y)
    u = SparseLogisticRegression(0.02, multinomial="ungrouped", tol=1e-9).fit(X, y)
    rows = (g.coef_ != 0).any(axis=0)
    assert ((g.coef_ != 0) == rows[None]).all()  # all classes or none
    assert rows[:3].all()
    assert u.coef_.shape == (3, X.shape[1])
    assert g.dual_gap_ <= g.solver_result_.tol_abs


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: SparseLogisticRegression(alpha=-1), "alpha"),
        (lambda: SparseLogisticRegression(l1_ratio=2), "l1_ratio"),
        (lambda: SparseLogisticRegression(multinomial="both"), "multinomial"),
        (lambda: SparseLogisticRegression(solver="lars"), "solver"),
        (lambda: SparseLogisticRegression(class_weight="even"), "class_weight"),
        (lambda: SparseLogisticRegression(class_weight={7: 2.0}), "class_weight"),
        (lambda: SparseLogisticRegressionCV(scoring="r2"), "scoring"),
    ],
)
def test_bad_parameters_name_the_argument(make, message):
    X, y = _binary(6)
    with pytest.raises(ValueError, match=message):
        make().fit(X, y)


def test_bad_data_names_the_problem():
    X, y = _binary(7)
    with pytest.raises(ValueError, match="two classes"):
        SparseLogisticRegression().fit(X, np.zeros(X.shape[0]))
    with pytest.raises(ValueError, match="mismatched"):
        SparseLogisticRegression().fit(X, y[:-1])
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="row 3"):
        SparseLogisticRegression().fit(bad, y)
    Xc, yc, offset = _counts(2)
    with pytest.raises(ValueError, match="non-negative.*row 4"):
        yneg = yc.copy()
        yneg[4] = -1
        PoissonLasso().fit(Xc, yneg)
    with pytest.raises(ValueError, match="offset"):
        PoissonLasso().fit(Xc, yc, offset=offset[:-1])
    with pytest.raises(ValueError, match="grouped"):
        SparseLogisticRegression(multinomial="grouped", positive=True).fit(
            X, np.arange(X.shape[0]) % 3
        )


def test_logistic_cv_on_breast_cancer_is_sparse_and_accurate():
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    for scoring in ("deviance", "accuracy", "roc_auc"):
        model = SparseLogisticRegressionCV(
            cv=5, n_alphas=30, standardize=True, scoring=scoring
        ).fit(Xtr, ytr)
        nnz = int(np.count_nonzero(model.coef_))
        acc = model.score(Xte, yte)
        print(f"breast cancer, {scoring}: held-out accuracy {acc:.3f}, {nnz} of 30")
        assert acc >= 0.94
        assert 0 < nnz < 30
        assert model.alpha_1se_ >= model.alpha_min_
        assert model.dual_gap_ <= model.solver_result_.tol_abs


def test_sparsefit_exports_the_glm_api():
    for name in (
        "SparseLogisticRegression",
        "SparseLogisticRegressionCV",
        "PoissonLasso",
        "PoissonLassoCV",
    ):
        assert name in sparsefit.__all__


@pytest.mark.parametrize("multinomial", ["ungrouped", "grouped"])
def test_standardized_multinomial_converges_on_wine(multinomial):
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    model = SparseLogisticRegression(
        alpha=0.05, standardize=True, multinomial=multinomial
    ).fit(X, y)
    assert model.dual_gap_ <= model.solver_result_.tol_abs
    assert model.n_iter_ < 200
    assert model.score(X, y) > 0.9


def test_cross_validate_path_scores_classifiers_by_deviance_by_default():
    from sparsefit import cross_validate_path

    X, y = _binary(8)
    res = cross_validate_path(X, y, family="binomial", n_alphas=5, cv=3)
    assert res.scoring == "deviance" and not res.greater_is_better
    assert cross_validate_path(X, X[:, 0], n_alphas=5, cv=3).scoring == "mse"


@pytest.mark.parametrize("multinomial", ["grouped", "ungrouped"])
def test_multinomial_explanation_labels_the_coefficient_norm(multinomial):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 4))
    y = np.digitize(X[:, 0] + 0.5 * rng.standard_normal(90), [-0.5, 0.5])
    model = SparseLogisticRegression(alpha=0.02, multinomial=multinomial).fit(X, y)
    explanation = model.explain()
    frame = explanation.to_frame()
    assert "coef_norm" in frame.columns and "coef" not in frame.columns
    np.testing.assert_allclose(
        frame["coef_norm"].to_numpy(), np.linalg.norm(model.coef_, axis=0)
    )
    assert "coef_norm" in str(explanation).splitlines()[1]
    binary = SparseLogisticRegression(alpha=0.02).fit(X, y > 0).explain()
    assert "coef" in binary.to_frame().columns
