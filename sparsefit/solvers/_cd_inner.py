"""The inner solver of coordinate descent, compiled: passes over a working set,
Anderson extrapolation of the iterates, and the stopping test, in one Numba call.

Keeping the whole loop compiled matters when a pass is cheap (a few
microseconds on a 200 x 400 working set): the Python round trip per block of
passes would otherwise cost as much as the passes themselves.

Dense, CSC and Gram storage each have their own loop.  One loop over a
storage tuple with a dense/sparse switch was tried and measured 1.7x slower
on D1 of bench/ (LLVM no longer vectorised the column loops), so the small
repetition is deliberate.
"""

import numpy as np
from numba import njit

from ._cd_kernels import (
    _FAST,
    add_columns_csc,
    add_columns_dense,
    epochs_csc,
    epochs_dense,
    epochs_gram,
)

__all__ = ["inner_dense", "inner_csc", "inner_gram"]

# The passes between two whole passes over a working set run on its
# non-zero coefficients alone when they are at most this share of it.  On
# bench/'s paths, against no such cycles: G1 (60 x 20,000) 65 to 56 ms, D3
# (1000 x 20,000) 3.4 to 3.0 s, S1 (CSC 20,000 x 100,000) unchanged at 1.26
# s; always cycling took S1 to 1.62 s (a well-conditioned problem converges
# in a few whole passes, and each cycle adds one).
_SUB_SHARE = 0.5


@njit(cache=True, nogil=True)
def _solve_small(G, b):
    """Solve the small SPD system ``G z = b`` by Gaussian elimination; returns
    (ok, z). Degenerate pivots give ok = False instead of an exception."""
    k = G.shape[0]
    A = G.copy()
    z = b.copy()
    for i in range(k):
        piv = A[i, i]
        if not piv > 1e-300:
            return False, z
        for row in range(i + 1, k):
            f = A[row, i] / piv
            for col in range(i, k):
                A[row, col] -= f * A[i, col]
            z[row] -= f * z[i]
    for i in range(k - 1, -1, -1):
        for col in range(i + 1, k):
            z[i] -= A[i, col] * z[col]
        z[i] /= A[i, i]
    return True, z


@njit(cache=True, nogil=True)
def _anderson_point(history, ws, lower, upper):
    """Anderson extrapolation of the rows of ``history`` (Bertrand and Massias
    2021), clipped to the bounds; returns (ok, point)."""
    k = history.shape[0] - 1
    m = history.shape[1]
    diffs = history[1:] - history[:-1]
    G = np.empty((k, k))
    trace = 0.0
    for i in range(k):
        for j in range(i, k):
            s = 0.0
            for t in range(m):
                s += diffs[i, t] * diffs[j, t]
            G[i, j] = s
            G[j, i] = s
        trace += G[i, i]
    point = np.empty(m, dtype=history.dtype)
    if not trace > 0.0:
        return False, point
    for i in range(k):
        G[i, i] += 1e-10 * trace
    ok, z = _solve_small(G, np.ones(k))
    total = z.sum()
    if not ok or not np.isfinite(total) or total == 0.0:
        return False, point
    for t in range(m):
        s = 0.0
        for i in range(k):
            s += z[i] * history[i + 1, t]
        j = ws[t]
        point[t] = min(max(s / total, lower[j]), upper[j])
    return True, point


@njit(cache=True, nogil=True)
def _penalty_change(w, ws, point, a, c):
    """``g(point) - g(w[ws])`` over the working set (the bounds hold for both)."""
    total = 0.0
    for t in range(ws.shape[0]):
        j = ws[t]
        new, old = point[t], w[j]
        total += a[j] * (abs(new) - abs(old)) + 0.5 * c[j] * (new * new - old * old)
    return total


@njit(cache=True, nogil=True, fastmath=_FAST)
def _half_norm(r, shift, sw):
    """``||r + shift||_S^2 / 2``."""
    total = 0.0
    weighted = sw.shape[0] == r.shape[0]
    for i in range(r.shape[0]):
        v = r[i] + shift
        total += v * v * sw[i] if weighted else v * v
    return 0.5 * total


@njit(cache=True, nogil=True)
def _history_start(history, w, ws):
    for t in range(ws.shape[0]):
        history[0, t] = w[ws[t]]


@njit(cache=True, nogil=True)
def _blocks_dense(
    X,
    offset,
    scale,
    sw,
    r,
    shift,
    w,
    ws,
    lips,
    a,
    c,
    lower,
    upper,
    tol_in,
    budget,
    n_block,
    anderson,
    every,
):
    """Passes over ``ws`` until the KKT violation of the last pass is below
    ``tol_in`` (tested after ``every`` pass, else at the end of each block)
    or ``budget`` passes are spent; after each block of ``n_block`` passes
    an Anderson point is kept if it lowers the objective."""
    history = np.empty((n_block + 1, ws.shape[0]), dtype=w.dtype)
    _history_start(history, w, ws)
    done, e = 0, 0
    while done < budget:
        viol = epochs_dense(
            X,
            offset,
            scale,
            sw,
            r,
            shift,
            w,
            ws,
            lips,
            a,
            c,
            lower,
            upper,
            1,
            history[e + 1 : e + 2],
        )
        done += 1
        e += 1
        if viol <= tol_in and (every or e == n_block):
            break
        if e < n_block:
            continue
        e = 0
        if anderson:
            ok, point = _anderson_point(history, ws, lower, upper)
            if ok:
                r_try, shift_try = r.copy(), shift.copy()
                add_columns_dense(
                    X, offset, scale, r_try, shift_try, ws, point - history[n_block]
                )
                gain = _half_norm(r_try, shift_try[0], sw) - _half_norm(r, shift[0], sw)
                if gain / r.shape[0] + _penalty_change(w, ws, point, a, c) < 0:
                    r[:] = r_try
                    shift[0] = shift_try[0]
                    w[ws] = point
        _history_start(history, w, ws)
    return done


@njit(cache=True, nogil=True)
def _blocks_csc(
    data,
    indices,
    indptr,
    cols,
    offset,
    scale,
    sw,
    r,
    shift,
    w,
    ws,
    lips,
    a,
    c,
    lower,
    upper,
    tol_in,
    budget,
    n_block,
    anderson,
    every,
):
    """CSC version of :func:`_blocks_dense` (column ``ws[k]`` stored at
    ``cols[k]``)."""
    history = np.empty((n_block + 1, ws.shape[0]), dtype=w.dtype)
    _history_start(history, w, ws)
    done, e = 0, 0
    while done < budget:
        viol = epochs_csc(
            data,
            indices,
            indptr,
            cols,
            offset,
            scale,
            sw,
            r,
            shift,
            w,
            ws,
            lips,
            a,
            c,
            lower,
            upper,
            1,
            history[e + 1 : e + 2],
        )
        done += 1
        e += 1
        if viol <= tol_in and (every or e == n_block):
            break
        if e < n_block:
            continue
        e = 0
        if anderson:
            ok, point = _anderson_point(history, ws, lower, upper)
            if ok:
                r_try, shift_try = r.copy(), shift.copy()
                add_columns_csc(
                    data,
                    indices,
                    indptr,
                    cols,
                    offset,
                    scale,
                    r_try,
                    shift_try,
                    ws,
                    point - history[n_block],
                )
                gain = _half_norm(r_try, shift_try[0], sw) - _half_norm(r, shift[0], sw)
                if gain / r.shape[0] + _penalty_change(w, ws, point, a, c) < 0:
                    r[:] = r_try
                    shift[0] = shift_try[0]
                    w[ws] = point
        _history_start(history, w, ws)
    return done


@njit(cache=True, nogil=True)
def _cycle_positions(w, ws):
    """``(keep, whole)``: the positions in ``ws`` that the passes until the
    next whole pass visit, its non-zero coefficients when they are at most
    ``_SUB_SHARE`` of it, else all of it (``whole``)."""
    keep = np.empty(ws.shape[0], np.int64)
    m = 0
    for k in range(ws.shape[0]):
        if w[ws[k]] != 0.0:
            keep[m] = k
            m += 1
    if m > _SUB_SHARE * ws.shape[0]:
        return np.arange(ws.shape[0]), True
    return keep[:m], False


@njit(cache=True, nogil=True)
def inner_dense(
    X,
    offset,
    scale,
    sw,
    r,
    shift,
    w,
    ws,
    lips,
    a,
    c,
    lower,
    upper,
    tol_in,
    budget,
    n_block,
    anderson,
):
    """Coordinate passes over ``ws`` until the KKT violation of a whole pass
    is below ``tol_in`` or ``budget`` passes are spent.

    One pass over ``ws``; then, when its non-zero coefficients are at most
    half of it, blocks of ``n_block`` passes (with Anderson extrapolation,
    :func:`_blocks_dense`) over them alone until they meet ``tol_in``, and
    again (glmnet's active-set cycles): the zeros' dot products would be
    the bulk of passes that change nothing.  Otherwise the blocks run over
    the whole of ``ws``.
    """
    one = np.empty((1, ws.shape[0]), dtype=w.dtype)
    done = 0
    while done < budget:
        viol = epochs_dense(
            X, offset, scale, sw, r, shift, w, ws, lips, a, c, lower, upper, 1, one
        )
        done += 1
        if viol <= tol_in or done >= budget:
            break
        keep, whole = _cycle_positions(w, ws)
        tail = (offset, scale, sw, r, shift, w, ws[keep], lips, a, c, lower, upper)
        done += _blocks_dense(X, *tail, tol_in, budget - done, n_block, anderson, True)
        if whole:
            # The blocks' last pass was a whole pass.
            break
    return done


@njit(cache=True, nogil=True)
def inner_csc(
    data,
    indices,
    indptr,
    cols,
    offset,
    scale,
    sw,
    r,
    shift,
    w,
    ws,
    lips,
    a,
    c,
    lower,
    upper,
    tol_in,
    budget,
    n_block,
    anderson,
):
    """CSC version of :func:`inner_dense` (column ``ws[k]`` stored at
    ``cols[k]``)."""
    one = np.empty((1, ws.shape[0]), dtype=w.dtype)
    done = 0
    while done < budget:
        viol = epochs_csc(
            data,
            indices,
            indptr,
            cols,
            offset,
            scale,
            sw,
            r,
            shift,
            w,
            ws,
            lips,
            a,
            c,
            lower,
            upper,
            1,
            one,
        )
        done += 1
        if viol <= tol_in or done >= budget:
            break
        keep, whole = _cycle_positions(w, ws)
        tail = (offset, scale, sw, r, shift, w, ws[keep], lips, a, c, lower, upper)
        rest = (tol_in, budget - done, n_block, anderson, True)
        done += _blocks_csc(data, indices, indptr, cols[keep], *tail, *rest)
        if whole:
            break
    return done


@njit(cache=True, nogil=True)
def inner_gram(
    Q, q, Qw, w, ws, lips, a, c, lower, upper, tol_in, budget, n_block, anderson
):
    """Gram version of :func:`inner_dense`: the smooth part is
    ``w'Qw/2 - q'w`` and ``Q w`` is kept up to date."""
    history = np.empty((n_block + 1, ws.shape[0]), dtype=w.dtype)
    _history_start(history, w, ws)
    done = 0
    while done < budget:
        viol = epochs_gram(
            Q, q, Qw, w, ws, lips, a, c, lower, upper, n_block, history[1:]
        )
        done += n_block
        if viol <= tol_in:
            break
        if anderson:
            ok, point = _anderson_point(history, ws, lower, upper)
            if ok:
                delta = point - history[n_block]
                Qd = np.zeros(Qw.shape[0], dtype=Qw.dtype)
                for t in range(ws.shape[0]):
                    if delta[t] != 0.0:
                        Qd += delta[t] * Q[:, ws[t]]
                # f(w + d) - f(w) = d'Qw + d'Qd/2 - q'd, with d supported on ws.
                gain = 0.0
                for t in range(ws.shape[0]):
                    j = ws[t]
                    gain += delta[t] * (Qw[j] + 0.5 * Qd[j] - q[j])
                if gain + _penalty_change(w, ws, point, a, c) < 0:
                    Qw += Qd
                    w[ws] = point
        _history_start(history, w, ws)
    return done
