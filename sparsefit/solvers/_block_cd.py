"""Working-set block coordinate descent for least squares with a group penalty.

Minimises the centred problem

.. math::

    P(w) = \\frac{1}{2n} \\|y_c - X_c w\\|_S^2 + \\sum_G \\left(
    \\lambda_G \\|w_G\\|_2 + \\sum_{j \\in G} \\mu_j |w_j|
    + \\frac{\\gamma_G}{2} \\|w_G\\|_2^2 \\right),

the group lasso (``mu = 0``), the sparse-group lasso, and either with a
ridge term (``gamma > 0``, glmnet's mgaussian elastic net).  Each visit of a
group minimises the objective along it: one pass over its columns gives the
gradient ``-X_G' S r / n``, then proximal-gradient iterations with step
``1 / L_G`` (``L_G = ||Q_G||_2``) on the exact quadratic model, whose
gradient moves by ``Q_G = X_G' S X_G / n`` (cached per group), so they cost
``O(|G|^2)`` each instead of a pass over the samples; each iteration is the
group's prox (soft-threshold, then block shrink; Simon et al. 2013), and
the residual is updated once at the end.  As in the separable solver, each
outer iteration computes the duality gap and the per-group KKT violations
over every feature, stops on :class:`~sparsefit.solvers.StoppingRule`, and
otherwise runs passes over a working set of groups (the non-zero ones and
the largest violators) until its violation is a fraction of the whole
problem's.  Centring is implicit, as in :mod:`._cd_kernels`.
"""

import numpy as np
from numba import njit

from ..penalties._group import sg_group_distance
from ._base import SolverResult, StoppingRule, warn_not_converged
from ._cd import _ResidualState
from ._cd_inner import _anderson_point, _half_norm
from ._cd_kernels import _FAST
from ._certificates import BlockQuadraticCertificate

__all__ = ["BlockCoordinateDescent"]

# A pass over the working set stops once its KKT violation is below this
# fraction of the whole problem's (as in the separable solver).
_INNER_RATIO = 0.3
# Passes between Anderson extrapolations of the working set's iterates.
_ANDERSON = 5


@njit(cache=True, nogil=True, fastmath=_FAST)
def _grad_dense(X, j, offset, scale, sw, r, shift):
    n = X.shape[0]
    dot = 0.0
    if sw.shape[0] == n:
        for i in range(n):
            dot += X[i, j] * sw[i] * r[i]
    else:
        for i in range(n):
            dot += X[i, j] * r[i]
    return scale[j] * (dot + n * offset[j] * shift[0]) / n


@njit(cache=True, nogil=True, fastmath=_FAST)
def _move_dense(X, j, offset, scale, r, shift, delta):
    d = delta * scale[j]
    for i in range(X.shape[0]):
        r[i] -= d * X[i, j]
    shift[0] += d * offset[j]


@njit(cache=True, nogil=True, fastmath=_FAST)
def _grad_csc(data, indices, indptr, j, offset, scale, sw, r, shift):
    n = r.shape[0]
    dot = 0.0
    if sw.shape[0] == n:
        for p in range(indptr[j], indptr[j + 1]):
            i = indices[p]
            dot += data[p] * sw[i] * r[i]
    else:
        for p in range(indptr[j], indptr[j + 1]):
            dot += data[p] * r[indices[p]]
    return scale[j] * (dot + n * offset[j] * shift[0]) / n


@njit(cache=True, nogil=True, fastmath=_FAST)
def _move_csc(data, indices, indptr, j, offset, scale, r, shift, delta):
    d = delta * scale[j]
    for p in range(indptr[j], indptr[j + 1]):
        r[indices[p]] -= d * data[p]
    shift[0] += d * offset[j]


# Proximal-gradient iterations on one group's exact quadratic model per visit
# (its Gram matrix is cached, so they cost O(|G|^2) each, not a pass over n).
_MAX_INNER = 100


@njit(cache=True, nogil=True)
def _exact_group(v, zc, Q, V, lam, l2, ridge):
    """The minimiser of the group's model ``-zc'(u - v) + (u - v)'Q(u - v)/2
    + l2 ||u|| + ridge ||u||^2 / 2`` with ``Q = V diag(lam) V'``, ``l2 > 0``.

    With ``b = zc + Q v``: ``u = 0`` when ``||b|| <= l2``, else ``u = V c /
    (lam + ridge + mu)`` for ``c = V'b`` and the ``mu > 0`` at which ``mu =
    l2 / ||u||``, the root of ``phi(mu) = 1 / ||u(mu)|| - mu / l2``.
    ``1 / ||u(mu)||`` is concave in ``mu`` (Moré and Sorensen 1983) and at
    most ``(max(lam) + ridge + mu) / ||b||``, so ``phi < 0`` beyond
    ``(max(lam) + ridge) l2 / (||b|| - l2)``: Newton's method from there
    decreases monotonically to the root."""
    m = v.shape[0]
    b = zc.copy()
    for a in range(m):
        for k in range(m):
            b[a] += Q[a * m + k] * v[k]
    norm = 0.0
    for a in range(m):
        norm += b[a] * b[a]
    u = np.zeros(m)
    norm = np.sqrt(norm)
    if norm <= l2:
        return u
    c = np.zeros(m)
    for k in range(m):
        for a in range(m):
            c[k] += V[a * m + k] * b[a]
    mu = (lam[m - 1] + ridge) * l2 / (norm - l2) * (1.0 + 1e-12)
    for _ in range(100):
        s2, s3 = 0.0, 0.0
        for k in range(m):
            q = c[k] / (lam[k] + ridge + mu)
            s2 += q * q
            s3 += q * q / (lam[k] + ridge + mu)
        size = np.sqrt(s2)
        phi = 1.0 / size - mu / l2
        if phi >= 0.0:
            break  # at the root, to rounding
        step = phi / (s3 / (size * s2) - 1.0 / l2)
        mu -= step
        if step <= 1e-15 * mu:
            break
    for k in range(m):
        q = c[k] / (lam[k] + ridge + mu)
        for a in range(m):
            u[a] += V[a * m + k] * q
    return u


@njit(cache=True, nogil=True)
def _step(w, z, x, g, order, gptr, lips, l1, l2, ridge, grams, goff, eig, tol):
    """Minimise the datafit's quadratic model along group ``g`` (exact up to
    ``tol`` in gradient units) from the gradient in ``z``: the new values in
    ``x``; returns the group's KKT violation before the step.  A penalised
    group with no l1 part and a positive definite model (``eig = (values,
    vectors)``, ascending) is minimised in closed form up to one scalar
    equation (:func:`_exact_group`); the others by proximal-gradient
    iterations.  (An unpenalised group keeps the iterations: at a knife-edge
    alpha just above alpha_max its exact Newton point left a penalised
    neighbour at 1e-8, optimal to rounding, where they reach an exact 0.)"""
    j0, j1 = gptr[g], gptr[g + 1]
    viol = sg_group_distance(w, z, j0, j1, order, l1, l2[g], ridge[g])
    m = j1 - j0
    L = lips[g]
    v = np.empty(m)
    zc = np.empty(m)
    t = np.empty(m)
    lasso = False
    for k in range(m):
        j = order[j0 + k]
        v[k] = w[j]
        zc[k] = z[j]
        lasso = lasso or l1[j] != 0.0
    evals, evecs = eig
    well_posed = evals[j0] + ridge[g] > 1e-10 * (L + ridge[g])
    if m > 1 and not lasso and l2[g] > 0.0 and well_posed:
        o = goff[g]
        u = _exact_group(
            v,
            zc,
            grams[o : o + m * m],
            evecs[o : o + m * m],
            evals[j0:j1],
            l2[g],
            ridge[g],
        )
        for k in range(m):
            x[order[j0 + k]] = u[k]
        return viol
    for _ in range(_MAX_INNER):
        # One prox-gradient step on the model: soft-threshold, block shrink,
        # and the ridge term's division (see sg_prox_group).
        sq = 0.0
        for k in range(m):
            j = order[j0 + k]
            u = v[k] + zc[k] / L
            s = l1[j] / L
            u = u - s if u > s else (u + s if u < -s else 0.0)
            t[k] = u
            sq += u * u
        norm = np.sqrt(sq)
        shrink = 0.0
        if norm > l2[g] / L:
            shrink = (1.0 - l2[g] / (L * norm)) / (1.0 + ridge[g] / L)
        moved = 0.0
        for k in range(m):
            t[k] = t[k] * shrink if shrink > 0.0 else 0.0
            moved = max(moved, abs(t[k] - v[k]))
        if moved == 0.0:
            break
        # The model's gradient at the new point: z - Q (t - v).
        for a in range(m):
            acc = 0.0
            for b in range(m):
                acc += grams[goff[g] + a * m + b] * (t[b] - v[b])
            zc[a] -= acc
        for k in range(m):
            v[k] = t[k]
        if m == 1 or moved * L <= 0.1 * tol:
            break
    for k in range(m):
        x[order[j0 + k]] = v[k]
    return viol


@njit(cache=True, nogil=True)
def _features(groups, order, gptr):
    """The features of ``groups``, group by group."""
    total = 0
    for g in groups:
        total += gptr[g + 1] - gptr[g]
    feats = np.empty(total, np.int64)
    t = 0
    for g in groups:
        for k in range(gptr[g], gptr[g + 1]):
            feats[t] = order[k]
            t += 1
    return feats


@njit(cache=True, nogil=True)
def _groups_value(w, groups, order, gptr, l1, l2, ridge):
    """The penalty of ``groups`` at ``w``."""
    total = 0.0
    for g in groups:
        sq, lasso = 0.0, 0.0
        for k in range(gptr[g], gptr[g + 1]):
            j = order[k]
            sq += w[j] * w[j]
            lasso += l1[j] * abs(w[j])
        total += l2[g] * np.sqrt(sq) + lasso + 0.5 * ridge[g] * sq
    return total


@njit(cache=True, nogil=True)
def _record(history, row, w, feats):
    for t in range(feats.shape[0]):
        history[row, t] = w[feats[t]]


@njit(cache=True, nogil=True)
def _keep_if_lower(r, shift, w, r_try, shift_try, trial, sw, change):
    """Move to the trial point (its residual ``r_try``) when the objective
    is lower there; ``change`` is its penalty change."""
    gain = _half_norm(r_try, shift_try[0], sw) - _half_norm(r, shift[0], sw)
    if gain / r.shape[0] + change < 0:
        r[:] = r_try
        shift[0] = shift_try[0]
        w[:] = trial


@njit(cache=True, nogil=True)
def _anderson_trial(history, w, feats, groups, order, gptr, l1, l2, ridge):
    """The Anderson point of the last passes (Bertrand and Massias 2021) as
    a full coefficient vector, and the penalty change it brings on
    ``groups``; ``ok`` False when there is no point."""
    free = np.full(w.shape[0], np.inf)
    ok, point = _anderson_point(history, feats, -free, free)
    trial = w.copy()
    if not ok:
        return False, trial, 0.0
    for t in range(feats.shape[0]):
        trial[feats[t]] = point[t]
    change = _groups_value(trial, groups, order, gptr, l1, l2, ridge) - (
        _groups_value(w, groups, order, gptr, l1, l2, ridge)
    )
    return True, trial, change


@njit(cache=True, nogil=True)
def passes_dense(
    X,
    offset,
    scale,
    sw,
    r,
    shift,
    w,
    groups,
    order,
    gptr,
    lips,
    l1,
    l2,
    ridge,
    grams,
    goff,
    eig,
    tol,
    budget,
):
    """Cyclic passes over ``groups`` until the last pass's largest KKT
    violation is below ``tol`` or ``budget`` passes are spent, with an
    Anderson extrapolation every _ANDERSON passes, kept when it lowers the
    objective; returns the number of passes."""
    z = np.zeros(w.shape[0])
    x = np.zeros(w.shape[0])
    feats = _features(groups, order, gptr)
    history = np.empty((_ANDERSON + 1, feats.shape[0]))
    _record(history, 0, w, feats)
    done = 0
    while done < budget:
        if done and done % _ANDERSON == 0:
            ok, trial, change = _anderson_trial(
                history, w, feats, groups, order, gptr, l1, l2, ridge
            )
            if ok:
                r_try, shift_try = r.copy(), shift.copy()
                for j in feats:
                    if trial[j] != w[j]:
                        _move_dense(
                            X, j, offset, scale, r_try, shift_try, trial[j] - w[j]
                        )
                _keep_if_lower(r, shift, w, r_try, shift_try, trial, sw, change)
            _record(history, 0, w, feats)
        done += 1
        worst = 0.0
        for t in range(groups.shape[0]):
            g = groups[t]
            if lips[g] <= 0.0:
                continue
            for k in range(gptr[g], gptr[g + 1]):
                j = order[k]
                z[j] = _grad_dense(X, j, offset, scale, sw, r, shift)
            viol = _step(
                w, z, x, g, order, gptr, lips, l1, l2, ridge, grams, goff, eig, tol
            )
            worst = max(worst, viol)
            for k in range(gptr[g], gptr[g + 1]):
                j = order[k]
                if x[j] != w[j]:
                    _move_dense(X, j, offset, scale, r, shift, x[j] - w[j])
                    w[j] = x[j]
        if worst <= tol:
            break
        _record(history, (done - 1) % _ANDERSON + 1, w, feats)
    return done


@njit(cache=True, nogil=True)
def passes_csc(
    data,
    indices,
    indptr,
    offset,
    scale,
    sw,
    r,
    shift,
    w,
    groups,
    order,
    gptr,
    lips,
    l1,
    l2,
    ridge,
    grams,
    goff,
    eig,
    tol,
    budget,
):
    """CSC version of :func:`passes_dense`."""
    z = np.zeros(w.shape[0])
    x = np.zeros(w.shape[0])
    feats = _features(groups, order, gptr)
    history = np.empty((_ANDERSON + 1, feats.shape[0]))
    _record(history, 0, w, feats)
    done = 0
    while done < budget:
        if done and done % _ANDERSON == 0:
            ok, trial, change = _anderson_trial(
                history, w, feats, groups, order, gptr, l1, l2, ridge
            )
            if ok:
                r_try, shift_try = r.copy(), shift.copy()
                for j in feats:
                    if trial[j] != w[j]:
                        d = trial[j] - w[j]
                        _move_csc(
                            data, indices, indptr, j, offset, scale, r_try, shift_try, d
                        )
                _keep_if_lower(r, shift, w, r_try, shift_try, trial, sw, change)
            _record(history, 0, w, feats)
        done += 1
        worst = 0.0
        for t in range(groups.shape[0]):
            g = groups[t]
            if lips[g] <= 0.0:
                continue
            for k in range(gptr[g], gptr[g + 1]):
                j = order[k]
                z[j] = _grad_csc(data, indices, indptr, j, offset, scale, sw, r, shift)
            viol = _step(
                w, z, x, g, order, gptr, lips, l1, l2, ridge, grams, goff, eig, tol
            )
            worst = max(worst, viol)
            for k in range(gptr[g], gptr[g + 1]):
                j = order[k]
                if x[j] != w[j]:
                    d = x[j] - w[j]
                    _move_csc(data, indices, indptr, j, offset, scale, r, shift, d)
                    w[j] = x[j]
        if worst <= tol:
            break
        _record(history, (done - 1) % _ANDERSON + 1, w, feats)
    return done


def _empty_grams(gptr):
    """``(lips, grams, goff, (values, vectors))`` to fill by :func:`_store`."""
    sizes = np.diff(gptr)
    goff = np.zeros(sizes.shape[0] + 1, dtype=np.int64)
    np.cumsum(sizes**2, out=goff[1:])
    grams, vectors = np.zeros(goff[-1]), np.zeros(goff[-1])
    return np.zeros(sizes.shape[0]), grams, goff, (np.zeros(gptr[-1]), vectors)


def _store(out, gptr, g, Q):
    """Group ``g``'s Gram matrix ``Q``, its eigenvalues (ascending, at the
    group's positions) and eigenvectors (flat, row-major, the columns the
    vectors) into ``out`` of :func:`_empty_grams`; ``L_G`` the largest."""
    lips, grams, goff, (values, vectors) = out
    grams[goff[g] : goff[g + 1]] = Q.ravel()
    lam, V = np.linalg.eigh(Q)
    values[gptr[g] : gptr[g + 1]] = np.maximum(lam, 0.0)
    vectors[goff[g] : goff[g + 1]] = V.ravel()
    lips[g] = max(float(lam[-1]), 0.0)


def group_grams(design, order, gptr):
    """Per group the Gram matrix ``X_G' S X_G / n`` of the centred, scaled
    columns (flat, row-major, group g at ``goff[g]``; constant columns give
    zero rows), its eigen-decomposition and its largest eigenvalue ``L_G``:
    ``(lips, grams, goff, (values, vectors))``."""
    n = design.n_samples
    sw = design.sample_weight
    root = None if sw is None else np.sqrt(sw)
    out = _empty_grams(gptr)
    for g in range(gptr.shape[0] - 1):
        idx = order[gptr[g] : gptr[g + 1]]
        cols = design.columns(idx).astype(float)
        cols[:, design.constant[idx]] = 0.0
        if root is not None:
            cols = cols * root[:, None]
        _store(out, gptr, g, cols.T @ cols / n)
    return out


def group_lipschitz(design, order, gptr):
    """``||X_G' S X_G / n||_2`` per group, on the centred, scaled columns."""
    return group_grams(design, order, gptr)[0]


class BlockCoordinateDescent:
    """Block coordinate descent on working sets of groups, stopped by a gap.

    Minimises centred least squares with a block penalty such as
    :class:`~sparsefit.penalties.GroupPenalty` (group lasso, sparse-group
    lasso):

    .. math::

        P(w) = \\frac{1}{2n} \\|y_c - X_c w\\|_S^2 + g(w).

    Each outer iteration computes the duality gap and the KKT violation of
    every group, stops on :class:`~sparsefit.solvers.StoppingRule`, and
    otherwise minimises the objective group by group (proximal-gradient
    iterations on each group's exact quadratic model) over a working set of
    groups.

    Parameters
    ----------
    tol : float, default=1e-4
        Relative duality-gap tolerance at the returned point.
    max_iter : int, default=10_000
        Maximum number of passes over the working sets.
    ws_start : int, default=10
        Initial number of groups in the working set.
    verbose : bool, default=False
        Print the gap and the largest KKT violation at each outer iteration.

    See Also
    --------
    CoordinateDescent : The same for separable penalties.
    FISTA : Proximal gradient, for any datafit and penalty with a prox.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Quadratic
    >>> from sparsefit.penalties import GroupPenalty
    >>> from sparsefit.solvers import BlockCoordinateDescent
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 6))
    >>> y = X[:, 0] - X[:, 1] + 0.1 * rng.standard_normal(50)
    >>> problem = Problem(X, y, Quadratic(), GroupPenalty(0.1, [0, 0, 1, 1, 2, 2]))
    >>> result = BlockCoordinateDescent().solve(problem, 0.1)
    >>> result.converged, bool(result.dual_gap <= result.tol_abs)
    (True, True)
    >>> (result.coef != 0).tolist()
    [True, True, False, False, False, False]
    """

    name = "block coordinate descent"

    #: Continues a solve to an absolute gap (``gap_abs``).
    refines = True

    def __init__(self, tol=1e-4, max_iter=10_000, ws_start=10, verbose=False):
        self.tol = tol
        self.max_iter = max_iter
        self.ws_start = ws_start
        self.verbose = verbose

    @staticmethod
    def accepts(problem):
        """Whether this solver applies: centred least squares, block penalty.

        Parameters
        ----------
        problem : Problem
            The problem to solve.

        Returns
        -------
        bool
            True when the intercept is eliminated by centring and the
            penalty is a block one (``problem.block``).
        """
        return problem.centred and problem.block

    def solve(self, problem, alpha, w0=None, *, strong=None, gap_abs=None):
        """Solve ``problem`` at ``alpha`` by working-set block coordinate descent.

        Parameters
        ----------
        problem : Problem
            The problem (design, datafit, penalty template); see
            :mod:`sparsefit.solvers` for what a solver takes from it.
        alpha : float
            The penalty's alpha.
        w0 : ndarray or None, default=None
            Warm start in the design's coordinates.
        strong : ndarray of bool or None, default=None
            Features of the sequential strong rule, along a path; their
            groups seed the first working set.
        gap_abs : float or None, default=None
            An absolute duality gap to reach instead of ``tol * P(w)``.

        Returns
        -------
        SolverResult
            Certified by :class:`StoppingRule` at the returned point.
        """
        design, y, cache = problem.design, problem.y, problem.cache
        p = design.n_features
        penalty = problem.penalty(alpha)
        order, gptr, l1, l2 = penalty.arrays(p)
        if "group_grams" not in cache:
            cache["group_grams"] = group_grams(design, order, gptr)
        lips, grams, goff, eig = cache["group_grams"]
        labels = penalty.structure(p)[3]
        w = np.zeros(p) if w0 is None else np.asarray(w0, dtype=float).copy()
        w[design.constant] = 0.0
        cert = BlockQuadraticCertificate(design, y, penalty)
        state = _ResidualState(design, y.astype(float), w)
        p_ref = cert.reference_value(np.zeros(p))
        lip_max = float((design.col_sq_norms / design.n_samples).max(initial=0.0))
        rule = StoppingRule(
            self.tol,
            penalty.kkt_scale(p),
            p_ref,
            np.sqrt(2 * p_ref * lip_max),
            np.finfo(design.dtype).eps,
            gap_abs,
        )
        ridge = penalty.ridge_levels(p)
        kernel = (order, gptr, lips, l1, l2, ridge, grams, goff, eig)
        seed = None
        if strong is not None:
            seed = np.zeros(lips.shape[0], bool)
            seed[labels[strong | (w != 0)]] = True
        return self._outer(state, cert, w, kernel, labels, rule, seed)

    def _outer(self, state, cert, w, kernel, labels, rule, seed):
        lips = kernel[2]
        n_iter, history = 0, []
        if seed is not None and w.any() and np.isfinite(rule.kkt_target):
            groups = np.flatnonzero(seed & (lips > 0)).astype(np.int64)
            n_iter += self._passes(state, w, groups, kernel, 0.1 * rule.kkt_target)
        while True:
            n_iter += 1
            stats = state.stats(cert, w)
            gap, primal, _, _ = cert.gap(w, stats)
            grad_neg = stats[4]
            kkt = cert.kkt(w, grad_neg)
            kkt_max = float(kkt.max(initial=0.0))
            history.append((n_iter, gap))
            if self.verbose:
                print(f"[bcd] iter {n_iter}: gap {gap:.3e}, kkt {kkt_max:.3e}")
            converged = rule.met(gap, primal, kkt_max)
            if converged or n_iter >= self.max_iter:
                break
            groups = self._working_set(w, kkt, labels, lips)
            n_iter += self._passes(
                state, w, groups, kernel, _INNER_RATIO * kkt_max, self.max_iter - n_iter
            )
        result = SolverResult(
            w,
            n_iter,
            gap,
            primal,
            kkt_max,
            rule.gap_target(primal),
            converged,
            history,
            grad_neg,
        )
        if not result.converged:
            warn_not_converged(self.name, result, self.max_iter)
        return result

    def _working_set(self, w, kkt, labels, lips):
        """Non-zero groups plus the largest violators, at least doubling."""
        n_groups = lips.shape[0]
        score = np.zeros(n_groups)
        score[labels] = kkt  # every feature carries its group's violation
        active = np.zeros(n_groups, bool)
        active[labels[w != 0]] = True
        size = max(self.ws_start, 2 * int(active.sum()))
        score[active] = np.inf
        score[lips <= 0] = -1.0
        candidates = np.flatnonzero(score > 0)
        if candidates.size > size:
            top = np.argpartition(-score[candidates], size - 1)[:size]
            candidates = candidates[top]
        return np.sort(candidates).astype(np.int64)

    def _passes(self, state, w, groups, kernel, tol_in, budget=None):
        budget = self.max_iter if budget is None else max(budget, 1)
        d = state.design
        sw = state.sw.astype(float)
        common = (d.offset.astype(float), d.scale.astype(float), sw, state.r)
        if d.sparse:
            X = d.X
            return passes_csc(
                X.data,
                X.indices,
                X.indptr,
                *common,
                state.shift,
                w,
                groups,
                *kernel,
                tol_in,
                budget,
            )
        return passes_dense(
            d.X, *common, state.shift, w, groups, *kernel, tol_in, budget
        )


def _weighted_grams(design, order, gptr, groups, mean, sw):
    """:func:`group_grams` for the columns centred by ``mean`` and weighted
    by ``sw``, filled for ``groups`` only."""
    n = design.n_samples
    out = _empty_grams(gptr)
    root = np.sqrt(sw)
    for g in groups:
        idx = order[gptr[g] : gptr[g + 1]]
        cols = design.X[:, idx]
        cols = cols.toarray() if design.sparse else np.asarray(cols, dtype=float)
        cols = (cols - mean[idx]) * design.scale[idx] * root[:, None]
        cols[:, design.constant[idx]] = 0.0
        _store(out, gptr, g, cols.T @ cols / n)
    return out


def newton_block(cert, W, b, Z, ws, kkt_target, tol_abs, max_newton):
    """Proximal Newton steps on the groups of ``ws`` for a single-output GLM
    with a block penalty: the block counterpart of
    :func:`._irls.newton_single`.

    Each step minimises the datafit's quadratic model (glmnet's IRLS working
    response, weights ``s = n h / sum(h)``) plus the group penalty scaled by
    ``1 / sum(h)`` with the block passes above, on the columns centred by
    their weighted means (the intercept's step is then eliminated), and is
    accepted by a backtracking line search on the true objective.  Updates
    ``W``, ``b`` and ``Z`` in place; returns the number of steps."""
    from ._irls import _FORCING, _Storage, certifiable_kkt

    d = cert.design
    n, p = d.n_samples, d.n_features
    group = cert.penalty.penalty
    order, gptr, l1, l2 = group.arrays(p)
    ridge = group.ridge_levels(p)
    labels = group.structure(p)[3]
    groups = np.unique(labels[ws]).astype(np.int64)
    ws = np.sort(np.concatenate([order[gptr[g] : gptr[g + 1]] for g in groups]))
    ws = ws.astype(np.int64)
    store = _Storage(d, ws)
    scale = d.scale.astype(float)
    w = W[:, 0]
    value = cert.F(Z) + group.value(w)
    eps = np.finfo(float).eps
    steps = 0
    for _ in range(max_newton):
        g = cert.grad(Z)[:, 0]
        h = cert.hessian(Z)[:, 0]
        h = np.maximum(h, 1e-12 * h.max(initial=0.0) + 1e-300)
        total = float(h.sum())
        sw = h * (n / total)
        s1, _, xg = store.stats(sw, g)
        grad = np.zeros(p)
        grad[ws] = scale[ws] * xg
        kkt_ws = group.subdiff_distance(w, grad)[ws].max(initial=0.0)
        enough = certifiable_kkt(w[ws], tol_abs)
        if steps and kkt_ws <= max(kkt_target, enough):
            break
        steps += 1
        zeta = -g / h
        mean = np.zeros(p)
        zbar = 0.0
        if cert.fit_intercept:
            mean[ws] = s1 / n
            zbar = float(sw @ zeta) / n
        r = zeta - zbar
        lips, grams, goff, eig = _weighted_grams(d, order, gptr, groups, mean, sw)
        old = w[ws].copy()
        tol = max(_FORCING * kkt_ws, 0.5 * enough) / total
        common = (mean, scale, sw, r, np.zeros(1), w, groups, order, gptr, lips)
        kernel = (l1 / total, l2 / total, ridge / total, grams, goff, eig, tol)
        kernel += (10_000,)
        if d.sparse:
            X = d.X
            passes_csc(X.data, X.indices, X.indptr, *common, *kernel)
        else:
            passes_dense(d.X, *common, *kernel)
        step = w[ws] - old
        w[ws] = old
        if not step.any() and not cert.fit_intercept:
            break
        dz = store.times(scale, step, n)
        db = zbar - float(mean[ws] @ (scale[ws] * step)) if cert.fit_intercept else 0.0
        dz = (dz + db)[:, None]
        w[ws] = old + step
        new_pen = group.value(w)
        w[ws] = old
        decrease = float(g @ dz[:, 0]) + new_pen - (value - cert.F(Z))
        slack = 8 * eps * abs(value)
        t = 1.0
        accepted = False
        while t > 1e-8:
            w[ws] = old + t * step
            new = cert.F(Z + t * dz) + group.value(w)
            if (
                np.isfinite(new)
                and new <= value + 1e-4 * t * min(decrease, 0.0) + slack
            ):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            w[ws] = old
            break
        Z += t * dz
        b += t * db
        gained = value - new
        value = new
        if gained <= 1e-16 * abs(value):
            break
    return steps
