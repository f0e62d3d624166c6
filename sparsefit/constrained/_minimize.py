"""``minimize_l1``: checks the input, runs the method, builds the result."""

import numbers

import numpy as np

from ._constraints import ConstraintSet
from ._functions import Objective, check_bounds
from ._optimality import infeasibility, violation
from ._quadratic import quadratic_penalty
from ._result import MESSAGES, STATUS_CODES, ConstrainedResult
from ._sl1qp import sl1qp


def minimize_l1(
    fun,
    x0,
    args=(),
    jac=None,
    hess=None,
    constraints=(),
    bounds=None,
    mu=None,
    penalty="l1",
    tol=1e-8,
    maxiter=500,
):
    r"""Minimise a smooth function under constraints with the exact l1 penalty.

    Solves ``min f(x)`` subject to ``c_E(x) = 0``, ``c_I(x) >= 0`` and
    ``lb <= x <= ub`` by minimising

    .. math::

        \phi(x; \mu) = f(x) + \mu \Big(\sum_{i \in E} |c_i(x)|
                                      + \sum_{i \in I} \max(0, -c_i(x))\Big)

    with S-l1-QP, a trust-region SQP method on the l1 model (see
    :mod:`sparsefit.constrained`). For ``mu > ||lambda*||_inf`` a local
    solution of the constrained problem is a local minimiser of ``phi``: the
    penalty is *exact*. The bounds are kept at every iterate (``x0`` is
    projected onto them); the other constraints are penalised.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``, or ``(float, gradient)`` with ``jac=True``.
    x0 : array-like of shape (n,)
        Starting point.
    args : tuple, default=()
        Extra arguments of ``fun``, ``jac`` and ``hess``.
    jac : callable, True or None, default=None
        Gradient ``jac(x, *args)``; None uses central differences.
    hess : callable or None, default=None
        Hessian ``hess(x, *args) -> (n, n)``. It is used (with the constraints'
        second derivatives: ``NonlinearConstraint.hess`` or a dict's ``"hess"``
        key, ``hess(x, v) = sum_i v_i d2c_i/dx2``) when every nonlinear
        constraint has one; otherwise a damped BFGS matrix models the Hessian
        of the Lagrangian.
    constraints : dict, NonlinearConstraint, LinearConstraint or a sequence
        The constraints, in scipy's forms: dicts with ``"type"`` (``"eq"``:
        ``fun(x) = 0``; ``"ineq"``: ``fun(x) >= 0``), ``"fun"`` and optional
        ``"jac"`` and ``"args"``; ``NonlinearConstraint(fun, lb, ub, jac,
        hess)`` (a callable ``jac`` is used, other values mean finite
        differences);
        ``LinearConstraint(A, lb, ub)``. ``keep_feasible`` is not honoured.
    bounds : scipy.optimize.Bounds or sequence of (lb, ub), default=None
        Bounds on ``x``; None in a pair means no bound.
    mu : float or None, default=None
        Penalty parameter. None steers it (Byrd, Nocedal and Waltz, 2008),
        raising it only as the linearised feasibility demands; a number fixes
        it, and ``x`` is then a stationary point of ``phi(x; mu)``.
    penalty : {"l1", "quadratic"}, default="l1"
        ``"quadratic"`` minimises ``f + mu (sum_E c_i^2 + sum_I max(0,
        -c_i)^2)`` with L-BFGS-B instead, for comparison; it needs ``mu``.
    tol : float, default=1e-8
        Largest constraint violation, and first-order residual relative to
        ``max(1, ||grad f||_inf)``, of a successful result.
    maxiter : int, default=500
        Largest number of iterations.

    Returns
    -------
    result : ConstrainedResult
        ``x``, ``fun``, ``success``, ``status``, ``message``, ``nit``,
        ``nfev``, ``multipliers``, ``mu``, ``mu_threshold``,
        ``max_violation``, ... (see :class:`ConstrainedResult`).

    Warns
    -----
    ConvergenceWarning
        When the run stops short of the tests (status ``"maxiter"`` or
        ``"step_too_small"``).

    See Also
    --------
    ConstrainedResult : What is returned.
    scipy.optimize.minimize : The constrained solvers of scipy (SLSQP,
        trust-constr), which take the same ``constraints`` and ``bounds``.

    Examples
    --------
    The penalty is exact for every ``mu`` above the multiplier, 2:

    >>> from sparsefit.constrained import minimize_l1
    >>> con = {"type": "ineq", "fun": lambda x: 1 - x[0]}
    >>> res = minimize_l1(lambda x: (x[0] - 2) ** 2, [3.0], constraints=con, mu=5)
    >>> res.status, round(float(res.x[0]), 10), round(res.mu_threshold, 6)
    ('success', 1.0, 2.0)
    >>> res = minimize_l1(lambda x: (x[0] - 2) ** 2, [3.0], constraints=con, mu=1.5)
    >>> res.status, round(float(res.x[0]), 6)
    ('penalty_not_exact', 1.25)
    """
    x0 = _check_x0(x0)
    tol = _check_positive(tol, "tol")
    if isinstance(maxiter, bool) or not isinstance(maxiter, numbers.Integral):
        raise ValueError(f"maxiter must be a positive integer; got {maxiter!r}")
    if maxiter < 1:
        raise ValueError(f"maxiter must be a positive integer; got {maxiter!r}")
    if mu is not None:
        mu = _check_positive(mu, "mu")
    if penalty not in ("l1", "quadratic"):
        raise ValueError(f"penalty must be 'l1' or 'quadratic'; got {penalty!r}")
    if penalty == "quadratic" and mu is None:
        raise ValueError("penalty='quadratic' needs a value of mu; got mu=None")
    lower, upper = check_bounds(bounds, x0.size)
    x0 = np.clip(x0, lower, upper)
    objective = Objective(fun, jac, hess, args, lower, upper)
    cons = ConstraintSet(constraints, x0, lower, upper)
    if not np.isfinite(objective.value(x0)):
        raise ValueError(f"fun is not finite at x0 = {x0}")
    if penalty == "quadratic":
        out = quadratic_penalty(objective, cons, x0, lower, upper, mu, tol, maxiter)
    else:
        exact = hess is not None and cons.has_hessians
        out = sl1qp(objective, cons, x0, lower, upper, mu, tol, maxiter, exact)
    result = _result(out, objective, cons, lower, upper, tol)
    if result.status in ("maxiter", "step_too_small"):
        _warn_short(result, tol, objective)
    return result


def _warn_short(result, tol, objective):
    """A ConvergenceWarning, as the project's solvers give when they stop short."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    nonfinite = ""
    if objective.n_nonfinite:
        point = np.array2string(objective.last_nonfinite, precision=8, threshold=20)
        nonfinite = (
            f" fun was NaN or infinite at {objective.n_nonfinite} trial point(s), "
            f"the last x = {point}, and those steps were rejected."
        )
    warnings.warn(
        f"minimize_l1 stopped ({result.status}) after {result.nit} iterations "
        f"with violation {result.max_violation:.2e} and KKT residual "
        f"{result.kkt_residual:.2e}; tol is {tol:.1e}.{nonfinite}",
        ConvergenceWarning,
        stacklevel=3,
    )


def _result(out, objective, cons, lower, upper, tol):
    state = out.state
    max_violation = violation(state.c, cons.is_eq)
    theta = np.nan
    if max_violation > tol:
        theta = infeasibility(state.c, state.J, cons.is_eq, state.x, lower, upper)
    residual = state.g - state.J.T @ state.lam - out.bound_multipliers
    return ConstrainedResult(
        x=state.x,
        fun=state.f,
        success=out.status == "success",
        status=out.status,
        status_code=STATUS_CODES[out.status],
        message=MESSAGES[out.status],
        nit=out.nit,
        nfev=objective.nfev,
        njev=objective.njev,
        nhev=objective.nhev,
        nsoc=out.nsoc,
        multipliers=cons.per_constraint(state.lam),
        bound_multipliers=out.bound_multipliers,
        mu=float(out.mu),
        mu_threshold=float(np.abs(state.lam).max(initial=0.0)),
        max_violation=max_violation,
        kkt_residual=float(np.abs(residual).max(initial=0.0)),
        infeasibility=theta,
    )


def _check_x0(x0):
    try:
        x = np.asarray(x0, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"x0 must be an array of real numbers; got {x0!r}") from None
    if x.ndim > 1 or x.size == 0:
        raise ValueError(f"x0 must be a non-empty 1-D array; got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"x0 must be finite; got {x}")
    return np.atleast_1d(x).copy()


def _check_positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a positive real number; got {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite; got {value!r}")
    return float(value)
