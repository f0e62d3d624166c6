"""minimize_l1 on random strictly convex QPs, against cvxpy."""

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import LinearConstraint

from sparsefit.constrained import minimize_l1


def make_qp(seed, n=8, m_eq=2, m_in=5):
    """A strictly convex QP; about half the inequalities cut off the unconstrained
    minimiser, so several are active at the solution."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    Q = M.T @ M + np.eye(n)
    c = rng.standard_normal(n)
    A_eq, b_eq = rng.standard_normal((m_eq, n)), rng.standard_normal(m_eq)
    A_in = rng.standard_normal((m_in, n))
    b_in = A_in @ np.linalg.solve(Q, -c) + rng.standard_normal(m_in)
    return Q, c, A_eq, b_eq, A_in, b_in


def cvxpy_solution(Q, c, A_eq, b_eq, A_in, b_in):
    """``x*`` and the multipliers in the convention ``grad f = A' lambda``."""
    x = cp.Variable(c.size)
    cons = [A_eq @ x == b_eq, A_in @ x >= b_in]
    prob = cp.Problem(cp.Minimize(0.5 * cp.quad_form(x, Q) + c @ x), cons)
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12)
    assert prob.status == "optimal"
    return x.value, -cons[0].dual_value, cons[1].dual_value


def cvxpy_penalty_minimiser(Q, c, A_eq, b_eq, A_in, b_in, mu):
    """The unconstrained minimiser of the (convex) l1 penalty function."""
    x = cp.Variable(c.size)
    violation = cp.norm1(A_eq @ x - b_eq) + cp.sum(cp.pos(b_in - A_in @ x))
    phi = 0.5 * cp.quad_form(x, Q) + c @ x + mu * violation
    cp.Problem(cp.Minimize(phi)).solve(
        solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12
    )
    return x.value


def qp_args(Q, c, A_eq, b_eq, A_in, b_in, exact):
    return dict(
        fun=lambda x: 0.5 * x @ Q @ x + c @ x,
        jac=lambda x: Q @ x + c,
        hess=(lambda x: Q) if exact else None,
        constraints=[
            LinearConstraint(A_eq, b_eq, b_eq),
            {"type": "ineq", "fun": lambda x: A_in @ x - b_in, "jac": lambda x: A_in},
        ],
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("exact", [True, False])
def test_matches_cvxpy_with_steered_mu(seed, exact):
    qp = make_qp(seed)
    x_star, lam_eq, lam_in = cvxpy_solution(*qp)
    assert (lam_in > 1e-6).sum() >= 1  # some inequality is active
    res = minimize_l1(x0=np.zeros(qp[1].size), **qp_args(*qp, exact))
    assert res.success and res.status == "success"
    assert res.max_violation <= 1e-8
    np.testing.assert_allclose(res.x, x_star, atol=1e-6)
    np.testing.assert_allclose(res.multipliers[0], lam_eq, atol=1e-6)
    np.testing.assert_allclose(res.multipliers[1], lam_in, atol=1e-6)
    lam_max = max(np.abs(lam_eq).max(), lam_in.max())
    assert abs(res.mu_threshold - lam_max) <= 1e-6 * max(1, lam_max)
    assert res.mu >= res.mu_threshold


@pytest.mark.parametrize("seed", range(4))
def test_exact_above_threshold_only(seed):
    qp = make_qp(seed)
    x_star, lam_eq, lam_in = cvxpy_solution(*qp)
    lam_max = max(np.abs(lam_eq).max(), lam_in.max())
    x0 = np.zeros(qp[1].size)

    above = minimize_l1(x0=x0, mu=1.01 * lam_max, **qp_args(*qp, True))
    assert above.success
    np.testing.assert_allclose(above.x, x_star, atol=1e-6)
    # The penalty function's own minimiser, computed independently.
    x_phi = cvxpy_penalty_minimiser(*qp, 1.01 * lam_max)
    np.testing.assert_allclose(x_phi, x_star, atol=1e-6)

    below = minimize_l1(x0=x0, mu=0.5 * lam_max, **qp_args(*qp, True))
    assert not below.success and below.status == "penalty_not_exact"
    assert below.max_violation > 1e-4
    assert np.abs(below.x - x_star).max() > 1e-4
    x_phi = cvxpy_penalty_minimiser(*qp, 0.5 * lam_max)
    np.testing.assert_allclose(below.x, x_phi, atol=1e-6)
    assert np.abs(x_phi - x_star).max() > 1e-4


def test_quadratic_penalty_never_reaches_the_solution():
    qp = make_qp(0)
    x_star = cvxpy_solution(*qp)[0]
    args = qp_args(*qp, False)
    gaps = []
    for mu in (1.0, 10.0, 100.0):
        res = minimize_l1(x0=np.zeros(8), mu=mu, penalty="quadratic", **args)
        assert not res.success and res.status == "penalty_not_exact"
        gaps.append(np.abs(res.x - x_star).max())
    assert min(gaps) > 1e-5
    assert gaps == sorted(gaps, reverse=True)  # closer only as mu grows
