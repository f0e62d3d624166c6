"""Huber regression with the L1 / elastic-net penalty.

The datafit is one file (``datafits/_huber.py``); everything else here runs
through the shared problem, solvers, certificate, path, cross-validation
and explain.  References: cvxpy's ``huber`` atom (Clarabel, tight
tolerances), with ``sum(huber(r, M)) / (2 n)`` equal to our datafit at
``delta = M``.
"""

import cvxpy as cp
import numpy as np
import pytest
import scipy.sparse as sp

from sparsefit import HuberLasso, HuberLassoCV, Lasso, compute_path, cross_validate_path
from sparsefit.datafits import Huber


def _problem(seed, n, p, outliers=0.1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:5] = rng.choice([-1, 1], 5) * rng.uniform(1, 2, 5)
    y = X @ w + 0.3 * rng.standard_normal(n) + 1.5
    bad = rng.choice(n, int(outliers * n), replace=False)
    y[bad] += rng.choice([-1, 1], bad.size) * rng.uniform(10, 30, bad.size)
    return X, y, w


def _objective(X, y, coef, b, alpha, delta, l1_ratio=1.0, sw=None, factors=None):
    n = X.shape[0]
    sw = np.ones(n) if sw is None else sw * n / sw.sum()
    v = np.ones(X.shape[1]) if factors is None else factors
    a = np.abs(y - X @ coef - b)
    m = np.minimum(a, delta)
    pen = v @ (l1_ratio * np.abs(coef) + 0.5 * (1 - l1_ratio) * coef**2)
    return float(sw @ (m * (a - 0.5 * m))) / n + alpha * pen


def _cvxpy(X, y, alpha, delta, l1_ratio=1.0, sw=None, factors=None, intercept=True):
    n, p = X.shape
    sw = np.ones(n) if sw is None else sw * n / sw.sum()
    v = np.ones(p) if factors is None else factors
    w, b = cp.Variable(p), cp.Variable()
    r = y - X @ w - (b if intercept else 0)
    loss = cp.sum(cp.multiply(sw, cp.huber(r, delta))) / (2 * n)
    pen = l1_ratio * cp.norm1(cp.multiply(v, w))
    pen = pen + 0.5 * (1 - l1_ratio) * cp.sum_squares(cp.multiply(np.sqrt(v), w))
    problem = cp.Problem(cp.Minimize(loss + alpha * pen))
    problem.solve(
        solver="CLARABEL", tol_gap_abs=1e-13, tol_gap_rel=1e-13, tol_feas=1e-13
    )
    return problem.value


CASES = [
    # seed, n, p, l1_ratio, weighted, factors, sparse, intercept
    (0, 80, 30, 1.0, False, False, False, True),
    (1, 60, 120, 1.0, True, False, True, True),
    (2, 100, 20, 0.5, False, True, False, True),
    (3, 50, 80, 0.8, True, True, True, False),
    (4, 120, 40, 1.0, False, False, True, True),
]


@pytest.mark.parametrize("seed, n, p, l1_ratio, weighted, factors, sparse, icpt", CASES)
@pytest.mark.parametrize("solver", ["prox-newton", "fista"])
def test_matches_cvxpy(seed, n, p, l1_ratio, weighted, factors, sparse, icpt, solver):
    X, y, _ = _problem(seed, n, p)
    rng = np.random.default_rng(100 + seed)
    sw = rng.uniform(0.5, 2, n) if weighted else None
    v = np.r_[0.0, rng.uniform(0.5, 2, p - 1)] if factors else None
    delta = 1.0
    alpha = 0.05
    data = sp.csc_matrix(X) if sparse else X
    model = HuberLasso(
        alpha=alpha,
        delta=delta,
        l1_ratio=l1_ratio,
        penalty_factor=v,
        fit_intercept=icpt,
        tol=1e-10,
        solver=solver,
        max_iter=200_000 if solver == "fista" else 1000,
    ).fit(data, y, sample_weight=sw)
    ours = _objective(
        X, y, model.coef_, model.intercept_, alpha, delta, l1_ratio, sw, v
    )
    ref = _cvxpy(X, y, alpha, delta, l1_ratio, sw, v, icpt)
    assert abs(ours - ref) <= 1e-7 * abs(ref)
    # The certificate: the gap bounds the true suboptimality.
    assert model.solver_result_.converged
    assert model.dual_gap_ <= model.solver_result_.tol_abs
    assert ours - ref <= model.dual_gap_ + 1e-12 * abs(ref)


def test_dense_and_sparse_agree_and_prox_newton_equals_fista():
    X, y, _ = _problem(5, 90, 50)
    fits = [
        HuberLasso(alpha=0.02, delta=0.8, tol=1e-12, solver=s).fit(d, y)
        for s, d in [("auto", X), ("auto", sp.csc_matrix(X)), ("fista", X)]
    ]
    for other in fits[1:]:
        np.testing.assert_allclose(other.coef_, fits[0].coef_, atol=1e-6)


def test_large_delta_is_the_lasso():
    # Beyond the largest residual the Huber loss is least squares.
    X, y, _ = _problem(6, 80, 25, outliers=0.0)
    huber = HuberLasso(alpha=0.05, delta=1e6, tol=1e-12).fit(X, y)
    lasso = Lasso(alpha=0.05, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(huber.coef_, lasso.coef_, atol=1e-8)
    assert huber.intercept_ == pytest.approx(lasso.intercept_, abs=1e-8)


def test_outlying_responses_against_the_lasso():
    """With 10% of the responses shifted by 10 to 30, the lasso chosen by CV
    brings in spurious features and bends the true ones; the Huber lasso
    keeps the support and the coefficients."""
    X, y, w = _problem(7, 200, 50)
    huber = HuberLassoCV(delta=1.0, cv=5).fit(X, y)
    from sparsefit import LassoCV

    lasso = LassoCV(cv=5).fit(X, y)
    err_h = np.linalg.norm(huber.coef_ - w)
    err_l = np.linalg.norm(lasso.coef_ - w)
    assert err_h < 0.25 * err_l
    assert set(np.flatnonzero(np.abs(huber.coef_) > 0.1)) == set(range(5))


def test_default_path_is_certified_and_matches_tight_path():
    X, y, _ = _problem(8, 150, 300)
    path = compute_path(X, y, Huber(delta=1.0), n_alphas=40)
    ref = compute_path(X, y, Huber(delta=1.0), alphas=path.alphas, tol=1e-12)
    assert (path.dual_gaps <= path.gap_tols).all()
    assert (path.kkt_violations <= 1e-3 * path.alphas).all()
    for k, alpha in enumerate(path.alphas):
        c, b = path.coefs[:, k].toarray().ravel(), path.intercepts[k]
        cr, br = ref.coefs[:, k].toarray().ravel(), ref.intercepts[k]
        p, q = (
            _objective(X, y, c, b, alpha, 1.0),
            _objective(X, y, cr, br, alpha, 1.0),
        )
        assert p - min(p, q) <= 1e-6 * min(p, q)
    # The datafit's own parameter reaches the path: another delta, another
    # path.
    other = compute_path(X, y, Huber(delta=5.0), alphas=path.alphas[:5])
    assert not np.allclose(other.coefs[:, 4].toarray(), path.coefs[:, 4].toarray())


def test_cross_validate_path_keeps_delta_in_every_fold():
    X, y, _ = _problem(9, 120, 30)
    a = cross_validate_path(X, y, family=Huber(delta=0.5), n_alphas=10, cv=4)
    b = cross_validate_path(X, y, family=Huber(delta=50.0), n_alphas=10, cv=4)
    assert a.scoring == "deviance"
    assert not np.allclose(a.cv_mean, b.cv_mean)
    named = cross_validate_path(X, y, family="huber", n_alphas=10, cv=4)
    same = cross_validate_path(X, y, family=Huber(), n_alphas=10, cv=4)
    np.testing.assert_allclose(named.cv_mean, same.cv_mean)


def test_explain_reads_the_huber_fit():
    X, y, _ = _problem(10, 150, 20)
    model = HuberLasso(alpha=0.05, delta=1.0).fit(X, y)
    tight = HuberLasso(alpha=0.05, delta=1.0, tol=1e-12).fit(X, y)
    ex = model.explain()
    assert list(ex.status) == list(tight.explain().status)
    active = model.coef_ != 0
    assert (ex.status[active] == "active").all()
    # An active feature's pull equals its penalty (the KKT condition).
    np.testing.assert_allclose(ex.pull[active], 0.05, rtol=1e-3)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(delta=0.0), r"delta must be > 0"),
        (dict(delta=-1.0), r"delta must be > 0"),
        (dict(alpha=-1.0), r"alpha must be >= 0"),
    ],
)
def test_bad_parameters(kwargs, message):
    X, y, _ = _problem(11, 30, 5)
    with pytest.raises(ValueError, match=message):
        HuberLasso(**kwargs).fit(X, y)


def test_bad_delta_in_the_datafit():
    with pytest.raises(ValueError, match="delta must be a positive number"):
        Huber(delta=np.nan)


def test_p_much_larger_than_n_with_uncentred_columns():
    """26 rows, 20,000 columns at 8 +- 1 and two wild responses (one fold of
    a 40-row CV): with the columns left uncentred the Newton steps stalled
    from a quarter of the path on (KKT violation 11 at every step)."""
    rng = np.random.default_rng(0)
    n, p = 26, 20_000
    blocks = rng.standard_normal((n, p // 50))
    X = np.repeat(blocks, 50, axis=1) * 0.7 + rng.standard_normal((n, p)) * 0.7 + 8
    w = np.zeros(p)
    w[rng.choice(p, 10, replace=False)] = 1.5
    y = (X - X.mean(axis=0)) @ w + 0.5 * rng.standard_normal(n)
    y[:2] += 20
    path = compute_path(X, y, Huber(), n_alphas=30, max_iter=200)
    assert (path.dual_gaps <= path.gap_tols).all()
    assert (path.kkt_violations <= 1e-3 * path.alphas).all()
