"""Inputs that used to fail deep inside: scores with zero weights, and
minimize_l1 fed NaN by the user's functions."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsefit import Lasso, PoissonLasso, SparseLogisticRegression
from sparsefit.constrained import minimize_l1


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2))
    return X, X[:, 0] + 0.1 * rng.standard_normal(30)


@pytest.mark.parametrize("kind", ["lasso", "logistic", "poisson"])
def test_score_with_zero_weights_raises(data, kind):
    X, y = data
    if kind == "lasso":
        model, target = Lasso(alpha=0.01).fit(X, y), y
    elif kind == "logistic":
        model, target = SparseLogisticRegression(alpha=0.01).fit(X, y > 0), y > 0
    else:
        target = np.round(np.exp(y))
        model = PoissonLasso(alpha=0.01).fit(X, target)
    with pytest.raises(ValueError, match="sample_weight must have a positive sum"):
        model.score(X, target, sample_weight=np.zeros(30))
    weighted = model.score(X, target, sample_weight=np.full(30, 2.0))
    assert weighted == pytest.approx(model.score(X, target), rel=1e-12)


def _quadratic(x):
    return (x[0] - 3) ** 2 + x[1] ** 2


def _quadratic_grad(x):
    return np.array([2 * (x[0] - 3), 2 * x[1]])


def test_minimize_l1_nan_gradient_names_function_and_point():
    def jac(x):
        g = _quadratic_grad(x)
        g[0] += np.nan if x[0] > 0.5 else 0.0
        return g

    con = {"type": "ineq", "fun": lambda x: 1 - x[0]}
    with pytest.raises(ValueError, match=r"jac returned NaN \(entry 0\) at x = \["):
        minimize_l1(_quadratic, [0.1, 1.0], jac=jac, constraints=con)


def test_minimize_l1_nan_hessian_names_function_and_point():
    def hess(x):
        return np.array([[np.nan if x[0] < 0.5 else 2.0, 0.0], [0.0, 2.0]])

    with pytest.raises(ValueError, match=r"hess returned NaN \(entry \(0, 0\)\) at x"):
        minimize_l1(_quadratic, [0.1, 1.0], jac=_quadratic_grad, hess=hess)


def test_minimize_l1_nan_constraint_jacobian_names_it():
    con = {
        "type": "ineq",
        "fun": lambda x: 1 - x[0],
        "jac": lambda x: np.array([[-1.0, np.nan if x[1] < 0.5 else 0.0]]),
    }
    with pytest.raises(ValueError, match="a constraint's jac returned NaN"):
        minimize_l1(_quadratic, [0.1, 0.1], jac=_quadratic_grad, constraints=con)


def test_minimize_l1_nan_objective_at_trial_points_is_reported():
    def fun(x):
        return _quadratic(x) + (np.nan if x[0] > 2 else 0.0)

    con = {"type": "ineq", "fun": lambda x: 5 - x[0]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        minimize_l1(fun, [0.1, 1.0], jac=_quadratic_grad, constraints=con, maxiter=50)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert messages and "fun was NaN or infinite at" in messages[0]
    assert "trial point(s), the last x = [2" in messages[0]


def test_minimize_l1_domain_rejection_still_succeeds():
    # sqrt is NaN below 0: trial points there are rejected, as before.
    con = {"type": "ineq", "fun": lambda x: 1 - x[0]}
    res = minimize_l1(
        lambda x: np.sqrt(x[0]) + (x[0] - 3) ** 2 + x[1] ** 2,
        [0.01, 1.0],
        constraints=con,
    )
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 0.0], atol=1e-7)
