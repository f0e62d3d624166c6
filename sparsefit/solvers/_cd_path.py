"""A least-squares path by coordinate descent in one compiled call.

:class:`CoordinateDescent` solves each alpha with compiled kernels (the
coordinate passes, the certificate's gap), glued by Python: the strong rule,
the start, the certificate's set-up and bookkeeping, the working sets and
the result.  On p >> n data that glue is a large share of a path (about 40%
of a 60 x 20,000 one, 20% of 200 x 5,000), since each of its dozen array
operations over the p features costs tens of microseconds.  :func:`cd_path`
runs the same steps, in the same order, in compiled code: the residual
storage with gradient bounds (the path's usual case: a float64 design,
dense column-major or CSC, gap-safe screening on, no unpenalised feature).
Some sums that Python took with NumPy are taken here in compiled loops, so
a point may differ from the alpha-by-alpha path's by rounding; on the tests'
problems they are the same bit for bit, in the same iterations
(``tests/test_cd_path.py``).
"""

import numpy as np
from numba import njit
from numba.extending import overload

from ..penalties._base import _subdiff_distance, separable_value
from ._base import KKT_TOL
from ._cd import _INNER_RATIO, _PRE
from ._cd_inner import inner_csc, inner_dense
from ._cd_kernels import (
    add_columns_csc,
    add_columns_dense,
    compact_columns,
    gap_safe_screen,
    start_point,
)
from ._certificates import _free_masks, _separable_gap
from ._grad_bounds import (
    _DENSE_SHARE,
    _SLACK,
    GradBounds,
    _columns_csc,
    _columns_dense,
    _needed,
)
from ._newton_loop import kth_largest
from ._newton_path import chunk_outputs, finish_point, path_arrays, run_chunks

__all__ = ["applies", "cd_path"]

_NO_DATA = np.empty(0)


@njit(cache=True, nogil=True)
def _gradient(storage, design, rs, r, w, pen, bounds, state):
    """:meth:`GradBounds.gradient` of a least-squares tracker (the drift of
    ``r`` in the weighted norm, products ``X_c' rs / n``): ``(g, exact)``,
    bounds where a product was skipped."""
    sw = design[3]
    col_norms, g_ref, at, need, r_last = bounds
    a, _, lower, upper = pen
    n, p = r.shape[0], w.shape[0]
    weighted = sw.shape[0] == n
    if state[2] > 0.0:
        step = 0.0
        for i in range(n):
            d = r[i] - r_last[i]
            step += d * (d * sw[i]) if weighted else d * d
        state[0] += np.sqrt(step) * (1.0 + _SLACK)
    r_last[:] = r
    state[2] = 1.0
    drift = state[0]
    out = np.empty(p)
    count = _needed(
        g_ref, at, drift, col_norms, w, a, lower, upper, state[1] > 0.0, need, out
    )
    total = 0.0
    for i in range(n):
        total += rs[i]
    full = count >= _DENSE_SHARE * p
    if full:
        need[:] = True
    _products(storage, design, (rs, total, float(n), need, drift, g_ref, at, out), full)
    if full:
        state[1] = 0.0
        return out, True
    return out, count == p


@njit(cache=True, nogil=True)
def _inner(storage, design, r, shift, w, ws, lips, pen, tol_in, budget, anderson):
    """``_ResidualState.inner``: coordinate passes on ``ws``."""
    offset, scale, _, sw = design
    a, c, lower, upper = pen
    n_block = max(anderson, 1)
    # One literal: Numba has no in-place tuple concatenation.
    tail = (
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
        anderson > 0,
    )
    return _passes(storage, ws, w.shape[0], tail)


@njit(cache=True, nogil=True)
def _set_zero(storage, design, r, shift, w, idx):
    """``_ResidualState.apply`` of ``-w[idx]``, then ``w[idx] = 0``."""
    offset, scale, _, _ = design
    _subtract(storage, (offset, scale, r, shift, idx, -w[idx]))
    w[idx] = 0.0


# The three operations that read X's storage, each chosen by the storage's
# type when Numba compiles (``(X,)`` dense, ``(data, indices, indptr)``
# CSC): a dense path never compiles the CSC kernels, nor a CSC one the dense
# (with both, a fresh environment's first lasso path compiled for 21.5 s
# instead of 8.5 s).  The stubs also run as plain Python.


def _choose_products(sparse):
    if sparse:

        def csc(storage, design, tail, full):
            data, indices, indptr = storage
            offset, scale, null, _ = design
            _columns_csc(data, indices, indptr, offset, scale, null, *tail)

        return csc

    def dense(storage, design, tail, full):
        X = storage[0]
        offset, scale, null, _ = design
        rs, total, n, _, drift, g_ref, at, out = tail
        if full:
            # One BLAS pass (X.T of a column-major X is row-major).
            prod = np.dot(X.T, rs)
            for j in range(out.shape[0]):
                value = 0.0 if null[j] else scale[j] * (prod[j] - offset[j] * total) / n
                out[j] = value
                g_ref[j] = value
                at[j] = drift
        else:
            _columns_dense(X, offset, scale, null, *tail)

    return dense


def _products(storage, design, tail, full):
    """``X_c' rs / n`` where ``need`` (all of it when ``full``) into ``out``
    and the bounds' reference (``tail`` as :func:`_columns_dense` takes it)."""
    return _choose_products(len(storage) == 3)(storage, design, tail, full)


@overload(_products, jit_options={"nogil": True})
def _products_typed(storage, design, tail, full):
    return _choose_products(len(storage) == 3)


def _choose_passes(sparse):
    if sparse:

        def csc(storage, ws, p, tail):
            data, indices, indptr = storage
            if ws.shape[0] * 20 >= p:
                # A sizeable part of X: one compact copy of its columns.
                s_data, s_indices, s_indptr = compact_columns(data, indices, indptr, ws)
                return inner_csc(
                    s_data, s_indices, s_indptr, np.arange(ws.shape[0]), *tail
                )
            return inner_csc(data, indices, indptr, ws, *tail)

        return csc

    def dense(storage, ws, p, tail):
        return inner_dense(storage[0], *tail)

    return dense


def _passes(storage, ws, p, tail):
    """The inner passes of ``_ResidualState.inner`` (``tail``: the kernels'
    arguments after the storage)."""
    return _choose_passes(len(storage) == 3)(storage, ws, p, tail)


@overload(_passes, jit_options={"nogil": True})
def _passes_typed(storage, ws, p, tail):
    return _choose_passes(len(storage) == 3)


def _choose_subtract(sparse):
    if sparse:

        def csc(storage, tail):
            data, indices, indptr = storage
            add_columns_csc(data, indices, indptr, tail[4], *tail)

        return csc

    def dense(storage, tail):
        add_columns_dense(storage[0], *tail)

    return dense


def _subtract(storage, tail):
    """``r -= X_c[:, idx] delta`` (``tail = (offset, scale, r, shift, idx,
    delta)``)."""
    return _choose_subtract(len(storage) == 3)(storage, tail)


@overload(_subtract, jit_options={"nogil": True})
def _subtract_typed(storage, tail):
    return _choose_subtract(len(storage) == 3)


@njit(cache=True, nogil=True)
def _working_set(w, kkt, alive, ws_start):
    """``CoordinateDescent._working_set``: the support and the largest KKT
    violators among the live features, at least doubling the support."""
    p = w.shape[0]
    n_cand, n_support = 0, 0
    for j in range(p):
        if alive[j] and (w[j] != 0.0 or kkt[j] > 0.0):
            n_cand += 1
            if w[j] != 0.0:
                n_support += 1
    size = max(ws_start, 2 * n_support)
    take = np.zeros(p, np.bool_)
    if size >= n_cand:
        for j in range(p):
            take[j] = alive[j] and (w[j] != 0.0 or kkt[j] > 0.0)
        return np.flatnonzero(take)
    extra = size - n_support
    others = np.empty(n_cand - n_support)
    m = 0
    for j in range(p):
        if alive[j] and w[j] == 0.0 and kkt[j] > 0.0:
            others[m] = kkt[j]
            m += 1
    cut = kth_largest(others, extra) if extra > 0 else np.inf
    taken = 0
    for j in range(p):
        if alive[j] and w[j] != 0.0:
            take[j] = True
        elif alive[j] and kkt[j] > cut and kkt[j] > 0.0:
            take[j] = True
            taken += 1
    for j in range(p):
        if taken >= extra:
            break
        if alive[j] and w[j] == 0.0 and not take[j] and kkt[j] == cut and kkt[j] > 0.0:
            take[j] = True
            taken += 1
    return np.flatnonzero(take)


@njit(cache=True, nogil=True)
def _solve(fixed, pen, targets, settings, w, r, strong):
    """``CoordinateDescent._outer`` from ``w`` (its residual ``r``): moves
    both to the certified point.  Returns ``(n_iter, gap, tol_abs, kkt_max,
    converged, rr, g, exact)``."""
    storage, design, y_w, lips, norms, bounds, state, _ = fixed
    a, c, lower, upper = pen
    gap_floor, kkt_target = targets
    tol, ws_start, max_iter, anderson, screening = settings
    n, p = r.shape[0], w.shape[0]
    sw = design[3]
    weighted = sw.shape[0] == n
    shift = np.zeros(1)
    alive = lips > 0.0
    n_iter = 0
    warm = False
    for j in range(p):
        if a[j] > 0.0 and w[j] != 0.0:
            warm = True
    use_strong = True
    if warm and np.isfinite(kkt_target):
        take = np.zeros(p, np.bool_)
        for j in range(p):
            take[j] = alive[j] and (strong[j] or w[j] != 0.0)
        use_strong = False
        tol_in = _PRE * kkt_target
        n_iter += _inner(
            storage,
            design,
            r,
            shift,
            w,
            np.flatnonzero(take),
            lips,
            pen,
            tol_in,
            max_iter - 1,
            anderson,
        )
    res = np.empty(n)
    rs = np.empty(n)
    while True:
        n_iter += 1
        for i in range(n):
            res[i] = r[i] + shift[0]
            rs[i] = res[i] * sw[i] if weighted else res[i]
        g, exact = _gradient(storage, design, rs, res, w, pen, bounds, state)
        rr, yr = 0.0, 0.0
        for i in range(n):
            rr += rs[i] * res[i]
            yr += y_w[i] * res[i]
        gap, primal, _, best_t = _separable_gap(rr, yr, rr, g, w, pen, n)
        neg = -g
        kkt = _subdiff_distance(w, neg, a, c, lower, upper)
        kkt_max = 0.0
        for j in range(p):
            kkt_max = max(kkt_max, kkt[j])
        tol_abs = max(tol * abs(primal), gap_floor)
        converged = gap <= tol_abs and kkt_max <= kkt_target
        if converged or n_iter >= max_iter:
            break
        if screening and np.isfinite(gap):
            radius = np.sqrt(2.0 * max(gap, 0.0) / n)
            gap_safe_screen(best_t * g, norms, radius, a, lower, upper, alive)
            dead = np.zeros(p, np.bool_)
            for j in range(p):
                dead[j] = not alive[j] and w[j] != 0.0 and lips[j] > 0.0
            idx = np.flatnonzero(dead)
            if idx.shape[0]:
                _set_zero(storage, design, r, shift, w, idx)
                continue
        if use_strong:
            take = np.zeros(p, np.bool_)
            for j in range(p):
                take[j] = alive[j] and (strong[j] or w[j] != 0.0)
            ws = np.flatnonzero(take)
            use_strong = False
        else:
            ws = _working_set(w, kkt, alive, ws_start)
        top = 0.0
        for j in range(p):
            if alive[j]:
                top = max(top, kkt[j])
        n_iter += _inner(
            storage,
            design,
            r,
            shift,
            w,
            ws,
            lips,
            pen,
            _INNER_RATIO * top,
            max_iter - n_iter,
            anderson,
        )
    r[:] = res
    return n_iter, gap, tol_abs, kkt_max, converged, rr, g, exact


@njit(cache=True, nogil=True)
def cd_chunk(fixed, unit, alphas, targets, settings, carry):
    """Solve at each of ``alphas`` (decreasing) from the state in ``carry``.

    - ``fixed = (storage, design, y_w, lips, norms, bounds, state,
      constant)``: ``storage = (X,)`` (dense) or ``(data, indices, indptr)``,
      ``design = (offset, scale, null, sw)`` of the centred design, ``y_w``
      the weighted target, the coordinates' Lipschitz constants, the column
      norms of screening, the gradient bounds' arrays and scalars ``[drift,
      stale, has_last]``, the constant columns;
    - ``unit = (v, rho, lower, upper)``: the penalty factors, l1 ratio and
      bounds (the l1 weights at alpha = 1 are ``rho v``);
    - ``targets = (gap_floors, kkt_targets)`` per alpha;
    - ``settings = (tol, ws_start, max_iter, anderson, screening,
      null_value, saturation, intercept)``;
    - ``carry = (w, grad, r, scalars)``: the last solution, its gradient
      (or bounds), its residual and ``[prev_alpha, prev_dev, count]``.

    Returns what :func:`._newton_path.path_chunk` returns.
    """
    v, rho, lower, upper = unit
    floors, kkt_targets = targets
    tol, ws_start, max_iter, anderson, screening, null_value, saturation, b = settings
    w, grad, r, scalars = carry
    constant = fixed[7]
    m, p = alphas.shape[0], w.shape[0]
    arrays = chunk_outputs(m, p)
    values, index = arrays[8], arrays[9]
    setup = (null_value, saturation)
    strong = np.empty(p, np.bool_)
    done, stopped = 0, False
    for k in range(m):
        alpha = alphas[k]
        level = 2.0 * alpha - scalars[0]
        for j in range(p):
            unit_j = rho * v[j]
            strong[j] = abs(grad[j]) >= level * unit_j or unit_j == 0.0
        # Problem.penalty_arrays: (alpha rho) v and (alpha (1 - rho)) v.
        pen = (alpha * rho * v, alpha * (1.0 - rho) * v, lower, upper)
        _, w_start = start_point(w, lower, upper, constant, True)
        rule = (floors[k], kkt_targets[k])
        solve_settings = (tol, ws_start, max_iter, anderson, screening)
        res = _solve(fixed, pen, rule, solve_settings, w_start, r, strong)
        w[:] = w_start
        grad[:] = res[6] if res[7] else fixed[5][1]
        stats = (res[0], res[1], res[2], res[3], res[4], b)
        value = res[5] / (2 * r.shape[0])
        values, index, stopped = finish_point(
            arrays, k, alpha, w, stats, value, setup, scalars, values, index
        )
        done = k + 1
        if stopped:
            break
    return (done, stopped) + arrays[:8] + (index, values)


def applies(problem, alphas):
    """Whether :func:`cd_path` can run ``problem``'s path on ``alphas``."""
    from ._cd import CoordinateDescent

    solver = problem.solver
    d = problem.design
    if (
        type(solver) is not CoordinateDescent
        or solver.verbose
        or not solver.screening
        or not problem.centred
        or problem.block
        or problem.K != 1
        or not len(alphas)
        or not alphas[-1] > 0
        or d.dtype != np.float64
        or not GradBounds.applies(d)
        or solver.use_gram(d)
    ):
        return False
    key = "cd_path_applies"
    if key not in problem.cache:
        # No unpenalised feature (the dual point is then projected).
        a, c, lower, upper = problem.penalty_arrays(1.0, d.dtype)
        free, maybe, any_free = _free_masks(a, c, lower, upper, d.constant)
        problem.cache[key] = not (any_free or maybe.any())
    return problem.cache[key]


def cd_path(problem, alphas, alpha_max, w_top, null_value, saturation, bar):
    """The path of :func:`sparsefit.path.path_points` on ``alphas`` (all
    positive) when :func:`applies`, in compiled calls of :func:`cd_chunk`;
    the gradient bounds are left as the last solve leaves them.  Returns a
    :class:`._newton_path.PathArrays`."""
    solver, d, cache = problem.solver, problem.design, problem.cache
    n = d.n_samples
    X = d.X
    if d.sparse:
        storage = (X.data, X.indices.astype(np.int64), X.indptr.astype(np.int64))
    else:
        storage = (X,)
    sw = (
        _NO_DATA
        if d.sample_weight is None
        else np.asarray(d.sample_weight, dtype=float)
    )
    if "grad_bounds" not in cache:
        cache["grad_bounds"] = GradBounds.least_squares(d)
    tracker = cache["grad_bounds"]
    offset, scale = np.asarray(d.offset, dtype=float), np.asarray(d.scale, dtype=float)
    design = (offset, scale, tracker.null, sw)
    lips, norms = solver._constants(cache, "residual", lambda: d.col_sq_norms / n, d)
    y = problem.y
    y_w = y if d.sample_weight is None else y * d.sample_weight
    w = np.array(w_top, dtype=float)
    # The first solve's start and its residual, as _ResidualState forms them.
    v, lower, upper = problem.penalty_factors(np.float64)
    start = start_point(w, lower, upper, d.constant, True)[1]
    r = tracker.residual_for(start)
    if r is None:
        r = y - d.matvec(start) if start.any() else y.copy()
    has_last = tracker.r_last is not None
    r_last = tracker.r_last.copy() if has_last else np.zeros(n)
    bounds = (tracker.col_norms, tracker.g_ref, tracker.at, tracker.need, r_last)
    state = np.array([tracker.drift, tracker.stale, has_last])
    constant = np.asarray(d.constant, dtype=np.bool_)
    fixed = (storage, design, np.ascontiguousarray(y_w, dtype=float), lips, norms)
    fixed += (bounds, state, constant)
    rho = float(problem.template.l1_ratio)
    alphas = np.ascontiguousarray(alphas, dtype=float)
    targets = _targets(problem, y_w, alphas, lips)
    settings = (float(solver.tol), int(solver.ws_start), int(solver.max_iter))
    settings += (int(solver.anderson), bool(solver.screening), float(null_value))
    settings += (bool(saturation), float(problem.y_mean))
    grad = np.ascontiguousarray(problem.grad_neg(w_top), dtype=float).copy()
    scalars = np.array([max(alpha_max, alphas[0]), 0.0, 0.0])
    carry = (w, grad, np.ascontiguousarray(r, dtype=float), scalars)
    unit = (v, rho, lower, upper)
    parts, stopped = run_chunks(
        cd_chunk, fixed, unit, alphas, targets, settings, carry, bar
    )
    tracker.drift, tracker.stale = float(state[0]), bool(state[1])
    tracker.r_last, tracker.w_last = r_last.copy(), w.copy()
    return path_arrays(problem, parts, design[1], stopped)


def _targets(problem, y_w, alphas, lips):
    """The gap floors and KKT targets of CoordinateDescent's StoppingRule
    at each alpha, from ``P(w_ref)`` (``w_ref`` 0 projected on the bounds)."""
    d = problem.design
    n = d.n_samples
    v, lower, upper = problem.penalty_factors(d.dtype)
    w_ref = np.clip(0.0, lower, upper)
    if not w_ref.any():
        refs = np.full(alphas.shape, float(np.dot(y_w, problem.y)) / (2 * n))
    else:
        r = problem.y - d.matvec(w_ref)
        fit = float(np.dot(r if d.sample_weight is None else r * d.sample_weight, r))
        refs = np.array(
            [
                fit / (2 * n)
                + separable_value(w_ref, *problem.penalty_arrays(alpha, d.dtype))
                for alpha in alphas
            ]
        )
    eps = np.finfo(d.dtype).eps
    grad_scale = np.sqrt(2 * refs * lips.max(initial=0.0))
    a_max = alphas * problem.template.l1_ratio * v.max(initial=0.0)
    kkt = np.where(
        a_max > 0, np.maximum(KKT_TOL * a_max, 64 * eps * np.abs(grad_scale)), np.inf
    )
    return 4 * eps * np.abs(refs), kkt
