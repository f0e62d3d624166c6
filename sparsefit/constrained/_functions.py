"""The objective, its derivatives and the bounds, checked and counted."""

import numpy as np

_EPS = np.finfo(np.float64).eps


def central_difference(func, x, lower, upper):
    """Jacobian of a vector function by central differences, one-sided at bounds.

    Central differences with step ``eps**(1/3) max(1, |x_j|)`` have error
    ``O(eps**(2/3))``, about 1e-11 relative, which keeps the stationarity
    test meaningful at ``tol = 1e-8``. Near a bound the second-order
    one-sided formula ``(-3 y(x) + 4 y(x + h) - y(x + 2h)) / 2h`` (``h``
    pointing into the box) keeps that order, and the function is never
    evaluated outside the box.
    """
    y0 = np.atleast_1d(func(x))
    jac = np.empty((y0.size, x.size))
    for j in range(x.size):
        h = _EPS ** (1 / 3) * max(1.0, abs(x[j]))
        if x[j] + h <= upper[j] and x[j] - h >= lower[j]:
            jac[:, j] = (_shifted(func, x, j, h) - _shifted(func, x, j, -h)) / (2 * h)
            continue
        if x[j] + 2 * h > upper[j]:
            h = -h
        y1, y2 = _shifted(func, x, j, h), _shifted(func, x, j, 2 * h)
        jac[:, j] = (-3 * y0 + 4 * y1 - y2) / (2 * h)
    return jac


def _shifted(func, x, j, h):
    x = x.copy()
    x[j] += h
    return np.atleast_1d(func(x))


def check_bounds(bounds, n_features):
    """``(lower, upper)`` arrays from scipy's ``Bounds`` or ``(lb, ub)`` pairs."""
    lower = np.full(n_features, -np.inf)
    upper = np.full(n_features, np.inf)
    if bounds is None:
        return lower, upper
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        try:
            lower[:] = np.broadcast_to(np.asarray(bounds.lb, dtype=float), n_features)
            upper[:] = np.broadcast_to(np.asarray(bounds.ub, dtype=float), n_features)
        except ValueError:
            raise ValueError(
                f"bounds.lb and bounds.ub must broadcast to x0's {n_features} entries"
            ) from None
    else:
        bounds = list(bounds)
        if len(bounds) != n_features:
            raise ValueError(
                f"bounds must hold one (lb, ub) pair per entry of x0 ({n_features}); "
                f"got {len(bounds)}"
            )
        for j, pair in enumerate(bounds):
            try:
                lb, ub = pair
            except (TypeError, ValueError):
                raise ValueError(
                    f"bounds[{j}] must be a pair (lb, ub); got {pair!r}"
                ) from None
            lower[j] = -np.inf if lb is None else float(lb)
            upper[j] = np.inf if ub is None else float(ub)
    bad = np.isnan(lower) | np.isnan(upper) | (lower > upper)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"bounds[{j}] must satisfy lb <= ub; got ({lower[j]}, {upper[j]})"
        )
    return lower, upper


class Objective:
    """``f``, its gradient and Hessian, with evaluation counts.

    ``jac`` is a callable, ``True`` (``fun`` returns ``(f, grad)``) or ``None``
    (central differences); ``hess`` is a callable returning the ``(n, n)``
    Hessian, or ``None``.
    """

    def __init__(self, fun, jac, hess, args, lower, upper):
        if not callable(fun):
            raise ValueError(f"fun must be callable; got {fun!r}")
        if not (jac is None or jac is True or callable(jac)):
            raise ValueError(f"jac must be None, True or a callable; got {jac!r}")
        if not (hess is None or callable(hess)):
            raise ValueError(f"hess must be None or a callable; got {hess!r}")
        self.fun, self.jac, self.hess, self.args = fun, jac, hess, tuple(args)
        self.lower, self.upper = lower, upper
        self.nfev = self.njev = self.nhev = 0
        self._last = (None, None)  # the last point and its value
        # Trial points where fun was NaN or infinite (their steps are rejected).
        self.n_nonfinite, self.last_nonfinite = 0, None

    def value(self, x):
        if self._last[0] is not None and np.array_equal(self._last[0], x):
            return self._last[1]
        self.nfev += 1
        out = self.fun(x, *self.args)
        if self.jac is True:
            out = out[0]
        self._last = (x.copy(), _scalar(out))
        if not np.isfinite(self._last[1]):
            self.n_nonfinite += 1
            self.last_nonfinite = x.copy()
        return self._last[1]

    def value_and_grad(self, x):
        if self.jac is True:
            self.nfev += 1
            f, g = self.fun(x, *self.args)
            return _scalar(f), self._vector(g, x.size)
        f = self.value(x)  # an accepted trial point is not evaluated again
        if callable(self.jac):
            self.njev += 1
            return f, self._vector(self.jac(x, *self.args), x.size)
        g = central_difference(self.value, x, self.lower, self.upper)[0]
        return f, g

    def hessian(self, x):
        self.nhev += 1
        H = np.asarray(self.hess(x, *self.args), dtype=float)
        if H.shape != (x.size, x.size):
            raise ValueError(
                f"hess must return an array of shape {(x.size, x.size)}; "
                f"got shape {H.shape}"
            )
        return 0.5 * (H + H.T)

    @staticmethod
    def _vector(g, n):
        g = np.asarray(g, dtype=float).reshape(-1)
        if g.size != n:
            raise ValueError(f"jac must return {n} entries; got {g.size}")
        return g


def _scalar(value):
    value = np.asarray(value, dtype=float)
    if value.size != 1:
        raise ValueError(f"fun must return a scalar; got shape {value.shape}")
    return float(value.reshape(()))
