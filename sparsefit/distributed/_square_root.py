"""A design of a few rows with the moments of a tall one.

Least squares sees the data only through its moments: with ``M`` the
weighted (centred, when an intercept is fitted) second-moment matrix of
``A = [X, y]`` per unit weight, every ``Z`` of ``m`` rows with

.. math::

    \\frac{1}{m} Z'Z = M, \\qquad 1'Z = 0 \\text{ (with an intercept)},

gives the same objective ``1/(2m) ||z_y - Z_X w||^2 = 1/(2n) ||y_c - X_c
w||_S^2`` at every ``w``, the same standardisation (the 1/n variances of
``Z``'s columns are those of ``X``) and the same certificates.  So the
in-memory engine, coordinate descent on the Gram matrix of ``Z`` included,
solves the distributed problem unchanged on ``m = n_features + 2`` rows.
``Z = sqrt(m) U R`` with ``R'R = M`` from the eigendecomposition of ``M``
and ``U`` orthonormal columns orthogonal to ``1`` (a Householder
reflector's).
"""

import numpy as np

__all__ = ["square_root_rows"]


def _second_moment(moments, fit_intercept):
    """``(M, constant)``: ``M`` per unit weight, and the columns of ``A``
    that are constant, by the rule of the in-memory design (spread at
    rounding level of the magnitude)."""
    W = moments.weight[0]
    mean = moments.mean[0]
    M = moments.comoment[0] / W
    var = np.clip(np.diag(M), 0.0, None)
    rms = np.sqrt(var + mean**2)
    if fit_intercept:
        constant = np.sqrt(var) <= 8 * np.finfo(float).eps * rms
        return M, constant
    return M + np.outer(mean, mean), rms == 0


def _orthogonal_to_ones(m):
    """``m x (m - 1)`` orthonormal columns orthogonal to the vector of ones."""
    v = np.ones(m)
    v[0] += np.sqrt(m)
    H = np.eye(m) - 2.0 * np.outer(v, v) / (v @ v)
    return H[:, 1:]


def square_root_rows(moments, fit_intercept):
    """Rows ``Z`` whose moments are those of ``[X, y]`` (see the module).

    Parameters
    ----------
    moments : Moments
        One set (the data, or a fold's training rows).
    fit_intercept : bool
        Centred moments and rows with zero column sums, or raw moments.

    Returns
    -------
    Z : ndarray of shape (n_columns + 1, n_columns)
        The last column plays ``y``.
    """
    M, constant = _second_moment(moments, fit_intercept)
    q = M.shape[0]
    values, vectors = np.linalg.eigh((M + M.T) / 2)
    R = np.sqrt(np.clip(values, 0.0, None))[:, None] * vectors.T
    m = q + 1
    if fit_intercept:
        Z = np.sqrt(m) * _orthogonal_to_ones(m) @ R
    else:
        Z = np.sqrt(m) * np.vstack([R, np.zeros((1, q))])
    # A constant column of X is constant in memory; rounding in M must not
    # turn it into a feature of the pseudo-rows.
    Z[:, constant] = 0.0
    return Z
