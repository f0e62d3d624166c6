"""Selection speed: this checkout against another in one process (A/B).

The machine these benchmarks run on is shared, so wall time is noisy; this
script times two versions of the package side by side in one process, in
alternating order, by process time (and wall time), and keeps the minimum of
``--runs`` runs of each.  The other version is imported under another name:

    git archive main sparsefit | tar -x -C /tmp/base
    mv /tmp/base/sparsefit /tmp/base/sfbase
    grep -rl sparsefit /tmp/base/sfbase --include=*.py \\
        | xargs sed -i 's/sparsefit/sfbase/g'

Parts (``--parts``):

knockoffs
    Replicates ``--reps`` of bench/selection_knockoffs.py's Gaussian (or
    ``--family``) simulation: ``knockoff_select`` of both versions and
    knockpy's filter (its MVR matrix for Sigma loaded from ``--knockpy-s``,
    as saved by ``np.save`` from ``knockpy.smatrix.compute_smatrix``), per
    replicate; the ratios ours / knockpy (median over replicates) and
    whether both versions select the same features.
selections
    Replicates ``--first`` to ``--reps - 1`` of the simulation of
    ``--family``: FDP and power of both versions (same draws, same seeds) and
    of knockpy, read from ``--knockpy-json`` (selection_knockoffs.py's JSON
    of the same replicates), and how many replicates select the same
    features in both versions.
golub
    ``StabilitySelection("binomial", n_resamples=50, n_alphas=100)`` and
    ``SparseLogisticRegressionCV(cv=10)`` of both versions on Golub: the
    ratio stability / CV of each version, and whether the selection
    probabilities are the same.

Run: ``.venv-bench/bin/python bench/selection_ab.py --base /tmp/base
[--parts knockoffs,golub] [--reps 20] [--runs 3]``.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _timed(fn):
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def _alternate(fns, runs, shift=0):
    """Min process and wall time of each of ``fns`` over ``runs`` rounds,
    the order reversed every other round; the last outputs."""
    cpu = {k: [] for k in fns}
    wall = {k: [] for k in fns}
    out = {}
    for i in range(runs):
        order = list(fns) if (i + shift) % 2 == 0 else list(fns)[::-1]
        for k in order:
            out[k], c, w = _timed(fns[k])
            cpu[k].append(c)
            wall[k].append(w)
    return (
        out,
        {k: min(v) for k, v in cpu.items()},
        {k: min(v) for k, v in wall.items()},
    )


def knockoffs(args, base):
    sys.path.insert(0, str(HERE))
    from selection_knockoffs import RHO, P, ar1, fdp_power, knockpy_filter, simulate

    from sparsefit.selection._knockoffs import knockoff_select as ours

    theirs = __import__(f"{base}.selection._knockoffs", fromlist=["x"])
    Sigma = ar1(P, RHO)
    S = np.load(args.knockpy_s)
    family = args.family

    def filters(X, y, r):
        kwargs = dict(
            fdr=0.1, family=family, Sigma=Sigma, construction="mvr", random_state=r
        )
        return {
            "base": lambda: theirs.knockoff_select(X, y, **kwargs).selected_,
            "branch": lambda: ours(X, y, **kwargs).selected_,
            "knockpy": lambda: knockpy_filter(X, y, family, Sigma, r, S),
        }

    X, y, _ = simulate(family, 10_000, Sigma)
    for fn in filters(X, y, 0).values():
        fn()  # JIT compilation and the caches of Sigma, reported apart
    rows = []
    for r in range(args.reps):
        X, y, beta = simulate(family, r, Sigma)
        out, cpu, wall = _alternate(filters(X, y, r), args.runs, r)
        row = {"rep": r, "cpu": cpu, "wall": wall}
        row["same_selection"] = bool(np.array_equal(out["base"], out["branch"]))
        row["fdp_power"] = {k: fdp_power(v, beta) for k, v in out.items()}
        rows.append(row)
        print(json.dumps(row), flush=True)
    lines = [f"knockoffs, {family}, replicates 0..{args.reps - 1}, min of {args.runs}"]
    for kind in ("cpu", "wall"):
        t = {k: np.array([row[kind][k] for row in rows]) for k in rows[0][kind]}
        lines.append(
            f"  {kind}: ours / knockpy, median over replicates: base "
            f"{np.median(t['base'] / t['knockpy']):.3f}, branch "
            f"{np.median(t['branch'] / t['knockpy']):.3f}; branch / base "
            f"{np.median(t['branch'] / t['base']):.3f}; medians (s) base "
            f"{np.median(t['base']):.4f} branch {np.median(t['branch']):.4f} "
            f"knockpy {np.median(t['knockpy']):.4f}"
        )
    same = sum(row["same_selection"] for row in rows)
    lines.append(f"  the same selection in both versions: {same} of {len(rows)}")
    return rows, lines


def selections(args, base):
    sys.path.insert(0, str(HERE))
    from selection_knockoffs import RHO, P, ar1, fdp_power, simulate

    from sparsefit.selection._knockoffs import knockoff_select as ours

    theirs = __import__(f"{base}.selection._knockoffs", fromlist=["x"])
    family, Sigma = args.family, ar1(P, RHO)
    knockpy = {
        row["rep"]: row
        for row in json.loads(Path(args.knockpy_json).read_text())[family]
    }
    rows = []
    for r in range(args.first, args.reps):
        X, y, beta = simulate(family, r, Sigma)
        kwargs = dict(
            fdr=0.1, family=family, Sigma=Sigma, construction="mvr", random_state=r
        )
        new = ours(X, y, **kwargs)
        old = theirs.knockoff_select(X, y, **kwargs)
        rows.append(
            fdp_power(new.selected_, beta)
            + fdp_power(old.selected_, beta)
            + (knockpy[r]["fdp_knockpy"], knockpy[r]["power_knockpy"])
            + (float(np.array_equal(new.selected_, old.selected_)), new.max_gap_)
        )
    R = np.array(rows, dtype=float)

    def mean_se(v):
        return f"{v.mean():.4f} +- {v.std(ddof=1) / np.sqrt(v.size):.4f}"

    lines = [
        f"knockoff+ at q = 0.1, {family}, replicates {args.first}..{args.reps - 1}",
        f"  branch: FDP {mean_se(R[:, 0])}, power {mean_se(R[:, 1])}",
        f"  base:   FDP {mean_se(R[:, 2])}, power {mean_se(R[:, 3])}",
        f"  knockpy: FDP {mean_se(R[:, 4])}, power {mean_se(R[:, 5])}",
        f"  branch - knockpy power {mean_se(R[:, 1] - R[:, 5])}; branch - base "
        f"power {mean_se(R[:, 1] - R[:, 3])}",
        f"  the same selection in both versions: {int(R[:, 6].sum())} of {len(R)}; "
        f"largest relative gap (branch) {R[:, 7].max():.2e}",
    ]
    return rows, lines


def golub(args, base):
    from sparsefit import SparseLogisticRegressionCV
    from sparsefit.datasets import load_golub
    from sparsefit.selection import StabilitySelection

    old = __import__(base, fromlist=["x"])
    old_selection = __import__(f"{base}.selection", fromlist=["x"])
    data = load_golub()
    X, y = np.asfortranarray(data.X), np.asarray(data.y).astype(int)
    stab = dict(n_resamples=50, n_alphas=100, random_state=0, progress=False)
    fns = {
        "stability_base": lambda: old_selection.StabilitySelection(
            "binomial", **stab
        ).fit(X, y),
        "stability_branch": lambda: StabilitySelection("binomial", **stab).fit(X, y),
        "cv_base": lambda: old.SparseLogisticRegressionCV(cv=10, progress=False).fit(
            X, y
        ),
        "cv_branch": lambda: SparseLogisticRegressionCV(cv=10, progress=False).fit(
            X, y
        ),
    }
    for fn in fns.values():
        fn()  # JIT compilation, reported apart
    out, cpu, wall = _alternate(fns, args.runs)
    a, b = out["stability_base"], out["stability_branch"]
    lines = [f"Golub ALL/AML (38 x 3051), one thread, min of {args.runs}"]
    for kind, t in (("cpu", cpu), ("wall", wall)):
        lines.append(
            f"  {kind}: stability / CV: base "
            f"{t['stability_base'] / t['cv_base']:.2f} "
            f"({t['stability_base']:.2f} / {t['cv_base']:.2f} s), branch "
            f"{t['stability_branch'] / t['cv_branch']:.2f} "
            f"({t['stability_branch']:.2f} / {t['cv_branch']:.2f} s)"
        )
    lines.append(
        "  the same probabilities: "
        f"{bool(np.array_equal(a.probabilities_, b.probabilities_))}; support "
        f"{b.support_.tolist()}; largest relative gap {b.max_gap_:.2e}, "
        f"{len(b.not_converged_)} not converged"
    )
    return {"cpu": cpu, "wall": wall}, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="folder holding sfbase/")
    parser.add_argument("--parts", default="knockoffs,golub")
    parser.add_argument("--family", default="gaussian")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--knockpy-s", default=None)
    parser.add_argument(
        "--knockpy-json",
        default=str(HERE / "results" / "selection_knockoffs_2026-12-01.json"),
    )
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    sys.path.insert(0, args.base)
    warnings.simplefilter("ignore")
    text = []
    for part in args.parts.split(","):
        run = {"knockoffs": knockoffs, "selections": selections, "golub": golub}
        _, lines = run[part](args, "sfbase")
        print("\n".join(lines), flush=True)
        text += lines
    if args.out:
        Path(args.out).write_text("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
