"""Cross-validation of a regularisation path: one path per fold, in parallel.

As glmnet does, the grid of alphas comes from the whole data; every fold fits
the path on that grid, and the held-out losses give ``cv_mean`` and its
standard error ``cv_std`` per alpha.  ``alpha_min`` minimises ``cv_mean``;
``alpha_1se`` is the largest alpha whose ``cv_mean`` is within one standard
error of that minimum (Hastie, Tibshirani and Friedman, ESL section 7.10).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed

from .._design import take_rows
from .._estimator import _feature_names, _to_array, check_target
from .._families import FAMILIES, family_name
from .._progress import Progress
from .._threads import single_blas
from .._validation import check_offset, check_sample_weight, is_distributed
from ..datafits._cox import encode_survival
from ..path import PathResult, compute_path, relaxed_path

__all__ = ["CVResult", "cross_validate_path", "SCORINGS", "make_folds"]

#: Held-out scores: name -> (function(y, pred, weights), greater_is_better).
SCORINGS = {
    "mse": (
        lambda y, p, s: np.average((y[:, None] - p) ** 2, axis=0, weights=s),
        False,
    ),
    "mae": (
        lambda y, p, s: np.average(np.abs(y[:, None] - p), axis=0, weights=s),
        False,
    ),
    "deviance": (
        lambda y, p, s: np.average((y[:, None] - p) ** 2, axis=0, weights=s),
        False,
    ),
    "r2": (
        lambda y, p, s: (
            1
            - np.average((y[:, None] - p) ** 2, axis=0, weights=s)
            / max(
                np.average((y - np.average(y, weights=s)) ** 2, weights=s),
                np.finfo(float).tiny,
            )
        ),
        True,
    ),
}


@dataclass(frozen=True)
class CVResult:
    """Cross-validated path: held-out scores at every alpha, and the choice.

    What :func:`cross_validate_path` returns.  Each fold fits the path of
    :func:`~sparsefit.compute_path` on the grid of the whole data and scores
    its held-out samples at every alpha; ``alpha_min`` is the alpha with the
    best mean score and ``alpha_1se`` the largest alpha whose mean score is
    within one standard error of that best (the one-standard-error rule,
    Hastie, Tibshirani and Friedman, ESL section 7.10).  With ``relax=True``
    the relaxation mix ``gamma`` is chosen with alpha, and the per-alpha
    fields hold the scores at the chosen ``gamma``.  The fields are set by
    :func:`cross_validate_path`, not by hand.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        The grid, decreasing (that of ``path``).
    fold_scores : ndarray of shape (n_folds, n_alphas)
        Held-out score of each fold at each alpha.
    cv_mean : ndarray of shape (n_alphas,)
        Mean of the fold scores.
    cv_std : ndarray of shape (n_alphas,)
        Standard error of ``cv_mean``: ``std(fold_scores, ddof=1) / sqrt(n_folds)``.
    index_min : int
        Index of ``alpha_min`` in ``alphas``.
    index_1se : int
        Index of ``alpha_1se`` in ``alphas``.
    alpha_min : float
        Best ``cv_mean`` (the largest alpha among ties).
    alpha_1se : float
        Largest alpha with ``cv_mean`` within one ``cv_std`` of the best.
    scoring : str
        Name of the held-out score (``"mse"``, ``"deviance"``...).
    greater_is_better : bool
        Whether a larger score is better (``"r2"``, ``"accuracy"``,
        ``"roc_auc"``) or worse (the losses).
    path : PathResult
        The path fitted on all the data, on the same grid.
    gamma : float, default=1.0
        Relaxation mix of the selected model (1: the plain lasso).
    gammas : ndarray or None, default=None
        The relaxation grid when ``relax=True``.
    cv_mean_gamma : ndarray of shape (n_gammas, n_alphas) or None, default=None
        ``cv_mean`` at each gamma when ``relax=True``.
    cv_std_gamma : ndarray of shape (n_gammas, n_alphas) or None, default=None
        ``cv_std`` at each gamma when ``relax=True``.

    See Also
    --------
    cross_validate_path : Cross-validate a path and select alpha.
    sparsefit.plotting.plot_cv : Draw the curve of ``cv_mean``.
    sparsefit.LassoCV : The lasso with alpha chosen by cross-validation.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import cross_validate_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cv = cross_validate_path(X, y, n_alphas=30, cv=5)
    >>> cv.fold_scores.shape
    (5, 30)
    >>> bool(cv.alpha_1se >= cv.alpha_min)
    True
    >>> cv.path.coef(cv.alpha_1se).shape
    (10,)
    """

    alphas: np.ndarray
    fold_scores: np.ndarray
    cv_mean: np.ndarray
    cv_std: np.ndarray
    index_min: int
    index_1se: int
    alpha_min: float
    alpha_1se: float
    scoring: str
    greater_is_better: bool
    path: PathResult
    gamma: float = 1.0
    gammas: np.ndarray = None
    cv_mean_gamma: np.ndarray = None
    cv_std_gamma: np.ndarray = None

    def plot(self, ax=None, **kwargs):
        """Plot the CV curve (see :func:`sparsefit.plotting.plot_cv`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw into; None creates a new figure.
        **kwargs
            Passed on to :func:`~sparsefit.plotting.plot_cv` (``title``).

        Returns
        -------
        ax : matplotlib.axes.Axes
            The axes drawn into.
        """
        from ..plotting import plot_cv

        return plot_cv(self, ax=ax, **kwargs)


def make_folds(n_samples, cv=10, groups=None, foldid=None, X=None, y=None):
    """Return the cross-validation folds as ``(train, test)`` index arrays.

    ``foldid`` (one fold label per sample, as glmnet) wins over ``cv``; ``cv``
    is a number of folds (``KFold(cv, shuffle=True, random_state=0)``, the
    estimators' and the command line's default too), a
    scikit-learn splitter (``groups`` is passed to it), or an iterable of
    ``(train, test)`` pairs.

    Parameters
    ----------
    n_samples : int
        Number of samples to split.
    cv : int, scikit-learn splitter or iterable, default=10
        Number of folds (at least 2, at most ``n_samples``), a splitter with
        a ``split`` method, or ``(train, test)`` pairs (at least two).
    groups : array-like of shape (n_samples,) or None, default=None
        Group labels: with an int ``cv``, ``GroupKFold(cv)`` keeps each
        group within one fold; with a splitter, passed to its ``split``.
    foldid : array-like of shape (n_samples,) or None, default=None
        Fold label of each sample; each distinct label is one test fold.
    X : array-like of shape (n_samples, n_features) or None, default=None
        Passed to the splitter's ``split`` (a column of zeros when None).
    y : array-like of shape (n_samples,) or None, default=None
        Passed to the splitter's ``split`` (a stratified splitter needs it).

    Returns
    -------
    folds : list of tuple of ndarray
        One ``(train, test)`` pair of index arrays per fold.

    Raises
    ------
    ValueError
        If ``foldid`` has the wrong length or fewer than two labels, if
        ``cv`` is below 2 or above ``n_samples``, or if the pairs are fewer
        than two.

    See Also
    --------
    cross_validate_path : Cross-validate a path on these folds.

    Examples
    --------
    >>> from sparsefit.model_selection import make_folds
    >>> folds = make_folds(6, foldid=[0, 0, 1, 1, 2, 2])
    >>> [test.tolist() for train, test in folds]
    [[0, 1], [2, 3], [4, 5]]
    >>> [len(test) for train, test in make_folds(10, cv=5)]
    [2, 2, 2, 2, 2]
    """
    if foldid is not None:
        foldid = np.asarray(foldid).ravel()
        if foldid.shape[0] != n_samples:
            raise ValueError(
                f"foldid must have length {n_samples}, got {foldid.shape[0]}."
            )
        labels = np.unique(foldid)
        if labels.size < 2:
            raise ValueError("foldid must hold at least two distinct folds.")
        return [
            (np.flatnonzero(foldid != f), np.flatnonzero(foldid == f)) for f in labels
        ]
    if isinstance(cv, (int, np.integer)) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be >= 2 folds, got {cv}.")
        if cv > n_samples:
            raise ValueError(
                f"Cannot have number of splits n_splits={cv} greater "
                f"than the number of samples: n_samples={n_samples}."
            )
        from sklearn.model_selection import GroupKFold, KFold

        cv = (
            GroupKFold(cv)
            if groups is not None
            else KFold(cv, shuffle=True, random_state=0)
        )
    if hasattr(cv, "split"):
        X = np.zeros((n_samples, 1)) if X is None else X
        return [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(X, y, groups)]
    folds = [(np.asarray(tr), np.asarray(te)) for tr, te in cv]
    if len(folds) < 2:
        raise ValueError("cv must give at least two (train, test) splits.")
    return folds


def _rows(X, idx):
    """Rows ``idx`` of X in X's memory order: a Fortran array stays Fortran,
    so the solvers' design does not copy each fold a second time."""
    idx = np.asarray(idx)
    if idx.dtype == bool:
        idx = np.flatnonzero(idx)
    n = X.shape[0]
    if (
        not sp.issparse(X)
        and X.ndim == 2
        and X.flags.f_contiguous
        and not X.flags.c_contiguous
        and X.dtype in (np.float64, np.float32)
        and idx.ndim == 1
        and np.issubdtype(idx.dtype, np.integer)
        and (idx.size == 0 or (idx.min() >= -n and idx.max() < n))
    ):
        return take_rows(X, np.where(idx < 0, idx + n, idx).astype(np.int64))
    # Anything else (out-of-range rows raise here).
    return X[idx]


def _fold_scores(
    X,
    y,
    sw,
    train,
    test,
    alphas,
    path_kwargs,
    scorer,
    relax,
    gammas,
    datafit,
):
    """Scores of one fold at every alpha (and gamma, for the relaxed lasso)."""
    fold_sw = None if sw is None else sw[train]
    test_sw = None if sw is None else sw[test]
    X_train, X_test = _rows(X, train), _rows(X, test)
    offset = path_kwargs.get("offset")
    if offset is not None:
        path_kwargs = dict(path_kwargs, offset=offset[train])
    path = compute_path(
        X_train,
        y[train],
        datafit.with_weights(fold_sw),
        alphas=alphas,
        progress=False,
        **path_kwargs,
    )
    grouped = getattr(scorer, "grouped", None)
    if grouped is not None:
        # A score of the whole data at the training fit (Cox's deviance).
        link = path.predict(X, offset=offset)
        return grouped(y, link, sw, train, test, datafit)[None, :]
    preds = path.predict(X_test, offset=None if offset is None else offset[test])
    if not relax:
        return scorer(y[test], preds, test_sw, path)[None, :]
    relaxed = relaxed_path(path, X_train, y[train], fold_sw)
    rel_preds = relaxed.predict(X_test)
    return np.stack(
        [
            scorer(y[test], g * preds + (1 - g) * rel_preds, test_sw, path)
            for g in gammas
        ]
    )


def _select(cv_mean, cv_std, greater):
    loss = -cv_mean if greater else cv_mean
    i_min = int(np.argmin(loss))  # first minimum: the largest alpha among ties
    within = np.flatnonzero(loss <= loss[i_min] + cv_std[i_min])
    return i_min, int(within[0])


def cross_validate_path(
    X,
    y,
    *,
    l1_ratio=1.0,
    penalty=None,
    alphas=None,
    n_alphas=100,
    eps=None,
    cv=10,
    groups=None,
    foldid=None,
    scoring=None,
    sample_weight=None,
    relax=False,
    gammas=(0.0, 0.25, 0.5, 0.75, 1.0),
    n_jobs=None,
    progress=None,
    family="gaussian",
    offset=None,
    **path_kwargs,
):
    """Cross-validate the elastic-net path and select alpha (and gamma).

    The objective at each alpha is that of :func:`sparsefit.compute_path`.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The design matrix.
    y : array-like of shape (n_samples,)
        The target: real values, labels or counts, as ``family`` takes.
    l1_ratio : float, default=1.0
        Used when ``penalty`` is None.
    penalty : SeparablePenalty or None, default=None
        Penalty factors, bounds and l1_ratio; its alpha is replaced.
    alphas : array-like or None, default=None
        The grid; None builds it from the whole data, as glmnet (see
        :func:`~sparsefit.compute_path`).
    n_alphas : int, default=100
        Number of grid points when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha of a built grid, relative to alpha_max; None is 1e-4
        when n > p, else 1e-2.
    cv : int, scikit-learn splitter or iterable, default=10
        The folds (see :func:`~sparsefit.model_selection.make_folds`); an
        int is stratified by class for a classifier when every class can
        fill each fold.
    groups : array-like or None
        Passed to the splitter (``GroupKFold`` when ``cv`` is an int).
    foldid : array-like or None
        Fold label of each sample, as glmnet's ``foldid``; wins over ``cv``.
    scoring : str or None
        None: "mse" for the gaussian family, "deviance" for the others.
        Gaussian: "mse", "mae", "r2", "deviance". Binomial and multinomial:
        "deviance", "accuracy", "roc_auc" (one-vs-rest macro average for
        several classes), "mse" and "mae" of the probabilities. Poisson:
        "deviance", "mse", "mae" of the mean.
    sample_weight : array-like or None
        Used in the fits and to weight the held-out scores.
    relax : bool
        Also score the relaxed lasso (glmnet's ``relax=TRUE``):
        ``gamma * lasso + (1 - gamma) * least squares on the lasso's support``.
    gammas : sequence of float in [0, 1], default=(0.0, 0.25, 0.5, 0.75, 1.0)
        The relaxation mixes scored when ``relax=True``; ignored otherwise.
    n_jobs : int or None
        Folds in parallel (joblib threads).  Under
        ``joblib.parallel_config(backend="dask")`` the folds run as tasks on
        the Dask cluster instead, ``X`` scattered to it once.
    progress : bool or None
        Progress on stderr; None shows it only on a terminal.
    family : {"gaussian", "binomial", "multinomial", "poisson", "huber"} or datafit
        A family name, or a datafit carrying its own parameters (for example
        ``Huber(delta=2.0)``).
    offset : array-like of shape (n_samples,) or None
        GLM offset, split with the folds.
    **path_kwargs
        ``fit_intercept``, ``standardize``, ``tol``, ``max_iter``,
        ``precompute`` (gaussian), ``multinomial``, ``solver`` (GLMs) for
        :func:`compute_path`.

    Returns
    -------
    CVResult
        The fold scores, their mean and standard error at every alpha,
        ``alpha_min``, ``alpha_1se`` and the path fitted on all the data.

    See Also
    --------
    CVResult : What is returned.
    sparsefit.compute_path : The path each fold fits.
    sparsefit.LassoCV : The same selection as a scikit-learn estimator.
    sparsefit.plotting.plot_cv : Draw the cross-validation curve.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import cross_validate_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cv = cross_validate_path(X, y, n_alphas=30, cv=5)
    >>> cv.scoring, int(cv.index_min) >= int(cv.index_1se)
    ('mse', True)
    >>> int(cv.path.n_nonzero[cv.index_1se]) <= int(cv.path.n_nonzero[cv.index_min])
    True
    """
    from ..penalties import ElasticNetPenalty

    if is_distributed(X):
        options = dict(locals())
        for name in ("X", "y", "family", "path_kwargs", "ElasticNetPenalty"):
            options.pop(name)
        from ..distributed._dispatch import dask_cross_validate

        return dask_cross_validate(X, y, family, options, path_kwargs)
    datafit = _datafit(family)
    family = family_name(datafit)
    if scoring is None:
        scoring = datafit.scorings[0]
    scorer, greater = _scorer(family, scoring)
    if relax and not getattr(datafit, "centring_eliminates_intercept", False):
        raise ValueError(
            f"relax=True applies to least squares; got the {family} family."
        )
    names = _feature_names(X)
    X = _to_array(X, "X", "csc")
    if family == "gaussian":
        y = check_target(y, X.shape[0], X.dtype, "cross_validate_path")
        if offset is not None:
            raise ValueError("offset applies to the GLM families, not gaussian.")
    elif datafit.target == "survival":
        y = encode_survival(y, X.shape[0])
    else:
        y = np.asarray(y).ravel()
    sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    offset = check_offset(offset, X.shape[0])
    penalty = ElasticNetPenalty(1.0, l1_ratio) if penalty is None else penalty
    gammas = np.asarray(gammas if relax else [1.0], dtype=float)
    if relax and ((gammas < 0) | (gammas > 1)).any():
        raise ValueError("gammas must lie in [0, 1].")
    if offset is not None:
        path_kwargs = dict(path_kwargs, offset=offset)
    full = compute_path(
        X,
        y,
        datafit.with_weights(sw),
        penalty,
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        progress=False,
        **path_kwargs,
    )
    if names is not None:
        object.__setattr__(full, "feature_names", list(names))
    classifier = datafit.target in ("binary", "classes")
    folds = _folds(X, y, cv, groups, foldid, classifier)
    kwargs = dict(path_kwargs, penalty=penalty)
    if classifier:
        kwargs["classes"] = full.classes
    scores = _run_folds(
        folds,
        n_jobs,
        progress,
        X,
        y,
        sw,
        full.alphas,
        kwargs,
        scorer,
        relax,
        gammas,
        datafit,
    )
    return _summarise(scores, full, scoring, greater, relax, gammas)


def _datafit(family):
    """The datafit of ``family``: a name, or a datafit with its parameters."""
    if isinstance(family, str):
        if family not in FAMILIES:
            raise ValueError(f"family must be one of {list(FAMILIES)}, got {family!r}.")
        return FAMILIES[family]()
    return family


def _scorer(family, scoring):
    """``(score(y, prediction, weights, path), greater_is_better)``."""
    if family != "gaussian":
        from ._glm_scores import glm_scorer

        return glm_scorer(family, scoring)
    if scoring not in SCORINGS:
        raise ValueError(f"scoring must be one of {sorted(SCORINGS)}, got {scoring!r}.")
    score, greater = SCORINGS[scoring]
    return (lambda y, pred, sw, path: score(y, pred, sw)), greater


def _folds(X, y, cv, groups, foldid, classifier):
    """The folds; stratified by class for a classifier when ``cv`` is a
    number of folds that every class can fill."""
    if (
        classifier
        and foldid is None
        and groups is None
        and isinstance(cv, (int, np.integer))
        and not isinstance(cv, bool)
    ):
        from sklearn.model_selection import StratifiedKFold

        smallest = np.unique(y, return_counts=True)[1].min()
        if cv <= smallest:
            cv = StratifiedKFold(cv, shuffle=True, random_state=0)
    # Stratify on label codes: the splitters refuse object arrays of labels.
    strata = np.unique(y, return_inverse=True)[1] if classifier else y
    return make_folds(X.shape[0], cv, groups, foldid, X, strata)


def _run_folds(folds, n_jobs, progress, *args):
    """Score every fold (joblib), showing progress; ``args`` go to
    :func:`_fold_scores` after the fold's indices."""
    X, y, sw, *rest = args
    # Folds run in threads: the compiled kernels release the GIL, X is shared
    # without a copy per worker, and one BLAS thread each keeps n_jobs folds
    # on n_jobs cores.
    with Progress(len(folds), "cv folds", progress) as bar, single_blas():
        jobs = (delayed(_fold_scores)(X, y, sw, tr, te, *rest) for tr, te in folds)
        scores = []
        parallel = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")
        for result in parallel(jobs):
            scores.append(result)
            bar.update()
    return scores


def _summarise(scores, full, scoring, greater, relax=False, gammas=(1.0,)):
    gammas = np.asarray(gammas, dtype=float)
    scores = np.stack(scores, axis=1)  # (n_gammas, n_folds, n_alphas)
    mean = scores.mean(axis=1)
    std = scores.std(axis=1, ddof=1) / np.sqrt(scores.shape[1])
    best = [_select(m, s, greater)[0] for m, s in zip(mean, std, strict=True)]
    g = int(
        np.argmax([mean[i, k] if greater else -mean[i, k] for i, k in enumerate(best)])
    )
    i_min, i_1se = _select(mean[g], std[g], greater)
    return CVResult(
        alphas=full.alphas,
        fold_scores=scores[g],
        cv_mean=mean[g],
        cv_std=std[g],
        index_min=i_min,
        index_1se=i_1se,
        alpha_min=float(full.alphas[i_min]),
        alpha_1se=float(full.alphas[i_1se]),
        scoring=scoring,
        greater_is_better=greater,
        path=full,
        gamma=float(gammas[g]),
        gammas=gammas if relax else None,
        cv_mean_gamma=mean if relax else None,
        cv_std_gamma=std if relax else None,
    )
