"""The least-squares datafit."""

import numpy as np

from ._base import BaseDatafit

__all__ = ["Quadratic"]


class Quadratic(BaseDatafit):
    """Weighted least squares, a mean over samples.

    .. math::

        F(y, z) = \\frac{1}{2n} \\sum_{i=1}^n s_i (y_i - z_i)^2,
        \\qquad \\sum_i s_i = n

    Its Fenchel conjugate in ``z`` is
    ``F^*(v) = v'y + (n/2) sum_i v_i^2 / s_i`` (infinite where ``s_i = 0`` and
    ``v_i != 0``), which gives the dual objective used by the certificates.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
        Weights already rescaled to sum to ``n_samples``.
    """

    target = "real"
    scorings = ("mse", "mae")
    #: The optimal intercept is ``mean(y - o) - mean(X) w``: problems centre
    #: the columns and the target and drop it.
    centring_eliminates_intercept = True
    #: Curvature bound of ``f(y, z) = (y - z)^2 / 2`` in ``z``.
    curvature = 1.0

    def __init__(self, sample_weight=None):
        self.sample_weight = sample_weight

    def with_weights(self, sample_weight):
        """A copy with other sample weights."""
        return type(self)(sample_weight)

    def _weighted(self, v):
        return v if self.sample_weight is None else v * self.sample_weight

    def value(self, y, Xw):
        """Return ``F(y, Xw)``."""
        r = y - Xw
        return float(np.dot(self._weighted(r), r)) / (2 * y.shape[0])

    def raw_grad(self, y, Xw):
        """Gradient of ``F`` with respect to ``Xw``: ``-S (y - Xw) / n``."""
        return -self._weighted(y - Xw) / y.shape[0]

    def lipschitz(self, design):
        """Lipschitz constant of ``w -> grad F(y, X_c w)``."""
        return design.spectral_norm_sq() / design.n_samples

    def coordinate_lipschitz(self, design):
        """Per-coordinate Lipschitz constants ``||X_c,j||_S^2 / n``."""
        return design.col_sq_norms / design.n_samples

    @staticmethod
    def inverse_link(z):
        """The mean: the identity.

        Parameters
        ----------
        z : ndarray
            The linear predictor.

        Returns
        -------
        ndarray
            ``z`` itself.
        """
        return z

    def conjugate(self, y, v):
        """``F^*(v)`` for the conjugate taken in ``z`` (see the class docstring)."""
        n = y.shape[0]
        sw = self.sample_weight
        if sw is None:
            return float(v @ y + 0.5 * n * (v @ v))
        if (v[sw == 0] != 0).any():
            return np.inf
        live = sw > 0
        return float(v @ y + 0.5 * n * np.sum(v[live] ** 2 / sw[live]))
