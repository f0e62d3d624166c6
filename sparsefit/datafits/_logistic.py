"""The logistic datafit (binary labels coded -1 and +1)."""

import numpy as np
from numba import njit
from scipy.special import expit

from ._base import BaseDatafit, CompiledTerms, SampleWeighted

__all__ = ["Logistic"]


@njit(cache=True, nogil=True)
def _terms(y, z, sw, g, h):
    """``F(y, z)``; ``g`` and ``h`` (when of length n) get ``dF/dz`` and the
    diagonal of ``d2F/dz2``; ``sw`` empty means unweighted."""
    n = y.shape[0]
    grad, hess, weighted = g.shape[0] == n, h.shape[0] == n, sw.shape[0] == n
    total = 0.0
    for i in range(n):
        s = sw[i] if weighted else 1.0
        m = -y[i] * z[i]
        # log(1 + e^m) and q = sigmoid(m) = sigmoid(-y z), without overflow.
        if m > 0:
            e = np.exp(-m)
            loss = m + np.log1p(e)
            q = 1.0 / (1.0 + e)
        else:
            e = np.exp(m)
            loss = np.log1p(e)
            q = e / (1.0 + e)
        total += s * loss
        if grad:
            g[i] = -s * y[i] * q / n
        if hess:
            h[i] = s * q * (1.0 - q) / n
    return total / n


@njit(cache=True, nogil=True)
def _conjugate_terms(y, g, t, sw):
    """``F^*(t g)``: the mean negative entropy of ``a_i = -n y_i t g_i / s_i``."""
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
        a = -n * y[i] * v / s
        if a < -1e-12 or a > 1.0 + 1e-12:
            return np.inf
        a = min(max(a, 0.0), 1.0)
        ent = 0.0
        if a > 0.0:
            ent += a * np.log(a)
        if a < 1.0:
            ent += (1.0 - a) * np.log1p(-a)
        total += s * ent
    return total / n


class Logistic(CompiledTerms, SampleWeighted, BaseDatafit):
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

    See Also
    --------
    Multinomial : The softmax loss over K classes.
    sparsefit.SparseLogisticRegression : The L1 logistic regression.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.datafits import Logistic
    >>> y, z = np.array([-1.0, 1.0]), np.zeros(2)
    >>> round(Logistic().value(y, z), 6)  # log 2
    0.693147
    >>> Logistic().raw_grad(y, z)
    array([ 0.25, -0.25])
    """

    _terms = staticmethod(_terms)
    _conjugate_terms = staticmethod(_conjugate_terms)
    #: Its branch in ``datafits/_compiled.py``.
    _kind = 0

    #: Curvature bound: ``f'' <= 1/4``.
    curvature = 0.25
    target = "binary"
    scorings = ("deviance", "accuracy", "roc_auc", "mse", "mae")

    def null_intercept(self, y):
        """Return the intercept of the model with no feature.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The labels, coded -1 and +1.

        Returns
        -------
        intercept : float
            The log-odds of the weighted positive rate (infinite when one
            class is absent).
        """
        pos = self._mean((y > 0).astype(float))
        with np.errstate(divide="ignore"):
            return float(np.log(pos) - np.log1p(-pos))

    @staticmethod
    def inverse_link(z):
        """Return the probability of the positive class.

        Parameters
        ----------
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        proba : ndarray of shape (n_samples,)
            ``sigmoid(z)``.
        """
        return expit(z)
