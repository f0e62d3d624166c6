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
    """

    alpha = 1.0

    def __init__(self, params):
        self.masks = {id(p): (p.detach() != 0) for p in params}

    def __repr__(self):
        return f"FixedZeros({len(self.masks)} tensors)"

    def value(self, w):
        outside = bool((w.detach()[~self.masks[id(w)]] != 0).any())
        return torch.tensor(float("inf") if outside else 0.0)

    def prox_(self, w, step):
        # masked_fill_ rather than a product, which would leave -0.0 behind.
        return w.masked_fill_(~self.masks[id(w)], 0)

    def groups(self, w):
        return self.masks[id(w)]


def hold_zeros(optimizer, params=None):
    """Wrap ``optimizer`` so that the current exact zeros of ``params`` stay zero.

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
    """The model's state dict with every weight that has zeros stored sparse.

    Weights (Linear and Conv) are stored as sparse COO tensors, each kept
    dense when that is smaller.
    Pruning masks of ``torch.nn.utils.prune`` are applied first. Save it with
    ``torch.save``; load it back with :func:`load_sparse_state_dict`.

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
    architecture (no pruning hooks). Returns the model.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    dense = {
        name: t.to_dense() if t.layout != torch.strided else t
        for name, t in state.items()
    }
    model.load_state_dict(dense)
    return model
