"""The lasso penalty and its weighted version."""

from ._base import SeparablePenalty

__all__ = ["L1", "WeightedL1"]


class L1(SeparablePenalty):
    """Lasso penalty, optionally with bounds.

    .. math::

        g(w) = \\alpha \\sum_j |w_j| + \\iota_{[l, u]}(w)

    Parameters
    ----------
    alpha : float
        The penalty level, ``>= 0``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (raises the lower
        bounds to 0).
    lower_bounds : float, array-like of shape (n_features,) or None, default=None
        Lower bounds on the coefficients; None means unbounded.
    upper_bounds : float, array-like of shape (n_features,) or None, default=None
        Upper bounds on the coefficients; None means unbounded.

    See Also
    --------
    WeightedL1 : The lasso with penalty factors.
    ElasticNetPenalty : The lasso mixed with a ridge term.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.penalties import L1
    >>> L1(0.5).prox(np.array([1.2, 0.4, -0.8]), 1.0)  # soft-thresholding
    array([ 0.7,  0. , -0.3])
    """

    def __init__(self, alpha, positive=False, lower_bounds=None, upper_bounds=None):
        super().__init__(alpha, 1.0, None, positive, lower_bounds, upper_bounds)


class WeightedL1(SeparablePenalty):
    """Weighted lasso penalty (penalty factors, adaptive lasso).

    .. math::

        g(w) = \\alpha \\sum_j v_j |w_j| + \\iota_{[l, u]}(w),
        \\qquad v_j \\ge 0

    A zero weight leaves its feature unpenalised.

    Parameters
    ----------
    alpha : float
        The penalty level, ``>= 0``.
    weights : array-like of shape (n_features,)
        Penalty factors ``v_j >= 0`` (for the adaptive lasso, ``1 / |w_j|``
        of a first fit).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (raises the lower
        bounds to 0).
    lower_bounds : float, array-like of shape (n_features,) or None, default=None
        Lower bounds on the coefficients; None means unbounded.
    upper_bounds : float, array-like of shape (n_features,) or None, default=None
        Upper bounds on the coefficients; None means unbounded.

    See Also
    --------
    L1 : The same weight on every feature.
    ElasticNetPenalty : Penalty factors with a ridge term.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.penalties import WeightedL1
    >>> WeightedL1(1.0, [0.0, 2.0]).prox(np.array([3.0, 3.0]), 1.0)
    array([3., 1.])
    """

    def __init__(
        self, alpha, weights, positive=False, lower_bounds=None, upper_bounds=None
    ):
        super().__init__(alpha, 1.0, weights, positive, lower_bounds, upper_bounds)
