"""Knockoffs and the debiased lasso against knockpy and hidimstat.

The simulation of the selection acceptance: n = 300, p = 500, 20 non-zeros
of random sign, AR(0.5) design, Gaussian and logistic responses, replicate
``r`` seeded with ``r``.  Per replicate, on the same data, in one process:

- ours: ``knockoff_select`` (model-X Gaussian knockoffs, MVR s vector, true
  Sigma, lasso coefficient difference ``|b_j| - |b_j~|`` at the alpha of
  least 5-fold CV deviance on a 20-point grid from alpha_max to 1e-2
  alpha_max, the folds' paths stopped 1.25x below the best alpha, every fit
  certified to a relative gap of 1e-4; knockoff+ at q = 0.1);
- knockpy: ``KnockoffFilter(ksampler="gaussian", fstat="lasso")`` with the
  same Sigma, MVR (its S solved once and passed in, as ours is cached),
  q = 0.1: its own knockoffs, and the same statistic ``|b_j| - |b_j~|`` at
  the alpha of least 5-fold CV error over its fixed grid logspace(-4, 4, 20)
  (scikit-learn ``LassoCV``, tol 1e-3, max_iter 500; for the logistic,
  ``LogisticRegressionCV`` with liblinear over the same 20 values);
- hidimstat (timing, first replicates only): ``model_x_knockoff_importance``
  with its defaults (Gaussian knockoffs, LassoCV), same Sigma estimator
  left to it.

Then the debiased lasso's 95% coverage of the null coefficients on the
Gaussian replicates and its time against hidimstat's
``desparsified_lasso_importance``; and Golub (ALL/AML) selection with the
held-out accuracy of the selected genes.

Run with .venv-bench/bin/python bench/selection_knockoffs.py [--reps R]
[--debiased-reps R] [--hidimstat-reps R] [--out FILE].  JIT compilation
(numba) is warmed up first and reported apart.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np

N, P, K, RHO = 300, 500, 20, 0.5
AMPLITUDE = {"gaussian": 0.3, "binomial": 0.8}


def ar1(p, rho):
    i = np.arange(p)
    return rho ** np.abs(i[:, None] - i[None])


def simulate(family, seed, Sigma):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, P)) @ np.linalg.cholesky(Sigma).T
    beta = np.zeros(P)
    beta[rng.choice(P, K, replace=False)] = AMPLITUDE[family] * rng.choice([-1, 1], K)
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.standard_normal(N)
    else:
        y = (rng.random(N) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y, beta


def fdp_power(selected, beta):
    selected = np.asarray(selected, dtype=bool)
    false = np.sum(selected & (beta == 0))
    return false / max(1, selected.sum()), np.sum(selected & (beta != 0)) / K


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def ours(X, y, family, Sigma, seed):
    from sparsefit.selection._knockoffs import knockoff_select

    res = knockoff_select(
        X,
        y,
        fdr=0.1,
        family=family,
        Sigma=Sigma,
        construction="mvr",
        random_state=seed,
    )
    return res.selected_


def knockpy_filter(X, y, family, Sigma, seed, S=None):
    from knockpy import KnockoffFilter

    # knockpy draws from NumPy's global generator.
    np.random.seed(seed)  # noqa: NPY002
    kwargs = {"method": "mvr"} if S is None else {"method": "mvr", "S": S}
    kf = KnockoffFilter(ksampler="gaussian", fstat="lasso", knockoff_kwargs=kwargs)
    fstat_kwargs = {"y_dist": "binomial"} if family == "binomial" else {}
    return kf.forward(X=X, y=y, Sigma=Sigma, fdr=0.1, fstat_kwargs=fstat_kwargs) > 0


def hidimstat_filter(X, y, family, seed):
    from hidimstat import model_x_knockoff_importance
    from sklearn.linear_model import LogisticRegressionCV

    kwargs = {}
    if family == "binomial":
        kwargs["estimator"] = LogisticRegressionCV(penalty="l1", solver="liblinear")
        kwargs["preconfigure_lasso_path"] = False
    out = model_x_knockoff_importance(X, y, random_state=seed, fdr=0.1, **kwargs)
    return out


def run_knockoffs(family, reps, hidimstat_reps, log, S=None, full_reps=0):
    """``S``: knockpy's MVR matrix for Sigma, solved once (as ours is cached)
    so that knockpy's time is its per-draw cost; the first replicate also
    times knockpy's whole call (``t_knockpy_full``), s solve included."""
    Sigma = ar1(P, RHO)
    rows = []
    for r in reps:
        X, y, beta = simulate(family, r, Sigma)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sel, t_ours = timed(ours, X, y, family, Sigma, r)
            ksel, t_kp = timed(knockpy_filter, X, y, family, Sigma, r, S)
            t_hd = t_full = np.nan
            if r < hidimstat_reps:
                _, t_hd = timed(hidimstat_filter, X, y, family, r)
            if r < full_reps:
                _, t_full = timed(knockpy_filter, X, y, family, Sigma, r)
        row = dict(
            rep=r,
            t_ours=t_ours,
            t_knockpy=t_kp,
            t_hidimstat=t_hd,
            t_knockpy_full=t_full,
        )
        row["ratio"] = t_ours / np.nanmin([t_kp, t_hd])
        row["fdp"], row["power"] = fdp_power(sel, beta)
        row["fdp_knockpy"], row["power_knockpy"] = fdp_power(ksel, beta)
        rows.append(row)
        log(
            f"{family} rep {r}: "
            + json.dumps({k: round(float(v), 4) for k, v in row.items()})
        )
    return rows


def run_debiased(reps, hidimstat_reps, log):
    from sparsefit.selection._debiased import debiased_lasso

    Sigma = ar1(P, RHO)
    rows = []
    for r in range(reps):
        X, y, beta = simulate("gaussian", r, Sigma)
        res, t_ours = timed(debiased_lasso, X, y)
        inside = (res.ci_[:, 0] <= beta) & (beta <= res.ci_[:, 1])
        t_hd = np.nan
        if r < hidimstat_reps:
            from hidimstat import desparsified_lasso_importance

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, t_hd = timed(desparsified_lasso_importance, X, y)
        row = dict(
            rep=r,
            coverage_null=float(inside[beta == 0].mean()),
            coverage_signal=float(inside[beta != 0].mean()),
            sigma=res.sigma_,
            t_ours=t_ours,
            t_hidimstat=t_hd,
        )
        rows.append(row)
        log(
            "debiased rep "
            + json.dumps({k: round(float(v), 4) for k, v in row.items()})
        )
    return rows


def summarise(rows, key):
    v = np.array([row[key] for row in rows], dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    se = v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else np.nan
    return f"{v.mean():.4f} +- {se:.4f} (n={v.size})"


def golub(log, seed=0):
    """Knockoff+ selection on ALL/AML with the held-out accuracy of a logistic
    fit on the selected genes, over 5 stratified folds (selection redone in
    each fold, on its training part only)."""
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from sparsefit.selection._knockoffs import knockoff_select

    path = Path(__file__).resolve().parents[2] / "shared" / "data"
    data = pd.read_csv(path / "golub_multtest.csv")
    y = data.pop("cl").to_numpy()
    X = data.to_numpy(dtype=float)
    log(f"golub: n={X.shape[0]}, p={X.shape[1]}")
    for fdr, n_draws in ((0.1, 1), (0.3, 1)):
        full, t = timed(
            lambda fdr=fdr, n_draws=n_draws: knockoff_select(
                X,
                y,
                fdr=fdr,
                family="binomial",
                construction="equicorrelated",
                n_draws=n_draws,
                random_state=seed,
            )
        )
        accs, sizes = [], []
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        for train, test in folds.split(X, y):
            res = knockoff_select(
                X[train],
                y[train],
                fdr=fdr,
                family="binomial",
                construction="equicorrelated",
                n_draws=n_draws,
                random_state=seed,
            )
            sel = res.support_
            sizes.append(sel.size)
            if sel.size == 0:
                pred = np.full(test.size, np.bincount(y[train]).argmax())
            else:
                clf = LogisticRegression(C=1.0, max_iter=1000)
                clf.fit(X[train][:, sel], y[train])
                pred = clf.predict(X[test][:, sel])
            accs.append(np.mean(pred == y[test]))
        log(
            f"golub fdr={fdr} n_draws={n_draws}: full data selects "
            f"{full.support_.size} genes {list(data.columns[full.support_])[:12]} "
            f"in {t:.1f} s; 5-fold held-out accuracy {np.mean(accs):.3f} "
            f"(genes per fold {sizes}); message: {full.message_!r}"
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--debiased-reps", type=int, default=50)
    parser.add_argument("--hidimstat-reps", type=int, default=3)
    # knockpy's whole call (its MVR solve, about a minute at p = 500) and the
    # SDP constructions (minutes for knockpy's) only when asked.
    parser.add_argument("--knockpy-full-reps", type=int, default=0)
    parser.add_argument("--s-constructions", action="store_true")
    # knockpy's MVR S for this Sigma saved by an earlier run (np.save), to
    # skip its solve; it is only timed when solved here.
    parser.add_argument("--knockpy-s", default=None)
    parser.add_argument("--families", default="gaussian,binomial")
    parser.add_argument("--skip-golub", action="store_true")
    parser.add_argument("--out", default="bench/results/selection_knockoffs.txt")
    args = parser.parse_args()
    out = open(args.out, "w")

    def log(line):
        print(line, flush=True)
        out.write(line + "\n")
        out.flush()

    Sigma = ar1(P, RHO)
    X, y, _ = simulate("gaussian", 10_000, Sigma)
    _, t = timed(ours, X[:, :50], y, "gaussian", Sigma[:50, :50], 0)
    _, t2 = timed(ours, X[:, :50], y > 0, "binomial", Sigma[:50, :50], 0)
    log(f"warm-up (numba compile, small problems): {t:.1f} s + {t2:.1f} s")
    summary = {}
    families = [f for f in args.families.split(",") if f]
    if families:
        from knockpy.smatrix import compute_smatrix

        if args.knockpy_s:
            S, t = np.load(args.knockpy_s), np.nan
        else:
            S, t = timed(compute_smatrix, Sigma, method="mvr")
        from sparsefit.selection._sdp import knockoff_s

        s, t_s = timed(knockoff_s, Sigma, "mvr")
        log(
            f"MVR s for AR(0.5), p={P}: knockpy {t:.2f} s (sum {np.trace(S):.2f}), "
            f"ours {t_s:.2f} s (sum {s.sum():.2f})"
        )
    if families and args.s_constructions:
        for c in ("equicorrelated", "sdp"):
            s, t_s = timed(lambda c=c: knockoff_s(Sigma, c))
            log(f"   ours {c}: {t_s:.2f} s (sum {s.sum():.2f})")
        try:
            # knockpy's default SDP solver is cvxpy, far too slow at p = 500;
            # its coordinate-descent SDP is the fair comparison.
            S2, t2 = timed(compute_smatrix, Sigma, method="sdp", solver="cd")
            log(f"   knockpy sdp (cd): {t2:.2f} s (sum {np.trace(S2):.2f})")
        except Exception as exc:  # the anchor's failure is reported, not fatal
            log(f"   knockpy sdp failed: {exc!r}")
    for family in families:
        summary[family] = []
    for r in range(args.reps):
        for family in families:
            summary[family] += run_knockoffs(
                family, [r], args.hidimstat_reps, log, S, args.knockpy_full_reps
            )
    for family in families:
        rows = summary[family]
        log(f"== {family}: knockoff+ q=0.1 over {len(rows)} replicates")
        for key in (
            "fdp",
            "power",
            "fdp_knockpy",
            "power_knockpy",
            "t_ours",
            "t_knockpy",
            "t_knockpy_full",
            "t_hidimstat",
        ):
            log(f"   {key}: {summarise(rows, key)}")
        ratios = [row["ratio"] for row in rows]
        log(
            f"   ours / faster anchor, per replicate: median {np.median(ratios):.3f}"
            f" (min {np.min(ratios):.3f}, max {np.max(ratios):.3f})"
        )
    if args.debiased_reps:
        rows = run_debiased(args.debiased_reps, args.hidimstat_reps, log)
        log(f"== debiased lasso over {len(rows)} replicates")
        for key in (
            "coverage_null",
            "coverage_signal",
            "sigma",
            "t_ours",
            "t_hidimstat",
        ):
            log(f"   {key}: {summarise(rows, key)}")
        ratios = [r["t_ours"] / r["t_hidimstat"] for r in rows if r["t_hidimstat"] > 0]
        if ratios:
            log(f"   ours / hidimstat, per replicate: median {np.median(ratios):.3f}")
    if not args.skip_golub:
        golub(log)
    Path(args.out).with_suffix(".json").write_text(json.dumps(summary))


if __name__ == "__main__":
    main()
