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

    scipy's ``OptimizeResult`` with the fields that certify the answer of
    ``min f(x)`` subject to ``c_E(x) = 0``, ``c_I(x) >= 0`` and the bounds:
    the multipliers, the largest constraint violation and the first-order
    (KKT) residual, and the penalty parameter ``mu`` of the exact penalty
    ``phi(x; mu) = f(x) + mu (sum_E |c_i(x)| + sum_I max(0, -c_i(x)))``
    against ``mu_threshold``, above which that penalty is exact.

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

    See Also
    --------
    minimize_l1 : The function that returns it.
    scipy.optimize.OptimizeResult : The class it extends.

    Examples
    --------
    >>> from sparsefit.constrained import minimize_l1
    >>> con = {"type": "ineq", "fun": lambda x: 1 - x[0]}
    >>> res = minimize_l1(lambda x: (x[0] - 2) ** 2, [3.0], constraints=con)
    >>> res.success, res.status_code, round(float(res.x[0]), 8)
    (True, 0, 1.0)
    >>> bool(res.max_violation <= 1e-8), round(float(res.multipliers[0][0]), 6)
    (True, 2.0)
    """
