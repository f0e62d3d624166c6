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

    See Also
    --------
    Huber : Least squares for small residuals, absolute for large ones.
    sparsefit.compute_path : Fit a path with any datafit.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.datafits import Quadratic
    >>> y, z = np.array([1.0, 2.0, 3.0]), np.ones(3)
    >>> Quadratic().value(y, z)
    0.8333333333333334
    >>> Quadratic().raw_grad(y, z)
    array([-0.        , -0.33333333, -0.66666667])
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
        """Return a copy with other sample weights.

        Parameters
        ----------
        sample_weight : ndarray of shape (n_samples,) or None
            Weights already rescaled to sum to ``n_samples``.

        Returns
        -------
        datafit : Quadratic
            A new datafit; this one is unchanged.
        """
        return type(self)(sample_weight)

    def _weighted(self, v):
        return v if self.sample_weight is None else v * self.sample_weight

    def value(self, y, Xw):
        """Return ``F(y, Xw)``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The target.
        Xw : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        value : float
            The weighted mean of ``(y_i - Xw_i)^2 / 2``.
        """
        r = y - Xw
        return float(np.dot(self._weighted(r), r)) / (2 * y.shape[0])

    def raw_grad(self, y, Xw):
        """Return the gradient of ``F`` with respect to ``Xw``: ``-S (y - Xw) / n``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The target.
        Xw : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        grad : ndarray of shape (n_samples,)
            ``dF/d(Xw)``; ``X' grad`` is the gradient in ``w``.
        """
        return -self._weighted(y - Xw) / y.shape[0]

    def lipschitz(self, design):
        """Return the Lipschitz constant of ``w -> grad F(y, X_c w)``.

        Parameters
        ----------
        design : Design
            The (centred, possibly scaled) design ``X_c`` of the problem.

        Returns
        -------
        L : float
            ``||X_c||_2^2 / n``, the squared spectral norm over ``n``.
        """
        return design.spectral_norm_sq() / design.n_samples

    def coordinate_lipschitz(self, design):
        """Return the per-coordinate Lipschitz constants ``||X_c,j||_S^2 / n``.

        Parameters
        ----------
        design : Design
            The (centred, possibly scaled) design ``X_c`` of the problem.

        Returns
        -------
        L : ndarray of shape (n_features,)
            The weighted squared norm of each column over ``n``.
        """
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
        """Return ``F^*(v)``, the conjugate taken in ``z`` (see the class docstring).

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The target.
        v : ndarray of shape (n_samples,)
            The point at which the conjugate is taken (a dual point).

        Returns
        -------
        value : float
            ``F^*(v)``; ``inf`` where a zero weight meets a non-zero ``v_i``.
        """
        n = y.shape[0]
        sw = self.sample_weight
        if sw is None:
            return float(v @ y + 0.5 * n * (v @ v))
        if (v[sw == 0] != 0).any():
            return np.inf
        live = sw > 0
        return float(v @ y + 0.5 * n * np.sum(v[live] ** 2 / sw[live]))
