"""The group lasso and the sparse-group lasso: least squares and logistic."""

from .._estimator import ClassifierBase
from ..penalties import GroupPenalty
from ._base import SparseLinearRegression
from ._cv import _CV_PARAMS_DOC, ElasticNetCV
from ._glm_cv import (
    _CV_DOC,
    _GRID_DOC,
    _JOBS_DOC,
    _SELECTION_DOC,
    _SOLVER_DOC,
    SparseLogisticRegressionCV,
)
from ._logistic import LogisticMixin

__all__ = [
    "GroupLasso",
    "GroupLassoCV",
    "GroupLogisticRegression",
    "GroupLogisticRegressionCV",
]

_GROUP_DOC = """
    groups : list of array-like of int, array-like of shape (n_features,) \
or None, default=None
        The groups: a list of index arrays that partition the features, or
        one label per feature (as :func:`~sparsefit.penalties.one_hot_groups`
        gives for the one-hot columns of categorical variables); None puts
        every feature in a group of its own.
    l1_ratio : float in [0, 1], default=0.0
        ``tau``, the share of the l1 term: 0 is the group lasso, between 0
        and 1 the sparse-group lasso.
    group_weights : array-like of shape (n_groups,) or None, default=None
        ``v_G >= 0`` in the order of the list (or of the sorted labels);
        None is ``sqrt(|G|)``.  A group with weight 0 (and, by default, no
        l1 weight) is unpenalised.
    penalty_factor : array-like of shape (n_features,) or None, default=None
        The l1 weights ``u_j >= 0``; None is 1 (0 in unpenalised groups).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance;
        ``coef_`` is returned on the original scale."""

_OBJECTIVE = """
    .. math::

        \\min_{{w, b}} {datafit}
        + \\alpha \\sum_G \\left((1 - \\tau) v_G \\|w_G\\|_2
        + \\tau \\sum_{{j \\in G}} u_j |w_j|\\right)
"""


class GroupMixin:
    """The group penalty in place of the elastic net."""

    def _penalty_template(self, l1_ratio):
        return GroupPenalty(
            1.0, self.groups, l1_ratio, self.group_weights, self.penalty_factor
        )

    @property
    def _l1_ratio(self):
        return self.l1_ratio


class GroupLasso(GroupMixin, SparseLinearRegression):
    __doc__ = (
        """Group lasso and sparse-group lasso, least squares, certified.
"""
        + _OBJECTIVE.format(datafit="\\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2")
        + """
    with sample weights ``s`` rescaled to sum to ``n``: a group's
    coefficients are zero together (the group lasso of Yuan and Lin 2006),
    and with ``tau > 0`` also one by one inside a selected group (the
    sparse-group lasso of Simon et al. 2013).  Solved by block coordinate
    descent on working sets of groups, stopped by a duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``."""
        + _GROUP_DOC
        + """
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    solver : {"auto", "bcd", "fista"}, default="auto"
        "auto" is block coordinate descent.
    tol : float, default=1e-4
        Stop when the duality gap at the returned point is below
        ``tol * P(w)`` and the largest group KKT violation below 1e-3 times
        the largest group penalty (see
        :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=10000
        Maximum passes over the working sets.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    alpha_ : float
    dual_gap_ : float
        Certified: ``P(coef_) - P* <= dual_gap_``.
    kkt_violation_ : float
    n_iter_ : int
    solver_result_ : SolverResult

    See Also
    --------
    GroupLassoCV : Alpha chosen by cross-validation.
    GroupLogisticRegression : The logistic group lasso.
    sparsefit.penalties.GroupPenalty : The penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import GroupLasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 6))
    >>> y = X[:, 0] - X[:, 1] + 0.1 * rng.standard_normal(100)
    >>> model = GroupLasso(0.1, groups=[0, 0, 1, 1, 2, 2]).fit(X, y)
    >>> (model.coef_ != 0).tolist()
    [True, True, False, False, False, False]
    >>> model.explain().status[2]
    'zero inside the kink'
    """
    )

    _solvers = ("auto", "bcd", "fista")
    precompute = "auto"

    def __init__(
        self,
        alpha=1.0,
        *,
        groups=None,
        l1_ratio=0.0,
        group_weights=None,
        penalty_factor=None,
        fit_intercept=True,
        standardize=False,
        warm_start=False,
        solver="auto",
        tol=1e-4,
        max_iter=10_000,
    ):
        self.alpha = alpha
        self.groups = groups
        self.l1_ratio = l1_ratio
        self.group_weights = group_weights
        self.penalty_factor = penalty_factor
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.warm_start = warm_start
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter


class GroupLassoCV(GroupMixin, ElasticNetCV):
    __doc__ = (
        """Group lasso with alpha (and l1_ratio) chosen by cross-validation.

    The path of :class:`GroupLasso` is cross-validated and the model refitted
    on all the data at ``alpha_min_`` or ``alpha_1se_``:
"""
        + _OBJECTIVE.format(datafit="\\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2")
        + """
    Parameters
    ----------"""
        + _GROUP_DOC.replace(
            "l1_ratio : float in [0, 1], default=0.0",
            "l1_ratio : float or sequence of floats in [0, 1], default=0.0",
        ).replace(
            "the sparse-group lasso.",
            "the sparse-group lasso;\n        several are cross-validated and the "
            "best is kept.",
        )
        + _CV_PARAMS_DOC.format().split("    relax : bool")[0]
        + """    tol : float, default=1e-4
        The relative duality gap of every fit (see :class:`GroupLasso`).
    max_iter : int, default=10000
        Maximum passes over the working sets of each fit.
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib); None is one at a time.
    progress : bool or None, default=None
        Progress on stderr; None shows it on a terminal only.

    Attributes
    ----------
    alpha_ : float
        The alpha refitted (``alpha_min_`` or ``alpha_1se_``).
    l1_ratio_ : float
    alpha_min_, alpha_1se_ : float
    alphas_ : ndarray of shape (n_alphas,)
    cv_mean_, cv_std_ : ndarray of shape (n_alphas,)
    path_ : PathResult
        The path on all the data.
    coef_, intercept_, dual_gap_, kkt_violation_, n_iter_ :
        The certified refit at ``alpha_``.

    See Also
    --------
    GroupLasso : One fit at a given alpha.
    sparsefit.cross_validate_path : The cross-validation itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import GroupLassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((120, 9))
    >>> y = X[:, :3].sum(axis=1) + 0.5 * rng.standard_normal(120)
    >>> model = GroupLassoCV(groups=[0, 0, 0, 1, 1, 1, 2, 2, 2], cv=5).fit(X, y)
    >>> bool((model.coef_[:3] != 0).all()), bool(model.alpha_1se_ >= model.alpha_min_)
    (True, True)
    """
    )

    _solvers = ("auto", "bcd", "fista")
    # The refit and the folds use the solver "auto" picks; no relaxed fits.
    solver = "auto"
    relax = False
    gammas = (1.0,)
    precompute = "auto"

    def __init__(
        self,
        *,
        groups=None,
        l1_ratio=0.0,
        group_weights=None,
        penalty_factor=None,
        fit_intercept=True,
        standardize=False,
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        scoring="mse",
        tol=1e-4,
        max_iter=10_000,
        n_jobs=None,
        progress=None,
    ):
        self.groups = groups
        self.l1_ratio = l1_ratio
        self.group_weights = group_weights
        self.penalty_factor = penalty_factor
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.selection = selection
        self.scoring = scoring
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.progress = progress

    @property
    def _l1_ratio(self):
        return self.l1_ratio_


class GroupLogisticRegression(GroupMixin, LogisticMixin, ClassifierBase):
    __doc__ = (
        """Logistic group lasso and sparse-group lasso (two classes), certified.

    With labels coded -1/+1 (``classes_[1]`` is +1):
"""
        + _OBJECTIVE.format(
            datafit="\\frac{1}{n} \\sum_i s_i \\log(1 + e^{-y_i (x_i'w + b)})"
        )
        + """
    solved by proximal Newton (each step's model minimised group by group by
    block coordinate descent) or FISTA, stopped by the duality gap of the
    logistic conjugate.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``."""
        + _GROUP_DOC
        + """
    class_weight : None, "balanced" or dict, default=None
        Multiplies the sample weights of each class.
    tol : float, default=1e-4
        Stop when the duality gap is below ``tol * P(w)`` at the returned
        point (see :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=1000
        Maximum number of solver iterations (outer iterations plus Newton
        steps; FISTA: iterations).
    solver : {"auto", "prox-newton", "fista"}, default="auto"
        "auto" is proximal Newton.
    warm_start : bool, default=False
        Start from the previous ``coef_``.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    alpha_ : float
    dual_gap_, kkt_violation_, n_iter_ :
        The certificate of the fit.

    See Also
    --------
    GroupLogisticRegressionCV : Alpha chosen by cross-validation.
    GroupLasso : The least-squares group lasso.
    SparseLogisticRegression : The separable (elastic-net) penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import GroupLogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 6))
    >>> y = (X[:, 0] + X[:, 1] + 0.3 * rng.standard_normal(200) > 0).astype(int)
    >>> model = GroupLogisticRegression(0.05, groups=[0, 0, 1, 1, 2, 2]).fit(X, y)
    >>> (model.coef_[0] != 0).tolist()
    [True, True, False, False, False, False]
    """
    )

    _solvers = ("auto", "prox-newton", "fista")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def __init__(
        self,
        alpha=1.0,
        *,
        groups=None,
        l1_ratio=0.0,
        group_weights=None,
        penalty_factor=None,
        fit_intercept=True,
        standardize=False,
        class_weight=None,
        tol=1e-4,
        max_iter=1000,
        solver="auto",
        warm_start=False,
    ):
        self.alpha = alpha
        self.groups = groups
        self.l1_ratio = l1_ratio
        self.group_weights = group_weights
        self.penalty_factor = penalty_factor
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.warm_start = warm_start

    def fit(self, X, y, sample_weight=None):
        """Fit the model; ``y`` holds two labels of any type.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels, two distinct values.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            When ``y`` has more than two classes, or a parameter is invalid.
        """
        self._check_params()
        problem = self._fit_problem(X, y, sample_weight)
        alpha = self._fit_alpha(problem, self._family, self.classes_)
        self._solve(problem, alpha, self._start(problem))
        return self

    def _fit_problem(self, X, y, sample_weight=None, offset=None, reset=True):
        X, sw, y = _binary_target(self, X, y, sample_weight, reset)
        return self._make_problem(X, y, sw, classes=self.classes_)


def _binary_target(est, X, y, sample_weight, reset=True):
    """Validated ``X``, the weights and ``y``, refusing more than two classes."""
    X = est._validate_X(X, reset=reset)
    sw, y = est._class_weights(y, sample_weight, X.shape[0], X.dtype, reset)
    if est.classes_.shape[0] != 2:
        # scikit-learn's wording, which its estimator checks look for.
        raise ValueError(
            f"Only binary classification is supported: {type(est).__name__} "
            f"takes two classes; y has {est.classes_.shape[0]} "
            f"({est.classes_.tolist()[:10]})."
        )
    return X, sw, y


class GroupLogisticRegressionCV(GroupMixin, SparseLogisticRegressionCV):
    __doc__ = (
        """Logistic group lasso with alpha chosen by cross-validation (two classes).

    The path of :class:`GroupLogisticRegression` is cross-validated on the
    one CV runner (:func:`~sparsefit.cross_validate_path`) and the model
    refitted on all the data at ``alpha_min_`` or ``alpha_1se_``.  With
    labels coded -1/+1 (``classes_[1]`` is +1):
"""
        + _OBJECTIVE.format(
            datafit="\\frac{1}{n} \\sum_i s_i \\log(1 + e^{-y_i (x_i'w + b)})"
        )
        + """
    Parameters
    ----------"""
        + _GROUP_DOC
        + _GRID_DOC
        + """
    cv : int, scikit-learn splitter or iterable, default=10
        An int k means ``StratifiedKFold(k, shuffle=True, random_state=0)``
        (``KFold`` with the same arguments when a class has fewer than k
        samples); with ``fit(..., groups=...)`` it means ``GroupKFold(k)``.
        ``fit(..., foldid=...)`` gives the folds directly."""
        + _SELECTION_DOC
        + """
    scoring : {"deviance", "accuracy", "roc_auc", "mse", "mae"}, default="deviance"
        The held-out score of each alpha.
    class_weight : None, "balanced" or dict, default=None
        Multiplies the sample weights of each class."""
        + _SOLVER_DOC
        + _JOBS_DOC
        + _CV_DOC
        + """
    See Also
    --------
    GroupLogisticRegression : One fit at a given alpha.
    GroupLassoCV : The least-squares group lasso, cross-validated.
    sparsefit.cross_validate_path : The cross-validation itself.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import GroupLogisticRegressionCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 6))
    >>> y = (X[:, 0] + X[:, 1] + 0.3 * rng.standard_normal(200) > 0).astype(int)
    >>> model = GroupLogisticRegressionCV(groups=[0, 0, 1, 1, 2, 2], cv=5)
    >>> model = model.fit(X, y)
    >>> bool(model.alpha_1se_ >= model.alpha_min_), model.coef_.shape
    (True, (1, 6))
    """
    )
    multinomial = "ungrouped"

    def __init__(
        self,
        *,
        groups=None,
        l1_ratio=0.0,
        group_weights=None,
        penalty_factor=None,
        fit_intercept=True,
        standardize=False,
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        scoring="deviance",
        class_weight=None,
        tol=1e-4,
        max_iter=1000,
        solver="auto",
        n_jobs=None,
        progress=None,
    ):
        self.groups = groups
        self.l1_ratio = l1_ratio
        self.group_weights = group_weights
        self.penalty_factor = penalty_factor
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.selection = selection
        self.scoring = scoring
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.n_jobs = n_jobs
        self.progress = progress

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y, sample_weight=None, groups=None, foldid=None):
        """Cross-validate the path, then refit at the selected alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels, two distinct values.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples in the fits and the held-out scores.
        groups : array-like of shape (n_samples,) or None, default=None
            Group labels of the samples for the splitter (the feature groups
            are the ``groups`` parameter).
        foldid : array-like of shape (n_samples,) or None, default=None
            Fold of each sample (glmnet's ``foldid``); wins over ``cv``.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            When ``y`` has more than two classes, or a parameter is invalid.
        """
        self._check_params()
        X, sw, y = _binary_target(self, X, y, sample_weight)
        self._check_scoring(self._family)
        res = self._cv(X, y, sw, None, groups, foldid, self._family)
        problem = self._make_problem(X, y, sw, classes=self.classes_)
        self._refit(problem, res)
        return self
