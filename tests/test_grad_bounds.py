"""Coordinate descent skips the products of features whose gradient bound
stays below their penalty: the certificate must be exactly that of a full
pass, and the bounds must hold."""

import numpy as np
import pytest
import scipy.sparse as sp

from sparsefit._explain import fit_state
from sparsefit._problem import Problem
from sparsefit.datafits import Quadratic
from sparsefit.penalties import ElasticNetPenalty
from sparsefit.solvers import QuadraticCertificate


def _wide(seed=0, n=40, p=3000, sparse=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :5] @ np.array([2.0, -1.5, 1.0, 0.8, -0.6]) + rng.standard_normal(n)
    if sparse:
        X = sp.random(n, p, density=0.2, random_state=seed, format="csc")
        X.data = rng.standard_normal(X.data.size)
        y = X[:, :5] @ np.array([2.0, -1.5, 1.0, 0.8, -0.6]) + rng.standard_normal(n)
    return X, y


def _walk(problem, n_alphas=40, ratio=1e-2):
    """Solve along a geometric grid, warm-started, as the path runner does."""
    alpha_max, w = problem.alpha_max()
    grad, prev = problem.grad_neg(w), alpha_max
    out = []
    for alpha in alpha_max * np.geomspace(1, ratio, n_alphas):
        res = problem.solve(alpha, w, problem.strong_set(grad, alpha, prev))
        out.append((alpha, res))
        w, grad, prev = res.coef, res.grad_neg, alpha
    return out


@pytest.mark.parametrize(
    "sparse, weights, l1_ratio",
    [(False, False, 1.0), (True, False, 1.0), (False, True, 0.7), (True, True, 0.9)],
)
def test_certificate_equals_a_full_pass(sparse, weights, l1_ratio):
    X, y = _wide(sparse=sparse)
    sw = None
    if weights:  # the problem takes weights rescaled to sum to n
        sw = np.random.default_rng(1).uniform(0.5, 2.0, y.size)
        sw *= y.size / sw.sum()
    penalty = ElasticNetPenalty(1.0, l1_ratio)
    problem = Problem(X, y, Quadratic(sample_weight=sw), penalty)
    skipped = 0
    for alpha, res in _walk(problem):
        d = problem.design
        arrays = problem.penalty_arrays(alpha, d.dtype)
        cert = QuadraticCertificate(d, problem.y, arrays)
        r = problem.y - d.matvec(res.coef)
        stats = cert.stats_from_residual(r, res.coef)
        gap, primal, _, _ = cert.gap(res.coef, stats)
        kkt = cert.kkt(res.coef, stats[4]).max()
        np.testing.assert_allclose(res.primal, primal, rtol=1e-10)
        np.testing.assert_allclose(res.dual_gap, gap, rtol=1e-6, atol=1e-12 * primal)
        np.testing.assert_allclose(res.kkt_violation, kkt, rtol=1e-6, atol=1e-14)
        assert res.converged and gap <= res.tol_abs * (1 + 1e-9)
        skipped += not res.grad_exact
    # The bounds must have spared products somewhere, or this tests nothing.
    assert skipped >= 10


def test_bounds_hold_at_every_feature():
    X, y = _wide(seed=3)
    problem = Problem(X, y, Quadratic(), ElasticNetPenalty(1.0, 1.0))
    _walk(problem, n_alphas=30)
    tracker = problem.cache["grad_bounds"]
    d = problem.design
    exact = np.abs(d.rmatvec(tracker.r_last) / d.n_samples)
    bound = np.abs(tracker.g_ref) + tracker.col_norms * (tracker.drift - tracker.at)
    assert (exact <= bound * (1 + 1e-9) + 1e-15).all()
    # Many of them are loose (not recomputed at the last certificate).
    assert (tracker.at < tracker.drift).sum() > X.shape[1] // 2


def test_explain_reads_exact_pulls_after_skipped_products():
    X, y = _wide(seed=5)
    problem = Problem(X, y, Quadratic(), ElasticNetPenalty(1.0, 1.0))
    skipped = [(a, r) for a, r in _walk(problem, n_alphas=25) if not r.grad_exact]
    assert skipped  # a path point whose solver skipped products
    alpha, res = skipped[-1]
    pull = fit_state(problem, res, alpha)["pull"]
    d = problem.design
    exact = np.abs(d.rmatvec(problem.y - d.matvec(res.coef)) / d.n_samples)
    np.testing.assert_allclose(pull, exact, rtol=1e-9, atol=1e-12)
