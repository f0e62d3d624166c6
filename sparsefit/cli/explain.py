"""``sparsefit explain``: why each coefficient of a saved model is what it is.

Reads the explanation stored in ``model.json`` at fit time: for each feature
the data's pull on its KKT condition against the penalty, its status and
the alpha at which it enters the path.
"""

import json
import math
import sys

from ._data import closest
from ._errors import UsageError
from ._model import load_model

__all__ = ["add_parser", "run", "describe"]


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "explain",
        help="why each feature was kept or dropped",
        description="Explain a saved model feature by feature.",
    )
    parser.add_argument("model", metavar="MODEL", help="model.json or its folder")
    parser.add_argument(
        "--feature",
        metavar="NAME",
        help="explain one feature (default: the kept ones, then --top dropped)",
    )
    parser.add_argument(
        "--top",
        type=int,
        default=10,
        metavar="N",
        help="dropped features shown, nearest to entering first",
    )
    parser.add_argument("--json", action="store_true", help="rows as JSON")
    parser.set_defaults(run=run, quiet=False)
    return parser


def _rows(document):
    table = document.get("explanation") or {}
    if "feature" not in table:
        raise UsageError("the model file holds no explanation")
    names = list(table)
    return [
        dict(zip(names, values, strict=True))
        for values in zip(*table.values(), strict=True)
    ]


def _coefs(row):
    return {k: v for k, v in row.items() if k == "coef" or k.startswith("coef:")}


def _num(value, spec=".4g"):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format(value, spec) if isinstance(value, int | float) else str(value)


def describe(row, alpha):
    """A feature's story in a sentence."""
    coefs = _coefs(row)
    kept = any(v for v in coefs.values())
    values = ", ".join(f"{k} {_num(v)}" for k, v in coefs.items())
    pull, penalty = _num(row.get("pull")), _num(row.get("penalty"))
    if row.get("status") == "unpenalised":
        return f"{row['feature']}: {values}; unpenalised, so always in the model."
    if kept:
        return (
            f"{row['feature']}: kept ({values}); at alpha {_num(alpha)} the data's "
            f"pull {pull} meets the penalty {penalty} (KKT margin "
            f"{_num(row.get('kkt_margin'), '.2g')}); it enters the path at alpha "
            f"{_num(row.get('entry_alpha'))}."
        )
    if row.get("status") == "zero at the boundary":
        return (
            f"{row['feature']}: zero, at the boundary; the data's pull {pull} is "
            f"within the fit's certified accuracy of the penalty {penalty}: it is "
            f"on the edge of entering (entry alpha with the rest of the fit held "
            f"{_num(row.get('entry_alpha'))})."
        )
    return (
        f"{row['feature']}: dropped ({row.get('status', 'zero')}); the data's pull "
        f"{pull} is below the penalty {penalty} by {_num(row.get('kkt_margin'))}; "
        f"with the rest of the fit held it would enter below alpha "
        f"{_num(row.get('entry_alpha'))}."
    )


def run(args):
    model = load_model(args.model)
    document = model.document
    rows = _rows(document)
    alpha = (document.get("fit") or {}).get("alpha")
    if args.feature is not None:
        chosen = [r for r in rows if r["feature"] == args.feature]
        if not chosen:
            names = [r["feature"] for r in rows]
            raise UsageError(
                f"the model has no feature {args.feature!r}"
                f"{closest(args.feature, names)}"
            )
        rows = chosen
    else:
        if args.top < 0:
            raise UsageError(f"--top must be >= 0, got {args.top}")
        kept = [r for r in rows if any(_coefs(r).values())]
        rows = kept + [r for r in rows if not any(_coefs(r).values())][: args.top]
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
        return 0
    sys.stdout.write(f"alpha = {_num(alpha)}\n")
    for row in rows:
        sys.stdout.write(describe(row, alpha) + "\n")
    return 0
