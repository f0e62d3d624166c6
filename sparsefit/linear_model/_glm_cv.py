"""SparseLogisticRegressionCV and PoissonLassoCV: thin layers over
``cross_validate_path``, refitted on all the data at the selected alpha."""

import numpy as np

from .._estimator import ClassifierBase, RegressorBase
from .._validation import check_positive_int, is_distributed
from ..model_selection import cross_validate_path
from ..model_selection._glm_scores import GLM_SCORINGS
from ._cv import check_grid_alpha, warn_grid_edge
from ._logistic import LogisticMixin
from ._poisson import PoissonMixin

__all__ = ["SparseLogisticRegressionCV", "PoissonLassoCV"]

_CV_DOC = """
    Attributes
    ----------
    alpha_ : float
        The alpha refitted (``alpha_min_`` or ``alpha_1se_``).
    alpha_min_, alpha_1se_ : float
        Best mean held-out score; largest alpha within one standard error.
    alphas_ : ndarray of shape (n_alphas,)
    cv_mean_, cv_std_ : ndarray of shape (n_alphas,)
    path_ : PathResult
        The path on all the data.
    cv_results_ : list of CVResult
    cv_result_ : CVResult
        The one result (what :func:`sparsefit.plot_cv` draws).
    coef_, intercept_, dual_gap_, kkt_violation_, n_iter_ :
        The certified refit at ``alpha_``.

    ``coef_at(alpha)``, ``intercept_at(alpha)`` and ``predict(X, alpha=...)``
    read the cross-validated path at any alpha of its range (interpolated in
    log alpha between grid points, as glmnet's ``s``).
"""


# Parameter text shared by the GLM estimators' docstrings.
_GRID_DOC = """
    alphas : array-like or None, default=None
        The grid of alphas. None: ``n_alphas`` values from the exact
        alpha_max down to ``eps * alpha_max``, evenly spaced in log (on all
        the data, as glmnet).
    n_alphas : int, default=100
        Number of alphas on the grid when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha of the grid as a fraction of alpha_max; None is 1e-4
        when ``n_samples > n_features`` and 1e-2 otherwise."""

_SELECTION_DOC = """
    selection : {"min", "1se"}, default="min"
        Refit at ``alpha_min_`` or at ``alpha_1se_``, the largest alpha whose
        CV score is within one standard error of the best."""

_PENALTY_DOC = """
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Scale the columns to unit weighted variance (glmnet's convention);
        coefficients are returned on the original scale.
    penalty_factor : array-like of shape (n_features,) or None, default=None
        ``v_j >= 0``; 0 leaves a feature unpenalised.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds : float, array-like or None, default=None
        Lower bounds on the coefficients.
    upper_bounds : float, array-like or None, default=None
        Upper bounds on the coefficients."""

_SOLVER_DOC = """
    tol : float, default=1e-4
        Stop when the duality gap is below ``tol * P(w)`` at the returned
        point and its KKT violation below 1e-3 times the largest l1 weight
        (see :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=1000
        Maximum number of solver iterations of each fit.
    solver : {"auto", "prox-newton", "fista"}, default="auto"
        "auto" is the proximal Newton method."""

_JOBS_DOC = """
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib); None is one at a time.  Under
        ``joblib.parallel_config(backend="dask")`` the folds run as tasks on
        the Dask cluster, ``X`` scattered to it once.
    progress : bool or None, default=None
        Progress on stderr; None shows it on a terminal only.
"""


class _GLMCVMixin:
    @property
    def _alpha(self):
        return self.alpha_

    def _check_params(self):
        self._check_solver_params()
        if self.selection not in ("min", "1se"):
            raise ValueError(
                f"selection must be 'min' or '1se', got {self.selection!r}."
            )
        check_positive_int(self.n_alphas, "n_alphas")

    def _check_scoring(self, family):
        if self.scoring not in GLM_SCORINGS[family]:
            raise ValueError(
                f"scoring must be one of {list(GLM_SCORINGS[family])} for the "
                f"{family} family, got {self.scoring!r}."
            )

    def _cv(self, X, y, sw, offset, groups, foldid, family, **extra):
        res = cross_validate_path(
            X,
            y,
            penalty=self._penalty_template(self.l1_ratio),
            alphas=self.alphas,
            n_alphas=self.n_alphas,
            eps=self.eps,
            cv=self.cv,
            groups=groups,
            foldid=foldid,
            scoring=self.scoring,
            sample_weight=sw,
            n_jobs=self.n_jobs,
            progress=self.progress,
            family=family,
            offset=offset,
            fit_intercept=self.fit_intercept,
            standardize=self.standardize,
            tol=self.tol,
            max_iter=self.max_iter,
            solver=self.solver,
            **extra,
        )
        self.cv_results_ = [res]
        self.cv_result_ = res
        warn_grid_edge(res, self)
        self.alpha_min_, self.alpha_1se_ = res.alpha_min, res.alpha_1se
        self.alpha_ = res.alpha_1se if self.selection == "1se" else res.alpha_min
        self.alphas_ = res.alphas
        self.cv_mean_, self.cv_std_ = res.cv_mean, res.cv_std
        self.path_ = res.path
        return res

    def _path_at(self, X, alpha, kind, offset=None):
        self._check_fitted()
        alpha = check_grid_alpha(alpha, self.alphas_)
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        return self.path_.predict(X, alpha, offset=offset, kind=kind)

    def coef_at(self, alpha):
        """Coefficients at any ``alpha`` of the cross-validated path, shaped
        as ``coef_`` (interpolated in log alpha between grid points)."""
        self._check_fitted()
        coef = self.path_.coef(check_grid_alpha(alpha, self.alphas_))
        return np.asarray(coef).reshape(self.coef_.shape)

    def intercept_at(self, alpha):
        """Intercept at any ``alpha`` of the cross-validated path, shaped as
        ``intercept_``."""
        self._check_fitted()
        b = self.path_.intercept(check_grid_alpha(alpha, self.alphas_))
        return np.asarray(b, dtype=float).reshape(np.shape(self.intercept_))

    def _refit(self, problem, res):
        k = int(np.argmin(np.abs(res.alphas - self.alpha_)))
        start = problem.from_original(res.path.coefs[:, k].toarray().ravel())
        # The path's intercept goes with its coefficients (GLM designs are not
        # centred, so the null intercept would be far off).
        problem._last_b = np.atleast_1d(res.path.intercepts[k]).astype(float)
        self._solve(problem, self.alpha_, start)


class SparseLogisticRegressionCV(_GLMCVMixin, LogisticMixin, ClassifierBase):
    __doc__ = (
        """L1 logistic / multinomial regression with alpha chosen by cross-validation.

    The path is cross-validated on stratified folds and the model refitted
    on all the data at the alpha selected; the objective is that of
    :class:`SparseLogisticRegression`.

    Parameters
    ----------
    l1_ratio : float, default=1.0
        Mix ``rho`` of the L1 (1) and ridge (0) parts."""
        + _GRID_DOC
        + """
    cv : int, scikit-learn splitter or iterable, default=10
        An int k means ``StratifiedKFold(k, shuffle=True, random_state=0)``
        (``KFold`` with the same arguments when a class has fewer than k
        samples), the folds of the ``sparsefit`` command; with
        ``fit(..., groups=...)`` it means ``GroupKFold(k)``.
        ``fit(..., foldid=...)`` gives the folds directly."""
        + _SELECTION_DOC
        + """
    scoring : {"deviance", "accuracy", "roc_auc", "mse", "mae"}, default="deviance"
        The held-out score of each alpha.
    multinomial : {"ungrouped", "grouped"}, default="ungrouped"
        With K > 2 classes: an L1 term per coefficient, or the Euclidean norm
        of each feature's K coefficients."""
        + _PENALTY_DOC
        + """
    class_weight : None, "balanced" or dict, default=None
        Multiplies the sample weights of each class."""
        + _SOLVER_DOC
        + _JOBS_DOC
        + _CV_DOC
        + """
    See Also
    --------
    SparseLogisticRegression : One fit at a given alpha.
    sparsefit.cross_validate_path : The cross-validation itself.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sparsefit import SparseLogisticRegressionCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = SparseLogisticRegressionCV(cv=5, standardize=True).fit(X, y)
    >>> bool(clf.alpha_1se_ >= clf.alpha_min_), clf.coef_.shape
    (True, (1, 30))
    """
    )
    warm_start = False

    def __init__(
        self,
        *,
        l1_ratio=1.0,
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        scoring="deviance",
        multinomial="ungrouped",
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        class_weight=None,
        tol=1e-4,
        max_iter=1000,
        solver="auto",
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
        self.multinomial = multinomial
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.n_jobs = n_jobs
        self.progress = progress

    def decision_function(self, X, alpha=None):
        """Return the linear predictor of the refit, or at ``alpha`` on the path.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        alpha : float or None, default=None
            A penalty level of the cross-validated path (interpolated in log
            alpha between grid points); None uses the refit at ``alpha_``.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            ``X @ coef + intercept``; one column per class for more than two
            classes.
        """
        if alpha is None:
            return super().decision_function(X)
        return self._path_at(X, alpha, "link")

    def predict_proba(self, X, alpha=None):
        """Return the class probabilities of the refit, or at ``alpha`` on the path.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        alpha : float or None, default=None
            A penalty level of the cross-validated path (interpolated in log
            alpha between grid points); None uses the refit at ``alpha_``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            One column per class, in the order of ``classes_``.
        """
        if alpha is None:
            return super().predict_proba(X)
        p = self._path_at(X, alpha, "response")
        return np.column_stack([1.0 - p, p]) if p.ndim == 1 else p

    def predict(self, X, alpha=None):
        """Return the most probable class for the refit, or at ``alpha`` on the path.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        alpha : float or None, default=None
            A penalty level of the cross-validated path (interpolated in log
            alpha between grid points); None uses the refit at ``alpha_``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        if alpha is None:
            return super().predict(X)
        return self._path_at(X, alpha, "class")

    def fit(self, X, y, sample_weight=None, groups=None, foldid=None):
        """Cross-validate the path, then refit at the selected alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.  A Dask array, Dask data frame or Parquet
            directory is fitted where it lies, two classes coded 0/1 or
            -1/+1 (see :func:`sparsefit.distributed.cross_validate_path`,
            whose kinds ``y``, ``sample_weight`` and ``foldid`` then take);
            the model is the path's certified point at the chosen alpha.
        y : array-like of shape (n_samples,)
            Class labels of any type (two or more classes).
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
        self._check_multinomial()
        if is_distributed(X):
            from ..distributed._dispatch import fit_glm_estimator_cv

            self._check_scoring("binomial")
            return fit_glm_estimator_cv(
                self, X, y, sample_weight, "binomial", groups=groups, foldid=foldid
            )
        X = self._validate_X(X, reset=True)
        sw, y = self._class_weights(y, sample_weight, X.shape[0], X.dtype)
        self._check_scoring(self._family)
        res = self._cv(
            X, y, sw, None, groups, foldid, self._family, multinomial=self.multinomial
        )
        problem = self._make_problem(X, y, sw, classes=self.classes_)
        self._refit(problem, res)
        return self


class PoissonLassoCV(_GLMCVMixin, PoissonMixin, RegressorBase):
    __doc__ = (
        """L1 Poisson regression with alpha chosen by cross-validation.

    The path is cross-validated and the model refitted on all the data at the
    alpha selected; the objective is that of :class:`PoissonLasso`.

    Parameters
    ----------
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
        The held-out score of each alpha."""
        + _PENALTY_DOC
        + _SOLVER_DOC
        + _JOBS_DOC
        + _CV_DOC
        + """
    See Also
    --------
    PoissonLasso : One fit at a given alpha.
    sparsefit.cross_validate_path : The cross-validation itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import PoissonLassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = rng.poisson(np.exp(0.5 * X[:, 0]))
    >>> model = PoissonLassoCV(cv=5).fit(X, y)
    >>> bool(model.coef_[0] > 0)
    True
    """
    )
    warm_start = False

    def __init__(
        self,
        *,
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

    def predict(self, X, offset=None, alpha=None):
        """Return the expected counts of the refit, or at ``alpha`` on the path.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor: the log exposure.
        alpha : float or None, default=None
            A penalty level of the cross-validated path (interpolated in log
            alpha between grid points); None uses the refit at ``alpha_``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``exp(X @ coef + intercept + offset)``.
        """
        if alpha is None:
            return super().predict(X, offset)
        return self._path_at(X, alpha, "response", offset)

    def fit(self, X, y, sample_weight=None, offset=None, groups=None, foldid=None):
        """Cross-validate the path, then refit at the selected alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.  A Dask array, Dask data frame or Parquet
            directory is fitted where it lies (see
            :func:`sparsefit.distributed.cross_validate_path`, whose kinds
            ``y``, ``sample_weight`` and ``foldid`` then take); the model is
            the path's certified point at the chosen alpha.
        y : array-like of shape (n_samples,)
            Non-negative counts (or rates with exposure in ``offset``).
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples in the fits and the held-out scores.
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor: the log exposure.
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
        self._check_scoring("poisson")
        if is_distributed(X):
            from ..distributed._dispatch import fit_glm_estimator_cv

            return fit_glm_estimator_cv(
                self,
                X,
                y,
                sample_weight,
                "poisson",
                groups=groups,
                foldid=foldid,
                offset=offset,
            )
        X, y, sw, offset = self._prepare(X, y, sample_weight, offset)
        res = self._cv(X, y, sw, offset, groups, foldid, "poisson")
        problem = self._make_problem(X, y, sw, offset)
        self._refit(problem, res)
        return self
