"""Stability selection: time on Golub against one 10-fold CV fit, the genes it
selects and their held-out accuracy, and the error bound in simulation.

Parts (``--parts golub,sim``):

golub
    (a) ``StabilitySelection("binomial", n_resamples=50, n_alphas=100)``
    (50 complementary pairs, 100 fits) on the Golub ALL/AML training set
    (38 x 3051), timed against one ``SparseLogisticRegressionCV(cv=10)`` fit
    (100 alphas) in the same process, each the median of ``--repeat`` runs
    after a warm-up call (JIT compilation reported apart).  Both run on one
    thread (``n_jobs=None``).
    (b) The selected genes (with their accession and description when
    ``--gnames`` points at Bioconductor multtest's ``golub.RData``, read
    with the ``rdata`` package), and held-out accuracy of the selected
    genes: stability selection re-run inside each training fold of a
    stratified 5-fold split (``--outer-pairs`` pairs), a logistic refit
    (scikit-learn's default L2, C=1) on the genes selected there, scored on
    the held-out fold.
sim
    The issue's simulation: n = 300, p = 500, 20 non-zeros (signs random,
    amplitude ``--amplitude``), rows N(0, Sigma) with Sigma_jk = 0.5^|j-k|
    (AR(0.5)), Gaussian (noise sd 1) and logistic responses, fixed seeds
    (replicate r uses seed r), ``--replicates`` replicates.  Each replicate
    runs stability selection (``--sim-pairs`` pairs, ``--sim-alphas`` alphas,
    threshold 0.6, pfer 1) and counts the false selections V; the table gives
    the mean V with its standard error against the mean bound.

Run: ``.venv/bin/python bench/selection_stability.py [--parts golub,sim]
[--replicates 200] [--gnames PATH/golub.RData]``; results are printed and
written to ``bench/results/selection_stability_<part>.{txt,json}``.
"""

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _gene_names(path):
    """``{index: (accession, description)}`` from multtest's golub.RData."""
    if path is None:
        return {}
    import rdata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = rdata.conversion.convert(rdata.parser.parse_file(path))
    names = np.asarray(data["golub.gnames"]).reshape(3, -1)
    # Columns of the R matrix: index, description, accession.
    return {j: (names[2, j], names[1, j]) for j in range(names.shape[1])}


def golub_timing(X, y, repeat):
    from sparsefit import SparseLogisticRegressionCV
    from sparsefit.selection import StabilitySelection

    def stability():
        return StabilitySelection(
            "binomial", n_resamples=50, n_alphas=100, random_state=0, progress=False
        ).fit(X, y)

    def cv():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the grid-edge note
            return SparseLogisticRegressionCV(cv=10, progress=False).fit(X, y)

    first_cv, _ = _timed(cv)
    first_stab, _ = _timed(stability)
    times = {"cv": [], "stability": []}
    sel = None
    for _ in range(repeat):
        t, _ = _timed(cv)
        times["cv"].append(t)
        t, sel = _timed(stability)
        times["stability"].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    return sel, {
        "cv_seconds": med["cv"],
        "stability_seconds": med["stability"],
        "ratio": med["stability"] / med["cv"],
        "runs": times,
        "first_call_excess": {
            "cv": first_cv - med["cv"],
            "stability": first_stab - med["stability"],
        },
        "n_fits": sel.n_fits_,
        "n_paths": len(sel.subsamples_),
    }


def golub_heldout(X, y, pairs):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from sparsefit.selection import StabilitySelection

    correct, sizes = 0, []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        sel = StabilitySelection(
            "binomial", n_resamples=pairs, n_alphas=100, random_state=0, progress=False
        ).fit(X[train], y[train])
        genes = sel.support_
        sizes.append(int(genes.size))
        if genes.size == 0:
            guess = np.bincount(y[train]).argmax()
            correct += int((y[test] == guess).sum())
            continue
        model = LogisticRegression().fit(X[train][:, genes], y[train])
        correct += int((model.predict(X[test][:, genes]) == y[test]).sum())
    return {"accuracy": correct / len(y), "genes_per_fold": sizes, "pairs": pairs}


def run_golub(args):
    from sparsefit.datasets import load_golub

    data = load_golub()
    X, y = np.asfortranarray(data.X), np.asarray(data.y).astype(int)
    sel, timing = golub_timing(X, y, args.repeat)
    names = _gene_names(args.gnames)
    genes = [
        {
            "column": f"g{j + 1}",
            "max_probability": float(sel.max_probability_[j]),
            "accession": names.get(j, ("", ""))[0],
            "description": names.get(j, ("", ""))[1],
        }
        for j in sel.support_[np.argsort(-sel.max_probability_[sel.support_])]
    ]
    record = {
        "timing": timing,
        "selection": {
            "threshold": sel.threshold,
            "pfer": sel.pfer,
            "error_bound": sel.error_bound_,
            "bound": sel.bound_,
            "alpha_region": [sel.alpha_region_, float(sel.alphas_[0])],
            "q": sel.q_,
            "max_gap": sel.max_gap_,
            "not_converged": len(sel.not_converged_),
            "genes": genes,
        },
        "heldout": golub_heldout(X, y, args.outer_pairs),
    }
    lines = [
        "Golub ALL/AML (38 x 3051), logistic, one thread",
        f"  stability selection (50 pairs = {timing['n_paths']} paths x 100 "
        f"alphas): {timing['stability_seconds']:.2f} s (median of {args.repeat})",
        f"  SparseLogisticRegressionCV(cv=10): {timing['cv_seconds']:.2f} s",
        f"  ratio stability / CV: {timing['ratio']:.2f} (acceptance: <= 5)",
        f"  first-call excess (JIT, caches): cv "
        f"{timing['first_call_excess']['cv']:.2f} s, stability "
        f"{timing['first_call_excess']['stability']:.2f} s",
        f"  selected at threshold 0.6 (pfer 1): {len(genes)} gene(s); "
        f"E[V] <= {sel.error_bound_:.3g} ({sel.bound_} bound), region "
        f"[{sel.alpha_region_:.4g}, {sel.alphas_[0]:.4g}], q = {sel.q_:.3g}; "
        f"largest relative gap {sel.max_gap_:.2e}, "
        f"{len(sel.not_converged_)} not converged",
    ]
    for g in genes:
        lines.append(
            f"    {g['column']:>6} p={g['max_probability']:.2f} {g['accession']} "
            f"{g['description']}"
        )
    held = record["heldout"]
    lines.append(
        f"  held-out accuracy (selection inside each of 5 stratified folds, "
        f"{held['pairs']} pairs, logistic refit on the selected genes): "
        f"{held['accuracy']:.3f} ({round(held['accuracy'] * len(y))}/{len(y)}); "
        f"genes per fold {held['genes_per_fold']}"
    )
    return record, lines


def _ar_design(rng, n, p, rho=0.5):
    Z = rng.standard_normal((n, p))
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    return X


def _simulate(seed, family, amplitude, n=300, p=500, s=20):
    rng = np.random.default_rng(seed)
    X = _ar_design(rng, n, p)
    w = np.zeros(p)
    truth = rng.choice(p, s, replace=False)
    w[truth] = amplitude * rng.choice([-1.0, 1.0], s)
    z = X @ w
    if family == "gaussian":
        y = z + rng.standard_normal(n)
    else:
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(int)
    return X, y, set(truth.tolist())


def run_sim(args):
    from sparsefit.selection import StabilitySelection

    record, lines = {}, []
    lines.append(
        f"Simulation: n=300, p=500, 20 non-zeros (amplitude {args.amplitude}), "
        f"AR(0.5), {args.sim_pairs} complementary pairs, {args.sim_alphas} alphas, "
        "threshold 0.6, pfer 1"
    )
    lines.append(
        "  family     reps  mean V (SE)     mean bound  max bound  mean TP  "
        "s/rep  not conv."
    )
    for family in args.families.split(","):
        false, bounds, true, seconds, failed = [], [], [], [], 0
        for rep in range(args.replicates):
            X, y, truth = _simulate(rep, family, args.amplitude)
            sel = StabilitySelection(
                family,
                n_resamples=args.sim_pairs,
                n_alphas=args.sim_alphas,
                random_state=rep,
                progress=False,
            )
            t, _ = _timed(lambda sel=sel, X=X, y=y: sel.fit(X, y))
            chosen = set(sel.support_.tolist())
            false.append(len(chosen - truth))
            true.append(len(chosen & truth))
            bounds.append(sel.error_bound_)
            seconds.append(t)
            failed += len(sel.not_converged_)
            # One line per replicate: a run cut short keeps what it measured.
            print(
                f"    {family} rep {rep}: V={false[-1]} TP={true[-1]} "
                f"bound={bounds[-1]:.4f} {t:.1f} s",
                flush=True,
            )
        se = np.std(false, ddof=1) / np.sqrt(len(false)) if len(false) > 1 else 0.0
        record[family] = {
            "replicates": args.replicates,
            "false": false,
            "true": true,
            "bounds": bounds,
            "mean_false": float(np.mean(false)),
            "se_false": float(se),
            "mean_bound": float(np.mean(bounds)),
            "seconds": seconds,
            "not_converged": failed,
        }
        lines.append(
            f"  {family:<9} {args.replicates:>5}  {np.mean(false):.3f} ({se:.3f})"
            f"   {np.mean(bounds):.3f}      {np.max(bounds):.3f}      "
            f"{np.mean(true):5.2f}  {np.mean(seconds):5.1f}  {failed}"
        )
    return record, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="golub,sim")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--outer-pairs", type=int, default=50)
    parser.add_argument("--gnames", default=None)
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--sim-pairs", type=int, default=50)
    parser.add_argument("--sim-alphas", type=int, default=100)
    parser.add_argument("--amplitude", type=float, default=1.0)
    parser.add_argument("--families", default="gaussian,binomial")
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    for part in args.parts.split(","):
        record, lines = {"golub": run_golub, "sim": run_sim}[part](args)
        text = "\n".join(lines) + "\n"
        print(text, flush=True)
        stem = RESULTS / f"selection_stability_{part}{args.tag}"
        stem.with_suffix(".txt").write_text(text)
        stem.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
