"""Least-squares paths and K-fold cross-validation in one pass over the data.

One pass computes every row block's weighted moments per fold (see
:mod:`._moments`); the whole path and every fold's path are then solved
locally, by the in-memory engine, on rows with the same moments (see
:mod:`._square_root`), and every held-out error follows from the fold's
moments: with ``v = (-w, 1)``,

.. math::

    \\frac{1}{W_k} \\sum_{i \\in k} s_i (y_i - b - x_i'w)^2
    = \\frac{v' C_k v}{W_k} + (v' m_k - b)^2 .
"""

import dataclasses

import numpy as np

from .._validation import check_scalar_range
from ..datafits import Quadratic
from ..model_selection._cv import _summarise
from ..path import compute_path as memory_path
from ._cluster import cluster_client, run_reduced
from ._data import as_blocks
from ._moments import block_moments, diagonal_moments, merge
from ._square_root import square_root_rows

__all__ = ["compute_path", "cross_validate_path"]

#: Held-out scores computed from a fold's moments, and whether greater is better.
_SCORINGS = {"mse": False, "deviance": False, "r2": True}
#: Held-out scores of the GLMs, sums over rows (the ROC AUC, a ranking, is not).
_GLM_SCORINGS = {"deviance": False, "mse": False, "mae": False, "accuracy": True}


# -- the one pass ------------------------------------------------------------------
def _block_moments(block, n_folds, seed, diagonal, index):
    """The moments of one block per fold, its rows checked on the worker
    (only the comoments' diagonals with ``diagonal``: the GLMs' column
    scales)."""
    X, y, sw, foldid = block
    _check_block(X, y, sw, index)
    foldid = block_folds(foldid, X.shape[0], index, n_folds, seed)
    if diagonal:
        return diagonal_moments(X, y, sw, foldid, n_folds)
    A = np.column_stack([np.asarray(X, dtype=float), np.asarray(y, dtype=float)])
    return block_moments(A, sw, foldid, n_folds)


def block_folds(foldid, n_rows, index, n_folds, seed):
    """The fold label of each row of block ``index`` (None: one fold); the
    same on every pass and every worker."""
    if foldid is not None:
        foldid = np.asarray(foldid)
        bad = (foldid != np.round(foldid)) | (foldid < 0) | (foldid >= n_folds)
        if bad.any():
            raise ValueError(
                f"foldid must hold integers in [0, {n_folds}); block {index} "
                f"has {foldid[bad][0]}."
            )
        return foldid.astype(np.int64)
    if n_folds > 1:
        # The default folds: a fixed random draw per block, reproducible
        # from (seed, block) whatever the workers.
        return np.random.default_rng([seed, index]).integers(n_folds, size=n_rows)
    return None


def check_cv(cv, scoring, family="gaussian"):
    """Validate the number of folds and the held-out score."""
    if isinstance(cv, bool) or not isinstance(cv, (int, np.integer)) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2; got {cv!r}.")
    known = _SCORINGS if family == "gaussian" else _GLM_SCORINGS
    if family == "poisson":
        known = {k: v for k, v in known.items() if k != "accuracy"}
    if scoring not in known:
        raise ValueError(
            f"scoring must be one of {sorted(known)} for the {family} family on "
            f"Dask data, got {scoring!r}."
        )


def _check_family(family):
    if family not in ("gaussian", "binomial", "poisson"):
        raise ValueError(
            "family must be 'gaussian', 'binomial' or 'poisson' on Dask data; "
            f"got {family!r}."
        )


def _check_block(X, y, sw, index):
    if y is None or np.shape(y)[0] != X.shape[0]:
        raise ValueError(
            f"y has {np.shape(y)[0] if y is not None else 0} rows in block "
            f"{index} and X {X.shape[0]}: they must match."
        )
    if not np.isfinite(X).all():
        row = int(np.flatnonzero(~np.isfinite(X).all(axis=1))[0])
        raise ValueError(
            f"X has a NaN or infinite value in row {row} of block {index}."
        )
    if not np.isfinite(np.asarray(y, dtype=float)).all():
        raise ValueError(f"y has a NaN or infinite value in block {index}.")
    if sw is not None:
        sw = np.asarray(sw, dtype=float)
        if not (np.isfinite(sw).all() and (sw >= 0).all()):
            raise ValueError(
                f"sample_weight must be finite and non-negative (block {index})."
            )


def fold_moments(blocks, n_folds, seed, client):
    """One pass: the moments of every fold, merged on the workers."""
    args = (n_folds, seed, False)
    return run_reduced(client, _block_moments, blocks.parts, *args, combine=merge)


# -- local solves on the moments ---------------------------------------------------
def path_from_moments(moments, penalty, fit_intercept, standardize, names, **kwargs):
    """The path of the data whose moments are ``moments`` (one set)."""
    if not moments.weight[0] > 0:
        raise ValueError("sample_weight sums to 0: there is nothing to fit.")
    Z = square_root_rows(moments, fit_intercept)
    p = Z.shape[1] - 1
    if kwargs.get("eps") is None and kwargs.get("alphas") is None:
        kwargs["eps"] = 1e-4 if moments.count[0] > p else 1e-2
    path = memory_path(
        Z[:, :p],
        Z[:, p],
        Quadratic(),
        penalty,
        fit_intercept=fit_intercept,
        standardize=standardize,
        precompute=True,
        progress=False,
        **kwargs,
    )
    intercepts = np.zeros(path.alphas.shape[0])
    if fit_intercept:
        mean = moments.mean[0]
        intercepts = mean[p] - np.asarray(path.coefs.T @ mean[:p]).ravel()
    # The rows are not the data: a refit at another alpha would need them.
    return dataclasses.replace(
        path,
        intercepts=intercepts,
        feature_names=names,
        _problem=None,
    )


def held_out_scores(path, fold, scoring):
    """The held-out score of ``fold`` (one set of moments) at every alpha."""
    W, mean, C = fold.weight[0], fold.mean[0], fold.comoment[0]
    if not W > 0:
        raise ValueError("A fold has no rows (or a zero total sample_weight).")
    p = mean.shape[0] - 1
    V = np.vstack([-path.coefs.toarray(), np.ones(path.alphas.shape[0])])
    mse = np.einsum("ik,ij,jk->k", V, C, V) / W + (mean @ V - path.intercepts) ** 2
    if scoring == "r2":
        return 1 - mse / max(C[p, p] / W, np.finfo(float).tiny)
    return mse


# -- the public functions -----------------------------------------------------------
def _check_glm_penalty(penalty):
    """What the GLM solver here does not take, refused by name."""
    if penalty is None:
        return
    weights = penalty.weights
    if weights is not None and (np.asarray(weights) == 0).any():
        raise ValueError(
            "penalty weights of 0 (unpenalised features) are not available for "
            "GLMs on Dask."
        )
    if (
        penalty.positive
        or penalty.lower_bounds is not None
        or penalty.upper_bounds is not None
    ):
        raise ValueError("Bounds are not available for GLMs on Dask.")


def compute_path(
    X,
    y,
    penalty=None,
    *,
    family="gaussian",
    sample_weight=None,
    columns=None,
    alphas=None,
    n_alphas=100,
    eps=None,
    fit_intercept=True,
    standardize=False,
    tol=1e-4,
    max_iter=10_000,
    client=None,
    scheduler=None,
    n_workers=None,
):
    """The elastic-net path of data left on a Dask cluster.

    .. math::

        P_\\alpha(w, b) = \\frac{1}{\\sum_i s_i} \\sum_i s_i f(y_i, x_i'w + b)
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

    with ``f`` half the squared error (gaussian), the logistic loss
    ``log(1 + exp(-y z))`` with ``y`` coded -1/+1 (binomial) or the Poisson
    loss ``exp(z) - y z``, as :func:`sparsefit.compute_path` solves it in
    memory.  Least squares takes one pass over the data: the workers return
    the weighted moments of ``[X, y]`` (a ``(p + 1)^2`` matrix per block,
    merged on the cluster) and the path is solved locally on them, with the
    same certificates.  The GLMs are solved by working-set proximal Newton:
    one pass per Newton step (the gradient with the working set's
    curvature-weighted moments, and the line search along the previous
    step), and a few more per alpha for the intercept and the duality gap;
    ``message`` gives the passes.

    Parameters
    ----------
    X : dask.array.Array, dask.dataframe.DataFrame or str
        A Dask array chunked along rows only, a Dask data frame, or the path
        of a Parquet file or directory.  Never collected to the client.
    y : dask.array.Array, ndarray, str or dask series
        The target: with an array ``X``, a Dask array with ``X``'s row
        chunks (or a NumPy array); with a data frame or Parquet, a column
        name or a Dask series of the same partitions.
    penalty : SeparablePenalty or None, default=None
        Penalty factors, bounds and ``l1_ratio``; None is the plain lasso.
        The GLMs take positive penalty factors and no bounds.
    family : {"gaussian", "binomial", "poisson"}, default="gaussian"
        The datafit; binomial labels are 0/1 or -1/+1.
    sample_weight : same kinds as ``y``, or None
        Non-negative weights ``s_i``.
    columns : list of str or None, default=None
        The feature columns of a data frame (None: every column but ``y``
        and ``sample_weight``).
    alphas : array-like or None, default=None
        The grid; None builds ``n_alphas`` points from the exact alpha_max
        down to ``eps * alpha_max``.
    n_alphas : int, default=100
        Number of grid points when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha of a built grid relative to alpha_max; None is 1e-4
        when the rows outnumber the features, else 1e-2.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit weighted
        variance; they are returned on the original scale.
    tol : float, default=1e-4
        Each point is certified: ``gap <= tol * P(w)``.
    max_iter : int, default=10000
        Maximum passes of coordinate descent over the working sets (local;
        the data are read once whatever it is).
    client : distributed.Client or None, default=None
        The client to run on; None takes the running one, or starts a
        local cluster for the call.
    scheduler : str or None, default=None
        Address of a scheduler to connect to instead.
    n_workers : int or None, default=None
        Worker processes of a local cluster started for the call (a number
        always starts one).

    Returns
    -------
    PathResult
        As in memory, with the intercepts of the data; ``coef(alpha,
        exact=True)`` is not available (the data stay on the cluster).

    Raises
    ------
    ValueError
        If ``X`` is chunked along its columns, the row chunks or partitions
        of ``X`` and ``y`` differ, a named column is missing or not numeric,
        or a value is not finite.

    See Also
    --------
    sparsefit.compute_path : The same path in memory.
    cross_validate_path : The path with K-fold cross-validation, same pass.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import distributed
    >>> X, y = load_diabetes(return_X_y=True)
    >>> Xd, yd = da.from_array(X, chunks=(100, -1)), da.from_array(y, chunks=100)
    >>> from distributed import Client
    >>> with Client(processes=False, n_workers=1, dashboard_address=None):
    ...     path = distributed.compute_path(Xd, yd, n_alphas=10)
    >>> path.coefs.shape, bool((path.dual_gaps <= path.gap_tols).all())
    ((10, 10), True)
    """
    check_scalar_range(tol, "tol", low=0.0, low_open=True)
    _check_family(family)
    if family != "gaussian":
        _check_glm_penalty(penalty)
    blocks = as_blocks(X, y, sample_weight, None, columns)
    with cluster_client(client, scheduler, n_workers) as own:
        if family != "gaussian":
            from ..penalties import ElasticNetPenalty
            from ._glm import first_pass, glm_path

            moments, sample = first_pass(blocks, family, 1, 0, own)
            path = glm_path(
                blocks,
                family,
                moments,
                ElasticNetPenalty(1.0, 1.0) if penalty is None else penalty,
                alphas,
                n_alphas,
                eps,
                fit_intercept,
                standardize,
                tol,
                max_iter,
                own,
                sample,
            )
            return dataclasses.replace(path, feature_names=blocks.feature_names)
        moments = fold_moments(blocks, 1, 0, own)
    return path_from_moments(
        moments,
        penalty,
        fit_intercept,
        standardize,
        blocks.feature_names,
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        tol=tol,
        max_iter=max_iter,
    )


def cross_validate_path(
    X,
    y,
    *,
    l1_ratio=1.0,
    penalty=None,
    cv=10,
    foldid=None,
    seed=0,
    scoring=None,
    family="gaussian",
    sample_weight=None,
    columns=None,
    alphas=None,
    n_alphas=100,
    eps=None,
    fit_intercept=True,
    standardize=False,
    tol=1e-4,
    max_iter=10_000,
    client=None,
    scheduler=None,
    n_workers=None,
):
    """K-fold cross-validation of a path on data left on a Dask cluster.

    The objective at each alpha is that of :func:`compute_path`.  Least
    squares takes one pass: it gives every fold's moments; each fold's
    training moments merge the other folds', each fold's path is solved
    locally on the grid of the whole data (as glmnet), and its held-out
    error at every alpha follows from its own moments.  The logistic and
    Poisson paths of the whole data and of every fold advance together:
    each pass over the data evaluates, per block, the sums of every model
    that is still being solved (a fold's model gives the rows of its fold
    weight 0), so the K + 1 paths cost about the passes of the slowest one,
    plus one pass for the held-out scores.  ``alpha_min`` and ``alpha_1se``
    are chosen as :func:`sparsefit.cross_validate_path` chooses them.

    Parameters
    ----------
    X : dask.array.Array, dask.dataframe.DataFrame or str
        As :func:`compute_path`.
    y : dask.array.Array, ndarray, str or dask series
        As :func:`compute_path`.
    l1_ratio : float, default=1.0
        Used when ``penalty`` is None.
    penalty : SeparablePenalty or None, default=None
        Penalty factors, bounds and ``l1_ratio``; its alpha is replaced.
    cv : int, default=10
        Number of folds; with ``foldid``, the bound on its labels.
    foldid : same kinds as ``y``, or None
        Fold of each row, integers in ``[0, cv)`` (labels left unused are no
        fold); None draws them at random, per block, from ``seed``.
    seed : int, default=0
        Seed of the default folds.
    scoring : str or None, default=None
        Held-out score, weighted by ``sample_weight``: "mse" (the default),
        "deviance" or "r2" for the gaussian family; "deviance" (the
        default), "mse" or "mae" of the mean, and "accuracy" (binomial) for
        the GLMs.
    family : {"gaussian", "binomial", "poisson"}, default="gaussian"
        The datafit, as :func:`compute_path`.
    sample_weight : same kinds as ``y``, or None
        Non-negative weights, in the fits and the held-out scores.
    columns : list of str or None, default=None
        The feature columns of a data frame.
    alphas : array-like or None, default=None
        The grid; None builds ``n_alphas`` points from the exact alpha_max
        down to ``eps * alpha_max``.
    n_alphas : int, default=100
        Number of grid points when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha of a built grid relative to alpha_max; None is 1e-4
        when the rows outnumber the features, else 1e-2.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit weighted
        variance; they are returned on the original scale.
    tol : float, default=1e-4
        Each point is certified: ``gap <= tol * P(w)``.
    max_iter : int, default=10000
        Maximum passes of coordinate descent over the working sets (local;
        the data are read once whatever it is).
    client : distributed.Client or None, default=None
        The client to run on; None takes the running one, or starts a
        local cluster for the call.
    scheduler : str or None, default=None
        Address of a scheduler to connect to instead.
    n_workers : int or None, default=None
        Worker processes of a local cluster started for the call (a number
        always starts one).

    Returns
    -------
    CVResult
        Fold scores, their mean and standard error, ``alpha_min``,
        ``alpha_1se`` and the path fitted on all the data.

    Raises
    ------
    ValueError
        As :func:`compute_path`; and if ``cv`` is below 2, ``scoring`` is
        unknown for the family, a fold label is outside ``[0, cv)`` or a
        fold is empty.

    See Also
    --------
    sparsefit.cross_validate_path : The same in memory.
    compute_path : The path alone.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import distributed
    >>> X, y = load_diabetes(return_X_y=True)
    >>> Xd, yd = da.from_array(X, chunks=(100, -1)), da.from_array(y, chunks=100)
    >>> from distributed import Client
    >>> with Client(processes=False, n_workers=1, dashboard_address=None):
    ...     result = distributed.cross_validate_path(Xd, yd, cv=5, n_alphas=20)
    >>> result.fold_scores.shape, bool(result.alpha_min >= result.alphas[-1])
    ((5, 20), True)
    """
    from ..penalties import ElasticNetPenalty

    _check_family(family)
    if scoring is None:
        scoring = "mse" if family == "gaussian" else "deviance"
    check_cv(cv, scoring, family)
    check_scalar_range(tol, "tol", low=0.0, low_open=True)
    penalty = ElasticNetPenalty(1.0, l1_ratio) if penalty is None else penalty
    if family != "gaussian":
        _check_glm_penalty(penalty)
    blocks = as_blocks(X, y, sample_weight, foldid, columns)
    with cluster_client(client, scheduler, n_workers) as own:
        if family != "gaussian":
            from ._glm import first_pass, glm_cross_validate

            moments, sample = first_pass(blocks, family, int(cv), seed, own)

            full, scores, _ = glm_cross_validate(
                blocks,
                family,
                moments,
                (int(cv), seed),
                penalty,
                scoring,
                (alphas, n_alphas, eps),
                fit_intercept,
                standardize,
                tol,
                max_iter,
                foldid is not None,
                own,
                sample,
            )
            full = dataclasses.replace(full, feature_names=blocks.feature_names)
            return _summarise(scores, full, scoring, _GLM_SCORINGS[scoring])
        moments = fold_moments(blocks, int(cv), seed, own)
    return cv_from_moments(
        moments,
        penalty,
        scoring,
        blocks.feature_names,
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        fit_intercept=fit_intercept,
        standardize=standardize,
        given_folds=foldid is not None,
        tol=tol,
        max_iter=max_iter,
    )


def cv_from_moments(
    moments,
    penalty,
    scoring,
    names,
    alphas=None,
    n_alphas=100,
    eps=None,
    fit_intercept=True,
    standardize=False,
    given_folds=False,
    **fit,
):
    """The cross-validated path from every fold's moments (no pass);
    ``given_folds``: the labels came from ``foldid``, and those it leaves
    unused are skipped."""
    args = (penalty, fit_intercept, standardize, names)
    full = path_from_moments(
        moments.total(), *args, alphas=alphas, n_alphas=n_alphas, eps=eps, **fit
    )
    scores = []
    for k in range(moments.n_folds):
        if moments.count[k] == 0 and given_folds:
            continue  # a label in [0, cv) that foldid does not use
        if not moments.weight[k] > 0:
            raise ValueError(f"Fold {k} has no rows (or a zero total sample_weight).")
        path = path_from_moments(
            moments.total(skip=k), *args, alphas=full.alphas, **fit
        )
        scores.append(held_out_scores(path, moments.fold(k), scoring)[None, :])
    return _summarise(scores, full, scoring, _SCORINGS[scoring])
