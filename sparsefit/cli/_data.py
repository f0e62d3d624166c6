"""Reading a data file and turning its columns into a numeric design matrix.

Every check here names what is wrong (the column, the rows) so that the
command can stop with one line instead of a traceback deep in a solver.
"""

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._errors import UsageError
from ._survival import check_survival_options, survival_columns, survival_target_of

__all__ = [
    "Prepared",
    "read_table",
    "prepare",
    "design_for_predict",
    "closest",
    "zero_one_note",
]

_READERS = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".txt": None}
_PARQUET = (".parquet", ".pq")
_COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")
#: How many rows or columns an error message lists before "and N more".
_SHOW = 8
#: Separators tried when a file read with its usual one gives one column.
_OTHER_SEPARATORS = (";", "\t", "|")
#: A number written with a decimal comma: 1,5 or -0,25 or 3,1e-4.
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d*,\d+(?:[eE][+-]?\d+)?\s*$")


def _pandas():
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is in the cli extra
        raise UsageError(
            "the sparsefit command needs pandas: pip install 'sparsefit[cli]'"
        ) from None
    return pd


def _listing(items, show=_SHOW):
    items = [str(i) for i in items]
    head = ", ".join(items[:show])
    return head + (f" and {len(items) - show} more" if len(items) > show else "")


def closest(name, choices):
    """'; did you mean ...?' with the closest names, or an empty string."""
    choices = [str(c) for c in choices]
    lower = {c.lower(): c for c in choices}
    near = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    near += [lower[m] for m in difflib.get_close_matches(name.lower(), list(lower))]
    near = list(dict.fromkeys(near))[:3]
    return f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""


def _format_of(path):
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSED:
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _other_separator(frame):
    """The separator of a file read as one column whose header holds one."""
    if frame.shape[1] != 1:
        return None
    header = str(frame.columns[0])
    for sep in _OTHER_SEPARATORS:
        if sep in header:
            return sep
    return None


def _stderr_note(message):
    sys.stderr.write(message + "\n")


def zero_one_note(args, y):
    """A note when a 0/1 target is fitted as Gaussian for want of --family."""
    if getattr(args, "family", None) is not None:
        return None
    if set(np.unique(np.asarray(y, dtype=float))) == {0.0, 1.0}:
        return (
            f"sparsefit: note: the target {args.target!r} holds only 0 and 1 and "
            "is fitted by least squares (family gaussian, the default); pass "
            "--family binomial for a logistic model"
        )
    return None


def _check_header(path, names):
    """Duplicate names in the header: an error naming them."""
    seen, twice = set(), []
    for name in names:
        if name is None:
            continue
        if name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    if twice:
        where = {n: [str(k + 1) for k, m in enumerate(names) if m == n] for n in twice}
        shown = "; ".join(f"{n!r} (columns {', '.join(where[n])})" for n in twice)
        raise UsageError(
            f"{path} has duplicate column names: {shown}; every column needs "
            "its own name"
        )


def _read_text(pd, path, sep, decimal):
    """A text table and its header as written (pandas renames duplicates)."""
    engine = "python" if sep is None else "c"
    frame = pd.read_csv(path, sep=sep, engine=engine, decimal=decimal)
    header = pd.read_csv(path, sep=sep, engine=engine, header=None, nrows=1)
    # An empty header cell (an unnamed index column) has no name to repeat.
    names = [None if pd.isna(v) else str(v) for v in header.iloc[0]]
    return frame, names if len(header) else []


def read_table(path, decimal=".", notes=None):
    """Read a CSV, TSV or Parquet file into a data frame with string column names.

    The format follows the suffix: ``.csv``, ``.tsv``/``.tab``, ``.txt``
    (delimiter sniffed), ``.parquet``/``.pq``; text files may be compressed
    (``.gz``, ``.bz2``, ``.xz``, ``.zip``, ``.zst``).  A ``.csv`` file that
    reads as one column whose name holds ``;``, a tab or ``|`` is read again
    with that separator (a note on stderr says so).  ``decimal`` is the
    decimal mark of text files.  Duplicate column names are an error.
    ``notes`` receives each note (default: written to stderr).
    """
    pd = _pandas()
    path = Path(path)
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a data file")
    kind = _format_of(path)
    if kind not in _READERS and kind not in _PARQUET:
        raise UsageError(
            f"cannot read {path}: unknown format {kind or '(no suffix)'!r}; "
            "use .csv, .tsv or .parquet"
        )
    try:
        if kind in _PARQUET:
            frame = pd.read_parquet(path)
            header = [str(c) for c in frame.columns]
        else:
            sep = _READERS[kind]
            frame, header = _read_text(pd, path, sep, decimal)
            other = _other_separator(frame)
            if other is not None:
                frame, header = _read_text(pd, path, other, decimal)
                (notes or _stderr_note)(
                    f"sparsefit: note: reading {path} with {other!r} as the "
                    "column separator (its header holds no commas)"
                )
    except ImportError as exc:
        raise UsageError(
            f"cannot read {path}: {exc}; pip install 'sparsefit[cli]'"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any parser failure is the file's
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise UsageError(
            f"cannot read {path} as {kind.lstrip('.').upper()}: "
            f"{type(exc).__name__}: {first}"
        ) from None
    _check_header(path, header)
    frame.columns = [str(c) for c in frame.columns]
    return frame


@dataclass
class Prepared:
    """The numeric problem built from a table.

    Attributes
    ----------
    X : DataFrame of float64, one column per design feature
    y : ndarray of shape (n_samples,)
    target : str
    features : list of str
        The table's columns used as features, before encoding.
    encoding : dict
        ``{column: [levels]}`` for the one-hot encoded columns.
    offset : ndarray or None
    train : ndarray of bool or None
        Rows used for fitting; the others are held out for test metrics.
    n_read : int
        Rows in the file.
    dropped : list of int
        Row numbers (from 1, after the header) dropped for missing values.
    """

    X: object
    y: np.ndarray
    target: str
    features: list
    encoding: dict = field(default_factory=dict)
    offset: np.ndarray = None
    train: np.ndarray = None
    n_read: int = 0
    dropped: list = field(default_factory=list)


def _require(name, columns, what):
    if name not in columns:
        raise UsageError(
            f"{what} {name!r} is not in the data{closest(name, columns)} "
            f"(columns: {_listing(columns)})"
        )


def split_names(text):
    """Names from a comma-separated option value."""
    names = [n.strip() for n in str(text).split(",")]
    return [n for n in names if n]


def _feature_columns(frame, target, features, exclude, reserved):
    columns = list(frame.columns)
    if features is not None:
        chosen = split_names(features)
        for name in chosen:
            _require(name, columns, "feature column")
        if target in chosen:
            raise UsageError(f"the target {target!r} cannot also be a feature")
    else:
        dropped = split_names(exclude) if exclude is not None else []
        for name in dropped:
            _require(name, columns, "excluded column")
        skip = {target, *reserved, *dropped}
        chosen = [c for c in columns if c not in skip]
    if not chosen:
        raise UsageError("no feature columns are left to fit on")
    return chosen


def _numeric_dtype(dtype):
    types = _pandas().api.types
    return types.is_numeric_dtype(dtype) or types.is_bool_dtype(dtype)


def _is_numeric(series):
    return _numeric_dtype(series.dtype)


def decimal_comma_columns(frame, columns):
    """The text columns whose every value is a number with a decimal comma."""
    found = []
    for c in columns:
        if _is_numeric(frame[c]):
            continue
        values = frame[c].dropna().astype(str)
        if len(values) and values.str.match(_DECIMAL_COMMA).all():
            found.append(c)
    return found


def _refuse_decimal_commas(columns, frame):
    commas = decimal_comma_columns(frame, columns)
    if commas:
        example = str(frame[commas[0]].dropna().iloc[0]).strip()
        raise UsageError(
            f"column(s) {_listing(commas)} hold numbers written with a decimal "
            f"comma (such as {example!r}); pass --decimal , to read them as "
            "numbers"
        )


def _check_numeric(frame, columns, one_hot):
    bad = [
        c
        for c, t in zip(columns, frame[columns].dtypes, strict=True)
        if not _numeric_dtype(t)
    ]
    # Before --one-hot: numbers with a decimal comma are not categories.
    _refuse_decimal_commas(bad, frame)
    if bad and not one_hot:
        raise UsageError(
            f"non-numeric feature column(s): {_listing(bad)}; pass --one-hot to "
            "encode them, or leave them out with --exclude"
        )
    return bad


def _bad_cells(frame, columns):
    """Boolean array (rows, columns): missing, empty or infinite cells."""
    sub = frame[columns]
    bad = sub.isna().to_numpy().copy()  # pandas may hand out a read-only view
    numeric = np.array([_numeric_dtype(t) for t in sub.dtypes], dtype=bool)
    if numeric.any():
        values = sub.iloc[:, numeric].to_numpy(dtype=float, na_value=np.nan)
        bad[:, numeric] |= ~np.isfinite(values)
    for j in np.flatnonzero(~numeric):
        text = sub.iloc[:, j].astype(str).str.strip()
        bad[:, j] |= (text == "").to_numpy()
    return bad


def _check_missing(frame, columns, drop_missing, positions):
    """Drop (or refuse) the rows with missing values; return kept frame, dropped."""
    bad = _bad_cells(frame, columns)
    rows = bad.any(axis=1)
    if not rows.any():
        return frame, positions, []
    numbers = [int(p) + 1 for p in positions[rows]]
    cols = [c for c, hit in zip(columns, bad.any(axis=0), strict=True) if hit]
    if not drop_missing:
        raise UsageError(
            f"missing, empty or infinite values in {len(numbers)} row(s) "
            f"{_listing(numbers)} (numbered from 1 after the header), in column(s) "
            f"{_listing(cols)}; pass --drop-missing to drop those rows"
        )
    return frame[~rows], positions[~rows], numbers


def _check_rows(n, what):
    if n < 2:
        raise UsageError(f"{what} {n} row(s); at least two are needed to fit")


def _target(frame, target, family):
    column = frame[target]
    if family.classifier:
        labels = column.to_numpy()
        classes = np.unique(labels.astype(str))
        if classes.size < 2:
            raise UsageError(
                f"the target {target!r} is constant (every row is {classes[0]}); "
                "nothing to fit"
            )
        if family.n_classes == 2 and classes.size != 2:
            raise UsageError(
                f"family {family.name} needs two classes in {target!r}, found "
                f"{classes.size}: {_listing(classes)}; use --family multinomial"
            )
        return labels
    if not _is_numeric(column):
        _refuse_decimal_commas([target], frame)
        raise UsageError(
            f"the target {target!r} is not numeric (family {family.name} needs numbers)"
        )
    y = column.to_numpy(dtype=float)
    if np.ptp(y) == 0:
        raise UsageError(
            f"the target {target!r} is constant (every row is {y[0]:g}); nothing to fit"
        )
    if family.nonnegative and (y < 0).any():
        rows = np.flatnonzero(y < 0)[:_SHOW] + 1
        raise UsageError(
            f"family {family.name} needs a non-negative target; {target!r} is "
            f"negative in row(s) {_listing(rows)}"
        )
    return y


def _train_mask(frame, column):
    series = frame[column]
    values = series.astype(str).str.strip().str.lower()
    truth = {"true": True, "1": True, "1.0": True, "false": False, "0": False}
    truth["0.0"] = False
    unknown = sorted(set(values) - set(truth))
    if unknown:
        raise UsageError(
            f"the train column {column!r} must hold true/false or 1/0, found "
            f"{_listing(unknown)}"
        )
    mask = values.map(truth).to_numpy(dtype=bool)
    if mask.sum() < 2 or (~mask).sum() < 1:
        raise UsageError(
            f"the train column {column!r} marks {int(mask.sum())} training and "
            f"{int((~mask).sum())} test rows; at least two and one are needed"
        )
    return mask


def one_hot(frame, columns, encoding):
    """Numeric design: encoded columns become ``column=level`` indicators.

    ``encoding`` gives the levels of each encoded column; a level it does not
    list is an error naming the column, the value and the row.
    """
    if not any(c in encoding for c in columns):
        return frame[columns].astype(float)
    pd = _pandas()
    parts = {}
    for c in columns:
        if c not in encoding:
            parts[c] = frame[c].to_numpy(dtype=float)
            continue
        values = frame[c].astype(str).to_numpy()
        levels = encoding[c]
        unseen = ~np.isin(values, levels)
        if unseen.any():
            k = int(np.flatnonzero(unseen)[0])
            raise UsageError(
                f"column {c!r} holds {values[k]!r} (row {k + 1}), a value the "
                f"model did not see in training (levels: {_listing(levels)})"
            )
        for level in levels:
            parts[f"{c}={level}"] = (values == level).astype(float)
    return pd.DataFrame(parts, index=frame.index)


def prepare(frame, target, family, options):
    """Check the table and build the numeric problem.

    ``options`` carries ``features``, ``exclude``, ``one_hot``,
    ``drop_missing``, ``offset``, ``train_column`` and, for family cox,
    ``time``, ``event``, ``start`` and ``strata`` (None when unused); the
    target of family cox is the survival target of those columns.
    """
    n_read = len(frame)
    _check_rows(n_read, "the data has")
    check_survival_options(options, family)
    target = options.target if family.name == "cox" else target
    columns = list(frame.columns)
    what = "--time column" if family.name == "cox" else "target column"
    _require(target, columns, what)
    survival = survival_columns(options)
    reserved = [c for c in (options.offset, options.train_column) if c]
    reserved += [c for c in survival if c != target]
    named = [(options.offset, "offset"), (options.train_column, "train")]
    named += [(getattr(options, n, None), f"--{n}") for n in ("event", "start")]
    named += [(getattr(options, "strata", None), "--strata")]
    for name, what in named:
        if name:
            _require(name, columns, f"{what} column")
    features = _feature_columns(
        frame, target, options.features, options.exclude, reserved
    )
    categorical = _check_numeric(frame, features, options.one_hot)
    frame, _, dropped = _check_missing(
        frame,
        [target, *features, *reserved],
        options.drop_missing,
        np.arange(n_read),
    )
    _check_rows(len(frame), f"after dropping {len(dropped)} row(s) the data has")
    if family.name == "cox":
        y = survival_target_of(frame, options)
    else:
        y = _target(frame, target, family)
    encoding = {c: sorted(set(frame[c].astype(str))) for c in categorical}
    offset = None
    if options.offset:
        if not _is_numeric(frame[options.offset]):
            raise UsageError(f"the offset column {options.offset!r} is not numeric")
        offset = frame[options.offset].to_numpy(dtype=float)
    train = _train_mask(frame, options.train_column) if options.train_column else None
    return Prepared(
        X=one_hot(frame, features, encoding),
        y=y,
        target=target,
        features=features,
        encoding=encoding,
        offset=offset,
        train=train,
        n_read=n_read,
        dropped=dropped,
    )


def design_for_predict(frame, features, encoding, offset, drop_missing):
    """The design matrix (and offset) of new data for a saved model.

    Returns
    -------
    X : DataFrame
    offset : ndarray or None
    kept : ndarray of int
        Positions of the rows predicted (all of them unless dropped).
    """
    if len(frame) == 0:
        raise UsageError("the data has no rows to predict")
    columns = list(frame.columns)
    needed = list(features) + ([offset] if offset else [])
    for name in needed:
        _require(name, columns, "the model's column")
    plain = [c for c in features if c not in encoding]
    bad = [c for c in plain if not _is_numeric(frame[c])]
    _refuse_decimal_commas(bad, frame)
    if bad:
        raise UsageError(f"column(s) {_listing(bad)} must be numeric, as in training")
    frame, kept, _ = _check_missing(frame, needed, drop_missing, np.arange(len(frame)))
    if len(frame) == 0:
        raise UsageError("no rows are left to predict after dropping missing values")
    X = one_hot(frame, features, encoding)
    off = frame[offset].to_numpy(dtype=float) if offset else None
    return X, off, kept
