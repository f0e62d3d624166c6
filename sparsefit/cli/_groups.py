"""``sparsefit fit --groups FILE`` and ``--group-one-hot``: the group lasso.

A group file is a CSV with the columns ``feature,group``; features it does
not list form groups of their own.  ``--group-one-hot`` encodes the
non-numeric columns as indicators (as ``--one-hot``) and makes the levels
of each one group, so that a categorical variable enters or leaves whole.
"""

import dataclasses
import math

import numpy as np

from ._data import _listing, _pandas, closest
from ._errors import UsageError

__all__ = ["add_group_arguments", "group_family", "group_labels", "group_path"]

_CLASSES = {
    "gaussian": ("GroupLasso", "GroupLassoCV"),
    "binomial": ("GroupLogisticRegression", "GroupLogisticRegressionCV"),
}


def add_group_arguments(parser):
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--groups",
        metavar="FILE",
        help="CSV with columns feature,group: fit the group lasso, a group's "
        "coefficients zero together (features not listed: groups of their own; "
        "default: none)",
    )
    which.add_argument(
        "--group-one-hot",
        action="store_true",
        help="encode non-numeric columns as --one-hot does and fit the group "
        "lasso with the levels of each column as one group",
    )
    parser.add_argument(
        "--sparse-group",
        type=float,
        default=0.0,
        metavar="TAU",
        help="with --groups or --group-one-hot: the share of the l1 term in "
        "[0, 1) (0: the group lasso; above: the sparse-group lasso)",
    )


def _grouped(args):
    return bool(getattr(args, "groups", None) or getattr(args, "group_one_hot", False))


def group_family(args, family):
    """The family with the group-lasso classes, when groups are asked for."""
    if not _grouped(args):
        if getattr(args, "sparse_group", 0.0):
            raise UsageError("--sparse-group needs --groups or --group-one-hot")
        return family
    tau = args.sparse_group
    if not (math.isfinite(tau) and 0 <= tau < 1):
        raise UsageError(f"--sparse-group must lie in [0, 1), got {tau}")
    if args.l1_ratio != 1.0:
        raise UsageError(
            "--l1-ratio does not apply to the group lasso; --sparse-group sets "
            "its l1 share"
        )
    if family.name not in _CLASSES:
        raise UsageError(
            f"--groups and --group-one-hot fit families "
            f"{' and '.join(_CLASSES)}, not {family.name}"
        )
    if args.group_one_hot:
        args.one_hot = True
    single, cv = _CLASSES[family.name]
    return dataclasses.replace(family, single=single, cv=cv)


def group_labels(args, prepared):
    """One group label per column of the design, or None without groups."""
    if not _grouped(args):
        return None
    columns = list(prepared.X.columns)
    source = {}
    for feature in prepared.features:
        if feature in prepared.encoding:
            for level in prepared.encoding[feature]:
                source[f"{feature}={level}"] = feature
        else:
            source[feature] = feature
    if args.group_one_hot:
        return np.array([source[c] for c in columns], dtype=object)
    return _from_file(args.groups, columns, source)


def _from_file(path, columns, source):
    pd = _pandas()
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the group file {path}: {exc}") from None
    missing = [c for c in ("feature", "group") if c not in table.columns]
    if missing:
        raise UsageError(
            f"the group file {path} needs the columns feature,group; it lacks "
            f"{', '.join(missing)} (it has {_listing(list(table.columns))})"
        )
    labels = {c: f"\0{c}" for c in columns}  # unlisted: a group of its own
    seen = set()
    for row, (feature, group) in enumerate(
        zip(table["feature"], table["group"], strict=True)
    ):
        where = f"the group file {path}, row {row + 2}"
        if feature in seen:
            raise UsageError(f"{where}: feature {feature!r} is listed twice")
        seen.add(feature)
        if group == "":
            raise UsageError(f"{where}: feature {feature!r} has no group")
        if feature in labels:
            labels[feature] = group
            continue
        # A categorical column names all its indicators at once.
        members = [c for c, s in source.items() if s == feature and c != feature]
        if not members:
            hint = closest(feature, columns)
            raise UsageError(
                f"{where}: {feature!r} is not a feature of the model{hint}"
            )
        for c in members:
            labels[c] = group
    return np.array([labels[c] for c in columns], dtype=object)


def group_path(args, family, X, y, groups, factors, alpha):
    """The group-lasso path from alpha_max down past ``alpha`` (a PathResult)."""
    from .. import compute_path
    from ..datafits import Logistic
    from ..penalties import GroupPenalty

    penalty = GroupPenalty(1.0, groups, args.sparse_group, None, factors)
    datafit = Logistic() if family.name == "binomial" else None
    kwargs = dict(
        standardize=args.standardize, tol=args.tol, max_iter=100_000, progress=False
    )
    path = compute_path(
        X, y, datafit, penalty, n_alphas=args.n_alphas, eps=args.eps, **kwargs
    )
    if 0 < alpha < path.alphas[-1]:
        grid = np.geomspace(path.alphas[0], alpha, args.n_alphas)
        path = compute_path(X, y, datafit, penalty, alphas=grid, **kwargs)
    return path
