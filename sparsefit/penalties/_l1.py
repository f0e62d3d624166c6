"""The lasso penalty and its weighted version."""

from ._base import SeparablePenalty

__all__ = ["L1", "WeightedL1"]


class L1(SeparablePenalty):
    """Lasso penalty, optionally with bounds.

    .. math::

        g(w) = \\alpha \\sum_j |w_j| + \\iota_{[l, u]}(w)

    Parameters
    ----------
    alpha : float, >= 0
    positive : bool, default=False
    lower_bounds, upper_bounds : float, array-like or None
    """

    def __init__(self, alpha, positive=False, lower_bounds=None, upper_bounds=None):
        super().__init__(alpha, 1.0, None, positive, lower_bounds, upper_bounds)


class WeightedL1(SeparablePenalty):
    """Weighted lasso penalty (penalty factors, adaptive lasso).

    .. math::

        g(w) = \\alpha \\sum_j v_j |w_j| + \\iota_{[l, u]}(w),
        \\qquad v_j \\ge 0

    A zero weight leaves its feature unpenalised.
    """

    def __init__(
        self, alpha, weights, positive=False, lower_bounds=None, upper_bounds=None
    ):
        super().__init__(alpha, 1.0, weights, positive, lower_bounds, upper_bounds)
