"""Duality gaps and KKT checks for the GLM datafits (logistic, multinomial,
Poisson) with a separable or a row-grouped penalty.

For ``P(W, b) = F(Y, X W + 1 b' + o) + g(W)`` the Fenchel dual is

.. math::

    D(V) = -F^*(V) + V'o - g^*(-X'V), \\qquad 1'V = 0,

and any ``V`` gives ``P(W, b) - P^* <= P(W, b) - D(V)``.  We take
``V = t grad F`` (the generalised residual, rescaled as in Ndiaye et al.
2017), with ``t`` the best value in ``[0, s]`` where ``s`` is the largest
scale that keeps ``g^*`` finite.  ``1'V = 0`` and ``X_F'V = 0`` for the
unpenalised features hold because the intercept and those features are
re-optimised, by Newton's method to rounding accuracy, before every
certificate: that only lowers ``P``.
"""

import functools

import numpy as np

from ..datafits._compiled import terms
from ..penalties._base import (
    separable_conjugate,
    separable_dual_scale,
    separable_prox,
    separable_subdiff_distance,
    separable_value,
)
from ..penalties._group import (
    group_conjugate,
    group_dual_scale,
    group_prox,
    group_subdiff_distance,
    group_value,
)
from ._cd_kernels import add_columns_csc, add_columns_dense
from ._glm_kernels import refit_intercept, separable_gap

_EMPTY = np.empty(0)


@functools.lru_cache(maxsize=8)
def _zeros(n):
    """A shared, read-only array of ``n`` zeros (the uncentred design's
    column offsets, at every linear predictor)."""
    z = np.zeros(n)
    z.flags.writeable = False
    return z


__all__ = ["MatrixPenalty", "BlockMatrixPenalty", "GLMCertificate"]


class MatrixPenalty:
    """A separable penalty applied to every column of ``W`` (n_features, K), or
    its row-grouped version.

    Parameters
    ----------
    arrays : tuple ``(a, c, lower, upper)`` of shape (n_features,) each
        In the design's (scaled) coordinates.
    grouped : bool
        One Euclidean group per row (bounds must then be infinite).
    free : ndarray of bool or None
        The unpenalised, unbounded features when already known.
    """

    def __init__(self, arrays, grouped=False, free=None):
        self.arrays = arrays
        self.grouped = grouped
        self.a, self.c, self.lower, self.upper = arrays
        if free is None:
            free = (
                (self.a == 0)
                & (self.c == 0)
                & np.isneginf(self.lower)
                & np.isposinf(self.upper)
            )
        self.free = free
        self._tiles = {}

    def _tile(self, K):
        if K == 1:
            return self.arrays
        if K not in self._tiles:
            self._tiles[K] = tuple(np.tile(v, K) for v in self.arrays)
        return self._tiles[K]

    def value(self, W):
        if self.grouped:
            return group_value(W, self.a, self.c)
        return separable_value(W.T.ravel(), *self._tile(W.shape[1]))

    def conjugate(self, Z):
        Z = np.where(self.free[:, None], 0.0, Z)
        if self.grouped:
            return group_conjugate(Z, self.a, self.c)
        return separable_conjugate(Z.T.ravel(), *self._tile(Z.shape[1]))

    def dual_scale(self, Z):
        Z = np.where(self.free[:, None], 0.0, Z)
        if self.grouped:
            return group_dual_scale(Z, self.a, self.c)
        return separable_dual_scale(Z.T.ravel(), *self._tile(Z.shape[1]))

    def kkt(self, W, grad):
        """Per-feature KKT violation (the largest over classes, or the group's)."""
        if self.grouped:
            return group_subdiff_distance(W, grad, self.a, self.c)
        K = W.shape[1]
        dist = separable_subdiff_distance(W.T.ravel(), grad.T.ravel(), *self._tile(K))
        return dist.reshape(K, -1).max(axis=0)

    def prox(self, V, step):
        if self.grouped:
            return group_prox(V, step, self.a, self.c)
        K = V.shape[1]
        flat = separable_prox(V.T.ravel(), step, *self._tile(K))
        return np.ascontiguousarray(flat.reshape(K, -1).T)


class BlockMatrixPenalty:
    """A block penalty (the group lasso) on ``W`` of shape (n_features, 1),
    with the interface of :class:`MatrixPenalty`.

    ``a`` holds each feature's group penalty level (the KKT check's unit),
    ``c`` zeros and the bounds are infinite; ``free`` marks the features of
    unpenalised groups.

    Parameters
    ----------
    penalty : GroupPenalty
        At its alpha, in the design's coordinates.
    n_features : int
        The number of features.
    """

    grouped = False

    def __init__(self, penalty, n_features):
        self.penalty = penalty
        labels = penalty.structure(n_features)[3]
        l2 = penalty.arrays(n_features)[3]
        top = penalty.alpha * penalty.l1_ratio * penalty._extras(n_features)[1]
        self.a = (l2 + top)[labels]
        self.c = np.zeros(n_features)
        self.lower = np.full(n_features, -np.inf)
        self.upper = np.full(n_features, np.inf)
        self.arrays = (self.a, self.c, self.lower, self.upper)
        self.free = penalty.free_features(n_features)

    def value(self, W):
        return self.penalty.value(W[:, 0])

    def conjugate(self, Z):
        return self.penalty.conjugate(Z[:, 0])

    def dual_scale(self, Z):
        return self.penalty.dual_scale(Z[:, 0])

    def kkt(self, W, grad):
        return self.penalty.subdiff_distance(W[:, 0], grad[:, 0])

    def prox(self, V, step):
        return self.penalty.prox(V[:, 0], step)[:, None]


class GLMCertificate:
    """Everything a GLM solver needs about one problem at one alpha.

    Parameters
    ----------
    design : Design
        Uncentred (``offset = 0``), with the column scales of standardisation.
    y : ndarray
        Encoded target: -1/+1 (logistic), one-hot (multinomial), counts.
    datafit : Logistic, Multinomial or Poisson
    offset : ndarray of shape (n_samples,) or None
        Added to the linear predictor (log exposure for Poisson).
    penalty : MatrixPenalty
    fit_intercept : bool
    n_outputs : int
        K: 1 for logistic and Poisson.
    """

    def __init__(self, design, y, datafit, offset, penalty, fit_intercept, n_outputs):
        self.design = design
        self.y = y
        self.datafit = datafit
        self.offset = offset
        self.penalty = penalty
        self.fit_intercept = fit_intercept
        self.K = n_outputs
        self.single = datafit.__class__.__name__ != "Multinomial"
        self.free = np.flatnonzero(penalty.free & ~design.constant)
        self.free_cols = (
            design.columns(self.free).astype(float) if self.free.size else None
        )
        #: A :class:`~sparsefit.solvers._grad_bounds.GradBounds` the solver
        #: may attach (one output, separable penalty): products skipped where
        #: their bounds decide.
        self.bounds = None
        self.grad_exact = True
        #: The datafit's value at the last :meth:`evaluate`.
        self.value = None
        # One output and compiled terms: the certificate's steps run in the
        # kernels of ._glm_kernels.
        self.compiled = self.single and hasattr(datafit, "_kind")
        if self.compiled:
            self._y, self._ix = datafit._compiled_target(y)
            self._sw = datafit._sw()

    # -- the datafit on (n, K) arrays ---------------------------------------
    def _z(self, Z):
        return Z[:, 0] if self.single else Z

    def _back(self, v):
        return v[:, None] if self.single else v

    def F(self, Z):
        if self.compiled:
            return self._terms(Z[:, 0], _EMPTY, _EMPTY)
        return self.datafit.value(self.y, self._z(Z))

    def derivatives(self, Z):
        """``(F, dF/dz, d2F/dz2)`` at ``Z`` for one output, the last two of
        shape (n_samples,)."""
        if not self.compiled:
            z = self._z(Z)
            df = self.datafit
            return (
                df.value(self.y, z),
                df.raw_grad(self.y, z),
                df.raw_hessian(self.y, z),
            )
        n = Z.shape[0]
        g, h = np.empty(n), np.empty(n)
        value = self._terms(Z[:, 0], g, h)
        return value, g, h

    def _terms(self, z, g, h):
        """The compiled terms at ``z`` (``g``, ``h``: see CompiledTerms)."""
        kind = self.datafit._kind
        return terms(kind, self._y, self._ix, z, self._sw, g, h)

    def grad(self, Z):
        return self._back(self.datafit.raw_grad(self.y, self._z(Z)))

    def hessian(self, Z):
        return self._back(self.datafit.raw_hessian(self.y, self._z(Z)))

    def conj(self, V):
        return self.datafit.conjugate(self.y, self._z(V))

    def linear(self, W, b):
        """``Z = X W + 1 b' + o``."""
        d = self.design
        # Only the support's columns: along a path most coefficients are 0.
        support = np.flatnonzero(W[:, 0] if self.K == 1 else W.any(axis=1))
        Z = np.zeros((d.n_samples, self.K))
        if 2 * support.size > d.n_features:
            # A dense W (FISTA's iterates): one product with all of X.
            Z += np.asarray(d.X @ (W * d.scale[:, None]))
        elif support.size:
            # The columns in place (the core's kernel), not a copy of them.
            X = d.X
            storage = (X.data, X.indices, X.indptr, support) if d.sparse else (X,)
            add = add_columns_csc if d.sparse else add_columns_dense
            scale = np.asarray(d.scale, dtype=float)
            zero = _zeros(d.n_features)
            for k in range(self.K):
                r, shift = np.zeros(d.n_samples), np.zeros(1)
                add(*storage, zero, scale, r, shift, support, W[support, k].copy())
                Z[:, k] -= r
        Z += b
        if self.offset is not None:
            Z += self.offset[:, None]
        return Z

    def grad_neg(self, G):
        """``-X'G`` in the design's coordinates, shape (n_features, K)."""
        return -self.design.rmatmat(G)

    def primal(self, W, Z):
        return self.F(Z) + self.penalty.value(W)

    # -- the unpenalised block ------------------------------------------------
    def refit_unpenalised(self, W, b, Z, max_iter=50):
        """Newton's method on the intercepts and unpenalised features, to
        rounding accuracy; updates ``W``, ``b`` and ``Z`` in place."""
        if self.single and self.fit_intercept and not self.free.size:
            if self.compiled:
                kind = self.datafit._kind
                y, ix = self._y, self._ix
                b[0] += refit_intercept(kind, y, ix, self._sw, Z[:, 0], max_iter)
            else:
                b[0] += self._refit_intercept(Z, max_iter)
            return
        cols = [np.ones(Z.shape[0])] if self.fit_intercept else []
        if self.free.size:
            cols.extend(self.free_cols.T)
        if not cols:
            return
        A = np.column_stack(cols)
        m, K = A.shape[1], self.K
        value = self.F(Z)
        gnorm = np.inf
        for _ in range(max_iter):
            G = self.grad(Z)
            g = (A.T @ G).T.ravel()  # class-major
            new_norm = float(np.abs(g).max(initial=0.0))
            scale = float((np.abs(A).T @ np.abs(G)).max(initial=0.0))
            if new_norm <= 1e-14 * max(scale, 1e-300):
                break
            H = self._block_hessian(A, Z)
            ridge = 1e-12 * max(np.trace(H) / H.shape[0], 1e-300)
            step = -np.linalg.lstsq(H + ridge * np.eye(H.shape[0]), g, rcond=None)[0]
            decrease = float(g @ step)
            if not np.isfinite(decrease):
                break
            step = step.reshape(K, m).T
            delta = A @ step
            # Where the sigmoid or softmax saturates, the curvature vanishes
            # and Newton's step explodes: move the linear predictor by at most
            # 5 units per step (a trust region), then backtrack as usual.
            biggest = float(np.abs(delta).max(initial=0.0))
            if biggest > 5.0:
                step *= 5.0 / biggest
                delta *= 5.0 / biggest
                decrease *= 5.0 / biggest
            accepted = self._line_search(Z, delta, value, decrease, new_norm, gnorm)
            if accepted is None:
                break
            t, new = accepted
            gnorm = new_norm
            Z += t * delta
            value = new
            if self.fit_intercept:
                b += t * step[0]
            if self.free.size:
                W[self.free] += t * step[1 if self.fit_intercept else 0 :]
        if not self.single:
            # The softmax ignores a common shift of an unpenalised row (or of
            # the intercepts) across classes: pin it, or the solver drifts
            # along that flat direction.
            if self.free.size:
                shift = W[self.free].mean(axis=1)
                W[self.free] -= shift[:, None]
                Z -= (self.free_cols @ shift)[:, None]
            if self.fit_intercept:
                Z -= b.mean()
                b -= b.mean()

    def _line_search(self, Z, delta, value, decrease, new_norm, gnorm):
        """``(t, F(Z + t delta))`` for a Newton step of the unpenalised block,
        or None when the step is refused.

        Far from the optimum, backtrack on F; once Newton predicts less than
        F's rounding, F cannot judge the step and the gradient does: it must
        shrink (``new_norm < gnorm``), and F must not grow beyond rounding (a
        saturated softmax can shrink the gradient while F grows)."""
        t = 1.0
        slack = 4 * np.finfo(float).eps * max(abs(value), 1e-300)
        if -decrease > slack:
            for _ in range(30):
                new = self.F(Z + t * delta)
                if new <= value + 1e-4 * t * decrease + slack:
                    return t, new
                t *= 0.5
            return None
        if new_norm >= gnorm:
            return None
        new = self.F(Z + delta)
        return (1.0, new) if new <= value + slack else None

    def _refit_intercept(self, Z, max_iter):
        """:meth:`refit_unpenalised` for one output and the intercept alone
        (the common case, once per certificate): the same safeguarded Newton
        steps in one variable, without the matrices.  Moves ``Z`` in place
        and returns the intercept's change."""
        value = self.F(Z)
        gnorm, moved = np.inf, 0.0
        for _ in range(max_iter):
            G = self.grad(Z)
            g = float(G.sum())
            new_norm = abs(g)
            if new_norm <= 1e-14 * max(float(np.abs(G).sum()), 1e-300):
                break
            h = float(self.hessian(Z).sum())
            h += 1e-12 * max(h, 1e-300)
            step = -g / h
            decrease = g * step
            if not np.isfinite(decrease):
                break
            if abs(step) > 5.0:  # the trust region of refit_unpenalised
                decrease *= 5.0 / abs(step)
                step = 5.0 * np.sign(step)
            accepted = self._line_search(Z, step, value, decrease, new_norm, gnorm)
            if accepted is None:
                break
            t, new = accepted
            gnorm = new_norm
            Z += t * step
            moved += t * step
            value = new
        return moved

    def _block_hessian(self, A, Z):
        """Hessian of ``F(Z + A S)`` in ``S`` (class-major), exact."""
        K = self.K
        if self.single:
            h = self.hessian(Z)[:, 0]
            return A.T @ (A * h[:, None])
        n = Z.shape[0]
        P = self.datafit.inverse_link(Z)
        sw = self.datafit.sample_weight
        s = (np.ones(n) if sw is None else sw) / n
        m = A.shape[1]
        H = np.empty((K, m, K, m))
        for k in range(K):
            for j in range(k, K):
                w = s * (P[:, k] * ((k == j) - P[:, j]))
                block = A.T @ (A * w[:, None])
                H[k, :, j, :] = block
                H[j, :, k, :] = block.T
        return H.reshape(K * m, K * m)

    # -- the certificate ------------------------------------------------------
    def evaluate(self, W, Z):
        """Return ``(gap, primal, grad_neg, kkt)`` at ``(W, Z)``."""
        fused = (
            self.compiled
            and type(self.penalty) is MatrixPenalty
            and not self.penalty.grouped
        )
        if fused:
            n = Z.shape[0]
            g = np.empty(n)
            value = self._terms(Z[:, 0], g, _EMPTY)
            G = g[:, None]
        else:
            G = self.grad(Z)
        if self.bounds is None:
            grad_neg = self.grad_neg(G)
        else:
            pen = self.penalty
            g, self.grad_exact = self.bounds.gradient(
                G[:, 0], G[:, 0], W[:, 0], pen.a, pen.lower, pen.upper
            )
            grad_neg = -g[:, None]
        if fused:
            self.value = value
            return self._separable_gap(W, Z, G, value, grad_neg)
        self.value = self.F(Z)
        primal = self.value + self.penalty.value(W)
        s_max = self.penalty.dual_scale(grad_neg)
        # A datafit whose conjugate has a bounded domain (Huber) caps the scale
        # too, or the dual would be -inf at s_max.
        limit = getattr(self.datafit, "dual_scale", None)
        if limit is not None:
            s_max = min(s_max, limit(self.y, self._z(G)))
        # The offset shifts the datafit, F(. + o), whose conjugate is F^*(V) - V'o.
        shift = 0.0 if self.offset is None else float(np.sum(G * self.offset[:, None]))

        # A datafit whose conjugate has no closed form (Cox) bounds it at a
        # scaled gradient instead, which gives a valid lower bound on the dual.
        bound = getattr(self.datafit, "conjugate_at", None)
        if bound is None:

            def conj(t):
                return self.conj(t * G)

        else:

            def conj(t):
                return bound(self.y, self._z(Z), t)

        def dual(t):
            return -conj(t) + t * shift - self.penalty.conjugate(t * grad_neg)

        best = dual(s_max)
        # The dual is concave in t: when it does not decrease just left of
        # s_max, its maximum over [0, s_max] is at s_max (up to a step of
        # 1e-6 s_max), which is the usual case near the optimum.
        if (self.penalty.c.any() or s_max < 1.0) and s_max > 0:
            if dual(s_max * (1.0 - 1e-6)) > best:
                best = max(best, _golden_max(dual, 0.0, s_max))
        kkt = self.penalty.kkt(W, -grad_neg)
        return primal - best, primal, grad_neg, kkt

    def _separable_gap(self, W, Z, G, value, grad_neg):
        """:meth:`evaluate` in one compiled call (see :func:`separable_gap`)."""
        pen = self.penalty
        limit = getattr(self.datafit, "dual_scale", None)
        cap = np.inf if limit is None else limit(self.y, G[:, 0])
        shift = 0.0 if self.offset is None else float(G[:, 0] @ self.offset)
        fit = (self.datafit._kind, self._y, self._ix, Z[:, 0], self._sw)
        gap, primal, kkt, _ = separable_gap(
            fit,
            G[:, 0],
            value,
            W[:, 0],
            grad_neg[:, 0],
            pen.arrays,
            shift,
            cap,
        )
        return gap, primal, grad_neg, kkt


def _golden_max(f, lo, hi, n_iter=24):
    """Maximum of a concave function on ``[lo, hi]`` by golden-section search."""
    ratio = (np.sqrt(5.0) - 1) / 2
    x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    f1, f2 = f(x1), f(x2)
    best = max(f1, f2)
    for _ in range(n_iter):
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + ratio * (hi - lo)
            f2 = f(x2)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - ratio * (hi - lo)
            f1 = f(x1)
        best = max(best, f1, f2)
    return best
