"""The multinomial datafit: a true softmax over K classes."""

import numpy as np
from scipy.special import log_softmax, softmax, xlogy

from ._base import BaseDatafit, SampleWeighted

__all__ = ["Multinomial"]


class Multinomial(SampleWeighted, BaseDatafit):
    """Weighted multinomial (softmax) loss, a mean over samples.

    .. math::

        F(Y, Z) = \\frac{1}{n} \\sum_{i=1}^n s_i
        \\left(\\log \\sum_{k=1}^K e^{z_{ik}} - \\sum_k y_{ik} z_{ik}\\right)

    with ``Y`` the one-hot (or any probability) matrix of the labels.  The
    conjugate is finite when every row ``q_i = y_i + n v_i / s_i`` lies on the
    simplex: ``F^*(V) = (1/n) sum_i s_i sum_k q_ik log q_ik``.  At
    ``V = t grad F`` the rows are ``(1 - t) y_i + t p_i``.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
        Weights already rescaled to sum to ``n_samples``.

    See Also
    --------
    Logistic : The binary case, with one linear predictor.
    sparsefit.SparseLogisticRegression : Uses it for more than two classes.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.datafits import Multinomial
    >>> Y = np.eye(3)
    >>> round(Multinomial().value(Y, np.zeros((3, 3))), 6)  # log 3
    1.098612
    >>> Multinomial.inverse_link(np.zeros((1, 3)))
    array([[0.33333333, 0.33333333, 0.33333333]])
    """

    curvature = 0.5
    target = "classes"
    scorings = ("deviance", "accuracy", "roc_auc", "mse", "mae")

    def value(self, y, z):
        """Return ``F(Y, Z)``.

        Parameters
        ----------
        y : ndarray of shape (n_samples, K)
            The one-hot (or any probability) matrix of the labels.
        z : ndarray of shape (n_samples, K)
            The linear predictors, one column per class.

        Returns
        -------
        value : float
            The weighted mean softmax loss.
        """
        return self._mean(-np.sum(y * log_softmax(z, axis=1), axis=1))

    def raw_grad(self, y, z):
        """Return ``dF/dZ = s_i (p_ik - y_ik) / n`` with ``p = softmax(Z)``.

        Parameters
        ----------
        y : ndarray of shape (n_samples, K)
            The one-hot (or any probability) matrix of the labels.
        z : ndarray of shape (n_samples, K)
            The linear predictors, one column per class.

        Returns
        -------
        grad : ndarray of shape (n_samples, K)
            The gradient in ``Z``.
        """
        return self._weighted(softmax(z, axis=1) - y) / y.shape[0]

    def raw_hessian(self, y, z):
        """Return the diagonal of each sample's Hessian block.

        It is ``s_i p_ik (1 - p_ik) / n``.  The full block is
        ``s_i (diag(p_i) - p_i p_i') / n``; the proximal Newton solver models
        with the full block (from ``inverse_link``) and takes this diagonal
        for its per-entry curvatures.

        Parameters
        ----------
        y : ndarray of shape (n_samples, K)
            The one-hot (or any probability) matrix of the labels.
        z : ndarray of shape (n_samples, K)
            The linear predictors, one column per class.

        Returns
        -------
        hess : ndarray of shape (n_samples, K)
            The diagonal curvatures.
        """
        p = softmax(z, axis=1)
        return self._weighted(p * (1.0 - p)) / y.shape[0]

    def conjugate(self, y, v):
        """Return ``F^*(V)`` (``inf`` outside its domain).

        Parameters
        ----------
        y : ndarray of shape (n_samples, K)
            The one-hot (or any probability) matrix of the labels.
        v : ndarray of shape (n_samples, K)
            The point at which the conjugate is taken (a dual point).

        Returns
        -------
        value : float
            The mean negative entropy of the rows ``q_i = y_i + n v_i / s_i``
            (see the class docstring), or ``inf``.
        """
        n = y.shape[0]
        sw = np.ones(n) if self.sample_weight is None else self.sample_weight
        live = sw > 0
        if (v[~live] != 0).any():
            return np.inf
        q = y[live] + n * v[live] / sw[live][:, None]
        tiny = 1e-12
        if (q < -tiny).any() or (np.abs(q.sum(axis=1) - 1.0) > 1e-9).any():
            return np.inf
        q = np.maximum(q, 0.0)
        return float(sw[live] @ xlogy(q, q).sum(axis=1)) / n

    def null_intercept(self, y):
        """Return the log of the weighted class frequencies, centred to sum to zero.

        Parameters
        ----------
        y : ndarray of shape (n_samples, K)
            The one-hot (or any probability) matrix of the labels.

        Returns
        -------
        intercept : ndarray of shape (K,)
            The intercepts of the model with no feature (``-inf`` for an
            absent class, the others centred).
        """
        freq = self._mean_rows(y)
        with np.errstate(divide="ignore"):
            b = np.log(freq)
        finite = np.isfinite(b)
        if finite.any():
            b[finite] -= b[finite].mean()
        return b

    @staticmethod
    def inverse_link(z):
        """Return the class probabilities ``softmax(Z)``.

        Parameters
        ----------
        z : ndarray of shape (n_samples, K)
            The linear predictors, one column per class.

        Returns
        -------
        proba : ndarray of shape (n_samples, K)
            Each row sums to 1.
        """
        return softmax(z, axis=1)
