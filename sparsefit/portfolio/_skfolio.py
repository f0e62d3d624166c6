"""The estimators as skfolio optimisations (needs the portfolio extra).

skfolio's ``cross_val_predict`` and ``WalkForward`` accept only subclasses of
its ``BaseOptimization``; this thin wrapper is one, so that skfolio's
portfolio measures (Sharpe ratio, drawdowns, turnover with costs, ...) apply
to the sparse portfolios.
"""

import numpy as np
from skfolio.optimization import BaseOptimization
from sklearn.base import clone
from sklearn.utils.validation import validate_data

from ._estimators import SparsePortfolio

__all__ = ["SkfolioSparsePortfolio"]


class SkfolioSparsePortfolio(BaseOptimization):
    """A sparsefit portfolio estimator as a skfolio optimisation.

    It fits a copy of ``estimator`` (by default the L1-penalised
    minimum-variance :class:`SparsePortfolio`) and exposes its weights the
    way skfolio's optimisations do, so that skfolio's ``predict`` builds a
    ``Portfolio`` and its cross-validation (``WalkForward``,
    ``cross_val_predict``) and measures apply.

    Parameters
    ----------
    estimator : SparsePortfolio, default=None
        The estimator to fit (cloned); None means ``SparsePortfolio()``.
    portfolio_params : dict, default=None
        Passed to skfolio's ``Portfolio`` by ``predict``.
    previous_weights : array-like, default=None
        Current holdings; skfolio's sequential cross-validation sets them, and
        they reach the estimator's ``previous_weights`` (its turnover penalty).

    Attributes
    ----------
    weights_ : ndarray of shape (n_assets,)
    estimator_ : SparsePortfolio
        The fitted copy.

    See Also
    --------
    SparsePortfolio : The estimator it wraps by default.
    walk_forward : The backtest of sparsefit, without skfolio.

    Examples
    --------
    >>> from skfolio.datasets import load_sp500_dataset
    >>> from skfolio.model_selection import WalkForward, cross_val_predict
    >>> from skfolio.preprocessing import prices_to_returns
    >>> from sparsefit.portfolio import SkfolioSparsePortfolio, SparsePortfolio
    >>> X = prices_to_returns(load_sp500_dataset()).iloc[-800:]
    >>> model = SkfolioSparsePortfolio(SparsePortfolio(gross_exposure=1.2))
    >>> mpp = cross_val_predict(model, X, cv=WalkForward(train_size=504, test_size=63))
    >>> len(mpp.portfolios)
    4
    """

    def __init__(self, estimator=None, portfolio_params=None, previous_weights=None):
        super().__init__(
            portfolio_params=portfolio_params, previous_weights=previous_weights
        )
        self.estimator = estimator

    def fit(self, X, y=None):
        """Fit a copy of ``estimator`` on the returns ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_days, n_assets)
            Asset returns.
        y : None
            Ignored.

        Returns
        -------
        self : SkfolioSparsePortfolio
            The fitted estimator, with ``weights_`` and ``estimator_``.
        """
        validate_data(self, X, skip_check_array=True)
        est = clone(self.estimator) if self.estimator is not None else SparsePortfolio()
        if self.previous_weights is not None and "previous_weights" in est.get_params():
            prev = np.asarray(self.previous_weights, dtype=float)
            if prev.ndim == 1 and prev.size == np.shape(X)[1]:
                est.set_params(previous_weights=prev)
        est.fit(X)
        self.estimator_ = est
        self.weights_ = est.weights_
        return self
