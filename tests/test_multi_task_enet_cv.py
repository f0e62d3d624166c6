"""MultiTaskElasticNetCV: against scikit-learn's MultiTaskElasticNetCV on
the same folds and grid, at a tight tolerance and at the defaults, with
several l1_ratios; its parameter errors; scikit-learn's estimator checks."""

import numpy as np
import pytest
from sklearn.linear_model import MultiTaskElasticNetCV as SkMultiTaskElasticNetCV
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsefit import MultiTaskElasticNetCV, MultiTaskLassoCV

# Repeated rows are not doubled weights for a selector (the folds depend on
# the number of rows), as for LassoCV.
from .test_model_selection import _expected_failures


def _data(seed=0, n=100, p=12):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    B = np.zeros((p, 3))
    B[:3] = rng.standard_normal((3, 3))
    Y = X @ B + 0.5 * rng.standard_normal((n, 3))
    return X, Y


@pytest.mark.parametrize("tol", [1e-10, None])  # tight, and the defaults
def test_equals_scikit_learn_on_the_same_folds(tol):
    X, Y = _data()
    grid = np.geomspace(1.0, 1e-3, 25)
    folds = KFold(5)
    ratios = [0.3, 0.7, 1.0]
    sk = SkMultiTaskElasticNetCV(
        l1_ratio=ratios, alphas=grid, cv=folds, tol=1e-12, max_iter=100_000
    ).fit(X, Y)
    kw = {} if tol is None else {"tol": tol}
    ours = MultiTaskElasticNetCV(l1_ratio=ratios, alphas=grid, cv=folds, **kw).fit(X, Y)
    assert ours.l1_ratio_ == sk.l1_ratio_
    assert ours.alpha_ == pytest.approx(sk.alpha_, rel=1e-12)
    k = ratios.index(sk.l1_ratio_)
    np.testing.assert_allclose(ours.cv_mean_, sk.mse_path_[k].mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, atol=1e-5)


def test_l1_ratio_one_is_the_multi_task_lasso_cv():
    X, Y = _data(1)
    a = MultiTaskElasticNetCV(l1_ratio=1.0, cv=4, n_alphas=20).fit(X, Y)
    b = MultiTaskLassoCV(cv=4, n_alphas=20).fit(X, Y)
    assert a.alpha_ == b.alpha_
    np.testing.assert_allclose(a.coef_, b.coef_)


@pytest.mark.parametrize("bad", [0.0, 1.5, -0.2, [0.5, 0.0], []])
def test_l1_ratio_out_of_range_is_named(bad):
    X, Y = _data()
    with pytest.raises(ValueError, match="l1_ratio"):
        MultiTaskElasticNetCV(l1_ratio=bad, cv=3, n_alphas=5).fit(X, Y)


@parametrize_with_checks(
    [MultiTaskElasticNetCV(cv=3, n_alphas=5)], expected_failed_checks=_expected_failures
)
def test_scikit_learn_contract(estimator, check):
    check(estimator)
