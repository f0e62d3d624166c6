"""Compiled steps of the single-output GLM certificates, for datafits whose
per-sample terms are compiled (:class:`~sparsefit.datafits._base.CompiledTerms`).

They compute what :class:`._glm_certificate.GLMCertificate` computes with
NumPy, in one call each: along a path a certificate costs a few dozen small
array operations per alpha, whose dispatch outweighs the arithmetic when n
is in the tens or hundreds.
"""

import numpy as np
from numba import njit

from ..datafits._compiled import conjugate_pair, terms
from ..penalties._base import (
    conjugate_coordinate,
    dual_scale_coordinate,
    subdiff_coordinate,
    value_coordinate,
)

__all__ = ["refit_intercept", "separable_gap"]

_EPS = np.finfo(np.float64).eps
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


@njit(cache=True, nogil=True)
def refit_intercept(kind, y, ix, sw, z, max_iter):
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
    value = terms(kind, y, ix, z, sw, none, none)
    gnorm, moved = np.inf, 0.0
    for _ in range(max_iter):
        terms(kind, y, ix, z, sw, g, h)
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
                new = terms(kind, y, ix, trial, sw, none, none)
                if new <= value + 1e-4 * t * decrease + slack:
                    accepted = True
                    break
                t *= 0.5
        elif new_norm < gnorm:
            for i in range(n):
                trial[i] = z[i] + step
            new = terms(kind, y, ix, trial, sw, none, none)
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
def _penalty_conjugates(t1, t2, z, pen, live):
    """``g^*(t1 z)`` and ``g^*(t2 z)`` in one pass (no scaled copy of z),
    over the features ``live``: the others contribute 0 at any scale in
    [0, 1] (see :func:`separable_gap`)."""
    a, c, lower, upper = pen
    total1, total2 = 0.0, 0.0
    for j in live:
        total1 += conjugate_coordinate(t1 * z[j], a[j], c[j], lower[j], upper[j])
        total2 += conjugate_coordinate(t2 * z[j], a[j], c[j], lower[j], upper[j])
    return total1, total2


@njit(cache=True, nogil=True)
def _duals(fit, g, z, pen, shift, t1, t2, live):
    """``D(t) = -F^*(t g) + t g'o - g^*(t z)`` at ``t1`` and ``t2``, with
    ``fit = (kind, y, ix, eta, sw)`` (``eta`` the linear predictor)."""
    kind, y, ix, eta, sw = fit
    c1, c2 = _penalty_conjugates(t1, t2, z, pen, live)
    f1, f2 = conjugate_pair(kind, y, ix, eta, g, t1, t2, sw)
    d1 = -f1 + t1 * shift - c1
    d2 = -f2 + t2 * shift - c2
    return d1, d2


@njit(cache=True, nogil=True)
def _best_dual(fit, g, z, pen, shift, s_max, ridge, live):
    """The largest ``D(t)`` over ``t`` in ``[0, s_max]``.

    The dual is concave in t; its maximum is at s_max unless it rises just
    left of it (then golden-section search, 24 steps)."""
    best, near = _duals(fit, g, z, pen, shift, s_max, s_max * (1.0 - 1e-6), live)
    if not ((ridge or s_max < 1.0) and s_max > 0.0) or near <= best:
        return best
    lo, hi = 0.0, s_max
    x1, x2 = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
    f1, f2 = _duals(fit, g, z, pen, shift, x1, x2, live)
    best = max(best, f1, f2)
    for _ in range(24):
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _GOLDEN * (hi - lo)
            f2 = _duals(fit, g, z, pen, shift, x2, x2, live)[0]
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _GOLDEN * (hi - lo)
            f1 = _duals(fit, g, z, pen, shift, x1, x1, live)[0]
        best = max(best, f1, f2)
    return best


@njit(cache=True, nogil=True)
def separable_gap(fit, g, value, w, grad_neg, pen, shift, cap):
    """The certificate of a separable penalty at one point.

    ``fit = (kind, y, ix, z, sw)``: the datafit's branch in
    :mod:`sparsefit.datafits._compiled`, its target, the linear predictor at
    the point and the weights; ``g`` is ``dF/dz`` there, ``value`` its
    ``F``, ``grad_neg`` is ``-X'g`` (design coordinates), ``pen`` the
    penalty's ``(a, c, lower, upper)``, ``shift = g'o`` for an offset ``o``
    and ``cap`` a datafit's own bound on the dual scale (``inf`` for none).
    Returns ``(gap, primal, kkt, kkt_max)`` with the dual point ``t g``, ``t`` the
    best scale in ``[0, s]`` as in ``GLMCertificate.evaluate``.  The
    penalty's value, dual scale and KKT violations take one pass over the
    features, the conjugate at the two scales that usually decide another;
    free features (no penalty, no bounds) count 0 in both, which projects
    them out of the dual point. A zero coefficient with a pure l1 term and
    no bounds whose pull is strictly inside its penalty (most features of a
    sparse fit) has value, KKT violation and conjugate 0 and a scale bound
    of 1: it is passed over after one test, and the conjugate's pass reads
    only the others.
    """
    a, c, lower, upper = pen
    p = w.shape[0]
    kkt = np.empty(p)
    live = np.empty(p, np.int64)
    n_live = 0
    penalty, s_max, ridge, kkt_max = 0.0, 1.0, False, 0.0
    for j in range(p):
        wj, aj, cj, lo, hi = w[j], a[j], c[j], lower[j], upper[j]
        if (
            wj == 0.0
            and cj == 0.0
            and abs(grad_neg[j]) < aj
            and lo == -np.inf
            and hi == np.inf
        ):
            kkt[j] = 0.0
            continue
        live[n_live] = j
        n_live += 1
        penalty += value_coordinate(wj, aj, cj, lo, hi)
        kkt[j] = subdiff_coordinate(wj, -grad_neg[j], aj, cj, lo, hi)
        kkt_max = max(kkt_max, kkt[j])
        s_max = min(s_max, dual_scale_coordinate(grad_neg[j], aj, cj, lo, hi))
        ridge = ridge or cj != 0.0
    s_max = min(s_max, cap)
    best = _best_dual(fit, g, grad_neg, pen, shift, s_max, ridge, live[:n_live])
    return value + penalty - best, value + penalty, kkt, kkt_max
