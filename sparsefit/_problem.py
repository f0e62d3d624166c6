"""One least-squares problem at many alphas: the design, the centred target,
the penalty in the design's coordinates, and a solver with its caches.

Estimators, paths, cross-validation and ``explain`` all go through this
object, so an alpha means the same thing everywhere and the coefficients come
back on the original scale the same way.
"""

import warnings

import numpy as np

from ._design import Design
from ._problem_base import BaseProblem
from ._threads import single_blas
from .penalties._base import separable_value
from .solvers import FISTA, CoordinateDescent, LarsSolver

__all__ = ["LeastSquaresProblem"]


class LeastSquaresProblem(BaseProblem):
    """Penalised least squares, centred for the intercept and maybe standardised.

    .. math::

        P(w, b) = \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2 + g_\\alpha(w)

    Parameters
    ----------
    X : ndarray or CSC matrix, validated
    y : ndarray, validated, same dtype as X
    penalty : SeparablePenalty
        Bounds on the original scale; its ``alpha`` is replaced per solve.
    sample_weight : ndarray or None
        Already rescaled to sum to n.
    fit_intercept, standardize : bool
    solver : object with ``solve(design, y, penalty, w0, ...)``, or None for
        coordinate descent with ``tol``, ``max_iter``, ``precompute``.
    """

    def __init__(
        self,
        X,
        y,
        penalty,
        sample_weight=None,
        fit_intercept=True,
        standardize=False,
        solver=None,
    ):
        self.design = Design(
            X, sample_weight, center=fit_intercept, standardize=standardize
        )
        self.fit_intercept = fit_intercept
        self.y_mean = (
            float(np.average(y, weights=sample_weight)) if fit_intercept else 0.0
        )
        self.y = (y - self.y_mean).astype(X.dtype)
        self._set_template(penalty, X.shape[1], X.dtype)
        self.solver = solver if solver is not None else CoordinateDescent()
        self.cache = {}

    def solve(self, alpha, w0=None, strong=None, quiet=False):
        """Solve at ``alpha``; returns the solver's ``SolverResult``."""
        penalty = self.penalty(alpha)
        kwargs = {}
        if isinstance(self.solver, CoordinateDescent):
            kwargs = {"strong": strong, "cache": self.cache}
        with single_blas(), warnings.catch_warnings():
            if quiet:
                warnings.simplefilter("ignore")
            return self.solver.solve(self.design, self.y, penalty, w0, **kwargs)

    def _pulls(self, res):
        return np.abs(res.grad_neg), res.coef == 0

    def _radius_scale(self):
        # Coordinate descent continues a solve to an absolute gap; the other
        # least-squares solvers are exact (LARS) or not asked to.
        if not isinstance(self.solver, CoordinateDescent):
            return None
        return self.design.col_sq_norms.astype(float) / self.design.n_samples

    def _refine(self, alpha, res, gap_abs):
        kwargs = {"cache": self.cache, "tol_abs": gap_abs}
        with single_blas(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.solver.solve(
                self.design, self.y, self.penalty(alpha), res.coef, **kwargs
            )

    def to_original(self, w):
        """``(coef, intercept)`` on the original scale from solver coordinates."""
        coef = (w * self.design.scale).astype(self.design.dtype)
        intercept = (
            self.y_mean - float(self.design.mean @ coef) if self.fit_intercept else 0.0
        )
        return coef, intercept

    def from_original(self, coef):
        return np.asarray(coef) / self.design.scale

    def unpack(self, res):
        """``(coef, intercept)`` on the original scale from a solve's result."""
        return self.to_original(res.coef)

    def fit_value(self, alpha, res):
        """The datafit's value at a solve: its primal minus the penalty."""
        arrays = self.penalty(alpha).coefficients(self.n_features, self.design.dtype)
        return res.primal - separable_value(res.coef, *arrays)

    def strong_set(self, grad_neg, alpha, prev_alpha):
        """Sequential strong rule: keep j unless ``|grad_j| < (2 alpha - prev) v_j``."""
        unit = self.template.with_alpha(1.0).coefficients(self.n_features)[0]
        return (np.abs(grad_neg) >= (2 * alpha - prev_alpha) * unit) | (unit == 0)

    def grad_neg(self, w):
        """``X_c' S r / n`` at ``w``."""
        d = self.design
        r = self.y - d.matvec(w)
        return (
            d.rmatvec(r if d.sample_weight is None else r * d.sample_weight)
            / d.n_samples
        )

    def null_value(self):
        """``||y_c||_S^2 / (2n)``: the intercept-only fit's datafit."""
        sw = self.design.sample_weight
        yw = self.y if sw is None else self.y * sw
        return float(yw @ self.y) / (2 * self.design.n_samples)

    def alpha_max(self):
        """Smallest alpha at which every penalised coefficient is zero, and the
        solution there (unpenalised features fitted).

        With ``l1_ratio`` below 1e-3 the ridge part alone never zeroes a
        coefficient; as glmnet does, alpha_max is then computed at
        ``l1_ratio = 1e-3``.
        """
        unit = self._unit_template()
        a = unit.coefficients(self.n_features, self.design.dtype)[0]
        penalised = a > 0
        lower, upper = self.penalty(1.0).coefficients(self.n_features)[2:]
        w = np.clip(np.zeros(self.n_features, dtype=self.design.dtype), lower, upper)
        simple = (penalised | self.design.constant).all() and not w.any()
        if not simple:
            # Fit the unpenalised part: a large alpha, doubled until every
            # penalised coefficient is zero.
            alpha = max(unit.alpha_max(-self.grad_neg(w)), 1.0)
            for _ in range(60):
                w = self.solve(alpha, quiet=True).coef
                if not (w[penalised] != 0).any():
                    break
                alpha *= 2.0
        return float(unit.alpha_max(-self.grad_neg(w))), w


def make_solver(name, tol, max_iter, precompute="auto"):
    """Solver object for ``solver="auto" | "cd" | "fista" | "lars"``."""
    if name in ("auto", "cd"):
        return CoordinateDescent(tol=tol, max_iter=max_iter, precompute=precompute)
    if name == "fista":
        return FISTA(tol=tol, max_iter=max_iter)
    if name == "lars":
        return LarsSolver(tol=tol, max_iter=max_iter)
    raise ValueError(f"solver must be 'auto', 'cd', 'fista' or 'lars', got {name!r}.")
