"""Whole path (100 alphas) and 10-fold CV at matched accuracy: ours against the
anchors.

Grid: ``--n-alphas`` (100) alphas, geometric from alpha_max down to
alpha_max / ``--ratio`` (100); objective ``1/(2n)||y - Xw||^2 + alpha ||w||_1``,
no intercept (as ``single_alpha.py``).

1. Matched accuracy. For a path W (one column per alpha) its accuracy is the
   worst relative duality gap over the grid, ``max_k gap_k(w_k) / P_k(w_k)``,
   with the Lasso gap of ANCHORS.md (r = y - Xw, s = min(1, n alpha/||X'r||_inf),
   D = (||y||^2 - ||y - s r||^2) / (2n)), computed here from each library's
   coefficients (for R glmnet: in R, and checked again here). Each library
   searches its own ``tol`` over the decades 1e-1, 1e-2, ... ``--min-tol``
   (1e-20: adelie and glmnet need 1e-16 or less on D1) for the loosest one
   whose worst relative gap is <= ``--target`` (1e-6): after a miss it skips
   floor(log10(gap / target)) decades ahead (at least one), after a hit
   reached by skipping it steps back one decade at a time until a miss (exact
   when the worst gap does not grow as tol shrinks). ``--criterion subopt``
   uses (P - P*)/P* instead, P* per alpha from our path at tol=1e-13 (the
   criterion of ANCHORS.md; much looser than the gap on these problems).
2. Path time: the median of ``--repeat`` runs at that tol (after a first call,
   whose excess over a later call is the JIT / cache-load cost, and the sweep,
   which warms up), round-robin over the libraries.
3. 10-fold CV over the same grid and the same folds (``KFold(10)``, no
   shuffle; R gets them as ``foldid``) at the same tol: ``--cv-repeat`` (2)
   runs, only one when the first takes longer than ``--cv-single-above`` s.
   What each library's CV does is in bench/README.md ("Whole path and CV").
4. Times are also given in passes (time / one X'v product on the full data)
   and per alpha. ratio = best anchor time / ours (> 1: ours faster); an
   anchor that did not reach the target is shown but never the best anchor.

Any run longer than ``--budget`` s (120) is interrupted (at the next return
to Python: between alphas or folds for most libraries; adelie's path is one
C++ call and R checks between folds only) and reported; the run goes on.

Run: ``.venv-bench/bin/python bench/path_cv.py [--cases D1] [--skip-cv]``
"""

import os

# Same as single_alpha.py: must run before numpy loads.
_REMOVED_ENV = {
    k: os.environ.pop(k)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    if k in os.environ
}

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import single_alpha as _sa  # noqa: E402
from problems import load_problem  # noqa: E402
from single_alpha import (  # noqa: E402
    _reason,
    _write_for_r,
    fmt_passes,
    fmt_time,
    time_rmatvec,
    timed,
)

_sa._REMOVED_ENV = _REMOVED_ENV  # so that its header reports ours

HERE = Path(__file__).resolve().parent
LIBS = ["ours", "sklearn", "celer", "skglm", "adelie", "glmnet-R"]
ANCHORS = [lib for lib in LIBS if lib != "ours"]


class Budget(Exception):
    pass


_FIRED = [False]


def _alarm(signum, frame):
    _FIRED[0] = True
    raise Budget()


def with_budget(seconds, fn, *args):
    """``timed(fn, *args)``, interrupted (``Budget``) after ``seconds``. Any
    exception once the alarm has fired counts as ``Budget`` (adelie turns the
    interrupt into a partial path, which its runner reports as an error)."""
    old = signal.signal(signal.SIGALRM, _alarm)
    _FIRED[0] = False
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return timed(fn, *args)
    except Exception as exc:
        if _FIRED[0] and not isinstance(exc, Budget):
            raise Budget() from exc
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------ accuracy
def path_gaps(X, y, W, alphas):
    """Relative duality gaps gap_k / P_k of the columns of W (p x m)."""
    W = W.toarray() if sp.issparse(W) else np.asarray(W, dtype=float)
    n = len(y)
    R = y[:, None] - np.asarray(X @ W)
    G = np.asarray(X.T @ R)
    xtr = np.maximum(np.abs(G).max(axis=0), 1e-300)
    s = np.minimum(1.0, n * alphas / xtr)
    rss = np.einsum("ij,ij->j", R, R)
    P = 0.5 * rss / n + alphas * np.abs(W).sum(axis=0)
    D = ((y @ y) - ((y[:, None] - s * R) ** 2).sum(axis=0)) / (2 * n)
    return (P - D) / P


# --criterion subopt: per-alpha reference objectives of a tight path (ours at
# REF_TOL, certified by its duality gap); None: the criterion is the gap.
_REF = {"pstar": None}
REF_TOL = 1e-13


def accuracy(X, y, W, alphas):
    """Per-alpha criterion: gap/P, or (P - P*)/P* with ``--criterion subopt``."""
    if _REF["pstar"] is None:
        return path_gaps(X, y, W, alphas)
    P = path_primal(X, y, W, alphas)
    return (P - _REF["pstar"]) / _REF["pstar"]


def acc_label():
    return "gap/P" if _REF["pstar"] is None else "subopt"


def cv_alpha_min(X, y, folds, alphas, path_fn):
    """Manual K-fold CV: path on each training part, MSE on the held-out part;
    the alpha of the lowest mean MSE (the largest among ties)."""
    mse = np.empty((len(folds), len(alphas)))
    for i, (tr, te) in enumerate(folds):
        Xtr = X[tr]
        if not sp.issparse(Xtr):
            Xtr = np.asfortranarray(Xtr)
        W = path_fn(Xtr, y[tr])
        W = W.toarray() if sp.issparse(W) else np.asarray(W)
        res = y[te][:, None] - np.asarray(X[te] @ W)
        mse[i] = (res**2).mean(axis=0)
    mean = mse.mean(axis=0)
    return float(alphas[int(np.flatnonzero(mean == mean.min())[0])])


# ------------------------------------------------------------------ runners
class Runner:
    name = "?"
    external = False
    cv_note = ""

    def __init__(self, X, y, alphas, folds):
        self.X, self.y, self.alphas, self.folds = X, y, alphas, folds

    def path(self, tol):
        """Coefficients (p x m, dense or sparse) at every grid alpha."""
        return self._path(self.X, self.y, tol)

    def _path(self, X, y, tol):
        raise NotImplementedError

    def cv(self, tol):
        """Manual CV: the full-data path plus one path per fold."""
        self._path(self.X, self.y, tol)
        return cv_alpha_min(
            self.X, self.y, self.folds, self.alphas, lambda X, y: self._path(X, y, tol)
        )


class Ours(Runner):
    name = "ours"
    cv_note = "cross_validate_path (full path + 10 fold paths), n_jobs=1"

    def __init__(self, *a):
        super().__init__(*a)
        import sparsefit

        self.sf = sparsefit
        self.last = None

    def _path(self, X, y, tol):
        res = self.sf.lasso_path(
            X, y, alphas=self.alphas, fit_intercept=False, tol=tol, max_iter=10**5
        )
        self.last = res
        return res.coefs

    def cv(self, tol):
        from sklearn.model_selection import KFold

        res = self.sf.cross_validate_path(
            self.X,
            self.y,
            alphas=self.alphas,
            cv=KFold(10),
            fit_intercept=False,
            tol=tol,
            max_iter=10**5,
            n_jobs=1,
            progress=False,
        )
        return float(res.alpha_min)


class Sklearn(Runner):
    name = "sklearn"
    cv_note = "LassoCV (10 fold paths + one refit at alpha_min)"

    def __init__(self, *a):
        super().__init__(*a)
        from sklearn.linear_model import LassoCV, lasso_path

        self.lasso_path, self.LassoCV = lasso_path, LassoCV

    def _path(self, X, y, tol):
        _, coefs, _ = self.lasso_path(X, y, alphas=self.alphas, tol=tol, max_iter=10**5)
        return coefs

    def cv(self, tol):
        from sklearn.model_selection import KFold

        est = self.LassoCV(
            alphas=self.alphas,
            cv=KFold(10),
            fit_intercept=False,
            tol=tol,
            max_iter=10**5,
        )
        return float(est.fit(self.X, self.y).alpha_)


class Celer(Runner):
    name = "celer"
    cv_note = "celer.LassoCV; manual folds with celer_path when it fails"

    def __init__(self, *a):
        super().__init__(*a)
        import celer

        self.celer = celer
        self.lassocv_error = None

    def _path(self, X, y, tol):
        # max_iter=100 and prune=True: what celer.Lasso passes to celer_path.
        _, coefs, _ = self.celer.celer_path(
            X, y, "lasso", alphas=self.alphas, tol=tol, max_iter=100, prune=True
        )
        return coefs

    def cv(self, tol):
        from sklearn.model_selection import KFold

        if self.lassocv_error is None:
            try:
                est = self.celer.LassoCV(
                    alphas=self.alphas, cv=KFold(10), fit_intercept=False, tol=tol
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    alpha = float(est.fit(self.X, self.y).alpha_)
                self.cv_note = "celer.LassoCV (10 fold paths + one refit)"
                return alpha
            except Budget:
                raise
            except Exception as exc:  # noqa: BLE001
                self.lassocv_error = _reason(exc)
                self.cv_note = (
                    f"celer.LassoCV failed ({self.lassocv_error}); "
                    "manual folds with celer_path, timing restarted"
                )
                raise _Retry() from exc
        return super().cv(tol)


class _Retry(Exception):
    """celer.LassoCV failed: time the manual CV instead."""


class Skglm(Runner):
    name = "skglm"
    cv_note = "manual: full path + 10 fold paths (warm-started Lasso)"

    def __init__(self, *a):
        super().__init__(*a)
        from skglm import Lasso

        self.Lasso = Lasso

    def _path(self, X, y, tol):
        est = self.Lasso(
            alpha=self.alphas[0], fit_intercept=False, tol=tol, warm_start=True
        )
        coefs = np.empty((X.shape[1], len(self.alphas)))
        for k, alpha in enumerate(self.alphas):
            est.alpha = alpha
            coefs[:, k] = est.fit(X, y).coef_
        return coefs


class Adelie(Runner):
    name = "adelie"
    cv_note = (
        "manual: full path + 10 fold paths with grpnet on the training rows "
        "(cv_grpnet takes neither a grid nor folds)"
    )

    def __init__(self, *a):
        super().__init__(*a)
        import logging

        import adelie

        self.ad = adelie
        # adelie logs an interrupted solve (budget) at WARNING on the root logger
        adelie.logger.logger.setLevel(logging.ERROR)

    def _path(self, X, y, tol):
        ad = self.ad
        if sp.issparse(X):
            Xa = ad.matrix.sparse(sp.csc_matrix(X), method="naive")
        else:
            Xa = ad.matrix.dense(np.asfortranarray(X), method="naive")
        state = ad.grpnet(
            Xa,
            ad.glm.gaussian(np.ascontiguousarray(y)),
            lmda_path=self.alphas,
            intercept=False,
            early_exit=False,
            tol=tol,
            progress_bar=False,
            n_threads=1,
        )
        betas = state.betas
        if betas.shape[0] != len(self.alphas):
            raise RuntimeError(
                f"adelie returned {betas.shape[0]} of {len(self.alphas)} lambdas"
                f" ({state.error or 'no error message'})"
            )
        return sp.csc_matrix(betas.T) if sp.issparse(betas) else np.asarray(betas).T


RUNNERS = {c.name: c for c in (Ours, Sklearn, Celer, Skglm, Adelie)}


# ------------------------------------------------------------------ results
@dataclass
class Outcome:
    lib: str
    tol: float = float("nan")
    gap: float = float("nan")  # worst rel. gap over the path at tol
    nnz_last: int = 0
    times: list = field(default_factory=list)
    first_call: float = float("nan")
    first_excess: float = float("nan")
    sweep: list = field(default_factory=list)  # (tol, seconds, worst rel gap)
    error: str = ""
    note: str = ""
    own_gap: float = float("nan")  # ours: worst certified dual_gap / P
    cv_times: list = field(default_factory=list)
    cv_alpha_min: float = float("nan")
    cv_error: str = ""
    cv_note: str = ""

    @property
    def time(self):
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def cv_time(self):
        return statistics.median(self.cv_times) if self.cv_times else float("nan")

    @property
    def ok(self):
        return not self.error and bool(self.times)

    @property
    def cv_ok(self):
        return self.ok and not self.cv_error and bool(self.cv_times)


def next_level(k, worst, passed, seen, args):
    """Decade search over ``args.tols`` (index k): after a miss, skip ahead by
    floor(log10(gap / target)) decades (at least one); after a hit reached by
    skipping, step back one decade at a time until a miss. Returns
    ``("done", k_chosen)``, ``("next", k)`` or ``("fail", None)``."""
    if passed:
        if k == 0 or (k - 1) in seen:
            return "done", k
        return "next", k - 1
    if (k + 1) in seen and seen[k + 1]:
        return "done", k + 1
    jump = max(1, int(np.floor(np.log10(worst / args.target))))
    nxt = min(k + jump, len(args.tols) - 1)
    hits = [j for j, ok in seen.items() if ok and j > k]
    if hits:
        nxt = min(nxt, min(hits) - 1)
    if nxt <= k or nxt in seen:
        return "fail", None
    return "next", nxt


def sweep_python(runner, prob, alphas, args, out):
    X, y = prob.X, prob.y
    spent = 0.0
    try:
        dt, _ = with_budget(args.budget, runner.path, args.tols[0])
        out.first_call = dt
        spent += dt
    except Budget:
        out.error = f"first call exceeded {args.budget:g} s"
        return
    seen, info, k = {}, {}, 0
    while True:
        tol = args.tols[k]
        try:
            dt, W = with_budget(args.budget, runner.path, tol)
        except Budget:
            out.error = f"run at tol={tol:g} exceeded {args.budget:g} s"
            break
        worst = float(accuracy(X, y, W, alphas).max())
        out.sweep.append((tol, dt, worst))
        spent += dt
        if k == 0:
            out.first_excess = out.first_call - dt
        seen[k] = worst <= args.target
        if seen[k]:
            last = W[:, -1]
            last = last.toarray() if sp.issparse(last) else last
            own = float("nan")
            if runner.name == "ours" and runner.last is not None:
                res = runner.last
                P = path_primal(X, y, res.coefs, alphas)
                own = float((res.dual_gaps / P).max())
            info[k] = (dt, worst, int(np.count_nonzero(last)), own)
        state, k_next = next_level(k, worst, seen[k], seen, args)
        if state == "done":
            dt, worst, out.nnz_last, out.own_gap = info[k_next]
            out.tol, out.gap, out.times = args.tols[k_next], worst, [dt]
            return
        if state == "fail":
            break
        if dt > args.max_seconds or spent > args.sweep_budget:
            out.note = f"stopped the sweep after {spent:.1f} s"
            break
        k = k_next
    if info:  # a hit whose looser neighbour was not tried (sweep cut short)
        k_best = min(info)
        dt, worst, out.nnz_last, out.own_gap = info[k_best]
        out.tol, out.gap, out.times = args.tols[k_best], worst, [dt]
        out.note += " (looser neighbour not tried)"
        out.error = ""
        return
    if out.sweep:
        best = min(g for _, _, g in out.sweep)
        msg = (
            f"did not reach {args.target:g} (best worst {acc_label()} {best:.1e}, tols "
            f"{args.tols[0]:g}..{min(t for t, _, _ in out.sweep):g}"
        )
        msg += f"; {out.note})" if out.note else ")"
        out.error = msg + (f"; {out.error}" if out.error else "")


def path_primal(X, y, W, alphas):
    W = W.toarray() if sp.issparse(W) else W
    R = y[:, None] - np.asarray(X @ W)
    return 0.5 * np.einsum("ij,ij->j", R, R) / len(y) + alphas * np.abs(W).sum(0)


def run_glmnet_r(prob, alphas, folds, args, out):
    if shutil.which("Rscript") is None:
        out.error = "skipped: Rscript not found (apt-get install r-cran-glmnet)"
        return
    X, y = prob.X, prob.y
    foldid = np.empty(len(y), dtype="<i4")
    for k, (_, te) in enumerate(folds):
        foldid[te] = k + 1
    with tempfile.TemporaryDirectory(prefix="sfbench_glmnet_path_") as tmp:
        folder = Path(tmp)
        _write_for_r(prob, folder)
        alphas.astype("<f8").tofile(folder / "grid.bin")
        foldid.tofile(folder / "foldid.bin")
        if _REF["pstar"] is not None:
            _REF["pstar"].astype("<f8").tofile(folder / "pstar.bin")
        cmd = [
            "Rscript",
            str(HERE / "_glmnet_path.R"),
            tmp,
            ",".join(f"{t:g}" for t in args.tols),
            repr(args.target),
            str(args.repeat),
            str(args.max_seconds),
            str(args.sweep_budget),
            "0" if args.skip_cv else str(args.cv_repeat),
            str(args.cv_single_above),
            str(args.cv_budget),
        ]
        timeout = (
            args.sweep_budget
            + args.budget * (args.repeat + 2)
            + args.cv_budget * (args.cv_repeat + 1)
            + 300
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
            out.error = f"failed: Rscript exit {proc.returncode}: {tail[0]}"
            return
        for line in proc.stdout.splitlines():
            parts = line.split()
            tag = parts[:1]
            if tag == ["WARMUP"]:
                out.first_call = float(parts[1])
            elif tag == ["SWEEP"]:
                k, tol, dt, g, m = (
                    int(parts[1]),
                    float(parts[2]),
                    float(parts[3]),
                    float(parts[4]),
                    int(parts[5]),
                )
                out.sweep.append((tol, dt, g))
                if k == 1:
                    out.first_excess = out.first_call - dt
                if m < len(alphas):
                    out.note = f"tol={tol:g}: only {m} of {len(alphas)} lambdas fitted"
            elif tag == ["FINAL"]:
                out.tol = float(parts[1])
                out.times = [float(t) for t in parts[2:]]
            elif tag == ["CV"]:
                out.cv_times.append(float(parts[1]))
                out.cv_alpha_min = float(parts[2])
            elif tag == ["NOTE"]:
                out.note = " ".join(parts[1:])
            elif tag == ["CVFAIL"]:
                msg = " ".join(parts[1:])[:200]
                if "elapsed time limit" in msg:
                    out.cv_error = f"CV run exceeded {args.cv_budget:g} s"
                else:
                    out.cv_error = "failed: " + msg
        if out.times:
            bi = np.fromfile(folder / "beta_i.bin", dtype="<i4")
            bp = np.fromfile(folder / "beta_p.bin", dtype="<i4")
            bx = np.fromfile(folder / "beta_x.bin", dtype="<f8")
            W = sp.csc_matrix((bx, bi, bp), shape=(X.shape[1], len(alphas)))
            out.gap = float(accuracy(X, y, W, alphas).max())
            out.nnz_last = int(np.diff(W.indptr)[-1])
            r_gap = out.sweep[-1][2]
            if out.gap > args.target:
                out.error = (
                    f"R said worst {acc_label()} {r_gap:.1e}, "
                    f"Python finds {out.gap:.1e} > {args.target:g}"
                )
        elif out.sweep:
            best = min(g for _, _, g in out.sweep)
            out.error = (
                f"did not reach {args.target:g} (best worst {acc_label()} "
                f"{best:.1e}, tols {out.sweep[0][0]:g}..{out.sweep[-1][0]:g})"
            )
            if out.note:
                out.error += f"; {out.note}"
        else:
            out.error = "failed: no output from Rscript"
        out.cv_note = "cv.glmnet (full path + 10 fold paths), foldid = KFold(10)"


def timing_runs(runners, outcomes, args):
    todo = [
        o
        for o in outcomes
        if o.ok and o.lib in runners and o.times[0] <= args.max_seconds
    ]
    for o in todo:
        o.times = []
    for _ in range(args.repeat):
        for o in todo:
            if o.error:
                continue
            try:
                o.times.append(with_budget(args.budget, runners[o.lib].path, o.tol)[0])
            except Budget:
                o.error = f"timing run exceeded {args.budget:g} s"
            except Exception as exc:  # noqa: BLE001
                o.error = f"failed: {_reason(exc)}"


def cv_runs(runners, outcomes, args):
    todo = [o for o in outcomes if o.lib in runners and o.ok]
    for o in outcomes:
        if o.lib in RUNNERS and not o.ok and not args.skip_cv:
            o.cv_error = f"CV not run: path {o.error}"
    for rep in range(args.cv_repeat):
        for o in todo:
            if o.cv_error or (rep > 0 and o.cv_times[0] > args.cv_single_above):
                continue
            runner = runners[o.lib]
            for _attempt in range(2):
                try:
                    dt, amin = with_budget(args.cv_budget, runner.cv, o.tol)
                    o.cv_times.append(dt)
                    o.cv_alpha_min = amin
                except _Retry:
                    continue  # celer: LassoCV failed, manual CV from now on
                except Budget:
                    o.cv_error = f"CV run exceeded {args.cv_budget:g} s"
                except Exception as exc:  # noqa: BLE001
                    if args.verbose:
                        traceback.print_exc()
                    o.cv_error = f"failed: {_reason(exc)}"
                break
            o.cv_note = runner.cv_note


# ------------------------------------------------------------------- output
def print_path(res, t_unit, m):
    print(
        f"  {'lib':<9} {'time':>9} {'passes':>8} {'/alpha':>8} {'passes/a':>8} "
        f"{'tol':>6} {'worst ' + acc_label():>11} {'nnz@min':>7} {'1st call':>9} "
        f"{'1st exc.':>9} {'max/min':>7}"
    )
    for o in res:
        if not o.ok:
            print(f"  {o.lib:<9} {o.error}")
            continue
        spread = max(o.times) / min(o.times)
        extra = f"  ({len(o.times)} run)" if len(o.times) == 1 else ""
        if np.isfinite(o.own_gap):
            extra += f"  own certificate: worst dual_gap/P {o.own_gap:.1e}"
        if o.note:
            extra += f"  [{o.note}]"
        print(
            f"  {o.lib:<9} {fmt_time(o.time):>9} {fmt_passes(o.time, t_unit):>8} "
            f"{fmt_time(o.time / m):>8} {fmt_passes(o.time / m, t_unit):>8} "
            f"{o.tol:>6.0e} {o.gap:>11.1e} {o.nnz_last:>7} "
            f"{fmt_time(o.first_call):>9} {fmt_time(o.first_excess):>9} "
            f"{spread:>7.2f}{extra}"
        )
    for o in res:
        if o.sweep:
            steps = ", ".join(f"{t:g}: {fmt_time(dt)} {g:.0e}" for t, dt, g in o.sweep)
            print(f"    sweep {o.lib}: {steps}")


def print_cv(res, t_unit, alphas):
    print(
        f"  {'lib':<9} {'time':>9} {'passes':>9} {'runs':>4} {'tol':>6} "
        f"{'alpha_min (index)':>20}  what"
    )
    for o in res:
        if o.cv_ok:
            k = int(np.argmin(np.abs(np.log(alphas) - np.log(o.cv_alpha_min))))
            runs = "/".join(fmt_time(t) for t in o.cv_times)
            print(
                f"  {o.lib:<9} {fmt_time(o.cv_time):>9} "
                f"{fmt_passes(o.cv_time, t_unit):>9} {len(o.cv_times):>4} "
                f"{o.tol:>6.0e} {o.cv_alpha_min:>14.5g} ({k:>2})  {o.cv_note} "
                f"[{runs}]"
            )
        else:
            why = o.cv_error or o.error or "not run"
            note = f"  ({o.cv_note})" if o.cv_note else ""
            print(f"  {o.lib:<9} {why}{note}")


def cell(o, t, ok, err, t_unit, args):
    if o is None:
        return "-"
    if not ok:
        if err.startswith("skipped"):
            return "skipped"
        if err.startswith("CV not run"):
            return "not run (path: " + cell(o, t, ok, err[17:], t_unit, args) + ")"
        if "exceeded" in err:
            return "> " + err.split("exceeded ")[1].split(" s")[0] + " s"
        if "did not reach" in err or "target" in err:
            if "stopped the sweep" in err and o.sweep:
                tol, dt, gap = min(o.sweep, key=lambda r: r[0])
                return f"not reached ({tol:g}: {fmt_time(dt)}, gap {gap:.0e})"
            return "not reached"
        return "failed"
    return f"{fmt_time(t)} ({fmt_passes(t, t_unit)})"


def summary(rows, libs, args):
    head = ["case"] + libs + ["best anchor", "ratio best/ours"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for kind, case, res, t_unit in rows:
        by = {o.lib: o for o in res}
        cells = [f"{kind} {case}"]

        def status(o, kind=kind):
            if kind == "path":
                return o.time, o.ok, o.error
            return o.cv_time, o.cv_ok, o.cv_error or o.error

        for lib in libs:
            o = by.get(lib)
            cells.append("-" if o is None else cell(o, *status(o), t_unit, args))
        good = [o for o in res if o.lib in ANCHORS and status(o)[1]]
        over = [
            o
            for o in res
            if o.lib in ANCHORS and not status(o)[1] and "exceeded" in status(o)[2]
        ]
        best = min(good, key=lambda o: status(o)[0]) if good else None
        ours = by.get("ours")
        ours_ok = ours is not None and status(ours)[1]
        if best:
            cells.append(best.lib)
            cells.append(f"{status(best)[0] / status(ours)[0]:.2f}" if ours_ok else "-")
        elif over and ours_ok:
            cells.append("none within budget")
            cap = args.budget if kind == "path" else args.cv_budget
            cells.append(f"> {cap / status(ours)[0]:.2f}")
        else:
            cells += ["-", "-"]
        print("| " + " | ".join(cells) + " |")


# --------------------------------------------------------------------- main
def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="D1,D3,S1")
    ap.add_argument(
        "--libs",
        default=",".join(LIBS),
        help=f"comma separated from {','.join(LIBS)} (glmnet-R skipped with a "
        "message when Rscript is missing)",
    )
    ap.add_argument("--n-alphas", type=int, default=100)
    ap.add_argument(
        "--ratio", type=float, default=100.0, help="the grid ends at alpha_max / ratio"
    )
    ap.add_argument(
        "--target",
        type=float,
        default=1e-6,
        help="worst relative duality gap (or suboptimality) over the path",
    )
    ap.add_argument(
        "--criterion",
        choices=("gap", "subopt"),
        default="gap",
        help="gap: gap/P (default); subopt: (P - P*)/P* with P* "
        f"from our path at tol={REF_TOL:g} (certified by its gap)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="path timing runs")
    ap.add_argument("--skip-cv", action="store_true")
    ap.add_argument("--cv-repeat", type=int, default=2)
    ap.add_argument(
        "--cv-single-above",
        type=float,
        default=20.0,
        help="one CV run only when the first takes longer (s)",
    )
    ap.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="interrupt any single run after this many seconds",
    )
    ap.add_argument(
        "--cv-budget",
        type=float,
        help="interrupt a CV run after this many seconds (default: --budget)",
    )
    ap.add_argument(
        "--max-seconds",
        type=float,
        default=60.0,
        help="stop a tol sweep after a run this long; no repeats "
        "when the chosen run took longer",
    )
    ap.add_argument(
        "--sweep-budget",
        type=float,
        default=300.0,
        help="stop a library's tol sweep after this many seconds",
    )
    ap.add_argument(
        "--min-tol",
        type=float,
        default=1e-20,
        help="tightest tol of the sweep (decades from 1e-1)",
    )
    ap.add_argument(
        "--threads",
        type=int,
        help="limit BLAS/OpenMP (threadpoolctl) and Numba threads",
    )
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    args.cases = args.cases.split(",")
    args.libs = args.libs.split(",")
    unknown = set(args.libs) - set(LIBS)
    if unknown:
        ap.error(f"unknown libs {sorted(unknown)}; choose from {LIBS}")
    n_dec = int(round(-np.log10(args.min_tol)))
    args.tols = [10.0**-k for k in range(1, n_dec + 1)]
    if args.skip_cv:
        args.cv_repeat = 0
    if args.cv_budget is None:
        args.cv_budget = args.budget
    return args


def run_case(case, args):
    from sklearn.model_selection import KFold

    prob = load_problem(case)
    X, y = prob.X, prob.y
    alphas = np.geomspace(prob.alpha_max, prob.alpha_max / args.ratio, args.n_alphas)
    folds = list(KFold(10).split(np.zeros(len(y))))
    _REF["pstar"] = None
    if args.criterion == "subopt":
        import sparsefit

        ref = sparsefit.lasso_path(
            X, y, alphas=alphas, fit_intercept=False, tol=REF_TOL, max_iter=10**6
        )
        pstar = path_primal(X, y, ref.coefs, alphas)
        cert = float(path_gaps(X, y, ref.coefs, alphas).max())
        print(
            f"\n  reference P* per alpha: ours at tol={REF_TOL:g}, certified worst "
            f"gap/P* {cert:.1e}"
        )
        _REF["pstar"] = pstar
    t_rmatvec = time_rmatvec(X)
    print(
        f"\n# {prob.describe()}; alpha_max={prob.alpha_max:.6g}; grid "
        f"{args.n_alphas} alphas down to alpha_max/{args.ratio:g}; one X'v = "
        f"{fmt_time(t_rmatvec)}",
        flush=True,
    )
    runners, res = {}, []
    for lib in args.libs:
        out = Outcome(lib)
        res.append(out)
        try:
            if lib == "glmnet-R":
                run_glmnet_r(prob, alphas, folds, args, out)
            else:
                runners[lib] = RUNNERS[lib](X, y, alphas, folds)
                out.cv_note = runners[lib].cv_note
                sweep_python(runners[lib], prob, alphas, args, out)
        except Exception as exc:  # noqa: BLE001 - an anchor failing must not stop us
            if args.verbose:
                traceback.print_exc()
            out.error = f"failed: {_reason(exc)}"
        if out.ok:
            print(
                f"  .. {lib}: tol={out.tol:g}, worst {acc_label()} {out.gap:.1e} "
                f"({fmt_time(out.times[0])})",
                flush=True,
            )
        else:
            print(f"  .. {lib}: {out.error}", flush=True)
    runners = {
        k: v for k, v in runners.items() if not any(o.lib == k and o.error for o in res)
    }
    timing_runs(runners, res, args)
    again = time_rmatvec(X)
    t_unit = min(again, t_rmatvec)
    load = os.getloadavg()[0]
    warn = ""
    if max(again, t_rmatvec) / t_unit > 1.5 or load > (os.cpu_count() or 1) + 0.5:
        warn = "  WARNING: machine busy, timings of this case are suspect"
    print(
        f"\n== path {case}: X'v {fmt_time(t_rmatvec)} before, "
        f"{fmt_time(again)} after; load {load:.2f}{warn}"
    )
    print_path(res, t_unit, len(alphas))
    rows = [("path", case, res, t_unit)]
    if not args.skip_cv:
        cv_runs(runners, res, args)
        load = os.getloadavg()[0]
        print(
            f"\n== 10-fold CV {case} (same grid, KFold(10) folds, each "
            f"library at its path tol); load {load:.2f}"
        )
        print_cv(res, t_unit, alphas)
        rows.append(("CV", case, res, t_unit))
    return rows


def main(argv=None):
    args = parse_args(argv)
    for mod in (
        "scipy.linalg",
        "sklearn.linear_model",
        "celer",
        "skglm",
        "adelie",
        "sparsefit",
    ):
        try:
            __import__(mod)
        except Exception as exc:  # noqa: BLE001 - reported per case
            print(f"import {mod}: {_reason(exc)}")
    if args.threads:
        from threadpoolctl import threadpool_limits

        os.environ["NUMBA_NUM_THREADS"] = str(args.threads)
        _limits = threadpool_limits(args.threads)  # noqa: F841
    args.factors = []
    print(_sa.header(args), flush=True)
    print(
        f"  whole path: {args.n_alphas} alphas to alpha_max/{args.ratio:g}; "
        f"target worst {args.criterion} {args.target:g}; "
        f"budget {args.budget:g} s per run",
        flush=True,
    )
    rows = []
    for case in args.cases:
        rows += run_case(case, args)
    print(
        f"\nWhole path ({args.n_alphas} alphas to alpha_max/{args.ratio:g}) and "
        f"10-fold CV, each library at the loosest tol with worst {acc_label()} <= "
        f"{args.target:g} over the path (path: median of {args.repeat}; CV: median "
        f"of <= {args.cv_repeat}); (passes) = time / one X'v; ratio = best anchor "
        "/ ours, > 1: ours faster"
    )
    rows.sort(key=lambda r: (r[0] != "path", args.cases.index(r[1])))
    summary(rows, args.libs, args)
    if args.json:
        dump = [
            dict(
                kind=kind,
                case=case,
                rmatvec=t,
                results=[{k: v for k, v in o.__dict__.items()} for o in res],
            )
            for kind, case, res, t in rows
        ]
        Path(args.json).write_text(json.dumps(dump, indent=1, default=float))


if __name__ == "__main__":
    main()
