"""What every solver returns, and the warning when it stops short."""

import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = ["KKT_TOL", "SolverResult", "StoppingRule", "warn_not_converged"]

# The scale-free KKT check of every returned point, in units of the largest
# l1 weight (see StoppingRule).
KKT_TOL = 1e-3


@dataclass
class SolverResult:
    """Outcome of a solve, certified at the returned point.

    What every solver's ``solve(problem, alpha)`` returns: the point, the
    objective ``P`` of the problem (datafit plus penalty, see
    :func:`sparsefit.compute_path`) there, and its certificate, the duality
    gap ``P(coef) - D(u)`` at a dual point ``u`` and the largest KKT
    violation, checked by :class:`StoppingRule`.

    Parameters
    ----------
    coef : ndarray of shape (n_features,)
        Coefficients in the design's (centred, scaled) coordinates.
    n_iter : int
        Coordinate descent: passes over the working sets plus the full passes
        that compute the gap (so at least 1). FISTA: iterations (at least 1).
    dual_gap : float
        ``P(coef) - D(u)`` at the returned point: an upper bound on
        ``P(coef) - P(w*)``.
    primal : float
        ``P(coef)``.
    kkt_violation : float
        Largest distance from minus the gradient to the subdifferential.
    tol_abs : float
        The gap the solver had to reach at the returned point: ``tol *
        P(coef)``, or the caller's absolute target (see
        :class:`StoppingRule`).
    converged : bool
        Whether the returned point met the stopping rule.
    history : list of (int, float), default=[]
        ``(n_iter, dual_gap)`` at each computation of the gap.
    grad_neg : ndarray of shape (n_features,) or None, default=None
        Minus the datafit's gradient in the coefficients at the returned
        point (``X_c' S r / n`` for least squares).
    intercept : ndarray of shape (K,) or None, default=None
        The intercept(s) in the design's coordinates: set by the solver when
        the problem keeps its intercept, by the problem when centring
        eliminated it.
    datafit_value : float or None, default=None
        ``F`` at the returned point (set by the solver, else by the problem).
    grad_exact : bool, default=True
        Whether every entry of ``grad_neg`` is exact.  Coordinate descent
        may hold, for zero coefficients far from entering, an upper bound
        on the magnitude instead (with the last exact sign); the gap and the
        KKT check are the same either way (see
        :mod:`sparsefit.solvers._grad_bounds`).

    See Also
    --------
    StoppingRule : When a point counts as converged.
    make_solver : Build the solver for a problem.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Quadratic
    >>> from sparsefit.penalties import L1
    >>> X, y = load_diabetes(return_X_y=True)
    >>> problem = Problem(X, y, Quadratic(), L1(1.0))
    >>> from sparsefit.solvers import CoordinateDescent
    >>> result = CoordinateDescent().solve(problem, 1.0)
    >>> result.converged, bool(result.dual_gap <= result.tol_abs)
    (True, True)
    >>> int((result.coef != 0).sum())
    3
    """

    coef: np.ndarray
    n_iter: int
    dual_gap: float
    primal: float
    kkt_violation: float
    tol_abs: float
    converged: bool
    history: list = field(default_factory=list)
    grad_neg: np.ndarray = None
    intercept: np.ndarray = None
    datafit_value: float = None
    grad_exact: bool = True


class StoppingRule:
    """The one stopping rule of every convex solver.

    A point ``w`` is returned as converged when both

    .. math::

        P(w) - D(u) \\le \\mathrm{tol} \\cdot P(w)
        \\quad\\text{and}\\quad
        \\max_j \\operatorname{dist}(-\\nabla_j F(w), \\partial g_j(w_j))
        \\le \\kappa \\max_j a_j

    hold, where ``a_j = alpha * l1_ratio * v_j`` are the l1 weights and
    ``kappa = KKT_TOL = 1e-3``.  Since ``P(w) - P^* \\le P(w) - D(u)``, the
    first bounds the *relative suboptimality of the returned point itself*,
    ``(P(w) - P^*) / P^* \\le tol / (1 - tol)``.  It is not relative to
    ``P(0)`` or to ``P`` at a warm start: along a path ``P(0)`` is far above
    ``P(w)``, and a warm start from the previous alpha then passes a loose
    test unchanged (stale path points).  The second is scale-free (in units
    of the penalty): no coefficient is left more than 0.1% of its penalty
    away from its optimality condition, which the gap alone does not say
    when the objective is large.  A problem with no l1 term is certified by
    its gap alone.

    The gap is an upper bound that is often orders of magnitude above the
    true suboptimality (the dual point is a rescaled residual), so the
    default ``tol = 1e-4`` certifies 1e-4 and reaches about 1e-6 or better
    in practice; ``tests/test_defaults.py`` measures it against tight
    solves on every family's paths.

    Both tests have a floor at the rounding level of the data, so that a
    problem whose optimum is exactly 0 (``P^* = 0``), or an alpha far below
    ``alpha_max``, still stops: ``gap <= 4 eps P(w_ref)`` and
    ``kkt <= 64 eps max_j |grad_j F(w_ref)|``, with ``w_ref`` the
    projection of 0 on the bounds and ``eps`` the data's machine epsilon.

    Parameters
    ----------
    tol : float
        Relative tolerance on the duality gap.
    a_max : float
        Largest l1 weight of the penalty at this alpha (design coordinates).
    reference : float
        ``P(w_ref)``: the scale of the gap's rounding floor.
    grad_scale : float, default=0.0
        ``max_j |grad_j F(w_ref)|``: the scale of the KKT's rounding floor.
    eps : float or None, default=None
        Machine epsilon of the data; None is that of float64.
    gap_abs : float or None, default=None
        An absolute gap asked for by a caller (the inner problems of a GLM
        solver); it replaces the relative test.

    See Also
    --------
    SolverResult : Holds the gap and KKT violation the rule tested.
    QuadraticCertificate : Computes them for least squares.

    Examples
    --------
    >>> from sparsefit.solvers import StoppingRule
    >>> rule = StoppingRule(1e-4, a_max=1.0, reference=3000.0)
    >>> float(rule.gap_target(2500.0)), rule.kkt_target
    (0.25, 0.001)
    >>> rule.met(0.1, 2500.0, 1e-6), rule.met(1.0, 2500.0, 1e-6)
    (True, False)
    """

    def __init__(self, tol, a_max, reference, grad_scale=0.0, eps=None, gap_abs=None):
        eps = np.finfo(float).eps if eps is None else eps
        self.tol = float(tol)
        self.gap_abs = gap_abs
        self.gap_floor = 4 * eps * abs(float(reference))
        kkt_floor = 64 * eps * abs(float(grad_scale))
        a_max = float(a_max)
        self.kkt_target = max(KKT_TOL * a_max, kkt_floor) if a_max > 0 else np.inf

    def gap_target(self, primal):
        """Return the gap to reach at a point of objective ``primal``.

        Parameters
        ----------
        primal : float
            ``P(w)`` at the point.

        Returns
        -------
        target : float
            ``gap_abs`` when given, else ``max(tol * |primal|, floor)``.
        """
        if self.gap_abs is not None:
            return self.gap_abs
        return max(self.tol * abs(float(primal)), self.gap_floor)

    def met(self, gap, primal, kkt):
        """Return whether a point with this gap, objective and KKT is certified.

        Parameters
        ----------
        gap : float
            The duality gap at the point.
        primal : float
            ``P(w)`` at the point.
        kkt : float
            The largest KKT violation at the point.

        Returns
        -------
        met : bool
            True when ``gap <= gap_target(primal)`` and ``kkt`` is at most
            the KKT target.
        """
        return bool(gap <= self.gap_target(primal) and kkt <= self.kkt_target)


def glm_rule(tol, cert, p_ref, grad_scale, gap_abs=None):
    """The stopping rule of a GLM fit at its certificate's alpha."""
    a_max = cert.penalty.a.max(initial=0.0)
    return StoppingRule(tol, a_max, p_ref, grad_scale, gap_abs=gap_abs)


def warn_not_converged(solver, result, max_iter):
    """Emit a ConvergenceWarning giving the gap reached and the one asked for."""
    # Imported here: scikit-learn is not loaded on the fast path.
    from sklearn.exceptions import ConvergenceWarning

    warnings.warn(
        f"{solver} reached max_iter={max_iter} ({result.n_iter} iterations "
        "counted, including the passes that certify) short of "
        f"its certificate: duality gap {result.dual_gap:.3e} against "
        f"tol * P(w) = {result.tol_abs:.3e}, largest KKT violation "
        f"{result.kkt_violation:.3e}. Increase max_iter, loosen tol, or "
        "standardize the features.",
        ConvergenceWarning,
        stacklevel=4,
    )
