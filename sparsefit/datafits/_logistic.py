"""The logistic datafit (binary labels coded -1 and +1)."""

import numpy as np
from scipy.special import expit, log_expit, xlogy

from ._base import BaseDatafit, SampleWeighted

__all__ = ["Logistic"]


class Logistic(SampleWeighted, BaseDatafit):
    """Weighted logistic loss, a mean over samples.

    .. math::

        F(y, z) = \\frac{1}{n} \\sum_{i=1}^n s_i \\log(1 + e^{-y_i z_i}),
        \\qquad y_i \\in \\{-1, +1\\}, \\quad \\sum_i s_i = n

    Its conjugate is finite when ``a_i = -n y_i v_i / s_i`` lies in [0, 1]:
    ``F^*(v) = (1/n) sum_i s_i (a_i log a_i + (1 - a_i) log(1 - a_i))``, the
    negative binary entropy.  At ``v = t grad F`` one has
    ``a_i = t sigmoid(-y_i z_i)``, which gives the dual objective of the
    certificates (the mean entropy of the rescaled residuals).

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
        Weights already rescaled to sum to ``n_samples``.
    """

    #: Curvature bound: ``f'' <= 1/4``.
    curvature = 0.25
    target = "binary"
    scorings = ("deviance", "accuracy", "roc_auc", "mse", "mae")

    def value(self, y, z):
        """Return ``F(y, z)``."""
        return self._mean(-log_expit(y * z))

    def raw_grad(self, y, z):
        """``dF/dz = -s_i y_i sigmoid(-y_i z_i) / n``."""
        return -self._weighted(y * expit(-y * z)) / y.shape[0]

    def raw_hessian(self, y, z):
        """Diagonal of ``d2F/dz2``: ``s_i p_i (1 - p_i) / n``."""
        p = expit(z)
        return self._weighted(p * (1.0 - p)) / y.shape[0]

    def conjugate(self, y, v):
        """``F^*(v)`` (``inf`` outside its domain)."""
        n = y.shape[0]
        sw = np.ones(n) if self.sample_weight is None else self.sample_weight
        live = sw > 0
        if (v[~live] != 0).any():
            return np.inf
        a = -n * y[live] * v[live] / sw[live]
        tiny = 1e-12
        if (a < -tiny).any() or (a > 1 + tiny).any():
            return np.inf
        a = np.clip(a, 0.0, 1.0)
        ent = xlogy(a, a) + xlogy(1.0 - a, 1.0 - a)
        return float(sw[live] @ ent) / n

    def null_intercept(self, y):
        """Intercept of the model with no feature: the log-odds of the
        weighted positive rate (infinite when one class is absent)."""
        pos = self._mean((y > 0).astype(float))
        with np.errstate(divide="ignore"):
            return float(np.log(pos) - np.log1p(-pos))

    @staticmethod
    def inverse_link(z):
        """Probability of the positive class."""
        return expit(z)
