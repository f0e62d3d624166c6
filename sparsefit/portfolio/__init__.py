"""Sparse, stable portfolios: L1-penalised Markowitz paths and index tracking.

``portfolio_path`` follows the problem of Brodie, Daubechies, De Mol, Giannone
and Loris (PNAS 2009) through every breakpoint in one run, ``tracking_path``
does the same for sparse index tracking; ``SparsePortfolio`` and
``SparseIndexTracker`` pick a point on them (by tau, gross exposure or number
of holdings) with scikit-learn's estimator contract; ``rebalance`` adds a
penalty on trades; ``walk_forward`` backtests.
"""

from ._backtest import Backtest, EqualWeight, prices_to_returns, walk_forward
from ._estimators import (
    HoldingsNotOnPathWarning,
    InertPenaltyWarning,
    RebalanceResult,
    SparseIndexTracker,
    SparsePortfolio,
    rebalance,
)
from ._path import PortfolioPath, portfolio_path, tracking_path


def __getattr__(name):
    # The skfolio wrapper imports skfolio (the portfolio extra): on first use.
    if name == "SkfolioSparsePortfolio":
        from ._skfolio import SkfolioSparsePortfolio

        return SkfolioSparsePortfolio
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PortfolioPath",
    "portfolio_path",
    "tracking_path",
    "SparsePortfolio",
    "SparseIndexTracker",
    "rebalance",
    "RebalanceResult",
    "InertPenaltyWarning",
    "HoldingsNotOnPathWarning",
    "prices_to_returns",
    "walk_forward",
    "Backtest",
    "EqualWeight",
    "SkfolioSparsePortfolio",
]
