r"""The steering rule for the penalty parameter mu.

Byrd, Nocedal and Waltz (2008), "Steering exact penalty methods for nonlinear
programming", Optim. Methods Softw. 23(2), 197-213; Nocedal and Wright (2006),
Algorithm 18.5. With ``m(d)`` the linearised l1 violation and ``d(mu)`` the
l1-QP step:

1. keep ``mu`` if ``d(mu)`` is linearly feasible, ``m(d(mu)) = 0``;
2. else compute the best achievable ``m_inf = min m(d)`` over the same trust
   region (an LP). If ``m_inf = 0``, raise ``mu`` until ``m(d(mu)) = 0``;
   otherwise raise it until the step achieves a fraction ``eps1`` of the best
   linearised improvement, ``m(0) - m(d) >= eps1 (m(0) - m_inf)``;
3. raise ``mu`` further, if needed, until the model decrease pays for a
   fraction ``eps2 < eps1`` of the feasibility gain,
   ``q_mu(0) - q_mu(d) >= eps2 mu (m(0) - m(d))``.

``mu`` grows by a factor of 10 each time and never decreases.
"""

import numpy as np

EPS1, EPS2, FACTOR, MU_MAX = 0.1, 0.05, 10.0, 1e12


def steer(solve, solve_feasibility, mu, v0, feas_tol):
    """Return ``(mu, step)`` after the steering rule.

    ``solve(mu)`` returns the l1-QP solution for ``mu``;
    ``solve_feasibility()`` the least linearised violation over the trust
    region; ``v0 = m(0)`` is the violation at the current point.
    """
    sol = solve(mu)
    if sol.violation <= feas_tol:
        return mu, sol
    m_inf = solve_feasibility().violation
    if m_inf <= feas_tol:
        while sol.violation > feas_tol and mu < MU_MAX:
            mu *= FACTOR
            sol = solve(mu)
    else:
        target = EPS1 * (v0 - m_inf)
        while v0 - sol.violation < target and mu < MU_MAX:
            mu *= FACTOR
            sol = solve(mu)
    while sol.reduction < EPS2 * mu * (v0 - sol.violation) and mu < MU_MAX:
        mu *= FACTOR
        sol = solve(mu)
    return float(np.float64(mu)), sol
