"""What every solver returns, and the warning when it stops short."""

import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SolverResult", "warn_not_converged"]


@dataclass
class SolverResult:
    """Outcome of a solve, certified at the returned point.

    Attributes
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
        The gap the solver had to reach: ``tol * P(0)``.
    converged : bool
    history : list of (n_iter, dual_gap)
    grad_neg : ndarray of shape (n_features,)
        ``X_c' S r / n`` at the returned point (minus the datafit gradient).
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


def warn_not_converged(solver, result):
    """Emit a ConvergenceWarning giving the gap reached and the one asked for."""
    # Imported here: scikit-learn is not loaded on the fast path.
    from sklearn.exceptions import ConvergenceWarning

    warnings.warn(
        f"{solver} stopped after {result.n_iter} iterations (max_iter) with duality "
        f"gap {result.dual_gap:.3e} > tol * P(0) = {result.tol_abs:.3e}. Increase "
        "max_iter, loosen tol, or standardize the features.",
        ConvergenceWarning,
        stacklevel=4,
    )
