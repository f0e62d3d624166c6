"""Fine-tuning with the zeros held, and export of the sparse model."""

import torch
from torch import nn

from ._compact import _unprune, copy_model
from ._optim import ProximalOptimizer

__all__ = ["FixedZeros", "hold_zeros", "load_sparse_state_dict", "sparse_state_dict"]


class FixedZeros:
    r"""The indicator of a zero pattern, to fine-tune a pruned network.

    .. math::

        \Omega(W) = \begin{cases} 0 & W_j = 0 \text{ for all } j \in Z \\
        +\infty & \text{otherwise,} \end{cases}

    whose prox, for any step, is the projection that sets the coordinates in
    :math:`Z` back to zero: a proximal optimizer with this penalty trains the
    surviving weights and keeps the pruned ones exactly zero.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors whose current zeros form :math:`Z`.

    See Also
    --------
    hold_zeros : Wrap any optimizer with this penalty.
    L1 : The penalty that made the zeros.

    Examples
    --------
    >>> import torch
    >>> from sparsefit.pruning import FixedZeros
    >>> w = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    >>> fixed = FixedZeros([w])
    >>> w += 0.5
    >>> fixed.prox_(w, step=1.0)
    tensor([[1.5000, 0.0000],
            [0.0000, 2.5000]])
    """

    alpha = 1.0

    def __init__(self, params):
        self.masks = {id(p): (p.detach() != 0) for p in params}

    def __repr__(self):
        return f"FixedZeros({len(self.masks)} tensors)"

    def value(self, w):
        """Return the penalty value at ``w``: 0 on the zero pattern, else inf.

        Parameters
        ----------
        w : torch.Tensor
            One of the tensors given to the constructor.

        Returns
        -------
        value : torch.Tensor
            A 0-d tensor.
        """
        outside = bool((w.detach()[~self.masks[id(w)]] != 0).any())
        return torch.tensor(float("inf") if outside else 0.0)

    def prox_(self, w, step):
        """Set the coordinates of ``w`` in the zero pattern back to zero; return ``w``.

        Parameters
        ----------
        w : torch.Tensor
            One of the tensors given to the constructor.
        step : float or torch.Tensor
            Ignored: a projection does not depend on the step.

        Returns
        -------
        w : torch.Tensor
            The same tensor, changed in place.
        """
        # masked_fill_ rather than a product, which would leave -0.0 behind.
        return w.masked_fill_(~self.masks[id(w)], 0)

    def groups(self, w):
        """Return the mask of the coordinates of ``w`` free to be non-zero.

        Parameters
        ----------
        w : torch.Tensor
            One of the tensors given to the constructor.

        Returns
        -------
        mask : torch.Tensor
            Of ``w``'s shape; False on the zero pattern.
        """
        return self.masks[id(w)]


def hold_zeros(optimizer, params=None):
    """Wrap ``optimizer`` so that the current exact zeros of ``params`` stay zero.

    After pruning, training on without the penalty would move the zeros
    away; this keeps the zero pattern fixed (the projection of
    :class:`FixedZeros` after every step) while the surviving weights are
    fine-tuned.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        A fresh optimizer over the network to fine-tune (any kind).
    params : iterable of Tensor, optional
        The pruned tensors; by default every parameter of the optimizer of at
        least two dimensions.

    Returns
    -------
    ProximalOptimizer
        Its ``step`` is the optimizer's, then the projection onto the zero
        pattern (see :class:`FixedZeros`).

    See Also
    --------
    FixedZeros : The penalty it applies.
    ProximalOptimizer : The wrapper it returns.

    Examples
    --------
    >>> import torch
    >>> layer = torch.nn.Linear(3, 2)
    >>> with torch.no_grad():
    ...     layer.weight[0, :2] = 0
    >>> opt = hold_zeros(torch.optim.Adam(layer.parameters(), lr=0.1))
    >>> layer(torch.ones(4, 3)).sum().backward()
    >>> opt.step()
    >>> layer.weight[0, :2].tolist()
    [0.0, 0.0]
    """
    if params is None:
        params = [
            p for group in optimizer.param_groups for p in group["params"] if p.ndim > 1
        ]
    params = list(params)

    def any_step(optimizer, group, param):
        return 1.0  # a projection ignores the step

    return ProximalOptimizer(optimizer, FixedZeros(params), params, step_fn=any_step)


def sparse_state_dict(model):
    """Return the model's state dict with every weight that has zeros stored sparse.

    Weights (Linear and Conv) are stored as sparse COO tensors, each kept
    dense when that is smaller.
    Pruning masks of ``torch.nn.utils.prune`` are applied first. Save it with
    ``torch.save``; load it back with :func:`load_sparse_state_dict`.

    Parameters
    ----------
    model : torch.nn.Module
        The network; it is copied, not changed.

    Returns
    -------
    state : dict of str to torch.Tensor
        The state dict, floating weights of two or more dimensions as
        sparse COO tensors where that is smaller.

    See Also
    --------
    load_sparse_state_dict : Load it back.
    compact : Remove dead neurons instead, for a smaller dense network.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(100, 100)
    >>> with torch.no_grad():
    ...     net.weight[:, 5:] = 0
    >>> state = sparse_state_dict(net)
    >>> state["weight"].layout
    torch.sparse_coo
    """
    model = copy_model(model)
    _unprune(model)
    state = {}
    for name, tensor in model.state_dict().items():
        state[name] = _to_sparse(tensor)
    return state


def _to_sparse(tensor):
    if not tensor.is_floating_point() or tensor.ndim < 2:
        return tensor
    nnz = int((tensor != 0).sum())
    # COO stores one int64 index per dimension beside every value.
    sparse_bytes = nnz * (tensor.element_size() + 8 * tensor.ndim)
    if sparse_bytes >= tensor.numel() * tensor.element_size():
        return tensor
    return tensor.to_sparse()


def load_sparse_state_dict(model, state):
    """Load a state dict from :func:`sparse_state_dict` into ``model``.

    Sparse tensors are made dense again; the model must have the dense
    architecture (no pruning hooks).

    Parameters
    ----------
    model : torch.nn.Module
        The network to load into, changed in place.
    state : dict of str to torch.Tensor
        A state dict from :func:`sparse_state_dict` (sparse or dense tensors).

    Returns
    -------
    model : torch.nn.Module
        ``model`` itself, with the weights loaded.

    Raises
    ------
    ValueError
        If ``model`` is not a ``torch.nn.Module``.

    See Also
    --------
    sparse_state_dict : Make the state dict.

    Examples
    --------
    >>> import torch
    >>> from sparsefit.pruning import load_sparse_state_dict, sparse_state_dict
    >>> net = torch.nn.Linear(100, 100)
    >>> with torch.no_grad():
    ...     net.weight[:, 5:] = 0
    >>> state = sparse_state_dict(net)
    >>> other = load_sparse_state_dict(torch.nn.Linear(100, 100), state)
    >>> bool(torch.equal(other.weight, net.weight))
    True
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    dense = {
        name: t.to_dense() if t.layout != torch.strided else t
        for name, t in state.items()
    }
    model.load_state_dict(dense)
    return model
