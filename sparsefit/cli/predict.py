"""``sparsefit predict``: predictions of a saved ``model.json`` for new data."""

import math
import sys
from pathlib import Path

from ._data import design_for_predict, read_table, split_names
from ._errors import UsageError
from ._model import load_model
from ._output import note, spreadsheet_safe

__all__ = ["add_parser", "run"]


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "predict",
        help="predict new data with a saved model",
        description=(
            "Predict DATA with MODEL (a model.json, or the folder of a fit). "
            "Writes CSV: the row number (from 1, after the header), the "
            "prediction (the mean, or the class) and each class's probability; "
            "for a Cox model the linear predictor, the relative risk and, at "
            "--times, the survival probabilities."
        ),
    )
    parser.add_argument("model", metavar="MODEL", help="model.json or its folder")
    parser.add_argument("data", metavar="DATA", help="CSV, TSV or Parquet file")
    parser.add_argument("--out", metavar="FILE", help="CSV file (default: stdout)")
    parser.add_argument("--force", action="store_true", help="overwrite --out")
    parser.add_argument(
        "--drop-missing",
        action="store_true",
        help="skip rows with missing values instead of stopping",
    )
    parser.add_argument(
        "--decimal",
        default=".",
        choices=(".", ","),
        metavar="MARK",
        help="the decimal mark of numbers in a text file: '.' or ','",
    )
    parser.add_argument(
        "--alpha",
        type=float,
        metavar="A",
        help=(
            "predict at this alpha, read off the model's path (linear in "
            "log alpha between its points, as glmnet's s) (default: the "
            "fitted alpha)"
        ),
    )
    parser.add_argument(
        "--times",
        metavar="T",
        help=(
            "family cox: comma-separated times at which to add each row's "
            "survival probability (Breslow's baseline of the fit, per stratum "
            "after a stratified fit) (default: the linear predictor and the "
            "relative risk only)"
        ),
    )
    parser.add_argument("--quiet", action="store_true", help="no notes on stderr")
    parser.set_defaults(run=run, json=False)
    return parser


def _times(model, text):
    """The survival times asked for (None when not asked)."""
    if text is None:
        return None
    if model.family.name != "cox":
        raise UsageError(
            f"--times is for survival models (family cox), not {model.family.name}"
        )
    try:
        times = [float(t) for t in split_names(text)]
    except ValueError:
        raise UsageError(
            f"--times must be numbers separated by commas, got {text!r}"
        ) from None
    if not times or not all(math.isfinite(t) and t >= 0 for t in times):
        raise UsageError(f"--times must be finite times >= 0, got {text!r}")
    return times


def _strata(model, frame, kept, times):
    """The stratum label of each predicted row of a stratified Cox model."""
    column = (model.document.get("survival") or {}).get("strata")
    if not times or not column or column not in frame.columns:
        return None
    return frame[column].astype(str).to_numpy()[kept]


def predictions(model, frame, drop_missing=False, alpha=None, times=None):
    """The prediction table (a data frame) of ``model`` on ``frame``."""
    import pandas as pd

    X, offset, kept = design_for_predict(
        frame, model.features, model.encoding, model.offset_column, drop_missing
    )
    values = model.predict(
        X.to_numpy(dtype=float),
        offset,
        alpha=alpha,
        times=times,
        strata=_strata(model, frame, kept, times),
    )
    if "prediction" in values and values["prediction"].dtype == object:
        # Class labels are text from the data: no formulas in a spreadsheet.
        values["prediction"] = [spreadsheet_safe(v) for v in values["prediction"]]
    values = {spreadsheet_safe(k): v for k, v in values.items()}
    columns = {"row": kept + 1, **values}
    return pd.DataFrame(columns)


def run(args):
    model = load_model(args.model)
    if args.alpha is not None and not (math.isfinite(args.alpha) and args.alpha > 0):
        raise UsageError(f"--alpha must be a finite number > 0, got {args.alpha}")
    if args.times is not None and args.alpha is not None:
        raise UsageError(
            "--times needs the fitted alpha (the baseline hazard is the fit's); "
            "leave out --alpha, or refit at that alpha"
        )
    if args.out and Path(args.out).exists() and not args.force:
        raise UsageError(f"{args.out} exists; pass --force to overwrite it")
    table = predictions(
        model,
        read_table(args.data, args.decimal, lambda text: note(args, text)),
        args.drop_missing,
        args.alpha,
        _times(model, args.times),
    )
    if args.out:
        table.to_csv(args.out, index=False)
        note(args, f"wrote {len(table)} predictions to {args.out}")
    else:
        table.to_csv(sys.stdout, index=False)
    return 0
