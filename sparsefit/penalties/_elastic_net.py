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
    alpha : float
        The penalty level, ``>= 0``.
    l1_ratio : float, default=1.0
        The mix ``rho`` in [0, 1]: 1 is the lasso, 0 the ridge.
    weights : array-like of shape (n_features,) or None, default=None
        Penalty factors ``v_j >= 0``; 0 leaves a feature unpenalised.  None
        is 1 for every feature.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (raises the lower
        bounds to 0).
    lower_bounds : float, array-like of shape (n_features,) or None, default=None
        Lower bounds on the coefficients; None means unbounded.
    upper_bounds : float, array-like of shape (n_features,) or None, default=None
        Upper bounds on the coefficients; None means unbounded.

    See Also
    --------
    L1 : The lasso penalty (``l1_ratio=1``).
    sparsefit.ElasticNet : The estimator that uses it.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.penalties import ElasticNetPenalty
    >>> g = ElasticNetPenalty(1.0, l1_ratio=0.5)
    >>> g.value(np.array([1.0, -2.0]))  # 0.5 * 3 + 0.25 * 5
    2.75
    """
