"""Accelerated proximal gradient (FISTA) with backtracking and adaptive restart."""

import numpy as np

from ._base import SolverResult, StoppingRule, glm_rule, warn_not_converged
from ._certificates import BlockQuadraticCertificate, QuadraticCertificate

__all__ = ["FISTA"]


class FISTA:
    """FISTA (Beck and Teboulle 2009) for ``F(y, X_c w) + g(w)``.

    Uses only the datafit's ``value``/``raw_grad``/``lipschitz`` and the
    penalty's ``prox``/``value``, so any pair with a prox fits.  The step
    starts at ``1 / L`` (power iteration) and is halved while the quadratic
    upper bound fails (backtracking); momentum is reset when it points uphill
    (gradient restart, O'Donoghue and Candes 2015).  Every ``check_every``
    iterations the duality gap is computed; the solver stops on the
    certificate of :class:`~sparsefit.solvers.StoppingRule` (``gap <= tol *
    P(w)`` at the returned point, and the KKT check).

    Parameters
    ----------
    tol : float, default=1e-4
        Relative duality-gap tolerance at the returned point.
    max_iter : int, default=20_000
        Maximum number of iterations.
    check_every : int, default=10
        Iterations between two computations of the duality gap.
    verbose : bool, default=False
        Print the gap and the KKT violation at every check.

    See Also
    --------
    CoordinateDescent : Faster for least squares with a separable penalty.
    ProxNewton : Faster for the GLM datafits.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Quadratic
    >>> from sparsefit.penalties import L1
    >>> X, y = load_diabetes(return_X_y=True)
    >>> problem = Problem(X, y, Quadratic(), L1(1.0))
    >>> from sparsefit.solvers import FISTA
    >>> result = FISTA().solve(problem, 1.0)
    >>> result.converged, bool(result.dual_gap <= result.tol_abs)
    (True, True)
    >>> int((result.coef != 0).sum())
    3
    """

    name = "FISTA"

    def __init__(self, tol=1e-4, max_iter=20_000, check_every=10, verbose=False):
        self.tol = tol
        self.max_iter = max_iter
        self.check_every = check_every
        self.verbose = verbose

    #: Continues a solve to an absolute gap (``gap_abs``).
    refines = True

    @staticmethod
    def accepts(problem):
        """Whether this solver applies: always.

        It needs only the datafit's gradient and the penalty's prox.

        Parameters
        ----------
        problem : Problem
            The problem to solve.

        Returns
        -------
        bool
            True when :meth:`solve` can take ``problem``.
        """
        return True

    def solve(self, problem, alpha, w0=None, *, strong=None, gap_abs=None):
        """Solve ``problem`` at ``alpha`` by accelerated proximal gradient.

        Every iteration touches all features, so ``strong`` only tells that
        the solve is a step along a path (the start is then extrapolated).

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
        if not problem.centred:
            return self._solve_kept(problem, alpha, w0, strong, gap_abs)
        design, y, datafit = problem.design, problem.y, problem.datafit
        penalty = problem.penalty(alpha)
        p = design.n_features
        if problem.block:
            cert = BlockQuadraticCertificate(design, y, penalty)
            w_ref = np.zeros(p, dtype=design.dtype)
            a_max = penalty.kkt_scale(p)
        else:
            arrays = penalty.coefficients(p, design.dtype)
            cert = QuadraticCertificate(design, y, arrays)
            w_ref = np.clip(np.zeros(p, dtype=design.dtype), arrays[2], arrays[3])
            a_max = arrays[0].max(initial=0.0)
        p_ref = cert.reference_value(w_ref)
        lip = datafit.lipschitz(design)
        rule = StoppingRule(
            self.tol,
            a_max,
            p_ref,
            np.sqrt(2 * p_ref * lip),
            np.finfo(design.dtype).eps,
            gap_abs,
        )
        w = w_ref.copy() if w0 is None else penalty.prox(w0.astype(design.dtype), 0.0)
        step = 1.0 / max(lip, np.finfo(float).tiny)
        Xw = design.matvec(w)
        z, Xz, t = w.copy(), Xw.copy(), 1.0
        history = []
        for it in range(self.max_iter + 1):
            if it % self.check_every == 0 or it == self.max_iter:
                stats = cert.stats_from_residual(y - Xw, w)
                gap, primal, _, _ = cert.gap(w, stats)
                kkt = float(cert.kkt(w, stats[4]).max(initial=0.0))
                history.append((it, gap))
                if self.verbose:
                    print(f"[fista] iter {it}: gap {gap:.3e}, kkt {kkt:.3e}")
                converged = rule.met(gap, primal, kkt)
                if converged or it == self.max_iter:
                    break
            grad = design.rmatvec(datafit.raw_grad(y, Xz))
            f_z = datafit.value(y, Xz)
            while True:
                w_new = penalty.prox(z - step * grad, step)
                Xw_new = design.matvec(w_new)
                d = w_new - z
                bound = f_z + grad @ d + (d @ d) / (2 * step)
                if datafit.value(y, Xw_new) <= bound * (1 + 1e-12) + 1e-300:
                    break
                step /= 2.0
            if (z - w_new) @ (w_new - w) > 0:
                t = 1.0
            t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
            beta = (t - 1) / t_new
            z = w_new + beta * (w_new - w)
            Xz = Xw_new + beta * (Xw_new - Xw)
            w, Xw, t = w_new, Xw_new, t_new
        result = SolverResult(
            w,
            max(it, 1),
            gap,
            primal,
            kkt,
            rule.gap_target(primal),
            converged,
            history,
            stats[4],
        )
        if not result.converged:
            warn_not_converged(self.name, result, self.max_iter)
        return result

    def _solve_kept(self, problem, alpha, w0, strong, gap_abs):
        """FISTA on ``F(Y, X W + 1 b' + o) + g(W)`` with the intercept kept
        (logistic, multinomial, Poisson, Huber): the intercepts take plain
        gradient steps inside the same backtracking; the certificate is
        computed on a copy whose intercepts and unpenalised features are
        re-optimised, and that copy is returned."""
        # The strong set only moves the start (extrapolated along a path).
        cert, W, b, _, p_ref, grad_scale = problem.start(alpha, w0, strong)
        pen = cert.penalty
        W = pen.prox(np.asarray(W, dtype=float), 0.0)
        b = np.asarray(b, dtype=float).copy()
        rule = glm_rule(self.tol, cert, p_ref, grad_scale, gap_abs)
        curv = cert.datafit.curvature
        lip = cert.design.spectral_norm_sq() / cert.design.n_samples + 1.0
        step = 1.0 / (lip * curv) if np.isfinite(curv) else 1.0
        Zw = cert.linear(W, b)
        V, bv, Zv, t = W.copy(), b.copy(), Zw.copy(), 1.0
        history = []
        intercept = 1.0 if cert.fit_intercept else 0.0
        for it in range(self.max_iter + 1):
            if it % self.check_every == 0 or it == self.max_iter:
                Wc, bc, Zc = W.copy(), b.copy(), Zw.copy()
                cert.refit_unpenalised(Wc, bc, Zc)
                gap, primal, grad_neg, kkt = cert.evaluate(Wc, Zc)
                kkt_max = float(kkt.max(initial=0.0))
                history.append((it, gap))
                if self.verbose:
                    print(f"[fista] iter {it}: gap {gap:.3e}, kkt {kkt_max:.3e}")
                converged = rule.met(gap, primal, kkt_max)
                if converged or it == self.max_iter:
                    break
            G = cert.grad(Zv)
            f_v = cert.F(Zv)
            gW, gb = -cert.grad_neg(G), G.sum(axis=0) * intercept
            while True:
                W_new = pen.prox(V - step * gW, step)
                b_new = bv - step * gb
                Z_new = cert.linear(W_new, b_new)
                dW, db = W_new - V, b_new - bv
                bound = (
                    f_v
                    + np.sum(gW * dW)
                    + gb @ db
                    + (np.sum(dW * dW) + db @ db) / (2 * step)
                )
                value = cert.F(Z_new)
                if np.isfinite(value) and value <= bound * (1 + 1e-12) + 1e-300:
                    break
                step /= 2.0
            if np.sum((V - W_new) * (W_new - W)) + (bv - b_new) @ (b_new - b) > 0:
                t = 1.0
            t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
            beta = (t - 1) / t_new
            V = W_new + beta * (W_new - W)
            bv = b_new + beta * (b_new - b)
            Zv = Z_new + beta * (Z_new - Zw)
            W, b, Zw, t = W_new, b_new, Z_new, t_new
        result = SolverResult(
            Wc,
            max(it, 1),
            gap,
            primal,
            kkt_max,
            rule.gap_target(primal),
            converged,
            history,
            grad_neg,
        )
        result.intercept = bc
        if not result.converged:
            warn_not_converged(self.name, result, self.max_iter)
        return result
