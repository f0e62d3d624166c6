"""Bound constraints alone, with no shrinkage."""

from ._base import SeparablePenalty

__all__ = ["Box"]


class Box(SeparablePenalty):
    """Indicator of a box: constrained, unpenalised least squares and friends.

    .. math::

        g(w) = \\iota_{[l, u]}(w)

    Its prox is the projection on the box; it shrinks nothing.

    Parameters
    ----------
    lower_bounds : float, array-like of shape (n_features,) or None, default=None
        Lower bounds on the coefficients; None means unbounded.
    upper_bounds : float, array-like of shape (n_features,) or None, default=None
        Upper bounds on the coefficients; None means unbounded.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (raises the lower
        bounds to 0).

    See Also
    --------
    L1 : The lasso penalty, which accepts bounds too.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.penalties import Box
    >>> Box(positive=True).prox(np.array([-1.0, 2.0]), 1.0)
    array([0., 2.])
    >>> Box(positive=True).value(np.array([-1.0, 2.0]))
    inf
    """

    def __init__(self, lower_bounds=None, upper_bounds=None, positive=False):
        super().__init__(0.0, 1.0, None, positive, lower_bounds, upper_bounds)
