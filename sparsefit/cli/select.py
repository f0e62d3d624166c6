"""``sparsefit select``: which features to keep, with error control.

Reads the table, runs a selection method on it and writes into the output
folder the selected features with their scores (``selected.csv``), every
feature's scores (``features.csv``), the run's record (``selection.json``:
seed, resampled rows, certificates), the method's figure and
``report.html``.

A method is one entry of :data:`METHODS`: a function taking the design
(``X``, a data frame), the target, the family and the parsed arguments, and
returning a :class:`Selected` (a result with ``to_frame()``, its figures as
PNG bytes, and the numbers the summary shows).  Adding a method is adding an
entry; ``--fdr`` is the command's argument for the methods that control the
false discovery rate.
"""

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._args import MAX_ALPHAS, add_data_arguments, add_output_arguments
from ._data import prepare, read_table, zero_one_note
from ._errors import UsageError
from ._families import FAMILIES, get_family
from ._metrics import target_summary
from ._model import json_safe
from ._output import (
    check_out_dir,
    emit_summary,
    note,
    result_folder,
    spreadsheet_safe,
)

__all__ = ["add_parser", "run", "METHODS", "Selected", "SELECT_FILES"]

#: What ``select`` writes (the figure only for a method that draws one).
SELECT_FILES = (
    "selected.csv",
    "features.csv",
    "selection.json",
    "stability.png",
    "report.html",
)


@dataclass
class Selected:
    """What a method gives back.

    Attributes
    ----------
    result : object
        Has ``to_frame()`` (one row per feature: ``feature``, the method's
        scores, ``selected``) and the record of :class:`SelectionRecord`.
    figures : dict of str to bytes
        PNG figures, written as ``<name>.png`` (a name in ``SELECT_FILES``).
    details : dict
        The method's numbers for the summary and the report.
    caption : str
        What the figure shows.
    frame : DataFrame or None
        The table to write when it is not ``result.to_frame()`` (a method
        whose selection depends on a command option, as ``--fdr``).
    """

    result: object
    figures: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    caption: str = ""
    frame: object = None


def _stability(X, y, family, args):
    from ..selection import StabilitySelection
    from ._figures import stability_png

    progress = False if (args.quiet or args.json) else None
    sel = StabilitySelection(
        family.name,
        l1_ratio=args.l1_ratio,
        n_alphas=100 if args.n_alphas is None else args.n_alphas,
        eps=args.eps,
        n_resamples=args.n_resamples,
        complementary_pairs=not args.halves,
        threshold=args.threshold,
        pfer=args.pfer,
        standardize=args.standardize,
        tol=args.tol,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        progress=progress,
    ).fit(X, y)
    scheme = "halves" if args.halves else "complementary pairs"
    details = {
        "threshold": args.threshold,
        "pfer": args.pfer,
        "resampling": scheme,
        "n_resamples": args.n_resamples,
        "error_bound": float(sel.error_bound_),
        "bound": sel.bound_,
        "alpha_region": [float(sel.alpha_region_), float(sel.alphas_[0])],
        "q": float(sel.q_),
    }
    caption = (
        "Selection probability of each feature against log10(alpha); the "
        "dashed line is the threshold, the shaded band the region where the "
        f"bound on the expected number of false selections is "
        f"{sel.error_bound_:.3g} ({sel.bound_} bound)"
    )
    return Selected(sel, {"stability": stability_png(sel)}, details, caption)


def _knockoff(X, y, family, args):
    from ..selection import knockoff_select

    res = knockoff_select(
        X,
        y,
        fdr=args.fdr,
        family=family.name,
        n_draws=args.n_draws,
        n_alphas=args.n_alphas,
        tol=args.tol,
        random_state=args.seed,
        n_jobs=args.n_jobs,
    )
    finite = np.isfinite(res.thresholds_)
    details = {
        "fdr": args.fdr,
        "knockoffs": "model-X Gaussian (MVR), Sigma by Ledoit-Wolf",
        "draws": args.n_draws,
        "threshold": float(res.thresholds_[0]) if finite.all() else None,
        "message": res.message_,
    }
    return Selected(res, {}, details, "")


def _debiased(X, y, family, args):
    from ..selection import debiased_lasso

    if family.name != "gaussian":
        raise UsageError(
            f"--method debiased supports --family gaussian only, got {family.name}"
        )
    res = debiased_lasso(X, y, tol=args.tol, n_jobs=args.n_jobs, random_state=args.seed)
    details = {
        "fdr": args.fdr,
        "selection": "Benjamini-Hochberg on the debiased p-values",
        "sigma": float(res.sigma_),
        "alpha": float(res.alpha_),
    }
    return Selected(res, {}, details, "", frame=res.to_frame(fdr=args.fdr))


#: The selection methods by name: ``method(X, y, family, args) -> Selected``.
METHODS = {"stability": _stability, "knockoff": _knockoff, "debiased": _debiased}


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "select",
        help="select features with error control (stability selection, "
        "knockoffs, debiased lasso)",
        description=(
            "Select the features of DATA that predict --target, with a bound "
            "on the false selections, and write selected.csv, features.csv, "
            "selection.json, the method's figure and report.html into --out."
        ),
    )
    add_data_arguments(parser)
    parser.add_argument(
        "--method", choices=list(METHODS), default="stability", help="the method"
    )
    parser.add_argument(
        "--family",
        choices=list(FAMILIES),
        default=None,
        help="model family (default: gaussian)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.6,
        metavar="T",
        help="stability: selection frequency in (0, 1) a feature must reach",
    )
    parser.add_argument(
        "--pfer",
        type=float,
        default=1.0,
        metavar="V",
        help="stability: the bound wanted on the expected number of false "
        "selections (it sets the region of alphas)",
    )
    parser.add_argument(
        "--fdr",
        type=float,
        default=0.1,
        metavar="Q",
        help="target false discovery rate in (0, 1), for the methods that control it",
    )
    parser.add_argument(
        "--n-draws",
        type=int,
        default=1,
        metavar="D",
        help="knockoff: knockoff draws, aggregated by e-values when above 1",
    )
    parser.add_argument(
        "--n-resamples",
        type=int,
        default=50,
        metavar="B",
        help="stability: complementary pairs (2B fits), or halves with --halves",
    )
    parser.add_argument(
        "--halves",
        action="store_true",
        help="stability: independent random halves (Meinshausen and Buhlmann) "
        "instead of complementary pairs (Shah and Samworth)",
    )
    parser.add_argument(
        "--l1-ratio",
        type=float,
        default=1.0,
        metavar="R",
        help="elastic-net mix in (0, 1]; 1 is the lasso",
    )
    parser.add_argument(
        "--standardize",
        action="store_true",
        help="penalise the columns scaled to unit variance",
    )
    parser.add_argument(
        "--n-alphas",
        type=int,
        default=None,
        metavar="N",
        help=(
            f"points on each path, 2 to {MAX_ALPHAS} (default: 100 for "
            "stability selection, 20 for the knockoffs' lcd statistic)"
        ),
    )
    parser.add_argument(
        "--eps",
        type=float,
        default=None,
        metavar="E",
        help="smallest alpha as a fraction of alpha_max, in (0, 1) (default: "
        "1e-4 if rows > features, else 1e-2)",
    )
    parser.add_argument(
        "--tol",
        type=float,
        default=1e-4,
        help="relative duality gap each fit must reach",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the resampled rows (>= 0)"
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="fits in parallel (default: one at a time; -1: every core); the "
        "selection does not depend on it",
    )
    add_output_arguments(parser, "-select")
    parser.set_defaults(run=run, train_column=None)
    return parser


def check_options(args):
    """Numbers in range, each error naming its option."""
    if not (math.isfinite(args.threshold) and 0 < args.threshold < 1):
        raise UsageError(f"--threshold must lie in (0, 1), got {args.threshold}")
    if not (math.isfinite(args.fdr) and 0 < args.fdr < 1):
        raise UsageError(f"--fdr must lie in (0, 1), got {args.fdr}")
    if not (math.isfinite(args.pfer) and args.pfer > 0):
        raise UsageError(f"--pfer must be > 0, got {args.pfer}")
    if args.n_draws < 1:
        raise UsageError(f"--n-draws must be >= 1, got {args.n_draws}")
    if args.n_resamples < 1:
        raise UsageError(f"--n-resamples must be >= 1, got {args.n_resamples}")
    if not (0 < args.l1_ratio <= 1):
        raise UsageError(f"--l1-ratio must lie in (0, 1], got {args.l1_ratio}")
    if args.n_alphas is not None and not 2 <= args.n_alphas <= MAX_ALPHAS:
        raise UsageError(
            f"--n-alphas must lie between 2 and {MAX_ALPHAS}, got {args.n_alphas}"
        )
    if args.eps is not None and not (math.isfinite(args.eps) and 0 < args.eps < 1):
        raise UsageError(f"--eps must lie in (0, 1), got {args.eps}")
    if not (math.isfinite(args.tol) and args.tol > 0):
        raise UsageError(f"--tol must be > 0, got {args.tol}")
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0, got {args.seed}")
    if args.offset:
        raise UsageError("--offset is not used by select")


def default_out(source):
    return Path(f"{Path(source).name.split('.')[0] or 'data'}-select")


def run(args):
    frame = read_table(args.data, args.decimal, lambda text: note(args, text))
    summary, text = select_frame(frame, args, source=str(args.data))
    emit_summary(args, summary, text)
    return 0


def _ordered(frame):
    """Selected first, then by the first score column, largest first."""
    scores = [c for c in frame.columns if c not in ("feature", "selected")]
    keys = ["selected"] + scores[:1]
    return frame.sort_values(keys, ascending=False, kind="stable").reset_index(
        drop=True
    )


def _record(result):
    """The run's record: seed, resampled rows and certificates."""
    return {
        "random_state": getattr(
            result, "random_state_", getattr(result, "random_state", None)
        ),
        "n_fits": int(getattr(result, "n_fits_", 0)),
        "max_gap": float(getattr(result, "max_gap_", 0.0)),
        "not_converged": list(getattr(result, "not_converged_", [])),
        "subsamples": [
            np.asarray(rows).tolist() for rows in getattr(result, "subsamples_", [])
        ],
    }


def select_frame(frame, args, source, title=None):
    """Select, write every output and return ``(summary, text)``."""
    start = time.perf_counter()
    family = get_family(args.family or "gaussian")
    check_options(args)
    out = Path(args.out) if args.out else default_out(source)
    check_out_dir(out, args.force, names=SELECT_FILES)
    prep = prepare(frame, args.target, family, args)
    X, y = prep.X, prep.y
    notes = [n for n in (zero_one_note(args, y),) if n]
    for text in notes:
        note(args, text)
    note(
        args,
        f"selecting with {args.method} ({family.name}) on {X.shape[0]} rows x "
        f"{X.shape[1]} features",
    )
    chosen = METHODS[args.method](X, y, family, args)
    scores = chosen.result.to_frame() if chosen.frame is None else chosen.frame
    table = _ordered(scores)
    record = _record(chosen.result)
    summary = _summary(args, family, prep, table, chosen, record)
    summary.update(source=source, out=str(out), notes=notes)
    files = _write(out, table, chosen, summary, record, title)
    summary["files"] = files
    summary["seconds"] = round(time.perf_counter() - start, 3)
    return json_safe(summary), _text(summary)


def _summary(args, family, prep, table, chosen, record):
    selected = table[table["selected"]]
    return {
        "command": "select",
        "method": args.method,
        "family": family.name,
        "target": prep.target,
        "rows": {
            "read": prep.n_read,
            "used": int(len(prep.y)),
            "dropped": prep.dropped,
            "train": int(len(prep.y)),
            "test": 0,
        },
        "features": {
            "columns": len(prep.features),
            "design": int(prep.X.shape[1]),
            "one_hot": {c: len(v) for c, v in prep.encoding.items()},
        },
        "target_summary": target_summary(family, prep.y),
        "fdr": args.fdr,
        "seed": args.seed,
        "details": chosen.details,
        "record": {k: v for k, v in record.items() if k != "subsamples"}
        | {"n_subsamples": len(record["subsamples"])},
        "n_selected": int(len(selected)),
        "selected": selected.drop(columns="selected").to_dict(orient="records"),
        "caption": chosen.caption,
    }


def _csv(frame):
    frame = frame.copy()
    frame["feature"] = frame["feature"].map(spreadsheet_safe)
    return frame


def _write(out, table, chosen, summary, record, title):
    from ._report import render_selection_report

    with result_folder(out, "select") as folder:
        stage = folder.staging
        _csv(table[table["selected"]]).to_csv(stage / "selected.csv", index=False)
        _csv(table).to_csv(stage / "features.csv", index=False)
        document = json_safe({"summary": summary, "record": record})
        (stage / "selection.json").write_text(
            json.dumps(document, indent=1, allow_nan=False) + "\n", encoding="utf-8"
        )
        for name, data in chosen.figures.items():
            (stage / f"{name}.png").write_bytes(data)
        html = render_selection_report(summary, table, chosen.figures, title=title)
        (stage / "report.html").write_text(html, encoding="utf-8")
        written = folder.commit()
    return [n for n in SELECT_FILES if n in written]


def _fmt(value, spec=".4g"):
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "n/a"
    return format(value, spec)


def _text(summary):
    d, rec = summary["details"], summary["record"]
    lines = [
        f"sparsefit select: {summary['method']} ({summary['family']}) of "
        f"{summary['target']!r} on {summary['rows']['used']} rows, "
        f"{summary['features']['design']} features",
        f"  {summary['n_selected']} selected",
    ]
    if "error_bound" in d:
        lines[-1] += (
            f" at threshold {_fmt(d['threshold'])}; expected false selections "
            f"<= {_fmt(d['error_bound'], '.3g')} ({d['bound']} bound, "
            f"{d['resampling']}, seed {summary['seed']})"
        )
    lines.append(
        f"  {rec['n_fits']} fits, largest relative gap "
        f"{_fmt(rec['max_gap'], '.2e')}, {len(rec['not_converged'])} not converged"
    )
    for row in summary["selected"][:10]:
        scores = [v for k, v in row.items() if k != "feature"]
        shown = " ".join(_fmt(v, ">10.4g") for v in scores)
        lines.append(f"    {row['feature']:>20} {shown}")
    if summary["n_selected"] > 10:
        lines.append(f"    ... and {summary['n_selected'] - 10} more")
    lines.append(f"  results in {summary['out']}/ (open report.html)")
    return "\n".join(lines)
