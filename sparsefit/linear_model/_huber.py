"""L1-penalised Huber regression: a lasso that outlying responses cannot drag."""

import numpy as np

from .._estimator import RegressorBase
from .._validation import check_scalar_range
from ..datafits import Huber
from ._glm import RealTargetMixin
from ._glm_cv import (
    _CV_DOC,
    _GRID_DOC,
    _JOBS_DOC,
    _PENALTY_DOC,
    _SELECTION_DOC,
    _SOLVER_DOC,
    _GLMCVMixin,
)

__all__ = ["HuberLasso", "HuberLassoCV"]


class HuberMixin(RealTargetMixin):
    _family = "huber"

    def _datafit(self):
        return Huber(delta=self.delta)

    def _check_params(self):
        check_scalar_range(self.delta, "delta", low=0.0, low_open=True)
        super()._check_params()

    def predict(self, X):
        """Predict ``X @ coef_ + intercept_``."""
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        return np.asarray(X @ self.coef_).ravel() + self.intercept_


class HuberLasso(HuberMixin, RegressorBase):
    __doc__ = (
        """Huber regression with the L1 (elastic-net) penalty, certified.

    .. math::

        \\min_{w, b} \\frac{1}{n} \\sum_i s_i\\, h_\\delta(y_i - x_i'w - b)
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

    with ``h_delta(r) = r^2/2`` for ``|r| <= delta`` and
    ``delta |r| - delta^2/2`` beyond (see :class:`~sparsefit.datafits.Huber`).
    Responses further than ``delta`` from the fit pull on it with a bounded
    force, so a few outlying responses neither bend the coefficients nor
    bring in spurious features, as they do for the lasso.  ``delta`` is in
    the units of ``y``: standardise ``y``, or set it to about 1.345 times the
    noise's standard deviation.  As ``delta`` grows the fit becomes the
    lasso (the datafit tends to least squares).

    Mapping: cvxpy's ``sum(huber(y - Xw - b, M)) / (2n)`` is this datafit with
    ``delta = M``; scikit-learn's ``HuberRegressor`` has an L2 penalty and
    estimates a scale jointly (a different objective).

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``.
    delta : float, default=1.35
        Where the loss turns from quadratic to linear, in the units of ``y``.
    l1_ratio : float in [0, 1], default=1.0
        Mix ``rho`` of the L1 (1) and ridge (0) parts."""
        + _PENALTY_DOC
        + _SOLVER_DOC
        + """
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    n_nonzero : int or None, default=None
        Fit at an alpha whose support has exactly this many features (any
        output's coefficient non-zero) instead of at ``alpha``, which is then
        ignored; the alpha used is ``alpha_`` (see :class:`sparsefit.Lasso`).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    alpha_ : float
        The alpha fitted: ``alpha``, or the one chosen for ``n_nonzero``.
    dual_gap_, kkt_violation_, n_iter_

    See Also
    --------
    HuberLassoCV : Alpha chosen by cross-validation.
    Lasso : The least-squares fit, which outlying responses drag.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import HuberLasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 8))
    >>> y = 2 * X[:, 0] + 0.1 * rng.standard_normal(100)
    >>> y[:5] += 50  # five wild responses
    >>> model = HuberLasso(alpha=0.05, delta=0.5).fit(X, y)
    >>> round(float(model.coef_[0]), 1), int((model.coef_ != 0).sum())
    (1.9, 1)
    """
    )

    def __init__(
        self,
        alpha=1.0,
        *,
        delta=1.35,
        l1_ratio=1.0,
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-4,
        max_iter=1000,
        solver="auto",
        warm_start=False,
        n_nonzero=None,
    ):
        self.alpha = alpha
        self.delta = delta
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.warm_start = warm_start
        self.n_nonzero = n_nonzero

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        problem = self._fit_problem(X, y, sample_weight)
        start = None
        if self.warm_start and getattr(self, "_coef_flat", None) is not None:
            if self._coef_flat.shape[0] == problem.n_features:
                start = problem.from_original(self._coef_flat)
        self._solve(problem, self._fit_alpha(problem, "huber"), start)
        return self


class HuberLassoCV(_GLMCVMixin, HuberMixin, RegressorBase):
    __doc__ = (
        """L1 Huber regression with alpha chosen by cross-validation.

    The path is cross-validated and the model refitted on all the data at the
    alpha selected; the objective is that of :class:`HuberLasso`.

    Parameters
    ----------
    delta : float, default=1.35
        Where the loss turns from quadratic to linear, in the units of ``y``.
    l1_ratio : float, default=1.0
        Mix ``rho`` of the L1 (1) and ridge (0) parts."""
        + _GRID_DOC
        + """
    cv : int, scikit-learn splitter or iterable, default=10
        An int k means ``KFold(k, shuffle=True, random_state=0)``, the folds
        of the ``sparsefit`` command (``GroupKFold(k)`` with ``groups``)."""
        + _SELECTION_DOC
        + """
    scoring : {"deviance", "mse", "mae"}, default="deviance"
        "deviance" is twice the held-out Huber loss, robust to outlying
        held-out responses; "mse" is not."""
        + _PENALTY_DOC
        + _SOLVER_DOC
        + _JOBS_DOC
        + _CV_DOC
        + """
    See Also
    --------
    HuberLasso : One fit at a given alpha.
    sparsefit.cross_validate_path : The cross-validation itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import HuberLassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = 2 * X[:, 0] + 0.1 * rng.standard_normal(200)
    >>> y[::20] += 50
    >>> model = HuberLassoCV(cv=5).fit(X, y)
    >>> bool(abs(model.coef_[0] - 2) < 0.5)
    True
    """
    )
    warm_start = False

    def __init__(
        self,
        *,
        delta=1.35,
        l1_ratio=1.0,
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        scoring="deviance",
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-4,
        max_iter=1000,
        solver="auto",
        n_jobs=None,
        progress=None,
    ):
        self.delta = delta
        self.l1_ratio = l1_ratio
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.selection = selection
        self.scoring = scoring
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.n_jobs = n_jobs
        self.progress = progress

    def _check_params(self):
        check_scalar_range(self.delta, "delta", low=0.0, low_open=True)
        _GLMCVMixin._check_params(self)

    def fit(self, X, y, sample_weight=None, groups=None, foldid=None):
        """Cross-validate the path, then refit at the selected alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples in the fits and the held-out scores.
        groups : array-like of shape (n_samples,) or None, default=None
            Group labels for the splitter.
        foldid : array-like of shape (n_samples,) or None, default=None
            Fold of each sample (glmnet's ``foldid``); wins over ``cv``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        self._check_scoring("huber")
        X, y, sw, offset = self._prepare(X, y, sample_weight, None)
        res = self._cv(X, y, sw, offset, groups, foldid, self._datafit())
        problem = self._make_problem(X, y, sw, offset)
        self._refit(problem, res)
        return self
