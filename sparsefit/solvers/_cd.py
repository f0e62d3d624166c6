"""Working-set coordinate descent with gap-safe screening and Anderson extrapolation."""

import numpy as np

from ._base import SolverResult, StoppingRule, warn_not_converged
from ._cd_inner import inner_csc, inner_dense, inner_gram
from ._cd_kernels import (
    add_columns_csc,
    add_columns_dense,
    compact_columns,
    gap_safe_screen,
    start_point,
)
from ._certificates import QuadraticCertificate
from ._grad_bounds import GradBounds

__all__ = ["CoordinateDescent"]

_EMPTY = np.empty(0)
# Each inner solve must bring the working set's KKT violation below this
# fraction of the whole problem's (the value of celer and skglm; 0.1 and 0.5
# were slower on D1 of bench/).
_INNER_RATIO = 0.3
# The first inner solve along a path, on the warm support and the strong set,
# goes this far below the KKT target before the first certificate: at 0.5 a
# path took 1.5 to 1.65 certificates (full passes over X) per alpha on
# bench/'s G1, D1 and D3, at 0.1 1.03; the inner passes on the small working
# set cost less than the passes over X they save.
_PRE = 0.1


class _ResidualState:
    """Dense or CSC storage: the residual ``r = y_c - X_c w`` is kept."""

    def __init__(self, design, y, w, bounds=None):
        self.design = design
        X = design.X
        self.sw = (
            _EMPTY.astype(y.dtype)
            if design.sample_weight is None
            else design.sample_weight
        )
        # Along a path the warm start is the last certified point, whose
        # residual the bounds kept: no pass over X to form it again.
        r = None if bounds is None else bounds.residual_for(w)
        if r is None:
            r = y - design.matvec(w) if w.any() else y.copy()
        self.r = r
        self.shift = np.zeros(1, dtype=y.dtype)
        self.full = (X.data, X.indices, X.indptr) if design.sparse else (X,)
        self.bounds = bounds
        self.exact = True

    def _storage(self, ws, compact=False):
        """Column storage for ``ws``: CSC gets the column positions, and a
        compact copy when ``ws`` is a sizeable part of X."""
        if not self.design.sparse:
            return self.full
        if compact and ws.shape[0] * 20 >= self.design.n_features:
            data, indices, indptr = compact_columns(*self.full, ws)
            return data, indices, indptr, np.arange(ws.shape[0], dtype=np.int64)
        return self.full + (ws.astype(np.int64),)

    def residual(self):
        return self.r + self.shift[0]

    def stats(self, cert, w):
        r = self.residual()
        if self.bounds is None or cert.uses_projection():
            self.exact = True
            return cert.stats_from_residual(r, w)
        a, _, lower, upper = cert.arrays
        g, self.exact = self.bounds.gradient(r, cert._w(r), w, a, lower, upper)
        return cert.stats_from_gradient(r, g)

    def inner(self, w, ws, lips, arrays, tol_in, budget, n_block, anderson):
        d = self.design
        kernel = inner_csc if d.sparse else inner_dense
        return kernel(
            *self._storage(ws, compact=True),
            d.offset,
            d.scale,
            self.sw,
            self.r,
            self.shift,
            w,
            ws,
            lips,
            *arrays,
            tol_in,
            budget,
            n_block,
            anderson,
        )

    def apply(self, idx, delta):
        """``r -= X_c[:, idx] delta``."""
        d = self.design
        add = add_columns_csc if d.sparse else add_columns_dense
        add(*self._storage(idx), d.offset, d.scale, self.r, self.shift, idx, delta)


class _GramState:
    """Gram storage for n >> p: ``Q w`` is kept instead of the residual."""

    exact = True

    def __init__(self, Q, q, w):
        self.Q, self.q = Q, q
        self.Qw = Q @ w

    def stats(self, cert, w):
        return cert.stats_from_gram(w, self.Qw)

    def inner(self, w, ws, lips, arrays, tol_in, budget, n_block, anderson):
        return inner_gram(
            self.Q,
            self.q,
            self.Qw,
            w,
            ws,
            lips,
            *arrays,
            tol_in,
            budget,
            n_block,
            anderson,
        )

    def apply(self, idx, delta):
        self.Qw += self.Q[:, idx] @ delta


class CoordinateDescent:
    """Cyclic coordinate descent on working sets, stopped by a duality gap.

    Minimises the centred elastic-net problem

    .. math::

        P(w) = \\frac{1}{2n} \\|y_c - X_c w\\|_S^2
             + \\sum_j a_j |w_j| + \\frac{c_j}{2} w_j^2,
        \\quad l \\le w \\le u,

    where ``X_c`` and ``y_c`` are centred (the intercept is eliminated) and
    possibly standardised.  Each outer iteration computes the full gradient,
    the duality gap and the KKT violations (stop on the certificate of
    :class:`~sparsefit.solvers.StoppingRule`: ``gap <= tol * P(w)`` at the
    returned point and a KKT check in units of the penalty), discards
    features by the gap-safe rule
    (Ndiaye et al. 2017), and solves the subproblem restricted to a working
    set of the features with the largest KKT violations (Massias et al. 2018,
    Bertrand et al. 2022), accelerated by Anderson extrapolation.

    Parameters
    ----------
    tol : float, default=1e-4
        Relative duality-gap tolerance at the returned point.
    max_iter : int, default=10_000
        Maximum number of passes over the working sets.
    precompute : {"auto", True, False}
        Use the Gram matrix ``X_c' S X_c / n``; "auto" does so when
        ``n_samples >= 4 n_features`` and ``n_features <= 200``, dense or sparse.
    ws_start : int, default=100
        Initial working-set size.
    anderson : int, default=5
        Number of iterates combined by Anderson extrapolation; 0 turns it off.
    screening : bool, default=True
        Apply gap-safe screening.
    verbose : bool, default=False
        Print the gap and the largest KKT violation at each outer iteration.

    See Also
    --------
    FISTA : Proximal gradient, for any datafit and penalty with a prox.
    LarsSolver : The exact LARS homotopy, for the dense lasso.
    make_solver : Choose a solver for a problem.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Quadratic
    >>> from sparsefit.penalties import L1
    >>> X, y = load_diabetes(return_X_y=True)
    >>> problem = Problem(X, y, Quadratic(), L1(1.0))
    >>> from sparsefit.solvers import CoordinateDescent
    >>> result = CoordinateDescent().solve(problem, 1.0)
    >>> result.converged, bool(result.dual_gap <= result.tol_abs)
    (True, True)
    >>> int((result.coef != 0).sum())
    3
    """

    name = "coordinate descent"

    def __init__(
        self,
        tol=1e-4,
        max_iter=10_000,
        precompute="auto",
        ws_start=100,
        anderson=5,
        screening=True,
        verbose=False,
    ):
        self.tol = tol
        self.max_iter = max_iter
        self.precompute = precompute
        self.ws_start = ws_start
        self.anderson = anderson
        self.screening = screening
        self.verbose = verbose

    def use_gram(self, design):
        """Return whether to work on the Gram matrix of ``design``.

        Parameters
        ----------
        design : Design
            The (centred, possibly scaled) design of the problem.

        Returns
        -------
        bool
            ``precompute`` itself, or with ``"auto"`` True when
            ``n_samples >= 4 n_features`` and ``n_features <= 200``.
        """
        if self.precompute == "auto":
            n, p = design.shape
            # Forming X'SX costs about p / 14 passes over X (BLAS-3 against
            # BLAS-2, measured on 20000 x 500); a single solve takes tens of
            # passes, so the Gram matrix pays off only for small p.
            return n >= 4 * p and p <= 200
        return bool(self.precompute)

    #: Continues a solve to an absolute gap (``gap_abs``).
    refines = True

    @staticmethod
    def accepts(problem):
        """Whether this solver applies: least squares, centred.

        The intercept must be eliminated by centring (``problem.centred``):
        the kernels keep the centred residual.  The penalty must be
        separable (not ``problem.block``).

        Parameters
        ----------
        problem : Problem
            The problem to solve.

        Returns
        -------
        bool
            True when :meth:`solve` can take ``problem``.
        """
        return problem.centred and not problem.block

    def solve(self, problem, alpha, w0=None, *, strong=None, gap_abs=None):
        """Solve ``problem`` at ``alpha`` by working-set coordinate descent.

        ``strong`` seeds the first working set, as the sequential strong rule
        does along a path; every later outer iteration checks all features,
        so it never changes the answer.  The problem's ``cache`` keeps the
        Gram matrix between the solves of a path.

        Parameters
        ----------
        problem : Problem
            The problem (design, datafit, penalty template); see
            :mod:`sparsefit.solvers` for what a solver takes from it.
        alpha : float
            The penalty's alpha.
        w0 : ndarray or None, default=None
            Warm start in the design's coordinates (flat, class-major).
        strong : ndarray of bool or None, default=None
            Features of the sequential strong rule, along a path.
        gap_abs : float or None, default=None
            An absolute duality gap to reach instead of ``tol * P(w)``.

        Returns
        -------
        SolverResult
            Certified by :class:`StoppingRule` at the returned point.
        """
        design, y, cache = problem.design, problem.y, problem.cache
        n, p = design.shape
        arrays = problem.penalty_arrays(alpha, design.dtype)
        a, c, lower, upper = arrays
        warm = w0 is not None
        w_ref, w = start_point(
            np.asarray(w0 if warm else lower, dtype=design.dtype),
            lower,
            upper,
            design.constant,
            warm,
        )
        if self.use_gram(design):
            if "gram" not in cache:
                sw = design.sample_weight
                cache["gram"] = (
                    design.gram(),
                    design.rmatvec(y if sw is None else y * sw) / n,
                )
            Q, q = cache["gram"]
            cert = QuadraticCertificate(design, y, arrays, gram=(Q, q))
            state = _GramState(Q, q, w)
            lips, norms = self._constants(cache, "gram", lambda: np.diag(Q), design)
        else:
            cert = QuadraticCertificate(design, y, arrays)
            bounds = None
            # Bounds pay along a path, where the residual moves little between
            # warm-started solves; from a cold start they only make gap-safe
            # screening more conservative (S1 at alpha_max/100 took 16% longer).
            if self.screening and warm and GradBounds.applies(design):
                if "grad_bounds" not in cache:
                    cache["grad_bounds"] = GradBounds.least_squares(design)
                bounds = cache["grad_bounds"]
            state = _ResidualState(design, y, w, bounds)
            lips, norms = self._constants(
                cache, "residual", lambda: design.col_sq_norms / n, design
            )
        p_ref = cert.reference_value(w_ref)
        # |x_j' S r| / n <= ||x_j||_S ||r||_S / n bounds the gradient at w_ref
        # without a pass over X: the scale of the KKT's rounding floor.
        grad_scale = np.sqrt(2 * p_ref * lips.max(initial=0.0))
        rule = StoppingRule(
            self.tol,
            a.max(initial=0.0),
            p_ref,
            grad_scale,
            np.finfo(design.dtype).eps,
            gap_abs,
        )
        return self._outer(design, cert, state, w, lips, norms, arrays, rule, strong)

    @staticmethod
    def _constants(cache, kind, diagonal, design):
        """``(lips, norms)``: the coordinate Lipschitz constants (0 for
        constant columns) and the column norms of gap-safe screening, kept
        in the problem's cache: they are the same at every alpha."""
        key = ("cd_constants", kind)
        if key not in cache:
            lips = np.ascontiguousarray(diagonal()).astype(design.dtype)
            lips[design.constant] = 0.0
            cache[key] = lips, np.sqrt(design.col_sq_norms.astype(float))
        return cache[key]

    def _outer(self, design, cert, state, w, lips, norms, arrays, rule, strong=None):
        a, c, lower, upper = arrays
        n = design.n_samples
        alive = lips > 0
        n_iter, history = 0, []
        # Along a path, the warm start's support and the strong-rule features
        # are almost always the next solution's support: solve on them first,
        # to the KKT level the rule asks, and certify once, instead of
        # certifying the warm start too (a full pass over X).  With no
        # penalised coefficient away from 0, as at alpha_max, certify first:
        # there the strong set is the features whose pull equals alpha, which
        # must stay at 0.
        warm = (w[a > 0] != 0).any()
        if strong is not None and warm and np.isfinite(rule.kkt_target):
            ws = np.flatnonzero(alive & (strong | (w != 0))).astype(np.int64)
            strong = None
            n_iter += self._inner(
                state, w, ws, lips, arrays, _PRE * rule.kkt_target, self.max_iter - 1
            )
        while True:
            n_iter += 1  # the full pass that gives the gradient and the gap
            stats = state.stats(cert, w)
            gap, primal, _, u_corr = cert.gap(w, stats)
            grad_neg = stats[4]
            kkt = cert.kkt(w, grad_neg)
            kkt_max = float(kkt.max(initial=0.0))
            history.append((n_iter, gap))
            if self.verbose:
                print(f"[cd] iter {n_iter}: gap {gap:.3e}, kkt {kkt_max:.3e}")
            converged = rule.met(gap, primal, kkt_max)
            if converged or n_iter >= self.max_iter:
                break
            if self.screening and np.isfinite(gap):
                scale = np.sqrt(2.0 * max(gap, 0.0) / n)
                gap_safe_screen(u_corr, norms, scale, a, lower, upper, alive)
                dead_nonzero = ~alive & (w != 0) & (lips > 0)
                if dead_nonzero.any():
                    self._set_zero(state, w, np.flatnonzero(dead_nonzero))
                    continue
            if strong is not None:
                ws = np.flatnonzero(alive & (strong | (w != 0))).astype(np.int64)
                strong = None
            else:
                ws = self._working_set(w, kkt, alive)
            n_iter += self._inner(
                state,
                w,
                ws,
                lips,
                arrays,
                _INNER_RATIO * kkt[alive].max(initial=0.0),
                self.max_iter - n_iter,
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
            grad_neg if state.exact else state.bounds.g_ref.copy(),
            grad_exact=state.exact,
            datafit_value=stats[0] / (2 * n),
        )
        if not result.converged:
            warn_not_converged(self.name, result, self.max_iter)
        return result

    @staticmethod
    def _set_zero(state, w, idx):
        state.apply(idx, -w[idx])
        w[idx] = 0.0

    def _working_set(self, w, kkt, alive):
        """Active features plus the largest KKT violators, at least doubling."""
        candidates = np.flatnonzero(alive & ((w != 0) | (kkt > 0)))
        support = w[candidates] != 0
        size = max(self.ws_start, 2 * int(support.sum()))
        if size >= candidates.size:
            return candidates.astype(np.int64)
        score = kkt[candidates]
        score[support] = np.inf
        ws = candidates[np.argpartition(-score, size - 1)[:size]]
        return np.sort(ws).astype(np.int64)

    def _inner(self, state, w, ws, lips, arrays, tol_in, budget):
        """CD passes on ``ws`` until its KKT violation is below ``tol_in``."""
        return state.inner(
            w,
            ws,
            lips,
            arrays,
            tol_in,
            budget,
            max(self.anderson, 1),
            self.anderson > 0,
        )
