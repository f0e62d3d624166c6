"""Lasso and ElasticNet estimators."""

from ._base import SparseLinearRegression
from ._target_size import N_NONZERO_DOC

__all__ = ["Lasso", "ElasticNet"]

_PARAMS_DOC = """
    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``.{l1_ratio}
    fit_intercept : bool, default=True
        Fit an unpenalised intercept ``b``.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance
        (1/n convention, as glmnet); ``coef_`` is returned on the original
        scale. Constant columns get coefficient 0.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty; 0 leaves a
        feature unpenalised (glmnet's ``penalty.factor``).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds, upper_bounds : float or array-like, default=None
        Box constraints on the coefficients (original scale).
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    precompute : {{"auto", True, False}}, default="auto"
        Use the Gram matrix (coordinate descent only); "auto" does so when
        ``n_samples >= 4 * n_features`` and ``n_features <= 200``.
    solver : {{"auto", "cd", "fista", "lars"}}, default="auto"
        "auto" is coordinate descent; "lars" follows the exact LARS-lasso
        homotopy to ``alpha`` (plain lasso on dense X only).
    tol : float, default=1e-4
        Stop when the duality gap at the returned point ``w`` satisfies
        ``P(w) - D(u) <= tol * P(w)``, so that ``tol`` bounds its relative
        suboptimality ``(P(w) - P*) / P*``, and its KKT violation is at most
        1e-3 times the largest l1 weight (see
        :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=10000
        Maximum passes over the working sets (iterations for FISTA); a
        ``ConvergenceWarning`` gives the gap reached when it runs out.{n_nonzero}

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    alpha_ : float
        The alpha fitted: ``alpha``, or the one chosen for ``n_nonzero``.
    n_iter_ : int
    dual_gap_ : float
        Duality gap certified at the returned coefficients (in the units of
        ``P``; compare with ``tol * P(coef_)``).
    kkt_violation_ : float
        Largest distance from minus the gradient to the subdifferential.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
        Defined when ``X`` has string column names.
    solver_result_ : SolverResult
        Everything the solver reported, with the gap history.
"""

_L1_RATIO_DOC = """
    l1_ratio : float in [0, 1], default=0.5
        Mix of the L1 (1) and ridge (0) parts."""


class ElasticNet(SparseLinearRegression):
    # Assembled from the shared parameter text: an expression, so it has to be
    # assigned to __doc__ to become the class docstring.
    __doc__ = (
        """Elastic net with penalty factors, bounds and a certified duality gap.

    .. math::

        \\min_{w, b} \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right),
        \\quad l \\le w \\le u

    with sample weights ``s`` rescaled to sum to ``n`` and ``rho = l1_ratio``;
    the scaling is scikit-learn's, so ``alpha`` means the same there and here.
    """
        + _PARAMS_DOC.format(l1_ratio=_L1_RATIO_DOC, n_nonzero=N_NONZERO_DOC)
        + """
    See Also
    --------
    Lasso : The same with ``l1_ratio=1``.
    ElasticNetCV : Alpha and l1_ratio chosen by cross-validation.
    sparsefit.enet_path : The whole path of solutions.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import ElasticNet
    >>> X = np.array([[0., 1.], [1., 0.], [2., 1.], [3., 0.]])
    >>> model = ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-10).fit(X, 2 * X[:, 0])
    >>> bool(model.dual_gap_ <= 1e-10)
    True
    """
    )

    def __init__(
        self,
        alpha=1.0,
        l1_ratio=0.5,
        *,
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        warm_start=False,
        precompute="auto",
        solver="auto",
        tol=1e-4,
        max_iter=10_000,
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
        self.warm_start = warm_start
        self.precompute = precompute
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.n_nonzero = n_nonzero

    @property
    def _l1_ratio(self):
        return self.l1_ratio


class Lasso(ElasticNet):
    __doc__ = (
        """Lasso with penalty factors, bounds and a certified duality gap.

    .. math::

        \\min_{w, b} \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j |w_j|, \\quad l \\le w \\le u
    """
        + _PARAMS_DOC.format(l1_ratio="", n_nonzero=N_NONZERO_DOC)
        + """
    See Also
    --------
    LassoCV : Alpha chosen by cross-validation.
    ElasticNet : The L1 penalty mixed with a ridge penalty.
    sparsefit.lasso_path : The whole path of solutions.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import Lasso
    >>> X = np.array([[0., 1.], [1., 0.], [2., 1.], [3., 0.]])
    >>> model = Lasso(alpha=0.1).fit(X, 2 * X[:, 0])
    >>> model.coef_.round(3)
    array([1.92, 0.  ])
    >>> model.explain().status.tolist()
    ['active', 'zero inside the kink']
    """
    )

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        warm_start=False,
        precompute="auto",
        solver="auto",
        tol=1e-4,
        max_iter=10_000,
        n_nonzero=None,
    ):
        super().__init__(
            alpha,
            1.0,
            fit_intercept=fit_intercept,
            standardize=standardize,
            penalty_factor=penalty_factor,
            positive=positive,
            lower_bounds=lower_bounds,
            upper_bounds=upper_bounds,
            warm_start=warm_start,
            precompute=precompute,
            solver=solver,
            tol=tol,
            max_iter=max_iter,
            n_nonzero=n_nonzero,
        )
