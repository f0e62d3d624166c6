"""The knockoff filter: variable selection with a controlled false discovery
rate.

Each feature gets a knockoff copy that is exchangeable with it but, given
the features, independent of the response; a statistic ``W_j`` from the
lasso on ``[X, X~]`` compares each feature with its copy, and the knockoff+
threshold selects ``{j: W_j >= T}`` with

.. math::

    \\mathrm{FDR} = E\\left[\\frac{\\#\\{j \\in \\hat S: \\beta_j = 0\\}}
    {\\max(1, |\\hat S|)}\\right] \\le q

(Barber and Candes 2015 for fixed-X knockoffs and the linear model;
Candes, Fan, Janson and Lv 2018 for model-X knockoffs and any response).
"""

import warnings
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning

from .._estimator import _feature_names, _to_array
from ._knockoff_stats import (
    FAMILY_DATAFITS,
    STATISTICS,
    check_fdr,
    check_offset,
    knockoff_q_values,
    knockoff_threshold,
    lasso_statistic,
    warn_empty,
)
from ._sdp import CONSTRUCTIONS, _digest, _keyed_s, knockoff_s

__all__ = [
    "knockoff_select",
    "KnockoffResult",
    "gaussian_knockoffs",
    "fixed_x_knockoffs",
]


_DRAW_CACHE = OrderedDict()
_DRAW_CACHE_SIZE = 4


def _psd_root(V):
    """``L`` with ``L L' = V`` for a symmetric PSD ``V`` (eigenvalues below 0
    from rounding are set to 0)."""
    vals, vecs = np.linalg.eigh((V + V.T) / 2)
    return vecs * np.sqrt(np.clip(vals, 0, None))


def gaussian_knockoffs(X, Sigma, s, mu=None, random_state=None):
    """Model-X Gaussian knockoffs (Candes et al. 2018, Section 3.1.1).

    Draws ``X~ | X ~ N(mu + (X - mu)(I - Sigma^{-1} D), 2D - D Sigma^{-1} D)``,
    ``D = diag(s)``, row by row, so that ``[X, X~]`` has covariance
    ``[[Sigma, Sigma - D], [Sigma - D, Sigma]]`` when the rows of ``X`` are
    ``N(mu, Sigma)``.  Each knockoff column is then exchangeable with its
    feature, and since it is drawn from ``X`` alone it is independent of the
    response given ``X``: the two properties the model-X knockoff filter
    needs to control the false discovery rate.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The features.
    Sigma : ndarray of shape (n_features, n_features)
        Covariance of the rows of ``X``.
    s : ndarray of shape (n_features,)
        From :func:`knockoff_s`; ``2 Sigma - diag(s)`` must be PSD.
    mu : ndarray of shape (n_features,) or None
        The mean of the rows; None uses the column means of ``X``.
    random_state : int, Generator or None
        Seed of the draw (passed to ``numpy.random.default_rng``).

    Returns
    -------
    Xk : ndarray of shape (n_samples, n_features)
        The knockoffs, one column per feature.

    See Also
    --------
    knockoff_s : The s vector.
    fixed_x_knockoffs : Knockoffs for a fixed design.
    knockoff_select : The knockoff filter.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import gaussian_knockoffs, knockoff_s
    >>> Sigma = 0.5 ** np.abs(np.subtract.outer(np.arange(5), np.arange(5)))
    >>> rng = np.random.default_rng(0)
    >>> X = rng.multivariate_normal(np.zeros(5), Sigma, size=20000)
    >>> s = knockoff_s(Sigma)
    >>> Xk = gaussian_knockoffs(X, Sigma, s, mu=np.zeros(5), random_state=1)
    >>> Xk.shape
    (20000, 5)
    >>> G = np.cov(np.hstack([X, Xk]), rowvar=False)
    >>> target = np.block([[Sigma, Sigma - np.diag(s)], [Sigma - np.diag(s), Sigma]])
    >>> bool(np.abs(G - target).max() < 0.05)
    True
    """
    X = np.asarray(X, dtype=float)
    mu = X.mean(axis=0) if mu is None else np.asarray(mu, dtype=float)
    Sigma = np.asarray(Sigma, dtype=float)
    matrices = _draw_matrices(Sigma, np.asarray(s), _digest(Sigma))
    return _draw(X, mu, matrices, np.random.default_rng(random_state))


def _draw(X, mu, matrices, rng):
    """The knockoffs of :func:`gaussian_knockoffs` from the matrices of
    :func:`_draw_matrices`."""
    inv_d, root = matrices
    mean = X - (X - mu) @ inv_d
    return mean + rng.standard_normal(X.shape) @ root.T


def _draw_matrices(Sigma, s, sigma_digest):
    """``Sigma^{-1} D`` and a root of ``2D - D Sigma^{-1} D``, cached per
    ``(Sigma, s)``: they depend on neither the data nor the draw, and their
    solve and eigendecomposition cost more than the draw itself.
    ``sigma_digest`` is ``_digest(Sigma)``, hashed once by the caller."""
    key = sigma_digest + _digest(s)
    if key in _DRAW_CACHE:
        _DRAW_CACHE.move_to_end(key)
        return _DRAW_CACHE[key]
    inv_d = np.linalg.solve(Sigma, np.diag(s))
    root = _psd_root(2 * np.diag(s) - np.diag(s) @ inv_d)
    _DRAW_CACHE[key] = (inv_d, root)
    if len(_DRAW_CACHE) > _DRAW_CACHE_SIZE:
        _DRAW_CACHE.popitem(last=False)
    return inv_d, root


def fixed_x_knockoffs(X, construction="equicorrelated", random_state=None):
    """Fixed-X knockoffs (Barber and Candes 2015, Section 2.1).

    With ``Xc`` the centred columns, ``X~c`` satisfies exactly
    ``X~c'X~c = Xc'Xc`` and ``Xc'X~c = Xc'Xc - diag(s)``, and is orthogonal
    to the constant, so the filter holds for the linear model with an
    intercept.  Needs ``n_samples >= 2 n_features + 1`` (the +1 for the
    intercept).  Then ``[X, X~]'[X, X~]`` is unchanged when a feature is
    swapped with its knockoff, which gives the fixed-X filter its control of
    the false discovery rate in the linear model with Gaussian noise.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The features, with ``n_samples >= 2 n_features + 1`` and linearly
        independent centred columns.
    construction : {"equicorrelated", "sdp", "mvr"}, default="equicorrelated"
        The s vector, computed on the correlation matrix of ``X`` (see
        :func:`knockoff_s`).
    random_state : int, Generator or None
        Seed of the random orthogonal directions the knockoffs add.

    Returns
    -------
    Xk : ndarray of shape (n_samples, n_features)
        The knockoffs, with the column means of ``X``.
    s : ndarray of shape (n_features,)
        On the scale of ``Xc'Xc``.

    Raises
    ------
    ValueError
        When ``n_samples < 2 n_features + 1``, or ``X`` has a constant column
        or linearly dependent columns.

    See Also
    --------
    gaussian_knockoffs : Model-X knockoffs, for any response.
    knockoff_select : The knockoff filter.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import fixed_x_knockoffs
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 10))
    >>> Xk, s = fixed_x_knockoffs(X, random_state=0)
    >>> Xc, Xkc = X - X.mean(axis=0), Xk - Xk.mean(axis=0)
    >>> bool(np.allclose(Xkc.T @ Xkc, Xc.T @ Xc))
    True
    >>> bool(np.allclose(Xc.T @ Xkc, Xc.T @ Xc - np.diag(s)))
    True
    """
    rng = np.random.default_rng(random_state)
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    if n < 2 * p + 1:
        raise ValueError(
            f"fixed-X knockoffs need n_samples >= 2 * n_features + 1 (with the "
            f"intercept); got n={n}, p={p}. Use knockoffs='model-x'."
        )
    centre = X.mean(axis=0)
    Xc = X - centre
    norms = np.linalg.norm(Xc, axis=0)
    if (norms == 0).any():
        raise ValueError(f"X has constant columns: {np.flatnonzero(norms == 0)}.")
    Xn = Xc / norms
    gram = Xn.T @ Xn
    if np.linalg.eigvalsh(gram)[0] <= 1e-10:
        raise ValueError(
            "X has linearly dependent columns; fixed-X knockoffs "
            "need X'X invertible. Use knockoffs='model-x'."
        )
    s = knockoff_s(gram, construction)
    inv_d = np.linalg.solve(gram, np.diag(s))
    root = _psd_root(2 * np.diag(s) - np.diag(s) @ inv_d).T
    basis = np.column_stack([np.ones(n), Xn, rng.standard_normal((n, p))])
    U = np.linalg.qr(basis)[0][:, p + 1 :]
    Xk = (Xn - Xn @ inv_d + U @ root) * norms + centre
    return Xk, s * norms**2


@dataclass
class KnockoffResult:
    """The knockoff filter's selection at target FDR ``fdr``.

    Returned by :func:`knockoff_select`.  The selected set ``S`` controls the
    false discovery rate,

    .. math::

        \\mathrm{FDR} = E\\left[\\frac{\\#\\{j \\in S: \\beta_j = 0\\}}
        {\\max(1, |S|)}\\right] \\le q,

    at ``q = fdr`` with knockoff+ (``offset=1``), under the assumptions of the
    knockoffs used (model-X: rows of ``X`` Gaussian with covariance
    ``Sigma``, only approximately when ``Sigma`` is estimated; fixed-X: the
    linear model with Gaussian noise).
    Every parameter is also an attribute of the same name.

    Parameters
    ----------
    selected_ : ndarray of bool, shape (n_features,)
        Whether each feature is selected.
    statistics_ : ndarray of shape (n_draws, n_features)
        ``W`` of each knockoff draw.
    thresholds_ : ndarray of shape (n_draws,)
        Knockoff(+) threshold of each draw (``inf``: nothing passes); at
        ``fdr / 2`` when there are several draws.
    q_values_ : ndarray of shape (n_features,)
        One draw: knockoff q-values.  Several: e-BH q-values of the mean
        e-values.
    selection_frequency_ : ndarray of shape (n_features,)
        Fraction of draws whose own filter selects each feature.
    alphas_ : ndarray of shape (n_draws,)
        Alpha of the ``"lcd"`` statistic in each draw (NaN for ``"lsm"``).
    s_ : ndarray of shape (n_features,)
        The s vector of the knockoffs (see :func:`knockoff_s`).
    fdr : float
        Target false discovery rate.
    offset : {0, 1}
        1: knockoff+; 0: knockoff.
    knockoffs : {"model-x", "fixed-x"}
        The knockoffs used.
    construction : {"equicorrelated", "sdp", "mvr"}
        The construction of ``s_``.
    statistic : {"lcd", "lsm"}
        The knockoff statistic.
    family : {"gaussian", "binomial", "poisson", "multinomial"}
        The lasso fitted on ``[X, X~]``.
    random_state : int, Generator or None
        As given.
    max_gap_ : float
        Largest certified duality gap, relative to the objective, of any fit
        used, cross-validation folds included.
    not_converged_ : list of str
        Names of the path points that did not reach their tolerance.
    feature_names_ : list of str
        Column names of ``X``, else ``x0``, ``x1``, ...
    e_values_ : ndarray of shape (n_features,) or None, default=None
        Mean e-values over the draws (several draws only).
    message_ : str, default=""
        Why nothing was selected, when that is so.
    seed_ : int or None, default=None
        The seed of the draws: ``random_state`` when an int, the int drawn
        from a Generator, or the entropy drawn when ``random_state`` is None;
        ``knockoff_select(..., random_state=seed_)`` repeats the run.

    Attributes
    ----------
    support_ : ndarray of int
        Indices of the selected features.

    See Also
    --------
    knockoff_select : Computes it.
    knockoff_q_values : The q-values of one draw.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import knockoff_select
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 20))
    >>> y = X[:, :8].sum(axis=1) + rng.standard_normal(200)
    >>> res = knockoff_select(X, y, fdr=0.2, random_state=0)
    >>> res.support_.tolist()
    [0, 1, 2, 3, 4, 5, 6, 7]
    >>> res.statistic, res.statistics_.shape, bool(res.max_gap_ <= 1e-4)
    ('lcd', (1, 20), True)
    """

    selected_: np.ndarray
    statistics_: np.ndarray
    thresholds_: np.ndarray
    q_values_: np.ndarray
    selection_frequency_: np.ndarray
    alphas_: np.ndarray
    s_: np.ndarray
    fdr: float
    offset: int
    knockoffs: str
    construction: str
    statistic: str
    family: str
    random_state: object
    max_gap_: float
    not_converged_: list
    feature_names_: list
    e_values_: np.ndarray = None
    message_: str = ""
    seed_: int = None
    support_: np.ndarray = field(init=False)

    def __post_init__(self):
        self.support_ = np.flatnonzero(self.selected_)

    def to_frame(self):
        """One row per feature, with its statistic, q-value and selection.

        Returns
        -------
        pandas.DataFrame
            Columns ``feature``, ``statistic`` (mean over draws), ``q_value``,
            ``selection_frequency``, ``e_value`` (several draws only) and
            ``selected``.
        """
        import pandas as pd

        frame = pd.DataFrame(
            {
                "feature": self.feature_names_,
                "statistic": self.statistics_.mean(axis=0),
                "q_value": self.q_values_,
                "selection_frequency": self.selection_frequency_,
            }
        )
        if self.e_values_ is not None:
            frame["e_value"] = self.e_values_
        frame["selected"] = self.selected_
        return frame


def knockoff_select(
    X,
    y,
    *,
    fdr=0.1,
    family="gaussian",
    knockoffs="model-x",
    construction="mvr",
    statistic=None,
    offset=1,
    n_draws=1,
    random_state=None,
    n_jobs=None,
    Sigma=None,
    alpha=None,
    cv=5,
    n_alphas=None,
    tol=1e-4,
):
    """Select features with the knockoff filter at target FDR ``fdr``.

    Each feature gets a knockoff copy ``X~_j``, exchangeable with it but,
    given ``X``, independent of the response; the lasso on ``[X, X~]``
    (certified paths) gives a statistic ``W_j``, large and positive when
    feature ``j`` matters more than its copy and antisymmetric under swapping
    the two; the knockoff+ threshold ``T`` (:func:`knockoff_threshold`)
    then selects ``S = {j: W_j >= T}`` with

    .. math::

        \\mathrm{FDR} = E\\left[\\frac{\\#\\{j \\in S: \\beta_j = 0\\}}
        {\\max(1, |S|)}\\right] \\le q = \\mathrm{fdr}

    (Barber and Candes 2015 for fixed-X knockoffs and the linear model;
    Candes, Fan, Janson and Lv 2018 for model-X knockoffs and any response,
    when the rows of ``X`` are Gaussian with covariance ``Sigma``; with an
    estimated ``Sigma`` the control is approximate).  With
    ``offset=1`` at least ``1 / fdr`` features must pass for anything to be
    selected.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The features (a sparse matrix is densified).
    y : array-like of shape (n_samples,)
        The response (class labels for "binomial" and "multinomial").
    fdr : float in (0, 1), default=0.1
        Target false discovery rate ``q``.
    family : {"gaussian", "binomial", "poisson", "multinomial"}
        The lasso fitted on ``[X, X~]``.  Fixed-X knockoffs need "gaussian".
    knockoffs : {"model-x", "fixed-x"}
        Model-X Gaussian knockoffs (any response; rows of ``X`` taken as
        ``N(mu, Sigma)``) or fixed-X knockoffs (linear model, ``n >= 2p+1``).
    construction : {"equicorrelated", "sdp", "mvr"}
        The s vector (see :func:`knockoff_s`).
    statistic : {"lcd", "lsm"} or None
        Lasso coefficient difference at ``alpha`` (cross-validated when
        ``alpha`` is None), or signed maximum of the entry alphas.  None:
        "lcd" for model-X, "lsm" for fixed-X (whose statistic may depend on
        the data only through ``[X, X~]'[X, X~]`` and ``[X, X~]'y``, which
        cross-validation breaks).
    offset : {0, 1}
        1: knockoff+ (controls the FDR); 0: knockoff (a modified FDR).
    n_draws : int, default=1
        Several knockoff draws aggregated by e-values (Ren and Barber 2024):
        each draw's knockoff+ filter at level ``fdr / 2`` gives
        ``e_j = p 1{W_j >= T} / (1 + #{k: W_k <= -T})``; the mean e-values go
        through the e-BH procedure at level ``fdr``, which keeps the FDR
        control while removing most of the dependence on one draw.
    random_state : int, Generator or None
        Seeds the knockoffs and the folds; each draw gets its own child seed,
        so the result does not depend on ``n_jobs``.  The seed used is
        recorded in the result's ``seed_``, None's drawn entropy included.
    n_jobs : int or None
        Draws in parallel (joblib threads).  Under
        ``joblib.parallel_config(backend="dask")`` the draws run as tasks on
        the Dask cluster instead, ``X`` scattered to it once.
    Sigma : array-like of shape (n_features, n_features) or None
        Model-X: the covariance of the rows; None estimates it with the
        Ledoit-Wolf shrinkage estimator.
    alpha : float or None
        The "lcd" alpha; None chooses it by ``cv``-fold cross-validation:
        the grid alpha of least mean held-out deviance (mean squared error
        for least squares), the folds' paths stopped once the grid is a
        factor 1.25 below the best alpha so far without a lower deviance:
        the small-alpha tail, where the fits are dense and slow, is not
        fitted once the curve has risen (a lower minimum further down would
        be missed).
    cv : int or cross-validation splitter, default=5
        Folds of the cross-validated alpha (an int: shuffled folds, stratified
        for a classification family).
    n_alphas : int or None, default=None
        Number of alphas of each lasso path, from alpha_max down to 1e-2
        alpha_max (1e-4 when n > 2p).  None: 100 for "lsm", whose entry
        alphas the grid resolves, and 20 for "lcd" (10 per decade; the
        statistic only needs the fit at the chosen alpha).
    tol : float, default=1e-4
        Relative duality gap of every path point.

    Returns
    -------
    KnockoffResult
        The selection, the statistics, thresholds and q-values of every draw,
        and the certificate of the fits used.

    See Also
    --------
    KnockoffResult : The result.
    knockoff_s : The s vector of Gaussian knockoffs.
    StabilitySelection : Selection with a bound on the expected number of
        false selections.
    debiased_lasso : Confidence intervals and p-values for every coefficient.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import knockoff_select
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 20))
    >>> y = X[:, :8].sum(axis=1) + rng.standard_normal(200)
    >>> knockoff_select(X, y, fdr=0.2, random_state=0).support_.tolist()
    [0, 1, 2, 3, 4, 5, 6, 7]

    Fixed-X knockoffs, for the linear model with ``n_samples >= 2 n_features
    + 1`` (here one noise feature of nine selected, a false discovery
    proportion of 1/9; the FDR bounds its expectation):

    >>> res = knockoff_select(X, y, fdr=0.2, knockoffs="fixed-x", random_state=0)
    >>> res.statistic, res.support_.tolist()
    ('lsm', [0, 1, 2, 3, 4, 5, 6, 7, 13])
    """
    args = _check(
        X, y, fdr, family, knockoffs, construction, statistic, offset, n_draws, alpha
    )
    X, names, statistic = args
    n, p = X.shape
    s, Sigma = None, _sigma(X, Sigma) if knockoffs == "model-x" else None
    matrices = None
    if knockoffs == "model-x":
        # One hash of Sigma keys both caches (s, and the draw's matrices).
        digest = _digest(Sigma)
        s = _keyed_s(Sigma, digest, construction)
        matrices = _draw_matrices(Sigma, s, digest)
    seeds, seed = _child_seeds(random_state, n_draws)
    if n_alphas is None:
        n_alphas = 100 if statistic == "lsm" else 20
    options = dict(
        family=family, statistic=statistic, alpha=alpha, n_alphas=n_alphas, tol=tol
    )
    draws = Parallel(n_jobs=n_jobs, prefer="threads")(
        delayed(_one_draw)(
            X, y, knockoffs, construction, matrices, seed, cv, f"draw {i}", options
        )
        for i, seed in enumerate(seeds)
    )
    return _summarise(
        draws,
        names,
        fdr,
        offset,
        s,
        random_state,
        knockoffs,
        construction,
        statistic,
        family,
        seed,
    )


def _check(
    X, y, fdr, family, knockoffs, construction, statistic, offset, n_draws, alpha
):
    check_fdr(fdr)
    check_offset(offset)
    if family not in FAMILY_DATAFITS:
        raise ValueError(
            f"family must be one of {tuple(FAMILY_DATAFITS)}, got {family!r}."
        )
    if knockoffs not in ("model-x", "fixed-x"):
        raise ValueError(
            f"knockoffs must be 'model-x' or 'fixed-x', got {knockoffs!r}."
        )
    if construction not in CONSTRUCTIONS:
        raise ValueError(
            f"construction must be one of {CONSTRUCTIONS}, got {construction!r}."
        )
    if statistic is None:
        statistic = "lsm" if knockoffs == "fixed-x" else "lcd"
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, got {statistic!r}.")
    if knockoffs == "fixed-x" and family != "gaussian":
        raise ValueError(
            f"fixed-X knockoffs need family='gaussian', got {family!r}; "
            "use knockoffs='model-x'."
        )
    if knockoffs == "fixed-x" and statistic == "lcd" and alpha is None:
        raise ValueError(
            "fixed-X knockoffs with statistic='lcd' need a given alpha "
            "(cross-validation breaks their sufficiency condition)."
        )
    if not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ValueError(f"n_draws must be an integer >= 1, got {n_draws!r}.")
    names = _feature_names(X)
    X = _to_array(X, "X", "csc")
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)
    if len(y) != X.shape[0]:
        raise ValueError(f"y has {len(y)} samples, X has {X.shape[0]}.")
    if names is None:
        names = [f"x{j}" for j in range(X.shape[1])]
    if knockoffs == "fixed-x" and X.shape[0] < 2 * X.shape[1] + 1:
        raise ValueError(
            f"fixed-X knockoffs need n_samples >= 2 * n_features + 1 (with the "
            f"intercept); got n={X.shape[0]}, p={X.shape[1]}. "
            "Use knockoffs='model-x'."
        )
    return X, list(names), statistic


def _sigma(X, Sigma):
    if Sigma is None:
        from sklearn.covariance import ledoit_wolf

        return ledoit_wolf(X)[0]
    Sigma = np.asarray(Sigma, dtype=float)
    if Sigma.shape != (X.shape[1], X.shape[1]):
        raise ValueError(
            f"Sigma must have shape {(X.shape[1], X.shape[1])}, got {Sigma.shape}."
        )
    return Sigma


def _child_seeds(random_state, n_draws):
    """One child seed per draw, and the seed they come from: the int given,
    the int drawn from a Generator, or the entropy drawn for None, so that
    ``random_state=seed`` repeats the run."""
    if isinstance(random_state, np.random.Generator):
        random_state = int(random_state.integers(2**63))
    seq = np.random.SeedSequence(random_state)
    return seq.spawn(n_draws), seq.entropy


def _one_draw(X, y, knockoffs, construction, matrices, seed, cv, name, options):
    """``matrices``: those of :func:`_draw_matrices` for model-X knockoffs."""
    rng = np.random.default_rng(seed)
    s = None
    if knockoffs == "model-x":
        Xk = _draw(X, X.mean(axis=0), matrices, rng)
    else:
        Xk, s = fixed_x_knockoffs(X, construction, random_state=rng)
    folds = _splitter(cv, options["family"], int(rng.integers(2**31)))
    W, alpha, cert = lasso_statistic(X, Xk, y, cv=folds, name=name, **options)
    return W, alpha, cert, s


def _splitter(cv, family, seed):
    from sklearn.model_selection import KFold, StratifiedKFold

    if not isinstance(cv, int | np.integer):
        return cv
    if family in ("binomial", "multinomial"):
        return StratifiedKFold(cv, shuffle=True, random_state=seed)
    return KFold(cv, shuffle=True, random_state=seed)


def _summarise(
    draws,
    names,
    fdr,
    offset,
    s,
    random_state,
    knockoffs,
    construction,
    statistic,
    family,
    seed,
):
    W = np.array([d[0] for d in draws])
    alphas = np.array([np.nan if d[1] is None else d[1] for d in draws])
    gaps = [d[2][0] for d in draws]
    bad = [name for d in draws for name in d[2][1]]
    if bad:
        warnings.warn(
            f"{len(bad)} path point(s) did not converge: {bad[:5]}",
            ConvergenceWarning,
            stacklevel=3,
        )
    s = draws[0][3] if s is None else s
    level = fdr if len(draws) == 1 else fdr / 2
    T = np.array([knockoff_threshold(w, level, offset) for w in W])
    freq = (W >= T[:, None]).mean(axis=0)
    message, e_values = "", None
    if len(draws) == 1:
        selected, q = W[0] >= T[0], knockoff_q_values(W[0], offset)
        if np.isinf(T[0]):
            message = warn_empty(W[0], fdr, offset)
    else:
        e_values = _e_values(W, T)
        selected, q = _e_bh(e_values, fdr)
        if not selected.any():
            message = (
                f"no feature passes e-BH at fdr={fdr:g} over {len(draws)} "
                f"draws ({int(np.isinf(T).sum())} draws had an infinite "
                f"threshold at fdr/2)"
            )
            warnings.warn(message, UserWarning, stacklevel=3)
    return KnockoffResult(
        selected_=selected,
        statistics_=W,
        thresholds_=T,
        q_values_=q,
        selection_frequency_=freq,
        alphas_=alphas,
        s_=s,
        fdr=fdr,
        offset=offset,
        knockoffs=knockoffs,
        construction=construction,
        statistic=statistic,
        family=family,
        random_state=random_state,
        max_gap_=float(max(gaps)),
        not_converged_=bad,
        feature_names_=names,
        e_values_=e_values,
        message_=message,
        seed_=seed,
    )


def _e_values(W, T):
    """Mean over draws of ``p 1{W_j >= T} / (1 + #{k: W_k <= -T})``."""
    p = W.shape[1]
    out = np.zeros(p)
    for w, t in zip(W, T, strict=True):
        if np.isfinite(t):
            out += p * (w >= t) / (1 + np.sum(w <= -t))
    return out / len(W)


def _e_bh(e, fdr):
    """e-BH (Wang and Ramdas 2022): select the ``k`` largest e-values, ``k``
    the largest with ``e_(k) >= p / (fdr k)``; q-values ``min_{i >= k}
    p / (i e_(i))``."""
    p = e.size
    order = np.argsort(-e, kind="stable")
    ranks = np.arange(1, p + 1)
    with np.errstate(divide="ignore"):
        ratio = np.where(e[order] > 0, p / (ranks * e[order]), np.inf)
    q_sorted = np.minimum(np.minimum.accumulate(ratio[::-1])[::-1], 1.0)
    q = np.empty(p)
    q[order] = q_sorted
    return q <= fdr, q
