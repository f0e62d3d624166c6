"""Coordinate descent on the multinomial's exact Newton model.

At the linear predictor ``Z`` the softmax loss has gradient ``G`` and, per
sample, the Hessian block ``s_i (diag(p_i) - p_i p_i')`` (``p_i`` the class
probabilities, ``s_i`` the sample's weight over n).  One proximal Newton
step minimises over ``U`` (and the intercepts ``beta``)

.. math::

    \\sum_i g_i' \\delta_i + \\frac{1}{2} \\sum_i s_i \\delta_i'
    (\\mathrm{diag}(p_i) - p_i p_i') \\delta_i + g(U), \\qquad
    \\delta_i = x_i' (U - U_0) + \\beta - \\beta_0 ,

the exact second-order model, so the steps converge quadratically near the
optimum (a per-class diagonal of the Hessian, as in glmnet's
``type.multinomial``, converged linearly and stalled on near-separable
data).  The kernel keeps ``delta`` and ``t_i = p_i' delta_i``: the model's
gradient in ``U_jk`` is then one pass, ``sum_i x_ij (g_ik + s_i p_ik
(delta_ik - t_i))``, and moving ``U_jk`` updates column k of ``delta`` and
``t``, two more streams than with a diagonal model instead of K.

Ungrouped, ``g`` is separable (with bounds) and every entry is minimised
exactly along its coordinate (curvature ``sum_i x_ij^2 s_i p_ik (1 -
p_ik)``).  Grouped, ``g(U) = sum_j a_j ||U_j|| + c_j/2 ||U_j||^2`` and each
row takes a block soft-thresholding step on the majoriser
``sum_i x_ij^2 s_i min(max_k p_ik, max_k 2 p_ik (1 - p_ik))`` of its block
(``diag(p) - pp'`` is below ``max_k p_k`` and, by Gershgorin, below
``max_k 2 p_k (1 - p_k)``).
As in glmnet, a pass over every entry is followed by passes over the
non-zero ones until they converge, until a pass over everything meets no
KKT violation above ``tol``.
"""

import numpy as np
from numba import njit

from ..penalties._base import prox_1d
from ._cd_kernels import _FAST, kkt_1d

__all__ = ["multi_cd"]


@njit(cache=True, nogil=True, fastmath=_FAST)
def _grad(X, j, G, SP, D, t, k):
    """The model's gradient in ``U_jk``: ``sum_i x_ij Q_ik`` with
    ``Q_ik = g_ik + s_i p_ik (delta_ik - p_i' delta_i)`` (``j < 0``: the
    intercept)."""
    acc = 0.0
    for i in range(G.shape[0]):
        q = G[i, k] + SP[i, k] * (D[i, k] - t[i])
        acc += q if j < 0 else X[i, j] * q
    return acc


@njit(cache=True, nogil=True, fastmath=_FAST)
def _step(X, j, P, D, t, k, d):
    """``delta_ik += x_ij d`` and ``t_i = p_i' delta_i`` with it."""
    for i in range(D.shape[0]):
        v = d if j < 0 else X[i, j] * d
        D[i, k] += v
        t[i] += P[i, k] * v


@njit(cache=True, nogil=True)
def _epoch(X, G, SP, P, D, t, U, beta, L, Lrow, h0, pen, grouped, icpt, live):
    """One pass (over the non-zero entries only when ``live``); returns the
    largest KKT violation met (the model's, before each update)."""
    a, c, lower, upper = pen
    m = X.shape[1]
    K = U.shape[1]
    step = np.zeros(K)
    viol = 0.0
    if icpt:
        for k in range(K):
            if h0[k] > 0.0:
                g = _grad(X, -1, G, SP, D, t, k)
                viol = max(viol, abs(g))
                d = -g / h0[k]
                if d != 0.0:
                    _step(X, -1, P, D, t, k, d)
                    beta[k] += d
    for j in range(m):
        if not grouped:
            for k in range(K):
                Ljk = L[j, k]
                if Ljk <= 0.0 or (live and U[j, k] == 0.0):
                    continue
                g = _grad(X, j, G, SP, D, t, k)
                viol = max(viol, kkt_1d(U[j, k], -g, a[j], c[j], lower[j], upper[j]))
                new = prox_1d(U[j, k] - g / Ljk, Ljk, a[j], c[j], lower[j], upper[j])
                d = new - U[j, k]
                if d != 0.0:
                    _step(X, j, P, D, t, k, d)
                    U[j, k] = new
            continue
        Lj = Lrow[j]
        norm = 0.0
        for k in range(K):
            norm += U[j, k] * U[j, k]
        if Lj <= 0.0 or (live and norm == 0.0):
            continue
        # The row's KKT violation: the distance from -grad to the group's
        # subdifferential, a ball of radius a_j at 0.
        dist = 0.0
        gnorm = 0.0
        unorm = np.sqrt(norm)
        for k in range(K):
            step[k] = _grad(X, j, G, SP, D, t, k)
            gnorm += step[k] * step[k]
            if unorm > 0.0:
                r = step[k] + U[j, k] * (a[j] / unorm + c[j])
                dist += r * r
        dist = np.sqrt(dist) if unorm > 0.0 else max(np.sqrt(gnorm) - a[j], 0.0)
        viol = max(viol, dist)
        norm = 0.0
        for k in range(K):
            step[k] = U[j, k] - step[k] / Lj
            norm += step[k] * step[k]
        norm = np.sqrt(norm)
        shrink = 0.0
        if norm > a[j] / Lj:
            shrink = (1.0 - a[j] / (Lj * norm)) / (1.0 + c[j] / Lj)
        for k in range(K):
            d = step[k] * shrink - U[j, k]
            if d != 0.0:
                _step(X, j, P, D, t, k, d)
                U[j, k] += d
    return viol


@njit(cache=True, nogil=True, fastmath=_FAST)
def _curvatures(X, s, P):
    """Per entry ``sum_i x_ij^2 s_i p_ik (1 - p_ik)``, per row a majoriser of
    the block's curvature, per intercept the first."""
    n, m = X.shape
    K = P.shape[1]
    diag = np.empty((n, K))
    top = np.zeros(n)
    for i in range(n):
        big = 0.0
        spread = 0.0
        for k in range(K):
            diag[i, k] = s[i] * P[i, k] * (1.0 - P[i, k])
            big = max(big, P[i, k])
            spread = max(spread, 2.0 * P[i, k] * (1.0 - P[i, k]))
        # The block's largest eigenvalue is at most max_k p_k and, by
        # Gershgorin, at most max_k 2 p_k (1 - p_k) (much smaller when the
        # model is confident).
        top[i] = s[i] * min(big, spread)
    L = np.zeros((m, K))
    Lrow = np.zeros(m)
    for j in range(m):
        for k in range(K):
            acc = 0.0
            for i in range(n):
                acc += diag[i, k] * X[i, j] * X[i, j]
            L[j, k] = acc
        acc = 0.0
        for i in range(n):
            acc += top[i] * X[i, j] * X[i, j]
        Lrow[j] = acc
    h0 = np.zeros(K)
    for k in range(K):
        for i in range(n):
            h0[k] += diag[i, k]
    return L, Lrow, h0


@njit(cache=True, nogil=True)
def multi_cd(
    X, s, P, G, U, beta, a, c, lower, upper, grouped, intercept, tol, max_epochs
):
    """Minimise the model above from ``U``, ``beta`` (updated in place).
    ``X`` (n, m), ``P`` and ``G`` (n, K) are column-major.  Returns the
    number of passes."""
    n, K = G.shape
    L, Lrow, h0 = _curvatures(X, s, P)
    SP = np.empty((K, n)).T
    for k in range(K):
        for i in range(n):
            SP[i, k] = s[i] * P[i, k]
    D = np.zeros((K, n)).T
    t = np.zeros(n)
    args = (L, Lrow, h0, (a, c, lower, upper), grouped, intercept)
    done = 0
    while done < max_epochs:
        done += 1
        if _epoch(X, G, SP, P, D, t, U, beta, *args, False) <= tol:
            break
        while done < max_epochs:
            done += 1
            if _epoch(X, G, SP, P, D, t, U, beta, *args, True) <= tol:
                break
    return done
