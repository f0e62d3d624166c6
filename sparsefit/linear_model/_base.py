"""Shared machinery of the least-squares estimators (Lasso, ElasticNet)."""

import numpy as np

from .._estimator import RegressorBase, check_target
from .._problem import LeastSquaresProblem, make_solver
from .._validation import (
    check_positive_int,
    check_sample_weight,
    check_scalar_range,
    check_target_scale,
)
from ..penalties import ElasticNetPenalty
from ._target_size import TargetSizeMixin, check_n_nonzero

__all__ = ["SparseLinearRegression"]


class SparseLinearRegression(TargetSizeMixin, RegressorBase):
    """Base class: penalised least squares with an unpenalised intercept.

    .. math::

        P(w, b) = \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

    Subclasses define ``__init__`` (scikit-learn reads the parameters from
    its signature) and the property ``_l1_ratio``.
    """

    # -- validation --------------------------------------------------------
    def _check_params(self):
        check_scalar_range(self.alpha, "alpha", low=0.0)
        check_scalar_range(self._l1_ratio, "l1_ratio", low=0.0, high=1.0)
        check_n_nonzero(getattr(self, "n_nonzero", None))
        self._check_solver_params()

    def _check_solver_params(self):
        """tol, max_iter, solver, precompute: shared by every estimator."""
        check_scalar_range(self.tol, "tol", low=0.0, low_open=True)
        check_positive_int(self.max_iter, "max_iter")
        if self.solver not in ("auto", "cd", "fista", "lars"):
            raise ValueError(
                f"solver must be 'auto', 'cd', 'fista' or 'lars', got {self.solver!r}."
            )
        if self.precompute not in ("auto", True, False):
            raise ValueError(
                f"precompute must be 'auto', True or False, got {self.precompute!r}."
            )

    def _validate(self, X, y, sample_weight):
        self._check_params()
        X = self._validate_X(X, reset=True)
        y = check_target(y, X.shape[0], X.dtype, type(self).__name__)
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        check_target_scale(y, sw, X.dtype)
        return X, y, sw

    def _validate_predict_data(self, X, y, sample_weight):
        """Validate training data passed again after fit (explain, certify)."""
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        y = check_target(y, X.shape[0], X.dtype, type(self).__name__)
        return X, y, check_sample_weight(sample_weight, X.shape[0], X.dtype)

    # -- fitting -----------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The LARS homotopy works on dense X only.
        tags.input_tags.sparse = self.solver != "lars"
        return tags

    def _make_solver(self):
        return make_solver(self.solver, self.tol, self.max_iter, self.precompute)

    def _make_problem(self, X, y, sw):
        """The fitted problem at any alpha: design, centred y, penalty, solver."""
        penalty = ElasticNetPenalty(
            1.0,
            self._l1_ratio,
            self.penalty_factor,
            self.positive,
            self.lower_bounds,
            self.upper_bounds,
        )
        problem = LeastSquaresProblem(
            X, y, penalty, sw, self.fit_intercept, self.standardize, self._make_solver()
        )
        return problem

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Dense arrays are used as they are when in Fortran order; sparse
            matrices are converted to CSC, never densified.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, rescaled to sum to ``n_samples``.

        Returns
        -------
        self : object
        """
        X, y, sw = self._validate(X, y, sample_weight)
        problem = self._make_problem(X, y, sw)
        w0 = None
        if (
            self.warm_start
            and hasattr(self, "coef_")
            and self.coef_.shape == (X.shape[1],)
        ):
            w0 = problem.from_original(self.coef_)
        alpha = self._fit_alpha(problem)
        self._store(problem, problem.solve(alpha, w0))
        return self

    def _store(self, problem, result):
        result = problem.settle_zeros(self._alpha, result)
        design = problem.design
        self.coef_, self.intercept_ = problem.to_original(result.coef)
        self.n_iter_ = int(result.n_iter)
        self.dual_gap_ = float(result.dual_gap)
        self.kkt_violation_ = float(result.kkt_violation)
        self.solver_result_ = result
        a, c, lower, upper = problem.penalty(self._alpha).coefficients(
            design.n_features, design.dtype
        )
        # What explain() needs without the data: per-feature arrays only.
        self._fit_state = {
            "grad_neg": result.grad_neg,
            "lips": design.col_sq_norms / design.n_samples,
            "a": a,
            "c": c,
            "lower": lower,
            "upper": upper,
            "scale": design.scale,
            "n_samples": design.n_samples,
        }

    def predict(self, X):
        """Predict ``X @ coef_ + intercept_``."""
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        return np.asarray(X @ self.coef_).ravel() + self.intercept_

    def explain(self, X=None, y=None, sample_weight=None, *, path_tol=1e-4):
        """Why each coefficient is what it is: see :func:`sparsefit.explain`."""
        from .._explain import explain_estimator

        return explain_estimator(self, X, y, sample_weight, path_tol=path_tol)
