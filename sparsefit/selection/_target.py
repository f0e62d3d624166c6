"""Target size: the alphas of a path whose support has exactly k features.

Along a lasso path the number of non-zero features is piecewise constant in
alpha and may go down as well as up (a feature can leave).  The grid points
give the sizes at the path's alphas; between two grid points whose sizes
bracket k, bisection on log alpha (each point a warm-started, certified fit)
finds an alpha of size k, and bisection on each side of every run of size k
then locates the ends of the interval, to ``rtol`` in log alpha.
"""

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_scalar_range
from ._record import path_certificate

__all__ = ["TargetSize", "alphas_for_size"]


@dataclass(frozen=True)
class TargetSize:
    """Where a path's support has ``k`` features.

    The support of the lasso path ``w(alpha)`` of :func:`sparsefit.compute_path`
    is piecewise constant in alpha and its size may fall as well as rise (a
    feature can leave), so the set ``{alpha: |support(w(alpha))| = k}`` is a
    union of intervals, possibly empty (when several features enter at the
    same alpha).  This is what :func:`alphas_for_size` found of that set:
    every interval, each end a certified fit of size ``k`` located to
    ``rtol`` in log alpha, or the nearest sizes when there is none.  Every
    parameter is also an attribute of the same name.

    Parameters
    ----------
    k : int
        The wanted number of features.
    found : bool
        Whether some alpha gives exactly ``k`` features.
    intervals : list of (float, float)
        ``(alpha_high, alpha_low)`` of every interval of size k, largest
        alphas first; both ends are certified fits of size k (``inf`` above
        alpha_max for k = 0).
    alpha : float or None
        An alpha of the first interval: its geometric middle, or its lower
        end when the interval is unbounded (k = 0); None when not found.
    support : ndarray of int or None
        The features of the fit at ``alpha`` (empty when not found).
    below : (int, float) or None
        When not found: the largest size reached below k, with an alpha where
        it holds; None otherwise.
    above : (int, float) or None
        When not found: the smallest size reached above k, with an alpha
        where it holds; None otherwise.
    message : str
        What was found, in words.
    max_gap : float
        Largest certified relative gap of the fits used (path and refits).
    not_converged : list of str
        Fits that stopped short of their tolerance.

    See Also
    --------
    alphas_for_size : Computes it.
    sparsefit.PathResult.alphas_for_size : The same, as a method of the path.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import compute_path
    >>> from sparsefit.selection import alphas_for_size
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> y = 2 * X[:, 0] - 2 * X[:, 1] + rng.standard_normal(100)
    >>> target = alphas_for_size(compute_path(X, y, n_alphas=30), 2)
    >>> target.found, target.support.tolist(), len(target.intervals)
    (True, [0, 1], 1)
    >>> target.message
    '1 interval(s) of alpha with exactly 2 features'
    """

    k: int
    found: bool
    intervals: list = field(default_factory=list)
    alpha: float = None
    support: np.ndarray = None
    below: tuple = None
    above: tuple = None
    message: str = ""
    max_gap: float = 0.0
    not_converged: list = field(default_factory=list)


class _Sizes:
    """Support sizes at alphas: the path's grid, then certified refits."""

    def __init__(self, path, tol):
        self.path, self.tol = path, tol
        self.p = path.entry_alphas.shape[0]
        relative, failed = path_certificate(path, tol)
        self.max_gap = float(np.max(relative)) if relative.size else 0.0
        self.not_converged = [f"path, alpha index {k}" for k in failed]
        self.points = {}
        coefs = path.coefs.tocsc()
        for k, alpha in enumerate(path.alphas):
            self.points[float(alpha)] = self._support(coefs[:, k].toarray().ravel())

    def _support(self, coef):
        return np.unique(np.flatnonzero(np.asarray(coef).ravel()) % self.p)

    def size(self, alpha):
        return self.support(alpha).size

    def support(self, alpha):
        alpha = float(alpha)
        if alpha not in self.points:
            self.points[alpha] = self._refit(alpha)
        return self.points[alpha]

    def _refit(self, alpha):
        """A certified fit at ``alpha``, warm-started from the nearest grid
        point; zeros settled as the estimators settle them."""
        problem, alphas = self.path._problem, self.path.alphas
        k = int(np.argmin(np.abs(np.log(alphas) - np.log(alpha))))
        start = problem.from_original(self.path.coefs[:, k].toarray().ravel())
        res = problem.settle_zeros(alpha, problem.solve(alpha, start))
        gap, bound = float(res.dual_gap), float(res.tol_abs)
        self.max_gap = max(self.max_gap, self.tol * gap / bound if bound > 0 else 0.0)
        if not gap <= bound:
            self.not_converged.append(f"refit at alpha {alpha:.10g}")
        return self._support(problem.unpack(res)[0])


def _find_in_segment(sizes, high, low, k, rtol):
    """An alpha of size k strictly inside a segment whose end sizes bracket
    k, or None."""
    while np.log(high) - np.log(low) > rtol:
        mid = float(np.sqrt(high * low))
        s = sizes.size(mid)
        if s == k:
            return mid
        # Keep the half whose end sizes still bracket k.
        if (sizes.size(high) - k) * (s - k) < 0:
            low = mid
        else:
            high = mid
    return None


def _runs(sizes, k):
    """Maximal runs of consecutive evaluated alphas of size k."""
    alphas = sorted(sizes.points, reverse=True)
    runs, current = [], []
    for i, a in enumerate(alphas):
        if sizes.size(a) == k:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return alphas, runs


def _edges(sizes, alphas, run, k, rtol):
    """The ends of one run of size k, refined against its neighbours."""
    top, bottom = alphas[run[0]], alphas[run[-1]]
    if run[0] > 0:
        top = _upper(sizes, top, alphas[run[0] - 1], k, rtol)
    elif k == 0:
        top = np.inf
    if run[-1] < len(alphas) - 1:
        bottom = _lower(sizes, bottom, alphas[run[-1] + 1], k, rtol)
    return top, bottom


def _upper(sizes, inner, outer, k, rtol):
    """Largest alpha of size k found between ``inner`` (size k) and the larger
    ``outer`` (another size)."""
    while np.log(outer) - np.log(inner) > rtol:
        mid = float(np.sqrt(outer * inner))
        if sizes.size(mid) == k:
            inner = mid
        else:
            outer = mid
    return inner


def _lower(sizes, inner, outer, k, rtol):
    """Smallest alpha of size k found between ``inner`` (size k) and the
    smaller ``outer`` (another size)."""
    while np.log(inner) - np.log(outer) > rtol:
        mid = float(np.sqrt(outer * inner))
        if sizes.size(mid) == k:
            inner = mid
        else:
            outer = mid
    return inner


def _check_k(path, k, name="k"):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(
            f"{name} must be an int >= 0 (a number of features), got {k!r}."
        )
    largest = int(np.max(path.n_nonzero))
    if k > largest:
        at = float(path.alphas[int(np.argmax(path.n_nonzero))])
        raise ValueError(
            f"{name}={k} is above the largest support size on this path, {largest} "
            f"(at alpha {at:.6g}; at most min(n_samples, n_features) for the "
            f"lasso); ask for {name} <= {largest}, or extend the path to smaller "
            "alphas (a smaller eps)."
        )
    return int(k)


def alphas_for_size(path, k, *, rtol=1e-4, tol=None, name="k"):
    """The alpha interval(s) where the path's support has exactly ``k`` features.

    The support size of the path's fits is known at its grid alphas.  Between
    two neighbouring grid points whose sizes lie on either side of ``k``,
    bisection on log alpha (each point a certified fit, warm-started from the
    nearest grid point) looks for an alpha of size ``k``; then bisection on
    each side of every run of size-``k`` alphas locates the ends of the
    interval to ``rtol`` in log alpha.  The result lists every interval, so a
    size reached twice (a feature leaving and another entering) is not
    missed on the grid's account, though an interval narrower than the
    bisection can resolve may be.

    Parameters
    ----------
    path : PathResult
        A path built with its data (every path of :func:`compute_path`).
    k : int
        Wanted number of non-zero features (for several classes: features
        with a non-zero coefficient for any class).
    rtol : float, default=1e-4
        Width of the final brackets in log alpha. The fits themselves decide a
        feature's zero status to their own accuracy, so a much smaller rtol
        does not locate the ends more truly.
    tol : float or None
        The path's ``tol`` (to report relative gaps); None reads it from the
        path's solver.
    name : str, default="k"
        How error messages name ``k`` (an estimator's ``n_nonzero``).

    Returns
    -------
    TargetSize
        The intervals, an alpha inside the first and its support, or, when
        no alpha gives ``k`` features, the nearest sizes and a message.

    Raises
    ------
    ValueError
        When ``k`` is above the largest size on the path (the message names
        it), or the path has no data to refit.

    See Also
    --------
    TargetSize : The result.
    sparsefit.compute_path : Builds the path.
    sparsefit.PathResult.alphas_for_size : The same, as a method of the path.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import compute_path
    >>> from sparsefit.selection import alphas_for_size
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> y = 2 * X[:, 0] - 2 * X[:, 1] + rng.standard_normal(100)
    >>> path = compute_path(X, y, n_alphas=30)
    >>> target = alphas_for_size(path, 2)
    >>> [(round(high, 3), round(low, 3)) for high, low in target.intervals]
    [(1.863, 0.247)]
    >>> target.support.tolist(), path.coef(target.alpha).nonzero()[0].tolist()
    ([0, 1], [0, 1])
    >>> alphas_for_size(path, 0).intervals[0][0]
    inf
    """
    if path._problem is None:
        raise ValueError(
            "alphas_for_size needs the path's data; this path was built without it."
        )
    k = _check_k(path, k, name)
    rtol = check_scalar_range(rtol, "rtol", low=0.0, low_open=True)
    if tol is None:
        tol = getattr(getattr(path._problem, "solver", None), "tol", 1e-4)
    sizes = _Sizes(path, tol)
    grid = [float(a) for a in path.alphas]
    for high, low in zip(grid[:-1], grid[1:], strict=True):
        s_high, s_low = sizes.size(high), sizes.size(low)
        if (s_high - k) * (s_low - k) < 0:
            _find_in_segment(sizes, high, low, k, rtol)
    alphas, runs = _runs(sizes, k)
    if not runs:
        return _not_found(sizes, k)
    intervals = [_edges(sizes, alphas, run, k, rtol) for run in runs]
    top, bottom = intervals[0]
    alpha = bottom if not np.isfinite(top) else float(np.sqrt(top * bottom))
    support = sizes.support(alpha)
    return TargetSize(
        k=k,
        found=True,
        intervals=[(float(a), float(b)) for a, b in intervals],
        alpha=float(alpha),
        support=support,
        message=f"{len(intervals)} interval(s) of alpha with exactly {k} features",
        max_gap=sizes.max_gap,
        not_converged=list(sizes.not_converged),
    )


def _not_found(sizes, k):
    alphas = sorted(sizes.points, reverse=True)
    below = [(sizes.size(a), a) for a in alphas if sizes.size(a) < k]
    above = [(sizes.size(a), a) for a in alphas if sizes.size(a) > k]
    near_below = max(below, key=lambda t: (t[0], t[1])) if below else None
    near_above = min(above, key=lambda t: (t[0], -t[1])) if above else None
    parts = [f"no alpha on this path gives exactly {k} features"]
    if near_below:
        parts.append(f"{near_below[0]} at alpha {near_below[1]:.6g}")
    if near_above:
        parts.append(f"{near_above[0]} at alpha {near_above[1]:.6g}")
    message = parts[0] + (
        "; the nearest sizes are " + " and ".join(parts[1:]) if len(parts) > 1 else ""
    )
    return TargetSize(
        k=k,
        found=False,
        support=np.array([], dtype=int),
        below=None if near_below is None else (int(near_below[0]), near_below[1]),
        above=None if near_above is None else (int(near_above[0]), near_above[1]),
        message=message + " (several features enter at the same alpha).",
        max_gap=sizes.max_gap,
        not_converged=list(sizes.not_converged),
    )
