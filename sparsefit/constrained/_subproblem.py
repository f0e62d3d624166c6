r"""The l1-QP subproblem of S-l1-QP, solved with Clarabel and polished.

At ``x`` with gradient ``g``, constraint values ``c`` and Jacobian ``J``, the
step ``d`` minimises the l1 model of the penalty function

.. math::

    q_\mu(d) = g^\top d + \tfrac12 d^\top B d
               + \mu \Big(\sum_{i \in E} |c_i + J_i d|
                          + \sum_{i \in I} \max(0, -c_i - J_i d)\Big)

over the box ``lower <= d <= upper`` (the l_inf trust region intersected with
the bounds). The kinks are split into slacks (Nocedal and Wright, 2006,
sec. 18.5): with ``c_E + J_E d = p - q``, ``c_I + J_I d >= -t`` and
``p, q, t >= 0`` the problem is a convex QP whose linear constraints are
always feasible (``d = 0`` with the slacks at the violations), so no
inconsistent linearisation can stop the method. Its duals are the multiplier
estimates, with ``|lambda_i| <= mu``.

Clarabel (an interior-point solver) returns duals and steps to about 1e-10;
the solution is then *polished*: the constraints with a dual above their
slack are taken as active and the equality-constrained KKT system is solved
directly, as OSQP does. The polished point is kept only when it is primal and
dual feasible to rounding, which makes the steps of a linear constraint
exact (``x`` lands on ``x_i = 1``, not ``1 + 1e-10``).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class L1QPSolution:
    """A step of the l1 model.

    ``multipliers`` follow ``g + B d = J' lambda + z`` (``lambda_I >= 0``);
    ``violation`` is the linearised l1 violation at ``d`` and ``reduction``
    the model decrease ``q_mu(0) - q_mu(d) >= 0``.
    """

    step: np.ndarray
    multipliers: np.ndarray
    violation: float
    reduction: float


def linearised_violation(c, J, is_eq, d):
    """``sum_E |c + J d| + sum_I max(0, -(c + J d))``."""
    r = c + J @ d
    return float(np.abs(r[is_eq]).sum() + np.maximum(-r[~is_eq], 0).sum())


def solve_l1qp(g, B, c, J, is_eq, mu, lower, upper):
    """Minimise the l1 model ``q_mu`` over ``lower <= d <= upper``.

    ``B`` must be positive semidefinite; ``B = None`` gives the LP of the
    linear model (with ``g = 0`` and ``mu = 1``, the least linearised
    violation).
    """
    n, m_eq, m_in = g.size, int(is_eq.sum()), int((~is_eq).sum())
    n_var = n + 2 * m_eq + m_in
    # In units of the box, d = s u with |u| <= 1, so that the solver's
    # tolerances stay relative when the trust region is small.
    s = max(np.abs(lower).max(initial=0.0), np.abs(upper).max(initial=0.0), 1e-300)
    J_eq, J_in = s * J[is_eq], s * J[~is_eq]
    lower, upper = lower / s, upper / s
    P = np.zeros((n_var, n_var))
    if B is not None:
        P[:n, :n] = s * s * B
    q = np.concatenate([s * g, np.full(n_var - n, float(mu))])
    A_eq = np.hstack([J_eq, -np.eye(m_eq), np.eye(m_eq), np.zeros((m_eq, m_in))])
    A_in = np.vstack(
        [
            np.hstack([-J_in, np.zeros((m_in, 2 * m_eq)), -np.eye(m_in)]),
            np.hstack([np.zeros((n_var - n, n)), -np.eye(n_var - n)]),
            np.hstack([np.eye(n), np.zeros((n, n_var - n))]),
            np.hstack([-np.eye(n), np.zeros((n, n_var - n))]),
        ]
    )
    b_eq = -c[is_eq]
    b_in = np.concatenate([c[~is_eq], np.zeros(n_var - n), upper, -lower])
    z, y_eq, y_in = _solve_qp(P, q, A_eq, b_eq, A_in, b_in)
    z, y_eq, y_in = _polish(P, q, A_eq, b_eq, A_in, b_in, z, y_eq, y_in)
    d = s * z[:n]
    lam = np.empty(c.size)
    lam[is_eq] = -y_eq
    lam[~is_eq] = y_in[:m_in]
    violation = linearised_violation(c, J, is_eq, d)
    v0 = linearised_violation(c, J, is_eq, np.zeros(n))
    quad = 0.0 if B is None else 0.5 * d @ B @ d
    reduction = mu * v0 - (g @ d + quad + mu * violation)
    return L1QPSolution(d, lam, violation, max(reduction, 0.0))


def _solve_qp(P, q, A_eq, b_eq, A_in, b_in):
    """Clarabel on ``min 1/2 z'Pz + q'z, A_eq z = b_eq, A_in z <= b_in``."""
    import clarabel

    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = 1e-11
    settings.tol_feas = settings.tol_ktratio = 1e-11
    settings.max_iter = 200
    cones = []
    if b_eq.size:
        cones.append(clarabel.ZeroConeT(b_eq.size))
    cones.append(clarabel.NonnegativeConeT(b_in.size))
    A = sp.csc_matrix(np.vstack([A_eq, A_in]))
    solver = clarabel.DefaultSolver(
        sp.triu(sp.csc_matrix(P)).tocsc(),
        q,
        A,
        np.concatenate([b_eq, b_in]),
        cones,
        settings,
    )
    sol = solver.solve()
    if str(sol.status) not in ("Solved", "AlmostSolved"):
        raise RuntimeError(f"the l1-QP subproblem failed: Clarabel says {sol.status}")
    y = np.asarray(sol.z)
    return np.asarray(sol.x), y[: b_eq.size], np.maximum(y[b_eq.size :], 0.0)


def _polish(P, q, A_eq, b_eq, A_in, b_in, z, y_eq, y_in):
    """Solve the KKT system on the active set guessed from the duals.

    The guess (a dual above its slack) is corrected a few times, as in a
    primal-dual active-set method: violated constraints join the set, those
    with a negative dual leave it. The interior-point solution is kept when
    no guess gives a point that is primal and dual feasible to rounding.
    """
    scale = 1e-12 * max(1.0, np.abs(q).max(), np.abs(b_in).max())
    active = y_in > b_in - A_in @ z
    for _ in range(5):
        z_new, y_new, y_act = _kkt_solve(P, q, A_eq, b_eq, A_in, b_in, active)
        violated = (A_in @ z_new - b_in > scale) & ~active
        negative = np.zeros_like(active)
        negative[active] = y_act < -scale
        if not violated.any() and not negative.any():
            break
        active = (active | violated) & ~negative
    else:
        return z, y_eq, y_in
    A_act = np.vstack([A_eq, A_in[active]])
    residual = P @ z_new + q + A_act.T @ np.concatenate([y_new, y_act])
    feasible = b_eq.size == 0 or np.abs(A_eq @ z_new - b_eq).max() <= scale
    if np.abs(residual).max() > scale or not feasible:
        return z, y_eq, y_in
    y_in_new = np.zeros_like(y_in)
    y_in_new[active] = np.maximum(y_act, 0.0)
    return z_new, y_new, y_in_new


def _kkt_solve(P, q, A_eq, b_eq, A_in, b_in, active):
    """``(z, y_eq, y_active)`` from the KKT system with ``active`` as equalities."""
    A_act = np.vstack([A_eq, A_in[active]])
    n_var, n_act = P.shape[0], A_act.shape[0]
    K = np.block([[P, A_act.T], [A_act, np.zeros((n_act, n_act))]])
    rhs = np.concatenate([-q, b_eq, b_in[active]])
    sol = np.linalg.lstsq(K, rhs, rcond=None)[0]
    for _ in range(2):  # iterative refinement: the KKT matrix is often singular
        sol += np.linalg.lstsq(K, rhs - K @ sol, rcond=None)[0]
    return sol[:n_var], sol[n_var : n_var + b_eq.size], sol[n_var + b_eq.size :]
