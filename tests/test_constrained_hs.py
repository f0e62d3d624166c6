"""minimize_l1 on Hock-Schittkowski problems from their standard starting points."""

import numpy as np
import pytest
from scipy.optimize import minimize

from sparsefit.constrained import minimize_l1
from sparsefit.constrained._hock_schittkowski import hock_schittkowski

PROBLEMS = {p.name: p for p in hock_schittkowski()}


def test_the_eleven_problems():
    assert list(PROBLEMS) == [
        "HS6", "HS7", "HS14", "HS21", "HS28", "HS35", "HS39", "HS40", "HS42",
        "HS71", "HS76",
    ]  # fmt: skip


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_definitions_match_the_published_optimum(name):
    # An independent check of the formulas: the published point gives the
    # published value, and scipy's SLSQP at tight tolerance, started there,
    # stays at a feasible point with that value.
    p = PROBLEMS[name]
    assert abs(p.fun(np.array(p.x_star)) - p.f_star) <= 1e-6 * max(1, abs(p.f_star))
    res = minimize(
        p.fun, p.x_star, jac=p.jac, constraints=p.constraints, bounds=p.bounds,
        method="SLSQP", options={"ftol": 1e-14, "maxiter": 500},
    )  # fmt: skip
    assert abs(res.fun - p.f_star) <= 1e-6 * max(1.0, abs(p.f_star))
    for c in p.constraints:
        value = np.atleast_1d(c["fun"](res.x))
        assert np.all(np.abs(value) <= 1e-8 if c["type"] == "eq" else value >= -1e-8)
    np.testing.assert_allclose(res.x, p.x_star, atol=1e-5)


@pytest.mark.parametrize("exact", [False, True], ids=["bfgs", "exact_hessian"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_reaches_the_published_optimum(name, exact):
    p = PROBLEMS[name]
    hess = p.hess if exact else None
    res = minimize_l1(
        p.fun, p.x0, jac=p.jac, hess=hess, constraints=p.constraints, bounds=p.bounds
    )
    assert res.success and res.status == "success"
    assert (res.nhev > 0) == exact
    assert abs(res.fun - p.f_star) <= 1e-6 * max(1.0, abs(p.f_star))
    assert res.max_violation < 1e-8
    np.testing.assert_allclose(res.x, p.x_star, atol=1e-5)
    # Independent KKT check: stationarity with the returned multipliers.
    J = np.vstack([np.atleast_2d(c["jac"](res.x)) for c in p.constraints])
    lam = np.concatenate(res.multipliers)
    residual = p.jac(res.x) - J.T @ lam - res.bound_multipliers
    assert np.abs(residual).max() <= 1e-7 * max(1.0, np.abs(p.jac(res.x)).max())
    kinds = np.concatenate(
        [[c["type"] == "ineq"] * np.atleast_1d(c["fun"](res.x)).size
         for c in p.constraints]
    ).astype(bool)  # fmt: skip
    assert np.all(lam[kinds] >= -1e-10)
    assert res.mu > res.mu_threshold - 1e-12


def test_second_derivatives_agree_with_finite_differences():
    rng = np.random.default_rng(0)
    for p in PROBLEMS.values():
        x = np.array(p.x0) + rng.uniform(-0.3, 0.3, len(p.x0))
        np.testing.assert_allclose(_fd(p.jac, x), p.hess(x), atol=1e-6)
        for c in p.constraints:
            size = np.atleast_1d(c["fun"](x)).size
            for i in range(size):
                row = lambda y, c=c, i=i: np.atleast_2d(c["jac"](y))[i]  # noqa: E731
                v = np.eye(size)[i]
                np.testing.assert_allclose(_fd(row, x), c["hess"](x, v), atol=1e-6)
            fd = _fd(lambda y, c=c: np.atleast_1d(c["fun"](y)), x)
            np.testing.assert_allclose(fd, np.atleast_2d(c["jac"](x)), atol=1e-6)


def _fd(fun, x, h=1e-6):
    columns = [(fun(x + h * e) - fun(x - h * e)) / (2 * h) for e in np.eye(x.size)]
    return np.array(columns).T


def test_finite_differences_reach_the_optimum_too():
    for name in ("HS7", "HS71"):
        p = PROBLEMS[name]
        cons = [{"type": c["type"], "fun": c["fun"]} for c in p.constraints]
        res = minimize_l1(p.fun, p.x0, constraints=cons, bounds=p.bounds)
        assert res.success and res.njev == 0
        assert abs(res.fun - p.f_star) <= 1e-6 * max(1.0, abs(p.f_star))
        assert res.max_violation < 1e-8
