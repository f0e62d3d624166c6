"""Prices to returns, walk-forward backtests, and the S&P 500 data."""

import numpy as np
import pandas as pd
import pytest

from sparsefit.portfolio import (
    EqualWeight,
    SparsePortfolio,
    portfolio_path,
    prices_to_returns,
    walk_forward,
)


def test_prices_to_returns_drops_leading_gaps_and_keeps_labels():
    dates = pd.date_range("2024-01-01", periods=4)
    prices = pd.DataFrame(
        {"A": [100.0, 110.0, 99.0, 99.0], "B": [np.nan, 50.0, 55.0, 44.0]},
        index=dates,
    )
    out = prices_to_returns(prices)
    assert list(out.columns) == ["A", "B"]
    assert list(out.index) == list(dates[2:])
    np.testing.assert_allclose(out.to_numpy(), [[-0.1, 0.1], [0.0, -0.2]])
    logs = prices_to_returns(prices, log=True)
    np.testing.assert_allclose(logs.to_numpy(), np.log1p(out.to_numpy()))


@pytest.mark.parametrize(
    ("prices", "match"),
    [
        (pd.DataFrame({"A": [1.0, np.nan, 2.0]}), "'A'"),
        (pd.DataFrame({"A": [1.0, -2.0]}), "> 0"),
        (np.ones((3, 2)), "DataFrame"),
    ],
)
def test_prices_to_returns_bad_input(prices, match):
    with pytest.raises(ValueError, match=match):
        prices_to_returns(prices)


def test_walk_forward_measures():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        rng.normal(0.0004, 0.01, size=(300, 6)) + rng.normal(0, 0.01, (300, 1))
    )
    bt = walk_forward(
        X,
        {"ew": EqualWeight(), "l1": SparsePortfolio(gross_exposure=1.2)},
        train_size=120,
        test_size=30,
    )
    assert bt.returns.shape == (180, 2)
    ew = bt.returns["ew"].to_numpy()
    np.testing.assert_allclose(ew, X.to_numpy()[120:].mean(axis=1))
    table = bt.summary()
    assert table.loc["ew", "turnover"] == 0.0
    assert table.loc["ew", "holdings"] == 6
    wealth = np.cumprod(1 + ew)
    drawdown = np.max(1 - wealth / np.maximum.accumulate(wealth))
    assert table.loc["ew", "max_drawdown"] == pytest.approx(drawdown)
    assert table.loc["ew", "sharpe"] == pytest.approx(
        ew.mean() / ew.std() * np.sqrt(252)
    )
    assert (bt.weights["l1"].abs().sum(axis=1) <= 1.2 + 1e-9).all()
    with pytest.raises(ValueError, match="train_size"):
        walk_forward(X, {"ew": EqualWeight()}, train_size=290, test_size=30)


@pytest.fixture(scope="module")
def sp500():
    datasets = pytest.importorskip("skfolio.datasets")
    return prices_to_returns(datasets.load_sp500_dataset())


def test_near_tied_volatilities_start(sp500):
    # Two stocks of this window have volatilities 2.5e-5 apart: the starting
    # QP's support held both, and the start must drop one (it raised before).
    X = sp500.to_numpy()[1827 : 1827 + 504]
    path = portfolio_path(X, penalty_factor="volatility")
    assert path.n_holdings[0] == 1
    model = SparsePortfolio(n_holdings=5, penalty_factor="volatility", refit=True)
    assert model.fit(X).n_holdings_ == 5


def test_walk_forward_on_sp500(sp500):
    X = sp500.iloc[-900:]
    bt = walk_forward(
        X,
        {
            "ew": EqualWeight(),
            "l1": SparsePortfolio(gross_exposure=1.3, target_return="equal_weight"),
            "l1 turnover": SparsePortfolio(
                gross_exposure=1.3, target_return="equal_weight", turnover=2e-5
            ),
        },
        train_size=504,
        test_size=63,
    )
    table = bt.summary()
    assert table.loc["l1 turnover", "turnover"] < table.loc["l1", "turnover"]
    assert list(bt.weights["l1"].columns) == list(sp500.columns)


def test_inside_skfolio_walk_forward(sp500):
    from skfolio.model_selection import WalkForward, cross_val_predict

    from sparsefit.portfolio import SkfolioSparsePortfolio

    X = sp500.iloc[-900:]
    est = SparsePortfolio(gross_exposure=1.3, target_return="equal_weight")
    mpp = cross_val_predict(
        SkfolioSparsePortfolio(est), X, cv=WalkForward(train_size=504, test_size=63)
    )
    ours = walk_forward(X, {"l1": est}, train_size=504, test_size=63)
    assert len(mpp.portfolios) == len(ours.weights["l1"])
    for portfolio, (_, w) in zip(
        mpp.portfolios, ours.weights["l1"].iterrows(), strict=True
    ):
        np.testing.assert_allclose(portfolio.weights, w.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(
        np.asarray(mpp.returns), ours.returns["l1"].to_numpy(), atol=1e-12
    )
    assert np.isfinite(mpp.sharpe_ratio)
