"""Argument checks shared by estimators, solvers and certificates.

Every check raises ``ValueError`` naming the argument and the value received,
so that a user's mistake never surfaces as a NaN or a traceback deep inside a
solver.
"""

import numbers
import os

import numpy as np
import scipy.sparse as sp

__all__ = [
    "check_positive_int",
    "check_scalar_range",
    "check_vector",
    "check_sample_weight",
    "check_bounds",
    "check_finite",
    "check_target_scale",
    "is_distributed",
]


def check_scalar_range(value, name, low=None, high=None, *, low_open=False):
    """Return ``float(value)`` after checking it is a finite real in range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and (value < low or (low_open and value == low)):
        op = ">" if low_open else ">="
        raise ValueError(f"{name} must be {op} {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
    return value


def check_positive_int(value, name):
    """Raise unless ``value`` is an integer >= 1 (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


def check_finite(array, name):
    """Raise if ``array`` (dense or sparse) holds NaN or infinity, naming where."""
    data = array.data if sp.issparse(array) else np.asarray(array)
    # The sum is finite when every entry is (one pass, no temporary); an
    # infinite sum may still be an overflow, so the entries decide then.
    with np.errstate(over="ignore", invalid="ignore"):
        total = data.sum() if data.size else 0.0
    if not np.isfinite(total) and not np.isfinite(data).all():
        bad = ~np.isfinite(data)
        if sp.issparse(array):
            coo = array.tocoo()
            k = int(np.flatnonzero(~np.isfinite(coo.data))[0])
            where = f"row {coo.row[k]}, column {coo.col[k]}"
        else:
            index = np.unravel_index(int(np.flatnonzero(bad.ravel())[0]), data.shape)
            where = (
                f"row {index[0]}, column {index[1]}"
                if data.ndim == 2
                else f"position {index[0]}"
            )
        kind = "NaN" if np.isnan(data[bad]).any() else "infinity"
        raise ValueError(
            f"{name} contains {kind} ({int(bad.sum())} value(s)); first at {where}."
        )


def check_vector(value, name, n, dtype, *, default=None, nonnegative=False):
    """Broadcast a scalar or length-``n`` array to a float vector of length ``n``."""
    if value is None:
        return None if default is None else np.full(n, default, dtype=dtype)
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        array = np.full(n, float(array))
    if array.ndim != 1 or array.shape[0] != n:
        raise ValueError(
            f"{name} must be a scalar or have length {n} (one per feature), "
            f"got shape {array.shape}."
        )
    if np.isnan(array).any():
        raise ValueError(
            f"{name} contains NaN at position "
            f"{int(np.flatnonzero(np.isnan(array))[0])}."
        )
    if nonnegative and (array < 0).any():
        j = int(np.flatnonzero(array < 0)[0])
        raise ValueError(f"{name} must be >= 0; got {array[j]} at position {j}.")
    return array.astype(dtype, copy=False)


def check_sample_weight(sample_weight, n_samples, dtype):
    """Return sample weights rescaled to sum to ``n_samples``, or ``None``."""
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight, dtype=float)
    if sw.ndim == 0:
        sw = np.full(n_samples, float(sw))
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have length {n_samples} (one per sample), "
            f"got shape {sw.shape}."
        )
    check_finite(sw, "sample_weight")
    if (sw < 0).any():
        i = int(np.flatnonzero(sw < 0)[0])
        raise ValueError(f"sample_weight must be >= 0; got {sw[i]} at row {i}.")
    top = sw.max()
    if top <= 0:
        raise ValueError("sample_weight must have a positive sum, got all zeros.")
    # Divided by the largest first: the sum of huge weights would overflow.
    sw = sw / top
    return (sw * (n_samples / sw.sum())).astype(dtype)


def check_target_scale(y, sample_weight, dtype, name="y"):
    """Raise when the squares of the centred target leave ``dtype``'s range:
    a least-squares objective would then be infinite or zero."""
    y = np.asarray(y, dtype=float)
    centre = np.average(y, weights=sample_weight)
    top = float(np.abs(y - centre).max(initial=0.0))
    if top == 0.0:
        return
    info = np.finfo(dtype)
    with np.errstate(over="ignore", under="ignore"):
        square = float(np.asarray(top * top * y.shape[0], dtype=dtype))
    if np.isfinite(square) and top * top >= float(info.tiny) / float(info.eps):
        return
    what = "overflow" if not np.isfinite(square) else "underflow"
    raise ValueError(
        f"{name} varies by up to {top:.3g} about its mean, so the squares in the "
        f"least-squares objective {what} {np.dtype(dtype).name} (whose range is "
        f"{float(info.tiny):.3g} to {float(info.max):.3g}); rescale {name}."
    )


def check_bounds(lower, upper, positive, n_features, dtype):
    """Return ``(lower, upper)`` arrays, infinite where unbounded."""
    lo = check_vector(lower, "lower_bounds", n_features, dtype, default=-np.inf)
    hi = check_vector(upper, "upper_bounds", n_features, dtype, default=np.inf)
    if positive:
        lo = np.maximum(lo, 0.0)
    if (lo > hi).any():
        j = int(np.flatnonzero(lo > hi)[0])
        raise ValueError(
            f"lower_bounds must not exceed upper_bounds; at feature {j} the "
            f"lower bound is {lo[j]} and the upper bound is {hi[j]}"
            + (" (positive=True raises the lower bound to 0)." if positive else ".")
        )
    if np.isposinf(lo).any() or np.isneginf(hi).any():
        raise ValueError("lower_bounds cannot be +inf and upper_bounds cannot be -inf.")
    return lo, hi


def check_offset(offset, n_samples):
    """A finite GLM offset of length ``n_samples`` as floats, or None."""
    if offset is None:
        return None
    offset = np.asarray(offset, dtype=float).ravel()
    if offset.shape[0] != n_samples:
        raise ValueError(
            f"offset has {offset.shape[0]} rows but X has {n_samples} "
            "(mismatched lengths)."
        )
    check_finite(offset, "offset")
    return offset


def is_distributed(X):
    """Whether ``X`` is data for the Dask back end: a Dask collection, or
    the path of a Parquet file or directory (a string or path)."""
    if isinstance(X, (str, os.PathLike)):
        return True
    return type(X).__module__.startswith("dask")
