"""The Poisson datafit (log link), shifted to be zero at the saturated model."""

import numpy as np
from numba import njit

from ._base import BaseDatafit, CompiledTerms, SampleWeighted

__all__ = ["Poisson"]


@njit(cache=True, nogil=True)
def _xlogx(x):
    return x * np.log(x) if x > 0.0 else 0.0


@njit(cache=True, nogil=True)
def _terms(y, z, sw, g, h):
    """``F(y, z)``; ``g`` and ``h`` (when of length n) get ``dF/dz`` and the
    diagonal of ``d2F/dz2``; ``sw`` empty means unweighted."""
    n = y.shape[0]
    grad, hess, weighted = g.shape[0] == n, h.shape[0] == n, sw.shape[0] == n
    total = 0.0
    for i in range(n):
        s = sw[i] if weighted else 1.0
        mu = np.exp(z[i])
        total += s * (mu - y[i] * z[i] + _xlogx(y[i]) - y[i])
        if grad:
            g[i] = s * (mu - y[i]) / n
        if hess:
            h[i] = s * mu / n
    return total / n


@njit(cache=True, nogil=True)
def _conjugate_terms(y, g, t, sw):
    """``F^*(t g)`` at ``m_i = y_i + n t g_i / s_i`` (see :class:`Poisson`)."""
    n = y.shape[0]
    weighted = sw.shape[0] == n
    total = 0.0
    for i in range(n):
        s = sw[i] if weighted else 1.0
        v = t * g[i]
        if s <= 0.0:
            if v != 0.0:
                return np.inf
            continue
        m = y[i] + n * v / s
        if m < -1e-12 * (1.0 + y[i]):
            return np.inf
        m = max(m, 0.0)
        total += s * (_xlogx(m) - m - _xlogx(y[i]) + y[i])
    return total / n


class Poisson(CompiledTerms, SampleWeighted, BaseDatafit):
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

    _terms = staticmethod(_terms)
    _conjugate_terms = staticmethod(_conjugate_terms)
    #: Its branch in ``datafits/_compiled.py``.
    _kind = 1

    curvature = np.inf
    target = "counts"
    scorings = ("deviance", "mse", "mae")

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
