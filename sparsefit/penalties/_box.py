"""Bound constraints alone, with no shrinkage."""

from ._base import SeparablePenalty

__all__ = ["Box"]


class Box(SeparablePenalty):
    """Indicator of a box: constrained, unpenalised least squares and friends.

    .. math::

        g(w) = \\iota_{[l, u]}(w)
    """

    def __init__(self, lower_bounds=None, upper_bounds=None, positive=False):
        super().__init__(0.0, 1.0, None, positive, lower_bounds, upper_bounds)
