"""L1-penalised Poisson regression (log link) with offsets."""

import numpy as np

from .._estimator import RegressorBase
from .._validation import check_offset, check_sample_weight
from ._glm import RealTargetMixin

__all__ = ["PoissonLasso"]


class PoissonMixin(RealTargetMixin):
    _family = "poisson"

    def predict(self, X, offset=None):
        """Predicted mean ``exp(X coef_ + intercept_ + offset)``."""
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        link = np.asarray(X @ self.coef_).ravel() + self.intercept_
        offset = check_offset(offset, X.shape[0])
        if offset is not None:
            link = link + offset
        return np.exp(link)

    def score(self, X, y, sample_weight=None, offset=None):
        """D^2: the fraction of the Poisson deviance explained, ``1 - D / D_null``."""
        from scipy.special import xlogy

        mu = self.predict(X, offset)
        y = np.asarray(y, dtype=float).ravel()
        if y.shape[0] != mu.shape[0]:
            raise ValueError(
                f"X has {mu.shape[0]} rows but y has {y.shape[0]} (mismatched lengths)."
            )
        sw = check_sample_weight(sample_weight, y.shape[0], np.float64)
        sw = np.ones_like(y) if sw is None else sw

        def dev(m):
            return float(sw @ (2 * (xlogy(y, y) - xlogy(y, m) - y + m)))

        null = dev(np.full_like(y, np.average(y, weights=sw)))
        return 1.0 - dev(mu) / null if null > 0 else 0.0

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags


class PoissonLasso(PoissonMixin, RegressorBase):
    """L1 (elastic-net) Poisson regression with a log link and offsets.

    .. math::

        \\min_{w, b} \\frac{1}{n} \\sum_i s_i \\left(e^{x_i'w + b + o_i}
        - y_i (x_i'w + b + o_i)\\right)
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

    (the datafit is reported shifted by ``mean(y log y - y)``, half the mean
    deviance, so that it is 0 at the saturated model).  ``o_i`` is the offset,
    the log of the exposure.

    Mapping: glmnet's ``lambda`` (``family="poisson"``) is ``alpha``;
    scikit-learn's ``PoissonRegressor(alpha=a)`` is the ridge case
    ``l1_ratio=0`` with ``alpha = a`` (its penalty is ``a/2 ||w||^2``).

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``.
    l1_ratio : float in [0, 1], default=1.0
        Mix ``rho`` of the L1 (1) and ridge (0) parts.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Scale the columns to unit weighted variance (glmnet's convention);
        coefficients are returned on the original scale.
    penalty_factor : array-like of shape (n_features,) or None
        ``v_j >= 0``; 0 leaves a feature unpenalised.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds : float, array-like or None
        Lower bounds on the coefficients.
    upper_bounds : float, array-like or None
        Upper bounds on the coefficients.
    tol : float, default=1e-4
        Stop when the duality gap is below ``tol * P(w)`` at the returned
        point and its KKT violation below 1e-3 times the largest l1
        weight (see :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=1000
        Maximum number of solver iterations; a ``ConvergenceWarning`` gives the
        gap reached when it runs out.
    solver : {"auto", "prox-newton", "fista"}
        "auto" is the proximal Newton method.
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
    PoissonLassoCV : Alpha chosen by cross-validation.
    sparsefit.compute_path : The whole path, with ``Poisson()``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import PoissonLasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 10))
    >>> y = rng.poisson(np.exp(0.5 * X[:, 0] + 0.2))
    >>> model = PoissonLasso(alpha=0.05).fit(X, y)
    >>> int(np.argmax(np.abs(model.coef_)))
    0
    """

    def __init__(
        self,
        alpha=1.0,
        *,
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

    def fit(self, X, y, sample_weight=None, offset=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Non-negative counts (or rates with exposure in ``offset``).
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples.
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor: the log exposure.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        problem = self._fit_problem(X, y, sample_weight, offset)
        start = None
        if self.warm_start and getattr(self, "_coef_flat", None) is not None:
            if self._coef_flat.shape[0] == problem.n_features:
                start = problem.from_original(self._coef_flat)
        self._solve(problem, self._fit_alpha(problem, "poisson"), start)
        return self
