"""The portfolio homotopy against skfolio's one-solve-per-setting workflow.

A synthetic factor model (5 factors, idiosyncratic noise, T days, N assets).
Ours: the whole path of ``portfolio_path`` (every breakpoint, from the
long-only start down to tau = 0).  skfolio: ``MeanRisk`` (minimum variance,
budget 1, shorts allowed) with ``l1_coef`` at 20 values of tau spread over
our path, one cvxpy/Clarabel solve each.  Both in this process, after one
warm-up of each on a small problem.

    python bench/portfolio.py                 # N = T = 1000, then N = 5000
    python bench/portfolio.py --n-assets 200 --n-days 300 --skip-large

Results go to bench/results/portfolio_<date>.txt.
"""

import argparse
import datetime
import os
import platform
import sys
import time

import numpy as np

from sparsefit.portfolio import portfolio_path


def factor_returns(n_days, n_assets, n_factors=5, seed=0):
    """Daily returns: factor loadings around 1, factor vol 1%, noise 1.5%."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(0.0003, 0.01, size=(n_days, n_factors))
    loadings = rng.normal(1.0 / n_factors, 0.3, size=(n_factors, n_assets))
    noise = rng.normal(0.0, 0.015, size=(n_days, n_assets))
    alpha = rng.normal(0.0, 0.0003, size=n_assets)
    return factors @ loadings + noise + alpha


def time_ours(R):
    start = time.perf_counter()
    path = portfolio_path(R)
    return time.perf_counter() - start, path


def time_skfolio(R, taus):
    from skfolio.optimization import MeanRisk

    start = time.perf_counter()
    holdings = []
    for tau in taus:
        model = MeanRisk(min_weights=None, l1_coef=float(tau), solver="CLARABEL")
        model.fit(R)
        holdings.append(int(np.sum(np.abs(model.weights_) > 1e-6)))
    return time.perf_counter() - start, holdings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-assets", type=int, default=1000)
    parser.add_argument("--n-days", type=int, default=1000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    lines = [
        f"# bench/portfolio.py, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}",
        f"# python {platform.python_version()}, {platform.machine()}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}",
    ]
    small = factor_returns(120, 30, seed=1)
    time_ours(small)
    time_skfolio(small, [1e-4])
    R = factor_returns(args.n_days, args.n_assets)
    ours, path = time_ours(R)
    # 20 taus spread (log scale) over the path's positive breakpoints.
    positive = path.taus[path.taus > 0]
    taus = np.geomspace(positive.max(), positive.min(), 20)
    theirs, holdings = time_skfolio(R, taus)
    lines += [
        f"N={args.n_assets} T={args.n_days}: ours {ours:.2f} s for the whole path "
        f"({path.taus.size} breakpoints, {len(path.events)} events, holdings "
        f"{path.n_holdings.min()}..{path.n_holdings.max()}, complete={path.complete})",
        f"  skfolio MeanRisk(l1_coef), 20 solves: {theirs:.2f} s "
        f"(holdings {min(holdings)}..{max(holdings)})",
        f"  ratio ours / skfolio = {ours / theirs:.3f} (target <= 0.5)",
    ]
    print("\n".join(lines[-3:]), flush=True)
    if not args.skip_large:
        R = factor_returns(args.n_days, 5000, seed=2)
        ours, path = time_ours(R)
        lines.append(
            f"N=5000 T={args.n_days}: ours {ours:.2f} s for the whole path "
            f"({path.taus.size} breakpoints, holdings {path.n_holdings.min()}.."
            f"{path.n_holdings.max()}, complete={path.complete})"
        )
        print(lines[-1], flush=True)
    out = args.out or os.path.join(
        os.path.dirname(__file__),
        "results",
        f"portfolio_{datetime.date.today():%Y-%m-%d}.txt",
    )
    with open(out, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
