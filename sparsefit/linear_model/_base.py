"""Shared machinery of the least-squares estimators (Lasso, ElasticNet)."""

import numpy as np

from .._estimator import RegressorBase, check_target
from .._explain import ExplainMixin
from .._problem import Problem
from .._validation import (
    check_positive_int,
    check_sample_weight,
    check_scalar_range,
    check_target_scale,
    is_distributed,
)
from ..datafits import Quadratic
from ..penalties import ElasticNetPenalty
from ._target_size import TargetSizeMixin, check_n_nonzero

__all__ = ["SparseLinearRegression"]


class SparseLinearRegression(ExplainMixin, TargetSizeMixin, RegressorBase):
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

    # The solvers a subclass's penalty admits (see sparsefit.solvers).
    _solvers = ("auto", "cd", "fista", "lars")

    def _check_solver_params(self):
        """tol, max_iter, solver, precompute: shared by every estimator."""
        check_scalar_range(self.tol, "tol", low=0.0, low_open=True)
        check_positive_int(self.max_iter, "max_iter")
        if self.solver not in self._solvers:
            names = ", ".join(repr(s) for s in self._solvers)
            raise ValueError(f"solver must be one of {names}, got {self.solver!r}.")
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

    def _penalty_template(self, l1_ratio):
        """The penalty at alpha = 1 (a subclass with another penalty
        overrides this)."""
        return ElasticNetPenalty(
            1.0,
            l1_ratio,
            self.penalty_factor,
            self.positive,
            self.lower_bounds,
            self.upper_bounds,
        )

    def _make_problem(self, X, y, sw):
        """The fitted problem at any alpha: design, centred y, penalty, solver."""
        return Problem(
            X,
            y,
            Quadratic(sw),
            self._penalty_template(self._l1_ratio),
            fit_intercept=self.fit_intercept,
            standardize=self.standardize,
            solver=self.solver,
            tol=self.tol,
            max_iter=self.max_iter,
            precompute=self.precompute,
        )

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Dense arrays are used as they are when in Fortran order; sparse
            matrices are converted to CSC, never densified.  A Dask array,
            Dask data frame or Parquet directory is fitted where it lies (see
            :func:`sparsefit.distributed.compute_path`, whose kinds ``y``
            and ``sample_weight`` then take).
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, rescaled to sum to ``n_samples``.

        Returns
        -------
        self : object
        """
        if is_distributed(X):
            from ..distributed._dispatch import fit_estimator

            return fit_estimator(
                self, X, y, sample_weight, self._penalty_template(self._l1_ratio)
            )
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
        self.coef_, self.intercept_ = problem.unpack(result)
        self.n_iter_ = int(result.n_iter)
        self.dual_gap_ = float(result.dual_gap)
        self.kkt_violation_ = float(result.kkt_violation)
        self.solver_result_ = result
        self._keep_for_explain(problem, result, self._alpha)

    def _training_problem(self, X, y, sample_weight=None, offset=None):
        """The fit's problem rebuilt from the training data (explain)."""
        if offset is not None:
            raise ValueError(
                f"offset does not apply to {type(self).__name__}: least squares "
                "with an offset is least squares on y - offset."
            )
        X, y, sw = self._validate_predict_data(X, y, sample_weight)
        return self._make_problem(X, y, sw)

    def predict(self, X):
        """Predict ``X @ coef_ + intercept_``."""
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        return np.asarray(X @ self.coef_).ravel() + self.intercept_
