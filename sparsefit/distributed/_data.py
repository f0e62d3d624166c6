"""Data left in place: Dask arrays, Dask data frames and Parquet directories
as lists of lazy row blocks, each of which a worker reads on its own.

A block is ``(X, y, sample_weight, foldid)`` as NumPy arrays (the last two
may be None), built on the worker from a chunk of a Dask array or a
partition of a data frame; nothing is collected to the client.
"""

import os
from dataclasses import dataclass

import numpy as np

__all__ = ["Blocks", "as_blocks"]


@dataclass
class Blocks:
    """Lazy row blocks of one data set.

    Parameters
    ----------
    parts : list
        Each a Delayed that computes to ``(X, y, sample_weight, foldid)``,
        or that tuple of Delayed (and None) itself: a task given it then
        depends on the chunks directly and runs where ``X``'s chunk is.
    n_features : int
    feature_names : list of str or None
    """

    parts: list
    n_features: int
    feature_names: list = None


def as_blocks(X, y, sample_weight=None, foldid=None, columns=None):
    """Row blocks of ``X`` (Dask array, Dask data frame or Parquet path).

    With a data frame or a Parquet directory, ``y``, ``sample_weight`` and
    ``foldid`` are column names or Dask series of the same partitions, and
    ``columns`` the features (default: every other column).  With a Dask
    array they are Dask arrays with ``X``'s row chunks (or NumPy arrays,
    split along them).
    """
    if isinstance(X, (str, os.PathLike)):
        X = _read_parquet(X)
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(X, dd.DataFrame):
        return _frame_blocks(X, y, sample_weight, foldid, columns)
    if isinstance(X, da.Array):
        return _array_blocks(X, y, sample_weight, foldid)
    raise ValueError(
        "X must be a dask.array, a dask.dataframe or a Parquet directory; "
        f"got {type(X).__name__}."
    )


def _read_parquet(path):
    import dask.dataframe as dd

    if not os.path.exists(path):
        raise ValueError(f"X: no Parquet file or directory at {str(path)!r}.")
    return dd.read_parquet(path)


# -- data frames ---------------------------------------------------------------
def _frame_blocks(frame, y, sample_weight, foldid, columns):
    named = {"y": y, "sample_weight": sample_weight, "foldid": foldid}
    for arg, value in named.items():
        if isinstance(value, str) and value not in frame.columns:
            raise ValueError(
                f"{arg}: no column {value!r} in the data (columns: "
                f"{list(frame.columns)})."
            )
    if y is None:
        raise ValueError("y is required: a column name or a Dask series.")
    used = {v for v in named.values() if isinstance(v, str)}
    if columns is None:
        columns = [c for c in frame.columns if c not in used]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"columns: {missing} are not in the data.")
    for c in columns:
        if not np.issubdtype(frame.dtypes[c], np.number):
            raise ValueError(
                f"X: column {c!r} is not numeric (dtype {frame.dtypes[c]})."
            )
    if not columns:
        raise ValueError("X: no feature column left besides the target.")
    from dask import delayed

    parts = frame.to_delayed()
    extra = {arg: _series_parts(v, arg, len(parts)) for arg, v in named.items()}
    blocks = [
        delayed(_frame_block)(
            part,
            list(columns),
            *(
                named[arg] if isinstance(named[arg], str) else extra[arg][i]
                for arg in ("y", "sample_weight", "foldid")
            ),
        )
        for i, part in enumerate(parts)
    ]
    return Blocks(blocks, len(columns), [str(c) for c in columns])


def _series_parts(value, arg, n_parts):
    """The partitions of a Dask series given for ``arg`` (None for a name)."""
    if value is None or isinstance(value, str):
        return [None] * n_parts
    if not hasattr(value, "to_delayed"):
        raise ValueError(
            f"{arg}: with a data frame, give a column name or a Dask series; "
            f"got {type(value).__name__}."
        )
    parts = value.to_delayed()
    parts = list(np.ravel(parts)) if not isinstance(parts, list) else parts
    if len(parts) != n_parts:
        raise ValueError(
            f"{arg} has {len(parts)} partitions and X {n_parts}: they must match."
        )
    return parts


def _frame_block(frame, columns, y, sample_weight, foldid):
    def pick(value):
        if value is None:
            return None
        return np.asarray(frame[value] if isinstance(value, str) else value)

    X = frame[columns].to_numpy(dtype=float)
    return X, pick(y), pick(sample_weight), pick(foldid)


# -- arrays ------------------------------------------------------------------------
def _array_blocks(X, y, sample_weight, foldid):

    if X.ndim != 2:
        raise ValueError(f"X must be 2-D; got {X.ndim} dimension(s).")
    if len(X.chunks[1]) != 1:
        raise ValueError(
            f"X is chunked along its columns ({len(X.chunks[1])} column chunks): "
            "the blocks must hold whole rows; use X.rechunk({1: -1})."
        )
    if y is None:
        raise ValueError("y is required.")
    rows = X.chunks[0]
    others = {
        arg: _vector_parts(v, arg, rows)
        for arg, v in (("y", y), ("sample_weight", sample_weight), ("foldid", foldid))
    }
    xs = X.to_delayed().ravel()
    # Plain tuples: a task built on a delayed(tuple) of the chunks ran where
    # the scheduler put the tuple, which was one worker for 26 of 30 tasks
    # on 2 workers holding 5 chunks each.
    blocks = [
        (xs[i], others["y"][i], others["sample_weight"][i], others["foldid"][i])
        for i in range(len(xs))
    ]
    return Blocks(blocks, X.shape[1])


def _vector_parts(v, arg, rows):
    """``v`` split along the row chunks ``rows`` (None: one None per block)."""
    import dask.array as da

    if v is None:
        return [None] * len(rows)
    if isinstance(v, da.Array):
        if v.ndim != 1:
            raise ValueError(f"{arg} must be 1-D; got {v.ndim} dimension(s).")
        if v.chunks[0] != rows:
            raise ValueError(
                f"{arg}'s row chunks {v.chunks[0]} do not match X's {rows}: "
                f"rechunk {arg} to X.chunks[0]."
            )
        return list(v.to_delayed().ravel())
    v = np.asarray(v)
    if v.ndim != 1 or v.shape[0] != sum(rows):
        raise ValueError(f"{arg} must have shape ({sum(rows)},); got {v.shape}.")
    edges = np.cumsum((0,) + tuple(rows))
    return [v[a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]
