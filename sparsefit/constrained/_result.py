"""The result of ``minimize_l1``: scipy's ``OptimizeResult`` with more fields."""

from scipy.optimize import OptimizeResult

STATUS_CODES = {
    "success": 0,
    "maxiter": 1,
    "infeasible_stationary": 2,
    "penalty_not_exact": 3,
    "step_too_small": 4,
}

MESSAGES = {
    "success": "A KKT point: violation and first-order residuals within tol.",
    "maxiter": "The iteration limit was reached before the KKT tests held.",
    "infeasible_stationary": (
        "The constraints could not be satisfied: x is a stationary point of "
        "the l1 violation (certificate: `infeasibility`, the best decrease of "
        "the linearised violation in a unit box, is within tol)."
    ),
    "penalty_not_exact": (
        "x is a stationary point of the penalty function for this mu but "
        "violates the constraints, which could still be reduced: mu is below "
        "the threshold where the penalty is exact (or the penalty is quadratic)."
    ),
    "step_too_small": (
        "The trust region or the model decrease fell to rounding level "
        "before the KKT tests held; tol may be too tight for this problem."
    ),
}


class ConstrainedResult(OptimizeResult):
    """Outcome of :func:`minimize_l1`, a ``dict`` with attribute access.

    Attributes
    ----------
    x : ndarray
        The final point.
    fun : float
        ``f(x)``.
    success : bool
        True only at a KKT point with ``max_violation <= tol``.
    status : str
        ``"success"``, ``"maxiter"``, ``"infeasible_stationary"``,
        ``"penalty_not_exact"`` or ``"step_too_small"``; ``status_code`` is
        its integer code (0 to 4, in that order).
    message : str
        What ``status`` means.
    nit, nfev, njev, nhev : int
        Iterations and evaluations of ``fun``, ``jac`` and ``hess`` (finite
        differences count as ``fun`` evaluations).
    nsoc : int
        Steps accepted after a second-order correction (the Maratos effect).
    multipliers : list of ndarray
        One array per constraint, in the order given, such that
        ``grad f(x) = sum_k J_k(x)' multipliers[k] + bound_multipliers``,
        with ``J_k`` the Jacobian of that constraint's function: ``>= 0`` for
        an active ``"ineq"`` dict or lower bound, ``<= 0`` at an upper bound.
    bound_multipliers : ndarray
        Multipliers of the bounds on ``x`` (``>= 0`` lower, ``<= 0`` upper).
    mu : float
        The final penalty parameter.
    mu_threshold : float
        ``||lambda||_inf`` over the constraints, the estimate of the smallest
        ``mu`` for which ``phi(x; mu)`` is exact.
    max_violation : float
        ``max(|c_E(x)|, max(0, -c_I(x)))``.
    kkt_residual : float
        ``||grad f - J' lambda - z||_inf`` at ``x``.
    infeasibility : float
        At an infeasible ``x``, the best decrease of the linearised l1
        violation in a unit box (0 at a stationary point of the violation);
        ``nan`` when ``x`` is feasible.
    """
