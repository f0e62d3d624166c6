"""The design matrix seen by the solvers: X with lazy centring and scaling.

The solvers work with the columns ``(X[:, j] - offset[j]) * scale[j]`` without
ever forming them: centring eliminates the unpenalised intercept (for the
quadratic datafit the optimal intercept is the weighted mean of ``y - Xw``)
and scaling implements glmnet-style standardisation.  Dense arrays are kept in
Fortran order (a Fortran array is used as is) and sparse ones in CSC format,
so neither is densified nor centred in memory.
"""

import numpy as np
import scipy.sparse as sp
from numba import njit

__all__ = ["Design"]


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
            X = sp.csc_matrix(X)
            X.sort_indices()
        else:
            X = np.asfortranarray(X)
        self.X = X
        self.sparse = sp.issparse(X)
        self.n_samples, self.n_features = X.shape
        self.sample_weight = sample_weight
        self.dtype = X.dtype
        n = self.n_samples
        sw = sample_weight
        if self.sparse:
            weights = np.empty(0) if sw is None else sw.astype(float)
            total, raw = _csc_moments(X.data, X.indices, X.indptr, weights)
        else:
            weights = np.empty(0) if sw is None else sw.astype(float)
            total, raw = _dense_moments(X, weights)
        raw = raw.astype(float)
        mean = np.asarray(total, dtype=float) / n
        if reference_center is None:
            reference_center = center
        self.offset = (mean if center else np.zeros_like(mean)).astype(self.dtype)
        if not reference_center:
            mean = np.zeros_like(mean)
        centred = np.maximum(raw - n * mean**2, 0.0)
        # Centring cancels digits: a column is constant when what is left is at
        # rounding level relative to its raw second moment.
        eps = np.finfo(self.dtype).eps
        self.constant = centred <= 64 * eps * np.maximum(raw, np.finfo(float).tiny)
        centred[self.constant] = 0.0
        self.scale = np.ones(self.n_features, dtype=self.dtype)
        if scale is not None:
            self.scale = np.asarray(scale, dtype=self.dtype).copy()
        elif standardize:
            live = ~self.constant
            self.scale[live] = np.sqrt(n / centred[live])
        scale_sq = self.scale.astype(float) ** 2
        self.centred_sq_norms = (centred * scale_sq).astype(self.dtype)
        seen = centred if center else raw
        self.col_sq_norms = (seen * scale_sq).astype(self.dtype)

    @property
    def shape(self):
        return self.n_samples, self.n_features

    def matvec(self, w):
        """Return ``X_c w`` where ``X_c`` is the centred, scaled matrix."""
        ws = w * self.scale
        return np.asarray(self.X @ ws).ravel() - self.offset @ ws

    def rmatvec(self, v):
        """Return ``X_c' v``."""
        out = np.asarray(self.X.T @ v).ravel() - self.offset * v.sum()
        return out * self.scale

    def rmatmat(self, V):
        """Return ``X_c' V`` for ``V`` of shape (n_samples, K): one product
        (one pass over X) for every column of ``V``."""
        if V.shape[1] == 1:
            # A one-column matrix product falls off BLAS's matrix-vector
            # kernel (gemm on a transposed view): take the vector path.
            return self.rmatvec(np.ascontiguousarray(V[:, 0]))[:, None]
        out = np.asarray(self.X.T @ V) - np.outer(self.offset, V.sum(axis=0))
        return out * self.scale[:, None]

    def columns(self, idx):
        """Dense copy of the centred, scaled columns ``idx``."""
        cols = self.X[:, idx]
        cols = cols.toarray() if self.sparse else np.array(cols)
        return (cols - self.offset[idx]) * self.scale[idx]

    def gram(self):
        """Return the weighted Gram matrix ``X_c' S X_c / n``."""
        X, sw, n = self.X, self.sample_weight, self.n_samples
        XtSX = (
            X.T @ (X.multiply(sw[:, None]) if self.sparse else X * sw[:, None])
            if sw is not None
            else X.T @ X
        )
        if sp.issparse(XtSX):
            XtSX = XtSX.toarray()
        mu = self.offset
        G = np.asarray(XtSX, dtype=self.dtype) - n * np.outer(mu, mu)
        G *= np.outer(self.scale, self.scale)
        G /= n
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


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _dense_moments(X, sw):
    """Column sums and sums of squares of a dense (Fortran) matrix, weighted
    by ``sw`` unless it is empty, in one pass."""
    n, p = X.shape
    total = np.zeros(p)
    squares = np.zeros(p)
    weighted = sw.shape[0] > 0
    for j in range(p):
        t, s = 0.0, 0.0
        for i in range(n):
            x = float(X[i, j])
            v = x * sw[i] if weighted else x
            t += v
            s += v * x
        total[j] = t
        squares[j] = s
    return total, squares


@njit(cache=True, nogil=True)
def _csc_moments(data, indices, indptr, sw):
    """Column sums and sums of squares of a CSC matrix, weighted by the rows'
    ``sw`` unless it is empty, in one pass."""
    p = indptr.shape[0] - 1
    total = np.zeros(p)
    squares = np.zeros(p)
    weighted = sw.shape[0] > 0
    for j in range(p):
        t, s = 0.0, 0.0
        for q in range(indptr[j], indptr[j + 1]):
            v = data[q] * sw[indices[q]] if weighted else data[q]
            t += v
            s += v * data[q]
        total[j], squares[j] = t, s
    return total, squares
