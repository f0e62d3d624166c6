r"""The quadratic penalty, for comparison with the exact l1 penalty.

.. math::

    \phi_2(x; \mu) = f(x) + \mu \Big(\sum_{i \in E} c_i(x)^2
                                    + \sum_{i \in I} \max(0, -c_i(x))^2\Big)

is continuously differentiable, so L-BFGS-B (which keeps the bounds) finds
its minimiser. Its stationarity gives the multiplier estimates
``lambda_E = -2 mu c_E`` and ``lambda_I = 2 mu max(0, -c_I)``, which tend to
``lambda*`` only as ``mu`` grows without bound: unlike the l1 penalty, the
minimiser of ``phi_2`` violates any constraint with a nonzero multiplier for
every finite ``mu``.
"""

import numpy as np

from ._optimality import stationarity
from ._sl1qp import SL1QPOutcome, _evaluate, _infeasible_stationary, _verdict


def quadratic_penalty(objective, cons, x0, lower, upper, mu, tol, maxiter):
    """Minimise ``phi_2(x; mu)`` with L-BFGS-B from ``x0``."""
    from scipy.optimize import minimize

    is_eq = cons.is_eq

    def penalised(x):
        f, g = objective.value_and_grad(x)
        c, J = cons.values(x), cons.jacobian(x)
        lam = _multipliers(c, is_eq, mu)
        phi = f + (lam**2).sum() / (4 * mu)
        return phi, g - J.T @ lam

    res = minimize(
        penalised,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=list(zip(lower, upper, strict=True)),
        options={"maxiter": maxiter, "ftol": 0.0, "gtol": tol, "maxcor": 20},
    )
    state = _evaluate(objective, cons, res.x)
    lam = _multipliers(state.c, is_eq, mu)
    status = _verdict(state, lam, cons, np.inf, lower, upper, tol)
    if _infeasible_stationary(state, cons, lower, upper, tol) is not None:
        status = "infeasible_stationary"
    elif status != "success":
        status = "penalty_not_exact" if res.success else "maxiter"
        if not res.success and res.nit < maxiter:
            status = "step_too_small"
    state.lam = lam
    z = stationarity(state.g, state.J, lam, state.x, lower, upper, tol)[1]
    return SL1QPOutcome(state, status, mu, int(res.nit), z)


def _multipliers(c, is_eq, mu):
    lam = np.where(is_eq, -2 * mu * c, 2 * mu * np.maximum(-c, 0))
    return lam.astype(float)
