"""Compiled steps of the single-output GLM certificates, for datafits whose
per-sample terms are compiled (:class:`~sparsefit.datafits._base.CompiledTerms`).

They compute what :class:`._glm_certificate.GLMCertificate` computes with
NumPy, in one call each: along a path a certificate costs a few dozen small
array operations per alpha, whose dispatch outweighs the arithmetic when n
is in the tens or hundreds.
"""

import numpy as np
from numba import njit

from ..datafits._compiled import conjugate_terms, terms
from ..penalties._base import _conjugate, _dual_scale, _subdiff_distance, _value

__all__ = ["refit_intercept", "separable_gap"]

_EPS = np.finfo(np.float64).eps
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


@njit(cache=True, nogil=True)
def refit_intercept(kind, y, sw, z, max_iter):
    """Newton's method on the intercept alone, to rounding accuracy, for the
    datafit of branch ``kind`` in :mod:`sparsefit.datafits._compiled`.

    The safeguards of ``GLMCertificate.refit_unpenalised``: a trust region
    of 5 units on the linear predictor, backtracking on ``F`` while Newton
    predicts a decrease above its rounding, and below it a step accepted
    only when the gradient shrinks.  Moves ``z`` in place and returns the
    intercept's change.
    """
    n = z.shape[0]
    none = np.empty(0)
    g, h, trial = np.empty(n), np.empty(n), np.empty(n)
    value = terms(kind, y, z, sw, none, none)
    gnorm, moved = np.inf, 0.0
    for _ in range(max_iter):
        terms(kind, y, z, sw, g, h)
        gsum, gabs, hsum = 0.0, 0.0, 0.0
        for i in range(n):
            gsum += g[i]
            gabs += abs(g[i])
            hsum += h[i]
        new_norm = abs(gsum)
        if new_norm <= 1e-14 * max(gabs, 1e-300):
            break
        hsum += 1e-12 * max(hsum, 1e-300)
        step = -gsum / hsum
        decrease = gsum * step
        if not np.isfinite(decrease):
            break
        if abs(step) > 5.0:
            decrease *= 5.0 / abs(step)
            step = 5.0 if step > 0 else -5.0
        slack = 4 * _EPS * max(abs(value), 1e-300)
        t, new, accepted = 1.0, value, False
        if -decrease > slack:
            for _ in range(30):
                for i in range(n):
                    trial[i] = z[i] + t * step
                new = terms(kind, y, trial, sw, none, none)
                if new <= value + 1e-4 * t * decrease + slack:
                    accepted = True
                    break
                t *= 0.5
        elif new_norm < gnorm:
            for i in range(n):
                trial[i] = z[i] + step
            new = terms(kind, y, trial, sw, none, none)
            accepted = new <= value + slack
        if not accepted:
            break
        gnorm = new_norm
        for i in range(n):
            z[i] += t * step
        moved += t * step
        value = new
    return moved


@njit(cache=True, nogil=True)
def _dual(kind, y, sw, g, zneg, pen, shift, t):
    """``D(t) = -F^*(t g) + t g'o - g^*(t z)`` (``z = -X'g``, free features 0);
    ``pen`` is the penalty's ``(a, c, lower, upper)``."""
    a, c, lower, upper = pen
    return (
        -conjugate_terms(kind, y, g, t, sw)
        + t * shift
        - _conjugate(t * zneg, a, c, lower, upper)
    )


@njit(cache=True, nogil=True)
def _best_dual(kind, y, sw, g, zneg, pen, shift, s_max):
    """The largest ``D(t)`` over ``t`` in ``[0, s_max]``.

    The dual is concave in t; its maximum is at s_max unless it rises just
    left of it (then golden-section search, 24 steps)."""
    best = _dual(kind, y, sw, g, zneg, pen, shift, s_max)
    ridge = (pen[1] != 0.0).any()
    if not ((ridge or s_max < 1.0) and s_max > 0.0):
        return best
    near = _dual(kind, y, sw, g, zneg, pen, shift, s_max * (1.0 - 1e-6))
    if near <= best:
        return best
    lo, hi = 0.0, s_max
    x1, x2 = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
    f1 = _dual(kind, y, sw, g, zneg, pen, shift, x1)
    f2 = _dual(kind, y, sw, g, zneg, pen, shift, x2)
    best = max(best, f1, f2)
    for _ in range(24):
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _GOLDEN * (hi - lo)
            f2 = _dual(kind, y, sw, g, zneg, pen, shift, x2)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _GOLDEN * (hi - lo)
            f1 = _dual(kind, y, sw, g, zneg, pen, shift, x1)
        best = max(best, f1, f2)
    return best


@njit(cache=True, nogil=True)
def separable_gap(kind, y, sw, g, value, w, grad_neg, free, pen, shift, cap):
    """The certificate of a separable penalty at one point.

    ``kind`` is the datafit's branch in :mod:`sparsefit.datafits._compiled`,
    ``g`` is ``dF/dz`` at the point, ``value`` its ``F``, ``grad_neg`` is
    ``-X'g`` (design coordinates), ``pen`` the penalty's ``(a, c, lower,
    upper)``, ``shift = g'o`` for an offset ``o`` and ``cap`` a datafit's own
    bound on the dual scale (``inf`` for none).  Returns ``(gap, primal,
    kkt)`` with the dual point ``t g``, ``t`` the best scale in ``[0, s]``
    as in ``GLMCertificate.evaluate``.
    """
    a, c, lower, upper = pen
    zneg = grad_neg.copy()
    for j in range(zneg.shape[0]):
        if free[j]:
            zneg[j] = 0.0
    primal = value + _value(w, a, c, lower, upper)
    s_max = min(_dual_scale(zneg, a, c, lower, upper), cap)
    best = _best_dual(kind, y, sw, g, zneg, pen, shift, s_max)
    kkt = _subdiff_distance(w, -grad_neg, a, c, lower, upper)
    return primal - best, primal, kkt
