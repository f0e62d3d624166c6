"""``sparsefit fit`` on a Parquet directory, through the Dask back end.

Chosen when DATA is a directory, or ``--scheduler`` / ``--workers`` is
given: the data stay where they are (read by the workers of the scheduler
at ADDRESS, or of a local cluster of N processes), and the results are the
certified path, its CV curve and the coefficients at the chosen alpha,
written as ``coefficients.csv``, ``path.csv``, ``cv.csv`` and
``model.json``.  The options that need the table in memory are refused.
"""

import json
import math
from pathlib import Path

import numpy as np

from ._errors import UsageError
from ._output import check_out_dir, emit_summary, note, result_folder

__all__ = ["wants_dask", "run_dask"]

DASK_FILES = ("coefficients.csv", "path.csv", "cv.csv", "model.json")
_FAMILIES = ("gaussian", "binomial", "poisson")
#: Options of ``fit`` that need the whole table in memory.
_IN_MEMORY = {
    "one_hot": "--one-hot",
    "drop_missing": "--drop-missing",
    "offset": "--offset",
    "penalty_factor": "--penalty-factor",
    "n_nonzero": "--n-nonzero",
    "train_column": "--train-column",
    "delta": "--delta",
}


def wants_dask(args):
    """Whether this fit runs on Dask: a directory, or a cluster asked for."""
    return bool(
        getattr(args, "scheduler", None)
        or getattr(args, "workers", None)
        or Path(args.data).is_dir()
    )


def _check(args):
    for name, flag in _IN_MEMORY.items():
        if getattr(args, name, None) not in (None, False):
            raise UsageError(f"{flag} is not available with a Parquet directory / Dask")
    family = args.family or "gaussian"
    if family not in _FAMILIES:
        raise UsageError(
            f"--family {family} is not available on Dask (gaussian, binomial, "
            "poisson are)"
        )
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be >= 1, got {args.workers}")
    if args.alpha is not None and not (math.isfinite(args.alpha) and args.alpha >= 0):
        raise UsageError(f"--alpha must be a finite number >= 0, got {args.alpha}")
    if args.cv is not None and args.cv < 2:
        raise UsageError(f"--cv must be at least 2 folds, got {args.cv}")
    data = Path(args.data)
    if not data.exists():
        raise UsageError(f"{data} does not exist")
    if data.is_file() and data.suffix.lower() not in (".parquet", ".pq"):
        raise UsageError(
            f"{data}: the Dask back end reads Parquet (a file or a directory)"
        )
    return family


def _columns(args, frame):
    names = [str(c) for c in frame.columns]
    if args.target not in names:
        raise UsageError(f"{args.data} has no column {args.target!r} (--target)")
    if args.features:
        chosen = [c.strip() for c in args.features.split(",") if c.strip()]
    else:
        dropped = set() if not args.exclude else set(args.exclude.split(","))
        chosen = [c for c in names if c != args.target and c not in dropped]
    missing = [c for c in chosen if c not in names]
    if missing:
        raise UsageError(f"{args.data} has no column {missing[0]!r} (--features)")
    if not chosen:
        raise UsageError("no feature column is left")
    return chosen


def _fit(args, family, columns, client):
    import sparsefit.distributed as sfd
    from sparsefit.penalties import ElasticNetPenalty

    penalty = ElasticNetPenalty(1.0, args.l1_ratio)
    common = dict(
        columns=columns, standardize=args.standardize, tol=args.tol, client=client
    )
    if args.alpha is None:
        cv = sfd.cross_validate_path(
            args.data,
            args.target,
            penalty=penalty,
            family=family,
            cv=args.cv or 10,
            seed=args.seed,
            n_alphas=args.n_alphas,
            eps=args.eps,
            **common,
        )
        k = cv.index_1se if args.selection == "1se" else cv.index_min
        return cv.path, cv, k
    # A two-point path gives alpha_max; the path then runs from it down to
    # --alpha on the --n-alphas grid, --alpha its last point.
    top = sfd.compute_path(
        args.data, args.target, penalty, family=family, n_alphas=2, eps=0.5, **common
    ).alphas[0]
    grid = [args.alpha]
    if args.alpha < top:
        grid = np.geomspace(top, max(args.alpha, top * 1e-6), args.n_alphas)
        grid[-1] = args.alpha
    path = sfd.compute_path(
        args.data, args.target, penalty, family=family, alphas=grid, **common
    )
    k = len(grid) - 1
    return path, None, k


def _write(folder, path, cv, k, family, columns, args):
    import pandas as pd

    coef = path.coefs[:, k].toarray().ravel()
    order = np.argsort(-np.abs(coef), kind="stable")
    pd.DataFrame(
        {
            "feature": [columns[j] for j in order],
            "coefficient": coef[order],
            "entry_alpha": path.entry_alphas[order],
        }
    ).to_csv(folder / "coefficients.csv", index=False)
    pd.DataFrame(
        {
            "alpha": path.alphas,
            "n_nonzero": path.n_nonzero,
            "dual_gap": path.dual_gaps,
            "gap_tol": path.gap_tols,
            "dev_ratio": path.dev_ratio,
        }
    ).to_csv(folder / "path.csv", index=False)
    if cv is not None:
        pd.DataFrame(
            {"alpha": cv.alphas, "cv_mean": cv.cv_mean, "cv_std": cv.cv_std}
        ).to_csv(folder / "cv.csv", index=False)
    model = {
        "family": family,
        "target": args.target,
        "alpha": float(path.alphas[k]),
        "intercept": float(path.intercepts[k]),
        "coefficients": {c: float(v) for c, v in zip(columns, coef, strict=True)},
        "dual_gap": float(path.dual_gaps[k]),
        "gap_tol": float(path.gap_tols[k]),
        "backend": "dask",
    }
    (folder / "model.json").write_text(json.dumps(model, indent=1) + "\n")
    return model


def run_dask(args):
    """``sparsefit fit`` through the Dask back end; returns the exit status."""
    import dask.dataframe as dd

    from sparsefit.distributed._cluster import cluster_client

    family = _check(args)
    columns = _columns(args, dd.read_parquet(args.data))
    out = Path(args.out) if args.out else Path(f"{Path(args.data).name}-sparsefit")
    check_out_dir(out, args.force, DASK_FILES)
    where = args.scheduler or f"a local cluster of {args.workers or 'auto'} workers"
    note(args, f"fitting on {where}")
    with cluster_client(None, args.scheduler, args.workers) as client:
        path, cv, k = _fit(args, family, columns, client)
    with result_folder(out, "fit") as folder:
        model = _write(folder.staging, path, cv, k, family, columns, args)
        written = folder.commit()
    nonzero = sum(v != 0 for v in model["coefficients"].values())
    summary = dict(model, out=str(out), files=written, n_nonzero=int(nonzero))
    text = (
        f"{family} fit on Dask at alpha {model['alpha']:.6g}: {nonzero} of "
        f"{len(columns)} features non-zero, duality gap {model['dual_gap']:.2e} "
        f"(target {model['gap_tol']:.2e}); results in {out}/"
    )
    emit_summary(args, summary, text)
    return 0
