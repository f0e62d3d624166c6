"""LassoCV and ElasticNetCV: thin layers over ``cross_validate_path``."""

import warnings

import numpy as np

from .._validation import check_positive_int, check_scalar_range, is_distributed
from ..model_selection import SCORINGS, cross_validate_path
from ..path import relaxed_path
from ._base import SparseLinearRegression

__all__ = ["LassoCV", "ElasticNetCV"]


def warn_grid_edge(res, estimator):
    """Warn when the CV minimum sits at the small-alpha end of the grid: the
    error may still fall below the grid's smallest alpha."""
    n = res.alphas.shape[0]
    i = res.index_min
    if n < 5 or i < n - 3:
        return
    warnings.warn(
        f"The cross-validated minimum is at the end of the alpha grid (index {i} "
        f"of {n}, alpha={res.alphas[i]:.4g}; the smallest alpha is "
        f"{res.alphas[-1]:.4g}): the error may still fall at smaller alphas. "
        "Extend the grid: a smaller eps (now "
        f"{'the default' if estimator.eps is None else estimator.eps}), or "
        "alphas reaching further down; n_alphas sets the number of points.",
        UserWarning,
        stacklevel=3,
    )


def check_grid_alpha(alpha, alphas):
    """``alpha`` as a float within the cross-validated grid's range."""
    alpha = check_scalar_range(alpha, "alpha", low=0.0)
    if alpha < alphas[-1]:
        raise ValueError(
            f"alpha={alpha!r} is below the smallest alpha of the cross-validated "
            f"path, {alphas[-1]:.6g}; extend the grid (eps, n_alphas or alphas) "
            "and fit again."
        )
    return alpha


_CV_PARAMS_DOC = """
    alphas : array-like or None, default=None
        The grid of alphas. None: ``n_alphas`` values from the exact
        alpha_max down to ``eps * alpha_max``, evenly spaced in log
        (computed on all the data, as glmnet).
    n_alphas : int, default=100
        Number of alphas on the grid when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha of the grid as a fraction of alpha_max (glmnet's
        ``lambda.min.ratio``); None is 1e-4 when ``n_samples > n_features``
        and 1e-2 otherwise.
    cv : int, scikit-learn splitter or iterable, default=10
        An int k means ``KFold(k, shuffle=True, random_state=0)``, the folds
        of the ``sparsefit`` command; with ``fit(..., groups=...)`` it means
        ``GroupKFold(k)``. ``fit(..., foldid=...)`` gives the folds directly.
    selection : {{"min", "1se"}}, default="min"
        Refit at ``alpha_min_`` or at ``alpha_1se_``, the largest alpha whose
        CV error is within one standard error of the minimum.
    scoring : {{"mse", "mae", "r2", "deviance"}}, default="mse"
        The held-out score of each alpha.
    relax : bool, default=False
        Also cross-validate the relaxed lasso over ``gammas``.
    gammas : sequence of float in [0, 1], default=(0.0, 0.25, 0.5, 0.75, 1.0)
        Relaxations tried with ``relax=True``: the refit mixes ``gamma``
        times the lasso fit with ``1 - gamma`` times least squares on its
        support.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept ``b``.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance
        (as glmnet); ``coef_`` is returned on the original scale.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty; 0 leaves a
        feature unpenalised.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds : float or array-like, default=None
        Lower bounds on the coefficients (original scale).
    upper_bounds : float or array-like, default=None
        Upper bounds on the coefficients (original scale).
    precompute : {{"auto", True, False}}, default="auto"
        Use the Gram matrix in coordinate descent.
    tol : float, default=1e-4
        Relative duality gap each fit (every fold, every alpha, the refit)
        reaches at its returned point (see
        :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=10000
        Maximum passes over the working sets of each fit.
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib); None is one at a time.
    progress : bool or None, default=None
        Progress on stderr; None shows it on a terminal only.
"""


class ElasticNetCV(SparseLinearRegression):
    __doc__ = (
        """Elastic net with alpha and l1_ratio chosen by cross-validation.

    The path is cross-validated for each ``l1_ratio`` (and, with ``relax``,
    each relaxation), and the model refitted on all the data at the alpha
    selected, minimising

    .. math::

        \\min_{w, b} \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right).

    Parameters
    ----------
    l1_ratio : float or sequence of float, default=0.5
        Mix ``rho`` of the L1 (1) and ridge (0) parts; several values are
        cross-validated and the best kept."""
        + _CV_PARAMS_DOC.format()
        + """
    Attributes
    ----------
    alpha_ : float
        The alpha refitted (``alpha_min_`` or ``alpha_1se_``).
    alpha_min_, alpha_1se_ : float
    l1_ratio_ : float
    gamma_ : float
        Relaxation of the refit (1 without ``relax``).
    alphas_ : ndarray of shape (n_alphas,)
    cv_mean_, cv_std_ : ndarray of shape (n_alphas,)
        Mean held-out score and its standard error, for ``l1_ratio_``.
    mse_path_ : ndarray of shape (n_alphas, n_folds), or (n_l1_ratio, n_alphas,
        n_folds) with several l1_ratios
        Held-out score per fold (named as scikit-learn's, whatever the scoring).
    path_ : PathResult
        The path on all the data for ``l1_ratio_``.
    cv_results_ : list of CVResult
        One per l1_ratio.
    cv_result_ : CVResult
        The one of ``l1_ratio_`` (what :func:`sparsefit.plot_cv` draws).
    coef_, intercept_, dual_gap_, kkt_violation_, n_iter_ :
        The refit at ``alpha_``; with ``gamma_ < 1`` the coefficients mix the
        certified lasso fit (whose gap is ``dual_gap_``) with least squares on
        its support.

    See Also
    --------
    LassoCV : The same with the lasso penalty.
    ElasticNet : One fit at a given alpha.
    sparsefit.cross_validate_path : The cross-validation itself, as a function.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import ElasticNetCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5).fit(X, y)
    >>> model.l1_ratio_ in (0.5, 1.0), bool(model.alpha_1se_ >= model.alpha_min_)
    (True, True)
    """
    )

    def __init__(
        self,
        l1_ratio=0.5,
        *,
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        scoring="mse",
        relax=False,
        gammas=(0.0, 0.25, 0.5, 0.75, 1.0),
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        precompute="auto",
        tol=1e-4,
        max_iter=10_000,
        n_jobs=None,
        progress=None,
    ):
        self.l1_ratio = l1_ratio
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.selection = selection
        self.scoring = scoring
        self.relax = relax
        self.gammas = gammas
        self.n_jobs = n_jobs
        self.progress = progress
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.precompute = precompute
        self.tol = tol
        self.max_iter = max_iter

    # The refit is a coordinate-descent fit (not parameters of this class).
    solver = "cd"
    warm_start = False

    @property
    def _alpha(self):
        return self.alpha_

    @property
    def _l1_ratio(self):
        return self.l1_ratio_

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=float))
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError(
                f"l1_ratio must be a float or a sequence of floats, "
                f"got {self.l1_ratio!r}."
            )
        for r in ratios:
            check_scalar_range(float(r), "l1_ratio", low=0.0, high=1.0)
        return ratios

    def _check_params(self):
        self._check_solver_params()
        if self.selection not in ("min", "1se"):
            raise ValueError(
                f"selection must be 'min' or '1se', got {self.selection!r}."
            )
        if self.scoring not in SCORINGS:
            raise ValueError(
                f"scoring must be one of {sorted(SCORINGS)}, got {self.scoring!r}."
            )
        check_positive_int(self.n_alphas, "n_alphas")

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
        ratios = self._l1_ratios()
        distributed = is_distributed(X)
        if distributed:
            if groups is not None:
                raise ValueError("groups does not apply to Dask data; use foldid.")
            from ..distributed._dispatch import fit_estimator_cv

            results, store = fit_estimator_cv(
                self,
                X,
                y,
                sample_weight,
                foldid,
                [self._penalty_template(r) for r in ratios],
            )
        else:
            X, y, sw = self._validate(X, y, sample_weight)
            results = [
                self._cross_validate(X, y, sw, r, groups, foldid) for r in ratios
            ]
        losses = [
            (-1 if res.greater_is_better else 1) * res.cv_mean[res.index_min]
            for res in results
        ]
        best = int(np.argmin(losses))
        res = results[best]
        self.cv_results_ = results
        self.cv_result_ = res
        warn_grid_edge(res, self)
        self.l1_ratio_ = float(ratios[best])
        self.alpha_min_, self.alpha_1se_ = res.alpha_min, res.alpha_1se
        self.alpha_ = res.alpha_1se if self.selection == "1se" else res.alpha_min
        self.gamma_ = res.gamma
        self.alphas_ = res.alphas
        self.cv_mean_, self.cv_std_ = res.cv_mean, res.cv_std
        paths = np.stack([r.fold_scores.T for r in results])
        self.mse_path_ = paths[0] if len(results) == 1 else paths
        self.path_ = res.path
        if distributed:
            # The chosen alpha is a grid point: the path's certified solution
            # there is the model (the data stay on the cluster).
            store(res, int(np.argmin(np.abs(res.alphas - self.alpha_))))
        else:
            self._refit(X, y, sw, res)
        return self

    def predict(self, X, alpha=None):
        """Predict with the refit, or at any ``alpha`` of the cross-validated path.

        At an ``alpha``, the path is interpolated in log alpha between grid
        points, as glmnet's ``predict(cvfit, s=...)`` (the plain, unrelaxed
        path).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        alpha : float or None, default=None
            None: ``X @ coef_ + intercept_`` at ``alpha_``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted values.
        """
        if alpha is None:
            return super().predict(X)
        self._check_fitted()
        alpha = check_grid_alpha(alpha, self.alphas_)
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        return self.path_.predict(X, alpha)

    def coef_at(self, alpha):
        """Return the coefficients at any ``alpha`` of the cross-validated path.

        Parameters
        ----------
        alpha : float
            A penalty level of the cross-validated path, at least its
            smallest alpha.

        Returns
        -------
        coef : ndarray of shape (n_features,)
            On the original scale, interpolated between grid points (see
            :meth:`predict`).
        """
        self._check_fitted()
        return self.path_.coef(check_grid_alpha(alpha, self.alphas_))

    def intercept_at(self, alpha):
        """Return the intercept at any ``alpha`` of the cross-validated path.

        Parameters
        ----------
        alpha : float
            A penalty level of the cross-validated path, at least its
            smallest alpha.

        Returns
        -------
        intercept : float
            Interpolated between grid points, as :meth:`coef_at`.
        """
        self._check_fitted()
        return self.path_.intercept(check_grid_alpha(alpha, self.alphas_))

    def _cross_validate(self, X, y, sw, l1_ratio, groups, foldid):
        penalty = self._penalty_template(l1_ratio)
        return cross_validate_path(
            X,
            y,
            penalty=penalty,
            alphas=self.alphas,
            n_alphas=self.n_alphas,
            eps=self.eps,
            cv=self.cv,
            groups=groups,
            foldid=foldid,
            scoring=self.scoring,
            sample_weight=sw,
            relax=self.relax,
            gammas=self.gammas,
            n_jobs=self.n_jobs,
            progress=self.progress,
            fit_intercept=self.fit_intercept,
            standardize=self.standardize,
            tol=self.tol,
            max_iter=self.max_iter,
            precompute=self.precompute,
        )

    def _refit(self, X, y, sw, res):
        """Solve at ``alpha_`` warm-started from the path, then relax."""
        problem = self._make_problem(X, y, sw)
        k = int(np.argmin(np.abs(res.alphas - self.alpha_)))
        start = problem.from_original(res.path.coefs[:, k].toarray().ravel())
        result = problem.solve(self.alpha_, start)
        self._store(problem, result)
        if self.gamma_ < 1:
            relaxed = relaxed_path(res.path, X, y, sw)
            self.coef_ = (
                self.gamma_ * self.coef_
                + (1 - self.gamma_) * relaxed.coefs[:, k].toarray().ravel()
            ).astype(X.dtype)
            self.intercept_ = float(
                self.gamma_ * self.intercept_
                + (1 - self.gamma_) * relaxed.intercepts[k]
            )


class LassoCV(ElasticNetCV):
    __doc__ = (
        """Lasso with alpha chosen by cross-validation.

    The path is cross-validated (K folds, every alpha scored on the held-out
    rows) and the model refitted on all the data at ``alpha_min_`` or
    ``alpha_1se_``, minimising

    .. math::

        \\min_{w, b} \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j |w_j|.

    Parameters
    ----------"""
        + _CV_PARAMS_DOC.format()
        + """
    Attributes
    ----------
    alpha_ : float
        The alpha refitted (``alpha_min_`` or ``alpha_1se_``).
    alpha_min_ : float
        The alpha of the best mean held-out score (glmnet's ``lambda.min``).
    alpha_1se_ : float
        The largest alpha within one standard error of it (``lambda.1se``).
    path_ : PathResult
        The path on all the data.
    cv_result_ : CVResult
        Scores per fold and alpha (what :func:`sparsefit.plot_cv` draws).
    coef_, intercept_, dual_gap_, kkt_violation_, n_iter_ :
        The refit at ``alpha_``.

    See Also
    --------
    ElasticNetCV : The same with the elastic-net penalty.
    Lasso : One fit at a given alpha.
    LassoIC : Alpha chosen by an information criterion instead.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import LassoCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = LassoCV(cv=5).fit(X, y)
    >>> bool(model.alpha_1se_ >= model.alpha_min_)
    True
    """
    )

    def __init__(
        self,
        *,
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        scoring="mse",
        relax=False,
        gammas=(0.0, 0.25, 0.5, 0.75, 1.0),
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        precompute="auto",
        tol=1e-4,
        max_iter=10_000,
        n_jobs=None,
        progress=None,
    ):
        super().__init__(
            1.0,
            alphas=alphas,
            n_alphas=n_alphas,
            eps=eps,
            cv=cv,
            selection=selection,
            scoring=scoring,
            relax=relax,
            gammas=gammas,
            fit_intercept=fit_intercept,
            standardize=standardize,
            penalty_factor=penalty_factor,
            positive=positive,
            lower_bounds=lower_bounds,
            upper_bounds=upper_bounds,
            precompute=precompute,
            tol=tol,
            max_iter=max_iter,
            n_jobs=n_jobs,
            progress=progress,
        )
