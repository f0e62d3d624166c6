"""Knockoff statistics from certified lasso paths, and the knockoff filter.

For features ``X`` and knockoffs ``Xk`` the lasso is fitted on ``[X, Xk]``
(``2p`` columns) along our certified path; a statistic ``W_j`` is large and
positive when feature ``j`` looks more important than its knockoff and is
antisymmetric under swapping the two (Barber and Candes 2015, Section 2.2):

- ``"lcd"``, the lasso coefficient difference at one alpha (cross-validated
  or given): ``W_j = |b_j| - |b_{j+p}|`` (summed over classes for the
  multinomial);
- ``"lsm"``, the signed maximum of the entry alphas:
  ``W_j = max(Z_j, Z_{j+p}) sign(Z_j - Z_{j+p})`` with ``Z_j`` the alpha at
  which column ``j`` enters the path.  On a grid the entry alpha is only
  known to lie between two grid points, so ``Z_j`` is placed inside that
  interval by the column's score ``|grad_j| / alpha`` at the last grid point
  where it was still zero (1 when it enters there); the score is swap
  symmetric, so ``W`` stays antisymmetric while grid ties are broken.

Thresholds (Barber and Candes 2015, Theorems 1 and 2): with offset ``o``
(1: knockoff+, 0: knockoff),

.. math::

    T = \\min\\left\\{t \\in \\{|W_j| > 0\\}:
    \\frac{o + \\#\\{j: W_j \\le -t\\}}{\\max(1, \\#\\{j: W_j \\ge t\\})}
    \\le q\\right\\},

and ``T = inf`` (nothing selected) when no ``t`` qualifies.
"""

import numbers
import warnings

import numpy as np

from .._families import FAMILIES, deviance, encode_target
from .._threads import single_blas
from ..datafits import Logistic, Multinomial, Poisson, Quadratic
from ..path import alpha_grid, compute_path, glm_problem
from ..penalties import ElasticNetPenalty

__all__ = [
    "knockoff_threshold",
    "knockoff_q_values",
    "lasso_statistic",
    "STATISTICS",
    "FAMILY_DATAFITS",
]

STATISTICS = ("lcd", "lsm")
FAMILY_DATAFITS = {
    "gaussian": Quadratic,
    "binomial": Logistic,
    "poisson": Poisson,
    "multinomial": Multinomial,
}


def check_fdr(fdr, name="fdr"):
    if isinstance(fdr, bool) or not isinstance(fdr, numbers.Real) or not 0 < fdr < 1:
        raise ValueError(f"{name} must lie in (0, 1), got {fdr!r}.")
    return float(fdr)


def check_offset(offset):
    if offset not in (0, 1):
        raise ValueError(
            f"offset must be 0 (knockoff) or 1 (knockoff+), got {offset!r}."
        )
    return int(offset)


def _ratios(W, offset):
    """Candidate thresholds (the sorted non-zero ``|W_j|``) and the estimated
    FDP at each."""
    W = np.asarray(W, dtype=float)
    cand = np.unique(np.abs(W[W != 0]))
    ordered = np.sort(W)
    neg = np.searchsorted(ordered, -cand, side="right")
    pos = W.size - np.searchsorted(ordered, cand, side="left")
    return cand, (offset + neg) / np.maximum(1, pos)


def knockoff_threshold(W, fdr=0.1, offset=1):
    """The knockoff (``offset=0``) or knockoff+ (``offset=1``) threshold.

    The threshold is the smallest non-zero ``|W_j|`` at which the estimated
    false discovery proportion is at most ``q`` (Barber and Candes 2015,
    Theorems 1 and 2):

    .. math::

        T = \\min\\left\\{t \\in \\{|W_j| > 0\\}:
        \\frac{o + \\#\\{j: W_j \\le -t\\}}{\\max(1, \\#\\{j: W_j \\ge t\\})}
        \\le q\\right\\},

    with offset ``o``.  Selecting ``{j: W_j >= T}`` controls the false
    discovery rate at ``q`` with ``o = 1`` (knockoff+), and a modified FDR,
    ``E[V / (|S| + 1/q)]``, with ``o = 0`` (knockoff).

    Parameters
    ----------
    W : array-like of shape (n_features,)
        Knockoff statistics.
    fdr : float in (0, 1), default=0.1
        Target false discovery rate ``q``.
    offset : {0, 1}, default=1
        ``o``: 1 for knockoff+, 0 for knockoff.

    Returns
    -------
    threshold : float
        ``inf`` when no candidate reaches an estimated FDP of ``fdr``: then
        no feature is selected.

    See Also
    --------
    knockoff_q_values : The smallest ``fdr`` that selects each feature.
    knockoff_select : The whole filter, from the data.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import knockoff_threshold
    >>> W = np.array([3.0, 2.5, 2.0, 1.5, 1.0, -0.5, 0.2, 0.0])
    >>> knockoff_threshold(W, fdr=0.2)
    1.0
    >>> knockoff_threshold(W, fdr=0.2, offset=0)
    0.2
    >>> knockoff_threshold(W, fdr=0.1)
    inf
    """
    fdr, offset = check_fdr(fdr), check_offset(offset)
    cand, ratio = _ratios(W, offset)
    ok = np.flatnonzero(ratio <= fdr)
    return float(cand[ok[0]]) if ok.size else np.inf


def min_achievable_fdr(W, offset=1):
    """The smallest estimated FDP over all candidate thresholds: the lowest
    ``fdr`` at which the filter selects anything (inf if every W is 0)."""
    _, ratio = _ratios(W, check_offset(offset))
    return float(ratio.min()) if ratio.size else np.inf


def knockoff_q_values(W, offset=1):
    """Knockoff q-values: the smallest ``fdr`` at which each feature is selected.

    Feature ``j`` passes the threshold of :func:`knockoff_threshold` at level
    ``q`` exactly when some candidate ``t <= W_j`` has an estimated false
    discovery proportion ``FDP_hat(t) = (o + #{k: W_k <= -t}) /
    max(1, #{k: W_k >= t})`` of at most ``q``, so its q-value is
    ``min_{t <= W_j} FDP_hat(t)`` for ``W_j > 0`` (capped at 1), and 1 for
    ``W_j <= 0`` (never selected).  Selecting ``q_values <= fdr`` gives the
    same features as the threshold at ``fdr``.

    Parameters
    ----------
    W : array-like of shape (n_features,)
        Knockoff statistics.
    offset : {0, 1}, default=1
        ``o``: 1 for knockoff+, 0 for knockoff.

    Returns
    -------
    q_values : ndarray of shape (n_features,)
        The q-value of each feature, in (0, 1].

    See Also
    --------
    knockoff_threshold : The threshold at one ``fdr``.
    knockoff_select : The whole filter, from the data.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import knockoff_q_values
    >>> W = np.array([3.0, 2.5, 2.0, 1.5, 1.0, -0.5, 0.2, 0.0])
    >>> knockoff_q_values(W).round(3).tolist()
    [0.2, 0.2, 0.2, 0.2, 0.2, 1.0, 0.333, 1.0]
    """
    W = np.asarray(W, dtype=float)
    cand, ratio = _ratios(W, check_offset(offset))
    q = np.ones(W.size)
    if cand.size:
        running = np.minimum.accumulate(ratio)
        pos = W > 0
        idx = np.searchsorted(cand, W[pos], side="right") - 1
        q[pos] = np.minimum(running[idx], 1.0)
    return q


def warn_empty(W, fdr, offset):
    """The message (also warned) when the threshold is infinite."""
    low = min_achievable_fdr(W, offset)
    message = (
        f"the knockoff{'+' if offset else ''} threshold at fdr={fdr:g} is "
        f"infinite: no feature is selected; the smallest fdr that selects "
        f"anything with these statistics is {low:.3g}"
    )
    warnings.warn(message, UserWarning, stacklevel=3)
    return message


def lasso_statistic(X, Xk, y, *, family, statistic, alpha, cv, n_alphas, tol, name):
    """Knockoff statistics ``W`` from the lasso on ``[X, Xk]``.

    Returns
    -------
    W : ndarray of shape (n_features,)
    alpha : float or None
        The alpha of ``"lcd"`` (None for ``"lsm"``).
    certificate : tuple (max relative gap, list of non-converged fit names)
    """
    n, p = X.shape
    # Column-major, as the solvers' kernels read it: no copy per path.
    Z = np.empty((n, 2 * p), order="F")
    Z[:, :p], Z[:, p:] = X, Xk
    if statistic == "lsm":
        datafit = FAMILY_DATAFITS[family]()
        path = compute_path(Z, y, datafit, n_alphas=n_alphas, tol=tol, progress=False)
        score = _entry_scores(path, Z, y, family)
        W = np.maximum(score[:p], score[p:]) * np.sign(score[:p] - score[p:])
        return W, None, _certificate(path, tol, f"{name} path")
    # One BLAS limit for the whole statistic rather than one per solve.
    with single_blas():
        return _lcd(Z, y, family, alpha, cv, n_alphas, tol, name)


def _lcd(Z, y, family, alpha, cv, n_alphas, tol, name):
    """The ``"lcd"`` statistic at ``alpha``, or at the cross-validated alpha.

    The full data's problem is built once, for its alpha_max and its fit.
    With a cross-validated alpha that fit is one solve at that alpha, started
    from the mean of the folds' fits there (each on 1 - 1/K of the rows, the
    nearest points known), rather than a path down the grid to it: the same
    certified tolerance, one solve instead of one per grid point above it.
    """
    p, y = Z.shape[1] // 2, np.asarray(y)
    problem = _problem(Z, y, family, tol, encode_target(family, y, y.shape[0])[1])
    alpha_max, w_top = problem.alpha_max()
    if alpha is None:
        grid = alpha_grid(alpha_max, n_alphas, None, *Z.shape)
        alpha, folds_cert, w_folds = cv_alpha(
            Z, y, family, grid, cv, tol, name, return_mean=True
        )
        results, grid = [problem.solve(alpha, w_folds)], [alpha]
    else:
        folds_cert = (0.0, [])
        grid = np.geomspace(max(alpha_max, alpha), alpha, n_alphas)
        fold = dict(problem=problem, w=w_top.copy(), prev=max(alpha_max, grid[0]))
        fold["grad"] = problem.grad_neg(w_top)
        # As compute_path's runner: warm starts and the strong rule down the grid.
        results = [_fold_step(fold, a, tol)[0] for a in grid]
    gap, bad = _gap_record(
        grid,
        np.array([r.dual_gap for r in results]),
        np.array([r.tol_abs for r in results]),
        tol,
        f"{name} path",
    )
    coef, _ = problem.unpack(results[-1])
    coef = np.abs(coef.reshape(-1, 2 * p)).sum(axis=0)
    cert = (max(gap, folds_cert[0]), folds_cert[1] + bad)
    return coef[:p] - coef[p:], float(alpha), cert


def _problem(Z, y, family, tol, classes, fit_intercept=True):
    """The lasso problem of ``family`` on ``(Z, y)``."""
    problem, _ = glm_problem(
        Z,
        y,
        family,
        ElasticNetPenalty(1.0, 1.0),
        None,
        None,
        fit_intercept,
        False,
        "ungrouped",
        "auto",
        tol,
        10_000,
        classes=classes,
    )
    return problem


def cv_alpha(
    Z,
    y,
    family,
    alphas,
    cv,
    tol,
    name,
    stop_ratio=1.25,
    fit_intercept=True,
    return_mean=False,
):
    """The alpha of least mean held-out deviance, the folds' paths run side by
    side and stopped early.

    Every fold's path is warm-started down the grid, one alpha at a time for
    all folds; once the grid has gone a factor ``stop_ratio`` below the best
    alpha so far without a lower mean deviance (mean squared error for least
    squares), the rest of the grid is not fitted.  The statistic only needs
    the fit at the chosen alpha, and the expensive part of a path is its
    small-alpha tail, where the fits are dense.  The rule depends on the
    columns only through the fits, so swapping a feature with its knockoff
    leaves it unchanged and ``W`` stays antisymmetric.  ``fit_intercept``
    as in :func:`~sparsefit.compute_path`.

    Returns ``(alpha, (largest relative gap, non-converged fit names))``,
    and with ``return_mean`` also the mean of the folds' coefficients at
    that alpha (flat, as ``Problem.solve`` takes them).
    """
    datafit = FAMILIES[family]
    y = np.asarray(y)
    _, classes = encode_target(family, y, y.shape[0])
    folds = []
    splits = cv.split(Z, y) if hasattr(cv, "split") else cv
    for i, (train, test) in enumerate(splits):
        # Rows of a column-major Z, taken column-major in one copy.
        Z_train = Z.T[:, train].T if Z.flags.f_contiguous else Z[train]
        problem = _problem(
            np.asfortranarray(Z_train), y[train], family, tol, classes, fit_intercept
        )
        amax, w = problem.alpha_max()
        target = encode_target(family, y[test], test.size, classes)[0]
        fold = dict(problem=problem, w=w, grad=problem.grad_neg(w), prev=amax)
        folds.append(dict(fold, X=Z[test], target=target, name=f"{name} fold {i}"))
    best, best_k, gaps, bad, mean_w = np.inf, 0, [0.0], [], None
    for k, alpha in enumerate(alphas):
        loss = 0.0
        for fold in folds:
            res, gap = _fold_step(fold, alpha, tol)
            gaps.append(gap)
            if res.dual_gap > res.tol_abs:
                bad.append(f"{fold['name']} at alpha={alpha:.4g}")
            loss += _held_out(fold, res, datafit)
        if loss < best:
            best, best_k = loss, k
            mean_w = np.mean([fold["w"] for fold in folds], axis=0)
        elif alpha * stop_ratio <= alphas[best_k]:
            break
    if return_mean:
        return float(alphas[best_k]), (max(gaps), bad), mean_w
    return float(alphas[best_k]), (max(gaps), bad)


def _fold_step(fold, alpha, tol):
    """Solve one fold at ``alpha`` from its last point (strong rule, warm
    start, as along a path); returns the result and its relative gap."""
    problem = fold["problem"]
    strong = problem.strong_set(fold["grad"], alpha, fold["prev"])
    res = problem.solve(alpha, fold["w"], strong)
    fold.update(w=res.coef, grad=res.grad_neg, prev=alpha)
    rel = res.dual_gap * tol / res.tol_abs if res.tol_abs > 0 else 0.0
    return res, rel


def _held_out(fold, res, datafit):
    """Held-out deviance of a fold's fit (twice the mean datafit)."""
    coef, intercept = fold["problem"].unpack(res)
    K = np.size(intercept)
    W = coef.reshape(K, -1).T
    # Only the support's columns: along the path most coefficients are 0.
    support = np.flatnonzero(W.any(axis=1))
    link = fold["X"][:, support] @ W[support] + intercept
    link = link[:, 0] if K == 1 else link
    return deviance(datafit, fold["target"], link[..., None])[0]


def _entry_scores(path, Z, y, family):
    """Entry alphas refined inside their grid interval (module docstring)."""
    if family == "multinomial":
        raise ValueError(
            "statistic='lsm' is not available for the multinomial family; "
            "use statistic='lcd'."
        )
    alphas = path.alphas
    # The link is the mean for least squares (kind="response" is not
    # available on a gaussian path).
    kind = "link" if family == "gaussian" else "response"
    mean = path.predict(Z, kind=kind)
    target = np.asarray(y, dtype=float)
    if family == "binomial":
        target = (np.asarray(y) == path.classes[1]).astype(float)
    grad = np.abs(Z.T @ (target[:, None] - mean)) / Z.shape[0]
    nonzero = path.coefs.toarray() != 0
    entered = nonzero.any(axis=1)
    k = np.where(entered, nonzero.argmax(axis=1), len(alphas))
    score = np.empty(Z.shape[1])
    for j in range(Z.shape[1]):
        if k[j] == 0:
            score[j] = alphas[0]
            continue
        before = alphas[k[j] - 1]
        after = alphas[k[j]] if k[j] < len(alphas) else 0.0
        frac = min(grad[j, k[j] - 1] / before, 1.0) if before > 0 else 0.0
        score[j] = after + (before - after) * frac
    return score


def _certificate(path, tol, name):
    """Largest relative duality gap of a path and its non-converged points.

    ``gap_tols`` is ``tol * P(w)``, so ``dual_gap * tol / gap_tol`` is the
    gap relative to the objective."""
    return _gap_record(path.alphas, path.dual_gaps, path.gap_tols, tol, name)


def _gap_record(alphas, gaps, limits, tol, name):
    """``(largest relative gap, non-converged point names)`` of the points
    at ``alphas`` with duality gaps ``gaps`` and absolute targets ``limits``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(limits > 0, gaps * tol / limits, np.where(gaps > 0, np.inf, 0))
    bad = [
        f"{name} at alpha={a:.4g}"
        for a, g, t in zip(alphas, gaps, limits, strict=True)
        if g > t
    ]
    return float(rel.max()) if rel.size else 0.0, bad
