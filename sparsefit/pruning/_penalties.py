r"""Penalties on the weights of a network, with their proximal operators.

Each penalty acts on one weight tensor at a time; the total penalty is the sum
over the penalised tensors. ``alpha`` may be changed between steps (the
:class:`SparsityController` does so along its path).
"""

import math
import numbers

from ._prox import group_dims, group_norms, group_prox_, soft_threshold_

__all__ = ["GroupL1", "L1", "SparseGroupL1"]


def _check_alpha(alpha):
    if (
        not isinstance(alpha, numbers.Real)
        or isinstance(alpha, bool)
        or not math.isfinite(alpha)
        or alpha < 0
    ):
        raise ValueError(f"alpha must be a finite real number >= 0; got {alpha!r}")
    return float(alpha)


def _check_over(over):
    if over not in ("out", "in"):
        raise ValueError(f"over must be 'out' or 'in'; got {over!r}")
    return over


class L1:
    r"""The l1 norm, for unstructured pruning.

    .. math::

        \Omega(W) = \alpha \sum_j |W_j|.

    Its prox with per-coordinate steps :math:`d_j` is the soft-threshold at
    :math:`\alpha d_j`, which sets small weights exactly to zero.

    Parameters
    ----------
    alpha : float
        Penalty strength ``>= 0``.

    See Also
    --------
    GroupL1 : Whole neurons or channels at once.
    ProxAdamW : The optimiser that applies the penalty's prox.

    Examples
    --------
    >>> import torch
    >>> w = torch.tensor([[0.3, -0.05], [-0.2, 0.01]])
    >>> L1(alpha=0.1).prox_(w, step=1.0)
    tensor([[ 0.2000,  0.0000],
            [-0.1000,  0.0000]])
    """

    def __init__(self, alpha):
        self.alpha = _check_alpha(alpha)

    def __repr__(self):
        return f"L1(alpha={self.alpha!r})"

    def value(self, w):
        """Return the penalty value at ``w``, a 0-d tensor.

        Parameters
        ----------
        w : torch.Tensor
            A weight tensor.

        Returns
        -------
        value : torch.Tensor
            A 0-d tensor.
        """
        return self.alpha * w.abs().sum()

    def prox_(self, w, step):
        """Replace ``w`` in place by its prox with step ``step``; return ``w``.

        Parameters
        ----------
        w : torch.Tensor
            A weight tensor.
        step : float or torch.Tensor
            The step: a scalar, or per-coordinate steps of ``w``'s shape (Adam's).

        Returns
        -------
        w : torch.Tensor
            The same tensor, changed in place.
        """
        return soft_threshold_(w, step * self.alpha)

    def groups(self, w):
        """Return a boolean tensor marking the non-zero coordinates of ``w``.

        Parameters
        ----------
        w : torch.Tensor
            A weight tensor.

        Returns
        -------
        mask : torch.Tensor
            Of ``w``'s shape.
        """
        return w != 0


class GroupL1:
    r"""Group lasso over the output neurons or the input features of a layer.

    .. math::

        \Omega(W) = \alpha \sum_g \sqrt{p_g}\, \|W_g\|_2,

    where a group :math:`W_g` is one output neuron or channel (``W[i]``,
    ``over="out"``) or one input feature or channel (``W[:, j]``,
    ``over="in"``), and :math:`p_g` the number of weights in it (the weight of
    Yuan and Lin, 2006). Its prox, block soft-thresholding, removes whole
    neurons; ``over="in"`` on the first layer selects input features, the
    idea of LassoNet (Lemhadri et al., 2021).

    Parameters
    ----------
    alpha : float
        Penalty strength ``>= 0``.
    over : {"out", "in"}, default="out"
        What a group is: an output neuron/channel or an input feature/channel.

    See Also
    --------
    L1 : Single weights.
    SparseGroupL1 : Groups and single weights together.
    compact : Remove the neurons the penalty switched off.

    Notes
    -----
    With per-coordinate steps (Adam), the prox is the exact one in that
    metric: one scalar equation per group, solved by Newton's method (see
    :func:`~sparsefit.pruning._prox.group_prox_`).

    Examples
    --------
    >>> import torch
    >>> w = torch.tensor([[3.0, 4.0], [0.3, 0.4]])
    >>> GroupL1(alpha=2.5 / 2**0.5).prox_(w, step=1.0)
    tensor([[1.5000, 2.0000],
            [0.0000, 0.0000]])
    """

    def __init__(self, alpha, over="out"):
        self.alpha = _check_alpha(alpha)
        self.over = _check_over(over)

    def __repr__(self):
        return f"GroupL1(alpha={self.alpha!r}, over={self.over!r})"

    def _group_weight(self, w, dims):
        return math.sqrt(math.prod(w.shape[d] for d in dims))

    def value(self, w):
        """Return the penalty value at ``w``, a 0-d tensor.

        Parameters
        ----------
        w : torch.Tensor
            A weight tensor of at least two dimensions.

        Returns
        -------
        value : torch.Tensor
            A 0-d tensor.
        """
        dims = group_dims(w, self.over)
        return self.alpha * self._group_weight(w, dims) * group_norms(w, dims).sum()

    def prox_(self, w, step):
        """Replace ``w`` in place by its prox with step ``step``; return ``w``.

        Parameters
        ----------
        w : torch.Tensor
            A weight tensor of at least two dimensions.
        step : float or torch.Tensor
            The step: a scalar, or per-coordinate steps of ``w``'s shape (Adam's).

        Returns
        -------
        w : torch.Tensor
            The same tensor, changed in place.
        """
        dims = group_dims(w, self.over)
        return group_prox_(w, step, self.alpha * self._group_weight(w, dims), dims)

    def groups(self, w):
        """Return a boolean vector marking the non-zero groups of ``w``.

        Parameters
        ----------
        w : torch.Tensor
            A weight tensor of at least two dimensions.

        Returns
        -------
        mask : torch.Tensor of shape (n_groups,)
            True for each group with a non-zero weight.
        """
        dims = group_dims(w, self.over)
        return group_norms(w, dims).flatten() != 0


class SparseGroupL1(GroupL1):
    r"""Sparse-group lasso: l1 inside the groups plus the group norm.

    .. math::

        \Omega(W) = \alpha \Bigl(\rho \sum_j |W_j|
        + (1 - \rho) \sum_g \sqrt{p_g}\, \|W_g\|_2\Bigr),

    with :math:`\rho` = ``l1_ratio``. Its prox is the soft-threshold followed
    by block soft-thresholding (Simon, Friedman, Hastie and Tibshirani, 2013,
    eq. 4); that composition stays exact with per-coordinate l1 thresholds,
    because block soft-thresholding only rescales the soft-thresholded group.

    Parameters
    ----------
    alpha : float
        Penalty strength ``>= 0``.
    l1_ratio : float, default=0.5
        Share ``rho`` of the l1 term, in ``[0, 1]``.
    over : {"out", "in"}, default="out"
        What a group is, as for :class:`GroupL1`.

    See Also
    --------
    L1 : Single weights alone.
    GroupL1 : Whole groups alone.

    Examples
    --------
    >>> import torch
    >>> w = torch.tensor([[3.0, 0.1], [0.3, 0.4]])
    >>> SparseGroupL1(alpha=0.5, l1_ratio=0.5).prox_(w, step=1.0)
    tensor([[2.3964, 0.0000],
            [0.0000, 0.0000]])
    """

    def __init__(self, alpha, l1_ratio=0.5, over="out"):
        super().__init__(alpha, over)
        ok = isinstance(l1_ratio, numbers.Real) and not isinstance(l1_ratio, bool)
        if not ok or not 0 <= l1_ratio <= 1:
            raise ValueError(f"l1_ratio must be in [0, 1]; got {l1_ratio!r}")
        self.l1_ratio = float(l1_ratio)

    def __repr__(self):
        return (
            f"SparseGroupL1(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r}, "
            f"over={self.over!r})"
        )

    def value(self, w):
        """Return the penalty value at ``w``, a 0-d tensor.

        Parameters
        ----------
        w : torch.Tensor
            A weight tensor of at least two dimensions.

        Returns
        -------
        value : torch.Tensor
            A 0-d tensor.
        """
        l1 = self.alpha * self.l1_ratio * w.abs().sum()
        return l1 + (1 - self.l1_ratio) * super().value(w)

    def prox_(self, w, step):
        """Replace ``w`` in place by its prox with step ``step``; return ``w``.

        Parameters
        ----------
        w : torch.Tensor
            A weight tensor of at least two dimensions.
        step : float or torch.Tensor
            The step: a scalar, or per-coordinate steps of ``w``'s shape (Adam's).

        Returns
        -------
        w : torch.Tensor
            The same tensor, changed in place.
        """
        dims = group_dims(w, self.over)
        soft_threshold_(w, step * self.alpha * self.l1_ratio)
        # The metric prox of the sum is the metric group prox of the
        # soft-thresholded point: both terms are invariant under sign flips
        # and the group term under the coordinate-wise l1 shrinkage's order.
        weight = self._group_weight(w, dims) * self.alpha * (1 - self.l1_ratio)
        return group_prox_(w, step, weight, dims)
