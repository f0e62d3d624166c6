"""Separable penalties: a weighted L1 term, a ridge term and bounds.

Every penalty here has the per-coordinate form

.. math::

    g_j(w_j) = a_j |w_j| + \\frac{c_j}{2} w_j^2 + \\iota_{[l_j, u_j]}(w_j),

with ``a_j = alpha * weights_j * l1_ratio`` and
``c_j = alpha * weights_j * (1 - l1_ratio)``.  The coordinate-descent kernels
need only these four arrays, so a new member of the family is one subclass
that says how to build them; prox, conjugate, subdifferential distance and
``alpha_max`` are written once below.
"""

import numpy as np
from numba import njit

from .._validation import check_bounds, check_scalar_range, check_vector

__all__ = [
    "SeparablePenalty",
    "prox_1d",
    "PENALTIES",
    "separable_value",
    "separable_prox",
    "separable_subdiff_distance",
    "separable_conjugate",
    "separable_dual_scale",
]

#: Registry of penalty classes; the generic property checks run over it.
PENALTIES = []


@njit(cache=True, nogil=True)
def prox_1d(z, lipschitz, a, c, lower, upper):
    """Minimise ``L/2 (x - z)^2 + a|x| + c/2 x^2`` over ``[lower, upper]``."""
    v = lipschitz * z
    if v > a:
        x = (v - a) / (lipschitz + c)
    elif v < -a:
        x = (v + a) / (lipschitz + c)
    else:
        x = 0.0
    # The objective is convex in one variable, so clipping its unconstrained
    # minimiser gives the constrained one.
    return min(max(x, lower), upper)


class SeparablePenalty:
    """Base class of the separable penalties: weighted L1, ridge and a box.

    .. math::

        g(w) = \\alpha \\sum_j v_j
        \\left(\\rho |w_j| + \\frac{1 - \\rho}{2} w_j^2\\right)
        + \\iota_{[l, u]}(w)

    with ``v`` the ``weights``, ``rho`` the ``l1_ratio`` and ``[l, u]`` the
    box ``lower_bounds <= w <= upper_bounds``.  A subclass only chooses how
    to fill these arrays; value, prox, conjugate, subdifferential distance
    and ``alpha_max`` are shared.

    Parameters
    ----------
    alpha : float
        The penalty level, ``>= 0``.
    l1_ratio : float, default=1.0
        The mix ``rho`` in [0, 1]: 1 is the lasso, 0 the ridge.
    weights : array-like of shape (n_features,) or None, default=None
        Penalty factors ``v_j >= 0``; 0 leaves a feature unpenalised.  None
        is 1 for every feature.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (raises the lower
        bounds to 0).
    lower_bounds : float, array-like of shape (n_features,) or None, default=None
        Lower bounds on the coefficients; None means unbounded.
    upper_bounds : float, array-like of shape (n_features,) or None, default=None
        Upper bounds on the coefficients; None means unbounded.

    See Also
    --------
    L1 : The lasso penalty.
    ElasticNetPenalty : The elastic-net penalty.
    WeightedL1 : The lasso with penalty factors.
    Box : Bounds alone.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.penalties import SeparablePenalty
    >>> g = SeparablePenalty(1.0, l1_ratio=0.5)
    >>> g.value(np.array([1.0, -2.0]))  # 0.5 * 3 + 0.25 * 5
    2.75
    >>> g.prox(np.array([3.0, 0.2]), 1.0)
    array([1.66666667, 0.        ])
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        PENALTIES.append(cls)

    def __init__(
        self,
        alpha,
        l1_ratio=1.0,
        weights=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.alpha = check_scalar_range(alpha, "alpha", low=0.0)
        self.l1_ratio = check_scalar_range(l1_ratio, "l1_ratio", low=0.0, high=1.0)
        self.weights = weights
        self.positive = bool(positive)
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    def __repr__(self):
        return (
            f"{type(self).__name__}(alpha={self.alpha:g}, l1_ratio={self.l1_ratio:g})"
        )

    def with_alpha(self, alpha):
        """Return a copy of this penalty with another ``alpha`` (as along a path).

        Parameters
        ----------
        alpha : float
            The new penalty level, ``>= 0``.

        Returns
        -------
        penalty : SeparablePenalty
            A penalty of the same class and parameters; this one is
            unchanged.
        """
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.alpha = check_scalar_range(alpha, "alpha", low=0.0)
        return copy

    def coefficients(self, n_features, dtype=np.float64):
        """Return the arrays ``(a, c, lower, upper)`` of the separable form.

        Parameters
        ----------
        n_features : int
            Length of the arrays.
        dtype : numpy dtype, default=np.float64
            Their dtype.

        Returns
        -------
        a, c, lower, upper : ndarray of shape (n_features,)
            ``a_j = alpha v_j rho`` (L1 weights), ``c_j = alpha v_j (1 - rho)``
            (ridge weights) and the bounds, infinite where unbounded.
        """
        v = check_vector(
            self.weights,
            "penalty_factor",
            n_features,
            dtype,
            default=1.0,
            nonnegative=True,
        )
        if not np.isfinite(v).all():
            raise ValueError("penalty_factor must be finite.")
        lower, upper = check_bounds(
            self.lower_bounds, self.upper_bounds, self.positive, n_features, dtype
        )
        a = (self.alpha * self.l1_ratio * v).astype(dtype)
        c = (self.alpha * (1.0 - self.l1_ratio) * v).astype(dtype)
        return a, c, lower, upper

    # The methods below take ``n_features`` from their argument and delegate
    # to the array functions, which the solvers call with cached arrays.
    def _coef(self, w):
        return self.coefficients(w.shape[0], np.result_type(w.dtype, np.float32))

    def value(self, w):
        """Return the penalty value; ``inf`` outside the bounds.

        Parameters
        ----------
        w : ndarray of shape (n_features,)
            The coefficients.

        Returns
        -------
        value : float
            ``g(w)``.
        """
        return separable_value(w, *self._coef(w))

    def prox(self, v, step):
        """Return ``argmin_x 1/(2 step) ||x - v||^2 + g(x)``, coordinate-wise.

        Parameters
        ----------
        v : ndarray of shape (n_features,)
            The point to map.
        step : float
            The step size, ``> 0``.

        Returns
        -------
        x : ndarray of shape (n_features,)
            Soft-thresholded by ``step * a``, shrunk by ``1 + step * c`` and
            clipped to the bounds.
        """
        return separable_prox(v, step, *self._coef(v))

    def subdiff_distance(self, w, grad):
        """Return the distance from ``-grad`` to the subdifferential of g at ``w``.

        This is the KKT violation of coordinate j when ``grad`` is the gradient
        of the datafit.

        Parameters
        ----------
        w : ndarray of shape (n_features,)
            The coefficients.
        grad : ndarray of shape (n_features,)
            The gradient of the datafit at ``w``.

        Returns
        -------
        dist : ndarray of shape (n_features,)
            ``dist(-grad_j, dg_j(w_j))`` for each feature.
        """
        return separable_subdiff_distance(w, grad, *self._coef(w))

    def conjugate(self, z):
        """Return the conjugate ``sum_j g_j^*(z_j)``.

        Parameters
        ----------
        z : ndarray of shape (n_features,)
            The dual point.

        Returns
        -------
        value : float
            With ``g_j^*(z) = sup_{x in [l, u]} z x - g_j(x)``; ``inf`` outside
            the domain.
        """
        return separable_conjugate(z, *self._coef(z))

    def dual_scale(self, z):
        """Return the largest ``s`` in [0, 1] with ``conjugate(s * z)`` finite.

        Parameters
        ----------
        z : ndarray of shape (n_features,)
            The dual point.

        Returns
        -------
        s : float
            The scale that makes ``s * z`` dual feasible.
        """
        return separable_dual_scale(z, *self._coef(z))

    def alpha_max(self, grad0):
        """Return the smallest ``alpha`` that zeroes every penalised coefficient.

        Parameters
        ----------
        grad0 : ndarray of shape (n_features,)
            The datafit gradient where the penalised coefficients are
            zero and the unpenalised ones (``weights_j = 0``) are optimal.

        Returns
        -------
        alpha_max : float
            ``max_j |grad0_j| / (v_j rho)`` over the penalised features (a
            bound at 0 counts only the pull away from it); 0 when none is
            penalised.
        """
        a, _, lower, upper = self.with_alpha(1.0).coefficients(
            grad0.shape[0], grad0.dtype
        )
        pull = np.where(
            np.isfinite(lower) & (lower == 0), np.maximum(-grad0, 0.0), np.abs(grad0)
        )
        pull = np.where(np.isfinite(upper) & (upper == 0), np.maximum(grad0, 0.0), pull)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(a > 0, pull / a, 0.0)
        return float(ratio.max(initial=0.0))


@njit(cache=True, nogil=True)
def value_coordinate(wj, aj, cj, lo, hi):
    """``aj |wj| + cj/2 wj^2``, or ``inf`` outside ``[lo, hi]``."""
    if wj < lo or wj > hi:
        return np.inf
    return aj * abs(wj) + 0.5 * cj * wj * wj


@njit(cache=True, nogil=True)
def _value(w, a, c, lower, upper):
    total = 0.0
    for j in range(w.shape[0]):
        total += value_coordinate(w[j], a[j], c[j], lower[j], upper[j])
        if total == np.inf:
            return np.inf
    return total


def separable_value(w, a, c, lower, upper):
    """``sum_j a_j |w_j| + c_j/2 w_j^2``, or ``inf`` outside the bounds."""
    return float(_value(w, a, c, lower, upper))


def separable_prox(v, step, a, c, lower, upper):
    """Coordinate-wise prox: soft-threshold, ridge shrink, then clip."""
    x = np.sign(v) * np.maximum(np.abs(v) - step * a, 0.0) / (1.0 + step * c)
    return np.clip(x, lower, upper).astype(v.dtype, copy=False)


@njit(cache=True, nogil=True)
def subdiff_coordinate(wj, gj, aj, cj, lo, hi):
    """``dist(-gj, dg(wj))``: the KKT violation of one coordinate."""
    target = -gj
    if wj == 0.0:
        lo_end, hi_end = -aj, aj
    else:
        centre = cj * wj + (aj if wj > 0 else -aj)
        lo_end, hi_end = centre, centre
    # At a bound the normal cone opens the interval outwards.
    if wj <= lo:
        lo_end = -np.inf
    if wj >= hi:
        hi_end = np.inf
    return max(lo_end - target, target - hi_end, 0.0)


@njit(cache=True, nogil=True)
def _subdiff_distance(w, grad, a, c, lower, upper):
    out = np.empty(w.shape[0])
    for j in range(w.shape[0]):
        out[j] = subdiff_coordinate(w[j], grad[j], a[j], c[j], lower[j], upper[j])
    return out


def separable_subdiff_distance(w, grad, a, c, lower, upper):
    """``dist(-grad_j, dg_j(w_j))`` for every j (the KKT violation)."""
    return _subdiff_distance(w, grad, a, c, lower, upper)


@njit(cache=True, nogil=True)
def conjugate_coordinate(zj, aj, cj, lo, hi):
    """``sup_{lo <= x <= hi} zj x - aj |x| - cj/2 x^2`` (``inf`` when unbounded);
    0 for a free coordinate (``aj = cj = 0``, no bounds), which the
    certificates project out."""
    if cj > 0:
        x = max(abs(zj) - aj, 0.0) / cj
        x = min(max(x if zj >= 0 else -x, lo), hi)
        return zj * x - aj * abs(x) - 0.5 * cj * x * x
    if aj == 0 and lo == -np.inf and hi == np.inf:
        return 0.0
    # dual_scale puts |z_j| on a_j up to rounding; a few ulps over is the
    # boundary, not infinity.
    rel = 1.0 + 16 * np.finfo(np.float64).eps
    if (zj > aj * rel and hi == np.inf) or (zj < -aj * rel and lo == -np.inf):
        return np.inf
    # Linear pieces: the supremum sits at 0 or at a bound.
    best = 0.0 if lo <= 0.0 <= hi else -np.inf
    if hi < np.inf:
        best = max(best, zj * hi - aj * abs(hi))
    if lo > -np.inf:
        best = max(best, zj * lo - aj * abs(lo))
    return best


@njit(cache=True, nogil=True)
def _conjugate(z, a, c, lower, upper):
    total = 0.0
    for j in range(z.shape[0]):
        term = conjugate_coordinate(z[j], a[j], c[j], lower[j], upper[j])
        if term == np.inf:
            return np.inf
        total += term
    return total


def separable_conjugate(z, a, c, lower, upper):
    """``sum_j sup_{l_j <= x <= u_j} z_j x - a_j |x| - c_j/2 x^2``.

    Coordinates with ``a_j = c_j = 0`` and no bounds are taken at ``z_j = 0``:
    the certificates project the dual point onto their orthogonal complement.
    """
    return float(_conjugate(z, a, c, lower, upper))


@njit(cache=True, nogil=True)
def dual_scale_coordinate(zj, aj, cj, lo, hi):
    """Largest ``s`` in [0, 1] with a finite conjugate at ``s zj``."""
    if cj != 0 or (aj == 0 and lo == -np.inf and hi == np.inf):
        return 1.0  # finite conjugate, or free (projected out beforehand)
    if (zj > aj and hi == np.inf) or (zj < -aj and lo == -np.inf):
        return min(1.0, aj / abs(zj))
    return 1.0


@njit(cache=True, nogil=True)
def _dual_scale(z, a, c, lower, upper):
    scale = 1.0
    for j in range(z.shape[0]):
        scale = min(scale, dual_scale_coordinate(z[j], a[j], c[j], lower[j], upper[j]))
    return scale


def separable_dual_scale(z, a, c, lower, upper):
    """Largest ``s`` in [0, 1] such that ``separable_conjugate(s z)`` is finite."""
    return float(_dual_scale(z, a, c, lower, upper))


def free_features(a, c, lower, upper):
    """Mask of unpenalised, unbounded coordinates."""
    return (a == 0) & (c == 0) & np.isneginf(lower) & np.isposinf(upper)
