"""One GLM problem (logistic, multinomial or Poisson) at many alphas.

The counterpart of :class:`~sparsefit._problem.LeastSquaresProblem`: it holds
the design (uncentred, since the intercept of a GLM is not eliminated by
centring, but scaled when standardising), the encoded target, the offset and
the penalty template, and solves at any alpha with the proximal Newton or the
FISTA solver.  Coefficients are ``W`` of shape (n_features, K) in the
design's coordinates; paths store them flattened class by class.
"""

import warnings

import numpy as np

from ._design import Design
from ._problem_base import BaseProblem
from ._threads import single_blas
from .solvers._glm_certificate import GLMCertificate, MatrixPenalty

__all__ = ["GLMProblem"]


class GLMProblem(BaseProblem):
    """Penalised GLM, maybe standardised.

    .. math::

        P(W, b) = F(Y, X W + 1 b' + o) + g_\\alpha(W)

    Parameters
    ----------
    X : ndarray or CSC matrix, validated
    y : ndarray
        Encoded: -1/+1 (logistic), one-hot (multinomial) or counts (Poisson).
    datafit : Logistic, Multinomial or Poisson
        Carries the sample weights (rescaled to sum to n).
    penalty : SeparablePenalty
        Bounds on the original scale; its ``alpha`` is replaced per solve.
    offset : ndarray of shape (n_samples,) or None
    fit_intercept, standardize : bool
    grouped : bool
        Row-grouped penalty (multinomial only).
    solver : ProxNewton or FISTA
    """

    def __init__(
        self,
        X,
        y,
        datafit,
        penalty,
        offset=None,
        fit_intercept=True,
        standardize=False,
        grouped=False,
        solver=None,
    ):
        from .solvers import ProxNewton

        sw = datafit.sample_weight
        # Uncentred columns, standardised and tested for constancy as centred
        # ones when the intercept is free (the dual point is then orthogonal
        # to 1, so the gap-safe radii use the centred norms too).
        self.design = Design(
            X,
            sw,
            center=False,
            standardize=standardize,
            reference_center=fit_intercept,
        )
        self.y = y
        self.datafit = datafit
        self.offset = offset
        self.fit_intercept = fit_intercept
        self.grouped = grouped
        self.K = y.shape[1] if y.ndim == 2 else 1
        lower, upper = self._set_template(penalty, X.shape[1], X.dtype)
        if grouped and (np.isfinite(lower).any() or np.isfinite(upper).any()):
            raise ValueError(
                "Bounds (positive, lower_bounds, upper_bounds) do not apply to the "
                "grouped multinomial penalty; use multinomial='ungrouped'."
            )
        self.solver = solver if solver is not None else ProxNewton()
        self._null = None
        self._null_grad = None
        self._last_b = None
        self._history = []
        self._unit = None

    def _unit_arrays(self):
        """``(a, c, lower, upper)`` at alpha = 1, validated once: a path asks
        for them at every alpha."""
        if self._unit is None:
            self._unit = self.penalty(1.0).coefficients(self.n_features, np.float64)
        return self._unit

    def certificate(self, alpha):
        a, c, lower, upper = self._unit_arrays()
        arrays = (alpha * a, alpha * c, lower, upper)
        return GLMCertificate(
            self.design,
            self.y,
            self.datafit,
            self.offset,
            MatrixPenalty(arrays, self.grouped),
            self.fit_intercept,
            self.K,
        )

    def _start(self, cert):
        """``W0`` (0 projected on the bounds) with its optimal intercept and
        unpenalised features."""
        lower, upper = cert.penalty.lower, cert.penalty.upper
        W = np.repeat(np.clip(0.0, lower, upper)[:, None], self.K, axis=1)
        b = np.zeros(self.K)
        if self.fit_intercept:
            b0 = np.atleast_1d(self.datafit.null_intercept(self.y)).astype(float)
            b = np.where(np.isfinite(b0), b0, 0.0)
        Z = cert.linear(W, b)
        cert.refit_unpenalised(W, b, Z)
        return W, b, Z

    def null_fit(self):
        """``(W0, b0, F(W0, b0))`` at the null model (cached)."""
        if self._null is None:
            cert = self.certificate(1.0)
            W, b, Z = self._start(cert)
            self._null = (W, b, cert.F(Z))
        return self._null

    def null_value(self):
        return self.null_fit()[2]

    def null_grad(self):
        """Minus the datafit's gradient at the null model, (n_features, K)
        (cached)."""
        if self._null_grad is None:
            W, b, _ = self.null_fit()
            cert = self.certificate(1.0)
            self._null_grad = cert.grad_neg(cert.grad(cert.linear(W, b)))
        return self._null_grad

    def reference_value(self, alpha, cert=None):
        W, _, value = self.null_fit()
        cert = self.certificate(alpha) if cert is None else cert
        return value + cert.penalty.value(W)

    def solve(self, alpha, w0=None, strong=None, quiet=False, gap_abs=None):
        """Solve at ``alpha`` from the flat coefficients ``w0`` (class-major);
        ``gap_abs`` asks for an absolute gap instead of ``tol * P(w)``."""
        cert = self.certificate(alpha)
        W0, b0, _ = self.null_fit()
        W = W0 if w0 is None else self._unflatten(w0)
        b = b0 if self._last_b is None else self._last_b
        if strong is not None:
            strong = strong.reshape(self.K, -1).any(axis=0)
            W, b = self._extrapolate(alpha, W, b, cert.penalty)
        p_ref = self.reference_value(alpha, cert)
        with single_blas(), warnings.catch_warnings():
            if quiet:
                warnings.simplefilter("ignore")
            res = self.solver.solve_glm(
                cert,
                W,
                b,
                p_ref,
                strong,
                float(np.abs(self.null_grad()).max()),
                gap_abs,
            )
        res.datafit_value = res.primal - cert.penalty.value(res.coef)
        self._last_b = res.intercept.copy()
        self._history = (self._history + [(alpha, res.coef.copy(), self._last_b)])[-2:]
        res.coef = res.coef.T.ravel()
        res.grad_neg = res.grad_neg.T.ravel()
        return res

    def _pulls(self, res):
        G = self._unflatten(res.grad_neg)
        pull = np.sqrt((G**2).sum(axis=1)) if self.grouped else np.abs(G).max(axis=1)
        return pull, ~self._unflatten(res.coef).any(axis=1)

    def _radius_scale(self):
        # The gap-safe radius needs the datafit's curvature bound (none for
        # Poisson, whose statuses use the pull alone).
        curv = self.datafit.curvature
        if not np.isfinite(curv):
            return None
        d = self.design
        return curv * d.centred_sq_norms.astype(float) / d.n_samples

    def _refine(self, alpha, res, gap_abs):
        return self.solve(alpha, res.coef, quiet=True, gap_abs=gap_abs)

    def _extrapolate(self, alpha, W, b, penalty):
        """Along a path, predict the solution at ``alpha`` from the last two
        (when ``W`` is the last one): linear in log(alpha) on the coefficients
        that were non-zero at both and keep their sign, clipped to the
        bounds.  A closer start saves a Newton step per alpha; the solver
        still certifies the result."""
        if len(self._history) < 2 or not alpha > 0:
            return W, b
        (a0, W0, b0), (a1, W1, b1) = self._history
        if not (a0 > a1 > alpha) or W1.shape != W.shape or not np.array_equal(W1, W):
            return W, b
        r = np.log(a1 / alpha) / np.log(a0 / a1)
        guess = W1 + r * (W1 - W0)
        keep = (W1 != 0) & (W0 != 0) & (np.sign(guess) == np.sign(W1))
        guess = np.where(keep, guess, W1)
        guess = np.clip(guess, penalty.lower[:, None], penalty.upper[:, None])
        return guess, b1 + r * (b1 - b0)

    def _unflatten(self, w):
        return np.ascontiguousarray(np.asarray(w, dtype=float).reshape(self.K, -1).T)

    def to_original(self, w, intercept):
        """``(coef, intercept)`` on the original scale: coef flat class-major."""
        W = self._unflatten(w) * self.design.scale[:, None]
        coef = W.T.ravel().astype(self.design.dtype)
        # Columns the design holds centred (a large offset) carry their mean
        # in the intercept.
        b = np.asarray(intercept, dtype=float) - self.design.mean @ W
        if self.K == 1:
            return coef, float(b[0])
        # The softmax is blind to a common shift of the intercepts: centre
        # them so that the fit is unique.
        return coef, b - b.mean()

    def unpack(self, res):
        return self.to_original(res.coef, res.intercept)

    def from_original(self, coef):
        W = self._unflatten(coef) / self.design.scale[:, None]
        return W.T.ravel()

    def fit_value(self, alpha, res):
        return res.datafit_value

    def grad_neg(self, w):
        W = self._unflatten(w)
        cert = self.certificate(1.0)
        b = self._last_b if self._last_b is not None else self.null_fit()[1]
        Z = cert.linear(W, b)
        return cert.grad_neg(cert.grad(Z)).T.ravel()

    def strong_set(self, grad_neg, alpha, prev_alpha):
        """Sequential strong rule on features (all classes together)."""
        unit = self._unit_arrays()[0]
        G = np.abs(grad_neg.reshape(self.K, -1))
        pull = np.sqrt((G**2).sum(axis=0)) if self.grouped else G.max(axis=0)
        keep = (pull >= (2 * alpha - prev_alpha) * unit) | (unit == 0)
        return np.tile(keep, self.K)

    def alpha_max(self):
        """Smallest alpha at which every penalised coefficient is zero, and the
        flat solution there."""
        W = self.null_fit()[0]
        grad_neg = self.null_grad()
        unit = self._unit_template()
        if self.grouped:
            a = unit.coefficients(self.n_features)[0]
            norms = np.sqrt((grad_neg**2).sum(axis=1))
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(a > 0, norms / a, 0.0)
            value = float(ratio.max(initial=0.0))
        else:
            value = max(unit.alpha_max(-grad_neg[:, k].copy()) for k in range(self.K))
        return value, W.T.ravel()
