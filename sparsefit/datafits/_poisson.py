"""The Poisson datafit (log link), shifted to be zero at the saturated model."""

import numpy as np
from scipy.special import xlogy

from ._base import BaseDatafit, SampleWeighted

__all__ = ["Poisson"]


class Poisson(SampleWeighted, BaseDatafit):
    """Weighted Poisson negative log-likelihood (log link), a mean over samples.

    .. math::

        F(y, z) = \\frac{1}{n} \\sum_{i=1}^n s_i
        \\left(e^{z_i} - y_i z_i + y_i \\log y_i - y_i\\right),
        \\qquad y_i \\ge 0

    that is half the mean Poisson deviance; the constant ``y log y - y``
    changes no solution (glmnet's ``lambda`` is the same) but makes ``F >= 0``
    with ``F = 0`` at the saturated model, so relative tolerances and the
    deviance ratio mean what they say.  ``z`` includes any offset (log
    exposure).  The conjugate is finite when ``m_i = y_i + n v_i / s_i >= 0``:
    ``F^*(v) = (1/n) sum_i s_i (m_i log m_i - m_i - y_i log y_i + y_i)``.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
        Weights already rescaled to sum to ``n_samples``.

    See Also
    --------
    sparsefit.PoissonLasso : The L1 Poisson regression.
    sparsefit.compute_path : Fit a path with any datafit.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.datafits import Poisson
    >>> y = np.array([0.0, 1.0, 3.0])
    >>> z = np.log([0.5, 1.0, 3.0])
    >>> round(Poisson().value(y, z), 6)  # 0 for the saturated y > 0
    0.166667
    >>> Poisson().raw_grad(y, z).round(6)
    array([0.166667, 0.      , 0.      ])
    """

    curvature = np.inf
    target = "counts"
    scorings = ("deviance", "mse", "mae")

    def value(self, y, z):
        """Return ``F(y, z)``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The counts, ``>= 0``.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        value : float
            Half the weighted mean Poisson deviance.
        """
        return self._mean(np.exp(z) - y * z + xlogy(y, y) - y)

    def raw_grad(self, y, z):
        """Return ``dF/dz = s_i (exp(z_i) - y_i) / n``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The counts, ``>= 0``.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        grad : ndarray of shape (n_samples,)
            The gradient in ``z``.
        """
        return self._weighted(np.exp(z) - y) / y.shape[0]

    def raw_hessian(self, y, z):
        """Return the diagonal of ``d2F/dz2``: ``s_i exp(z_i) / n``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The counts, ``>= 0``.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        hess : ndarray of shape (n_samples,)
            The curvature of each sample's term.
        """
        return self._weighted(np.exp(z)) / y.shape[0]

    def conjugate(self, y, v):
        """Return ``F^*(v)`` (``inf`` outside its domain).

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The counts, ``>= 0``.
        v : ndarray of shape (n_samples,)
            The point at which the conjugate is taken (a dual point).

        Returns
        -------
        value : float
            The conjugate at ``m_i = y_i + n v_i / s_i`` (see the class
            docstring), or ``inf``.
        """
        n = y.shape[0]
        sw = np.ones(n) if self.sample_weight is None else self.sample_weight
        live = sw > 0
        if (v[~live] != 0).any():
            return np.inf
        m = y[live] + n * v[live] / sw[live]
        if (m < -1e-12 * (1.0 + y[live])).any():
            return np.inf
        m = np.maximum(m, 0.0)
        yl = y[live]
        terms = xlogy(m, m) - m - xlogy(yl, yl) + yl
        return float(sw[live] @ terms) / n

    def null_intercept(self, y):
        """Return the log of the weighted mean count (``-inf`` when every count is 0).

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The counts, ``>= 0``.

        Returns
        -------
        intercept : float
            The intercept of the model with no feature and no offset.
        """
        with np.errstate(divide="ignore"):
            return float(np.log(self._mean(y)))

    @staticmethod
    def inverse_link(z):
        """Return the mean ``exp(z)``.

        Parameters
        ----------
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        mean : ndarray of shape (n_samples,)
            The expected counts.
        """
        return np.exp(z)
