"""A single-output GLM's whole path in one compiled call.

Along a path, each alpha of :meth:`ProxNewton.solve`'s compiled loop
(:func:`._newton_loop.solve_single`) costs tens of microseconds of arithmetic
on data of a few hundred samples, and the Python around it (the strong rule,
the warm start's extrapolation, the certificate's set-up, the result) cost as
much again: 7.1 of a 16.3 ms Cox path on the veterans' data (137 x 8), 12.3
of a 21.8 ms logistic path on Golub's (38 x 3,051).  :func:`newton_path` runs
those steps between the alphas in compiled code too, the same steps in the
same order, so that its points are those of the alpha-by-alpha path, bit for
bit (``tests/test_newton_path.py``).
"""

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
from numba import njit

from .._problem import _extrapolated, _same
from ._base import KKT_TOL, warn_not_converged
from ._glm_certificate import MatrixPenalty
from ._grad_bounds import GradBounds
from ._newton_loop import solve_single

__all__ = [
    "PathArrays",
    "chunk_outputs",
    "finish_point",
    "newton_path",
    "path_arrays",
    "run_chunks",
]

# Alphas per compiled call when progress is shown (else the whole grid).
_CHUNK = 10


@dataclass
class PathArrays:
    """What :func:`newton_path` returns: one entry per alpha solved.

    ``coefs`` is CSC (n_features, n_alphas) on the original scale; the
    others are arrays of length n_alphas.
    """

    coefs: sp.csc_matrix
    intercepts: np.ndarray
    dual_gaps: np.ndarray
    gap_tols: np.ndarray
    kkt_violations: np.ndarray
    n_iters: np.ndarray
    dev_ratio: np.ndarray
    stopped: bool


@njit(cache=True, nogil=True)
def _grow(values, index, size):
    """``values`` and ``index`` with room for ``size`` entries."""
    if size <= values.shape[0]:
        return values, index
    cap = max(size, 2 * values.shape[0])
    new_v, new_i = np.empty(cap), np.empty(cap, np.int64)
    new_v[: values.shape[0]] = values
    new_i[: index.shape[0]] = index
    return new_v, new_i


@njit(cache=True, nogil=True)
def record_point(w, k, indptr, values, index):
    """Append the non-zeros of ``w`` as column ``k`` of the path's CSC
    storage (``indptr[k + 1]`` set); returns the storage, grown if needed."""
    nnz = indptr[k]
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            nnz += 1
    values, index = _grow(values, index, nnz)
    at = indptr[k]
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            values[at], index[at] = w[j], j
            at += 1
    indptr[k + 1] = at
    return values, index


@njit(cache=True, nogil=True)
def chunk_outputs(m, p):
    """A chunk's arrays for ``m`` alphas: ``(n_iter, gap, tol_abs, kkt,
    converged, dev, intercept, indptr)`` and the coefficients' storage
    ``(values, index)``, grown by :func:`finish_point`."""
    return (
        np.zeros(m, np.int64),
        np.zeros(m),
        np.zeros(m),
        np.zeros(m),
        np.zeros(m, np.bool_),
        np.zeros(m),
        np.zeros(m),
        np.zeros(m + 1, np.int64),
        np.empty(4 * p),
        np.empty(4 * p, np.int64),
    )


@njit(cache=True, nogil=True)
def finish_point(arrays, k, alpha, w, stats, value, setup, scalars, values, index):
    """Store alpha ``k``'s point: ``stats = (n_iter, gap, tol_abs, kkt,
    converged, intercept)`` into :func:`chunk_outputs`'s ``arrays``, the
    deviance explained from the datafit's ``value`` against ``setup =
    (null_value, saturation)``, ``w`` as column ``k`` (:func:`record_point`),
    and glmnet's saturation test (path._saturated) against the last alpha
    (``scalars = [prev_alpha, prev_dev, count]``, moved to this one);
    returns ``(values, index, stopped)``."""
    n_iter, gaps, tols, kkts, converged, devs, intercepts, indptr = arrays[:8]
    n_iter[k], gaps[k], tols[k], kkts[k] = stats[0], stats[1], stats[2], stats[3]
    converged[k], intercepts[k] = stats[4], stats[5]
    null_value, saturation = setup
    dev = 1.0 - value / null_value if null_value > 0.0 else 0.0
    devs[k] = dev
    values, index = record_point(w, k, indptr, values, index)
    stopped = False
    if saturation and scalars[2] > 0.0:
        last = scalars[1]
        stopped = dev > 0.999 or (dev > 0.0 and dev - last < 1e-5 * dev)
    scalars[0], scalars[1], scalars[2] = alpha, dev, scalars[2] + 1.0
    return values, index, stopped


@njit(cache=True, nogil=True)
def _start(w, b, alpha, hist, lower, upper, constant, check):
    """The warm start at ``alpha``: the last solution, extrapolated linearly
    in log(alpha) from the last two as :meth:`Problem._extrapolate` does.
    ``check``: whether to test that ``w`` is the last remembered solution
    (after :func:`_remember` inside a chunk it is by construction)."""
    h_alpha, h_W, h_b, h_count = hist
    p = w.shape[0]
    b_start = b.copy()
    a0, a1 = h_alpha[0], h_alpha[1]
    extrapolate = h_count[0] == 2 and a0 > a1 > alpha
    if extrapolate and check:
        extrapolate = _same(h_W[1], w)
    if extrapolate:
        r = np.log(a1 / alpha) / np.log(a0 / a1)
        guess = _extrapolated(
            h_W[0].reshape((p, 1)), h_W[1].reshape((p, 1)), r, lower, upper
        )
        start = guess.reshape(p)
        b_start[0] = h_b[1] + r * (h_b[1] - h_b[0])
    else:
        start = w.copy()
    for j in range(p):
        if constant[j]:
            start[j] = 0.0
    return start, b_start


@njit(cache=True, nogil=True)
def _remember(hist, alpha, w, b):
    """Keep the last two solutions, as :meth:`Problem.solve` does."""
    h_alpha, h_W, h_b, h_count = hist
    h_alpha[0], h_b[0] = h_alpha[1], h_b[1]
    for j in range(w.shape[0]):
        h_W[0, j] = h_W[1, j]
        h_W[1, j] = w[j]
    h_alpha[1], h_b[1] = alpha, b[0]
    h_count[0] = min(h_count[0] + 1, 2)


@njit(cache=True, nogil=True)
def path_chunk(fixed, unit, alphas, targets, settings, carry, hist):
    """Solve at each of ``alphas`` (decreasing) from the state in ``carry``.

    Parameters (arrays updated in place where said):

    - ``fixed = (model_data, o, storage, scale, constant, null, buffers,
      bounds, state, history)``: the arguments of :func:`solve_single`
      that are the same at every alpha (``state[3] == 0``: no gradient
      bounds, a fresh ``state`` at each alpha, as without a tracker);
    - ``unit = (a, c, lower, upper)``: the penalty at alpha = 1;
    - ``targets = (gap_floors, kkt_targets)`` per alpha (see StoppingRule);
    - ``settings = (tol, ws_start, max_iter, n, null_value, saturation)``;
    - ``carry = (w, grad, b, scalars)``: the last solution, minus the
      datafit's gradient there, the intercept, and ``[prev_alpha,
      prev_dev, count]``, all moved to the last alpha solved here;
    - ``hist = (alphas, W, b, count)``: the last two solutions, for the
      warm start's extrapolation.

    Returns ``(done, stopped, n_iter, gap, tol_abs, kkt, converged, dev,
    intercept, indptr, index, values)``, the coefficients (design
    coordinates) of alpha ``k`` at ``index[indptr[k]:indptr[k + 1]]``.
    """
    model_data, o, storage, scale, constant, null, buffers, bounds, state, history = (
        fixed
    )
    a1, c1, lower, upper = unit
    floors, kkt_targets = targets
    tol, ws_start, max_iter, n, null_value, saturation = settings
    w, grad, b, scalars = carry
    m, p = alphas.shape[0], w.shape[0]
    arrays = chunk_outputs(m, p)
    values, index = arrays[8], arrays[9]
    setup = (null_value, saturation)
    track = state[3] > 0.0
    done, stopped = 0, False
    strong = np.empty(p, np.bool_)
    for k in range(m):
        alpha = alphas[k]
        # The sequential strong rule (Problem.strong_set).
        level = 2.0 * alpha - scalars[0]
        for j in range(p):
            strong[j] = abs(grad[j]) >= level * a1[j] or a1[j] == 0.0
        start, b_start = _start(w, b, alpha, hist, lower, upper, constant, k == 0)
        if not track:
            state[:] = 0.0
        pen = (alpha * a1, alpha * c1, lower, upper)
        rule = (tol, floors[k], kkt_targets[k], np.nan)
        out = solve_single(
            model_data,
            o,
            storage,
            scale,
            constant,
            null,
            pen,
            start,
            b_start,
            strong,
            rule,
            (ws_start, max_iter, n),
            buffers,
            bounds,
            state,
            history,
        )
        w[:] = start
        b[:] = b_start
        grad_neg, exact, value = out[7], out[8], out[9]
        if exact:
            grad[:] = grad_neg
        else:
            grad[:] = -bounds[1]
        _remember(hist, alpha, w, b)
        stats = (out[0], out[2], out[5], out[4], out[6], b[0])
        values, index, stopped = finish_point(
            arrays, k, alpha, w, stats, value, setup, scalars, values, index
        )
        done = k + 1
        if stopped:
            break
    return (done, stopped) + arrays[:8] + (index, values)


def applies(problem, alphas):
    """Whether :func:`newton_path` can run ``problem``'s path on
    ``alphas``: the compiled loop of :class:`ProxNewton` at every alpha."""
    from ._prox_newton import ProxNewton

    solver = problem.solver
    if (
        not isinstance(solver, ProxNewton)
        or solver.verbose
        or problem.centred
        or problem.block
        or problem.K != 1
        or problem.grouped
        or not len(alphas)
        or not alphas[-1] > 0
    ):
        return False
    cert = problem.certificate(1.0)
    if type(cert.penalty) is not MatrixPenalty or cert.penalty.grouped:
        return False
    key = ("newton_loop_applies", True, True)
    if key not in problem.cache:
        from ._prox_newton import _compiled_loop

        problem.cache[key] = _compiled_loop(cert, True)
    return problem.cache[key]


def newton_path(problem, alphas, alpha_max, w_top, null_value, saturation, bar):
    """The path of :func:`sparsefit.path.path_points` on ``alphas`` (all
    positive) when :func:`applies`, in compiled calls of :func:`path_chunk`
    (several when ``bar``, a :class:`Progress`, is shown); the problem is
    left as the last solve leaves it.  Returns a :class:`PathArrays`."""
    solver = problem.solver
    cert = problem.certificate(1.0)
    d = cert.design
    n, p = d.n_samples, d.n_features
    if GradBounds.applies(d):
        if "grad_bounds" not in problem.cache:
            problem.cache["grad_bounds"] = GradBounds.raw(d)
        cert.bounds = problem.cache["grad_bounds"]
    static, bounds, state = solver.loop_arguments(cert, problem.cache)
    tracker = cert.bounds
    work = static[6]
    fixed = static[:6] + (work[:4], bounds, state, static[7])
    unit = problem._unit_arrays()
    alphas = np.ascontiguousarray(alphas, dtype=float)
    targets = _targets(problem, unit, alphas)
    settings = (float(solver.tol), int(solver.ws_start), int(solver.max_iter), n)
    settings += (float(null_value), bool(saturation))
    W0, b0, _ = problem.null_fit()
    w = np.ascontiguousarray(w_top, dtype=float).copy()
    b = (b0 if problem._last_b is None else problem._last_b).astype(float).copy()
    grad = np.ascontiguousarray(problem.grad_neg(w_top), dtype=float).copy()
    scalars = np.array([max(alpha_max, alphas[0]), 0.0, 0.0])
    carry = (w, grad, b, scalars)
    hist = _history(problem, p)
    parts, stopped = run_chunks(
        path_chunk, fixed, unit, alphas, targets, settings, carry, bar, hist
    )
    if tracker is not None:
        tracker.drift, tracker.stale = float(state[0]), bool(state[1])
        tracker.r_last, tracker.w_last = bounds[4].copy(), w.copy()
    _leave(problem, hist, b)
    return path_arrays(problem, parts, static[3], stopped)


def run_chunks(chunk, fixed, unit, alphas, targets, settings, carry, bar, *extra):
    """Call ``chunk`` on the whole grid, or on runs of ``_CHUNK`` alphas
    when ``bar`` (a :class:`Progress`) is shown, until the grid ends or a
    chunk says the path saturated; returns ``(parts, stopped)``."""
    step = _CHUNK if bar.enabled else alphas.shape[0]
    parts, stopped = [], False
    for lo in range(0, alphas.shape[0], step):
        hi = min(lo + step, alphas.shape[0])
        part = chunk(
            fixed,
            unit,
            alphas[lo:hi],
            tuple(t[lo:hi] for t in targets),
            settings,
            carry,
            *extra,
        )
        parts.append(part)
        bar.update(part[0])
        stopped = part[1]
        if stopped:
            break
    return parts, stopped


def _targets(problem, unit, alphas):
    """The gap floors and KKT targets of :func:`glm_rule` at each alpha."""
    W0, _, value = problem.null_fit()
    eps = np.finfo(float).eps
    # P(w_ref): the null model's penalty is 0 unless the bounds exclude 0.
    refs = np.full(alphas.shape, value)
    if W0.any():
        refs += [problem.matrix_penalty(alpha).value(W0) for alpha in alphas]
    floors = 4 * eps * np.abs(refs)
    if problem._grad_scale is None:
        problem._grad_scale = float(np.abs(problem.null_grad()).max(initial=0.0))
    a_max = alphas * unit[0].max(initial=0.0)
    kkt_floor = 64 * eps * abs(problem._grad_scale)
    kkt = np.where(a_max > 0, np.maximum(KKT_TOL * a_max, kkt_floor), np.inf)
    return floors, kkt


def _history(problem, p):
    """:meth:`Problem._extrapolate`'s last two solutions as arrays."""
    h_alpha, h_W, h_b = np.zeros(2), np.zeros((2, p)), np.zeros(2)
    past = [h for h in problem._history if h[1].shape == (p, 1)]
    for slot, (alpha, W, b) in zip(range(2 - len(past), 2), past, strict=True):
        h_alpha[slot], h_W[slot], h_b[slot] = alpha, W[:, 0], b[0]
    return h_alpha, h_W, h_b, np.array([len(past)], np.int64)


def _leave(problem, hist, b):
    """The problem's state after its last solve (for later warm starts)."""
    h_alpha, h_W, h_b, h_count = hist
    problem._last_b = b.copy()
    past = []
    for slot in range(2 - int(h_count[0]), 2):
        past.append(
            (float(h_alpha[slot]), h_W[slot][:, None].copy(), np.array([h_b[slot]]))
        )
    past[-1] = (past[-1][0], past[-1][1], problem._last_b)
    problem._history = past


def path_arrays(problem, parts, scale, stopped):
    """:class:`PathArrays` from the chunks, on the original scale."""
    d = problem.design
    size = sum(int(part[0]) for part in parts)
    indptr = np.zeros(size + 1, np.int64)
    index, values, columns = [], [], {}
    at = 0
    for part in parts:
        done, ptr = int(part[0]), part[9]
        index.append(part[10][: ptr[done]])
        values.append(part[11][: ptr[done]])
        indptr[at + 1 : at + done + 1] = indptr[at] + ptr[1 : done + 1]
        at += done
    for name, slot in (("n_iter", 2), ("gap", 3), ("tol", 4), ("kkt", 5)):
        columns[name] = np.concatenate([part[slot][: int(part[0])] for part in parts])
    for name, slot in (("converged", 6), ("dev", 7), ("b", 8)):
        columns[name] = np.concatenate([part[slot][: int(part[0])] for part in parts])
    index, values = np.concatenate(index), np.concatenate(values)
    shape = (d.n_features, size)
    # The design's centred columns carry their mean in the intercept.
    coefs = sp.csc_matrix((values * scale[index], index, indptr), shape=shape)
    intercepts = columns["b"] - coefs.T @ d.mean
    if problem.shift_invariant:
        intercepts = np.zeros(size)
    for k in np.flatnonzero(~columns["converged"]):
        result = SimpleNamespace(
            n_iter=int(columns["n_iter"][k]),
            dual_gap=float(columns["gap"][k]),
            tol_abs=float(columns["tol"][k]),
            kkt_violation=float(columns["kkt"][k]),
        )
        warn_not_converged(problem.solver.name, result, problem.solver.max_iter)
    return PathArrays(
        coefs=coefs,
        intercepts=intercepts,
        dual_gaps=columns["gap"],
        gap_tols=columns["tol"],
        kkt_violations=columns["kkt"],
        n_iters=columns["n_iter"],
        dev_ratio=columns["dev"],
        stopped=bool(stopped),
    )
