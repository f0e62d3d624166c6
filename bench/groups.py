"""Group-lasso paths: ours against adelie (``grpnet``) and skglm (``GroupLasso``).

Every library solves, at each of 100 alphas from alpha_max down to
``1e-2 alpha_max`` (no intercept, no standardisation),

    P(w) = 1/(2n) ||y - Xw||^2 + alpha sum_G sqrt(|G|) ||w_G||_2 .

For each library the tolerance is lowered until the worst relative
suboptimality over the path, ``(P(w) - P*) / P*`` against our tol=1e-12
path, is at most 1e-6; the time at that tolerance is the median of 3 runs
in this one process (JIT warm-up runs first and is reported apart).  The
ratio is the faster anchor's time over ours.

Run: ``PYTHONPATH=. /work/main/.venv-bench/bin/python bench/groups.py``.
"""

import argparse
import os
import time

import numpy as np

TARGET = 1e-6


def problem(n, p, size, seed=0):
    rng = np.random.default_rng(seed)
    # Correlated columns (AR(1), rho 0.5), 10 active groups.
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = 0.5 * X[:, j - 1] + np.sqrt(0.75) * Z[:, j]
    labels = np.repeat(np.arange(p // size), size)
    w = np.zeros(p)
    for g in rng.choice(p // size, 10, replace=False):
        w[labels == g] = rng.standard_normal(size)
    y = X @ w + rng.standard_normal(n)
    return np.asfortranarray(X), y, labels


def objective(X, y, labels, W, alphas):
    weights = np.sqrt(np.bincount(labels))
    out = []
    for k, alpha in enumerate(alphas):
        r = y - X @ W[k]
        norms = np.sqrt(np.bincount(labels, weights=W[k] ** 2))
        out.append(r @ r / (2 * len(y)) + alpha * weights @ norms)
    return np.array(out)


def ours(X, y, labels, alphas, tol):
    from sparsefit import compute_path
    from sparsefit.penalties import GroupPenalty

    path = compute_path(
        X,
        y,
        penalty=GroupPenalty(1.0, labels),
        alphas=alphas,
        fit_intercept=False,
        tol=tol,
        max_iter=100_000,
    )
    return path.coefs.toarray().T


def skglm_path(X, y, labels, alphas, tol):
    from skglm import GroupLasso

    size = int(np.bincount(labels)[0])
    model = GroupLasso(
        groups=size,
        alpha=alphas[0],
        weights=np.sqrt(np.bincount(labels)) * 1.0,
        tol=tol,
        fit_intercept=False,
        warm_start=True,
        max_iter=1000,
    )
    W = []
    for alpha in alphas:
        model.alpha = alpha
        W.append(model.fit(X, y).coef_.copy())
    return np.array(W)


def adelie_path(X, y, labels, alphas, tol):
    import adelie as ad

    starts = np.flatnonzero(np.diff(labels, prepend=-1)).astype(int)
    state = ad.grpnet(
        X,
        ad.glm.gaussian(y),
        groups=starts,
        alpha=1.0,
        lmda_path=alphas,
        intercept=False,
        tol=tol,
        early_exit=False,
        progress_bar=False,
        n_threads=1,
    )
    return np.asarray(state.betas.todense())


LIBS = {"ours": ours, "adelie": adelie_path, "skglm": skglm_path}
TOLS = {
    "ours": [1e-4, 1e-5, 1e-6, 1e-7, 1e-8],
    "adelie": [1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-14],
    "skglm": [1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10],
}


def measure(name, X, y, labels, alphas, pstar):
    fn = LIBS[name]
    start = time.perf_counter()
    fn(X, y, labels, alphas[:3], TOLS[name][0])  # JIT warm-up
    warm = time.perf_counter() - start
    for tol in TOLS[name]:
        W = fn(X, y, labels, alphas, tol)
        worst = float(np.max((objective(X, y, labels, W, alphas) - pstar) / pstar))
        if worst <= TARGET:
            break
    else:
        return warm, tol, worst, np.nan
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fn(X, y, labels, alphas, tol)
        times.append(time.perf_counter() - start)
    return warm, tol, worst, float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", default="500x1000x5,200x2000x10,2000x500x5")
    args = parser.parse_args()
    from sparsefit import compute_path
    from sparsefit.penalties import GroupPenalty

    print(f"load average {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    for shape in args.shapes.split(","):
        n, p, size = (int(v) for v in shape.split("x"))
        X, y, labels = problem(n, p, size)
        top = compute_path(
            X, y, penalty=GroupPenalty(1.0, labels), n_alphas=2, fit_intercept=False
        ).alphas[0]
        alphas = np.geomspace(top, 1e-2 * top, 100)
        pstar = objective(X, y, labels, ours(X, y, labels, alphas, 1e-12), alphas)
        rows = {name: measure(name, X, y, labels, alphas, pstar) for name in LIBS}
        print(f"\nn={n} p={p} groups of {size}: 100 alphas to 1e-2 alpha_max")
        print(f"{'library':>8} {'warm-up s':>10} {'tol':>8} {'worst':>9} {'path s':>8}")
        for name, (warm, tol, worst, seconds) in rows.items():
            print(f"{name:>8} {warm:>10.3f} {tol:>8.0e} {worst:>9.1e} {seconds:>8.3f}")
        anchors = [rows[k][3] for k in ("adelie", "skglm") if np.isfinite(rows[k][3])]
        if anchors:
            print(f"ratio (faster anchor / ours): {min(anchors) / rows['ours'][3]:.2f}")
    print(f"\nload average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
