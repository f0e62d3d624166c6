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
from numba import njit

from ..penalties._base import (
    conjugate_coordinate,
    dual_scale_coordinate,
    separable_conjugate,
    separable_dual_scale,
    separable_subdiff_distance,
    separable_value,
    value_coordinate,
)

__all__ = ["QuadraticCertificate", "BlockQuadraticCertificate"]


class QuadraticCertificate:
    """Gap, dual point and KKT violations for one centred least-squares problem.

    For ``P(w) = 1/(2n) ||y_c - X_c w||_S^2 + g(w)`` with a separable
    penalty ``g``, the dual point is the rescaled residual ``u = t S r / n``
    (after projecting off the unpenalised, unbounded columns), and
    ``P(w) - D(u)`` bounds ``P(w) - P(w*)`` from above (see the module's
    docstring for ``D``).  The residual statistics come either from the
    residual itself or from the Gram matrix, so coordinate descent on
    either pays no extra pass over ``X``.

    Parameters
    ----------
    design : Design
        The centred (possibly scaled) design ``X_c``, with its sample
        weights ``S``.
    y : ndarray of shape (n_samples,)
        Centred target.
    arrays : tuple ``(a, c, lower, upper)``
        The separable penalty's arrays in the design's coordinates.
    gram : tuple ``(Q, q)`` or None
        ``X_c' S X_c / n`` and ``X_c' S y / n`` when the solver works on them.

    Raises
    ------
    ValueError
        If the unpenalised, unbounded columns are rank-deficient (the
        unpenalised least-squares solution is not unique).

    See Also
    --------
    StoppingRule : Tests the gap and KKT violations it computes.
    CoordinateDescent : The solver that uses it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Quadratic
    >>> from sparsefit.penalties import L1
    >>> from sparsefit.solvers import CoordinateDescent, QuadraticCertificate
    >>> X, y = load_diabetes(return_X_y=True)
    >>> problem = Problem(X, y, Quadratic(), L1(1.0))
    >>> w = CoordinateDescent().solve(problem, 1.0).coef
    >>> cert = QuadraticCertificate(problem.design, problem.y, L1(1.0).coefficients(10))
    >>> stats = cert.stats_from_residual(problem.y - problem.design.matvec(w), w)
    >>> gap, primal, dual, _ = cert.gap(w, stats)
    >>> bool(0 <= gap <= 1e-4 * primal), bool(cert.kkt(w, stats[4]).max() < 1e-3)
    (True, True)
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
        # Unpenalised features with bounds join the projection while strictly
        # inside them: their conjugate also forces X_j' u = 0 there.
        free, self.maybe_free, any_free = _free_masks(*arrays, design.constant)
        self._any_maybe = bool(self.maybe_free.any())
        self._any_free = any_free
        self._bases = {}
        if any_free:
            self._check_rank(np.flatnonzero(free))
        self.free_always = free

    def _w(self, v):
        sw = self.design.sample_weight
        return v if sw is None else v * sw

    def _free_set(self, w):
        free = self.free_always
        if w is not None and self._any_maybe:
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
        """Return the residual statistics of the certificate, from the residual.

        Parameters
        ----------
        r : ndarray of shape (n_samples,)
            The residual ``y_c - X_c w``.
        w : ndarray of shape (n_features,) or None, default=None
            The coefficients, to tell which bounded unpenalised features are
            strictly inside their bounds (free); None counts only the unbounded
            ones.

        Returns
        -------
        stats : tuple of (float, float, float, ndarray, ndarray)
            ``(rr, yr, rr_p, z, g)``: ``r'Sr``, ``y'Sr``, ``r'Sr`` after projecting
            ``S^{1/2} r`` off the unpenalised, unbounded columns, ``z = X_c' S r_p / n``
            (zero on those columns) and the gradient ``g = X_c' S r / n``.
        """
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

    def uses_projection(self):
        """Return whether the dual point is projected off unpenalised columns.

        The projection makes ``z`` differ from the gradient at every
        feature, so :meth:`stats_from_gradient` does not apply.

        Returns
        -------
        bool
            True when some feature is unpenalised and unbounded (or may be
            free inside its bounds).
        """
        return self._any_free or self._any_maybe

    def stats_from_gradient(self, r, g):
        """Return the residual statistics from a gradient already at hand.

        The same as :meth:`stats_from_residual` when :meth:`uses_projection`
        is False.

        Parameters
        ----------
        r : ndarray of shape (n_samples,)
            The residual ``y_c - X_c w``.
        g : ndarray of shape (n_features,)
            ``X_c' S r / n`` (or bounds on its entries, see
            :mod:`sparsefit.solvers._grad_bounds`).

        Returns
        -------
        stats : tuple of (float, float, float, ndarray, ndarray)
            ``(rr, yr, rr, g, g)``.
        """
        rr = float(np.dot(self._w(r), r))
        yr = float(np.dot(self._w(self.y), r))
        return rr, yr, rr, g, g

    def stats_from_gram(self, w, Qw):
        """Return the statistics of :meth:`stats_from_residual`, from ``Q w``.

        Needs the ``gram`` given to the constructor.

        Parameters
        ----------
        w : ndarray of shape (n_features,)
            The coefficients, in the design's coordinates.
        Qw : ndarray of shape (n_features,)
            The product of the Gram matrix ``Q = X_c' S X_c / n`` with ``w``.

        Returns
        -------
        stats : tuple of (float, float, float, ndarray, ndarray)
            ``(rr, yr, rr_p, z, g)``: ``r'Sr``, ``y'Sr``, ``r'Sr`` after projecting
            ``S^{1/2} r`` off the unpenalised, unbounded columns, ``z = X_c' S r_p / n``
            (zero on those columns) and the gradient ``g = X_c' S r / n``.
        """
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
        """Return ``P(w_ref)``, the scale of the rounding floor of the gap.

        Parameters
        ----------
        w_ref : ndarray of shape (n_features,)
            Zero projected on the bounds.

        Returns
        -------
        value : float
            The primal objective at ``w_ref``.
        """
        if not w_ref.any():  # 0 is inside the bounds: no penalty, r = y
            return self.yy / (2 * self.n)
        r = self.y - self.design.matvec(w_ref)
        return float(np.dot(self._w(r), r)) / (2 * self.n) + self._value(w_ref)

    # -- the penalty's part; a block penalty overrides these ---------------
    def _value(self, w):
        return separable_value(w, *self.arrays)

    def _dual_scale(self, z):
        return separable_dual_scale(z, *self.arrays)

    def _conjugate(self, z):
        return separable_conjugate(z, *self.arrays)

    # -- the certificate ---------------------------------------------------
    def gap(self, w, stats):
        """Return the duality gap at ``w``, with the primal and dual objectives.

        Parameters
        ----------
        w : ndarray of shape (n_features,)
            The coefficients, in the design's coordinates.
        stats : tuple
            The residual statistics at ``w``, from :meth:`stats_from_residual`
            or :meth:`stats_from_gram`.

        Returns
        -------
        gap, primal, dual, u_corr : float, float, float, ndarray
            ``P(w) - D(u)``, ``P(w)``, ``D(u)`` at the best rescaling ``t`` of the
            residual, and ``u_corr = X_c' u`` (used by gap-safe screening).
        """
        rr, yr, rr_p, z = stats[:4]
        n = self.n
        if type(self) is QuadraticCertificate:
            gap, primal, best, best_t = _separable_gap(
                rr, yr, rr_p, z, w, self.arrays, n
            )
            return gap, primal, best, best_t * z
        primal = rr / (2 * n) + self._value(w)
        s_max = self._dual_scale(z)
        best, best_t = -np.inf, 0.0
        candidates = {min(1.0, s_max)}
        if rr_p > 0:
            candidates.add(min(max(yr / rr_p, 0.0), s_max))
        for t in candidates:
            dual = (2 * t * yr - t * t * rr_p) / (2 * n) - self._conjugate(t * z)
            if dual > best:
                best, best_t = dual, t
        return primal - best, primal, best, best_t * z

    def kkt(self, w, grad_neg):
        """Return the per-feature KKT violation at ``w``.

        Parameters
        ----------
        w : ndarray of shape (n_features,)
            The coefficients, in the design's coordinates.
        grad_neg : ndarray of shape (n_features,)
            Minus the datafit's gradient, ``X_c' S r / n``.

        Returns
        -------
        kkt : ndarray of shape (n_features,)
            The distance from ``grad_neg`` to the subdifferential of the
            penalty at each coordinate.
        """
        return separable_subdiff_distance(w, -grad_neg, *self.arrays)


@njit(cache=True, nogil=True)
def _separable_gap(rr, yr, rr_p, z, w, pen, n):
    """:meth:`QuadraticCertificate.gap` for a separable penalty in two passes
    over the features (value and dual scale; the conjugate at both candidate
    scales): ``(gap, primal, dual, t)``."""
    a, c, lower, upper = pen
    p = w.shape[0]
    # A zero coefficient inside its bounds whose |z_j| is at most its weight
    # adds exactly 0 to the penalty and to the conjugate at any scale in
    # [0, 1], and does not limit the scale: on p >> n problems that is
    # almost every feature, and the general formulas' branches for each of
    # them were most of a certificate's cost (117 us of it on 20,000
    # features).  The second pass visits the others only.
    hot = np.empty(p, np.int64)
    m = 0
    penalty, s_max = 0.0, 1.0
    for j in range(p):
        wj = w[j]
        if wj == 0.0 and abs(z[j]) <= a[j] and lower[j] <= 0.0 <= upper[j]:
            continue
        hot[m] = j
        m += 1
        penalty += value_coordinate(wj, a[j], c[j], lower[j], upper[j])
        s_max = min(s_max, dual_scale_coordinate(z[j], a[j], c[j], lower[j], upper[j]))
    primal = rr / (2 * n) + penalty
    t1 = min(1.0, s_max)
    t2 = min(max(yr / rr_p, 0.0), s_max) if rr_p > 0 else t1
    c1, c2 = 0.0, 0.0
    for k in range(m):
        j = hot[k]
        c1 += conjugate_coordinate(t1 * z[j], a[j], c[j], lower[j], upper[j])
        if t2 != t1:
            c2 += conjugate_coordinate(t2 * z[j], a[j], c[j], lower[j], upper[j])
    best, best_t = -np.inf, 0.0
    d1 = (2 * t1 * yr - t1 * t1 * rr_p) / (2 * n) - c1
    if d1 > best:
        best, best_t = d1, t1
    if t2 != t1:
        d2 = (2 * t2 * yr - t2 * t2 * rr_p) / (2 * n) - c2
        if d2 > best:
            best, best_t = d2, t2
    return primal - best, primal, best, best_t


@njit(cache=True, nogil=True)
def _free_masks(a, c, lower, upper, constant):
    """The unpenalised, unbounded, non-constant features; the unpenalised
    bounded ones; whether there is any of the first (one pass over p)."""
    p = a.shape[0]
    free, maybe = np.zeros(p, np.bool_), np.zeros(p, np.bool_)
    any_free = False
    for j in range(p):
        if constant[j] or a[j] != 0 or c[j] != 0:
            continue
        if lower[j] == -np.inf and upper[j] == np.inf:
            free[j] = True
            any_free = True
        else:
            maybe[j] = True
    return free, maybe, any_free


class BlockQuadraticCertificate(QuadraticCertificate):
    """Gap and KKT checks for centred least squares with a block penalty.

    The same dual point as :class:`QuadraticCertificate` (the rescaled
    residual, projected off the columns of unpenalised groups); the value,
    dual scale, conjugate and subdifferential distance come from the
    penalty object, such as :class:`~sparsefit.penalties.GroupPenalty`.

    Parameters
    ----------
    design : Design
        The centred (possibly scaled) design ``X_c``.
    y : ndarray of shape (n_samples,)
        Centred target.
    penalty : GroupPenalty
        At its alpha, in the design's coordinates.

    Raises
    ------
    ValueError
        If the columns of the unpenalised groups are rank-deficient.

    See Also
    --------
    QuadraticCertificate : The separable case.
    BlockCoordinateDescent : The solver that uses it.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Quadratic
    >>> from sparsefit.penalties import GroupPenalty
    >>> from sparsefit.solvers import BlockQuadraticCertificate
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((30, 4)), rng.standard_normal(30)
    >>> pen = GroupPenalty(10.0, [0, 0, 1, 1])
    >>> problem = Problem(X, y, Quadratic(), pen)
    >>> cert = BlockQuadraticCertificate(problem.design, problem.y, pen)
    >>> w = np.zeros(4)  # optimal: alpha is above alpha_max
    >>> gap = cert.gap(w, cert.stats_from_residual(problem.y, w))[0]
    >>> bool(abs(gap) < 1e-12)
    True
    """

    def __init__(self, design, y, penalty):
        p = design.n_features
        # The separable view marks only which features are free: the base
        # class projects the dual point off their columns.
        marker = (~penalty.free_features(p)).astype(float)
        inf = np.full(p, np.inf)
        super().__init__(design, y, (marker, np.zeros(p), -inf, inf))
        self.penalty = penalty

    def _value(self, w):
        return self.penalty.value(w)

    def _dual_scale(self, z):
        return self.penalty.dual_scale(z)

    def _conjugate(self, z):
        return self.penalty.conjugate(z)

    def kkt(self, w, grad_neg):
        """Return the KKT violation of each feature's group at ``w``.

        Parameters
        ----------
        w : ndarray of shape (n_features,)
            The coefficients, in the design's coordinates.
        grad_neg : ndarray of shape (n_features,)
            Minus the datafit's gradient.

        Returns
        -------
        kkt : ndarray of shape (n_features,)
            The distance from ``grad_neg`` to the group's subdifferential.
        """
        return self.penalty.subdiff_distance(w, -grad_neg)
