"""Coordinate descent on the multinomial's per-class diagonal Newton model.

The model of one proximal Newton step is

.. math::

    \\frac{1}{2} \\sum_{i,k} H_{ik} R_{ik}^2 + g(U), \\qquad
    R = T - X U - 1 \\beta',

with ``H`` the diagonal of each class's Hessian block over samples (glmnet's
approximation).  Ungrouped, ``g`` is separable (with bounds) and every entry
``U_jk`` is updated exactly with its curvature ``L_jk = sum_i H_ik X_ij^2``;
grouped, ``g(U) = sum_j a_j ||U_j|| + c_j/2 ||U_j||^2`` and each row is
updated on the majoriser with curvature ``max_k L_jk`` (block
soft-thresholding stays exact).  The intercepts take exact steps.

As in glmnet, after a pass over every entry the passes run over the non-zero
entries only until they converge, and a pass over everything follows; this
repeats until that pass gains less than ``tol``.  In a sparse multinomial
most entries of the working set stay zero, and they then cost one pass.
"""

import numpy as np
from numba import njit

from ..penalties._base import prox_1d
from ._cd_kernels import _FAST

__all__ = ["multi_cd"]


@njit(cache=True, fastmath=_FAST)
def _dot3(X, j, H, R, k):
    s = 0.0
    for i in range(X.shape[0]):
        s += X[i, j] * H[i, k] * R[i, k]
    return s


@njit(cache=True, fastmath=_FAST)
def _axpy(R, k, X, j, delta):
    for i in range(X.shape[0]):
        R[i, k] -= X[i, j] * delta


@njit(cache=True)
def _epoch(X, H, R, U, beta, L, hsum, a, c, lower, upper, grouped, intercept, live):
    """One pass (over the non-zero entries only when ``live``); returns the
    model's decrease."""
    n, m = X.shape
    K = U.shape[1]
    gained = 0.0
    if intercept:
        for k in range(K):
            s = 0.0
            for i in range(n):
                s += H[i, k] * R[i, k]
            delta = s / hsum[k]
            for i in range(n):
                R[i, k] -= delta
            beta[k] += delta
            gained += 0.5 * delta * delta * hsum[k]
    g = np.empty(K)
    for j in range(m):
        if not grouped:
            for k in range(K):
                Ljk = L[j, k]
                if Ljk <= 0.0 or (live and U[j, k] == 0.0):
                    continue
                s = _dot3(X, j, H, R, k)
                new = prox_1d(U[j, k] + s / Ljk, Ljk, a[j], c[j], lower[j], upper[j])
                delta = new - U[j, k]
                if delta != 0.0:
                    _axpy(R, k, X, j, delta)
                    U[j, k] = new
                    gained += 0.5 * Ljk * delta * delta
            continue
        Lj = 0.0
        norm = 0.0
        for k in range(K):
            Lj = max(Lj, L[j, k])
            norm += U[j, k] * U[j, k]
        if Lj <= 0.0 or (live and norm == 0.0):
            continue
        norm = 0.0
        for k in range(K):
            g[k] = U[j, k] + _dot3(X, j, H, R, k) / Lj
            norm += g[k] * g[k]
        norm = np.sqrt(norm)
        shrink = 0.0
        if norm > a[j] / Lj:
            shrink = (1.0 - a[j] / (Lj * norm)) / (1.0 + c[j] / Lj)
        change = 0.0
        for k in range(K):
            delta = g[k] * shrink - U[j, k]
            if delta != 0.0:
                _axpy(R, k, X, j, delta)
                U[j, k] += delta
            change += delta * delta
        gained += 0.5 * Lj * change
    return gained


@njit(cache=True, fastmath=_FAST)
def _curvatures(X, H):
    n, m = X.shape
    K = H.shape[1]
    L = np.zeros((m, K))
    for j in range(m):
        for k in range(K):
            s = 0.0
            for i in range(n):
                s += H[i, k] * X[i, j] * X[i, j]
            L[j, k] = s
    return L


@njit(cache=True)
def multi_cd(X, H, R, U, beta, a, c, lower, upper, grouped, intercept, tol, max_epochs):
    """Minimise the model above from ``U``, ``beta`` (updated in place, with
    ``R``); ``X`` and ``H``, ``R`` column-major.  Returns the number of
    passes."""
    L = _curvatures(X, H)
    hsum = np.zeros(U.shape[1])
    for k in range(U.shape[1]):
        for i in range(X.shape[0]):
            hsum[k] += H[i, k]
    args = (L, hsum, a, c, lower, upper, grouped, intercept)
    done = 0
    while done < max_epochs:
        done += 1
        if _epoch(X, H, R, U, beta, *args, False) <= tol:
            break
        while done < max_epochs:
            done += 1
            if _epoch(X, H, R, U, beta, *args, True) <= tol:
                break
    return done
