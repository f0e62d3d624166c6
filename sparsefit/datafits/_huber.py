"""The Huber datafit: least squares for small residuals, absolute for large."""

import numpy as np

from ._base import BaseDatafit, SampleWeighted

__all__ = ["Huber"]


class Huber(SampleWeighted, BaseDatafit):
    """Weighted Huber loss of the residuals, a mean over samples.

    .. math::

        F(y, z) = \\frac{1}{n} \\sum_{i=1}^n s_i\\, h_\\delta(y_i - z_i),
        \\qquad
        h_\\delta(r) = \\begin{cases} r^2 / 2 & |r| \\le \\delta \\\\
        \\delta |r| - \\delta^2 / 2 & |r| > \\delta \\end{cases}

    Quadratic near zero and linear beyond ``delta``, so that an outlying
    response pulls on the fit with a bounded force (Huber 1964).  With the
    L1 penalty it is robust regression that selects features, which
    scikit-learn's ``HuberRegressor`` (an L2 penalty) does not.  ``delta`` is
    in the units of ``y``: standardise ``y`` or set it from a robust scale
    (1.345 times the noise's standard deviation gives 95% efficiency under
    Gaussian noise).  The curvature is at most 1 and the conjugate has a
    closed form: with ``u_i = n v_i / s_i``,
    ``F^*(v) = (1/n) sum_i s_i (u_i y_i + u_i^2 / 2)`` when every
    ``|u_i| <= delta``, ``+inf`` otherwise (the least-squares conjugate on a
    box).

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
        Weights already rescaled to sum to ``n_samples``.
    delta : float, default=1.35
        Where the loss turns from quadratic to linear (cvxpy's ``M``).
    """

    curvature = 1.0
    target = "real"
    # Grows at least linearly in every residual: a minimiser always exists.
    coercive = True
    scorings = ("deviance", "mse", "mae")

    def __init__(self, sample_weight=None, *, delta=1.35):
        super().__init__(sample_weight)
        delta = float(delta)
        if not (np.isfinite(delta) and delta > 0):
            raise ValueError(f"delta must be a positive number, got {delta!r}.")
        self.delta = delta

    def value(self, y, z):
        """Return ``F(y, z)``."""
        a = np.abs(y - z)
        # m (a - m/2) with m = min(a, delta) is a^2/2 inside and
        # delta a - delta^2/2 outside, without squaring a large residual.
        m = np.minimum(a, self.delta)
        return self._mean(m * (a - 0.5 * m))

    def raw_grad(self, y, z):
        """``dF/dz = -s_i clip(y_i - z_i, -delta, delta) / n``."""
        return -self._weighted(np.clip(y - z, -self.delta, self.delta)) / y.shape[0]

    def raw_hessian(self, y, z):
        """Diagonal of the generalised Hessian: ``s_i [|y_i - z_i| <= delta] / n``."""
        inside = (np.abs(y - z) <= self.delta).astype(float)
        return self._weighted(inside) / y.shape[0]

    def _scaled(self, y, v):
        n = y.shape[0]
        sw = np.ones(n) if self.sample_weight is None else self.sample_weight
        live = sw > 0
        u = np.zeros(n)
        u[live] = n * v[live] / sw[live]
        return u, sw, live

    def conjugate(self, y, v):
        """``F^*(v)`` (``inf`` outside its domain)."""
        u, sw, live = self._scaled(y, v)
        if (v[~live] != 0).any() or (np.abs(u) > self.delta * (1 + 1e-12)).any():
            return np.inf
        return float(sw @ (u * y + 0.5 * u * u)) / y.shape[0]

    def dual_scale(self, y, v):
        """Largest ``t`` with ``F^*(t v)`` finite: ``delta / max_i |u_i|``."""
        top = np.abs(self._scaled(y, v)[0]).max(initial=0.0)
        return self.delta / top if top > 0 else np.inf

    def null_intercept(self, y):
        """The weighted median of ``y``: a start for the intercept-only fit,
        which Newton's method then finishes."""
        order = np.argsort(y)
        sw = np.ones_like(y) if self.sample_weight is None else self.sample_weight
        cum = np.cumsum(sw[order])
        return float(y[order][np.searchsorted(cum, 0.5 * cum[-1])])

    @staticmethod
    def inverse_link(z):
        """The prediction is the linear predictor."""
        return z
