"""Shared machinery of the GLM estimators (logistic, multinomial, Poisson).

Every estimator here minimises, with ``F`` the family's negative
log-likelihood as a mean over samples,

.. math::

    P(W, b) = F(y, X W + b + o)
    + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

and certifies the result with a duality gap.
"""

import numpy as np

from .._estimator import check_target
from .._explain import ExplainMixin
from .._validation import (
    check_offset,
    check_positive_int,
    check_sample_weight,
    check_scalar_range,
)
from ..path import glm_problem
from ..penalties import ElasticNetPenalty
from ._existence import check_minimiser_exists
from ._target_size import TargetSizeMixin, check_n_nonzero

__all__ = ["GLMMixin"]


class GLMMixin(ExplainMixin, TargetSizeMixin):
    """Parameters, fitting and ``explain`` common to the GLM estimators.

    Subclasses set ``_family`` (or the property) and define ``__init__``.
    """

    _solvers = ("auto", "prox-newton", "fista")

    @property
    def _l1_ratio(self):
        return self.l1_ratio

    @property
    def _multinomial(self):
        return getattr(self, "multinomial", "ungrouped")

    def _check_solver_params(self):
        check_scalar_range(self.tol, "tol", low=0.0, low_open=True)
        check_positive_int(self.max_iter, "max_iter")
        if self.solver not in self._solvers:
            raise ValueError(
                f"solver must be one of {self._solvers}, got {self.solver!r}."
            )

    def _check_params(self):
        check_scalar_range(self.alpha, "alpha", low=0.0)
        check_scalar_range(self._l1_ratio, "l1_ratio", low=0.0, high=1.0)
        check_n_nonzero(getattr(self, "n_nonzero", None))
        self._check_solver_params()

    def _penalty_template(self, l1_ratio):
        return ElasticNetPenalty(
            1.0,
            l1_ratio,
            self.penalty_factor,
            self.positive,
            self.lower_bounds,
            self.upper_bounds,
        )

    def _datafit(self):
        """The datafit (or family name) the estimator fits; a datafit with
        parameters of its own (Huber's delta) overrides this."""
        return self._family

    def _make_problem(self, X, y, sw, offset=None, family=None, classes=None):
        problem, classes = glm_problem(
            X,
            y,
            family or self._datafit(),
            self._penalty_template(self._l1_ratio),
            sw,
            offset,
            self.fit_intercept,
            self.standardize,
            self._multinomial,
            self.solver,
            self.tol,
            self.max_iter,
            classes=classes,
        )
        _check_units(problem.design)
        return problem

    def _solve(self, problem, alpha, start=None):
        check_minimiser_exists(problem, alpha, getattr(self, "classes_", None))
        result = problem.solve(alpha, start)
        self._store(problem, result, alpha)

    def _store(self, problem, result, alpha):
        coef, intercept = problem.unpack(result)
        K = problem.K
        self._coef_flat = coef
        self.n_iter_ = int(result.n_iter)
        self.dual_gap_ = float(result.dual_gap)
        self.kkt_violation_ = float(result.kkt_violation)
        self.solver_result_ = result
        self._set_coef(coef.reshape(K, -1), np.atleast_1d(intercept))
        # explain()'s per-feature state costs about one gradient evaluation
        # per active feature (n K |support| for the multinomial): it is
        # computed on the first explain() or pickling, not in fit.
        self._keep_for_explain(problem, result, alpha)

    def _training_problem(self, X, y, sample_weight=None, offset=None):
        """The fit's problem rebuilt from the training data (explain)."""
        return self._fit_problem(X, y, sample_weight, offset, reset=False)


def _check_units(design):
    """Raise when X's raw columns leave the cube root of the float64 range:
    the GLM solvers form weighted moments of the unscaled columns, so
    standardisation does not help there (the least-squares solvers scale
    first)."""
    mag = design.magnitude  # root mean square of each column
    info = np.finfo(float)
    low, high = float(info.tiny) ** (1 / 3), float(info.max) ** (1 / 3)
    bad = ~design.constant & ((mag < low) | (mag > high))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"X column {j} has magnitude {mag[j]:.3g} (root mean square), out of "
            f"the range the GLM solvers can fit (float64: [{low:.2g}, "
            f"{high:.2g}] for their products to stay in range); rescale that "
            "column."
        )


class RealTargetMixin(GLMMixin):
    """One coefficient vector and a real-valued target (Poisson, Huber)."""

    def _set_coef(self, coef, intercept):
        self.coef_ = coef[0]
        self.intercept_ = float(intercept[0])

    def _prepare(self, X, y, sample_weight, offset, reset=True):
        X = self._validate_X(X, reset=reset)
        y = check_target(y, X.shape[0], np.float64, type(self).__name__)
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        return X, y, sw, check_offset(offset, X.shape[0])

    def _fit_problem(self, X, y, sample_weight=None, offset=None, reset=True):
        """Validate the data and build the problem the fit solves."""
        X, y, sw, offset = self._prepare(X, y, sample_weight, offset, reset)
        return self._make_problem(X, y, sw, offset)
