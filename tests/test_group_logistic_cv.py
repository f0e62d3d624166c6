"""GroupLogisticRegressionCV: the one CV runner, the in-memory path, the
defaults variant and the scikit-learn contract."""

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsefit import (
    GroupLogisticRegression,
    GroupLogisticRegressionCV,
    compute_path,
    cross_validate_path,
)
from sparsefit._problem import Problem
from sparsefit.datafits import Logistic
from sparsefit.penalties import GroupPenalty

GROUPS = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4]
WEIGHTS = [1.0, 2.0, 0.5, 1.0, 1.5]


def _data(seed=0, n=120, p=12):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X[:, :3] @ np.array([1.0, -2.0, 1.5]) + 0.7 * X[:, 9]
    return X, (eta + rng.logistic(size=n) > 0).astype(int)


@parametrize_with_checks([GroupLogisticRegressionCV(cv=3, n_alphas=5)])
def test_scikit_learn_contract(estimator, check):
    check(estimator)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.4])
def test_cv_equals_the_runner_and_the_in_memory_path(l1_ratio):
    X, y = _data(1)
    folds = StratifiedKFold(4, shuffle=True, random_state=0)
    params = dict(groups=GROUPS, l1_ratio=l1_ratio, group_weights=WEIGHTS)
    model = GroupLogisticRegressionCV(**params, cv=folds, n_alphas=25, tol=1e-10)
    model.fit(X, y)
    penalty = GroupPenalty(1.0, GROUPS, l1_ratio, WEIGHTS)
    res = cross_validate_path(
        X, y, penalty=penalty, family="binomial", cv=folds, n_alphas=25, tol=1e-10
    )
    np.testing.assert_allclose(model.alphas_, res.alphas, rtol=1e-12)
    np.testing.assert_allclose(model.cv_mean_, res.cv_mean, rtol=1e-8)
    assert model.alpha_min_ == pytest.approx(res.alpha_min, rel=1e-12)
    # The path on all the data is the in-memory path of the same problem.
    path = compute_path(X, y, Logistic(), penalty, alphas=res.alphas, tol=1e-10)
    np.testing.assert_allclose(
        model.path_.coefs.toarray(), path.coefs.toarray(), atol=1e-7
    )
    # The refit is the single-alpha estimator at the chosen alpha.
    single = GroupLogisticRegression(model.alpha_, **params, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, single.coef_, atol=1e-7)
    np.testing.assert_allclose(model.intercept_, single.intercept_, atol=1e-7)


def _objective(X, y, coef, b, penalty, alpha):
    z = X @ coef + b
    return np.mean(np.logaddexp(0.0, -y * z)) + penalty.with_alpha(alpha).value(coef)


def test_defaults_are_within_1e6_of_tight_solves():
    """The defaults variant: at the default tol the refit and every point of
    the path have relative suboptimality <= 1e-6 against tol=1e-12 solves."""
    X, y = _data(2)
    model = GroupLogisticRegressionCV(groups=GROUPS, cv=4).fit(X, y)
    penalty = GroupPenalty(1.0, GROUPS)
    yy = np.where(y > 0, 1.0, -1.0)
    tight = Problem(X, yy, Logistic(), penalty, tol=1e-12, max_iter=100_000)
    coef, b = model.coef_.ravel(), model.intercept_[0]
    best = tight.solve(model.alpha_).primal
    ours = _objective(X, yy, coef, b, penalty, model.alpha_)
    assert ours - best <= 1e-6 * best
    path = model.path_
    for k in range(0, len(path.alphas), 9):
        coef, b = path.coefs[:, k].toarray().ravel(), path.intercepts[k]
        best = tight.solve(path.alphas[k]).primal
        assert _objective(X, yy, coef, b, penalty, path.alphas[k]) - best <= (
            1e-6 * best
        ), k


def test_three_classes_are_refused():
    X, y = _data(3)
    with pytest.raises(ValueError, match="takes two classes"):
        GroupLogisticRegressionCV(groups=GROUPS).fit(X, np.arange(len(y)) % 3)
