"""Prices to returns, and walk-forward backtests with readable measures."""

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, clone

from ._path import check_returns

__all__ = ["prices_to_returns", "walk_forward", "Backtest", "EqualWeight"]


def prices_to_returns(prices, *, log=False):
    """Simple (or log) returns from a DataFrame of prices.

    ``r_t = p_t / p_{t-1} - 1`` (``log(p_t / p_{t-1})`` with ``log=True``),
    one column per asset, indexed by the later date.  Leading rows where some
    asset has no price yet (listed later) are dropped, so that every row of
    the result is complete.

    Parameters
    ----------
    prices : pandas.DataFrame of shape (n_dates, n_assets)
        Positive prices in date order.
    log : bool, default=False
        Return log returns instead of simple returns.

    Returns
    -------
    returns : pandas.DataFrame of shape (n_dates - 1 - dropped, n_assets)
        The returns, indexed by the later date of each pair.

    Raises
    ------
    ValueError
        Not a DataFrame, a non-positive price, or a missing price after an
        asset's first one (naming the asset and the date).

    See Also
    --------
    walk_forward : Backtest estimators on the returns.
    portfolio_path : The sparse portfolio path of the returns.

    Examples
    --------
    >>> import pandas as pd
    >>> from sparsefit.portfolio import prices_to_returns
    >>> prices = pd.DataFrame({"A": [100.0, 110.0, 99.0], "B": [None, 50.0, 55.0]})
    >>> prices_to_returns(prices).round(3).to_dict("list")
    {'A': [-0.1], 'B': [0.1]}
    """
    import pandas as pd

    if not isinstance(prices, pd.DataFrame):
        raise ValueError(
            f"prices must be a pandas DataFrame, got {type(prices).__name__}."
        )
    values = prices.to_numpy(dtype=np.float64)
    present = np.isfinite(values)
    if (present & ~(values > 0)).any():
        row, col = np.argwhere(present & ~(values > 0))[0]
        raise ValueError(
            f"prices must be > 0; column {prices.columns[col]!r} has "
            f"{values[row, col]!r} at {prices.index[row]!r}."
        )
    started = np.maximum.accumulate(present, axis=0)
    gaps = started & ~present
    if gaps.any():
        row, col = np.argwhere(gaps)[0]
        raise ValueError(
            f"prices has a missing price in column {prices.columns[col]!r} at "
            f"{prices.index[row]!r}, after its first price: fill or drop it first."
        )
    first_full = (
        int(np.argmax(present.all(axis=1))) if present.all(axis=1).any() else None
    )
    if first_full is None:
        raise ValueError("prices has no date on which every asset has a price.")
    kept = prices.iloc[first_full:]
    ratio = kept / kept.shift(1)
    out = np.log(ratio) if log else ratio - 1.0
    return out.iloc[1:]


class EqualWeight(BaseEstimator):
    """The 1/N portfolio (a baseline).

    Every asset gets weight ``1 / N`` whatever the data; no optimisation.
    It is the baseline that sparse portfolios are compared with in
    :func:`walk_forward`.

    See Also
    --------
    SparsePortfolio : The L1-penalised minimum-variance portfolio.
    walk_forward : Compare strategies out of sample.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.portfolio import EqualWeight
    >>> EqualWeight().fit(np.zeros((10, 4))).weights_
    array([0.25, 0.25, 0.25, 0.25])
    """

    def fit(self, X, y=None):
        """Set ``weights_`` to ``1 / n_assets`` each.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_days, n_assets)
            Asset returns; only their number of columns is used.
        y : None
            Ignored.

        Returns
        -------
        self : EqualWeight
            The fitted portfolio.
        """
        R, _ = check_returns(X)
        self.weights_ = np.full(R.shape[1], 1.0 / R.shape[1])
        return self

    def predict(self, X):
        """Return the portfolio's returns on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_days, n_assets)
            Asset returns.

        Returns
        -------
        returns : ndarray of shape (n_days,)
            ``X @ weights_``.
        """
        R, _ = check_returns(X)
        return R @ self.weights_


@dataclass(frozen=True)
class Backtest:
    """Out-of-sample results of :func:`walk_forward`.

    The daily returns each strategy earned on the held-out windows, with the
    weights it chose at each rebalancing; :meth:`summary` turns them into
    annualised measures.

    Parameters
    ----------
    returns : pandas.DataFrame
        Daily out-of-sample returns, one column per strategy.
    weights : dict of str to pandas.DataFrame
        Each strategy's weights at each rebalancing date (rows).
    periods_per_year : int
        Periods per year of the returns (252 for daily), for annualising.

    See Also
    --------
    walk_forward : Run the backtest.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sparsefit.portfolio import EqualWeight, walk_forward
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(0.0005, 0.01, size=(300, 5)), columns=list("ABCDE"))
    >>> bt = walk_forward(X, {"1/N": EqualWeight()}, train_size=200, test_size=50)
    >>> bt.returns.shape, bt.weights["1/N"].shape
    ((100, 1), (2, 5))
    >>> bt.summary().loc["1/N", ["turnover", "holdings"]].tolist()
    [0.0, 5.0]
    """

    returns: object
    weights: dict
    periods_per_year: int

    def summary(self):
        """Return one row of measures per strategy.

        Annualised mean, volatility and Sharpe ratio (no risk-free rate),
        maximum drawdown of the compounded wealth, mean turnover per
        rebalancing (``sum_j |w_j(t) - w_j(t-1)|``, the first one from cash
        excluded) and mean number of holdings.

        Returns
        -------
        summary : pandas.DataFrame
            Columns ``mean``, ``volatility``, ``sharpe``, ``max_drawdown``,
            ``turnover`` and ``holdings``, one row per strategy.
        """
        import pandas as pd

        rows = {}
        for name in self.returns.columns:
            r = self.returns[name].to_numpy()
            wealth = np.cumprod(1.0 + r)
            peak = np.maximum.accumulate(wealth)
            W = self.weights[name].to_numpy()
            trades = np.abs(np.diff(W, axis=0)).sum(axis=1)
            ann_mean = r.mean() * self.periods_per_year
            ann_vol = r.std() * np.sqrt(self.periods_per_year)
            rows[name] = {
                "mean": ann_mean,
                "volatility": ann_vol,
                "sharpe": ann_mean / ann_vol if ann_vol > 0 else np.nan,
                "max_drawdown": float(np.max(1.0 - wealth / peak)),
                "turnover": float(trades.mean()) if trades.size else 0.0,
                "holdings": float(np.count_nonzero(np.abs(W) > 1e-10, axis=1).mean()),
            }
        return pd.DataFrame(rows).T


def walk_forward(X, estimators, *, train_size, test_size, periods_per_year=252):
    """Refit every estimator on a rolling window and hold its weights.

    Windows of ``train_size`` rows are followed by ``test_size`` held-out
    rows; the window then moves by ``test_size``.  Estimators with a
    ``previous_weights`` parameter get the weights they chose at the
    previous rebalancing (for turnover penalties).

    Parameters
    ----------
    X : pandas.DataFrame of shape (n_days, n_assets)
        Returns (see :func:`prices_to_returns`).
    estimators : dict of str to estimator
        Each with ``fit(X)`` and a ``weights_`` attribute.
    train_size : int
        Rows of each training window.
    test_size : int
        Held-out rows after each window, and the step between windows.
    periods_per_year : int, default=252
        Periods per year of the returns, for the annualised measures.

    Returns
    -------
    Backtest
        The held-out returns and the weights of every strategy.

    Raises
    ------
    ValueError
        If ``train_size`` or ``test_size`` is not a positive integer, or
        ``X`` is shorter than their sum.

    See Also
    --------
    Backtest : What is returned.
    EqualWeight : A baseline strategy.
    SparsePortfolio : A sparse strategy.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sparsefit.portfolio import EqualWeight, walk_forward
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(0.0005, 0.01, size=(300, 5)), columns=list("ABCDE"))
    >>> bt = walk_forward(X, {"1/N": EqualWeight()}, train_size=200, test_size=50)
    >>> bt.returns.shape
    (100, 1)
    >>> list(bt.summary().columns)
    ['mean', 'volatility', 'sharpe', 'max_drawdown', 'turnover', 'holdings']
    """
    import pandas as pd

    R, names = check_returns(X)
    T = R.shape[0]
    for value, name in ((train_size, "train_size"), (test_size, "test_size")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    if train_size + test_size > T:
        raise ValueError(
            f"X has {T} days, fewer than train_size + test_size = "
            f"{train_size + test_size}."
        )
    index = X.index if hasattr(X, "index") else np.arange(T)
    columns = names if names is not None else np.arange(R.shape[1])
    returns = {name: [] for name in estimators}
    weights = {name: [] for name in estimators}
    dates = []
    previous = {name: None for name in estimators}
    for start in range(0, T - train_size - test_size + 1, test_size):
        train = slice(start, start + train_size)
        test = slice(start + train_size, start + train_size + test_size)
        dates.append(index[test.start])
        for name, est in estimators.items():
            model = clone(est)
            if "previous_weights" in model.get_params():
                model.set_params(previous_weights=previous[name])
            model.fit(pd.DataFrame(R[train], columns=columns))
            w = np.asarray(model.weights_, dtype=float)
            previous[name] = w
            weights[name].append(w)
            returns[name].append(R[test] @ w)
    out_index = index[train_size : train_size + len(dates) * test_size]
    return Backtest(
        returns=pd.DataFrame(
            {name: np.concatenate(r) for name, r in returns.items()}, index=out_index
        ),
        weights={
            name: pd.DataFrame(np.array(w), index=dates, columns=columns)
            for name, w in weights.items()
        },
        periods_per_year=periods_per_year,
    )
