"""Time to relative suboptimality 1e-6 at one alpha: ours against the anchors.

For each case (D1, D2, D3, S1) and alpha in (alpha_max/10, alpha_max/100):

1. P* = the lowest objective seen: tight reference solves (ours and celer at
   tol=1e-14, skglm at 1e-14), cached in ``$SPARSEFIT_BENCH_CACHE``, and every
   run below. The duality gap of the best point is printed as a certificate.
2. Each library is called once at the loosest tolerance (its excess over a
   later call at the same tolerance is the first-call / JIT overhead, reported
   apart), then at tolerances 1e-1, 1e-2, ... 1e-12 until
   (P - P*)/P* <= 1e-6. At that loosest tolerance, the median of ``--repeat``
   fresh runs is its time; these runs go round-robin over the libraries so
   that load from elsewhere on the (shared) machine hits all of them alike.
3. Times are also given in "passes": multiples of one X'v product (median).
4. ratio = (best anchor time) / (our time): > 1 means we are faster.

All Python libraries run in this one process on the same arrays. R glmnet
(``--libs ...,glmnet-R``, off by default) runs in an ``Rscript`` subprocess
and is timed inside R.

Run: ``.venv-bench/bin/python bench/single_alpha.py [--quick] [--cases D1,S1]``
"""

import os

# Only in the benchmark's own process (and its children): these overrides make
# OpenBLAS pick a slower kernel on this machine. Must run before numpy loads.
_REMOVED_ENV = {
    k: os.environ.pop(k)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    if k in os.environ
}

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _libs import ANCHORS, DEFAULT_LIBS, RUNNERS  # noqa: E402
from problems import CACHE_DIR, duality_gap, load_problem, objective  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_TOLS = [10.0**-k for k in range(1, 13)]
REF_TOL = 1e-14
REF_LIBS = ("ours", "celer", "skglm")


@dataclass
class Outcome:
    lib: str
    time: float = float("nan")  # median seconds at the chosen tol
    n_runs: int = 0
    tol: float = float("nan")
    subopt: float = float("nan")
    nnz: int = 0
    first_call: float = float("nan")  # first call on this case, seconds
    first_excess: float = float("nan")  # first call minus a later one, seconds
    sweep: list = field(default_factory=list)  # (tol, seconds, objective)
    times: list = field(default_factory=list)  # timing runs at the chosen tol
    runner: object = None  # set while timing runs are still to be done
    error: str = ""
    note: str = ""

    @property
    def ok(self):
        return not self.error and np.isfinite(self.time)


def timed(fn, *args):
    gc.collect()
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def time_rmatvec(X, min_batch=0.02, n_batches=15):
    """Median seconds of one X'v product (loops batched to beat timer noise)."""
    v = np.random.default_rng(0).standard_normal(X.shape[0])
    X.T @ v
    loops, t = 1, 0.0
    while True:
        t0 = time.perf_counter()
        for _ in range(loops):
            X.T @ v
        t = time.perf_counter() - t0
        if t >= min_batch:
            break
        loops *= 2
    batches = [t / loops]
    for _ in range(n_batches - 1):
        t0 = time.perf_counter()
        for _ in range(loops):
            X.T @ v
        batches.append((time.perf_counter() - t0) / loops)
    return statistics.median(batches)


# ---------------------------------------------------------------- reference
def _ref_path(case, factor):
    return CACHE_DIR / f"pstar_{case}_{factor:g}.json"


def load_reference(case, factor):
    path = _ref_path(case, factor)
    if path.exists():
        return json.loads(path.read_text())
    return None


def save_reference(case, factor, ref):
    path = _ref_path(case, factor)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ref, indent=1))


def compute_reference(prob, alpha, names, ref, log):
    """Tight solves by ``names``, merged into ``ref`` (lowest objective wins)."""
    X, y = prob.X, prob.y
    ref = ref or dict(pstar=float("inf"), source="", gap_rel=float("nan"), entries={})
    for name in names:
        runner = RUNNERS[name]()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runner.prepare(X, y, alpha)
                dt, w = timed(runner.fit, REF_TOL)
        except Exception as exc:  # noqa: BLE001 - keep going without it
            log(f"  reference {name}: failed: {_reason(exc)}")
            continue
        obj = float(objective(X, y, w, alpha))
        gap = float(duality_gap(X, y, w, alpha))
        ref["entries"][name] = dict(
            objective=obj, gap=gap, seconds=dt, nnz=int(np.count_nonzero(w))
        )
        log(
            f"  reference {name}@{REF_TOL:g}: P={obj!r} gap/P={gap / obj:.1e} "
            f"nnz={np.count_nonzero(w)} ({dt:.2f} s)"
        )
        if obj < ref["pstar"]:
            ref.update(pstar=obj, source=f"{name}@{REF_TOL:g}", gap_rel=gap / obj)
    if not np.isfinite(ref["pstar"]):
        raise RuntimeError("no reference solver worked")
    return ref


# -------------------------------------------------------------------- sweep
def _reason(exc):
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0] if msg else ''}"[:200]


def sweep_python(runner, prob, alpha, pstar, args, first):
    out = Outcome(runner.name)
    X, y = prob.X, prob.y
    runner.prepare(X, y, alpha)
    tols = args.tols
    out.first_call = first
    spent, _ = timed(runner.fit, tols[0])  # warm-up (caches, page faults)
    for tol in tols:
        dt, w = timed(runner.fit, tol)
        obj = objective(X, y, w, alpha)
        out.sweep.append((tol, dt, obj))
        spent += dt
        if tol == tols[0]:
            out.first_excess = out.first_call - dt
        if (obj - pstar) / pstar <= args.target:
            out.tol, out.nnz = tol, int(np.count_nonzero(w))
            out.times = [dt]  # replaced by the interleaved timing runs
            out.runner = None if dt > args.max_seconds else runner
            out.time, out.n_runs = dt, 1
            return out
        if dt > args.max_seconds or spent > args.budget:
            out.note = f"stopped sweep after {spent:.1f} s"
            break
    out.error = (
        f"did not reach {args.target:g} (best rel. subopt "
        f"{min((o - pstar) / pstar for _, _, o in out.sweep):.1e} "
        f"down to tol={out.sweep[-1][0]:g}"
        + (f"; {out.note}" if out.note else "")
        + ")"
    )
    return out


def _write_for_r(prob, folder):
    X, y = prob.X, prob.y
    n, p = X.shape
    y.astype("<f8").tofile(folder / "y.bin")
    if sp.issparse(X):
        X.data.astype("<f8").tofile(folder / "data.bin")
        X.indices.astype("<i4").tofile(folder / "indices.bin")
        X.indptr.astype("<i4").tofile(folder / "indptr.bin")
        meta = f"{n} {p} 1 {X.nnz}\n"
    else:
        np.asfortranarray(X).ravel(order="F").astype("<f8").tofile(folder / "X.bin")
        meta = f"{n} {p} 0 0\n"
    (folder / "meta.txt").write_text(meta)


def sweep_glmnet_r(runner, prob, alpha, pstar, args, first):
    out = Outcome(runner.name)
    runner.prepare(prob.X, prob.y, alpha)
    with tempfile.TemporaryDirectory(prefix="sfbench_glmnet_") as tmp:
        folder = Path(tmp)
        _write_for_r(prob, folder)
        cmd = [
            "Rscript",
            str(HERE / "_glmnet_sweep.R"),
            tmp,
            repr(alpha),
            repr(pstar),
            repr(args.target),
            ",".join(f"{t:g}" for t in args.tols),
            str(args.repeat),
            str(args.max_seconds),
            str(args.budget),
        ]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=args.budget * 3 + 120
        )
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
            raise RuntimeError(f"Rscript exit {proc.returncode}: {tail[0]}")
        final = None
        for line in proc.stdout.splitlines():
            parts = line.split()
            if parts[:1] == ["WARMUP"]:
                out.first_call = float(parts[1])
            elif parts[:1] == ["SWEEP"]:
                k, tol, dt = int(parts[1]), float(parts[2]), float(parts[3])
                w = np.fromfile(folder / f"coef_{k}.bin", dtype="<f8")
                obj = objective(prob.X, prob.y, w, alpha)
                out.sweep.append((tol, dt, obj))
                if k == 1:
                    out.first_excess = out.first_call - dt
                out.nnz = int(np.count_nonzero(w))
            elif parts[:1] == ["FINAL"]:
                final = (float(parts[1]), [float(t) for t in parts[2:]])
    if final is None:
        best = min((o - pstar) / pstar for _, _, o in out.sweep)
        out.error = f"did not reach {args.target:g} (best {best:.1e})"
        return out
    out.tol, out.times = final[0], final[1]
    out.time, out.n_runs = statistics.median(final[1]), len(final[1])
    return out


def timing_runs(outcomes, args):
    """Median of ``args.repeat`` runs at each library's chosen tolerance, taken
    round-robin over the libraries so that load from elsewhere on the machine
    hits them alike."""
    todo = [o for o in outcomes if o.ok and o.runner is not None]
    for o in todo:
        o.times = []
    for _ in range(args.repeat):
        for o in todo:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    o.times.append(timed(o.runner.fit, o.tol)[0])
            except Exception as exc:  # noqa: BLE001
                o.error = f"failed: {_reason(exc)}"
    for o in todo:
        if o.times:
            o.time, o.n_runs = statistics.median(o.times), len(o.times)
        o.runner = None


def first_call(name, prob, alpha, args):
    """Seconds of this library's first call on this case (JIT compile included
    when it is the first in the process or the first on a new matrix type)."""
    runner = RUNNERS[name]()
    if runner.external:
        return float("nan")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runner.prepare(prob.X, prob.y, alpha)
            return timed(runner.fit, args.tols[0])[0]
    except Exception:  # noqa: BLE001 - reported by the sweep
        return float("nan")


def run_library(name, prob, alpha, pstar, args, first):
    runner = RUNNERS[name]()
    sweep = sweep_glmnet_r if runner.external else sweep_python
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sweep(runner, prob, alpha, pstar, args, first)
    except Exception as exc:  # noqa: BLE001 - an anchor failing must not stop us
        if args.verbose:
            traceback.print_exc()
        return Outcome(name, error=f"failed: {_reason(exc)}")


# ------------------------------------------------------------------- output
def fmt_time(seconds):
    if not np.isfinite(seconds):
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.1f} ms" if seconds >= 0.01 else f"{seconds * 1e3:.2f} ms"


def fmt_passes(seconds, t_rmatvec):
    return f"{seconds / t_rmatvec:,.0f}" if np.isfinite(seconds) else "-"


def header(args):
    from threadpoolctl import threadpool_info

    lines = [
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cpus (load {os.getloadavg()[0]:.2f}); "
        f"numpy {np.__version__}"
    ]
    for info in threadpool_info():
        owner = Path(info["filepath"]).parent.name.removesuffix(".libs")
        lines.append(
            f"  {info['user_api']} [{owner}]: {info.get('internal_api')} "
            f"{info.get('version')} ({info.get('architecture', '')}), "
            f"{info['num_threads']} threads, {Path(info['filepath']).name}"
        )
    removed = ", ".join(f"{k}={v}" for k, v in _REMOVED_ENV.items()) or "none set"
    lines.append(
        f"  unset for this run: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE ({removed})"
    )
    versions = []
    for mod in ("sparsefit", "sklearn", "celer", "skglm", "adelie"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except Exception:  # noqa: BLE001
            versions.append(f"{mod} missing")
    lines.append("  " + ", ".join(versions))
    lines.append(
        f"  target rel. subopt {args.target:g}; tols "
        f"{args.tols[0]:g}..{args.tols[-1]:g}; median of "
        f"{args.repeat}; libs {','.join(args.libs)}"
    )
    return "\n".join(lines)


def print_case(case_label, res, t_rmatvec, pstar):
    print(
        f"  {'lib':<9} {'time':>10} {'passes':>8} {'tol':>7} "
        f"{'rel.subopt':>10} {'nnz':>6} {'1st call':>10} {'1st excess':>10} "
        f"{'max/min':>7}"
    )
    print(
        "  (1st call: this library's first fit on this case, at the loosest tol;"
        " 1st excess: minus a later fit at that tol = JIT/cache-load cost;"
        " max/min: spread of the timing runs)"
    )
    for o in res:
        if not o.ok:
            print(f"  {o.lib:<9} {o.error}")
            continue
        sub = (o.sweep[-1][2] - pstar) / pstar if o.sweep else float("nan")
        note = f" ({o.n_runs} run)" if o.n_runs == 1 else ""
        spread = max(o.times) / min(o.times) if o.times else float("nan")
        print(
            f"  {o.lib:<9} {fmt_time(o.time):>10} "
            f"{fmt_passes(o.time, t_rmatvec):>8} {o.tol:>7.0e} {sub:>10.1e} "
            f"{o.nnz:>6} {fmt_time(o.first_call):>10} "
            f"{fmt_time(o.first_excess):>10} {spread:>7.2f}{note}"
        )


def best_anchor(res):
    anchors = [o for o in res if o.lib in ANCHORS and o.ok]
    return min(anchors, key=lambda o: o.time) if anchors else None


def summary_table(rows, libs, args):
    libs_shown = list(libs)
    head = ["case"] + libs_shown + ["best anchor", "ratio best/ours"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for label, res, t_rmatvec in rows:
        by = {o.lib: o for o in res}
        cells = [label]
        for lib in libs_shown:
            o = by.get(lib)
            if o is None:
                cells.append("-")
            elif not o.ok:
                failed = o.error.startswith("failed")
                cells.append("failed" if failed else "not reached")
            else:
                cells.append(f"{fmt_time(o.time)} ({fmt_passes(o.time, t_rmatvec)})")
        best = best_anchor(res)
        ours = by.get("ours")
        cells.append(best.lib if best else "-")
        if best and ours is not None and ours.ok:
            cells.append(f"{best.time / ours.time:.2f}")
        else:
            cells.append("-")
        print("| " + " | ".join(cells) + " |")


# --------------------------------------------------------------------- main
def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="D1,D2,D3,S1")
    ap.add_argument("--quick", action="store_true", help="only D1")
    ap.add_argument(
        "--factors",
        default="10,100",
        help="alpha = alpha_max / factor, comma separated",
    )
    ap.add_argument(
        "--libs",
        default=",".join(DEFAULT_LIBS),
        help=f"comma separated from {','.join(RUNNERS)}, or 'all'",
    )
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--target", type=float, default=1e-6)
    ap.add_argument(
        "--max-seconds",
        type=float,
        default=30.0,
        help="stop a library's sweep after a run longer than this",
    )
    ap.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="stop a library's sweep after this many seconds in all",
    )
    ap.add_argument(
        "--threads",
        type=int,
        help="limit BLAS/OpenMP (threadpoolctl) and Numba threads",
    )
    ap.add_argument("--recompute-ref", action="store_true")
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    args.cases = ["D1"] if args.quick else args.cases.split(",")
    args.factors = [float(f) for f in args.factors.split(",")]
    args.libs = list(RUNNERS) if args.libs == "all" else args.libs.split(",")
    unknown = set(args.libs) - set(RUNNERS)
    if unknown:
        ap.error(f"unknown libs {sorted(unknown)}; choose from {list(RUNNERS)}")
    args.tols = DEFAULT_TOLS
    return args


def get_reference(prob, case, factor, alpha, args):
    ref = None if args.recompute_ref else load_reference(case, factor)
    done = set(ref["entries"]) if ref else set()
    names = [
        name
        for name in REF_LIBS
        if (name in args.libs or name == "celer") and name not in done
    ]
    if names:
        ref = compute_reference(prob, alpha, names, ref, lambda s: print(s, flush=True))
        save_reference(case, factor, ref)
    return ref


def run_case(case, factor, prob, t_rmatvec, args):
    alpha = prob.alpha_max / factor
    label = f"{case} alpha_max/{factor:g}"
    firsts = {lib: first_call(lib, prob, alpha, args) for lib in args.libs}
    ref = get_reference(prob, case, factor, alpha, args)
    pstar = ref["pstar"]
    print(
        f"\n== {label}: alpha={alpha:.6g}, P*={pstar!r} (from "
        f"{ref['source']}, certified gap/P* {ref['gap_rel']:.1e})",
        flush=True,
    )
    res = []
    for lib in args.libs:
        o = run_library(lib, prob, alpha, pstar, args, firsts[lib])
        res.append(o)
        if o.ok:
            print(
                f"  .. {lib}: reaches the target at tol={o.tol:g} ({fmt_time(o.time)})",
                flush=True,
            )
        else:
            print(f"  .. {lib}: {o.error}", flush=True)
    timing_runs(res, args)
    # P* is the lowest objective ever seen; rerun-free correction if beaten.
    seen = [(obj, f"{o.lib}@{tol:g}") for o in res for tol, _, obj in o.sweep]
    if seen and min(seen)[0] < pstar:
        low, source = min(seen)
        if (pstar - low) / pstar > 1e-13:
            print(
                f"  note: {source} beat P* by {(pstar - low) / pstar:.1e} "
                "(relative); P* lowered for the next run"
            )
        ref.update(pstar=float(low), source=f"sweep {source}")
        save_reference(case, factor, ref)
    t_unit = check_quiet(prob, t_rmatvec)
    print_case(label, res, t_unit, pstar)
    return label, res, t_unit


def check_quiet(prob, t_rmatvec):
    """X'v again after the case; warn when the machine looks busy (X'v times
    apart, or a high load). Returns the lower X'v time, the unit of passes."""
    again = time_rmatvec(prob.X)
    load = os.getloadavg()[0]
    msg = (
        f"  X'v {fmt_time(t_rmatvec)} before, {fmt_time(again)} after "
        f"(the lower is one pass); load {load:.2f}"
    )
    ratio = max(again, t_rmatvec) / min(again, t_rmatvec)
    if ratio > 1.5 or load > (os.cpu_count() or 1) + 0.5:
        msg += "  WARNING: machine busy, timings of this case are suspect"
    print(msg, flush=True)
    return min(again, t_rmatvec)


def main(argv=None):
    args = parse_args(argv)
    # Load every library first, so that threadpoolctl sees (and can limit) all
    # their BLAS and OpenMP runtimes.
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
        except Exception:  # noqa: BLE001 - reported per case
            pass
    if args.threads:
        from threadpoolctl import threadpool_limits

        os.environ["NUMBA_NUM_THREADS"] = str(args.threads)
        _limits = threadpool_limits(args.threads)  # noqa: F841 - held to the end
    print(header(args), flush=True)
    rows = []
    for case in args.cases:
        prob = load_problem(case)
        t_rmatvec = time_rmatvec(prob.X)
        print(
            f"\n# {prob.describe()}; alpha_max={prob.alpha_max:.6g}; "
            f"one X'v = {fmt_time(t_rmatvec)}",
            flush=True,
        )
        for factor in args.factors:
            rows.append(run_case(case, factor, prob, t_rmatvec, args))
    print(
        "\nTime to rel. suboptimality "
        f"{args.target:g} (median of {args.repeat}; passes = time / one X'v); "
        "ratio = best anchor / ours, > 1: ours faster"
    )
    summary_table(rows, args.libs, args)
    if args.json:
        dump = [
            dict(case=label, rmatvec=t, results=[o.__dict__ for o in res])
            for label, res, t in rows
        ]
        Path(args.json).write_text(json.dumps(dump, indent=1, default=float))


if __name__ == "__main__":
    main()
