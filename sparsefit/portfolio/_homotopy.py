"""The homotopy for L1-penalised, linearly constrained least squares.

For every ``tau >= tau_min`` the path solves

.. math::

    \\min_w \\frac{1}{T} \\|t - Z w\\|^2 + \\tau \\sum_j v_j |w_j|
    \\quad \\text{s.t.}\\quad A w = b,\\quad l \\le w \\le u,

with at most two equality constraints (the budget and the return target of
Brodie et al., PNAS 2009) and ``l_j <= 0 <= u_j``.  With ``G = Z'Z/T`` and
``g = Z't/T`` the optimality conditions are

.. math::

    c(\\tau) := 2 g - 2 G w - A'\\lambda = \\tau v \\circ s + \\nu,

``s_j = sign(w_j)`` where ``w_j != 0``, ``|s_j| <= 1`` where ``w_j = 0``, and
``nu_j`` the multiplier of a bound, nonzero only at the bound and of the
bound's sign.  Every asset is in one of three states: zero, free (``0 <
|w_j|`` strictly inside its bounds) or at a bound.  While the states do not
change, the free weights and ``lambda`` solve a linear (KKT) system whose
right-hand side is affine in ``tau``: ``w_E = w^0 - tau w^1``, ``lambda =
lambda^0 - tau lambda^1``, and every condition above is an affine function
``a + b tau >= 0``.  A breakpoint is the largest ``tau`` below the current one
at which one of them reaches zero (an asset enters, leaves, hits a bound or
leaves it); the path is linear between breakpoints.  The KKT system's
factorisation is updated by one row per event (see ``_factor``).

For ``tau -> infinity`` the solution minimises ``f`` over the face of
minimisers of ``sum_j v_j |w_j|`` under the constraints; that limit (the
long-only portfolio for Brodie's problem with a feasible target) is where the
path starts, and its first segment is constant in ``tau``.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from ._factor import ActiveFactor
from ._qp import solve_qp

ZERO, FREE, BOUND = 0, 1, 2
# Condition kinds (a transition each).
ENTER_UP, ENTER_DOWN, LEAVE, UPPER, LOWER, RELEASE = range(6)
_KIND_NAMES = ("enter", "enter", "leave", "upper", "lower", "release")

# Events whose taus differ by less than _TIE_RTOL * tau_0 share a breakpoint.
_TIE_RTOL = 1e-11
# Weights below _SUPPORT_RTOL * max |w| in the starting point's QP solution are
# its zeros, and weights that close to a bound are at it (Clarabel solves to
# about 1e-10; the exact start is then recomputed from the KKT system).
_SUPPORT_RTOL = 1e-5
# Slopes below _FLAT_RTOL times the largest are zero on the first segment.
_FLAT_RTOL = 1e-8


@dataclass
class RawPath:
    """Breakpoints as arrays: ``taus`` (decreasing, ``taus[0]`` may be inf
    for no breakpoint above), ``weights`` (n_breakpoints, n_assets), the
    events ``(tau, asset, kind)`` and ``complete`` (False when the step
    safeguard stopped the path)."""

    taus: np.ndarray
    weights: np.ndarray
    events: list
    complete: bool


class Homotopy:
    """State of the path: asset states, signs, bound values, the factor."""

    def __init__(self, Z, t, A, b, v, lower, upper):
        T, N = Z.shape
        self.Z, self.t, self.v = Z, t, v
        self.lower, self.upper = lower, upper
        self.A, self.b = _condition_constraints(A, b)
        self.m = self.A.shape[0]
        col_sq = 2.0 * np.einsum("ij,ij->j", Z, Z) / T
        # rho only scales the augmented rows to the size of the data's columns;
        # any rho > 0 gives the same solution (module _factor).
        self.rho = float(np.mean(col_sq)) if np.mean(col_sq) > 0 else 1.0
        Zt = np.empty((N, T + self.m))
        Zt[:, :T] = Z.T * np.sqrt(2.0 / T)
        Zt[:, T:] = self.A.T * np.sqrt(self.rho)
        # Right-hand side columns per asset: 2g, v, the constraint rows and
        # 2 G[:, U] w_U; the sign of v is applied at entry.
        self.factor = ActiveFactor(np.ascontiguousarray(Zt), 3 + self.m)
        self.g2 = 2.0 * (Z.T @ t) / T if t is not None else np.zeros(N)
        self.state = np.zeros(N, dtype=np.int8)
        self.sign = np.zeros(N)
        self.fixed = np.zeros(N)
        self.h_bound = np.zeros(N)
        self.blocked = np.zeros(N, dtype=bool)
        self.movable = (upper > 0) | (lower < 0)

    # -- the KKT system on the current active set -------------------------
    def gram2_column(self, j, mcol=None):
        """``2 G[:, j]``."""
        if mcol is None:
            mcol = self.factor.column(j)
        return mcol - self.rho * (self.A.T @ self.A[:, j])

    def _rhs_row(self, j, sign):
        return np.concatenate(
            [[self.g2[j], sign * self.v[j]], self.A[:, j], [self.h_bound[j]]]
        )

    def _add(self, j, sign, col=None):
        return self.factor.add(j, self._rhs_row(j, sign), col)

    def _refresh_bound_column(self):
        self.factor.refresh(2 + self.m, self.h_bound[self.factor.assets])

    def segment(self):
        """``(w0, w1, c0, e)``: ``w_E = w0 - tau w1`` and ``c(tau) = c0 + tau
        e`` for all assets.

        With ``F = L^{-1} [2g, v s, A', h]_E`` kept by the factor, the
        multipliers come from the m x m Schur complement ``F_A' F_A`` and the
        weights from one back substitution."""
        E = self.factor.assets
        A, m = self.A, self.m
        U = np.flatnonzero(self.state == BOUND)
        b_t = self.b - A[:, U] @ self.fixed[U]
        F = self.factor.F
        F_A = F[:, 2 : 2 + m]
        z0 = F[:, 0] - F[:, 2 + m] + self.rho * (F_A @ b_t)
        z1 = F[:, 1]
        if m:
            S = F_A.T @ F_A
            if not np.linalg.cond(S, 1) < 1e12:
                raise RuntimeError(
                    "The constraints cannot be met on the current holdings "
                    f"({len(E)} free weights for {m} equality constraints)."
                )
            lam0 = np.linalg.solve(S, F_A.T @ z0 - b_t)
            lam1 = np.linalg.solve(S, F_A.T @ z1)
            z0 = z0 - F_A @ lam0
            z1 = z1 - F_A @ lam1
        else:
            lam0 = lam1 = np.zeros(0)
        w = self.factor.back(np.column_stack([z0, z1]))
        w0, w1 = w[:, 0], w[:, 1]
        c0 = self.g2 - self.h_bound + self.rho * (A.T @ b_t) - A.T @ lam0
        e = A.T @ lam1
        if E:
            cols = self.factor.cols
            # Two matrix-vector products: BLAS is slow on an (n, 2) right side.
            c0 = c0 - cols @ w0
            e = e + cols @ w1
        return w0, w1, c0, e

    # -- events ------------------------------------------------------------
    def conditions(self, w0, w1, c0, e):
        """Every condition ``a + b tau >= 0`` of the current state, as arrays
        ``(a, b, asset, kind)``."""
        E = np.asarray(self.factor.assets, dtype=np.intp)
        v, lo, up = self.v, self.lower, self.upper
        parts = []
        zero = np.flatnonzero((self.state == ZERO) & self.movable & ~self.blocked)
        pos = zero[up[zero] > 0]
        parts.append((-c0[pos], v[pos] - e[pos], pos, ENTER_UP))
        neg = zero[lo[zero] < 0]
        parts.append((c0[neg], v[neg] + e[neg], neg, ENTER_DOWN))
        if E.size:
            s = self.sign[E]
            parts.append((s * w0, -s * w1, E, LEAVE))
            hi = (s > 0) & np.isfinite(up[E])
            parts.append((up[E][hi] - w0[hi], w1[hi], E[hi], UPPER))
            low = (s < 0) & np.isfinite(lo[E])
            parts.append((w0[low] - lo[E][low], -w1[low], E[low], LOWER))
        U = np.flatnonzero(self.state == BOUND)
        at_up = U[self.fixed[U] > 0]
        parts.append((c0[at_up], e[at_up] - v[at_up], at_up, RELEASE))
        at_lo = U[self.fixed[U] < 0]
        parts.append((-c0[at_lo], -(e[at_lo] + v[at_lo]), at_lo, RELEASE))
        a = np.concatenate([p[0] for p in parts])
        b = np.concatenate([p[1] for p in parts])
        asset = np.concatenate([p[2] for p in parts]).astype(np.intp)
        kind = np.concatenate([np.full(p[2].size, p[3], dtype=np.int8) for p in parts])
        return a, b, asset, kind

    # -- transitions -------------------------------------------------------
    def enter(self, j, sign):
        if self._add(j, sign):
            self.state[j], self.sign[j] = FREE, sign
            return True
        self.blocked[j] = True
        return False

    def leave(self, j):
        self.factor.remove(j)
        self.state[j], self.sign[j] = ZERO, 0.0
        self.blocked[:] = False

    def to_bound(self, j, value):
        i = self.factor.assets.index(j)
        g2col = self.gram2_column(j, self.factor.cols[:, i].copy())
        self.factor.remove(j)
        self.state[j], self.fixed[j] = BOUND, value
        self.h_bound += g2col * value
        self._refresh_bound_column()
        self.blocked[:] = False

    def release(self, j):
        mcol = self.factor.column(j)
        value = self.fixed[j]
        self.h_bound -= self.gram2_column(j, mcol) * value
        self._refresh_bound_column()
        if not self._add(j, float(np.sign(value)), mcol):
            # Its column lies in the span of E: it stays at its bound.
            self.h_bound += self.gram2_column(j, mcol) * value
            self._refresh_bound_column()
            return False
        self.state[j], self.fixed[j], self.sign[j] = FREE, 0.0, float(np.sign(value))
        return True

    def weights(self, w0, w1, tau):
        w = np.where(self.state == BOUND, self.fixed, 0.0)
        E = self.factor.assets
        if E:
            w[E] = w0 - tau * w1
        return w


def _condition_constraints(A, b):
    """The same constraints with orthogonal rows of norm ``sqrt(n_assets)``
    (daily mean returns are about 1e-3: the raw return row would make the
    bordered system badly scaled)."""
    A = np.array(A, dtype=float, copy=True)
    b = np.array(b, dtype=float, copy=True)
    n = A.shape[1]
    for i in range(A.shape[0]):
        for k in range(i):
            coef = (A[i] @ A[k]) / (A[k] @ A[k])
            A[i] -= coef * A[k]
            b[i] -= coef * b[k]
        norm = np.linalg.norm(A[i])
        if not norm > 1e-12 * np.sqrt(n):
            raise ValueError(
                "The equality constraints are linearly dependent (the asset "
                "means are all equal?): a return target cannot be set."
            )
        A[i] *= np.sqrt(n) / norm
        b[i] *= np.sqrt(n) / norm
    return A, b


def _first_taus(a, b, tau, v_max):
    """The tau of each condition's event below ``tau`` (-inf: none)."""
    out = np.full(a.shape, -np.inf)
    moving = b > 0
    if np.isinf(tau):
        # On the first segment some conditions are constant in tau (b = 0 to
        # rounding: every long position of the budget-constrained problem);
        # they hold there (checked by set_start) and never become events.
        moving = b > _FLAT_RTOL * max(float(np.abs(b).max(initial=0.0)), v_max)
        out[moving] = -a[moving] / b[moving]
    else:
        slack = np.maximum(a[moving] + b[moving] * tau, 0.0)
        out[moving] = tau - slack / b[moving]
    return out


def follow_path(path, tau_min=0.0, max_steps=None):
    """Follow the path from its starting state down to ``tau_min``."""
    N = path.v.size
    w0, w1, c0, e = path.segment()
    tau = np.inf
    taus, weights, events = [], [], []
    fresh = set()
    tie = None
    if max_steps is None:
        max_steps = 20 * (N + path.Z.shape[0]) + 100
    for _ in range(max_steps):
        a, b, asset, kind = path.conditions(w0, w1, c0, e)
        when = _first_taus(a, b, tau, float(path.v.max()))
        if fresh and np.isfinite(tau):
            # An asset that has just changed state sits on the condition it
            # crossed; rounding must not send it straight back.
            is_fresh = np.zeros(N, dtype=bool)
            is_fresh[list(fresh)] = True
            back = is_fresh[asset] & (when >= tau - tie)
            when[back] = -np.inf
        tau_next = float(when.max(initial=-np.inf))
        if tie is None:
            scale = tau_next if np.isfinite(tau_next) and tau_next > 0 else 1.0
            tie = _TIE_RTOL * scale
            if np.isinf(tau):
                taus.append(np.inf)
                weights.append(path.weights(w0, w1, 0.0))
        if not tau_next > tau_min + tie:
            taus.append(tau_min)
            weights.append(path.weights(w0, w1, tau_min))
            return RawPath(np.array(taus), np.array(weights), events, True)
        tau = tau_next
        w_at = path.weights(w0, w1, tau)
        due = np.flatnonzero(when >= tau - tie)
        fresh = _apply(path, due, asset, kind, events, tau)
        if not fresh:
            # Only blocked assets were due (columns in the span of the free
            # ones): the state is unchanged and this is no breakpoint.
            continue
        for j in fresh:
            if path.state[j] == ZERO:
                w_at[j] = 0.0
            elif path.state[j] == BOUND:
                w_at[j] = path.fixed[j]
        taus.append(tau)
        weights.append(w_at)
        w0, w1, c0, e = path.segment()
    warnings.warn(
        f"The portfolio path stopped after {max_steps} steps at tau={tau:.6g} "
        "without reaching tau_min: the holdings cycle (degenerate data, such as "
        "duplicated assets).",
        UserWarning,
        stacklevel=3,
    )
    return RawPath(np.array(taus), np.array(weights), events, False)


def _apply(path, due, asset, kind, events, tau):
    """Apply the due events: exits first (they free room in the factor),
    then entries.  Returns the assets that changed state."""
    changed = set()
    order = sorted(due, key=lambda i: kind[i] in (ENTER_UP, ENTER_DOWN, RELEASE))
    for i in order:
        j, k = int(asset[i]), int(kind[i])
        if j in changed:
            continue
        if k == LEAVE:
            path.leave(j)
        elif k == UPPER:
            path.to_bound(j, path.upper[j])
        elif k == LOWER:
            path.to_bound(j, path.lower[j])
        elif k == RELEASE:
            if not path.release(j):
                continue
        elif not path.enter(j, 1.0 if k == ENTER_UP else -1.0):
            continue
        changed.add(j)
        events.append((tau, j, _KIND_NAMES[k]))
    return changed


def set_start(path):
    """Put ``path`` in its ``tau -> infinity`` state.

    Without equality constraints that is ``w = 0``.  Otherwise the weighted
    l1 norm's minimum under the constraints is a linear program (HiGHS) and
    the tie among its minimisers is broken by ``f`` (one QP by Clarabel);
    the QP's support, signs and bounds are then checked and made exact by the
    homotopy's own KKT system.
    """
    if path.m == 0:
        return
    from scipy.optimize import linprog

    v, lo, up, A, b = path.v, path.lower, path.upper, path.A, path.b
    # w = p - n with 0 <= p <= max(u, 0) and 0 <= n <= max(-l, 0).
    bounds = [(0.0, max(u_j, 0.0)) for u_j in up]
    bounds += [(0.0, max(-l_j, 0.0)) for l_j in lo]
    lp = linprog(
        np.concatenate([v, v]),
        A_eq=np.hstack([A, -A]),
        b_eq=b,
        bounds=[(lo_, None if np.isinf(hi) else hi) for lo_, hi in bounds],
        method="highs",
    )
    if lp.status == 2:
        raise InfeasibleError("no portfolio meets the constraints and bounds")
    if lp.status != 0:
        raise RuntimeError(f"The starting linear program failed: {lp.message}")
    N = v.size
    if _long_only_face(path, lp.x[N:]) and _long_only_start(path, lp.x[:N]):
        return
    opt = float(lp.fun)
    cap = opt * (1.0 + 1e-9) + 1e-12
    qp = solve_qp(path.Z, _t_or_zero(path), A, b, lo, up, gross=(v, cap))
    if qp.status not in ("Solved", "AlmostSolved"):
        raise RuntimeError(f"The starting QP failed: Clarabel status {qp.status}.")
    _install_support(path, qp.w)


def _long_only_face(path, shorts):
    """True when the tau -> infinity face is {w >= 0, A w = b}: a uniform
    penalty, the budget among the constraints, no upper bounds, and a
    long-only portfolio meeting the constraints (the LP needs no shorts)."""
    budget = np.ptp(path.A[0]) <= 1e-12 * np.abs(path.A[0]).max()
    return bool(
        budget
        and np.ptp(path.v) == 0
        and np.isinf(path.upper).all()
        and np.abs(shorts).max(initial=0.0) <= 1e-12
    )


def _long_only_start(path, x):
    """Minimise f over {w >= 0, A w = b} by a primal active-set method
    (Lawson and Hanson's NNLS steps, Solving Least Squares Problems, 1974,
    ch. 23) on the homotopy's own factor, from the LP's vertex ``x``.

    On the face the penalty is constant and the equality-constrained solution
    on the free set E is the first segment's ``w0``; a zero whose reduced
    gradient is negative enters, and a step towards ``w0`` that would make a
    weight negative stops where the first one reaches zero, which leaves.
    Returns False (with E emptied) when it does not settle: the caller then
    uses the QP."""
    x = np.where(x > 0, x, 0.0)
    for j in np.flatnonzero(x):
        if not path.enter(int(j), 1.0):
            return _abandon(path)
    for _ in range(3 * path.v.size + 100):
        E = np.asarray(path.factor.assets, dtype=np.intp)
        w0, w1, c0, e = path.segment()
        if (w0 > 0).all():
            x[:] = 0.0
            x[E] = w0
            zero = np.flatnonzero((path.state == ZERO) & ~path.blocked)
            if not zero.size:
                return True
            # On the face c0 = 0 over E; c0_j > 0: buying asset j (against
            # the budget) lowers f.
            gain = c0[zero]
            j = int(zero[np.argmax(gain)])
            if not gain.max() > 1e-12 * max(np.abs(c0).max(), 1e-300):
                return True
            path.enter(j, 1.0)
            continue
        x_E = x[E]
        down = w0 <= 0
        ratios = np.full(E.size, np.inf)
        ratios[down] = x_E[down] / (x_E[down] - w0[down])
        step = ratios.min()
        x[E] = x_E + step * (w0 - x_E)
        for j in E[(ratios <= step * (1 + 1e-12)) | (x[E] <= 0)]:
            path.leave(int(j))
            x[j] = 0.0
    return _abandon(path)


def _abandon(path):
    for j in list(path.factor.assets):
        path.leave(j)
    return False


def _t_or_zero(path):
    return path.t if path.t is not None else np.zeros(path.Z.shape[0])


class InfeasibleError(ValueError):
    """No portfolio satisfies the constraints."""


def _install_support(path, w):
    """Install the support of ``w`` as the start and correct it (see
    ``_correct_start``).  When the bounds alone meet a constraint (two weights
    capped at 0.5 with a full budget) the multipliers are not determined by
    the free weights: a weight at a bound then joins the free set at its
    bound value, trying each such weight (the most expensive to hold first)
    until the start is consistent."""
    candidates = [None]
    _place(path, w)
    if path.m and _free_rank(path) < path.m:
        fixed = np.flatnonzero(path.state == BOUND)
        candidates = list(
            fixed[np.argsort(-path.v[fixed] * np.sign(path.fixed[fixed]))]
        )
    for candidate in candidates:
        if candidate is not None:
            _reset(path)
            _place(path, w)
            if not path.release(int(candidate)) or _free_rank(path) < path.m:
                continue
        try:
            # Interior-point solutions leave the zeros at about 1e-8: a
            # support read off with a threshold can hold a few wrong assets,
            # which the KKT system exposes; each round moves the worst across.
            for _ in range(path.v.size + 100):
                if _correct_start(path):
                    return
        except RuntimeError:
            continue
    raise RuntimeError(
        "The starting portfolio (the tau -> infinity limit) could not be "
        "identified from the QP solution: degenerate data (duplicated "
        "assets or ties)."
    )


def _place(path, w):
    """Free, bound and zero states read off ``w``."""
    thr = _SUPPORT_RTOL * max(float(np.abs(w).max()), 1e-300)
    for j in np.argsort(-np.abs(w)):
        if abs(w[j]) <= thr:
            break
        j = int(j)
        if np.isfinite(path.upper[j]) and w[j] > 0 and path.upper[j] - w[j] <= thr:
            path.state[j], path.fixed[j] = BOUND, path.upper[j]
            path.h_bound += path.gram2_column(j) * path.upper[j]
        elif np.isfinite(path.lower[j]) and w[j] < 0 and w[j] - path.lower[j] <= thr:
            path.state[j], path.fixed[j] = BOUND, path.lower[j]
            path.h_bound += path.gram2_column(j) * path.lower[j]
        else:
            path.enter(j, float(np.sign(w[j])))
    path._refresh_bound_column()


def _reset(path):
    for j in list(path.factor.assets):
        path.leave(j)
    path.state[:] = ZERO
    path.fixed[:] = 0.0
    path.sign[:] = 0.0
    path.h_bound[:] = 0.0
    path.blocked[:] = False


def _free_rank(path):
    E = path.factor.assets
    return int(np.linalg.matrix_rank(path.A[:, E])) if E else 0


def _rank_without(path, j):
    E = [i for i in path.factor.assets if i != j]
    return int(np.linalg.matrix_rank(path.A[:, E])) if E else 0


def _correct_start(path):
    """One round of support correction; True when the start is valid."""
    w0, w1, c0, e = path.segment()
    E = list(path.factor.assets)
    if E:
        wrong = path.sign[E] * w0
        i = int(np.argmin(wrong))
        if wrong[i] < 0:
            path.leave(E[i])
            return False
    a, b, asset, kind = path.conditions(w0, w1, c0, e)
    # For tau -> infinity every condition a + b tau must hold: b >= 0, and
    # a >= 0 where b = 0 (to rounding).
    b_scale = max(float(np.abs(b).max(initial=0.0)), float(path.v.max()))
    flat = np.abs(b) <= _FLAT_RTOL * b_scale
    a_scale = max(float(np.abs(a).max(initial=0.0)), 1e-300)
    score = np.where(flat, np.minimum(a / a_scale + 1e-9, 0.0), np.minimum(b, 0.0))
    if score.size and score.min() < 0:
        # The worst condition fails for large tau: make the transition it
        # stands for (a weight that would cross zero or its bound as tau
        # grows is moved there; a zero that should be held enters), unless
        # it would leave the constraints without free weights to meet them.
        for i in np.argsort(score, kind="stable"):
            if score[i] >= 0:
                break
            j, k = int(asset[i]), int(kind[i])
            if k in (LEAVE, UPPER, LOWER) and _rank_without(path, j) < path.m:
                continue
            if k == LEAVE:
                path.leave(j)
            elif k in (UPPER, LOWER):
                path.to_bound(j, path.upper[j] if k == UPPER else path.lower[j])
            elif k == RELEASE:
                path.release(j)
            else:
                path.enter(j, 1.0 if k == ENTER_UP else -1.0)
            return False
        raise RuntimeError(
            "The starting portfolio (the tau -> infinity limit) could not be "
            "identified: the bounds leave too few free weights to meet the "
            "constraints."
        )
    size = max(float(np.abs(w0).max(initial=0.0)), 1.0)
    return float(np.abs(w1).max(initial=0.0)) <= 1e-8 * size
