"""The design matrix seen by the solvers: X with lazy centring and scaling.

The solvers work with the columns ``(X[:, j] - offset[j]) * scale[j]`` without
ever forming them: centring eliminates the unpenalised intercept (for the
quadratic datafit the optimal intercept is the weighted mean of ``y - Xw``)
and scaling implements glmnet-style standardisation.  Dense arrays are kept in
Fortran order (a Fortran array is used as is) and sparse ones in CSC format,
so neither is densified nor centred in memory; a CSC matrix with duplicate
entries is summed into a copy (the user's matrix is never changed).

Numerics: the moments are taken shifted by a value of the column and in units
of its magnitude, so that neither an offset (timestamps near 1.7e9) nor the
units (1e-300 or 1e300) cost digits or overflow; a column is constant when its
spread is at rounding level of its magnitude.  The few columns whose offset
exceeds their spread tenfold are held centred in the design's own copy
of X, where ``X'v - offset * sum(v)`` (and coordinate descent's residual
updates) would cancel the digits.
Columns whose size in the solver's units leaves the cube root of the dtype's
range are refused with a ``ValueError``.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit

__all__ = ["Design"]

# A column whose offset exceeds its spread this many times is held centred in
# the design's copy of X: ``X'v - offset * sum(v)`` and the kernels' residual
# updates lose log10 of the ratio in digits, and a GLM's Newton steps on such
# uncentred columns are ill-conditioned (a logistic path on columns at
# 100 +- 1 overflowed).
_HEAVY = 10.0


class Design:
    """Centred and scaled view of a dense or CSC matrix.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,) or None
        Weights summing to ``n_samples``; they define the weighted means and
        norms below.
    center : bool
        Subtract the weighted column means (used when an intercept is fitted).
    standardize : bool
        Scale each centred column to unit weighted variance (1/n convention,
        as glmnet); constant columns keep scale 1.
    scale : ndarray of shape (n_features,) or None
        Given column scales (they override ``standardize``), as when a GLM
        solver re-weights a design whose scaling is fixed by the data.
    reference_center : bool or None
        Whether the standardisation, the constant-column test and
        ``centred_sq_norms`` use centred columns; defaults to ``center``.  A
        GLM keeps its columns uncentred (``center=False``) but standardises
        and tests them as centred when it fits an intercept.

    Attributes
    ----------
    col_sq_norms : ndarray
        Weighted squared norms of the columns as the solvers see them.
    centred_sq_norms : ndarray
        The same with the columns centred as ``reference_center`` says.
    constant : ndarray of bool
        Columns whose (centred, per ``reference_center``) spread is at
        rounding level of their magnitude.
    magnitude : ndarray
        Weighted root mean square of each raw column.
    mean : ndarray
        The weighted column means (zeros without ``center``).  ``offset``,
        what the products and kernels subtract, is the same except for the
        columns whose offset exceeds their spread tenfold: the design
        holds those centred in its own copy of X (the user's is untouched),
        where ``X'v - offset * sum(v)`` would cancel the digits.  The
        intercept is ``y_mean - mean @ coef``.
    """

    def __init__(
        self,
        X,
        sample_weight=None,
        center=True,
        standardize=False,
        scale=None,
        reference_center=None,
    ):
        if sp.issparse(X):
            # Asked of the caller's CSC matrix, scipy keeps the answer on it:
            # a refit of the same X (a path, a grid of alphas) skips the pass.
            canonical = X.format == "csc" and X.has_canonical_format
            X = sp.csc_matrix(X)
            if not canonical and not X.has_canonical_format:
                # Duplicate entries add up in products but not in the squares
                # of the moments below: sum them, on a copy (never the user's).
                X = X.copy()
                X.sum_duplicates()
        else:
            X = column_major(X)
        self.X = X
        self.sparse = sp.issparse(X)
        self.n_samples, self.n_features = X.shape
        self.sample_weight = sample_weight
        self.dtype = X.dtype
        n = self.n_samples
        weights = np.empty(0) if sample_weight is None else sample_weight.astype(float)
        if self.sparse:
            mean, mag, spread = _csc_moments(X.data, X.indices, X.indptr, weights, n)
        else:
            first = int(np.argmax(weights > 0)) if weights.size else 0
            mean, mag, spread = _dense_moments(X, weights, first)
        if reference_center is None:
            reference_center = center
        self.offset = (mean if center else np.zeros_like(mean)).astype(self.dtype)
        # Every column is measured in units of its magnitude ``mag`` (its
        # weighted root mean square): ``spread`` is its standard deviation in
        # those units, computed without cancelling an offset.  A column is
        # constant when its spread is at rounding level, whatever its offset
        # and units.
        if reference_center:
            self.constant = spread <= 8 * np.finfo(float).eps
            spread[self.constant] = 0.0
            reference = spread
        else:
            self.constant = mag == 0
            reference = (~self.constant).astype(float)
        self.scale = np.ones(self.n_features, dtype=self.dtype)
        if scale is not None:
            self.scale = np.asarray(scale, dtype=self.dtype).copy()
        elif standardize:
            live = ~self.constant
            with np.errstate(over="ignore", divide="ignore"):
                self.scale[live] = 1.0 / (mag[live] * reference[live])
        # Squared norms formed as n (scale mag ratio)^2: tiny or huge units
        # neither under- nor overflow on the way when the result is in range.
        unit = self.scale.astype(float) * mag
        seen = reference if center else (mag > 0)
        with np.errstate(over="ignore", under="ignore"):
            self.centred_sq_norms = (n * (unit * reference) ** 2).astype(self.dtype)
            self.col_sq_norms = (n * (unit * seen) ** 2).astype(self.dtype)
        self.magnitude = mag
        _check_range(self, unit * seen, standardize and scale is None)
        self.mean = self.offset.copy()
        # A dense GLM design with an intercept (reference_center, not center)
        # holds every column centred: uncentred columns make the intercept
        # and the coefficients collinear, which stalled the Huber fits on
        # p >> n folds (columns at 8 +- 1) in both solvers.
        glm_dense = reference_center and not center and not self.sparse
        heavy, centred = self._centred_heavy(
            mean, mag, spread, reference_center, 0.0 if glm_dense else _HEAVY
        )
        if heavy.size:
            # Without ``center`` (a GLM with an intercept) the centring of these
            # columns moves into the intercept: ``mean`` records it.
            self.mean[heavy] = mean[heavy]
            # A copy of X with those columns centred, so that every product and
            # every compiled kernel (coordinate descent keeps the residual as
            # y - X w + offset'w) sees them without the offset.
            self.X = self._with_columns(heavy, centred)
            self.offset[heavy] = 0.0
        # Centred constant columns are zero: products skip them rather than
        # cancel ``x_j - offset_j`` (a constant of 1e17 would swamp the rest).
        self._null = np.flatnonzero(self.constant) if center else np.empty(0, int)

    def _centred_heavy(self, mean, mag, spread, center, ratio=_HEAVY):
        """``(idx, C)``: the columns whose offset exceeds ``ratio`` times their
        spread (timestamps, for example), and a dense centred copy of them."""
        heavy = np.flatnonzero(
            center & ~self.constant & (np.abs(mean) > ratio * mag * spread)
        )
        if heavy.size == 0:
            return heavy, None
        cols = self.X[:, heavy]
        cols = cols.toarray() if self.sparse else np.array(cols, dtype=float)
        return heavy, np.asfortranarray(cols - mean[heavy]).astype(self.dtype)

    def _with_columns(self, idx, cols):
        """A copy of X whose columns ``idx`` are replaced by ``cols`` (dense;
        stored in full in a CSC copy: an offset-heavy column is dense)."""
        if not self.sparse:
            X = np.array(self.X, dtype=self.dtype, order="F", copy=True)
            X[:, idx] = cols
            return X
        keep = np.ones(self.n_features)
        keep[idx] = 0.0
        light = sp.csc_matrix(self.X @ sp.diags(keep))
        light.eliminate_zeros()
        rows = np.tile(np.arange(self.n_samples), idx.size)
        where = np.repeat(idx, self.n_samples)
        full = sp.csc_matrix(
            (np.asarray(cols).ravel(order="F"), (rows, where)), shape=self.X.shape
        )
        out = (light + full).tocsc().astype(self.dtype)
        out.sort_indices()
        return out

    @property
    def shape(self):
        return self.n_samples, self.n_features

    def matvec(self, w):
        """Return ``X_c w`` where ``X_c`` is the centred, scaled matrix."""
        ws = w * self.scale
        ws[self._null] = 0.0
        support = np.flatnonzero(ws)
        if support.size * 4 < ws.shape[0]:
            # A sparse w: only its columns, not a pass over X.
            part = ws[support]
            out = self.X[:, support] @ part - self.offset[support] @ part
            return np.asarray(out).ravel()
        return np.asarray(self.X @ ws).ravel() - self.offset @ ws

    def rmatvec(self, v):
        """Return ``X_c' v``."""
        out = np.asarray(self.X.T @ v).ravel() - self.offset * v.sum()
        out[self._null] = 0.0
        return out * self.scale

    def rmatmat(self, V):
        """Return ``X_c' V`` for ``V`` of shape (n_samples, K): one product
        (one pass over X) for every column of ``V``."""
        if V.shape[1] == 1:
            # A one-column matrix product falls off BLAS's matrix-vector
            # kernel (gemm on a transposed view): take the vector path.
            return self.rmatvec(np.ascontiguousarray(V[:, 0]))[:, None]
        out = np.asarray(self.X.T @ V) - np.outer(self.offset, V.sum(axis=0))
        out[self._null] = 0.0
        return out * self.scale[:, None]

    def columns(self, idx):
        """Dense copy of the centred, scaled columns ``idx``."""
        cols = self.X[:, idx]
        cols = cols.toarray() if self.sparse else np.array(cols)
        return (cols - self.offset[idx]) * self.scale[idx]

    def gram(self):
        """Return the weighted Gram matrix ``X_c' S X_c / n``."""
        X, sw, n = self.X, self.sample_weight, self.n_samples
        scale = self.scale
        # Products of the scaled columns: X'X itself may under- or overflow
        # where X's units are extreme and the standardised columns are not.
        Xs = X @ sp.diags(scale) if self.sparse else X * scale
        SXs = (
            Xs
            if sw is None
            else (Xs.multiply(sw[:, None]).tocsc() if self.sparse else Xs * sw[:, None])
        )
        G = Xs.T @ SXs
        G = G.toarray() if sp.issparse(G) else np.asarray(G)
        mu = self.offset * scale
        # Columns whose offset is large next to their spread are held centred
        # (offset 0), so X'X - n mu mu' cancels no digits.
        G = G - n * np.outer(mu, mu)
        G = G.astype(self.dtype) / n
        G[self.constant, :] = 0.0
        G[:, self.constant] = 0.0
        return np.asfortranarray(G)

    def spectral_norm_sq(self, n_iter=100, seed=0):
        """Estimate ``||S^{1/2} X_c||_2^2`` by power iteration."""
        rng = np.random.default_rng(seed)
        v = rng.standard_normal(self.n_features).astype(self.dtype)
        sw = self.sample_weight
        value = 0.0
        for _ in range(n_iter):
            v /= np.linalg.norm(v) or 1.0
            Xv = self.matvec(v)
            u = self.rmatvec(Xv * sw if sw is not None else Xv)
            new = float(np.linalg.norm(u))
            if abs(new - value) <= 1e-6 * new:
                value = new
                break
            value, v = new, u
        return value


def column_major(X):
    """``X`` as a column-major array, the solvers' layout (no copy when it is
    one).  A large row-major float array is copied by a compiled blocked
    loop: NumPy's strided copy took 3.2 s on 10^6 x 100, this 0.6 s."""
    X = np.asarray(X)
    row_major = X.ndim == 2 and X.flags.c_contiguous and not X.flags.f_contiguous
    if row_major and X.dtype in (np.float64, np.float32) and X.size >= 1 << 20:
        return _transposed_copy(X)
    return np.asfortranarray(X)


@njit(cache=True, nogil=True)
def take_rows(X, idx):
    """Rows ``idx`` of a column-major ``X`` as a column-major array, one
    column at a time (NumPy's ``X[idx]`` is row-major, and ``X.T[:, idx].T``
    came out row-major too, which the design then copied again)."""
    m, p = idx.shape[0], X.shape[1]
    out = np.empty((p, m), dtype=X.dtype).T
    for j in range(p):
        for i in range(m):
            out[i, j] = X[idx[i], j]
    return out


@njit(cache=True, nogil=True)
def _transposed_copy(X):
    """A column-major copy of a row-major ``X``, in blocks of rows so that
    both the reads and the writes stay in cache."""
    n, p = X.shape
    out = np.empty((p, n), dtype=X.dtype).T
    for i0 in range(0, n, 256):
        i1 = min(i0 + 256, n)
        for j in range(p):
            for i in range(i0, i1):
                out[i, j] = X[i, j]
    return out


def _check_range(design, size, standardized):
    """Raise when a column's size in the solver's units (its root mean square
    there) leaves the cube root of the floating-point range: beyond it the
    solvers' products of norms, coefficients and residuals under- or
    overflow (X of 1e-151 gives NaN gaps)."""
    info = np.finfo(design.dtype)
    low, high = float(info.tiny) ** (1 / 3), float(info.max) ** (1 / 3)
    live = ~design.constant
    bad = live & ~((size >= low) & (size <= high) & np.isfinite(design.scale))
    with np.errstate(over="ignore"):
        bad |= ~np.isfinite(design.n_samples * design.magnitude.astype(design.dtype))
    if not bad.any():
        return
    j = int(np.flatnonzero(bad)[0])
    hint = (
        "rescale that column" if standardized else "rescale X or pass standardize=True"
    )
    raise ValueError(
        f"X column {j} is out of the range {design.dtype} can fit: its root mean "
        f"square is {design.magnitude[j]:.3g}, {size[j]:.3g} in the solver's units, "
        f"outside [{low:.2g}, {high:.2g}] where the solvers' products stay in "
        f"range; {hint}."
    )


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dense_moments(X, sw, first):
    """Weighted mean, magnitude and relative spread of each column of a dense
    (Fortran) matrix, weighted by ``sw`` unless it is empty.

    The magnitude is the column's weighted root mean square and the spread
    its standard deviation over the magnitude.  One pass sums the column
    shifted by its entry in row ``first`` (the first row of positive
    weight): no offset cancels digits then (a shift inside the data loses at
    most ``log10 n`` of them), and a constant column sums to exactly 0.
    Constant columns, and columns whose squares would under- or overflow,
    take a scaled second pass.
    """
    n, p = X.shape
    mean = np.zeros(p)
    mag = np.zeros(p)
    spread = np.zeros(p)
    weighted = sw.shape[0] > 0
    wsum = sw.sum() if weighted else float(n)
    for j in range(p):
        c = float(X[first, j])
        s1, s2 = 0.0, 0.0
        if weighted:
            for i in range(n):
                d = float(X[i, j]) - c
                s1 += sw[i] * d
                s2 += sw[i] * d * d
        else:
            for i in range(n):
                d = float(X[i, j]) - c
                s1 += d
                s2 += d * d
        if 1e-280 < s2 / wsum < 1e280:
            m = c + s1 / wsum
            std = np.sqrt(max(s2 - s1 * s1 / wsum, 0.0) / wsum)
        else:  # constant, or squares at the edges of the range
            m, std = _scaled_moments(X[:, j], sw, wsum)
        mean[j], mag[j] = m, np.hypot(std, m)
        spread[j] = std / mag[j] if mag[j] > 0 else 0.0
    return mean, mag, spread


@njit(cache=True, nogil=True)
def _scaled_moments(x, sw, wsum):
    """Mean and standard deviation of ``x`` from ``x / max|x|``: the
    corrected two-pass algorithm (Chan, Golub and LeVeque, 1983, eq. 1.7),
    free of under- and overflow whatever the units."""
    weighted = sw.shape[0] > 0
    a = np.abs(x).max()
    if a == 0.0:
        return 0.0, 0.0
    inv = 1.0 / a
    t = 0.0
    for i in range(x.shape[0]):
        t += x[i] * inv * (sw[i] if weighted else 1.0)
    m = t / wsum
    s1, s2 = 0.0, 0.0
    for i in range(x.shape[0]):
        d = x[i] * inv - m
        wd = d * sw[i] if weighted else d
        s1 += wd
        s2 += wd * d
    return (m + s1 / wsum) * a, np.sqrt(max(s2 - s1 * s1 / wsum, 0.0) / wsum) * a


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _csc_moments(data, indices, indptr, sw, n):
    """:func:`_dense_moments` for a CSC matrix (canonical: no duplicates),
    the rows not stored counting as zeros."""
    p = indptr.shape[0] - 1
    mean = np.zeros(p)
    mag = np.zeros(p)
    spread = np.zeros(p)
    weighted = sw.shape[0] > 0
    wsum = sw.sum() if weighted else float(n)
    for j in range(p):
        start, end = indptr[j], indptr[j + 1]
        count = end - start
        if count == 0:
            continue
        # One pass gives the sums of the column shifted by ``c``: 0 when
        # some rows are not stored, else its first entry (as the dense
        # moments do); the scaled passes below are kept for the columns
        # where those sums under- or overflow or cancel.
        c = 0.0 if count < n else data[start]
        stored, s1, s2 = float(count), 0.0, 0.0
        if weighted:
            stored = 0.0
            for q in range(start, end):
                w = sw[indices[q]]
                d = data[q] - c
                stored += w
                s1 += w * d
                s2 += w * d * d
        else:
            for q in range(start, end):
                d = data[q] - c
                s1 += d
                s2 += d * d
        # Weight of the zeros not stored (exactly 0 for a full column).
        w0 = 0.0 if count == n else max(wsum - stored, 0.0)
        s1 -= w0 * c
        s2 += w0 * c * c
        centred = s2 - s1 * s1 / wsum
        if 1e-280 < s2 / wsum < 1e280 and centred > 1e-6 * s2:
            m = c + s1 / wsum
            std = np.sqrt(centred / wsum)
            # Without a shift s2 / wsum is the mean square itself.
            mag[j] = np.hypot(std, m) if c != 0.0 else np.sqrt(s2 / wsum)
            mean[j] = m
            spread[j] = std / mag[j]
            continue
        t, a = 0.0, 0.0
        for q in range(start, end):
            t += data[q] * (sw[indices[q]] if weighted else 1.0)
            a = max(a, abs(data[q]))
        if a == 0.0:
            continue
        inv = 1.0 / a
        m = t / wsum
        if not np.isfinite(m):
            t = 0.0
            for q in range(indptr[j], indptr[j + 1]):
                t += data[q] * inv * (sw[indices[q]] if weighted else 1.0)
            m = t / wsum * a
        d0 = -m * inv
        s1, s2 = w0 * d0, w0 * d0 * d0
        for q in range(indptr[j], indptr[j + 1]):
            d = (data[q] - m) * inv
            wd = d * sw[indices[q]] if weighted else d
            s1 += wd
            s2 += wd * d
        mean[j] = m + a * (s1 / wsum)
        # From units of the largest entry to units of the root mean square.
        ratio = np.sqrt(max(s2 - s1 * s1 / wsum, 0.0) / wsum)
        rms = np.hypot(ratio, mean[j] * inv)
        mag[j] = a * rms
        spread[j] = ratio / rms
    return mean, mag, spread
