"""Command-line options shared by the sub-commands."""

from ._families import FAMILIES

__all__ = ["add_data_arguments", "add_output_arguments", "add_model_arguments"]


def add_data_arguments(parser):
    """DATA, --target and how the table's columns become features."""
    parser.add_argument("data", metavar="DATA", help="CSV, TSV or Parquet file")
    parser.add_argument(
        "--target", required=True, metavar="COL", help="the column to predict"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--features", metavar="COLS", help="comma-separated feature columns"
    )
    which.add_argument(
        "--exclude", metavar="COLS", help="comma-separated columns to leave out"
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
        help="offset column (log exposure) for the poisson family",
    )


def add_model_arguments(parser):
    """Family, penalty mix, standardisation, grid."""
    parser.add_argument(
        "--family", choices=list(FAMILIES), default="gaussian", help="model family"
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
        help="CSV with columns feature,factor (0 leaves a feature unpenalised)",
    )
    parser.add_argument(
        "--n-alphas", type=int, default=100, metavar="N", help="points on the path"
    )
    parser.add_argument(
        "--tol",
        type=float,
        default=1e-4,
        help="relative duality gap each fit must reach at its returned point",
    )


def add_output_arguments(parser, default_suffix):
    parser.add_argument(
        "--out",
        metavar="DIR",
        help=f"output folder (default: the data file's name + '{default_suffix}')",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite the results in the folder"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress, no summary")
    parser.add_argument(
        "--json", action="store_true", help="machine-readable summary on stdout"
    )
