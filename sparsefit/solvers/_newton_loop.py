"""The whole proximal Newton solve of a single-output GLM, in one compiled call.

:class:`._prox_newton.ProxNewton` runs its outer loop here when the datafit's
terms are compiled (:mod:`sparsefit.datafits._compiled`), the penalty is
separable and the design is float64, dense column-major or CSC: logistic,
Poisson and Cox fits with the l1 or elastic-net penalty, the common case.
The steps are those of the Python loop, from the same kernels: the
certificate (:func:`._glm_kernels.separable_gap`, with the gradient bounds of
:class:`._grad_bounds.GradBounds` along a path), the working sets, the Newton
models of :mod:`._irls` solved by the core's coordinate descent, and the
line search on the true objective.  A datafit whose Hessian is not diagonal
(Cox) gets its exact Newton model instead (:mod:`._exact_newton`): with the
diagonal alone, a Cox path on 200 x 1000 took 10,867 steps, with the exact
one 359.  Only the dispatch between them is
compiled: on p >> n data an alpha costs a few hundred microseconds of
arithmetic, and the Python glue between some forty small kernel calls per
alpha cost twice that (70% of a 100-alpha logistic path on Golub,
38 x 3051).
"""

import numpy as np
from numba import njit

from ..datafits._compiled import derivatives, terms
from ..penalties._base import _value
from ._cd_kernels import add_columns_csc, add_columns_dense, compact_columns
from ._exact_newton import exact_direction, has_exact_model
from ._glm_kernels import refit_intercept, separable_gap
from ._grad_bounds import (
    _DENSE_SHARE,
    _SLACK,
    _columns_csc,
    _columns_dense,
    _needed,
)
from ._irls import (
    _FORCING,
    _alternate,
    _curvature_weights,
    _model,
    _stats_csc,
    _stats_dense,
)

__all__ = ["solve_single", "base_set", "kth_largest"]

# Newton steps on a working set stop once its KKT violation is below this
# fraction of the whole problem's (as the core's coordinate descent does).
INNER_RATIO = 0.3
# A working set that the support fills grows by this factor.
GROWTH = 4
_REFIT_ITER = 50
_EPS = np.finfo(np.float64).eps


@njit(cache=True, nogil=True)
def base_set(W, constant, forced, kkt):
    """The working set's base (the support and the forced features, never
    a constant column), its size, the support's size, and the other
    features with a positive KKT violation (the candidates to add)."""
    p, K = W.shape
    base = np.zeros(p, np.bool_)
    n_base, n_support, n_cand = 0, 0, 0
    for j in range(p):
        if constant[j]:
            continue
        nonzero = False
        for k in range(K):
            if W[j, k] != 0.0:
                nonzero = True
        if nonzero:
            n_support += 1
        if nonzero or forced[j]:
            base[j] = True
            n_base += 1
        elif kkt[j] > 0.0:
            n_cand += 1
    candidates = np.empty(n_cand, np.int64)
    m = 0
    for j in range(p):
        if not base[j] and not constant[j] and kkt[j] > 0.0:
            candidates[m] = j
            m += 1
    return base, n_base, n_support, candidates


@njit(cache=True, nogil=True)
def kth_largest(values, k):
    """The ``k``-th largest of ``values`` (1 <= k <= size), by quickselect
    on a copy.  (Numba's ``np.partition`` took 4.7 s of a fresh install's
    first logistic fit to compile, this a fraction of a second.)"""
    a = values.copy()
    target = k - 1  # its position in decreasing order
    lo, hi = 0, a.shape[0] - 1
    while lo < hi:
        pivot = a[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while a[i] > pivot:
                i += 1
            while a[j] < pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            break
    return a[target]


@njit(cache=True, nogil=True)
def _working_set(w, constant, forced, kkt, ws_start, last_size):
    """ProxNewton's working set: the base, at least doubled, grown
    ``GROWTH``-fold when the support filled most of the last one, topped up
    with the largest KKT violators."""
    p = w.shape[0]
    base, n_base, n_support, candidates = base_set(
        w.reshape((p, 1)), constant, forced, kkt
    )
    size = max(ws_start, 2 * n_base)
    if last_size > 0 and n_support >= 0.9 * last_size:
        size = max(size, GROWTH * last_size)
    extra = max(size - n_base, 0)
    if extra > 0 and candidates.shape[0] > 0:
        if candidates.shape[0] <= extra:
            for j in candidates:
                base[j] = True
        else:
            # The extra-th largest violation, then every violator above it
            # and as many at it as fit.
            cut = kth_largest(kkt[candidates], extra)
            taken = 0
            for j in candidates:
                if kkt[j] > cut:
                    base[j] = True
                    taken += 1
            for j in candidates:
                if taken >= extra:
                    break
                if kkt[j] == cut:
                    base[j] = True
                    taken += 1
    return np.flatnonzero(base)


@njit(cache=True, nogil=True)
def _gradient(storage, scale, null, g, w, pen, bounds, state):
    """``X'g`` in design coordinates and whether it is exact.

    With ``state[3] > 0`` the gradient bounds of :class:`GradBounds` (arrays
    ``bounds = (col_norms, g_ref, at, need, g_last)``, scalars ``state =
    [drift, stale, has_last, track]``) decide where a product is skipped,
    exactly as :meth:`GradBounds.gradient` does; else every product is
    taken."""
    sparse, X, data, indices, indptr = storage
    col_norms, g_ref, at, need, g_last = bounds
    a, _, lower, upper = pen
    p = w.shape[0]
    out = np.empty(p)
    full = True
    if state[3] > 0.0:
        if state[2] > 0.0:
            step = 0.0
            for i in range(g.shape[0]):
                d = g[i] - g_last[i]
                step += d * d
            state[0] += np.sqrt(step) * (1.0 + _SLACK)
        g_last[:] = g
        state[2] = 1.0
        count = _needed(
            g_ref,
            at,
            state[0],
            col_norms,
            w,
            a,
            lower,
            upper,
            state[1] > 0.0,
            need,
            out,
        )
        full = count >= _DENSE_SHARE * p
    if full:
        need[:] = True
        count = p
    drift = state[0]
    if full and not sparse:
        # One BLAS matrix-vector product (X.T of a column-major X is
        # row-major): on tall data it streams X faster than a dot per column.
        prod = np.dot(X.T, g)
        for j in range(p):
            value = 0.0 if null[j] else scale[j] * prod[j]
            out[j] = value
            g_ref[j] = value
            at[j] = drift
    elif sparse:
        _columns_csc(
            data,
            indices,
            indptr,
            np.zeros(p),
            scale,
            null,
            g,
            0.0,
            1.0,
            need,
            drift,
            g_ref,
            at,
            out,
        )
    else:
        _columns_dense(
            X, np.zeros(p), scale, null, g, 0.0, 1.0, need, drift, g_ref, at, out
        )
    if full:
        state[1] = 0.0
    return out, count == p


@njit(cache=True, nogil=True)
def _ws_value(w, ws, a, c, old, step, t):
    """The penalty on ``ws`` at ``old + t step`` (``w[ws]`` when ``old`` is
    empty); iterates keep the bounds, so no indicator term."""
    total = 0.0
    for k in range(ws.shape[0]):
        j = ws[k]
        v = w[j] if old.shape[0] == 0 else old[k] + t * step[k]
        total += a[j] * abs(v) + 0.5 * c[j] * v * v
    return total


@njit(cache=True, nogil=True)
def _newton_steps(fixed, w, Z, b, ws, targets, fit_value, g):
    """Proximal Newton steps on ``ws`` (:func:`._irls.newton_single`):
    updates ``w``, ``b`` (length 1) and ``Z`` in place.

    ``fixed = (model_data, storage, scale, pen, buffers)`` as in
    :func:`solve_single`, ``targets = (kkt_target, tol_abs)``, and
    ``fit_value`` the datafit at ``Z``.  Returns ``(steps, fresh,
    fit_value)``: the count, whether ``g`` holds ``dF/dz`` at the final
    ``Z`` (the certificate that follows then needs no pass of its own),
    and the datafit there."""
    model_data, storage, scale, pen, buffers = fixed
    kind, y, ix, sw, intercept, max_newton, exact_cells = model_data
    kkt_target, tol_abs = targets
    sparse, X, data, indices, indptr = storage
    a, c, lower, upper = pen
    n, p, m = Z.shape[0], w.shape[0], ws.shape[0]
    if sparse and m * 20 >= p:
        # Scattered columns defeat the prefetcher: one copy for all steps.
        s_data, s_indices, s_indptr = compact_columns(data, indices, indptr, ws)
        cols = np.arange(m)
    else:
        s_data, s_indices, s_indptr = data, indices, indptr
        cols = ws
    sc = scale[ws]
    offset, lips, a_buf, c_buf = buffers
    none = np.empty(0)  # a global array would be read-only to Numba
    pen_ws = _ws_value(w, ws, a, c, none, none, 0.0)
    value = fit_value + pen_ws
    h = np.empty(n)
    old, step, trial = np.empty(m), np.empty(m), np.empty(n)
    zero = np.zeros(p)
    # A Hessian that is not diagonal (Cox) gets its exact model, whose steps
    # converge quadratically where the diagonal's crawl.
    exact = has_exact_model(ix) and not intercept and m * n <= exact_cells
    steps, fresh = 0, False
    for _ in range(max_newton):
        derivatives(kind, y, ix, Z, sw, g, h)
        fresh = True
        s, total = _curvature_weights(h, n)
        if sparse:
            s1, s2, xg = _stats_csc(s_data, s_indices, s_indptr, cols, s, g)
        else:
            s1, s2, xg = _stats_dense(X, ws, s, g)
        kkt_ws, enough, zbar, r, mean = _model(
            g, h, s, s1, s2, xg, ws, w, sc, pen, buffers, tol_abs, intercept, total
        )
        if steps and kkt_ws <= max(kkt_target, enough):
            break
        steps += 1
        for k in range(m):
            old[k] = w[ws[k]]
        if exact:
            fit = (kind, y, ix, Z, sw)
            ws_storage = (sparse, X, s_data, s_indices, s_indptr)
            tol = _FORCING * kkt_ws
            exact_direction(fit, g, ws_storage, cols, ws, sc, sc * xg, pen, w, tol)
        else:
            shift = np.zeros(1)
            model = (offset, scale, s, r, shift, lips, a_buf, c_buf, lower, upper)
            tol = max(_FORCING * kkt_ws, 0.5 * enough) / total
            _alternate(sparse, X, s_data, s_indices, s_indptr, cols, ws, model, w, tol)
        moved = False
        for k in range(m):
            step[k] = w[ws[k]] - old[k]
            w[ws[k]] = old[k]
            moved = moved or step[k] != 0.0
        if not moved and not intercept:
            break
        dz, shift = np.zeros(n), np.zeros(1)
        if sparse:
            add_columns_csc(
                s_data, s_indices, s_indptr, cols, zero, scale, dz, shift, ws, step
            )
        else:
            add_columns_dense(X, zero, scale, dz, shift, ws, step)
        db = 0.0
        if intercept:
            db = zbar
            for k in range(m):
                db -= mean[k] * sc[k] * step[k]
        decrease = 0.0
        for i in range(n):
            dz[i] = db - dz[i]
            decrease += g[i] * dz[i]
        # Armijo on the true objective from the model's predicted decrease.
        new_pen = _ws_value(w, ws, a, c, old, step, 1.0)
        decrease += new_pen - pen_ws
        slack = 8 * _EPS * abs(value)
        t, accepted = 1.0, False
        new, trial_pen, trial_fit = value, pen_ws, fit_value
        while t > 1e-8:
            trial_pen = new_pen if t == 1.0 else _ws_value(w, ws, a, c, old, step, t)
            for i in range(n):
                trial[i] = Z[i] + t * dz[i]
            trial_fit = terms(kind, y, ix, trial, sw, none, none)
            new = trial_fit + trial_pen
            if (
                np.isfinite(new)
                and new <= value + 1e-4 * t * min(decrease, 0.0) + slack
            ):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        for k in range(m):
            w[ws[k]] = old[k] + t * step[k]
        Z[:] = trial
        b[0] += t * db
        fresh = False
        gained = value - new
        value, pen_ws, fit_value = new, trial_pen, trial_fit
        if gained <= 1e-16 * abs(value):
            break
    return steps, fresh, fit_value


@njit(cache=True, nogil=True)
def _linear(storage, scale, w, b, o, n):
    """``X w + b + o`` from the non-zero coefficients' columns, summed as
    :meth:`GLMCertificate.linear` sums them."""
    sparse, X, data, indices, indptr = storage
    support = np.flatnonzero(w)
    r, shift = np.zeros(n), np.zeros(1)
    zero = np.zeros(w.shape[0])
    if sparse:
        add_columns_csc(
            data,
            indices,
            indptr,
            support,
            zero,
            scale,
            r,
            shift,
            support,
            w[support],
        )
    else:
        add_columns_dense(X, zero, scale, r, shift, support, w[support])
    Z = -r + b
    if o.shape[0] == n:
        Z += o
    return Z


@njit(cache=True, nogil=True)
def _any_nonzero(w):
    """``np.any(w != 0)`` without the mask, stopping at the first."""
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            return True
    return False


@njit(cache=True, nogil=True)
def _seed_set(w, constant, strong):
    """The support and the strong features, no constant column: what
    :func:`_working_set` returns when no KKT violation is known."""
    p = w.shape[0]
    count = 0
    for j in range(p):
        if not constant[j] and (w[j] != 0.0 or strong[j]):
            count += 1
    ws = np.empty(count, np.int64)
    m = 0
    for j in range(p):
        if not constant[j] and (w[j] != 0.0 or strong[j]):
            ws[m] = j
            m += 1
    return ws


@njit(cache=True, nogil=True)
def solve_single(
    model_data,
    o,
    storage,
    scale,
    constant,
    null,
    pen,
    w,
    b,
    strong,
    rule,
    sizes,
    buffers,
    bounds,
    state,
    history,
):
    """The outer loop of :meth:`ProxNewton.solve` for one output.

    Parameters (all arrays updated in place where said):

    - ``model_data = (kind, y, ix, sw, intercept, max_newton,
      exact_cells)``: the datafit's branch in
      :mod:`sparsefit.datafits._compiled`, the target as it reads it (``y``,
      ``ix``), the sample weights (empty: none), whether the intercept is
      fitted, the Newton steps per working set, and the largest ``|ws| x n``
      for an exact Newton model (:mod:`._exact_newton`; else its diagonal);
    - ``o``: the offset of the linear predictor (empty: none);
    - ``storage = (sparse, X, data, indices, indptr)``;
    - ``scale``, ``constant``, ``null``: the design's column scales,
      constant columns and columns whose product is 0;
    - ``pen = (a, c, lower, upper)``; ``w``, ``b``: the start, moved to
      the solution;
    - ``strong``: the strong-rule features (empty: none); solved on first,
      with the warm support, when a penalised coefficient is non-zero;
    - ``rule = (tol, gap_floor, kkt_target, gap_abs)`` of
      :class:`StoppingRule` (``gap_abs`` NaN: relative);
    - ``sizes = (ws_start, max_iter, n_samples)``; ``buffers``: four length-p work
      arrays of :func:`._irls._model`; ``bounds`` and ``state``: see
      :func:`_gradient`; ``history``: rows ``(n_iter, gap)``.

    Returns ``(n_iter, n_history, gap, primal, kkt_max, tol_abs, converged,
    grad_neg, exact, value)``.
    """
    kind, y, ix, sw, intercept, max_newton, exact_cells = model_data
    tol, gap_floor, kkt_target, gap_abs = rule
    ws_start, max_iter, n = sizes
    p = w.shape[0]
    Z = _linear(storage, scale, w, b[0], o, n)
    g, none = np.empty(n), np.empty(0)
    value = terms(kind, y, ix, Z, sw, none, none)
    primal = value + _value(w, *pen)
    relative = np.isnan(gap_abs)
    tol_abs = max(tol * abs(primal), gap_floor) if relative else gap_abs
    fixed = (model_data, storage, scale, pen, buffers)
    n_iter, n_hist, last_size = 0, 0, 0
    forced = np.zeros(p, np.bool_)
    fresh = False  # whether g is dF/dz at Z and value F there
    if strong.shape[0] == p:
        if not _any_nonzero(w):
            # The first working set starts from the strong features.
            forced[:] = strong
        else:
            if intercept:
                moved = refit_intercept(kind, y, ix, sw, Z, _REFIT_ITER)
                b[0] += moved
                if moved != 0.0:
                    value = terms(kind, y, ix, Z, sw, none, none)
            ws = _seed_set(w, constant, strong)
            if ws.shape[0]:
                steps, fresh, value = _newton_steps(
                    fixed, w, Z, b, ws, (0.0, tol_abs), value, g
                )
                n_iter += steps
    while True:
        n_iter += 1
        if intercept:
            moved = refit_intercept(kind, y, ix, sw, Z, _REFIT_ITER)
            b[0] += moved
            fresh = fresh and moved == 0.0
        if not fresh:
            value = terms(kind, y, ix, Z, sw, g, none)
        fresh = False
        gX, exact = _gradient(storage, scale, null, g, w, pen, bounds, state)
        grad_neg = -gX
        shift = 0.0
        if o.shape[0] == n:
            for i in range(n):
                shift += g[i] * o[i]
        fit = (kind, y, ix, Z, sw)
        gap, primal, kkt, kkt_max = separable_gap(
            fit, g, value, w, grad_neg, pen, shift, np.inf
        )
        tol_abs = max(tol * abs(primal), gap_floor) if relative else gap_abs
        history[n_hist, 0] = n_iter
        history[n_hist, 1] = gap
        n_hist += 1
        converged = gap <= tol_abs and kkt_max <= kkt_target
        if converged or n_iter >= max_iter:
            break
        ws = _working_set(w, constant, forced, kkt, ws_start, last_size)
        last_size = ws.shape[0]
        forced[:] = False
        targets = (INNER_RATIO * kkt_max, tol_abs)
        steps, fresh, value = _newton_steps(fixed, w, Z, b, ws, targets, value, g)
        n_iter += steps
    return (
        n_iter,
        n_hist,
        gap,
        primal,
        kkt_max,
        tol_abs,
        converged,
        grad_neg,
        exact,
        value,
    )
