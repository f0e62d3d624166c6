"""Newton steps of the single-output GLMs (logistic, Poisson) on a working
set, with the core's coordinate-descent kernels as the inner solver.

At ``eta = X w + b + o`` the datafit has gradient ``g`` and diagonal
curvature ``h`` (per sample), and its quadratic model in the step
``(d, d0)`` is, up to a constant,

.. math::

    \\frac{1}{2} \\sum_i h_i (\\zeta_i - x_i'd - d_0)^2, \\qquad
    \\zeta = -g / h,

glmnet's IRLS working response.  With the weights ``s = n h / sum(h)`` this
is ``sum(h)`` times the weighted least squares that the core's kernels solve
(:mod:`._cd_inner`): their implicit centring by the weighted column means
eliminates ``d_0``, they run on the full X through the working set's indices
(no sub-matrix is formed, a CSC working set is copied once for all the Newton
steps), and they extrapolate with Anderson as the core does.  Each step is
then accepted by a backtracking line search on the true objective.
"""

import numpy as np
from numba import njit

from ..penalties._base import _subdiff_distance
from ._cd_inner import _blocks_csc, _blocks_dense
from ._cd_kernels import add_columns_csc, add_columns_dense, compact_columns
from ._glm_certificate import _zeros

__all__ = ["newton_single"]

# The inner solve must bring the model's KKT violation on the working set
# below this fraction of the working set's current one (an inexact Newton
# forcing term that shrinks with the gradient, so the local rate stays fast).
_FORCING = 0.1
_ANDERSON = 5
_INNER_BUDGET = 2000


@njit(cache=True, nogil=True)
def _stats_dense(X, ws, sw, g):
    """``sum_i s_i x_ij``, ``sum_i s_i x_ij^2`` and ``sum_i x_ij g_i`` on ``ws``."""
    n = X.shape[0]
    m = ws.shape[0]
    s1, s2, xg = np.empty(m), np.empty(m), np.empty(m)
    for k in range(m):
        j = ws[k]
        a = 0.0
        b = 0.0
        c = 0.0
        for i in range(n):
            x = X[i, j]
            a += sw[i] * x
            b += sw[i] * x * x
            c += x * g[i]
        s1[k], s2[k], xg[k] = a, b, c
    return s1, s2, xg


@njit(cache=True, nogil=True)
def _stats_csc(data, indices, indptr, cols, sw, g):
    """CSC version of :func:`_stats_dense` (column ``k`` stored at ``cols[k]``)."""
    m = cols.shape[0]
    s1, s2, xg = np.empty(m), np.empty(m), np.empty(m)
    for k in range(m):
        a = 0.0
        b = 0.0
        c = 0.0
        for q in range(indptr[cols[k]], indptr[cols[k] + 1]):
            i = indices[q]
            x = data[q]
            a += sw[i] * x
            b += sw[i] * x * x
            c += x * g[i]
        s1[k], s2[k], xg[k] = a, b, c
    return s1, s2, xg


_NO_INDEX = np.empty(0, np.int64)
_NO_DATA = np.empty(0)
_NO_MATRIX = np.empty((0, 0), order="F")


@njit(cache=True, nogil=True)
def _passes(
    sparse, X, data, indices, indptr, cols, model, w, ws, tol, budget, anderson
):
    """Blocks of _ANDERSON passes on ``ws`` when ``anderson`` (else single
    passes), tested at each block's end: :func:`._cd_inner._blocks_csc`
    (``sparse``; column ``ws[k]`` stored at ``cols[k]``) or
    :func:`._cd_inner._blocks_dense`.  :func:`_alternate` makes the
    active-set cycles itself (a pass over the working set after each
    cycle until no feature enters, which gives the Newton steps better
    directions at a loose inner tolerance than the kernels' own cycles)."""
    offset, scale, sw, r, shift, lips, a, c, lower, upper = model
    n_block = _ANDERSON if anderson else 1
    if sparse:
        return _blocks_csc(
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
            tol,
            budget,
            n_block,
            anderson,
            False,
        )
    return _blocks_dense(
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
        tol,
        budget,
        n_block,
        anderson,
        False,
    )


@njit(cache=True, nogil=True)
def _alternate(sparse, X, data, indices, indptr, cols, ws, model, w, tol):
    """The inner loop of :meth:`_Storage.solve` (``X`` dense, or the CSC
    arrays with column ``ws[k]`` stored at ``cols[k]``)."""
    m = ws.shape[0]
    args = (sparse, X, data, indices, indptr)
    _passes(*args, cols, model, w, ws, np.inf, 1, False)
    live = np.empty(m, np.bool_)
    for i in range(m):
        live[i] = w[ws[i]] != 0.0
    if 2 * live.sum() > m:
        # Mostly non-zero: the alternation would only add passes.
        _passes(*args, cols, model, w, ws, tol, _INNER_BUDGET, True)
        return
    for _ in range(_INNER_BUDGET):
        for i in range(m):
            live[i] = w[ws[i]] != 0.0
        pos = np.flatnonzero(live)
        if pos.size:
            _passes(*args, cols[pos], model, w, ws[pos], tol, _INNER_BUDGET, True)
        _passes(*args, cols, model, w, ws, np.inf, 1, False)
        entered = False
        for i in range(m):
            if w[ws[i]] != 0.0 and not live[i]:
                entered = True
        if not entered:
            break


class _Storage:
    """The working set's columns in the form the core kernels take."""

    def __init__(self, design, ws):
        X = design.X
        self.sparse = design.sparse
        self.ws = ws
        if not self.sparse:
            self.arrays = (X,)
            self.cols = ws
        elif ws.shape[0] * 20 >= design.n_features:
            # Scattered columns defeat the prefetcher: copy them once, for all
            # the Newton steps on this working set.
            self.arrays = compact_columns(X.data, X.indices, X.indptr, ws)
            self.cols = np.arange(ws.shape[0], dtype=np.int64)
        else:
            self.arrays = (X.data, X.indices, X.indptr)
            self.cols = ws

    def stats(self, sw, g):
        if self.sparse:
            return _stats_csc(*self.arrays, self.cols, sw, g)
        return _stats_dense(self.arrays[0], self.ws, sw, g)

    def solve(self, model, w, tol):
        """glmnet's inner loop: one pass over the working set, then passes
        over its non-zero coefficients until converged, repeated until a pass
        over the working set brings in no new feature (features that stay at
        zero cost nothing after the first pass).  When most of the working
        set is non-zero after the first pass, plain passes over all of it."""
        if self.sparse:
            data, indices, indptr = self.arrays
            _alternate(
                True,
                _NO_MATRIX,
                data,
                indices,
                indptr,
                self.cols,
                self.ws,
                model,
                w,
                tol,
            )
        else:
            _alternate(
                False,
                self.arrays[0],
                _NO_DATA,
                _NO_INDEX,
                _NO_INDEX,
                self.ws,
                self.ws,
                model,
                w,
                tol,
            )

    def times(self, scale, delta, n):
        """``X[:, ws] @ (scale * delta)`` (no centring)."""
        r, shift = np.zeros(n), np.zeros(1)
        zero = _zeros(scale.shape[0])
        if self.sparse:
            add_columns_csc(
                *self.arrays, self.cols, zero, scale, r, shift, self.ws, delta
            )
        else:
            add_columns_dense(self.arrays[0], zero, scale, r, shift, self.ws, delta)
        return -r


def newton_single(cert, W, b, Z, ws, kkt_target, tol_abs, max_newton, buffers):
    """Proximal Newton steps on ``ws`` for a single-output GLM.

    Updates ``W`` (n_features, 1), ``b`` (1,) and ``Z = X W + b + o`` in
    place and returns the number of steps.  Stops when the working set's KKT
    violation is at most ``kkt_target`` or low enough for a gap of about
    ``tol_abs / 2`` (see :func:`certifiable_kkt`), after ``max_newton``
    steps, or when a step no longer lowers the objective.  ``buffers`` holds the
    ``(offset, lips, a, c)`` arrays of length n_features, reused between calls
    (only their ``ws`` entries are read).
    """
    d = cert.design
    n = d.n_samples
    ws = ws.astype(np.int64)
    store = _Storage(d, ws)
    offset, lips, a_buf, c_buf = buffers
    pen = cert.penalty
    a, c, lower, upper = pen.arrays
    scale = d.scale.astype(float)
    sc = scale[ws]
    w = W[:, 0]
    pen_ws = _ws_value(w[ws], a[ws], c[ws])
    value = cert.F(Z) + pen_ws
    eps = np.finfo(float).eps
    steps = 0
    for _ in range(max_newton):
        _, g, h = cert.derivatives(Z)
        sw, total = _curvature_weights(h, n)
        s1, s2, xg = store.stats(sw, g)
        kkt_ws, enough, zbar, r, mean = _model(
            g,
            h,
            sw,
            s1,
            s2,
            xg,
            ws,
            w,
            sc,
            pen.arrays,
            buffers,
            tol_abs,
            cert.fit_intercept,
            total,
        )
        if steps and kkt_ws <= max(kkt_target, enough):
            break
        steps += 1
        old = w[ws].copy()
        model = (offset, scale, sw, r, np.zeros(1), lips, a_buf, c_buf, lower, upper)
        store.solve(model, w, max(_FORCING * kkt_ws, 0.5 * enough) / total)
        step = w[ws] - old
        w[ws] = old
        if not step.any() and not cert.fit_intercept:
            break
        dz = store.times(scale, step, n)
        db = zbar - float(mean @ (sc * step)) if cert.fit_intercept else 0.0
        dz = (dz + db)[:, None]
        # Armijo on the true objective from the model's predicted decrease.
        new_pen = _ws_value(old + step, a[ws], c[ws])
        decrease = float(g @ dz[:, 0]) + new_pen - pen_ws
        slack = 8 * eps * abs(value)
        t = 1.0
        accepted = False
        while t > 1e-8:
            trial = old + t * step
            trial_pen = new_pen if t == 1.0 else _ws_value(trial, a[ws], c[ws])
            new = cert.F(Z + t * dz) + trial_pen
            bound = value + 1e-4 * t * min(decrease, 0.0) + slack
            if np.isfinite(new) and new <= bound:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        w[ws] = trial
        Z += t * dz
        b += t * db
        gained = value - new
        value, pen_ws = new, trial_pen
        if gained <= 1e-16 * abs(value):
            break
    return steps


@njit(cache=True, nogil=True)
def _curvature_weights(h, n):
    """The IRLS weights ``s = n h / sum(h)`` and ``sum(h)``, with ``h``
    floored at 1e-12 of its largest entry (in place), so that a saturated
    sample keeps a positive weight."""
    floor = 1e-12 * max(h.max(), 0.0) + 1e-300
    total = 0.0
    for i in range(h.shape[0]):
        h[i] = max(h[i], floor)
        total += h[i]
    return h * (n / total), total


@njit(cache=True, nogil=True)
def _model(g, h, sw, s1, s2, xg, ws, w, sc, pen, buffers, tol_abs, intercept, total):
    """The Newton model on ``ws``: its KKT violation, the violation at which
    the certificate is met (:func:`certifiable_kkt`), the working response's
    weighted mean and residual, and the column means.  Writes the model's
    centring, Lipschitz constants and penalty (divided by ``sum(h)``) into
    ``buffers = (offset, lips, a, c)`` at ``ws``."""
    a, c, lower, upper = pen
    offset, lips, a_buf, c_buf = buffers
    n, m = g.shape[0], ws.shape[0]
    mean = np.zeros(m)
    for k in range(m):
        j = ws[k]
        if intercept:
            mean[k] = s1[k] / n
        offset[j] = mean[k]
        lips[j] = sc[k] * sc[k] * max(s2[k] - n * mean[k] * mean[k], 0.0) / n
        a_buf[j] = a[j] / total
        c_buf[j] = c[j] / total
    dist = _subdiff_distance(w[ws], sc * xg, a[ws], c[ws], lower[ws], upper[ws])
    kkt = dist.max() if m else 0.0
    enough = certifiable_kkt(w[ws], tol_abs)
    r = np.empty(n)
    zbar = 0.0
    for i in range(n):
        r[i] = -g[i] / h[i]
        if intercept:
            zbar += sw[i] * r[i]
    zbar /= n
    for i in range(n):
        r[i] -= zbar
    return kkt, enough, zbar, r, mean


@njit(cache=True, nogil=True)
def certifiable_kkt(w, tol_abs):
    """A KKT violation at which the certificate's gap is about ``tol_abs / 2``.

    The dual point is the gradient shrunk by ``t = alpha / (alpha + kkt)``
    (for the l1 part), which costs about ``kkt * ||w||_1`` in the gap: below
    this level the gap is made by the working set's optimum, not by the
    rescaling."""
    return 0.5 * tol_abs / max(np.abs(w).sum(), 1e-300)


def _ws_value(w, a, c):
    return float(a @ np.abs(w) + 0.5 * (c @ (w * w)))
