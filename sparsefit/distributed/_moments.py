"""Weighted first and second moments of row blocks, merged without cancellation.

A least-squares fit with an intercept depends on the data only through the
weighted count, the weighted means and the weighted centred cross-products
of ``[X, y]``.  Each row block gives them per fold in one pass; blocks and
folds are then merged by the pairwise update of Chan, Golub and LeVeque
(1979), eq. 2.1:

.. math::

    C_{AB} = C_A + C_B + \\frac{W_A W_B}{W_A + W_B} (m_A - m_B)(m_A - m_B)',

which never forms the raw moments ``X'SX`` whose difference with
``W m m'`` would cancel the digits of offset columns.  A fold's training
moments merge the other folds' moments: no second pass over the data.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

__all__ = ["Moments", "block_moments", "diagonal_moments", "merge"]


@dataclass(frozen=True)
class Moments:
    """Weighted moments of the columns of ``A = [X, y]``, one set per fold.

    Parameters
    ----------
    count : ndarray of shape (n_folds,)
        Rows of each fold.
    weight : ndarray of shape (n_folds,)
        Sum of the sample weights of each fold.
    mean : ndarray of shape (n_folds, n_columns)
        Weighted column means.
    comoment : ndarray of shape (n_folds, n_columns, n_columns)
        ``(A - 1 m')' S (A - 1 m')`` per fold.
    """

    count: np.ndarray
    weight: np.ndarray
    mean: np.ndarray
    comoment: np.ndarray

    @property
    def n_folds(self):
        return self.count.shape[0]

    def fold(self, k):
        """The moments of fold ``k`` alone (one fold)."""
        s = slice(k, k + 1)
        return Moments(self.count[s], self.weight[s], self.mean[s], self.comoment[s])

    def total(self, skip=None):
        """The moments of every fold but ``skip``, merged into one."""
        keep = [k for k in range(self.n_folds) if k != skip]
        out = self.fold(keep[0])
        for k in keep[1:]:
            out = merge(out, self.fold(k))
        return out


def block_moments(A, sample_weight, folds, n_folds):
    """The moments of one row block, per fold.

    Parameters
    ----------
    A : ndarray of shape (n_rows, n_columns)
        The block's rows of ``[X, y]``.
    sample_weight : ndarray of shape (n_rows,) or None
    folds : ndarray of int of shape (n_rows,) or None
        Fold label of each row in ``[0, n_folds)``; None puts every row in
        fold 0.
    n_folds : int

    Returns
    -------
    Moments
    """
    A = np.asarray(A, dtype=float)
    q = A.shape[1]
    w = np.ones(A.shape[0]) if sample_weight is None else np.asarray(sample_weight)
    labels = np.zeros(A.shape[0], dtype=np.int64) if folds is None else folds
    count = np.bincount(labels, minlength=n_folds).astype(float)
    weight = np.bincount(labels, weights=w, minlength=n_folds)
    mean = np.zeros((n_folds, q))
    comoment = np.zeros((n_folds, q, q))
    for k in np.flatnonzero(weight > 0):
        # One fold takes the block as it is (no copy by a mask).
        rows = slice(None) if folds is None else labels == k
        Ak, wk = A[rows], w[rows]
        mean[k] = wk @ Ak / weight[k]
        # The weights are non-negative: D' S D = (S^1/2 D)' (S^1/2 D),
        # scaled in place.
        D = Ak - mean[k]
        D *= np.sqrt(wk)[:, None]
        comoment[k] = D.T @ D
    return Moments(count, weight, mean, comoment)


def diagonal_moments(X, y, sample_weight, folds, n_folds):
    """The moments of the row block ``A = [X, y]`` per fold with only the
    diagonals of the comoments (the weighted sums of squares about the
    means): all that column scales need, at ``q`` products per row instead
    of ``q^2`` and without copying the block.  The other entries of the
    comoments are not the data's (0 in a block; merging adds its
    mean-difference terms to them).  Arguments as :func:`block_moments`."""
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    labels = np.zeros(n, dtype=np.int64) if folds is None else np.asarray(folds)
    weight, mean, squares = _diagonal_sums(
        X, np.asarray(y, dtype=float), w, labels.astype(np.int64), n_folds
    )
    count = np.bincount(labels, minlength=n_folds).astype(float)
    comoment = np.zeros((n_folds, X.shape[1] + 1, X.shape[1] + 1))
    for k in range(n_folds):
        comoment[k][np.diag_indices(X.shape[1] + 1)] = squares[k]
    return Moments(count, weight, mean, comoment)


@njit(cache=True)
def _diagonal_sums(X, y, w, labels, n_folds):
    """Per fold: the weight, the weighted means of ``[X, y]`` and the
    weighted sums of squares about them, in two passes over the rows (the
    means first, so that an offset column loses no digits)."""
    n, p = X.shape
    weight = np.zeros(n_folds)
    mean = np.zeros((n_folds, p + 1))
    for i in range(n):
        k = labels[i]
        weight[k] += w[i]
        for j in range(p):
            mean[k, j] += w[i] * X[i, j]
        mean[k, p] += w[i] * y[i]
    for k in range(n_folds):
        if weight[k] > 0:
            for j in range(p + 1):
                mean[k, j] /= weight[k]
    squares = np.zeros((n_folds, p + 1))
    for i in range(n):
        k = labels[i]
        for j in range(p):
            d = X[i, j] - mean[k, j]
            squares[k, j] += w[i] * d * d
        d = y[i] - mean[k, p]
        squares[k, p] += w[i] * d * d
    return weight, mean, squares


def merge(a, b):
    """Merge two sets of per-fold moments, fold by fold (Chan et al.)."""
    weight = a.weight + b.weight
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(weight > 0, b.weight / weight, 0.0)
    delta = b.mean - a.mean
    mean = a.mean + share[:, None] * delta
    cross = (a.weight * share)[:, None, None] * (delta[:, :, None] * delta[:, None, :])
    return Moments(a.count + b.count, weight, mean, a.comoment + b.comoment + cross)


def merge_all(parts):
    """Merge a list of moments (a tree, so that the rounding grows as log n)."""
    parts = list(parts)
    while len(parts) > 1:
        parts = [
            merge(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
            for i in range(0, len(parts), 2)
        ]
    return parts[0]
