"""``sparsefit fit``: a certified sparse model from a data file, with its report.

Reads the table, checks it, fits the family's estimator at a given alpha or
with alpha chosen by K-fold cross-validation, and writes into the output
folder the coefficients (non-zero first, with entry alphas and KKT
margins), the path, the CV curve, ``model.json`` and ``report.html``.
"""

import math
import time
from pathlib import Path

import numpy as np

from ._args import (
    MAX_ALPHAS,
    add_data_arguments,
    add_model_arguments,
    add_output_arguments,
)
from ._data import closest, prepare, read_table, zero_one_note
from ._distributed import run_dask, wants_dask
from ._errors import UsageError
from ._families import get_family
from ._groups import add_group_arguments, group_family, group_labels, group_path
from ._metrics import target_summary, test_metrics
from ._model import json_safe, model_document, write_model
from ._output import (
    RESULT_FILES,
    check_out_dir,
    emit_summary,
    note,
    result_folder,
    spreadsheet_safe,
)
from ._paths import alpha_max, from_path_result, grid_path, path_frame
from ._survival import baseline_document, cox_path
from ._warm import compile_note, mark_warm

__all__ = ["add_parser", "run", "fit_frame"]


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "fit",
        help="fit a certified sparse model and write its report",
        description=(
            "Fit a penalised model to DATA and write coefficients.csv, path.csv, "
            "cv.csv, model.json, path.png, cv.png and report.html into --out."
        ),
    )
    add_data_arguments(parser)
    add_model_arguments(parser)
    add_group_arguments(parser)
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--alpha",
        type=float,
        metavar="A",
        help="fit at this alpha (default: chosen by --cv)",
    )
    how.add_argument(
        "--n-nonzero",
        type=int,
        metavar="K",
        help="fit at an alpha whose model has exactly K non-zero features "
        "(located on the path by bisection, each end a certified fit; default: "
        "alpha chosen by --cv)",
    )
    how.add_argument(
        "--cv",
        type=int,
        metavar="K",
        help="choose alpha by K-fold cross-validation on shuffled folds "
        "(stratified by class when every class has K rows), shuffled with "
        "--seed (default: 10)",
    )
    parser.add_argument(
        "--selection",
        choices=("min", "1se"),
        default="min",
        help="refit at the CV minimum or at the 1-SE alpha",
    )
    parser.add_argument(
        "--train-column",
        metavar="COL",
        help="true/1 rows fit the model, the others give test metrics "
        "(default: every row fits)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the shuffle of the CV folds"
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="folds fitted in parallel (default: one at a time; -1: every core)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="fit on the Dask cluster of this scheduler (DATA: Parquet that its "
        "workers can read) (default: in memory, or a local Dask cluster when "
        "DATA is a directory)",
    )
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="fit on a local Dask cluster of N worker processes (default: in "
        "memory, or sized to the machine when DATA is a directory)",
    )
    add_output_arguments(parser, "-sparsefit")
    parser.set_defaults(run=run)
    return parser


def run(args):
    if wants_dask(args):
        return run_dask(args)
    frame = read_table(args.data, args.decimal, lambda text: note(args, text))
    summary, text = fit_frame(frame, args, source=str(args.data))
    emit_summary(args, summary, text)
    return 0


def _fixed(args):
    """Alpha given, or set by --n-nonzero: no cross-validation."""
    return args.alpha is not None or getattr(args, "n_nonzero", None) is not None


def check_options(args, family):
    """Numbers in range; options that fit the family."""
    k = getattr(args, "n_nonzero", None)
    if k is not None and k < 0:
        raise UsageError(f"--n-nonzero must be >= 0 (a number of features), got {k}")
    if args.alpha is not None and not (math.isfinite(args.alpha) and args.alpha >= 0):
        raise UsageError(f"--alpha must be a finite number >= 0, got {args.alpha}")
    if args.cv is not None and args.cv < 2:
        raise UsageError(f"--cv must be at least 2 folds, got {args.cv}")
    if not (0 < args.l1_ratio <= 1):
        raise UsageError(f"--l1-ratio must lie in (0, 1], got {args.l1_ratio}")
    if not 2 <= args.n_alphas <= MAX_ALPHAS:
        raise UsageError(
            f"--n-alphas must lie between 2 and {MAX_ALPHAS}, got {args.n_alphas}"
        )
    eps = getattr(args, "eps", None)
    if eps is not None and not (math.isfinite(eps) and 0 < eps < 1):
        raise UsageError(f"--eps must lie in (0, 1), got {eps}")
    if not (math.isfinite(args.tol) and args.tol > 0):
        raise UsageError(f"--tol must be > 0, got {args.tol}")
    family.estimator_class(not _fixed(args))  # a missing class: one line now
    if args.offset and family.link not in ("log", "cox"):
        raise UsageError(f"--offset needs --family poisson or cox, not {family.name}")


def result_names(args):
    """The files a fit writes: the CV ones only when alpha is chosen by CV."""
    cv_only = ("cv.csv", "cv.png")
    return [n for n in RESULT_FILES if not _fixed(args) or n not in cv_only]


def default_out(source):
    return Path(f"{Path(source).name.split('.')[0] or 'data'}-sparsefit")


def penalty_factors(path, prepared):
    """Per-design-column factors from a CSV ``feature,factor`` (1 if unlisted).

    A feature encoded with ``--one-hot`` may be named by its column, which
    sets the factor of all its indicators.
    """
    if path is None:
        return None
    table = read_table(path)
    if {"feature", "factor"} <= set(table.columns):
        names, values = table["feature"], table["factor"]
    elif table.shape[1] == 2:
        names, values = table.iloc[:, 0], table.iloc[:, 1]
    else:
        raise UsageError(
            f"{path} must have the columns feature,factor (found "
            f"{', '.join(table.columns)})"
        )
    design = list(prepared.X.columns)
    factors = np.ones(len(design))
    index = {n: [j] for j, n in enumerate(design)}
    for col in prepared.encoding:
        index[col] = [j for j, n in enumerate(design) if n.startswith(f"{col}=")]
    for name, value in zip(names.astype(str), values, strict=True):
        if name not in index:
            raise UsageError(
                f"{path} names {name!r}, which is not a feature"
                f"{closest(name, list(index))}"
            )
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = float("nan")
        if not (math.isfinite(value) and value >= 0):
            raise UsageError(
                f"{path}: the factor of {name!r} must be a number >= 0, got {value}"
            )
        factors[index[name]] = value
    return factors


def _splitter(family, k, seed, y):
    """Shuffled folds (stratified for classes): a sorted file must not make a
    fold of one class or one end of the target."""
    from sklearn.model_selection import KFold, StratifiedKFold

    if family.classifier:
        counts = np.unique(np.asarray(y).astype(str), return_counts=True)[1]
        if counts.min() >= k:
            return StratifiedKFold(k, shuffle=True, random_state=seed)
    return KFold(k, shuffle=True, random_state=seed)


def _fit_estimator(args, family, X, y, offset, factors, groups=None):
    params = {
        "l1_ratio": args.l1_ratio,
        "standardize": args.standardize,
        "penalty_factor": factors,
        "tol": args.tol,
    }
    if groups is not None:
        params.update(groups=groups, l1_ratio=args.sparse_group)
    if args.delta is not None:
        params["delta"] = args.delta
    progress = False if (args.quiet or args.json) else None
    fit_kwargs = {} if offset is None else {"offset": offset}
    if getattr(args, "n_nonzero", None) is not None:
        est = family.make(False, n_nonzero=args.n_nonzero, **params)
    elif args.alpha is not None:
        est = family.make(False, alpha=args.alpha, **params)
    else:
        k = args.cv or 10
        est = family.make(
            True,
            cv=_splitter(family, k, args.seed, y),
            selection=args.selection,
            n_alphas=args.n_alphas,
            eps=args.eps,
            n_jobs=args.n_jobs,
            progress=progress,
            **params,
        )
    est.fit(X, y, **fit_kwargs)
    return est, params, progress


def fixed_alpha_path(args, family, X, y, offset, params, progress, alpha):
    """The path from alpha_max down past the fitted ``alpha``."""
    import sparsefit

    if params.get("groups") is not None:
        path = group_path(
            args, family, X, y, params["groups"], params["penalty_factor"], alpha
        )
        outputs = [args.target] if path.classes is None else [str(path.classes[-1])]
        return from_path_result(path, list(X.columns), outputs)
    if family.name == "cox":
        path = cox_path(X, y, params, offset, n_alphas=args.n_alphas, eps=args.eps)
        if 0 < alpha < path.alphas[-1]:
            grid = np.geomspace(path.alphas[0], alpha, args.n_alphas)
            path = cox_path(X, y, params, offset, alphas=grid, progress=progress)
        return from_path_result(path, list(X.columns), [args.target])
    if family.name == "gaussian":
        kwargs = dict(
            l1_ratio=args.l1_ratio,
            n_alphas=args.n_alphas,
            eps=args.eps,
            penalty_factor=params["penalty_factor"],
            standardize=args.standardize,
            tol=args.tol,
            progress=progress,
        )
        path = sparsefit.enet_path(X, y, **kwargs)
        if 0 < alpha < path.alphas[-1]:
            grid = np.geomspace(path.alphas[0], alpha, args.n_alphas)
            path = sparsefit.enet_path(X, y, alphas=grid, **kwargs)
        return from_path_result(path, list(X.columns), [args.target])
    top = alpha_max(
        X, y, family, args.l1_ratio, args.standardize, params["penalty_factor"], offset
    )
    eps = args.eps or (1e-2 if X.shape[1] > X.shape[0] else 1e-4)
    low = alpha if 0 < alpha < top else top * eps
    grid = np.geomspace(top, low, args.n_alphas)
    return grid_path(family, X, y, grid, params, offset, progress)


def _outputs(est, target):
    classes = getattr(est, "classes_", None)
    if classes is None:
        return [target]
    rows = np.atleast_2d(est.coef_).shape[0]
    return [str(classes[-1])] if rows == 1 else [str(c) for c in classes]


def coefficient_table(est, explanation, table):
    """``coefficients.csv``: non-zero first (largest first), then the zeros
    nearest to entering.

    ``entry_alpha`` is, for a non-zero feature, the largest alpha on the path
    at which it is non-zero; for a zero one, the alpha below which it would
    enter with the rest of the fit held.  ``kkt_margin`` is the penalty minus
    the data's pull: about 0 for a non-zero feature, the room left for a zero.
    """
    import pandas as pd

    info = explanation.to_dict()
    coef = np.atleast_2d(np.asarray(est.coef_, dtype=float))
    frame = pd.DataFrame({"feature": [str(f) for f in info["feature"]]})
    outputs = _outputs(est, "coef")
    for k, out in enumerate(outputs):
        frame["coef" if len(outputs) == 1 else f"coef:{out}"] = coef[k]
    active = (coef != 0).any(axis=0)
    for name in ("status", "pull", "penalty", "margin"):
        values = np.asarray(info[name], dtype=object)
        if values.ndim == 1:
            frame["kkt_margin" if name == "margin" else name] = values
    held = np.asarray(info["entry_alpha"], dtype=float)
    on_path = np.asarray(info["path_entry_alpha"], dtype=float)
    grid = table.entry_alphas()
    if held.ndim == 1 and on_path.ndim == 1:
        precise = np.where(np.isnan(on_path), grid, on_path)
        frame["entry_alpha"] = np.where(active, precise, held)
    frame["grid_entry_alpha"] = grid
    size = np.abs(coef).max(axis=0)
    margin = frame["kkt_margin"].to_numpy(dtype=float) if "kkt_margin" in frame else 0
    order = np.lexsort((np.where(active, 0.0, margin), -size, ~active))
    return frame.iloc[order].reset_index(drop=True)


INTERCEPT = "(Intercept)"


def coefficients_csv(coefficients, intercepts):
    """``coefficients.csv``: the intercept first (as glmnet's ``coef``), then
    the features; every name safe to open in a spreadsheet."""
    import pandas as pd

    columns = [c for c in coefficients.columns if c == "coef" or c.startswith("coef:")]
    intercepts = np.atleast_1d(np.asarray(intercepts, dtype=float))
    row = {"feature": INTERCEPT}
    if "status" in coefficients.columns:
        row["status"] = "intercept (not penalised)"
    row.update(zip(columns, intercepts.tolist(), strict=False))
    head = pd.DataFrame([row], columns=coefficients.columns)
    frame = pd.concat([head, coefficients], ignore_index=True)
    frame["feature"] = frame["feature"].map(spreadsheet_safe)
    return frame


def _cv_info(est, table):
    """cv.csv and the CV figures of a cross-validated estimator (or None)."""
    import pandas as pd

    if not hasattr(est, "alpha_min_"):
        return None, None
    alphas = np.asarray(est.alphas_, dtype=float)
    frame = pd.DataFrame(
        {"alpha": alphas, "cv_mean": est.cv_mean_, "cv_se": est.cv_std_}
    )
    if table.alphas.shape == alphas.shape:
        frame["n_nonzero"] = table.n_nonzero
    frame["alpha_min"] = np.isclose(alphas, est.alpha_min_, rtol=1e-12, atol=0)
    frame["alpha_1se"] = np.isclose(alphas, est.alpha_1se_, rtol=1e-12, atol=0)
    result = est.cv_results_[0] if getattr(est, "cv_results_", None) else None
    scores = getattr(result, "fold_scores", None)
    if scores is not None and np.shape(scores)[-1] == alphas.shape[0]:
        for f, row in enumerate(np.atleast_2d(scores)):
            frame[f"fold_{f + 1}"] = row
    return frame, result


def _cv_metrics(est, family):
    if not hasattr(est, "alpha_min_"):
        return None
    alphas = np.asarray(est.alphas_)
    out = {"scoring": getattr(est, "scoring", family.scoring)}
    for key, alpha in (("alpha_min", est.alpha_min_), ("alpha_1se", est.alpha_1se_)):
        k = int(np.argmin(np.abs(alphas - alpha)))
        out[key] = {
            "alpha": float(alpha),
            "mean": float(est.cv_mean_[k]),
            "se": float(est.cv_std_[k]),
        }
    return out


def _certificate(est):
    result = getattr(est, "solver_result_", None)
    return {
        "dual_gap": float(getattr(est, "dual_gap_", np.nan)),
        "gap_bound": float(getattr(result, "tol_abs", np.nan)),
        "kkt_violation": float(getattr(est, "kkt_violation_", np.nan)),
        "n_iter": int(np.max(getattr(est, "n_iter_", 0))),
    }


def _explain(est, X, y, offset):
    # With an offset the training rows alone do not define the fit's path.
    return est.explain() if offset is not None else est.explain(X, y)


def fit_frame(frame, args, source, title=None):
    """Fit, write every output and return ``(summary, text)``."""
    start = time.perf_counter()
    family = group_family(args, get_family(args.family or "gaussian"))
    check_options(args, family)
    out = Path(args.out) if args.out else default_out(source)
    check_out_dir(out, args.force, writes=result_names(args))
    prep = prepare(frame, args.target, family, args)
    factors = penalty_factors(args.penalty_factor, prep)
    groups = group_labels(args, prep)
    rows = np.ones(len(prep.y), dtype=bool) if prep.train is None else prep.train
    X, y = prep.X[rows], prep.y[rows]
    offset = None if prep.offset is None else prep.offset[rows]
    if not _fixed(args) and (args.cv or 10) > len(y):
        k = args.cv or 10
        raise UsageError(
            f"--cv {k} needs at least {k} training rows; there are {len(y)}"
        )
    notes = [n for n in (zero_one_note(args, y),) if n]
    for text in notes:
        note(args, text)
    note(args, f"fitting {family.name} on {X.shape[0]} rows x {X.shape[1]} features")
    compile_note(args, family.name)
    est, params, progress = _fit_estimator(args, family, X, y, offset, factors, groups)
    mark_warm(family.name)
    outputs = _outputs(est, args.target)
    if hasattr(est, "path_"):
        table = from_path_result(est.path_, list(X.columns), outputs)
    else:
        alpha = float(getattr(est, "alpha_", args.alpha))
        table = fixed_alpha_path(args, family, X, y, offset, params, progress, alpha)
    explanation = _explain(est, X, y, offset)
    coefficients = coefficient_table(est, explanation, table)
    cv_frame, cv_result = _cv_info(est, table)
    metrics = {"cv": _cv_metrics(est, family)}
    if prep.train is not None:
        test_off = None if prep.offset is None else prep.offset[~rows]
        metrics["test"] = test_metrics(
            family, est, prep.X[~rows], prep.y[~rows], test_off
        )
    summary = _summary(args, family, prep, est, rows, factors, metrics, coefficients)
    summary.update(source=source, out=str(out), notes=notes)
    fit_info = {
        "alpha": summary["alpha"],
        "alpha_min": summary["alpha_min"],
        "alpha_1se": summary["alpha_1se"],
        "selection": summary["selection"],
        "l1_ratio": args.l1_ratio,
        "standardize": args.standardize,
        "offset_column": args.offset,
        "certificate": summary["certificate"],
        "rows": summary["rows"],
    }
    document = model_document(
        est, family, prep, fit_info, coefficients.to_dict(orient="list"), table
    )
    if family.name == "cox":
        document["survival"] = baseline_document(est, args)
    files = _write(
        out, args, document, coefficients, table, cv_frame, cv_result, summary, title
    )
    summary["files"] = files
    summary["seconds"] = round(time.perf_counter() - start, 3)
    return json_safe(summary), _text(summary)


def _summary(args, family, prep, est, rows, factors, metrics, coefficients):
    # coefficients lists the non-zero features first.
    nonzero = int((np.atleast_2d(est.coef_) != 0).any(axis=0).sum())
    keep = ["feature", "coef", "entry_alpha", "kkt_margin"]
    keep += [c for c in coefficients.columns if c.startswith("coef:")]
    head = coefficients.iloc[:nonzero][[c for c in keep if c in coefficients]]
    return {
        "command": "fit",
        "family": family.name,
        "target": prep.target,
        "rows": {
            "read": prep.n_read,
            "used": int(len(prep.y)),
            "dropped": prep.dropped,
            "train": int(rows.sum()),
            "test": int((~rows).sum()),
        },
        "features": {
            "columns": len(prep.features),
            "design": int(prep.X.shape[1]),
            "one_hot": {c: len(v) for c, v in prep.encoding.items()},
            "penalty_factors": factors is not None,
        },
        "target_summary": target_summary(family, prep.y[rows]),
        "selection": _selection(args),
        "cv_folds": None if _fixed(args) else (args.cv or 10),
        "n_nonzero_target": getattr(args, "n_nonzero", None),
        "alpha": float(getattr(est, "alpha_", est.get_params().get("alpha"))),
        "alpha_min": float(getattr(est, "alpha_min_", np.nan)),
        "alpha_1se": float(getattr(est, "alpha_1se_", np.nan)),
        "l1_ratio": args.l1_ratio,
        "standardize": args.standardize,
        "certificate": _certificate(est),
        "n_nonzero": nonzero,
        "selected": head.to_dict(orient="records"),
        "metrics": metrics,
    }


def _selection(args):
    if getattr(args, "n_nonzero", None) is not None:
        return "n_nonzero"
    return "fixed" if args.alpha is not None else args.selection


def _write(
    out, args, document, coefficients, table, cv_frame, cv_result, summary, title
):
    from ._figures import cv_png, path_png
    from ._report import render_report

    with result_folder(out, "fit") as folder:
        stage = folder.staging
        intercepts = [block["intercept"] for block in document["coefficients"]]
        coefficients_csv(coefficients, intercepts).to_csv(
            stage / "coefficients.csv", index=False
        )
        path_frame(table).to_csv(stage / "path.csv", index=False)
        write_model(stage / "model.json", document)
        figures = {"path": path_png(table, title="regularisation path")}
        if cv_frame is not None:
            cv_frame.to_csv(stage / "cv.csv", index=False)
            figures["cv"] = cv_png(cv_result, title="cross-validation")
        for name, data in figures.items():
            (stage / f"{name}.png").write_bytes(data)
        html = render_report(summary, coefficients, figures, title=title)
        (stage / "report.html").write_text(html, encoding="utf-8")
        written = folder.commit()
    return [n for n in RESULT_FILES if n in written]


def _fmt(value, spec=".4g"):
    return "n/a" if value is None or not np.isfinite(value) else format(value, spec)


def _text(summary):
    cert = summary["certificate"]
    lines = [
        f"sparsefit fit: {summary['family']} model of {summary['target']!r} on "
        f"{summary['rows']['train']} rows, {summary['features']['design']} features",
        f"  alpha {_fmt(summary['alpha'])} ({summary['selection']}; alpha_min "
        f"{_fmt(summary['alpha_min'])}, alpha_1se {_fmt(summary['alpha_1se'])})",
        f"  {summary['n_nonzero']} non-zero coefficients; duality gap "
        f"{_fmt(cert['dual_gap'], '.2e')}, KKT violation "
        f"{_fmt(cert['kkt_violation'], '.2e')}",
    ]
    for name, block in summary["metrics"].items():
        if block:
            shown = {k: v for k, v in block.items() if isinstance(v, float)}
            if name == "cv":
                m = block["alpha_min"]
                shown = {f"cv {block['scoring']}": m["mean"], "se": m["se"]}
            lines.append(
                f"  {name} metrics: "
                + ", ".join(f"{k} {_fmt(v)}" for k, v in shown.items())
            )
    for row in summary["selected"][:10]:
        coefs = [v for k, v in row.items() if k == "coef" or k.startswith("coef:")]
        shown = " ".join(_fmt(v, ">10.4g") for v in coefs)
        lines.append(f"    {row['feature']:>20} {shown}")
    if summary["n_nonzero"] > 10:
        lines.append(f"    ... and {summary['n_nonzero'] - 10} more")
    lines.append(f"  results in {summary['out']}/ (open report.html)")
    return "\n".join(lines)
