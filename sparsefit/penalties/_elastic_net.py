"""The elastic-net penalty."""

from ._base import SeparablePenalty

__all__ = ["ElasticNetPenalty"]


class ElasticNetPenalty(SeparablePenalty):
    """Elastic-net penalty with penalty factors and bounds.

    .. math::

        g(w) = \\alpha \\sum_j v_j
        \\left(\\rho |w_j| + \\frac{1 - \\rho}{2} w_j^2\\right)
        + \\iota_{[l, u]}(w), \\qquad \\rho = \\text{l1\\_ratio} \\in [0, 1]

    Parameters
    ----------
    alpha : float, >= 0
    l1_ratio : float in [0, 1]
    weights : array-like or None
        Penalty factors ``v_j >= 0``.
    positive : bool
    lower_bounds, upper_bounds : float, array-like or None
    """
