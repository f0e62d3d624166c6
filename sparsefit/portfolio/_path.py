"""Whole paths of sparse portfolios and sparse index trackers."""

import numbers
from dataclasses import dataclass

import numpy as np

from ._homotopy import Homotopy, InfeasibleError, follow_path, set_start

__all__ = ["PortfolioPath", "portfolio_path", "tracking_path"]


@dataclass(frozen=True, eq=False)
class PortfolioPath:
    """Every breakpoint of a sparse portfolio (or index-tracking) path.

    The weights solve, for every ``tau >= taus[-1]``,

    .. math::

        \\min_w \\frac{1}{T} \\|t - R_c w\\|^2 + \\tau \\sum_j v_j |w_j|
        \\quad \\text{s.t. the constraints and bounds of the call,}

    (see :func:`portfolio_path` and :func:`tracking_path` for ``t`` and
    ``R_c``) and are linear in ``tau`` between breakpoints; above ``taus[0]``
    they do not change.  :func:`portfolio_path` and :func:`tracking_path`
    build it.

    Parameters
    ----------
    taus : ndarray of shape (n_breakpoints,)
        Decreasing; the last is ``tau_min``.
    weights : ndarray of shape (n_breakpoints, n_assets)
        The portfolio at each breakpoint.
    events : list of (float, int, str)
        ``(tau, asset, kind)`` with kind "enter", "leave", "upper", "lower"
        (a weight reaches that bound) or "release" (it leaves its bound).
    n_holdings : ndarray of shape (n_breakpoints,)
        Number of nonzero weights.
    variance : ndarray of shape (n_breakpoints,)
        In-sample variance of the portfolio's returns (for a tracking path:
        the mean squared tracking error).
    expected_return : ndarray of shape (n_breakpoints,)
        In-sample mean return.
    gross_exposure : ndarray of shape (n_breakpoints,)
        ``||w||_1``, non-increasing in ``tau`` with the uniform penalty (with
        penalty factors ``sum_j v_j |w_j|`` is, and ``||w||_1`` need not be).
    asset_names : ndarray of str or None
        The column names of ``X`` when it was a DataFrame.
    complete : bool
        False when the step safeguard stopped the path above ``tau_min``.

    See Also
    --------
    portfolio_path : The path of the sparse minimum-variance portfolio.
    tracking_path : The path of sparse index tracking.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.portfolio import tracking_path
    >>> rng = np.random.default_rng(0)
    >>> R = rng.normal(0.0005, 0.01, size=(250, 6))
    >>> index = R[:, :3].mean(axis=1)  # an equal-weight index of 3 assets
    >>> path = tracking_path(R, index)
    >>> path.n_holdings.tolist()
    [0, 1, 2, 3]
    >>> path.weights[-1].round(3).tolist()
    [0.333, 0.333, 0.333, 0.0, 0.0, 0.0]
    >>> path.breakpoints_with(2).tolist()
    [2]
    """

    taus: np.ndarray
    weights: np.ndarray
    events: list
    n_holdings: np.ndarray
    variance: np.ndarray
    expected_return: np.ndarray
    gross_exposure: np.ndarray
    asset_names: object
    complete: bool

    def weights_at(self, tau):
        """Return the weights at ``tau``.

        Raises a ValueError below ``taus[-1]``, where the path ends.

        Parameters
        ----------
        tau : float
            The penalty level, ``>= taus[-1]``.

        Returns
        -------
        weights : ndarray of shape (n_assets,)
            Exact: linear interpolation between breakpoints, constant above
            ``taus[0]``.
        """
        tau = _check_tau(tau, self.taus[-1])
        knots = self.taus
        if knots.size == 1 or tau >= knots[0]:
            return self.weights[0].copy()
        i = int(np.searchsorted(-knots, -tau, side="left"))
        i = min(max(i, 1), knots.size - 1)
        hi, lo = knots[i - 1], knots[i]
        frac = (hi - tau) / (hi - lo)
        return self.weights[i - 1] * (1.0 - frac) + self.weights[i] * frac

    def tau_at_gross_exposure(self, gross_exposure):
        """Return the largest ``tau`` whose portfolio has ``||w||_1 = gross_exposure``.

        The penalised problem at that ``tau`` solves the one with the limit
        ``||w||_1 <= gross_exposure`` instead of the penalty (Lagrange
        duality).  A limit above the path's last exposure does not bind: the
        last breakpoint is returned.  Raises a ValueError when ``||w||_1`` is
        not monotone along the path (penalty factors) or the limit is below
        the least exposure on it.

        Parameters
        ----------
        gross_exposure : float
            The limit on ``||w||_1``.

        Returns
        -------
        tau : float
            The penalty level; ``taus[-1]`` when the limit does not bind.
        """
        c = self.gross_exposure
        value = _check_real(gross_exposure, "gross_exposure")
        if (np.diff(c) < -1e-12 * c[:-1]).any():
            raise ValueError(
                "gross_exposure cannot select a point on this path: ||w||_1 is "
                "not monotone along it (penalty factors); use tau or n_holdings, "
                "or penalty_factor=None."
            )
        if value < c[0] * (1 - 1e-12):
            raise ValueError(
                f"gross_exposure must be >= {c[0]:.6g}, the least gross exposure "
                f"any portfolio meeting the constraints has; got {value!r}."
            )
        if value >= c[-1]:
            return float(self.taus[-1])
        i = int(np.searchsorted(c, value, side="left"))
        if i == 0 or c[i] == c[i - 1]:
            return float(self.taus[i])
        frac = (value - c[i - 1]) / (c[i] - c[i - 1])
        return float(self.taus[i - 1] + frac * (self.taus[i] - self.taus[i - 1]))

    def breakpoints_with(self, n_holdings):
        """Return the indices of the breakpoints holding exactly ``n_holdings`` assets.

        Parameters
        ----------
        n_holdings : int
            The number of nonzero weights.

        Returns
        -------
        indices : ndarray of int
            Into ``taus`` and ``weights``; empty when no breakpoint holds
            that many.
        """
        return np.flatnonzero(self.n_holdings == n_holdings)

    def to_frame(self):
        """Return the breakpoints as a pandas DataFrame (one row each).

        Returns
        -------
        frame : pandas.DataFrame
            Columns ``tau``, ``n_holdings``, ``variance``,
            ``expected_return``, ``gross_exposure``, then one per asset (its
            name, or ``w{j}``).
        """
        import pandas as pd

        names = (
            list(self.asset_names)
            if self.asset_names is not None
            else [f"w{j}" for j in range(self.weights.shape[1])]
        )
        frame = pd.DataFrame(self.weights, columns=names)
        frame.insert(0, "gross_exposure", self.gross_exposure)
        frame.insert(0, "expected_return", self.expected_return)
        frame.insert(0, "variance", self.variance)
        frame.insert(0, "n_holdings", self.n_holdings)
        frame.insert(0, "tau", self.taus)
        return frame


def _check_real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    return value


def _check_tau(tau, tau_min):
    tau = _check_real(tau, "tau")
    if tau < tau_min:
        raise ValueError(
            f"tau must be >= {tau_min:.6g}, where the path ends; got {tau!r}."
        )
    return tau


def check_returns(X, name="X"):
    """Returns as a float64 (n_days, n_assets) array and the asset names."""
    import scipy.sparse as sp

    names = None
    if hasattr(X, "columns"):
        names = np.asarray([str(c) for c in X.columns], dtype=object)
    if sp.issparse(X):
        raise ValueError(
            f"{name} is sparse: sparse input is not supported (returns are dense)."
        )
    if np.iscomplexobj(X):
        raise ValueError(f"Complex data not supported in {name}.")
    R = np.asarray(X, dtype=np.float64)
    if R.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_days, n_assets), got shape {R.shape}. Reshape "
            "your data (one column per asset)."
        )
    if R.shape[0] == 0 or R.shape[1] == 0:
        raise ValueError(
            f"{name} has {R.shape[0]} sample(s) and 0 feature(s) (shape={R.shape}) "
            "while a minimum of 1 is required."
            if R.shape[1] == 0
            else f"{name} has 0 sample(s) (shape={R.shape}) while a minimum of 1 "
            "is required."
        )
    bad = ~np.isfinite(R)
    if bad.any():
        day, asset = np.argwhere(bad)[0]
        label = names[asset] if names is not None else f"column {asset}"
        raise ValueError(
            f"{name} holds NaN or infinite returns ({int(bad.sum())} entries; first "
            f"at row {day}, {label}). Drop or fill them first (prices_to_returns "
            "drops leading rows with missing prices)."
        )
    return R, names


def check_bounds(lower, upper, n_assets):
    """Per-asset bounds with ``lower <= 0 <= upper``."""
    out = []
    for value, name, default in ((lower, "lower", -np.inf), (upper, "upper", np.inf)):
        if value is None:
            out.append(np.full(n_assets, default))
            continue
        arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (n_assets,)).copy()
        if np.isnan(arr).any():
            raise ValueError(f"{name} holds NaN.")
        out.append(arr)
    lo, up = out
    if (lo > 0).any() or (up < 0).any():
        j = int(np.flatnonzero((lo > 0) | (up < 0))[0])
        raise ValueError(
            f"bounds must contain 0 for every asset (lower <= 0 <= upper); asset "
            f"{j} has lower={lo[j]!r}, upper={up[j]!r}."
        )
    return lo, up


def check_penalty_factor(penalty_factor, R):
    """``v``: ones, the assets' volatilities ("volatility"), or an array > 0."""
    N = R.shape[1]
    if penalty_factor is None:
        return np.ones(N)
    if isinstance(penalty_factor, str):
        if penalty_factor != "volatility":
            raise ValueError(
                "penalty_factor must be None, 'volatility' or an array of "
                f"positive factors; got {penalty_factor!r}."
            )
        vol = R.std(axis=0)
        if not (vol > 0).all():
            j = int(np.flatnonzero(~(vol > 0))[0])
            raise ValueError(
                f"penalty_factor='volatility' needs every asset to vary; asset {j} "
                "has constant returns."
            )
        return vol / vol.mean()
    v = np.broadcast_to(np.asarray(penalty_factor, dtype=np.float64), (N,)).copy()
    if not (np.isfinite(v).all() and (v > 0).all()):
        raise ValueError("penalty_factor must be finite and > 0 for every asset.")
    return v


def _run(Z, t, A, b, v, lower, upper, tau_min, R, names):
    path = Homotopy(Z, t, A, b, v, lower, upper)
    set_start(path)
    raw = follow_path(path, tau_min=tau_min)
    taus, W = raw.taus, raw.weights
    if np.isinf(taus[0]):
        taus, W = taus[1:], W[1:]
    resid = W @ Z.T - (t if t is not None else 0.0)
    variance = np.mean(resid**2, axis=1)
    mean = R.mean(axis=0)
    return PortfolioPath(
        taus=taus,
        weights=W,
        events=raw.events,
        n_holdings=np.count_nonzero(W, axis=1),
        variance=variance,
        expected_return=W @ mean,
        gross_exposure=np.abs(W).sum(axis=1),
        asset_names=names,
        complete=raw.complete,
    )


def portfolio_path(
    X,
    *,
    target_return=None,
    lower=None,
    upper=None,
    penalty_factor=None,
    tau_min=0.0,
):
    """Every breakpoint of the L1-penalised minimum-variance portfolio.

    For every ``tau >= tau_min`` the weights solve the problem of Brodie,
    Daubechies, De Mol, Giannone and Loris (PNAS 2009),

    .. math::

        \\min_w \\frac{1}{T} \\|\\rho 1 - R w\\|^2 + \\tau \\sum_j v_j |w_j|
        \\quad \\text{s.t.}\\quad 1'w = 1,\\ \\hat\\mu' w = \\rho,
        \\ l \\le w \\le u,

    with ``R`` the (T, N) returns and ``hat mu`` their means; under the
    constraints the first term is the portfolio's in-sample variance
    ``w' Sigma w`` (``Sigma`` with divisor T).  Without ``target_return`` the
    return constraint is dropped and the first term is that variance (the
    problem above minimised over ``rho`` too).  Shorts are allowed unless the
    bounds forbid them.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_days, n_assets)
        Asset returns (see :func:`prices_to_returns`); no NaN.
    target_return : float, default=None
        ``rho``, the in-sample mean return the portfolio must have (same
        periodicity as ``X``).
    lower, upper : float or array-like of shape (n_assets,), default=None
        Bounds on the weights, with ``lower <= 0 <= upper`` (None: none).
        ``lower=0`` forbids shorts: with the budget constraint the penalty is
        then constant (``||w||_1 = 1``) unless ``penalty_factor`` varies.
    penalty_factor : None, "volatility" or array-like of shape (n_assets,)
        ``v_j > 0``; "volatility" uses each asset's standard deviation (over
        its mean), so that the penalty ``sum_j sigma_j |w_j|`` is the
        portfolio's volatility without diversification.  With it the path
        starts from one asset (two with a return target) and adds names one
        at a time, long-only or not.
    tau_min : float, default=0.0
        Where the path stops.

    Returns
    -------
    path : PortfolioPath
        Every breakpoint, with its weights, holdings, variance, mean return
        and gross exposure.

    Raises
    ------
    ValueError
        NaN returns, too few days, bounds without 0, or a ``target_return``
        that no portfolio within the bounds attains.

    See Also
    --------
    SparsePortfolio : One point of the path, as an estimator.
    tracking_path : The path of sparse index tracking.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.portfolio import portfolio_path
    >>> rng = np.random.default_rng(0)
    >>> R = rng.normal(0.0005, 0.01, size=(250, 6))
    >>> path = portfolio_path(R)
    >>> bool(np.allclose(path.weights.sum(axis=1), 1.0))
    True
    """
    R, names = check_returns(X)
    T, N = R.shape
    lower, upper = check_bounds(lower, upper, N)
    v = check_penalty_factor(penalty_factor, R)
    tau_min = _check_real(tau_min, "tau_min")
    if tau_min < 0:
        raise ValueError(f"tau_min must be >= 0, got {tau_min!r}.")
    mean = R.mean(axis=0)
    rows, rhs = [np.ones(N)], [1.0]
    if target_return is not None:
        rho = _check_real(target_return, "target_return")
        rows.append(mean)
        rhs.append(rho)
    needed = len(rows) + 1
    if T < needed:
        raise ValueError(
            f"X has {T} days (n_samples = {T}); a variance under {len(rows)} "
            f"equality constraint(s) needs at least {needed}."
        )
    spread = np.ptp(mean) <= 1e-12 * max(np.abs(mean).max(), 1e-300)
    if target_return is not None and spread:
        raise ValueError(
            "target_return cannot be set: every asset has the same mean return."
        )
    Z = R - mean
    try:
        return _run(
            Z,
            None,
            np.array(rows),
            np.array(rhs),
            v,
            lower,
            upper,
            tau_min,
            R,
            names,
        )
    except InfeasibleError:
        raise _infeasible(mean, lower, upper, target_return) from None


def _infeasible(mean, lower, upper, target_return):
    from scipy.optimize import linprog

    N = mean.size
    box = list(
        zip(
            np.where(np.isinf(lower), None, lower),
            np.where(np.isinf(upper), None, upper),
            strict=True,
        )
    )
    if (
        target_return is None
        or not linprog(
            np.zeros(N), A_eq=np.ones((1, N)), b_eq=[1.0], bounds=box, method="highs"
        ).status
        == 0
    ):
        return ValueError(
            "lower and upper admit no fully invested portfolio (sum of weights 1)."
        )
    ends = [
        linprog(
            sign * mean, A_eq=np.ones((1, N)), b_eq=[1.0], bounds=box, method="highs"
        )
        for sign in (1.0, -1.0)
    ]
    lo_ret = ends[0].fun if ends[0].status == 0 else -np.inf
    hi_ret = -ends[1].fun if ends[1].status == 0 else np.inf
    return ValueError(
        f"target_return={target_return!r} is outside the attainable range "
        f"[{lo_ret:.6g}, {hi_ret:.6g}] of fully invested portfolios within the "
        "bounds."
    )


def tracking_path(
    X,
    y,
    *,
    budget=False,
    lower=None,
    upper=None,
    penalty_factor=None,
    tau_min=0.0,
):
    """Every breakpoint of the sparse index-tracking path.

    For every ``tau >= tau_min`` the weights solve

    .. math::

        \\min_w \\frac{1}{T} \\|r - R w\\|^2 + \\tau \\sum_j v_j |w_j|,
        \\quad l \\le w \\le u \\ (\\text{and } 1'w = 1 \\text{ when budget}),

    a lasso without intercept of the index returns ``r`` on the asset returns
    ``R`` (``tau = 2 alpha`` in sparsefit's ``lasso_path`` scaling).

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_days, n_assets)
        Asset returns.
    y : array-like or Series of shape (n_days,)
        Index (benchmark) returns.
    budget : bool, default=False
        Add the constraint ``1'w = 1``.
    lower, upper : float or array-like of shape (n_assets,), default=None
        Bounds on the weights, with ``lower <= 0 <= upper`` (None: none).
    penalty_factor : None, "volatility" or array-like of shape (n_assets,)
        ``v_j > 0``, as in :func:`portfolio_path`; None is 1 for every asset.
    tau_min : float, default=0.0
        Where the path stops.

    Returns
    -------
    path : PortfolioPath
        ``variance`` holds the mean squared tracking error.

    See Also
    --------
    SparseIndexTracker : One point of the path, as an estimator.
    portfolio_path : The path of the sparse minimum-variance portfolio.
    sparsefit.lasso_path : The same lasso on a grid of alphas
        (``fit_intercept=False``, ``tau = 2 alpha``).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.portfolio import tracking_path
    >>> rng = np.random.default_rng(0)
    >>> R = rng.normal(0.0005, 0.01, size=(250, 6))
    >>> index = R[:, :3].mean(axis=1)  # an equal-weight index of 3 assets
    >>> path = tracking_path(R, index)
    >>> path.n_holdings.tolist()
    [0, 1, 2, 3]
    >>> path.weights[-1].round(3).tolist()
    [0.333, 0.333, 0.333, 0.0, 0.0, 0.0]
    """
    R, names = check_returns(X)
    T, N = R.shape
    r = np.asarray(y, dtype=np.float64).ravel()
    if r.shape != (T,):
        raise ValueError(f"y must have one return per day of X ({T}), got {r.shape}.")
    if not np.isfinite(r).all():
        raise ValueError(
            f"y holds NaN or infinite returns at row "
            f"{int(np.flatnonzero(~np.isfinite(r))[0])}."
        )
    lower, upper = check_bounds(lower, upper, N)
    v = check_penalty_factor(penalty_factor, R)
    tau_min = _check_real(tau_min, "tau_min")
    if tau_min < 0:
        raise ValueError(f"tau_min must be >= 0, got {tau_min!r}.")
    A = np.ones((1, N)) if budget else np.zeros((0, N))
    b = np.ones(1) if budget else np.zeros(0)
    if T < 1 + A.shape[0]:
        raise ValueError(
            f"X has {T} days (n_samples = {T}); tracking needs at least "
            f"{1 + A.shape[0]}."
        )
    try:
        return _run(R, r, A, b, v, lower, upper, tau_min, R, names)
    except InfeasibleError:
        raise ValueError(
            "lower and upper admit no fully invested portfolio (budget=True)."
        ) from None
