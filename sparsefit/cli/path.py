"""``sparsefit path``: the regularisation path alone (path.csv, path.png)."""

import time
from pathlib import Path

import numpy as np

from ._args import add_data_arguments, add_model_arguments, add_output_arguments
from ._data import prepare, read_table
from ._families import get_family
from ._model import json_safe
from ._output import check_out_dir, emit_summary, note, result_folder
from ._paths import alpha_max, from_path_result, grid_path, path_frame
from ._survival import cox_path

__all__ = ["add_parser", "run"]

_FILES = ("path.csv", "path.png")


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "path",
        help="the regularisation path only",
        description="Fit the path of DATA and write path.csv and path.png.",
    )
    add_data_arguments(parser)
    add_model_arguments(parser)
    add_output_arguments(parser, "-path")
    parser.set_defaults(run=run, train_column=None)
    return parser


def compute(args, family, prep, progress):
    """The path of the prepared data, as a PathTable."""
    import sparsefit

    from .fit import check_options, penalty_factors

    args.alpha, args.cv = None, None
    check_options(args, family)
    factors = penalty_factors(args.penalty_factor, prep)
    X, y = prep.X, prep.y
    if family.name == "gaussian":
        path = sparsefit.enet_path(
            X,
            y,
            l1_ratio=args.l1_ratio,
            n_alphas=args.n_alphas,
            eps=args.eps,
            penalty_factor=factors,
            standardize=args.standardize,
            tol=args.tol,
            progress=progress,
        )
        return from_path_result(path, list(X.columns), [args.target])
    params = {
        "l1_ratio": args.l1_ratio,
        "standardize": args.standardize,
        "penalty_factor": factors,
        "tol": args.tol,
    }
    if family.name == "cox":
        path = cox_path(
            X,
            y,
            params,
            prep.offset,
            n_alphas=args.n_alphas,
            eps=args.eps,
            progress=progress,
        )
        return from_path_result(path, list(X.columns), [args.target])
    top = alpha_max(X, y, family, args.l1_ratio, args.standardize, factors, prep.offset)
    eps = args.eps or (1e-2 if X.shape[1] > X.shape[0] else 1e-4)
    if args.delta is not None:
        params["delta"] = args.delta
    grid = np.geomspace(top, top * eps, args.n_alphas)
    return grid_path(family, X, y, grid, params, prep.offset, progress)


def run(args):
    from ._figures import path_png

    start = time.perf_counter()
    family = get_family(args.family or "gaussian")
    out = Path(args.out) if args.out else Path(f"{Path(args.data).stem}-path")
    check_out_dir(out, args.force, _FILES)
    prep = prepare(
        read_table(args.data, args.decimal, lambda text: note(args, text)),
        args.target,
        family,
        args,
    )
    progress = False if (args.quiet or args.json) else None
    table = compute(args, family, prep, progress)
    with result_folder(out, "path") as folder:
        path_frame(table).to_csv(folder.staging / "path.csv", index=False)
        png = path_png(table, title="regularisation path")
        (folder.staging / "path.png").write_bytes(png)
        written = folder.commit()
    entry = table.entry_alphas()
    order = [j for j in np.argsort(-np.nan_to_num(entry, nan=-1.0)) if entry[j] > 0]
    entries = [
        {"feature": table.feature_names[j], "entry_alpha": float(entry[j])}
        for j in order
    ]
    summary = json_safe(
        {
            "command": "path",
            "family": family.name,
            "n_alphas": len(table.alphas),
            "alpha_max": float(table.alphas[0]),
            "alpha_min": float(table.alphas[-1]),
            "max_dual_gap": float(np.nanmax(table.dual_gaps))
            if np.isfinite(table.dual_gaps).any()
            else None,
            "entries": entries,
            "out": str(out),
            "files": written,
            "seconds": round(time.perf_counter() - start, 3),
        }
    )
    lines = [
        f"sparsefit path: {len(table.alphas)} alphas from {table.alphas[0]:.4g} to "
        f"{table.alphas[-1]:.4g}; {len(entries)} features enter, in this order:"
    ]
    lines += [
        f"  {e['feature']:>20} at alpha {e['entry_alpha']:.4g}" for e in entries[:15]
    ]
    if len(entries) > 15:
        lines.append(f"  ... and {len(entries) - 15} more")
    lines.append(f"  results in {out}/")
    emit_summary(args, summary, "\n".join(lines))
    return 0
