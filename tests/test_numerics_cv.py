"""The CV estimators: one default for the folds, a warning when the minimum
sits at the grid's end, predictions and coefficients at any alpha of the
path, and plot_cv of a fitted estimator."""

import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.model_selection import KFold, StratifiedKFold

from sparsefit import (
    ElasticNetCV,
    LassoCV,
    PoissonLassoCV,
    SparseLogisticRegressionCV,
    cross_validate_path,
)
from sparsefit.plotting import plot_cv

matplotlib.use("Agg")


@pytest.fixture
def sorted_data():
    """A target sorted in increasing order: unshuffled folds are one-sided."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 8))
    y = X @ np.r_[2.0, -1.0, 0.5, np.zeros(5)] + rng.standard_normal(120)
    order = np.argsort(y)
    return X[order], y[order]


def test_int_cv_means_shuffled_kfold_as_the_command(sorted_data):
    X, y = sorted_data
    model = LassoCV(cv=5, n_alphas=20).fit(X, y)
    same = cross_validate_path(
        X, y, cv=KFold(5, shuffle=True, random_state=0), n_alphas=20, progress=False
    )
    np.testing.assert_allclose(model.cv_mean_, same.cv_mean, rtol=1e-10)
    unshuffled = cross_validate_path(X, y, cv=KFold(5), n_alphas=20, progress=False)
    assert not np.allclose(model.cv_mean_, unshuffled.cv_mean, rtol=1e-3)


def test_int_cv_stratified_shuffled_for_classifiers(sorted_data):
    X, y = sorted_data
    labels = y > np.median(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = SparseLogisticRegressionCV(cv=4, n_alphas=10).fit(X, labels)
    same = cross_validate_path(
        X,
        labels,
        family="binomial",
        cv=StratifiedKFold(4, shuffle=True, random_state=0),
        n_alphas=10,
        progress=False,
    )
    np.testing.assert_allclose(model.cv_mean_, same.cv_mean, rtol=1e-8)


def test_groups_and_foldid_unchanged(sorted_data):
    X, y = sorted_data
    foldid = np.arange(120) % 4
    model = LassoCV(n_alphas=10).fit(X, y, foldid=foldid)
    same = cross_validate_path(X, y, foldid=foldid, n_alphas=10, progress=False)
    np.testing.assert_allclose(model.cv_mean_, same.cv_mean, rtol=1e-12)


def test_minimum_at_the_grid_end_warns(sorted_data):
    X, y = sorted_data
    # A grid stopping at 0.3 alpha_max: the error still falls at its end.
    with pytest.warns(UserWarning, match=r"end of the alpha grid \(index 9 of 10"):
        model = LassoCV(cv=5, n_alphas=10, eps=0.3).fit(X, y)
    assert model.cv_result_.index_min == 9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LassoCV(cv=5, n_alphas=30).fit(X, y)  # a long grid: minimum inside


def test_glm_minimum_at_the_grid_end_warns(sorted_data):
    X, y = sorted_data
    with pytest.warns(UserWarning, match="smaller eps"):
        SparseLogisticRegressionCV(cv=4, n_alphas=8, eps=0.5).fit(X, y > 0)


def test_predict_and_coef_at_any_alpha(sorted_data):
    X, y = sorted_data
    model = ElasticNetCV(l1_ratio=0.7, cv=5, n_alphas=30).fit(X, y)
    alpha = float(np.sqrt(model.alphas_[10] * model.alphas_[11]))
    coef = model.coef_at(alpha)
    np.testing.assert_allclose(coef, model.path_.coef(alpha))
    np.testing.assert_allclose(
        model.predict(X, alpha=alpha), X @ coef + model.intercept_at(alpha)
    )
    at_grid = model.alphas_[5]
    np.testing.assert_allclose(
        model.coef_at(at_grid), model.path_.coefs[:, 5].toarray().ravel()
    )
    np.testing.assert_allclose(model.predict(X), X @ model.coef_ + model.intercept_)
    with pytest.raises(ValueError, match="below the smallest alpha"):
        model.predict(X, alpha=model.alphas_[-1] / 2)


def test_glm_predict_at_any_alpha(sorted_data):
    X, y = sorted_data
    labels = np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))
    model = SparseLogisticRegressionCV(cv=3, n_alphas=15).fit(X, labels)
    alpha = model.alphas_[7]
    coef, b = model.coef_at(alpha), model.intercept_at(alpha)
    assert coef.shape == model.coef_.shape and b.shape == model.intercept_.shape
    scores = X @ coef.T + b
    np.testing.assert_allclose(model.decision_function(X, alpha=alpha), scores)
    np.testing.assert_array_equal(
        model.predict(X, alpha=alpha), model.classes_[scores.argmax(axis=1)]
    )
    proba = model.predict_proba(X, alpha=alpha)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    binary = SparseLogisticRegressionCV(cv=3, n_alphas=15).fit(X, y > 0)
    assert binary.predict_proba(X, alpha=binary.alphas_[3]).shape == (120, 2)
    counts = np.random.default_rng(1).poisson(np.exp(0.3 * X[:, 0]))
    poisson = PoissonLassoCV(cv=3, n_alphas=10).fit(X, counts)
    a = poisson.alphas_[4]
    np.testing.assert_allclose(
        poisson.predict(X, alpha=a),
        np.exp(X @ poisson.coef_at(a) + poisson.intercept_at(a)),
    )


def test_plot_cv_accepts_a_fitted_estimator(sorted_data):
    X, y = sorted_data
    model = LassoCV(cv=5, n_alphas=20).fit(X, y)
    ax = plot_cv(model)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert np.log10(model.alpha_min_) == pytest.approx(
        lines["alpha_min"].get_xdata()[0]
    )
    with pytest.raises(ValueError, match="fitted cross-validated estimator"):
        plot_cv(LassoCV())
