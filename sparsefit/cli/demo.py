"""``sparsefit demo``: the command end to end on the data shipped with the package.

Two fits, each with its folder of results and its report: the lasso on the
prostate cancer data (ESL section 3.4: standardised predictors, the book's
67 training men, its 30 test men held out), and the sparse logistic
regression of the Golub leukemia classes on 3051 genes from 38 patients
(p >> n), both with alpha chosen by 10-fold cross-validation.
"""

import argparse
import sys
import time
from importlib import resources
from pathlib import Path

from ._output import check_out_dir, emit_summary, note

__all__ = ["add_parser", "run"]

_DEFAULTS = dict(
    features=None,
    exclude=None,
    one_hot=False,
    drop_missing=False,
    offset=None,
    train_column=None,
    l1_ratio=1.0,
    standardize=True,
    penalty_factor=None,
    n_alphas=100,
    eps=None,
    tol=1e-4,
    delta=None,
    alpha=None,
    cv=10,
    selection="min",
    seed=0,
    n_jobs=None,
)


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "demo",
        help="fit the bundled prostate and leukemia data",
        description=(
            "Run sparsefit fit on the data shipped with the package and write "
            "each result (with report.html) in its own folder under --out. An "
            "existing result folder is refused unless --force, which replaces "
            "only the files sparsefit wrote there."
        ),
    )
    parser.add_argument(
        "--out", metavar="DIR", default="sparsefit-demo", help="output folder"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace earlier demo results (only the files sparsefit wrote)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress, no summary")
    parser.add_argument("--json", action="store_true", help="summary on stdout")
    parser.set_defaults(run=run)
    return parser


def _table(name):
    import pandas as pd

    with resources.as_file(
        resources.files("sparsefit.datasets").joinpath("data", name)
    ) as path:
        return pd.read_csv(path), str(path)


def _runs():
    """(name, file, title, options) of each demo fit."""
    return (
        (
            "prostate",
            "prostate.csv",
            "lasso of log PSA on the prostate data (Stamey et al. 1989)",
            dict(target="lpsa", family="gaussian", train_column="train"),
        ),
        (
            "golub",
            "golub_multtest.csv",
            "sparse logistic regression of ALL/AML on 3051 genes (Golub et al. 1999)",
            dict(target="cl", family="binomial"),
        ),
    )


def run(args):
    import sparsefit

    from .fit import _text, fit_frame

    start = time.perf_counter()
    for name, *_ in _runs():
        # Both folders now: the second must not be refused after the first fit.
        check_out_dir(Path(args.out) / name, args.force)
    results, texts = {}, []
    for name, file, title, options in _runs():
        if options["family"] == "binomial" and not hasattr(
            sparsefit, "SparseLogisticRegressionCV"
        ):
            message = (
                f"skipping the {name} part: this sparsefit has no "
                "SparseLogisticRegressionCV (the binomial family)"
            )
            sys.stderr.write(f"sparsefit demo: {message}\n")
            results[name] = {"skipped": message}
            continue
        frame, source = _table(file)
        fit_args = argparse.Namespace(
            **{**_DEFAULTS, **options},
            out=str(Path(args.out) / name),
            force=args.force,
            quiet=args.quiet,
            json=args.json,
        )
        note(args, f"sparsefit demo: {title}")
        summary, _ = fit_frame(frame, fit_args, source=source, title=title)
        results[name] = summary
        texts.append(_text(summary))
    seconds = round(time.perf_counter() - start, 3)
    summary = {"command": "demo", "results": results, "seconds": seconds}
    texts.append(f"demo done in {seconds:.1f} s; open {args.out}/*/report.html")
    emit_summary(args, summary, "\n\n".join(texts))
    return 0
