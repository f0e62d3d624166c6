"""LassoIC: alpha chosen by AIC, BIC or extended BIC along the path."""

import numpy as np
from scipy.special import gammaln

from .._validation import check_positive_int, check_scalar_range
from ..model_selection import cross_validate_path
from ..path import compute_path
from ._base import SparseLinearRegression

__all__ = ["LassoIC"]


class LassoIC(SparseLinearRegression):
    """Lasso with alpha chosen by an information criterion.

    .. math::

        \\min_{w, b} \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j |w_j|

    For each alpha on the path, with ``df`` the number of non-zero
    coefficients (Zou, Hastie and Tibshirani 2007) and ``RSS`` the weighted
    residual sum of squares,

    .. math::

        \\mathrm{IC}(\\alpha) = n \\log(2 \\pi \\sigma^2) + \\mathrm{RSS} / \\sigma^2
        + k\\, \\mathrm{df} \\; [+\\, 2 \\gamma \\log \\binom{p}{\\mathrm{df}}],

    with ``k = 2`` (AIC) or ``log n`` (BIC, EBIC), the last term for the
    extended BIC of Chen and Chen (2008).

    Parameters
    ----------
    criterion : {"aic", "bic", "ebic"}, default="bic"
        The information criterion minimised over the path.
    noise_variance : float or None, default=None
        The noise variance sigma^2. None estimates it: from the least-squares
        fit when ``n > p + 1``, as scikit-learn's LassoLarsIC does; otherwise
        (p >= n, where that fit interpolates) by ``RSS / (n - df)`` at the
        alpha chosen by 10-fold cross-validation (Reid, Tibshirani and
        Friedman 2016).
    ebic_gamma : float in [0, 1], default=1.0
        The ``gamma`` of the extended BIC.
    alphas : array-like or None, default=None
        The grid of alphas; None: ``n_alphas`` values from the exact
        alpha_max down to ``eps * alpha_max``, as for
        :func:`sparsefit.lasso_path`.
    n_alphas : int, default=100
        Number of alphas on the grid when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha of the grid as a fraction of alpha_max.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds : float or array-like, default=None
        Lower bounds on the coefficients.
    upper_bounds : float or array-like, default=None
        Upper bounds on the coefficients.
    precompute : {"auto", True, False}, default="auto"
        Use the Gram matrix in coordinate descent.
    tol : float, default=1e-4
        Relative duality gap each point of the path reaches (see
        :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=10000
        Maximum passes over the working sets at each alpha.
    progress : bool or None, default=None
        Progress on stderr; None shows it on a terminal only.

    Attributes
    ----------
    alpha_ : float
    criterion_ : ndarray of shape (n_alphas,)
    noise_variance_ : float
    alphas_ : ndarray
    path_ : PathResult
    coef_, intercept_, dual_gap_, kkt_violation_, n_iter_ : the refit at ``alpha_``.

    See Also
    --------
    LassoCV : Alpha chosen by cross-validation instead.
    Lasso : One fit at a given alpha.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import LassoIC
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = LassoIC("bic").fit(X, y)
    >>> int((model.coef_ != 0).sum()), model.criterion_.shape
    (7, (100,))
    """

    solver = "cd"
    warm_start = False
    l1_ratio = 1.0

    def __init__(
        self,
        criterion="bic",
        *,
        noise_variance=None,
        ebic_gamma=1.0,
        alphas=None,
        n_alphas=100,
        eps=None,
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        precompute="auto",
        tol=1e-4,
        max_iter=10_000,
        progress=None,
    ):
        self.criterion = criterion
        self.noise_variance = noise_variance
        self.ebic_gamma = ebic_gamma
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.precompute = precompute
        self.tol = tol
        self.max_iter = max_iter
        self.progress = progress

    @property
    def _alpha(self):
        return self.alpha_

    @property
    def _l1_ratio(self):
        return 1.0

    def _check_params(self):
        self._check_solver_params()
        if self.criterion not in ("aic", "bic", "ebic"):
            raise ValueError(
                f"criterion must be 'aic', 'bic' or 'ebic', got {self.criterion!r}."
            )
        check_scalar_range(self.ebic_gamma, "ebic_gamma", low=0.0, high=1.0)
        if self.noise_variance is not None:
            check_scalar_range(
                self.noise_variance, "noise_variance", low=0.0, low_open=True
            )
        check_positive_int(self.n_alphas, "n_alphas")

    def fit(self, X, y, sample_weight=None):
        """Fit the path, pick the alpha minimising the criterion, refit there.

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
        X, y, sw = self._validate(X, y, sample_weight)
        kwargs = dict(
            fit_intercept=self.fit_intercept,
            standardize=self.standardize,
            tol=self.tol,
            max_iter=self.max_iter,
            precompute=self.precompute,
        )
        penalty = self._penalty_template(1.0)
        from ..datafits import Quadratic

        path = compute_path(
            X,
            y,
            Quadratic(sw),
            penalty,
            alphas=self.alphas,
            n_alphas=self.n_alphas,
            eps=self.eps,
            progress=self.progress,
            **kwargs,
        )
        n, p = X.shape
        rss = self._rss(path)
        sigma2 = self._noise(X, y, sw, path, rss, penalty, kwargs)
        df = path.n_nonzero
        k = 2.0 if self.criterion == "aic" else np.log(n)
        crit = n * np.log(2 * np.pi * sigma2) + rss / sigma2 + k * df
        if self.criterion == "ebic":
            log_binom = gammaln(p + 1) - gammaln(df + 1) - gammaln(p - df + 1)
            crit = crit + 2 * self.ebic_gamma * log_binom
        best = int(np.argmin(crit))
        self.criterion_, self.noise_variance_ = crit, float(sigma2)
        self.alphas_, self.path_, self.alpha_ = (
            path.alphas,
            path,
            float(path.alphas[best]),
        )
        problem = self._make_problem(X, y, sw)
        start = problem.from_original(path.coefs[:, best].toarray().ravel())
        self._store(problem, problem.solve(self.alpha_, start))
        return self

    @staticmethod
    def _rss(path):
        """Weighted residual sum of squares at each alpha, from the path's
        deviance ratio and the intercept-only fit."""
        problem = path._problem
        return (
            (1.0 - path.dev_ratio) * 2 * problem.design.n_samples * problem.null_value()
        )

    def _noise(self, X, y, sw, path, rss, penalty, kwargs):
        if self.noise_variance is not None:
            return float(self.noise_variance)
        n, p = X.shape
        if n < 3:
            raise ValueError(
                "LassoIC needs at least 3 samples to estimate the noise "
                f"variance, got n_samples = {n}; pass noise_variance."
            )
        dof = n - p - int(self.fit_intercept)
        if dof > 0:
            from .._problem import Problem
            from ..datafits import Quadratic
            from ..penalties import Box

            ols = Problem(
                X, y, Quadratic(sw), Box(), fit_intercept=self.fit_intercept, tol=1e-10
            )
            res = ols.solve(0.0, quiet=True)
            # An exact fit leaves a residual at rounding level: floor the
            # variance there (relative to y's), or rss / sigma2 overflows.
            floor = np.finfo(float).eps * 2 * ols.null_value()
            return max(2 * n * res.primal / dof, floor, np.finfo(float).tiny)
        cv = cross_validate_path(
            X,
            y,
            penalty=penalty,
            alphas=path.alphas,
            cv=10 if n >= 10 else n,
            sample_weight=sw,
            progress=False,
            **kwargs,
        )
        k = cv.index_min
        return max(rss[k] / max(n - path.n_nonzero[k], 1), np.finfo(float).tiny)
