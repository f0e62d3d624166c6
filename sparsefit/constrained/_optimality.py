"""First-order measures: constraint violation, KKT residuals, infeasibility."""

import numpy as np

from ._subproblem import solve_l1qp


def violation(c, is_eq):
    """Largest violation: ``max(|c_E|, max(0, -c_I))``, 0 without constraints."""
    parts = np.concatenate([np.abs(c[is_eq]), np.maximum(-c[~is_eq], 0)])
    return float(parts.max()) if parts.size else 0.0


def l1_violation(c, is_eq):
    """``sum_E |c_i| + sum_I max(0, -c_i)``, the term ``mu`` multiplies."""
    return float(np.abs(c[is_eq]).sum() + np.maximum(-c[~is_eq], 0).sum())


def bound_multipliers(r, x, lower, upper, tol):
    """Multipliers ``z`` of the active bounds that best absorb ``r = g - J' lambda``.

    A bound counts as active within ``tol`` (relative); ``z_j >= 0`` at a lower
    bound and ``z_j <= 0`` at an upper bound, as ``g = J' lambda + z`` needs.
    """
    with np.errstate(invalid="ignore"):
        at_lower = np.isfinite(lower) & (x - lower <= tol * np.maximum(1, abs(lower)))
        at_upper = np.isfinite(upper) & (upper - x <= tol * np.maximum(1, abs(upper)))
    z = np.zeros_like(r)
    z[at_lower & (r > 0)] = r[at_lower & (r > 0)]
    z[at_upper & (r < 0)] = r[at_upper & (r < 0)]
    return z


def stationarity(g, J, lam, x, lower, upper, tol):
    """``||g - J' lambda - z||_inf`` with the best bound multipliers ``z``."""
    r = g - J.T @ lam
    z = bound_multipliers(r, x, lower, upper, tol)
    return float(np.abs(r - z).max(initial=0.0)), z


def complementarity(c, is_eq, lam, mu, tol):
    """How far ``lambda`` is from the subdifferential of the penalty at ``c``.

    With ``mu = inf`` these are the KKT conditions (``lambda_I >= 0``,
    ``lambda_i c_i = 0`` on inequalities); with a finite ``mu`` they are
    stationarity of ``phi(x; mu)``: ``lambda_i = -mu sign(c_i)`` where an
    equality is violated, ``lambda_i = mu`` where an inequality is violated,
    ``0 <= lambda_i <= mu`` otherwise.
    """
    c_in, lam_in = c[~is_eq], lam[~is_eq]
    errors = [np.maximum(-lam_in, 0), np.abs(lam_in) * np.maximum(c_in, 0)]
    if np.isfinite(mu):
        c_eq, lam_eq = c[is_eq], lam[is_eq]
        off = np.abs(c_eq) > tol
        errors.append(np.abs(lam_eq + mu * np.sign(c_eq))[off])
        errors.append(np.abs(lam_in - mu)[c_in < -tol])
        errors.append(np.abs(lam_in)[c_in > tol])
    return float(np.concatenate(errors).max(initial=0.0))


def infeasibility(c, J, is_eq, x, lower, upper, multipliers=False):
    r"""Certificate of a stationary point of the violation.

    ``theta = m(0) - min_{||d||_inf <= 1, bounds} m(d)``, the best decrease of
    the linearised l1 violation ``m`` in a unit box. Because ``m`` is convex,
    ``theta = 0`` exactly when no direction decreases the violation to first
    order: ``x`` is a stationary point of ``sum_E |c_i| + sum_I max(0, -c_i)``.
    With ``multipliers=True`` the LP's duals are returned too.
    """
    n = x.size
    lo = np.maximum(-1.0, lower - x)
    hi = np.minimum(1.0, upper - x)
    sol = solve_l1qp(np.zeros(n), None, c, J, is_eq, 1.0, lo, hi)
    theta = max(l1_violation(c, is_eq) - sol.violation, 0.0)
    return (theta, sol.multipliers) if multipliers else theta
