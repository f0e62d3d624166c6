"""Sparse portfolios on 33 years of S&P 500 prices, walk-forward.
==============================================================

The daily prices of 20 S&P 500 stocks (1990 to 2022) that skfolio ships
inside its package (``skfolio.datasets.load_sp500_dataset``; nothing is
downloaded) become daily returns; every quarter (63 trading days) each
strategy is refitted on the previous two years (504 days) and held for the
quarter:

- equal weight (1/N);
- minimum variance, unpenalised, shorts allowed;
- mean-variance without the penalty: minimum variance at the in-sample
  return of the equal-weight portfolio (the benchmark of Brodie et al., PNAS
  2009);
- the L1-penalised (Brodie) portfolio at the same return with a gross
  exposure of 1.3 (at most 15% of the capital short), read off the exact path;
- the same with a penalty on trades (``turnover``), rebalancing from the
  previous quarter's holdings;
- the five-name portfolio of the variance-weighted path, refitted on its
  names (``n_holdings=5``).

It prints the out-of-sample table (annualised mean, volatility and Sharpe
ratio, maximum drawdown, turnover per rebalancing, mean holdings) and writes
``summary.csv``, ``cumulative_returns.png`` and ``path_holdings.png`` (the
last window's path: weights and holdings against the gross exposure).

Run: ``.venv/bin/python examples/portfolio_backtest.py [--out DIR]``
(default ``sparsefit-examples/portfolio_backtest`` under the current directory,
created if missing and ignored by git; about a minute).  Needs the portfolio
and plot extras (skfolio, matplotlib), which ``make test`` installs.
"""

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from skfolio.datasets import load_sp500_dataset  # noqa: E402

from sparsefit.portfolio import (  # noqa: E402
    EqualWeight,
    SparsePortfolio,
    portfolio_path,
    prices_to_returns,
    walk_forward,
)

TRAIN, TEST = 504, 63
GROSS, TURNOVER = 1.3, 2e-5


def strategies():
    ew = "equal_weight"
    return {
        "equal weight": EqualWeight(),
        "minimum variance": SparsePortfolio(tau=0.0),
        "mean-variance": SparsePortfolio(tau=0.0, target_return=ew),
        f"L1, gross {GROSS}": SparsePortfolio(gross_exposure=GROSS, target_return=ew),
        f"L1, gross {GROSS}, turnover": SparsePortfolio(
            gross_exposure=GROSS, target_return=ew, turnover=TURNOVER
        ),
        "5 names (volatility path)": SparsePortfolio(
            n_holdings=5, penalty_factor="volatility", refit=True
        ),
    }


def plot_wealth(backtest, path):
    fig, ax = plt.subplots(figsize=(8, 4.5))
    wealth = (1.0 + backtest.returns).cumprod()
    for name in wealth.columns:
        ax.plot(wealth.index, wealth[name], lw=1.1, label=name)
    ax.set_yscale("log")
    ax.set_ylabel("wealth (log scale), 1 at the start")
    ax.set_title(f"Walk-forward: {TRAIN}-day window, refitted every {TEST} days")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_path(returns, path):
    window = returns.iloc[-TRAIN:]
    full = portfolio_path(window, target_return=float(window.to_numpy().mean()))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True)
    c = full.gross_exposure
    for j, name in enumerate(full.asset_names):
        top.plot(c, full.weights[:, j], lw=1, label=name)
    top.axhline(0.0, color="k", lw=0.5)
    top.set_ylabel("weight")
    top.set_title(
        f"The exact path on the last {TRAIN} days ({full.taus.size} breakpoints)"
    )
    top.legend(fontsize=6, ncol=5)
    bottom.step(c, full.n_holdings, where="post")
    bottom.set_xlabel("gross exposure ||w||_1 (tau decreasing to the right)")
    bottom.set_ylabel("holdings")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(out):
    out.mkdir(parents=True, exist_ok=True)
    returns = prices_to_returns(load_sp500_dataset())
    with warnings.catch_warnings():
        # Some windows have no breakpoint with exactly five names (the nearest
        # with fewer is used); the fitted holdings_bracket_ records it.
        warnings.simplefilter("ignore", UserWarning)
        backtest = walk_forward(returns, strategies(), train_size=TRAIN, test_size=TEST)
    table = backtest.summary()
    table.to_csv(out / "summary.csv")
    first, last = backtest.returns.index[0], backtest.returns.index[-1]
    print(f"Out of sample {first:%Y-%m-%d} to {last:%Y-%m-%d}, 20 stocks:")
    with np.printoptions(precision=3):
        print(table.round(3).to_string())
    plot_wealth(backtest, out / "cumulative_returns.png")
    plot_path(returns, out / "path_holdings.png")
    print(f"written to {out}/")


def output_folder(name):
    """``--out`` (default ``sparsefit-examples/NAME`` in the current folder),
    created if missing."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=Path("sparsefit-examples", name),
        help="folder for the table and figures, created if missing "
        "(default: %(default)s)",
    )
    return parser.parse_args().out


if __name__ == "__main__":
    main(output_folder("portfolio_backtest"))
