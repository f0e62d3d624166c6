"""scikit-learn estimators over the portfolio and tracking paths."""

import itertools
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator

from ._path import (
    _check_real,
    check_bounds,
    check_penalty_factor,
    check_returns,
    portfolio_path,
    tracking_path,
)
from ._qp import solve_qp

__all__ = [
    "SparsePortfolio",
    "SparseIndexTracker",
    "InertPenaltyWarning",
    "HoldingsNotOnPathWarning",
    "rebalance",
]


class InertPenaltyWarning(UserWarning):
    """The L1 penalty cannot change the portfolio (long-only, fully invested).

    With weights that are all ``>= 0`` and sum to 1, ``||w||_1 = 1`` for
    every admissible portfolio, so ``tau ||w||_1`` is a constant: the path
    has a single portfolio.  Allow shorts, drop the budget, or use penalty
    factors (``penalty_factor="volatility"``) to make the penalty act.

    See Also
    --------
    SparsePortfolio : Issues it for ``lower >= 0`` without penalty factors.
    SparseIndexTracker : Issues it with ``budget=True`` and ``lower >= 0``.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sparsefit.portfolio import InertPenaltyWarning, SparsePortfolio
    >>> R = np.random.default_rng(0).normal(0.0005, 0.01, size=(250, 4))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = SparsePortfolio(lower=0.0).fit(R)
    >>> [w.category.__name__ for w in caught]
    ['InertPenaltyWarning']
    """


class HoldingsNotOnPathWarning(UserWarning):
    """No breakpoint of the path holds exactly the requested number of assets.

    Assets enter and leave the path one event at a time, but several can
    change at one breakpoint, so a requested ``n_holdings`` may be skipped;
    the estimator then takes the nearest breakpoint with fewer assets (else
    more) and records both neighbours in ``holdings_bracket_``.

    See Also
    --------
    SparsePortfolio : Issues it for ``n_holdings``.
    PortfolioPath.breakpoints_with : The breakpoints with a given count.

    Examples
    --------
    >>> from sparsefit.portfolio import HoldingsNotOnPathWarning
    >>> issubclass(HoldingsNotOnPathWarning, UserWarning)
    True
    """


def _check_choice(est):
    given = [
        name
        for name in ("tau", "gross_exposure", "n_holdings")
        if getattr(est, name, None) is not None
    ]
    if len(given) > 1:
        raise ValueError(
            f"Set at most one of tau, gross_exposure and n_holdings; got {given}."
        )
    return given[0] if given else None


def _check_k(k, n_assets):
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"n_holdings must be an integer >= 1, got {k!r}.")
    if k > n_assets:
        raise ValueError(
            f"n_holdings={k} is larger than the universe ({n_assets} assets)."
        )
    return int(k)


def _pick_holdings(path, k):
    """Index of the breakpoint for ``k`` holdings and the bracket (None when
    exact).  Among breakpoints with exactly k, the least variance."""
    exact = path.breakpoints_with(k)
    if exact.size:
        return int(exact[np.argmin(path.variance[exact])]), None
    counts = path.n_holdings
    below = np.flatnonzero(counts < k)
    above = np.flatnonzero(counts > k)
    lo = int(counts[below].max()) if below.size else None
    hi = int(counts[above].min()) if above.size else None
    side = lo if lo is not None else hi
    candidates = path.breakpoints_with(side)
    return int(candidates[np.argmin(path.variance[candidates])]), (lo, hi)


class _PathEstimator(BaseEstimator):
    """Shared selection (tau, gross exposure, or holdings) and refit."""

    def _select(self, path, n_assets):
        choice = _check_choice(self)
        self.holdings_bracket_ = None
        if choice == "n_holdings":
            k = _check_k(self.n_holdings, n_assets)
            i, bracket = _pick_holdings(path, k)
            if bracket is not None:
                self.holdings_bracket_ = bracket
                warnings.warn(
                    f"No breakpoint of the path holds exactly {k} assets; the "
                    f"nearest hold {bracket[0]} (returned) and {bracket[1]}. "
                    + self._fewer_names_hint(path, k),
                    HoldingsNotOnPathWarning,
                    stacklevel=3,
                )
            return float(path.taus[i]), path.weights[i].copy()
        if choice == "gross_exposure":
            tau = path.tau_at_gross_exposure(self.gross_exposure)
            return tau, path.weights_at(tau)
        tau = 0.0 if self.tau is None else _check_real(self.tau, "tau")
        if tau < 0:
            raise ValueError(f"tau must be >= 0, got {self.tau!r}.")
        return tau, path.weights_at(tau)

    def _fewer_names_hint(self, path, k):
        if k < path.n_holdings.min() and self.penalty_factor is None:
            return (
                "The path never holds fewer assets than its start (the "
                "tau -> infinity limit); penalty_factor='volatility' starts "
                "from one asset (two with a return target)."
            )
        return ""

    def _set_fitted(self, R, names, path, tau, w):
        self.path_ = path
        self.tau_ = float(tau)
        self.weights_ = w
        self.n_features_in_ = R.shape[1]
        if names is not None:
            self.feature_names_in_ = names
        self.n_holdings_ = int(np.count_nonzero(w))
        self.gross_exposure_ = float(np.abs(w).sum())
        self.expected_return_ = float(R.mean(axis=0) @ w)

    def predict(self, X):
        """Portfolio returns ``X @ weights_`` (one per row of ``X``)."""
        if not hasattr(self, "weights_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit first."
            )
        R, _ = check_returns(X)
        if R.shape[1] != self.weights_.size:
            raise ValueError(
                f"X has {R.shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.weights_.size} features as input (one per asset)."
            )
        return R @ self.weights_


class SparsePortfolio(_PathEstimator):
    """L1-penalised minimum-variance portfolio, chosen on its exact path.

    .. math::

        \\min_w \\frac{1}{T} \\|\\rho 1 - R w\\|^2 + \\tau \\sum_j v_j |w_j|
        + \\tau_t \\|w - w^{prev}\\|_1
        \\quad \\text{s.t.}\\quad 1'w = 1,\\ \\hat\\mu'w = \\rho,\\
        l \\le w \\le u

    (Brodie et al., PNAS 2009; without ``target_return`` the first term is
    the in-sample variance and the return constraint is dropped).  ``fit``
    computes the whole path (:func:`portfolio_path`) and picks one point on
    it: at ``tau``, at a gross exposure ``||w||_1 = gross_exposure`` (the
    same as the limit ``||w||_1 <= gross_exposure``; Fan, Zhang and Yu, JASA
    2012), or with ``n_holdings`` assets.

    Parameters
    ----------
    tau : float, default=None
        The penalty; None with no other choice means 0 (the unpenalised
        minimum-variance portfolio).
    gross_exposure : float, default=None
        ``c >= 1``: the portfolio on the path with ``||w||_1 = c``.
    n_holdings : int, default=None
        ``k``: the breakpoint with exactly k nonzero weights and the least
        variance; when the path has none, the nearest with fewer (else more)
        names, with a :class:`HoldingsNotOnPathWarning` and
        ``holdings_bracket_``.
    target_return : float, "equal_weight" or None, default=None
        ``rho`` (per period of X); "equal_weight": the in-sample mean return
        of the equal-weight portfolio, as in Brodie et al.
    lower, upper : float or array-like, default=None
        Bounds on the weights (``lower <= 0 <= upper``).  ``lower=0`` forbids
        shorts; with the uniform penalty the L1 term is then inert
        (:class:`InertPenaltyWarning`).
    penalty_factor : None, "volatility" or array-like, default=None
        Per-asset factors ``v_j`` (see :func:`portfolio_path`).
    refit : bool or "swap", default=False
        True: replace the chosen portfolio by the unpenalised one on its
        holdings (same constraints and bounds), so that the penalty selects
        the names only.  "swap": then exchange one held name for one not
        held while that lowers the refitted variance (a local search for the
        best portfolio with that many names; about ``k (N - k)`` small refits
        per pass).
    turnover : float, default=0.0
        ``tau_t``, the penalty on trades away from ``previous_weights``
        (costs proportional to the traded amount).  When > 0, the final
        portfolio solves the problem above at the chosen ``tau`` by
        Clarabel (a certified QP) instead of being read off the path.
    previous_weights : array-like, default=None
        Current holdings ``w_prev`` (zeros when None).

    Attributes
    ----------
    weights_ : ndarray of shape (n_assets,)
    path_ : PortfolioPath
    tau_, gross_exposure_, n_holdings_, variance_, expected_return_
    holdings_bracket_ : tuple or None
        ``(fewer, more)`` holdings around a requested ``n_holdings`` that the
        path does not hold exactly.
    dual_gap_ : float
        Clarabel's duality gap when ``turnover > 0``, else 0 (the path is
        exact).

    See Also
    --------
    portfolio_path : The whole path it picks a point of.
    SparseIndexTracker : Sparse index tracking.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.portfolio import SparsePortfolio
    >>> rng = np.random.default_rng(0)
    >>> market = rng.normal(0, 0.01, (250, 1)) * rng.normal(1, 0.8, 8)
    >>> R = rng.normal(0.0005, 0.01, size=(250, 8)) + market
    >>> model = SparsePortfolio(gross_exposure=1.2).fit(R)
    >>> round(model.gross_exposure_, 6)
    1.2
    """

    def __init__(
        self,
        tau=None,
        gross_exposure=None,
        n_holdings=None,
        target_return=None,
        lower=None,
        upper=None,
        penalty_factor=None,
        refit=False,
        turnover=0.0,
        previous_weights=None,
    ):
        self.tau = tau
        self.gross_exposure = gross_exposure
        self.n_holdings = n_holdings
        self.target_return = target_return
        self.lower = lower
        self.upper = upper
        self.penalty_factor = penalty_factor
        self.refit = refit
        self.turnover = turnover
        self.previous_weights = previous_weights

    def _rho(self, R):
        if isinstance(self.target_return, str):
            if self.target_return != "equal_weight":
                raise ValueError(
                    "target_return must be a float, 'equal_weight' or None; got "
                    f"{self.target_return!r}."
                )
            return float(R.mean())
        if self.target_return is None:
            return None
        return _check_real(self.target_return, "target_return")

    def fit(self, X, y=None):
        """Compute the path on the returns ``X`` and pick the portfolio.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_days, n_assets)
            Asset returns (see :func:`prices_to_returns`); no NaN.
        y : None
            Ignored.

        Returns
        -------
        self : SparsePortfolio
            The fitted estimator, with ``weights_`` and ``path_``.
        """
        R, names = check_returns(X)
        lower, upper = check_bounds(self.lower, self.upper, R.shape[1])
        if (lower >= 0).all() and self.penalty_factor is None:
            warnings.warn(
                "With long-only weights (lower >= 0) and a full budget, "
                "||w||_1 = 1 for every portfolio: the L1 penalty does nothing. "
                "Allow shorts with a gross-exposure limit (lower < 0 with "
                "gross_exposure=c), or use the target-k path (n_holdings=k with "
                "penalty_factor='volatility').",
                InertPenaltyWarning,
                stacklevel=2,
            )
        rho = self._rho(R)
        path = portfolio_path(
            R,
            target_return=rho,
            lower=lower,
            upper=upper,
            penalty_factor=self.penalty_factor,
        )
        tau, w = self._select(path, R.shape[1])
        self.dual_gap_ = 0.0
        if self.refit:
            w = self._refit(R, w, rho, lower, upper)
        turnover = _check_real(self.turnover, "turnover")
        if turnover < 0:
            raise ValueError(f"turnover must be >= 0, got {self.turnover!r}.")
        if turnover > 0:
            res = rebalance(
                R,
                self.previous_weights,
                tau=tau,
                turnover=turnover,
                target_return=rho,
                lower=lower,
                upper=upper,
                penalty_factor=self.penalty_factor,
            )
            w, self.dual_gap_ = res.w, res.dual_gap
        self._set_fitted(R, names, path, tau, w)
        Z = R - R.mean(axis=0)
        self.variance_ = float(np.mean((Z @ w) ** 2))
        return self

    def _refit(self, R, w, rho, lower, upper):
        if self.refit not in (True, "swap"):
            raise ValueError(
                f"refit must be False, True or 'swap', got {self.refit!r}."
            )
        support = np.flatnonzero(w)
        best, value = _refit_on(R, support, rho, lower, upper)
        if self.refit == "swap":
            best, value = _swap_search(R, support, best, value, rho, lower, upper)
        return best

    def score(self, X, y=None):
        """Return the per-period Sharpe ratio of the portfolio's returns on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_days, n_assets)
            Asset returns (see :func:`prices_to_returns`); no NaN.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Mean over standard deviation of ``X @ weights_`` (no risk-free
            rate); 0 when the returns are constant.
        """
        r = self.predict(X)
        sd = r.std()
        return float(r.mean() / sd) if sd > 0 else 0.0


def _refit_on(R, support, rho, lower, upper):
    """The unpenalised portfolio on ``support`` (same constraints and bounds)
    and its variance; (None, inf) when the constraints cannot be met there."""
    try:
        sub = portfolio_path(
            R[:, support],
            target_return=rho,
            lower=lower[support],
            upper=upper[support],
        )
    except (ValueError, RuntimeError):
        return None, np.inf
    w = np.zeros(R.shape[1])
    w[support] = sub.weights[-1]
    return w, float(sub.variance[-1])


def _swap_search(R, support, w, value, rho, lower, upper):
    """Best-improvement single swaps (one name out, one in) of the refitted
    portfolio's holdings, until none lowers the variance: a local search for
    the cardinality-constrained problem from the path's support."""
    support = list(support)
    outside = [j for j in range(R.shape[1]) if j not in support]
    while True:
        move = None
        for i, j in itertools.product(range(len(support)), outside):
            trial = sorted(support[:i] + [j] + support[i + 1 :])
            w_t, v_t = _refit_on(R, np.array(trial), rho, lower, upper)
            if v_t < value * (1 - 1e-12):
                move, w, value = (i, j), w_t, v_t
        if move is None:
            return w, value
        i, j = move
        outside[outside.index(j)] = support[i]
        support[i] = j


class SparseIndexTracker(_PathEstimator):
    """Sparse index tracking on the exact path.

    .. math::

        \\min_w \\frac{1}{T} \\|r - R w\\|^2 + \\tau \\sum_j v_j |w_j|,
        \\quad l \\le w \\le u\\ (\\text{and } 1'w = 1 \\text{ when budget})

    ``fit`` computes the whole path (:func:`tracking_path`) and picks one
    point on it, as :class:`SparsePortfolio` does.

    Parameters
    ----------
    tau : float, default=None
        The penalty; None with no other choice means 0.
    gross_exposure : float, default=None
        The portfolio on the path with ``||w||_1`` equal to it.
    n_holdings : int, default=None
        The breakpoint with exactly that many nonzero weights (see
        :class:`SparsePortfolio`).
    budget : bool, default=False
        Require ``1'w = 1``.
    lower, upper : float or array-like, default=None
        Bounds on the weights (``lower <= 0 <= upper``).
    penalty_factor : None, "volatility" or array-like, default=None
        Per-asset factors ``v_j`` (see :func:`portfolio_path`).
    refit : bool, default=False
        Replace the chosen portfolio by the unpenalised tracking portfolio
        on its holdings (same budget and bounds).

    Attributes
    ----------
    weights_, path_, tau_, n_holdings_, tracking_error_
        ``tracking_error_`` is the in-sample root mean squared difference
        between the index and the portfolio returns.

    See Also
    --------
    tracking_path : The whole path it picks a point of.
    SparsePortfolio : The sparse minimum-variance portfolio.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> R = rng.normal(0.0005, 0.01, size=(250, 6))
    >>> from sparsefit.portfolio import SparseIndexTracker
    >>> index = R[:, :3].mean(axis=1)
    >>> model = SparseIndexTracker(n_holdings=2).fit(R, index)
    >>> model.n_holdings_, np.flatnonzero(model.weights_).tolist()
    (2, [1, 2])
    """

    def __init__(
        self,
        tau=None,
        gross_exposure=None,
        n_holdings=None,
        budget=False,
        lower=None,
        upper=None,
        penalty_factor=None,
        refit=False,
    ):
        self.tau = tau
        self.gross_exposure = gross_exposure
        self.n_holdings = n_holdings
        self.budget = budget
        self.lower = lower
        self.upper = upper
        self.penalty_factor = penalty_factor
        self.refit = refit

    def fit(self, X, y):
        """Compute the path of the index returns and pick the tracking portfolio.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_days, n_assets)
            Asset returns (see :func:`prices_to_returns`); no NaN.
        y : array-like or Series of shape (n_days,)
            Index (benchmark) returns.

        Returns
        -------
        self : SparseIndexTracker
            The fitted estimator, with ``weights_`` and ``tracking_error_``.
        """
        R, names = check_returns(X)
        if self.refit not in (False, True):
            raise ValueError(
                f"refit must be False or True for SparseIndexTracker, got "
                f"{self.refit!r} (the swap search belongs to SparsePortfolio)."
            )
        lower, _ = check_bounds(self.lower, self.upper, R.shape[1])
        if self.budget and (lower >= 0).all() and self.penalty_factor is None:
            warnings.warn(
                "With long-only weights (lower >= 0) and budget=True, ||w||_1 = 1 "
                "for every portfolio: the L1 penalty does nothing. Allow shorts "
                "(lower < 0), drop the budget, or use n_holdings=k with "
                "penalty_factor='volatility'.",
                InertPenaltyWarning,
                stacklevel=2,
            )
        path = tracking_path(
            R,
            y,
            budget=self.budget,
            lower=self.lower,
            upper=self.upper,
            penalty_factor=self.penalty_factor,
        )
        tau, w = self._select(path, R.shape[1])
        if self.refit:
            lower, upper = check_bounds(self.lower, self.upper, R.shape[1])
            support = np.flatnonzero(w)
            sub = tracking_path(
                R[:, support],
                y,
                budget=self.budget,
                lower=lower[support],
                upper=upper[support],
            )
            w = np.zeros_like(w)
            w[support] = sub.weights[-1]
        self._set_fitted(R, names, path, tau, w)
        r = np.asarray(y, dtype=np.float64).ravel()
        self.tracking_error_ = float(np.sqrt(np.mean((r - R @ w) ** 2)))
        return self


class RebalanceResult:
    """Weights from :func:`rebalance` with Clarabel's status and duality gap.

    The solution of the rebalancing QP (see :func:`rebalance` for the
    objective), with what certifies it.

    Parameters
    ----------
    w : ndarray of shape (n_assets,)
        The new weights.
    objective : float
        The objective at ``w``.
    status : str
        Clarabel's status, ``"Solved"`` or ``"AlmostSolved"``.
    dual_gap : float
        Clarabel's duality gap, in the objective's units.

    See Also
    --------
    rebalance : The function that returns it.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> R = rng.normal(0.0005, 0.01, size=(250, 6))
    >>> from sparsefit.portfolio import rebalance
    >>> res = rebalance(R, np.full(6, 1 / 6), tau=0.0, turnover=1e-4)
    >>> res.status, bool(res.dual_gap < 1e-8), round(float(res.w.sum()), 6)
    ('Solved', True, 1.0)
    """

    def __init__(self, w, objective, status, dual_gap):
        self.w, self.objective, self.status, self.dual_gap = (
            w,
            objective,
            status,
            dual_gap,
        )


def rebalance(
    X,
    previous_weights,
    *,
    tau,
    turnover,
    target_return=None,
    lower=None,
    upper=None,
    penalty_factor=None,
):
    """Rebalance with an L1 penalty on holdings and on trades.

    Solves

    .. math::

        \\min_w \\frac{1}{T} \\|\\rho 1 - R w\\|^2 + \\tau \\sum_j v_j |w_j|
        + \\tau_t \\|w - w^{prev}\\|_1
        \\quad \\text{s.t.}\\quad 1'w = 1\\ (\\hat\\mu'w = \\rho),\\
        l \\le w \\le u,

    a QP after splitting the absolute values, by Clarabel, to a duality gap
    of about 1e-10 in the objective's units.  With proportional transaction
    costs ``kappa`` per unit traded, ``tau_t = kappa`` charges them against
    the variance.

    Parameters
    ----------
    X : array-like of shape (n_days, n_assets)
        Returns.
    previous_weights : array-like of shape (n_assets,) or None
        Current holdings (None: zeros, a portfolio built from cash).
    tau : float
        The penalty on holdings, ``>= 0``.
    turnover : float
        ``tau_t >= 0``, the penalty on trades.
    target_return : float or None, default=None
        ``rho``, the in-sample mean return the portfolio must have; None
        drops that constraint.
    lower, upper : float or array-like of shape (n_assets,), default=None
        Bounds on the weights (None: none).
    penalty_factor : None, "volatility" or array-like of shape (n_assets,)
        Per-asset factors ``v_j`` (see :func:`portfolio_path`).

    Returns
    -------
    RebalanceResult
        ``w``, ``objective``, ``status`` and ``dual_gap``.

    Raises
    ------
    ValueError
        Negative ``tau`` or ``turnover``, ``previous_weights`` of the wrong
        length, or a problem with no solution.

    See Also
    --------
    SparsePortfolio : Calls it when ``turnover > 0``.
    walk_forward : Backtest with the previous weights passed on.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> R = rng.normal(0.0005, 0.01, size=(250, 6))
    >>> from sparsefit.portfolio import rebalance
    >>> res = rebalance(R, np.full(6, 1 / 6), tau=0.0, turnover=1e-4)
    >>> res.w.round(3).tolist()  # trading costs more than it saves
    [0.167, 0.167, 0.167, 0.167, 0.167, 0.167]
    """
    R, _ = check_returns(X)
    T, N = R.shape
    lower, upper = check_bounds(lower, upper, N)
    v = check_penalty_factor(penalty_factor, R)
    tau = _check_real(tau, "tau")
    turnover = _check_real(turnover, "turnover")
    if tau < 0 or turnover < 0:
        raise ValueError(f"tau and turnover must be >= 0; got {tau!r}, {turnover!r}.")
    if previous_weights is None:
        w_prev = np.zeros(N)
    else:
        w_prev = np.asarray(previous_weights, dtype=np.float64).ravel()
        if w_prev.shape != (N,) or not np.isfinite(w_prev).all():
            raise ValueError(
                f"previous_weights must be {N} finite numbers, got shape "
                f"{w_prev.shape}."
            )
    mean = R.mean(axis=0)
    rows, rhs = [np.ones(N)], [1.0]
    if target_return is not None:
        rows.append(mean)
        rhs.append(_check_real(target_return, "target_return"))
    res = solve_qp(
        R - mean,
        np.zeros(T),
        np.array(rows),
        np.array(rhs),
        lower,
        upper,
        l1=tau * v,
        turnover=np.full(N, turnover),
        w_prev=w_prev,
    )
    if res.status not in ("Solved", "AlmostSolved"):
        raise ValueError(
            f"The rebalancing problem has no solution (Clarabel: {res.status}): "
            "check target_return against the bounds."
        )
    return RebalanceResult(res.w, res.objective, res.status, res.dual_gap)
