"""Paths, cross-validation and explain at the *default* tolerance.

Users run the defaults, so every point of a default path must be the optimum
at its alpha: relative suboptimality at most 1e-6 against a tol=1e-12 path
(P* taken as the lower of the two objectives), KKT violation at most 1e-3
times alpha, and no point that is a stale copy of the previous one while the
optimum moves.  The objectives are recomputed here from scratch with NumPy,
independently of the library's certificates.
"""

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import load_diabetes, load_digits, load_wine, make_regression
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

from sparsefit import (
    Lasso,
    LassoCV,
    SparseLogisticRegression,
    compute_path,
    lasso_path,
)
from sparsefit.datafits import Cox, Logistic, Multinomial, Poisson, survival_target
from sparsefit.datasets import load_golub, load_veteran
from sparsefit.penalties import ElasticNetPenalty

SUBOPT = 1e-6
KKT = 1e-3


def _linear(X, path, k):
    K = path.n_outputs
    W = path.coefs[:, k].toarray().reshape(K, -1).T
    return X @ W + np.atleast_1d(path.intercepts[k])


def objective(family, X, y, path, k):
    """P at the k-th point of ``path``, on the original scale."""
    z = _linear(X, path, k)
    if family == "gaussian":
        F = 0.5 * np.mean((y - z[:, 0]) ** 2)
    elif family == "binomial":
        s = np.where(y == path.classes[1], 1.0, -1.0)
        F = np.mean(np.logaddexp(0.0, -s * z[:, 0]))
    elif family == "multinomial":
        idx = np.searchsorted(path.classes, y)
        F = np.mean(logsumexp(z, axis=1) - z[np.arange(len(y)), idx])
    elif family == "cox":
        F = _breslow(y, z[:, 0])
    else:
        ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
        F = np.mean(np.exp(z[:, 0]) - y * z[:, 0] + ylogy - y)
    return F + path.alphas[k] * abs(path.coefs[:, k]).sum()


def _breslow(y, eta):
    """Breslow's negative log partial likelihood over n, less its value at
    the saturated model, ``(1/n) sum_g d_g log d_g`` (``d_g`` tied deaths)."""
    t, dead = y["stop"], y["event"] > 0
    total = 0.0
    for i in np.flatnonzero(dead):
        total += logsumexp(eta[t >= t[i]]) - eta[i]
    _, ties = np.unique(t[dead], return_counts=True)
    return (total - float(ties @ np.log(ties))) / len(eta)


def stale_points(path, ref):
    """Points equal to the previous one where the optimum moved."""
    C, R = path.coefs.toarray(), ref.coefs.toarray()
    return [
        k
        for k in range(1, C.shape[1])
        if np.array_equal(C[:, k], C[:, k - 1])
        and not np.allclose(R[:, k], R[:, k - 1], rtol=1e-9, atol=0)
    ]


def check_default_path(family, X, y, path, ref):
    assert not stale_points(path, ref)
    values = np.array(
        [objective(family, X, y, path, k) for k in range(len(path.alphas))]
    )
    best = np.minimum(
        values,
        [objective(family, X, y, ref, k) for k in range(len(ref.alphas))],
    )
    subopt = (values - best) / best
    assert subopt.max() <= SUBOPT, (subopt.argmax(), subopt.max())
    assert (path.kkt_violations <= KKT * path.alphas).all()
    assert (path.dual_gaps <= path.gap_tols).all()
    return subopt


@pytest.fixture(scope="module")
def regression():
    return make_regression(1000, 5000, n_informative=50, noise=5, random_state=0)


def test_lasso_path_defaults_are_the_optimum(regression):
    X, y = regression
    path = lasso_path(X, y, eps=1e-3)
    ref = lasso_path(X, y, alphas=path.alphas, tol=1e-12)
    check_default_path("gaussian", X, y, path, ref)
    # The optimum's support at alpha 0.133 has hundreds of features; a stale
    # path stopped at 125.
    k = int(np.argmin(np.abs(path.alphas - 0.133)))
    assert path.n_nonzero[k] == ref.n_nonzero[k]


def test_lasso_cv_defaults_pick_the_tight_alpha(regression):
    X, y = regression
    cv = KFold(5)
    default = LassoCV(cv=cv, eps=1e-3).fit(X, y)
    tight = LassoCV(cv=cv, eps=1e-3, tol=1e-12).fit(X, y)
    assert default.alpha_ == tight.alpha_
    mse = default.cv_results_[0].cv_mean
    # No staircase: consecutive alphas never give equal CV errors.
    assert (np.diff(mse) != 0).all()


def test_logistic_path_defaults_on_golub():
    data = load_golub()
    X, y = data.X, data.y
    path = compute_path(X, y, Logistic(), eps=1e-2, n_alphas=40)
    ref = compute_path(X, y, Logistic(), alphas=path.alphas, tol=1e-12)
    check_default_path("binomial", X, y, path, ref)


def test_multinomial_path_defaults_on_digits():
    X, y = load_digits(return_X_y=True)
    X, y = X[:600] / 16.0, y[:600]
    path = compute_path(X, y, Multinomial(), eps=1e-2, n_alphas=20)
    ref = compute_path(X, y, Multinomial(), alphas=path.alphas, tol=1e-12)
    check_default_path("multinomial", X, y, path, ref)


def test_poisson_path_defaults_on_diabetes():
    # The diabetes progression score is a positive integer: a count-like
    # response on real features.
    X, y = load_diabetes(return_X_y=True)
    path = compute_path(X, y, Poisson(), n_alphas=40)
    ref = compute_path(X, y, Poisson(), alphas=path.alphas, tol=1e-12)
    check_default_path("poisson", X, y, path, ref)


def test_cox_path_defaults_on_veterans():
    data = load_veteran()
    X = StandardScaler().fit_transform(data.X)
    path = compute_path(X, data.y, Cox(), eps=1e-3)
    ref = compute_path(X, data.y, Cox(), alphas=path.alphas, tol=1e-12)
    check_default_path("cox", X, data.y, path, ref)


def test_cox_path_defaults_p_much_greater_than_n():
    """A biomarker-like shape, 80 patients and 1,000 features, tied times:
    the exact Newton model's path at the defaults is the optimum."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 1000))
    eta = X[:, :5] @ np.array([1.0, -0.8, 0.6, 0.5, -0.4])
    time = np.round(rng.exponential(np.exp(-eta)), 1) + 0.1
    censor = np.round(rng.exponential(2.0, 80), 1) + 0.1
    y = survival_target(np.minimum(time, censor), (time <= censor).astype(int))
    path = compute_path(X, y, Cox(), eps=1e-2)
    ref = compute_path(X, y, Cox(), alphas=path.alphas, tol=1e-12)
    check_default_path("cox", X, y, path, ref)


def test_elastic_net_path_defaults_with_penalty_factors(regression):
    X, y = regression
    X, y = X[:300, :800], y[:300]
    factors = np.r_[np.zeros(3), np.linspace(0.5, 2.0, X.shape[1] - 3)]
    penalty = ElasticNetPenalty(1.0, 0.7, factors)
    path = compute_path(X, y, penalty=penalty, n_alphas=30)
    ref = compute_path(X, y, penalty=penalty, alphas=path.alphas, tol=1e-12)
    # The objective here carries the factors and the ridge term.
    C, R = path.coefs.toarray(), ref.coefs.toarray()
    n = X.shape[0]

    def value(c, b, alpha):
        r = y - X @ c - b
        pen = factors @ (0.7 * np.abs(c) + 0.15 * c * c)
        return r @ r / (2 * n) + alpha * pen

    for k, alpha in enumerate(path.alphas):
        p = value(C[:, k], path.intercepts[k], alpha)
        q = value(R[:, k], ref.intercepts[k], alpha)
        assert p - min(p, q) <= SUBOPT * min(p, q)
    assert not stale_points(path, ref)


def _statuses_agree(make, X, y, alphas):
    for alpha in alphas:
        default = make(alpha=alpha).fit(X, y).explain()
        tight = make(alpha=alpha, tol=1e-12).fit(X, y).explain()
        assert list(default.status) == list(tight.status), alpha


def test_explain_statuses_at_defaults_match_the_optimum():
    # At the defaults, diabetes features with pull 0.046 against a penalty of
    # 0.061 were called "zero at the boundary" (the gap's radius covered them).
    X, y = load_diabetes(return_X_y=True)
    _statuses_agree(Lasso, X, y, np.geomspace(2, 0.001, 12))


def test_explain_statuses_at_defaults_match_the_optimum_glm():
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    _statuses_agree(SparseLogisticRegression, X, y, np.geomspace(0.5, 5e-4, 8))
    data = load_golub()
    Xg = StandardScaler().fit_transform(data.X)
    _statuses_agree(SparseLogisticRegression, Xg, data.y, [0.14, 0.02, 2e-3])
