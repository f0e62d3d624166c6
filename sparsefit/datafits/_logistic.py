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

    #: Curvature bound: ``f'' <= 1/4``.
    curvature = 0.25
    target = "binary"
    scorings = ("deviance", "accuracy", "roc_auc", "mse", "mae")

    def value(self, y, z):
        """Return ``F(y, z)``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The labels, coded -1 and +1.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        value : float
            The weighted mean logistic loss.
        """
        return self._mean(-log_expit(y * z))

    def raw_grad(self, y, z):
        """Return ``dF/dz = -s_i y_i sigmoid(-y_i z_i) / n``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The labels, coded -1 and +1.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        grad : ndarray of shape (n_samples,)
            The gradient in ``z``.
        """
        return -self._weighted(y * expit(-y * z)) / y.shape[0]

    def raw_hessian(self, y, z):
        """Return the diagonal of ``d2F/dz2``: ``s_i p_i (1 - p_i) / n``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The labels, coded -1 and +1.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        hess : ndarray of shape (n_samples,)
            The curvature of each sample's term, ``p = sigmoid(z)``.
        """
        p = expit(z)
        return self._weighted(p * (1.0 - p)) / y.shape[0]

    def conjugate(self, y, v):
        """Return ``F^*(v)`` (``inf`` outside its domain).

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The labels, coded -1 and +1.
        v : ndarray of shape (n_samples,)
            The point at which the conjugate is taken (a dual point).

        Returns
        -------
        value : float
            The mean negative binary entropy of ``a_i = -n y_i v_i / s_i``
            (see the class docstring), or ``inf``.
        """
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
