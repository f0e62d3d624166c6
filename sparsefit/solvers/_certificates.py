"""Duality gaps and KKT checks for the quadratic datafit with a separable penalty.

For the centred problem ``P(w) = 1/(2n) ||y_c - X_c w||_S^2 + g(w)`` the
Fenchel dual is

.. math::

    D(u) = u' y_c - \\frac{n}{2} \\sum_i \\frac{u_i^2}{s_i} - g^*(X_c' u),

and any ``u`` gives the certificate ``P(w) - P(w^*) <= P(w) - D(u)``.  We
build ``u`` by rescaling the residual, ``u = t S r / n`` (Mazumder and Hastie
2012; Ndiaye et al. 2017), after projecting ``S^{1/2} r`` off the columns of
unpenalised, unbounded features (their conjugate forces ``X_j' u = 0``, just
as the intercept forces ``1' S r = 0``, which centring already gives).  With
``t`` fixed, ``D = (2 t y_c' S r - t^2 r' S r) / (2n) - g^*(t X_c' S r / n)``.
"""

import numpy as np

from ..penalties._base import (
    free_features,
    separable_conjugate,
    separable_dual_scale,
    separable_subdiff_distance,
    separable_value,
)

__all__ = ["QuadraticCertificate"]


class QuadraticCertificate:
    """Gap, dual point and KKT violations for one centred least-squares problem.

    Parameters
    ----------
    design : Design
    y : ndarray of shape (n_samples,)
        Centred target.
    arrays : tuple ``(a, c, lower, upper)``
        The separable penalty's arrays in the design's coordinates.
    gram : tuple ``(Q, q)`` or None
        ``X_c' S X_c / n`` and ``X_c' S y / n`` when the solver works on them.
    """

    def __init__(self, design, y, arrays, gram=None):
        self.design = design
        self.y = y
        self.arrays = arrays
        self.n = design.n_samples
        sw = design.sample_weight
        self.sqrt_sw = None if sw is None else np.sqrt(sw)
        self.yy = float(np.dot(self._w(y), y))
        self.gram = gram
        a, c, lower, upper = arrays
        free = free_features(*arrays) & ~design.constant
        # Unpenalised features with bounds join the projection while strictly
        # inside them: their conjugate also forces X_j' u = 0 there.
        self.maybe_free = (a == 0) & (c == 0) & ~free & ~design.constant
        self._bases = {}
        if free.any():
            self._check_rank(np.flatnonzero(free))
        self.free_always = free

    def _w(self, v):
        sw = self.design.sample_weight
        return v if sw is None else v * sw

    def _free_set(self, w):
        free = self.free_always
        if w is not None and self.maybe_free.any():
            lower, upper = self.arrays[2], self.arrays[3]
            free = free | (self.maybe_free & (w > lower) & (w < upper))
        return np.flatnonzero(free)

    def _weighted_columns(self, idx):
        cols = self.design.columns(idx).astype(float)
        return cols if self.sqrt_sw is None else cols * self.sqrt_sw[:, None]

    def _check_rank(self, idx):
        """Raise when the unpenalised least-squares problem has no unique solution."""
        k = idx.size
        rank = np.linalg.matrix_rank(self._weighted_columns(idx))
        if rank < k:
            raise ValueError(
                f"X'X is singular on the {k} unpenalised feature(s) (rank "
                f"{rank} < {k}{', and p > n' if k > self.n else ''}): the "
                "unpenalised least-squares solution is not unique. Add a penalty: "
                "alpha > 0 with positive penalty_factor, or l1_ratio < 1 for a "
                "ridge term."
            )

    def _basis(self, idx):
        """Orthonormal basis of the span of ``S^{1/2} X_c[:, idx]`` (cached)."""
        key = idx.tobytes()
        if key not in self._bases:
            u, s, _ = np.linalg.svd(self._weighted_columns(idx), full_matrices=False)
            keep = s > s.max(initial=0.0) * max(u.shape) * np.finfo(float).eps
            self._bases = {key: u[:, keep]}
        return self._bases[key]

    # -- the two ways of getting at the residual ---------------------------
    def stats_from_residual(self, r, w=None):
        """Return ``(rr, yr, rr_p, z, g)``: ``r'Sr``, ``y'Sr``, the same after
        projection, ``z = X_c' S r_p / n`` and the gradient ``g = X_c' S r / n``."""
        rr = float(np.dot(self._w(r), r))
        yr = float(np.dot(self._w(self.y), r))
        g = self.design.rmatvec(self._w(r)) / self.n
        free = self._free_set(w)
        if free.size == 0:
            return rr, yr, rr, g, g
        basis = self._basis(free)
        rho = r if self.sqrt_sw is None else r * self.sqrt_sw
        part = basis @ (basis.T @ rho)
        sy = self.y if self.sqrt_sw is None else self.y * self.sqrt_sw
        spart = part if self.sqrt_sw is None else part * self.sqrt_sw
        z = g - self.design.rmatvec(spart) / self.n
        z[free] = 0.0
        return rr, yr - float(sy @ part), max(rr - float(part @ part), 0.0), z, g

    def stats_from_gram(self, w, Qw):
        """Same as :meth:`stats_from_residual`, from ``Q w`` on the Gram matrix."""
        Q, q = self.gram
        n = self.n
        qw = float(q @ w)
        rr = max(self.yy - 2 * n * qw + n * float(w @ Qw), 0.0)
        yr = self.yy - n * qw
        g = q - Qw
        F = self._free_set(w)
        if F.size == 0:
            return rr, yr, rr, g, g
        beta = np.linalg.lstsq(Q[np.ix_(F, F)], g[F], rcond=None)[0]
        z = g - Q[:, F] @ beta
        z[F] = 0.0
        return (
            rr,
            yr - n * float(q[F] @ beta),
            max(rr - n * float(g[F] @ beta), 0.0),
            z,
            g,
        )

    def reference_value(self, w_ref):
        """``P(w_ref)``, the scale of ``tol``; ``w_ref`` is 0 projected on the
        bounds."""
        r = self.y - self.design.matvec(w_ref) if w_ref.any() else self.y
        return float(np.dot(self._w(r), r)) / (2 * self.n) + separable_value(
            w_ref, *self.arrays
        )

    # -- the certificate ---------------------------------------------------
    def gap(self, w, stats):
        """Return ``(gap, primal, dual, u_corr)``, ``u_corr = X_c' u`` at the dual
        point."""
        rr, yr, rr_p, z = stats[:4]
        n = self.n
        primal = rr / (2 * n) + separable_value(w, *self.arrays)
        s_max = separable_dual_scale(z, *self.arrays)
        best, best_t = -np.inf, 0.0
        candidates = {min(1.0, s_max)}
        if rr_p > 0:
            candidates.add(min(max(yr / rr_p, 0.0), s_max))
        for t in candidates:
            dual = (2 * t * yr - t * t * rr_p) / (2 * n) - separable_conjugate(
                t * z, *self.arrays
            )
            if dual > best:
                best, best_t = dual, t
        return primal - best, primal, best, best_t * z

    def kkt(self, w, grad_neg):
        """Per-feature KKT violation given ``grad_neg = X_c' S r / n``."""
        return separable_subdiff_distance(w, -grad_neg, *self.arrays)
