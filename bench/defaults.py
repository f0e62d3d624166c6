"""Ours at the defaults: time and worst relative suboptimality of a whole path.

The other half of "defaults against defaults" (the anchors' default rows are
the ``tol`` of their own defaults in ``path_cv.py``'s sweeps: R glmnet's
``thresh=1e-7``, adelie's ``tol=1e-7``).  The grid and problems are those of
``path_cv.py`` (100 alphas to alpha_max/100, no intercept); P* per alpha from
our path at tol=1e-13.

Run: ``.venv-bench/bin/python bench/defaults.py [--cases D1,S1] [--repeat 5]``
"""

import os

for _k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_k, None)

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from problems import load_problem, objective  # noqa: E402

import sparsefit  # noqa: E402


def worst_subopt(X, y, path, ref):
    worst = 0.0
    for k, alpha in enumerate(path.alphas):
        p = objective(X, y, path.coefs[:, k].toarray().ravel(), alpha)
        q = objective(X, y, ref.coefs[:, k].toarray().ravel(), alpha)
        worst = max(worst, (p - min(p, q)) / min(p, q))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="D1,S1")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for case in args.cases.split(","):
        prob = load_problem(case)
        X, y = prob.X, prob.y
        top = float(np.abs(X.T @ y).max()) / X.shape[0]
        grid = np.geomspace(top, top / 100, 100)
        kwargs = dict(alphas=grid, fit_intercept=False, progress=False)
        sparsefit.lasso_path(X, y, **kwargs)  # compile / load the cache
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            path = sparsefit.lasso_path(X, y, **kwargs)
            times.append(time.perf_counter() - start)
        ref = sparsefit.lasso_path(X, y, tol=1e-13, **kwargs)
        print(
            f"{case}: ours at the defaults (tol={1e-4:g}) "
            f"{statistics.median(times) * 1e3:.1f} ms (median of {args.repeat}), "
            f"worst relative suboptimality {worst_subopt(X, y, path, ref):.1e}, "
            f"stale points {int(sum(np.array_equal(path.coefs[:, k].toarray(), path.coefs[:, k - 1].toarray()) for k in range(1, 100)))}"  # noqa: E501
        )


if __name__ == "__main__":
    main()
