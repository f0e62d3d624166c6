"""The compiled certificate steps of the single-output GLMs
(``solvers/_glm_kernels.py``) against the NumPy route of the same
certificate: the same gap, objective and KKT violations, and the same
intercept refit, with sample weights, offsets, ridge terms, bounds and
unpenalised features."""

import numpy as np
import pytest

from sparsefit._problem import Problem
from sparsefit.datafits import Logistic, Poisson
from sparsefit.penalties import ElasticNetPenalty


def _problem(family, weighted, seed, free=True):
    rng = np.random.default_rng(seed)
    n, p = 40, 25
    X = rng.standard_normal((n, p))
    eta = X[:, :3] @ np.array([1.0, -1.0, 0.5])
    if family == "logistic":
        y = np.where(rng.random(n) < 1 / (1 + np.exp(-eta)), 1.0, -1.0)
        datafit = Logistic
    else:
        y = rng.poisson(np.exp(0.3 * eta)).astype(float)
        datafit = Poisson
    sw = None
    if weighted:
        sw = rng.uniform(0.0, 2.0, n)
        sw[:3] = 0.0
        sw *= n / sw.sum()
    weights = np.ones(p)
    if free:
        weights[4] = 0.0  # an unpenalised feature
    lower = np.full(p, -np.inf)
    lower[5] = 0.0  # a sign constraint
    penalty = ElasticNetPenalty(1.0, 0.7, weights=weights, lower_bounds=lower)
    offset = 0.1 * rng.standard_normal(n)
    problem = Problem(X, y, datafit(sample_weight=sw), penalty, offset=offset)
    return problem, rng


@pytest.mark.parametrize("family", ["logistic", "poisson"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("free", [False, True])
def test_compiled_certificate_equals_numpy_route(family, weighted, seed, free):
    """With no unpenalised feature the intercept refit is the compiled one."""
    problem, rng = _problem(family, weighted, seed, free)
    alpha = 0.2 * problem.alpha_max()[0]
    p = problem.n_features
    W = np.where(rng.random(p) < 0.3, 0.3 * rng.standard_normal(p), 0.0)[:, None]
    W[5] = abs(W[5])
    b = np.array([0.2])
    checked = 0
    for scale in (1.0, 0.01):  # far from and near the optimum's scale
        results = []
        for compiled in (True, False):
            cert = problem.certificate(alpha)
            assert cert.compiled
            cert.compiled = compiled
            Wc, bc = W * scale, b.copy()
            Z = cert.linear(Wc, bc)
            cert.refit_unpenalised(Wc, bc, Z)
            gap, primal, grad_neg, kkt = cert.evaluate(Wc, Z)
            results.append((bc[0], gap, primal, grad_neg, kkt))
        (b1, gap1, p1, g1, k1), (b2, gap2, p2, g2, k2) = results
        assert b1 == pytest.approx(b2, rel=1e-10, abs=1e-12)
        assert p1 == pytest.approx(p2, rel=1e-12)
        assert gap1 == pytest.approx(gap2, rel=1e-9, abs=1e-13 * abs(p2))
        np.testing.assert_allclose(g1, g2, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(k1, k2, rtol=1e-12, atol=1e-15)
        assert gap1 >= -1e-12 * abs(p1)
        checked += 1
    assert checked == 2


@pytest.mark.parametrize("family", ["logistic", "poisson"])
def test_compiled_path_is_certified_at_defaults(family):
    """A default-tol path through the compiled steps: every point's gap and
    KKT violation, recomputed by the NumPy route, meet the stopping rule."""
    from sparsefit.solvers._base import glm_rule

    problem, _ = _problem(family, True, 3)
    amax = problem.alpha_max()[0]
    w = None
    for alpha in amax * np.geomspace(1, 0.01, 15):
        res = problem.solve(alpha, w)
        w = res.coef
        cert = problem.certificate(alpha)
        cert.compiled = False
        W, b = w.reshape(-1, 1).copy(), res.intercept.copy()
        Z = cert.linear(W, b)
        gap, primal, _, kkt = cert.evaluate(W, Z)
        rule = glm_rule(problem.solver.tol, cert, primal, 0.0)
        assert res.converged
        assert gap <= rule.gap_target(primal) * (1 + 1e-6)
        assert kkt.max() <= rule.kkt_target * (1 + 1e-6)
