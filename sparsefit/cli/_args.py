"""Command-line options shared by the sub-commands."""

from ._families import FAMILIES
from ._survival import add_survival_arguments

__all__ = [
    "MAX_ALPHAS",
    "add_data_arguments",
    "add_output_arguments",
    "add_model_arguments",
]

#: The longest path the command fits: each point is a certified fit, and a
#: longer grid only adds time and memory (a request for 10^8 points would
#: grow without bound).
MAX_ALPHAS = 10_000


def add_data_arguments(parser):
    """DATA, --target and how the table's columns become features."""
    parser.add_argument("data", metavar="DATA", help="CSV, TSV or Parquet file")
    parser.add_argument(
        "--target",
        metavar="COL",
        help="the column to predict (required, except for family cox, which "
        "reads --time and --event) (default: none)",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--features",
        metavar="COLS",
        help="comma-separated feature columns (default: every column but the "
        "target, --offset and --train-column)",
    )
    which.add_argument(
        "--exclude",
        metavar="COLS",
        help="comma-separated columns to leave out (default: none)",
    )
    parser.add_argument(
        "--decimal",
        default=".",
        choices=(".", ","),
        metavar="MARK",
        help="the decimal mark of numbers in a text file: '.' or ','",
    )
    parser.add_argument(
        "--one-hot",
        action="store_true",
        help="encode non-numeric columns as column=level indicators",
    )
    parser.add_argument(
        "--drop-missing",
        action="store_true",
        help="drop rows with missing, empty or infinite values",
    )
    parser.add_argument(
        "--offset",
        metavar="COL",
        help="offset column: log exposure for the poisson family, a known "
        "log relative risk for cox (default: none)",
    )
    add_survival_arguments(parser)


def add_model_arguments(parser):
    """Family, penalty mix, standardisation, grid."""
    # None stands for gaussian, so that a 0/1 target fitted without a
    # --family can be pointed at binomial.
    parser.add_argument(
        "--family",
        choices=list(FAMILIES),
        default=None,
        help="model family (default: gaussian)",
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
        "--penalty-factor",
        metavar="FILE",
        help="CSV with columns feature,factor (0 leaves a feature unpenalised; "
        "default: 1 for every feature)",
    )
    parser.add_argument(
        "--n-alphas",
        type=int,
        default=100,
        metavar="N",
        help=f"points on the path, 2 to {MAX_ALPHAS}",
    )
    parser.add_argument(
        "--eps",
        type=float,
        default=None,
        metavar="E",
        help=(
            "smallest alpha of the path as a fraction of alpha_max, in (0, 1) "
            "(glmnet's lambda.min.ratio) (default: 1e-4 if rows > features, "
            "else 1e-2)"
        ),
    )
    parser.add_argument(
        "--tol",
        type=float,
        default=1e-4,
        help="relative duality gap each fit must reach at its returned point",
    )
    parser.add_argument(
        "--delta",
        type=float,
        metavar="D",
        help=(
            "family huber: where the loss turns from quadratic to linear, in the "
            "target's units (default: 1.35)"
        ),
    )


def add_output_arguments(parser, default_suffix):
    parser.add_argument(
        "--out",
        metavar="DIR",
        help=f"output folder (default: the data file's name + '{default_suffix}')",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace earlier results in --out: only the files sparsefit wrote "
        "there (listed in its sparsefit-manifest.json), never any other",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress, no summary")
    parser.add_argument(
        "--json", action="store_true", help="machine-readable summary on stdout"
    )
