"""The Cox lasso path and 10-fold CV against R glmnet, scikit-survival's
CoxnetSurvivalAnalysis and skglm's Cox datafit, in one process.

Problems: the veterans' data (137 x 8) and two p >> n synthetic ones,
200 x 1000 and 100 x 5000, with AR(1)-correlated features (rho = 0.5) and
10 true coefficients (+-0.5, spread over the columns), exponential event
times and exponential censoring.

Objective (Breslow ties, every solver):
``F(Xw) + alpha ||w||_1`` with ``F`` sparsefit's ``Cox()`` (the negative log
partial likelihood over n, 0 at the saturated model: glmnet's
``coxnet.deviance / (2n)``); columns standardised beforehand and no solver
standardises.  Each anchor's tolerance is swept until its worst relative
suboptimality over the grid, against a tol=1e-10 sparsefit path, is at most
1e-6; that setting is then timed (median of 3).  ratio = fastest anchor /
ours (> 1: ours is faster).  CV: ten folds, the same foldid for every
solver, each at its chosen setting; anchors without a CV runner (skglm,
scikit-survival) are timed as ten paths on the training folds plus their
held-out predictions.  JIT warm-up runs before any timing.

A second table, defaults against defaults: each solver at its own default
tolerance (ours tol=1e-4, glmnet thresh=1e-7, scikit-survival tol=1e-7,
skglm's ProxNewton tol=1e-4), the worst relative suboptimality it reaches
and its time.

Usage: PYTHONPATH=. python bench/cox.py [--quick] [--out FILE] [--reps N]
[--no-cv] [--only NAME] [--defaults-only] (--quick: the veterans' data and
200 x 1000 only; --no-cv: the paths only; --only: the problems whose name
holds NAME; --defaults-only: the second table only).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from sparsefit import compute_path, cross_validate_path
from sparsefit.datafits import Cox, survival_target
from sparsefit.datasets import load_veteran

TARGET = 1e-6
HERE = os.path.dirname(os.path.abspath(__file__))


def _synthetic(n, p, seed):
    """AR(1)-correlated features, 10 true coefficients, censored times."""
    rng = np.random.default_rng(seed)
    rho = 0.5
    X = rng.standard_normal((n, p))
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * X[:, j]
    beta = np.zeros(p)
    beta[np.linspace(0, p - 1, 10).astype(int)] = 0.5 * (-1.0) ** np.arange(10)
    t = rng.exponential(np.exp(-X @ beta))
    c = rng.exponential(1.5, n)
    y = survival_target(np.minimum(t, c), (t <= c).astype(int))
    return (X - X.mean(0)) / X.std(0), y


def problems(quick):
    d = load_veteran()
    X = (d.X - d.X.mean(0)) / d.X.std(0)
    out = [("veteran 137x8", X, d.y, 1e-3)]
    out.append(("synthetic 200x1000", *_synthetic(200, 1000, 0), 1e-2))
    if not quick:
        out.append(("synthetic 100x5000", *_synthetic(100, 5000, 1), 1e-2))
    return out


def objectives(X, y, coefs, alphas):
    fit = Cox()
    return np.array(
        [
            fit.value(y, X @ coefs[:, k]) + a * np.abs(coefs[:, k]).sum()
            for k, a in enumerate(alphas)
        ]
    )


def worst(X, y, coefs, alphas, pstar):
    return float(np.max((objectives(X, y, coefs, alphas) - pstar) / pstar))


#: Timing repetitions (median); --reps sets it.
REPS = [3]
#: Whether CV is timed; --no-cv turns it off (path only).
WITH_CV = [True]


def median_time(fn, reps=None):
    reps = REPS[0] if reps is None else reps
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def ours(X, y, alphas, pstar, foldid, tols=(1e-4, 1e-6, 1e-8), target=None):
    target = TARGET if target is None else target
    for tol in tols:
        path = compute_path(X, y, Cox(), alphas=alphas, tol=tol)
        sub = worst(X, y, path.coefs.toarray(), alphas, pstar)
        if sub <= target:
            break
    t_path = median_time(lambda: compute_path(X, y, Cox(), alphas=alphas, tol=tol))
    if not WITH_CV[0]:
        return f"tol={tol:g}", sub, t_path, np.nan
    t_cv = median_time(
        lambda: cross_validate_path(
            X, y, family="cox", alphas=alphas, foldid=foldid, tol=tol
        ),
        reps=1,
    )
    return f"tol={tol:g}", sub, t_path, t_cv


def glmnet(X, y, alphas, pstar, foldid, tols="1e-7,1e-9,1e-11,1e-13", target=None):
    target = TARGET if target is None else target
    with tempfile.TemporaryDirectory() as tmp:
        n, p = X.shape
        np.savetxt(os.path.join(tmp, "meta.txt"), [n, p], fmt="%d")
        np.asfortranarray(X).T.astype(float).tofile(os.path.join(tmp, "X.bin"))
        y["stop"].astype(float).tofile(os.path.join(tmp, "time.bin"))
        y["event"].astype(np.int32).tofile(os.path.join(tmp, "status.bin"))
        np.asarray(alphas, float).tofile(os.path.join(tmp, "lambdas.bin"))
        np.asarray(pstar, float).tofile(os.path.join(tmp, "pstar.bin"))
        (foldid + 1).astype(np.int32).tofile(os.path.join(tmp, "foldid.bin"))
        out = subprocess.run(
            [
                "Rscript",
                os.path.join(HERE, "_glmnet_cox.R"),
                tmp,
                str(target).replace("inf", "Inf"),
                tols,
                str(REPS[0]),
                "1" if WITH_CV[0] else "0",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    sweep = [line.split() for line in out.splitlines() if line.startswith("SWEEP")]
    final = [line.split() for line in out.splitlines() if line.startswith("FINAL")]
    cv = [line.split() for line in out.splitlines() if line.startswith("CV")]
    if not final:
        return "none reached", float(sweep[-1][4]), np.nan, np.nan
    times = [float(v) for v in final[0][2:]]
    return (
        f"thresh={final[0][1]}",
        float(sweep[-1][4]),
        float(np.median(times)),
        (float(cv[0][1]) if cv else np.nan),
    )


def sksurv_path(X, y, alphas, tol):
    from sksurv.linear_model import CoxnetSurvivalAnalysis

    target = np.empty(y.shape[0], dtype=[("e", "?"), ("t", "f8")])
    target["e"], target["t"] = y["event"] > 0, y["stop"]
    model = CoxnetSurvivalAnalysis(
        alphas=alphas, l1_ratio=1.0, normalize=False, tol=tol, max_iter=1_000_000
    )
    model.fit(X, target)
    if model.coef_.shape[1] < len(alphas):
        # Coxnet stops its path early (as glmnet's saturation rule).
        raise RuntimeError(
            f"path stops after {model.coef_.shape[1]} of {len(alphas)} alphas"
        )
    return model.coef_


def skglm_path(X, y, alphas, tol):
    from skglm.datafits import Cox as SkCox
    from skglm.penalties import L1
    from skglm.solvers import ProxNewton
    from skglm.utils.jit_compilation import compiled_clone

    # skglm's estimator refuses the Cox datafit: its solver, warm-started.
    Y = np.column_stack([y["stop"], y["event"]])
    datafit = compiled_clone(SkCox())
    datafit.initialize(X, Y)
    solver = ProxNewton(fit_intercept=False, tol=tol, max_iter=1000)
    coefs = np.zeros((X.shape[1], len(alphas)))
    w, Xw = np.zeros(X.shape[1]), np.zeros(X.shape[0])
    for k, a in enumerate(alphas):
        w = solver.solve(X, Y, datafit, compiled_clone(L1(a)), w, Xw)[0]
        Xw = X @ w
        coefs[:, k] = w
    return coefs


def python_anchor(path_fn, tols, X, y, alphas, pstar, foldid, target=None):
    target = TARGET if target is None else target
    path_fn(X[:20], y[:20], alphas[:3], tols[0])  # JIT warm-up
    sub = np.inf
    for tol in tols:
        sub = worst(X, y, path_fn(X, y, alphas, tol), alphas, pstar)
        if sub <= target:
            break
    else:
        return "none reached", sub, np.nan, np.nan
    t_path = median_time(lambda: path_fn(X, y, alphas, tol))

    def folds():
        for f in np.unique(foldid):
            train = foldid != f
            coefs = path_fn(X[train], y[train], alphas, tol)
            X[~train] @ coefs

    if not WITH_CV[0]:
        return f"tol={tol:g}", sub, t_path, np.nan
    return f"tol={tol:g}", sub, t_path, median_time(folds, reps=1)


def _table(title, rows, emit):
    emit(title)
    emit(f"{'solver':16} {'setting':18} {'worst subopt':>12} {'path s':>8} {'cv s':>8}")
    for label, (setting, sub, tp, tc) in rows.items():
        emit(f"{label:16} {setting:18} {sub:12.2e} {tp:8.3f} {tc:8.3f}")
    others = [r for k, r in rows.items() if k != "sparsefit"]
    best_path = min((r[2] for r in others if np.isfinite(r[2])), default=np.nan)
    best_cv = min((r[3] for r in others if np.isfinite(r[3])), default=np.nan)
    mine = rows["sparsefit"]
    emit(
        f"ratio path (fastest anchor / ours): {best_path / mine[2]:.2f}"
        f"   ratio cv: {best_cv / mine[3]:.2f}"
    )


def _run(anchors, data, mine, emit, title):
    rows = {"sparsefit": mine(*data)}
    for label, fn, head, extra in anchors:
        try:
            rows[label] = fn(*head, *data, **extra)
        except Exception as exc:  # an anchor missing or failing: say so
            message = f"failed: {type(exc).__name__}: {exc}"[:60]
            rows[label] = (message, np.nan, np.nan, np.nan)
    _table(title, rows, emit)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", help="also write the tables to this file")
    parser.add_argument("--reps", type=int, default=3, help="timing repetitions")
    parser.add_argument("--no-cv", action="store_true", help="time the paths only")
    parser.add_argument("--only", help="run the problems whose name holds this")
    parser.add_argument(
        "--defaults-only", action="store_true", help="the defaults table only"
    )
    args = parser.parse_args()
    REPS[0] = args.reps
    WITH_CV[0] = not args.no_cv
    lines = []

    def emit(text):
        print(text, flush=True)
        lines.append(text)

    emit(f"load average at start: {os.getloadavg()}")
    for name, X, y, eps in problems(args.quick):
        if args.only and args.only not in name:
            continue
        X = np.asfortranarray(X)
        compute_path(X[:30], y[:30], Cox(), n_alphas=3)  # JIT warm-up
        top = compute_path(X, y, Cox(), n_alphas=2).alphas[0]
        alphas = top * np.geomspace(1.0, eps, 100)
        ref = compute_path(X, y, Cox(), alphas=alphas, tol=1e-10)
        pstar = objectives(X, y, ref.coefs.toarray(), alphas)
        foldid = np.random.default_rng(1).permutation(np.arange(X.shape[0]) % 10)
        data = (X, y, alphas, pstar, foldid)
        events = int(y["event"].sum())
        head = f"\n{name} ({events} events), 100 alphas down to {eps:g} alpha_max"
        anchors = (
            ("R glmnet", glmnet, (), {}),
            ("scikit-survival", python_anchor, (sksurv_path, (1e-7, 1e-9, 1e-11)), {}),
            ("skglm", python_anchor, (skglm_path, (1e-6, 1e-8, 1e-10)), {}),
        )
        if not args.defaults_only:
            _run(anchors, data, ours, emit, head + f": time to {TARGET:g}")
        inf = {"target": np.inf}
        defaults = (
            ("R glmnet", glmnet, (), {"tols": "1e-7", **inf}),
            ("scikit-survival", python_anchor, (sksurv_path, (1e-7,)), inf),
            ("skglm", python_anchor, (skglm_path, (1e-4,)), inf),
        )

        def mine(*d):
            return ours(*d, tols=(1e-4,), target=np.inf)

        _run(defaults, data, mine, emit, head + ": defaults against defaults")
    emit(f"\nload average at end: {os.getloadavg()}")
    if args.out:
        with open(args.out, "w") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
