"""Multi-response least squares with one group per feature across the
responses (glmnet's ``family="mgaussian"``, scikit-learn's MultiTaskLasso).

The problem on ``Y`` of shape (n, K) is solved as one group lasso on the
stacked response ``vec(Y)``: the design ``kron(I_K, X_c)`` (sparse, K copies
of the centred columns) gives coefficient ``(k, j)`` its own column, the
group of feature j holds its K columns, and K indicator columns
``kron(I_K, 1)`` carry the intercepts as one unpenalised group.  The block
coordinate descent, its certificate, the path and the cross-validation
runner then apply unchanged.
"""

import numpy as np
import scipy.sparse as sp

from .._estimator import RegressorBase
from .._problem import Problem
from .._validation import (
    check_positive_int,
    check_sample_weight,
    check_scalar_range,
)
from ..datafits import Quadratic
from ..penalties import GroupPenalty

__all__ = ["MultiTaskLasso", "MultiTaskLassoCV", "MultiTaskElasticNet"]


def _check_targets(y, n_samples, name):
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    Y = np.asarray(y, dtype=float)
    if Y.ndim != 2 or Y.shape[0] != n_samples:
        raise ValueError(
            f"{name} needs y of shape (n_samples, n_tasks) = ({n_samples}, K); "
            f"got shape {Y.shape}."
        )
    if not np.isfinite(Y).all():
        row = int(np.flatnonzero(~np.isfinite(Y).all(axis=1))[0])
        raise ValueError(f"y has a non-finite value in row {row}.")
    return Y


def stacked_data(X, Y, sw, fit_intercept, standardize, l1_ratio=1.0):
    """The stacked group lasso equivalent to the multi-response problem:
    ``(design, y, sample_weight, penalty, mean, scale)``, with the column
    means and scales that map its coefficients back.

    The stacked datafit is a mean over ``n K`` rows, ``1/K`` times the
    multi-response one: solve it at ``alpha / K``.  ``l1_ratio < 1`` gives
    each feature's group the weight ``l1_ratio`` and a ridge term of weight
    ``1 - l1_ratio`` (the intercepts' group stays unpenalised)."""
    n, p = X.shape
    K = Y.shape[1]
    weights = np.ones(n) if sw is None else sw
    dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    mean = weights @ dense / weights.sum() if fit_intercept else np.zeros(p)
    centred = dense - mean
    scale = np.ones(p)
    if standardize:
        sd = np.sqrt(weights @ centred**2 / weights.sum())
        scale = np.where(sd > 0, 1.0 / np.where(sd > 0, sd, 1.0), 1.0)
    block = sp.csc_matrix(centred * scale)
    blocks = [sp.kron(sp.identity(K), block)]
    labels = np.tile(np.arange(p), K)
    group_weights = np.full(p, float(l1_ratio))
    ridge_weights = np.ones(p)
    if fit_intercept:
        blocks.append(sp.kron(sp.identity(K), np.ones((n, 1))))
        labels = np.concatenate([labels, np.full(K, p)])
        group_weights = np.append(group_weights, 0.0)
        ridge_weights = np.append(ridge_weights, 0.0)
    design = sp.hstack(blocks, format="csc")
    penalty = GroupPenalty(
        1.0,
        labels,
        0.0,
        group_weights,
        ridge=1.0 - float(l1_ratio),
        ridge_weights=ridge_weights,
    )
    stacked_sw = None if sw is None else np.tile(sw, K)
    return design, Y.T.ravel(), stacked_sw, penalty, mean, scale


def stacked_problem(X, Y, sw, fit_intercept, standardize, tol, max_iter, l1_ratio=1.0):
    """The :class:`~sparsefit._problem.Problem` of :func:`stacked_data`, with
    ``(mean, scale)``."""
    design, y, stacked_sw, penalty, mean, scale = stacked_data(
        X, Y, sw, fit_intercept, standardize, l1_ratio
    )
    problem = Problem(
        design,
        y,
        Quadratic(stacked_sw),
        penalty,
        fit_intercept=False,
        tol=tol,
        max_iter=max_iter,
    )
    return problem, mean, scale


class MultiTaskLasso(RegressorBase):
    """Multi-response lasso: one group per feature across the K responses.

    .. math::

        \\min_{W, b} \\frac{1}{2n} \\sum_i s_i \\|y_i - b - W x_i\\|_2^2
        + \\alpha \\sum_j \\|W_{\\cdot j}\\|_2

    with ``y_i`` the i-th row of ``Y`` (n x K), ``W`` of shape (K,
    n_features) and sample weights ``s`` rescaled to sum to ``n``: a
    feature is used by every response or by none.  This is glmnet's
    ``family="mgaussian"`` with ``alpha = 1`` (``lambda`` is ``alpha``) and
    scikit-learn's ``MultiTaskLasso``.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept per response.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance
        (1/n convention, as glmnet); ``coef_`` is on the original scale.
    tol : float, default=1e-4
        Stop when the duality gap at the returned point is below
        ``tol * P(W)`` (see :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=10000
        Maximum passes over the working sets.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
    intercept_ : ndarray of shape (n_tasks,)
    dual_gap_ : float
        Certified: ``P(coef_) - P* <= dual_gap_`` (in the units of ``P``).
    kkt_violation_ : float
    n_iter_ : int

    See Also
    --------
    GroupLasso : Groups of features for one response.
    sparsefit.penalties.GroupPenalty : The penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import MultiTaskLasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> Y = np.column_stack([X[:, 0], 2 * X[:, 0] - X[:, 1]])
    >>> Y = Y + 0.1 * rng.standard_normal((100, 2))
    >>> model = MultiTaskLasso(alpha=0.1).fit(X, Y)
    >>> model.coef_.shape, (model.coef_ != 0).any(axis=0).tolist()
    ((2, 5), [True, True, False, False, False])
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        standardize=False,
        tol=1e-4,
        max_iter=10_000,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter

    #: The lasso: every feature's group at full weight, no ridge term.
    _l1_ratio = 1.0

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags

    def _check_l1_ratio(self):
        """The lasso has no mix to check."""

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples, n_tasks)
            The K responses.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weights, rescaled to sum to ``n_samples``.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            When ``y`` is not a matrix with one row per sample, or a
            parameter is out of range.
        """
        check_scalar_range(self.alpha, "alpha", low=0.0)
        self._check_l1_ratio()
        check_scalar_range(self.tol, "tol", low=0.0, low_open=True)
        check_positive_int(self.max_iter, "max_iter")
        X = self._validate_X(X, reset=True)
        Y = _check_targets(y, X.shape[0], type(self).__name__)
        sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
        problem, mean, scale = stacked_problem(
            X,
            Y,
            sw,
            self.fit_intercept,
            self.standardize,
            self.tol,
            self.max_iter,
            self._l1_ratio,
        )
        result = problem.solve(self.alpha / Y.shape[1])
        self._store(problem, result, X.shape[1], Y.shape[1], mean, scale)
        return self

    def _store(self, problem, result, p, K, mean, scale):
        w = problem.unpack(result)[0]
        W = w[: p * K].reshape(K, p) * scale + 0.0  # + 0.0: no -0.0 entries
        b = w[p * K :] if self.fit_intercept else np.zeros(K)
        self.coef_ = W
        self.intercept_ = b - W @ mean
        self.dual_gap_ = float(result.dual_gap)
        self.kkt_violation_ = float(result.kkt_violation)
        self.n_iter_ = int(result.n_iter)
        self.solver_result_ = result

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R^2, averaged over responses.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples, n_tasks)
            True responses.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples.

        Returns
        -------
        score : float
            The mean over responses of ``1 - RSS_k / TSS_k`` (scikit-learn's
            ``r2_score`` with ``multioutput="uniform_average"``).
        """
        pred = self.predict(X)
        Y = _check_targets(y, pred.shape[0], type(self).__name__)
        sw = check_sample_weight(sample_weight, Y.shape[0], np.float64)
        sw = np.ones(Y.shape[0]) if sw is None else sw
        rss = sw @ (Y - pred) ** 2
        tss = sw @ (Y - sw @ Y / sw.sum()) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(tss > 0, 1 - rss / tss, np.where(rss > 0, 0.0, 1.0))
        return float(r2.mean())

    def predict(self, X):
        """Predict ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        Y : ndarray of shape (n_samples, n_tasks)
            The K predicted responses.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        return np.asarray(X @ self.coef_.T) + self.intercept_


class MultiTaskLassoCV(MultiTaskLasso):
    """Multi-response lasso with alpha chosen by cross-validation.

    The path of :class:`MultiTaskLasso` is cross-validated (folds of samples,
    each sample's K responses together; the held-out mean squared error over
    samples and responses) with the shared runner
    :func:`~sparsefit.cross_validate_path`, and the model refitted on all
    the data at ``alpha_min_`` or ``alpha_1se_``:

    .. math::

        \\min_{W, b} \\frac{1}{2n} \\sum_i s_i \\|y_i - b - W x_i\\|_2^2
        + \\alpha \\sum_j \\|W_{\\cdot j}\\|_2

    Parameters
    ----------
    alphas : array-like or None, default=None
        The grid; None is ``n_alphas`` values from the exact alpha_max down
        to ``eps * alpha_max``, evenly spaced in log.
    n_alphas : int, default=100
        Number of grid points when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha of the grid as a fraction of alpha_max; None is 1e-4
        when ``n_samples > n_features`` and 1e-2 otherwise.
    cv : int, scikit-learn splitter or iterable, default=10
        An int k is ``KFold(k, shuffle=True, random_state=0)``.
    selection : {"min", "1se"}, default="min"
        Refit at the alpha of the smallest mean held-out error, or at the
        largest alpha within one standard error of it.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept per response.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance.
    tol : float, default=1e-4
        The relative duality gap of every fit.
    max_iter : int, default=10000
        Maximum passes over the working sets of each fit.
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib); None is one at a time.

    Attributes
    ----------
    alpha_ : float
        The alpha refitted.
    alpha_min_, alpha_1se_ : float
    alphas_ : ndarray of shape (n_alphas,)
    cv_mean_, cv_std_ : ndarray of shape (n_alphas,)
        Held-out mean squared error over samples and responses.
    coef_, intercept_, dual_gap_, kkt_violation_, n_iter_ :
        The certified refit at ``alpha_``.

    See Also
    --------
    MultiTaskLasso : One fit at a given alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import MultiTaskLassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((120, 6))
    >>> Y = np.column_stack([X[:, 0], X[:, 0] - X[:, 1]])
    >>> Y = Y + 0.3 * rng.standard_normal((120, 2))
    >>> model = MultiTaskLassoCV(cv=5, n_alphas=30).fit(X, Y)
    >>> (model.coef_ != 0).any(axis=0)[:2].tolist()
    [True, True]
    """

    def __init__(
        self,
        *,
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        fit_intercept=True,
        standardize=False,
        tol=1e-4,
        max_iter=10_000,
        n_jobs=None,
    ):
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.selection = selection
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        """Cross-validate the path, then refit at the selected alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples, n_tasks)
            The K responses.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples in the fits and the held-out errors.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            When ``y`` is not a matrix with one row per sample, or a
            parameter is out of range.
        """
        from ..model_selection import make_folds

        check_scalar_range(self.tol, "tol", low=0.0, low_open=True)
        check_positive_int(self.max_iter, "max_iter")
        check_positive_int(self.n_alphas, "n_alphas")
        if self.selection not in ("min", "1se"):
            raise ValueError(
                f"selection must be 'min' or '1se', got {self.selection!r}."
            )
        X = self._validate_X(X, reset=True)
        Y = _check_targets(y, X.shape[0], type(self).__name__)
        sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
        n, K = Y.shape
        foldid = np.empty(n, dtype=int)
        for k, (_, test) in enumerate(make_folds(n, self.cv, X=X, y=Y[:, 0])):
            foldid[test] = k
        ratios = self._l1_ratios()
        # One cross-validated path per l1_ratio, on the same folds; the best
        # mean held-out error over all of them picks (l1_ratio, alpha).
        results = [self._cv_path(X, Y, sw, foldid, ratio) for ratio in ratios]
        best = int(np.argmin([res.cv_mean[res.index_min] for res in results]))
        res = results[best]
        if self._selects_l1_ratio:
            self.l1_ratio_ = ratios[best]
        self.cv_result_ = res
        self.alphas_ = res.alphas * K
        self.alpha_min_ = float(res.alpha_min * K)
        self.alpha_1se_ = float(res.alpha_1se * K)
        self.alpha_ = self.alpha_1se_ if self.selection == "1se" else self.alpha_min_
        self.cv_mean_, self.cv_std_ = res.cv_mean, res.cv_std
        problem, mean, scale = stacked_problem(
            X,
            Y,
            sw,
            self.fit_intercept,
            self.standardize,
            self.tol,
            self.max_iter,
            ratios[best],
        )
        k = int(np.argmin(np.abs(self.alphas_ - self.alpha_)))
        start = problem.from_original(res.path.coefs[:, k].toarray().ravel())
        result = problem.solve(self.alpha_ / K, start)
        self._store(problem, result, X.shape[1], K, mean, scale)
        return self

    _selects_l1_ratio = False

    def _l1_ratios(self):
        return [1.0]

    def _cv_path(self, X, Y, sw, foldid, l1_ratio):
        """The cross-validated path of the stacked problem at ``l1_ratio``."""
        from ..model_selection import cross_validate_path

        K = Y.shape[1]
        design, ys, sws, penalty, _, _ = stacked_data(
            X, Y, sw, self.fit_intercept, self.standardize, l1_ratio
        )
        return cross_validate_path(
            design,
            ys,
            penalty=penalty,
            alphas=None if self.alphas is None else np.asarray(self.alphas) / K,
            n_alphas=self.n_alphas,
            eps=self.eps,
            foldid=np.tile(foldid, K),
            scoring="mse",
            sample_weight=sws,
            n_jobs=self.n_jobs,
            progress=False,
            fit_intercept=False,
            tol=self.tol,
            max_iter=self.max_iter,
        )


class MultiTaskElasticNet(MultiTaskLasso):
    """Multi-response elastic net: a group per feature, plus a ridge term.

    .. math::

        \\min_{W, b} \\frac{1}{2n} \\sum_i s_i \\|y_i - b - W x_i\\|_2^2
        + \\alpha \\rho \\sum_j \\|W_{\\cdot j}\\|_2
        + \\frac{\\alpha (1 - \\rho)}{2} \\|W\\|_F^2

    with ``y_i`` the i-th row of ``Y`` (n x K), ``W`` of shape (K,
    n_features), ``rho`` the ``l1_ratio`` and sample weights ``s`` rescaled
    to sum to ``n``: scikit-learn's ``MultiTaskElasticNet``, and glmnet's
    ``family="mgaussian"`` (penalty ``lambda ((1 - a)/2 ||B||_F^2 + a sum_j
    ||B_j||_2)``) with ``alpha = lambda`` and ``l1_ratio = a``: unlike its
    Gaussian family, glmnet's mgaussian does not rescale the ridge part by
    the responses' spread (its numbers agree with these to 1e-8).  Solved
    as the group lasso of :class:`MultiTaskLasso` with the ridge term in
    each group's prox, and certified by the same duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``.
    l1_ratio : float in (0, 1], default=0.5
        ``rho``, the share of the group (l2,1) term; 1 is
        :class:`MultiTaskLasso`.  0 (ridge regression alone, no selection)
        is refused.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept per response.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance
        (1/n convention, as glmnet); ``coef_`` is on the original scale.
    tol : float, default=1e-4
        Stop when the duality gap at the returned point is below
        ``tol * P(W)`` (see :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=10000
        Maximum passes over the working sets.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
    intercept_ : ndarray of shape (n_tasks,)
    dual_gap_ : float
        Certified: ``P(coef_) - P* <= dual_gap_`` (in the units of ``P``).
    kkt_violation_ : float
    n_iter_ : int

    See Also
    --------
    MultiTaskLasso : The same without the ridge term.
    sparsefit.penalties.GroupPenalty : The penalty (its ``ridge`` term).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import MultiTaskElasticNet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5))
    >>> Y = np.column_stack([X[:, 0], 2 * X[:, 0] - X[:, 1]])
    >>> Y = Y + 0.1 * rng.standard_normal((100, 2))
    >>> model = MultiTaskElasticNet(alpha=0.1, l1_ratio=0.7).fit(X, Y)
    >>> model.coef_.shape, (model.coef_ != 0).any(axis=0).tolist()
    ((2, 5), [True, True, False, False, False])
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        standardize=False,
        tol=1e-4,
        max_iter=10_000,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.tol = tol
        self.max_iter = max_iter

    @property
    def _l1_ratio(self):
        return float(self.l1_ratio)

    def _check_l1_ratio(self):
        check_scalar_range(self.l1_ratio, "l1_ratio", low=0.0, high=1.0, low_open=True)


class MultiTaskElasticNetCV(MultiTaskLassoCV):
    """Multi-response elastic net with alpha and l1_ratio chosen by cross-validation.

    For each ``l1_ratio`` the path of :class:`MultiTaskElasticNet` is
    cross-validated on the same folds (each sample's K responses together;
    the held-out mean squared error over samples and responses) with the
    shared runner :func:`~sparsefit.cross_validate_path`; the pair with the
    smallest mean held-out error is kept and the model refitted on all the
    data at ``alpha_min_`` or ``alpha_1se_`` of that ``l1_ratio``:

    .. math::

        \\min_{W, b} \\frac{1}{2n} \\sum_i s_i \\|y_i - b - W x_i\\|_2^2
        + \\alpha \\left( \\rho \\sum_j \\|W_{\\cdot j}\\|_2
        + \\frac{1 - \\rho}{2} \\|W\\|_F^2 \\right)

    with ``rho`` the ``l1_ratio`` (scikit-learn's MultiTaskElasticNetCV, and
    glmnet's ``family="mgaussian"`` at ``alpha = a``, ``lambda = alpha``).

    Parameters
    ----------
    l1_ratio : float in (0, 1] or sequence of them, default=0.5
        The mix of the group norm and the ridge term; with several, each is
        cross-validated and the best kept.
    alphas : array-like or None, default=None
        The grid; None is ``n_alphas`` values from the exact alpha_max (of
        each ``l1_ratio``) down to ``eps * alpha_max``, evenly spaced in log.
    n_alphas : int, default=100
        Number of grid points when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha of the grid as a fraction of alpha_max; None is 1e-4
        when ``n_samples > n_features`` and 1e-2 otherwise.
    cv : int, scikit-learn splitter or iterable, default=10
        An int k is ``KFold(k, shuffle=True, random_state=0)``.
    selection : {"min", "1se"}, default="min"
        Refit at the alpha of the smallest mean held-out error, or at the
        largest alpha within one standard error of it.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept per response.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance.
    tol : float, default=1e-4
        The relative duality gap of every fit.
    max_iter : int, default=10000
        Maximum passes over the working sets of each fit.
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib); None is one at a time.

    Attributes
    ----------
    l1_ratio_ : float
        The ``l1_ratio`` kept.
    alpha_ : float
        The alpha refitted.
    alpha_min_, alpha_1se_ : float
        Of the kept ``l1_ratio``'s path.
    alphas_ : ndarray of shape (n_alphas,)
    cv_mean_, cv_std_ : ndarray of shape (n_alphas,)
        Held-out mean squared error over samples and responses, for the kept
        ``l1_ratio``.
    coef_, intercept_, dual_gap_, kkt_violation_, n_iter_ :
        The certified refit at ``alpha_``.

    Raises
    ------
    ValueError
        From :meth:`fit`, when an ``l1_ratio`` lies outside (0, 1].

    See Also
    --------
    MultiTaskElasticNet : One fit at a given alpha and l1_ratio.
    MultiTaskLassoCV : The same with the group norm alone.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import MultiTaskElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((120, 6))
    >>> Y = np.column_stack([X[:, 0], X[:, 0] - X[:, 1]])
    >>> Y = Y + 0.3 * rng.standard_normal((120, 2))
    >>> model = MultiTaskElasticNetCV(l1_ratio=[0.5, 1.0], cv=5, n_alphas=30)
    >>> model = model.fit(X, Y)
    >>> (model.coef_ != 0).any(axis=0)[:2].tolist(), model.l1_ratio_ in (0.5, 1.0)
    ([True, True], True)
    """

    _selects_l1_ratio = True

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        fit_intercept=True,
        standardize=False,
        tol=1e-4,
        max_iter=10_000,
        n_jobs=None,
    ):
        super().__init__(
            alphas=alphas,
            n_alphas=n_alphas,
            eps=eps,
            cv=cv,
            selection=selection,
            fit_intercept=fit_intercept,
            standardize=standardize,
            tol=tol,
            max_iter=max_iter,
            n_jobs=n_jobs,
        )
        self.l1_ratio = l1_ratio

    def _l1_ratios(self):
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=float)).tolist()
        if not ratios:
            raise ValueError("l1_ratio is empty: give a value in (0, 1].")
        for ratio in ratios:
            check_scalar_range(ratio, "l1_ratio", low=0.0, high=1.0, low_open=True)
        return ratios
