r"""Proximal Newton with working sets for the GLM datafits, stopped by a
duality gap.

Each outer iteration certifies the whole problem (gap and KKT over every
feature), then works on a working set: the support plus the features with
the largest KKT violations (Massias et al. 2018; Bertrand et al. 2022),
grown fourfold while the support keeps filling it.  On the working set, each
Newton step builds the exact quadratic model of the datafit.  For logistic
and Poisson its curvature ``h`` is diagonal over samples (glmnet's IRLS) and
the step solves the weighted lasso

.. math::

    \min_{U, \beta} \frac{1}{2} \sum_i h_i (z_i - x_i'U - \beta)^2 + g(U),
    \qquad z = \eta - \nabla F / h,

with the core's coordinate-descent kernels on the full X (:mod:`._irls`).
The multinomial's curvature is a K x K block per sample, and its own kernel
minimises that model over all classes at once (:mod:`._multi_cd`).  Cox's
couples the samples of each risk set (a diagonal less a low-rank part); the
compiled loop minimises that exact model (:mod:`._exact_newton`), the Python
loop its diagonal, as glmnet does.  A
backtracking line search on the true objective makes every step a descent
step (Lee, Sun and Saunders 2014).  The steps stop when the working set's
KKT violation is a fraction of the whole problem's, or low enough for the
certificate to meet ``tol``.

Along a path, each alpha is first solved on the warm start's support and
the strong-rule features, and certified once after that.

For one output with compiled datafit terms (logistic, Poisson, Cox) and a
separable penalty, the loop below runs as one compiled call per alpha
(:mod:`._newton_loop`), with the same steps; the Python loop serves the
other datafits, block penalties and ``verbose`` runs.
"""

import numpy as np

from ._base import SolverResult, glm_rule, warn_not_converged
from ._block_cd import newton_block
from ._exact_newton import EXACT_CELLS
from ._glm_certificate import BlockMatrixPenalty, MatrixPenalty
from ._grad_bounds import GradBounds
from ._irls import _FORCING, certifiable_kkt, newton_single
from ._multi_cd import multi_cd
from ._newton_loop import GROWTH, INNER_RATIO, base_set, solve_single

__all__ = ["ProxNewton"]

_NO_MATRIX = np.empty((0, 0), order="F")
_NO_DATA = np.empty(0)
_NO_INDEX = np.empty(0, np.int64)
_NO_STRONG = np.empty(0, np.bool_)


class ProxNewton:
    """Working-set proximal Newton for logistic, multinomial and Poisson fits.

    Minimises ``F(y, Xw + b) + g(w)`` (a GLM datafit and a separable or
    grouped penalty, see :func:`sparsefit.compute_path`): each outer
    iteration computes the duality gap and the KKT violations, stops on
    :class:`~sparsefit.solvers.StoppingRule`, and otherwise takes Newton
    steps on a working set of the features with the largest violations,
    each step a penalised weighted least-squares problem on the quadratic
    model of ``F``.

    Parameters
    ----------
    tol : float, default=1e-4
        Stop on the certificate of :class:`~sparsefit.solvers.StoppingRule`:
        ``gap <= tol * P(w)`` at the returned point, and the KKT check.
    max_iter : int, default=1000
        Maximum number of outer iterations plus Newton steps.
    ws_start : int, default=50
        Initial working-set size (it at least doubles the support).
    max_newton : int, default=20
        Newton steps per working set.
    verbose : bool, default=False
        Print the gap and the largest KKT violation at each outer iteration.

    See Also
    --------
    FISTA : Proximal gradient, for any datafit and penalty with a prox.
    make_solver : Choose a solver for a problem.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Logistic
    >>> from sparsefit.penalties import L1
    >>> from sparsefit.solvers import ProxNewton
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> y = 2.0 * y - 1.0  # Logistic takes labels coded -1 and +1
    >>> problem = Problem(X, y, Logistic(), L1(0.01), standardize=True)
    >>> result = ProxNewton().solve(problem, 0.01)
    >>> result.converged, bool(result.dual_gap <= result.tol_abs)
    (True, True)
    """

    name = "proximal Newton"

    def __init__(
        self, tol=1e-4, max_iter=1000, ws_start=50, max_newton=20, verbose=False
    ):
        self.tol = tol
        self.max_iter = max_iter
        self.ws_start = ws_start
        self.max_newton = max_newton
        self.verbose = verbose

    #: Continues a solve to an absolute gap (``gap_abs``).
    refines = True

    @staticmethod
    def accepts(problem):
        """Whether this solver applies: a twice-differentiable datafit.

        The datafit must give ``raw_hessian`` and keep its intercept (not
        ``problem.centred``); a block penalty (``problem.block``) takes
        one output.

        Parameters
        ----------
        problem : Problem
            The problem to solve.

        Returns
        -------
        bool
            True when :meth:`solve` can take ``problem``.
        """
        return (
            not problem.centred
            and hasattr(problem.datafit, "raw_hessian")
            and (not problem.block or problem.K == 1)
        )

    def solve(self, problem, alpha, w0=None, *, strong=None, gap_abs=None):
        """Solve ``problem`` at ``alpha`` by working-set proximal Newton.

        Without ``w0`` the solve starts at the null model; ``strong`` seeds
        the first working set.

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
        cert, W, b, strong, p_ref, grad_scale = problem.start(alpha, w0, strong)
        separable = type(cert.penalty) is MatrixPenalty and not cert.penalty.grouped
        # Along a path only (warm starts), as in coordinate descent.
        warm = w0 is not None
        if cert.K == 1 and separable and warm and GradBounds.applies(cert.design):
            if "grad_bounds" not in problem.cache:
                problem.cache["grad_bounds"] = GradBounds.raw(cert.design)
            cert.bounds = problem.cache["grad_bounds"]
        W, b = W.astype(float).copy(), np.asarray(b, dtype=float).copy()
        W[cert.design.constant] = 0.0
        rule = glm_rule(self.tol, cert, p_ref, grad_scale, gap_abs)
        # The free features, which the compiled loop does not take, are those
        # of alpha = 1 at every alpha > 0, and all of them at alpha = 0.
        key = ("newton_loop_applies", separable, bool(alpha > 0))
        if key not in problem.cache:
            problem.cache[key] = _compiled_loop(cert, separable)
        if problem.cache[key] and not self.verbose:
            return self._solve_compiled(
                cert, W, b, strong, rule, gap_abs, problem.cache
            )
        Z = cert.linear(W, b)
        tol_abs = rule.gap_target(cert.primal(W, Z))
        buffers = tuple(np.zeros(W.shape[0]) for _ in range(4))
        n_iter, history, last_size = 0, [], 0
        # Along a path, the warm start's support and the strong-rule features
        # are almost always the next solution's support: solve on them first
        # and certify once, instead of certifying the warm start too.
        # (From W = 0, as at alpha_max, certify first: there the strong set
        # is the features whose pull equals alpha, which must stay at 0.)
        if strong is not None and _penalised_nonzero(W, cert.penalty.free):
            cert.refit_unpenalised(W, b, Z)
            ws = self._working_set(cert, W, np.zeros(W.shape[0]), strong)
            strong = None
            if ws.size:
                n_iter += self._steps(cert, W, b, Z, ws, 0.0, np.inf, tol_abs, buffers)
        while True:
            n_iter += 1
            cert.refit_unpenalised(W, b, Z)
            gap, primal, grad_neg, kkt = cert.evaluate(W, Z)
            kkt_max = float(kkt.max(initial=0.0))
            tol_abs = rule.gap_target(primal)
            history.append((n_iter, gap))
            if self.verbose:
                print(f"[prox-newton] iter {n_iter}: gap {gap:.3e} kkt {kkt_max:.3e}")
            converged = rule.met(gap, primal, kkt_max)
            if converged or n_iter >= self.max_iter:
                break
            ws = self._working_set(cert, W, kkt, strong, last_size)
            last_size = ws.size
            strong = None
            target = INNER_RATIO * kkt.max()
            n_iter += self._steps(cert, W, b, Z, ws, target, gap, tol_abs, buffers)
        if not cert.grad_exact:
            grad_neg = -cert.bounds.g_ref[:, None].copy()
        result = SolverResult(
            W,
            n_iter,
            gap,
            primal,
            kkt_max,
            tol_abs,
            converged,
            history,
            grad_neg,
            grad_exact=cert.grad_exact,
        )
        result.intercept = b
        result.datafit_value = cert.value
        if not result.converged:
            warn_not_converged(self.name, result, self.max_iter)
        return result

    def _solve_compiled(self, cert, W, b, strong, rule, gap_abs, cache):
        """:meth:`solve`'s loop in one compiled call (:mod:`._newton_loop`)
        from the start ``(W, b)``; the same steps, certificate and rule.
        What is the same at every alpha is kept in the problem's ``cache``."""
        static, bounds, state = self.loop_arguments(cert, cache)
        model_data, o, storage, scale, constant, null, work, history = static
        n = cert.design.n_samples
        tracker = cert.bounds
        w = np.ascontiguousarray(W[:, 0])
        gap_abs = np.nan if gap_abs is None else float(gap_abs)
        out = solve_single(
            model_data,
            o,
            storage,
            scale,
            constant,
            null,
            cert.penalty.arrays,
            w,
            b,
            _NO_STRONG if strong is None else strong,
            (float(self.tol), rule.gap_floor, rule.kkt_target, gap_abs),
            (int(self.ws_start), int(self.max_iter), n),
            work[:4],
            bounds,
            state,
            history,
        )
        n_iter, n_hist, gap, primal, kkt_max, tol_abs, converged = out[:7]
        grad_neg, exact, value = out[7:]
        if tracker is not None:
            tracker.drift, tracker.stale = float(state[0]), bool(state[1])
            tracker.r_last, tracker.w_last = bounds[4].copy(), w.copy()
        W[:, 0] = w
        grad = grad_neg[:, None] if exact else -tracker.g_ref[:, None].copy()
        result = SolverResult(
            W,
            int(n_iter),
            float(gap),
            float(primal),
            float(kkt_max),
            float(tol_abs),
            bool(converged),
            [(int(i), float(g)) for i, g in history[:n_hist]],
            grad,
            grad_exact=bool(exact),
        )
        result.intercept = b
        result.datafit_value = float(value)
        cert.grad_exact, cert.value = bool(exact), float(value)
        if not result.converged:
            warn_not_converged(self.name, result, self.max_iter)
        return result

    def loop_arguments(self, cert, cache):
        """Return the compiled loop's arguments that do not change with alpha.

        Parameters
        ----------
        cert : GLMCertificate
            The problem's certificate; its ``bounds`` (gradient bounds along
            a path, or None) decide the last two results.
        cache : dict
            The problem's cache, which keeps the static arguments between
            the alphas of a path.

        Returns
        -------
        static : tuple
            ``(model_data, offset, storage, scale, constant, null, work,
            history)`` of :func:`._newton_loop.solve_single`, ``null`` the
            bounds' null columns when ``cert`` has bounds.
        bounds : tuple of ndarray
            The bounds' arrays (placeholders without bounds: every product
            is then taken exactly).
        state : ndarray of shape (4,)
            The bounds' scalars ``[drift, stale, has_last, track]``.
        """
        key = ("newton_loop", self.max_iter, self.max_newton)
        if key not in cache:
            cache[key] = _static_arguments(cert, self.max_iter, self.max_newton)
        static = cache[key]
        work = static[6]
        tracker = cert.bounds
        if tracker is None:
            return static, work[4:], np.zeros(4)
        static = static[:5] + (tracker.null,) + static[6:]
        has_last = tracker.r_last is not None
        n = cert.design.n_samples
        g_last = tracker.r_last.copy() if has_last else np.zeros(n)
        bounds = (tracker.col_norms, tracker.g_ref, tracker.at, tracker.need, g_last)
        state = np.array([tracker.drift, tracker.stale, has_last, 1.0])
        return static, bounds, state

    def _steps(self, cert, W, b, Z, ws, kkt_target, gap, tol_abs, buffers):
        """Newton steps on ``ws`` until its KKT violation is below
        ``kkt_target``, or low enough for the gap to reach ``tol_abs``."""
        if isinstance(cert.penalty, BlockMatrixPenalty):
            return newton_block(cert, W, b, Z, ws, kkt_target, tol_abs, self.max_newton)
        if cert.K == 1:
            return newton_single(
                cert, W, b, Z, ws, kkt_target, tol_abs, self.max_newton, buffers
            )
        return self._newton(cert, W, b, Z, ws, kkt_target, tol_abs)

    def _working_set(self, cert, W, kkt, strong, last_size=0):
        """The support, the unpenalised and strong-rule features, and the
        largest KKT violators: at least twice the support, and GROWTH times
        the last working set when the support filled most of it (a dense
        solution would otherwise take one outer iteration per doubling)."""
        forced = np.zeros(W.shape[0], bool)
        forced[cert.free] = True
        if strong is not None:
            forced |= strong
        base, n_base, n_support, candidates = base_set(
            W, cert.design.constant, forced, kkt
        )
        size = max(self.ws_start, 2 * n_base)
        if n_support >= 0.9 * last_size > 0:
            size = max(size, GROWTH * last_size)
        extra = max(size - n_base, 0)
        if extra and candidates.size:
            if candidates.size > extra:
                top = np.argpartition(-kkt[candidates], extra - 1)[:extra]
                candidates = candidates[top]
            base[candidates] = True
        return np.flatnonzero(base)

    def _newton(self, cert, W, b, Z, ws, kkt_target, tol_abs):
        """Multinomial Newton steps on ``ws``; updates ``W``, ``b``, ``Z``;
        returns the number of steps."""
        d = cert.design
        # The working set's columns, dense and scaled, once for all the steps.
        cols = d.X[:, ws]
        cols = cols.toarray() if d.sparse else np.asarray(cols)
        Xs = np.asfortranarray(cols * d.scale[ws])
        arrays = tuple(v[ws] for v in cert.penalty.arrays)
        pen = MatrixPenalty(arrays, cert.penalty.grouped)
        value = cert.primal(W, Z)
        G = cert.grad(Z)
        steps = 0
        for _ in range(self.max_newton):
            kkt_ws = pen.kkt(W[ws], Xs.T @ G).max(initial=0.0)
            enough = certifiable_kkt(W[ws], tol_abs)
            if steps and kkt_ws <= max(kkt_target, enough):
                break
            steps += 1
            # An inexact Newton step: the model is solved to a KKT violation
            # that shrinks with the working set's (fast local rate), but not
            # below what the certificate needs.
            inner_tol = max(_FORCING * kkt_ws, 0.5 * enough)
            U, beta = self._multi_step(cert, Xs, arrays, W[ws], b, Z, G, inner_tol)
            gained = self._line_search(cert, pen, W, b, Z, ws, Xs, U, beta, G, value)
            if gained is None or gained <= 1e-16 * abs(value):
                break
            value -= gained
            G = cert.grad(Z)
        return steps

    @staticmethod
    def _line_search(cert, pen, W, b, Z, ws, Xs, U, beta, G, value):
        """Backtracking (Armijo) from ``(W, b)`` towards ``(U, beta)`` on ``ws``;
        updates in place and returns the decrease, or None when no step is
        accepted."""
        D, db = U - W[ws], beta - b
        XD = Xs @ D + db
        decrease = float(np.sum(G * XD)) + pen.value(U) - pen.value(W[ws])
        old = W[ws].copy()
        # Near the optimum the decrease is below the rounding of P: allow that
        # much slack, or the last steps would all be refused.
        slack = 8 * np.finfo(float).eps * abs(value)
        t = 1.0
        while t > 1e-8:
            W[ws] = old + t * D
            new = cert.primal(W, Z + t * XD)
            if (
                np.isfinite(new)
                and new <= value + 1e-4 * t * min(decrease, 0.0) + slack
            ):
                Z += t * XD
                b += t * db
                return max(value - new, 0.0)
            t *= 0.5
        W[ws] = old
        return None

    def _multi_step(self, cert, Xs, arrays, Wws, b, Z, G, inner_tol):
        """All classes at once on the multinomial's exact Newton model (see
        :func:`._multi_cd.multi_cd`)."""
        n = Z.shape[0]
        P = np.asfortranarray(cert.datafit.inverse_link(Z))
        sw = cert.datafit.sample_weight
        s = (np.ones(n) if sw is None else sw) / n
        Xd = Xs
        U = np.ascontiguousarray(Wws, dtype=float).copy()
        # Centre the columns (weights: the mean curvature over classes) and
        # carry the shift in the intercepts: coordinate descent on uncentred
        # columns with a free intercept crawls (they are nearly collinear).
        centre = np.zeros(Xd.shape[1])
        if cert.fit_intercept:
            weight = cert.hessian(Z).mean(axis=1)
            centre = (weight @ Xd) / max(weight.sum(), 1e-300)
            Xd = np.asfortranarray(Xd - centre)
        beta = b + centre @ U
        multi_cd(
            Xd,
            s,
            P,
            np.asfortranarray(G, dtype=float),
            U,
            beta,
            *arrays,
            cert.penalty.grouped,
            cert.fit_intercept,
            inner_tol,
            200,
        )
        return U, beta - centre @ U


def _penalised_nonzero(W, free):
    """Whether a penalised coefficient of ``W`` is non-zero."""
    if not free.any():
        return bool(W.any())
    return bool(W[~free].any())


def _compiled_loop(cert, separable):
    """Whether :mod:`._newton_loop` can run the solve: one output, compiled
    datafit terms (whose conjugates keep the dual scale in [0, 1]), a
    separable penalty with no unpenalised feature, and an uncentred float64
    design, column-major or CSC."""
    d = cert.design
    return (
        cert.compiled
        and separable
        and cert.K == 1
        and not cert.penalty.free.any()
        and d.dtype == np.float64
        and not np.any(d.offset)
        and (d.sparse or d.X.flags.f_contiguous)
    )


def _static_arguments(cert, max_iter, max_newton):
    """The arguments of :func:`._newton_loop.solve_single` that are the same
    at every alpha of a problem: ``(model_data, offset, storage, scale,
    constant, null, work, history)``, ``work`` holding the Newton model's
    four length-p buffers and a placeholder for the gradient bounds'
    arrays (without a tracker: every product exact)."""
    d = cert.design
    n, p = d.n_samples, d.n_features
    X = d.X
    if d.sparse:
        storage = (True, _NO_MATRIX, X.data, X.indices, X.indptr)
    else:
        storage = (False, X, _NO_DATA, _NO_INDEX, _NO_INDEX)
    null = np.zeros(p, np.bool_)
    null[d._null] = True
    model_data = (cert.datafit._kind, cert._y, cert._ix, cert._sw)
    model_data += (cert.fit_intercept,)
    model_data += (max_newton, EXACT_CELLS)
    o = _NO_DATA if cert.offset is None else np.asarray(cert.offset, dtype=float)
    work = tuple(np.zeros(p) for _ in range(4))
    # Without a tracker, _gradient writes its reference arrays and reads none.
    work += (np.zeros(p), np.zeros(p), np.zeros(p), np.empty(p, np.bool_))
    work += (np.zeros(n),)
    return (
        model_data,
        o,
        storage,
        np.asarray(d.scale, dtype=float),
        np.asarray(d.constant, dtype=np.bool_),
        null,
        work,
        np.empty((max_iter + 2, 2)),
    )
