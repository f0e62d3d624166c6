"""Remove dead neurons and channels physically, keeping the outputs."""

import copy

import torch
from torch import nn
from torch.nn.utils import prune

__all__ = ["compact"]

_CONV = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_NORM = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)
# Modules that act on each neuron or channel on its own (in eval mode).
_ELEMENTWISE = (
    nn.Identity, nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.SELU, nn.CELU,
    nn.GELU, nn.SiLU, nn.Mish, nn.Tanh, nn.Sigmoid, nn.Softplus, nn.Hardtanh,
    nn.Hardswish, nn.Hardsigmoid, nn.Dropout, nn.Dropout1d, nn.Dropout2d,
    nn.Dropout3d, nn.AlphaDropout, *_NORM,
)  # fmt: skip
# Per-channel pooling that maps a constant channel to a constant channel.
_POOL = (
    nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d, nn.AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, nn.AdaptiveMaxPool1d,
    nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d,
)  # fmt: skip


def _is_layer(module):
    if isinstance(module, nn.Linear):
        return True
    return isinstance(module, _CONV) and module.groups == 1


def _between_ok(first, between, second):
    """Whether the modules between two layers keep neurons separate."""
    for module in between:
        if isinstance(module, nn.Flatten):
            if not (isinstance(first, _CONV) and isinstance(second, nn.Linear)):
                return False
            if module.start_dim != 1 or module.end_dim != -1:
                return False
        elif isinstance(module, _POOL):
            if not isinstance(first, _CONV):
                return False
        elif not isinstance(module, _ELEMENTWISE):
            return False
        elif isinstance(module, _NORM) and not module.track_running_stats:
            return False  # batch statistics mix the samples, even in eval mode
    if isinstance(first, _CONV) and isinstance(second, nn.Linear):
        flattened = any(isinstance(m, nn.Flatten) for m in between)
        return flattened and second.in_features % first.out_channels == 0
    return isinstance(first, _CONV) == isinstance(second, _CONV)


def _constant_outputs(first, between):
    """What a neuron with all-zero weights passes on: f(bias), per neuron."""
    n = first.weight.shape[0]
    shape = (1, n) + (1,) * (first.weight.ndim - 2)
    if first.bias is None:
        x = torch.zeros(shape, dtype=first.weight.dtype)
    else:
        x = first.bias.detach().reshape(shape).clone()
    for module in between:
        if isinstance(module, _ELEMENTWISE):
            x = module(x)
    return x.reshape(n)


def _columns(second, n_first):
    """The weight of ``second`` with one slice per neuron of the first layer."""
    w = second.weight.detach()
    if isinstance(second, nn.Linear):
        # A flattened channel spans in_features / channels consecutive columns.
        w = w.reshape(w.shape[0], n_first, -1)
    return w


def _foldable(second):
    """Whether a constant input channel adds a constant to every output."""
    if isinstance(second, nn.Linear) or second.padding_mode != "zeros":
        return True
    if isinstance(second.padding, str):
        return second.padding == "valid"
    return all(p == 0 for p in second.padding)


def _slice_layer(layer, keep, dim):
    """A copy of ``layer`` keeping output (dim 0) or input (dim 1) units ``keep``."""
    w = layer.weight.detach().index_select(dim, keep)
    new = copy.deepcopy(layer)
    new.weight = nn.Parameter(w.clone())
    if dim == 0:
        if layer.bias is not None:
            new.bias = nn.Parameter(layer.bias.detach()[keep].clone())
        attr = "out_features" if isinstance(layer, nn.Linear) else "out_channels"
    else:
        attr = "in_features" if isinstance(layer, nn.Linear) else "in_channels"
    setattr(new, attr, len(keep))
    return new


def _slice_norm(norm, keep):
    new = copy.deepcopy(norm)
    new.num_features = len(keep)
    for name in ("weight", "bias"):
        if getattr(norm, name) is not None:
            setattr(new, name, nn.Parameter(getattr(norm, name).detach()[keep].clone()))
    for name in ("running_mean", "running_var"):
        if getattr(norm, name) is not None:
            setattr(new, name, getattr(norm, name)[keep].clone())
    return new


def _compact_pair(first, between, second):
    """Drop the dead units between two layers; return the three new parts."""
    n = first.weight.shape[0]
    cols = _columns(second, n)
    reduce = tuple(d for d in range(cols.ndim) if d != 1)
    unused = torch.linalg.vector_norm(cols, dim=reduce) == 0
    rows = first.weight.detach().reshape(n, -1)
    silent = torch.linalg.vector_norm(rows, dim=1) == 0
    constant = _constant_outputs(first, between)
    if not _foldable(second):
        # A constant channel meets zero padding at the borders: not a constant.
        silent &= constant == 0
    dead = unused | silent
    if not dead.any():
        return first, between, second
    # Torch has no convolution with zero channels: when every unit is dead,
    # one stays, with its outgoing weights zeroed below.
    keep = torch.nonzero(~dead).flatten() if not dead.all() else torch.tensor([0])
    fold = silent & ~unused & (constant != 0)
    second_new = copy.deepcopy(second)
    if fold.any():
        # sum over the removed neuron's slice of W times its constant output.
        extra = (cols[:, fold].flatten(2).sum(2) * constant[fold]).sum(1)
        bias = second.bias.detach() if second.bias is not None else 0
        second_new.bias = nn.Parameter(bias + extra)
    w = cols.index_select(1, keep)
    if dead.all():
        w = torch.zeros_like(w)
    if isinstance(second, nn.Linear):
        w = w.reshape(cols.shape[0], -1)
        second_new.in_features = w.shape[1]
    else:
        second_new.in_channels = len(keep)
    second_new.weight = nn.Parameter(w.clone())
    between = [_slice_norm(m, keep) if isinstance(m, _NORM) else m for m in between]
    return _slice_layer(first, keep, 0), between, second_new


def copy_model(model):
    """A deep copy, also of modules pruned by ``torch.nn.utils.prune``."""
    # Their masked weight is a non-leaf tensor, which deepcopy refuses; the
    # memo hands deepcopy a detached copy instead (the hook recomputes it).
    memo = {}
    for module in model.modules():
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, prune.BasePruningMethod):
                masked = getattr(module, hook._tensor_name)
                memo[id(masked)] = masked.detach().clone()
    return copy.deepcopy(model, memo)


def _unprune(model):
    for module in model.modules():
        for hook in list(module._forward_pre_hooks.values()):
            if isinstance(hook, prune.BasePruningMethod):
                prune.remove(module, hook._tensor_name)


def compact(model):
    """A smaller copy of ``model`` without its dead neurons and channels.

    A hidden neuron (or channel) between two consecutive Linear layers (or a
    convolution followed by a convolution, or by a Linear layer after
    ``nn.Flatten``) is dead when its outgoing weights are all zero, or when
    its incoming weights are all zero: it then passes on a constant,
    ``f(bias)``, which is folded into the next layer's bias (for a next
    convolution only without padding; with padding the channel is removed
    only if that constant is zero). The layers may be separated by
    activations, dropout, batch norm (sliced along) and, after a
    convolution, max or adaptive pooling. Any other module between two
    layers (a nested container, a grouped convolution) is a barrier: the
    layers on either side keep their width.

    Parameters
    ----------
    model : torch.nn.Sequential
        The network, possibly pruned with ``torch.nn.utils.prune`` (the masks
        are made permanent in the copy). It is not modified.

    Returns
    -------
    torch.nn.Sequential
        The compacted copy, in eval mode; its outputs equal the model's in
        eval mode up to rounding.

    See Also
    --------
    sparsity_report : What compact would remove.
    GroupL1 : The penalty that switches neurons off.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(
    ...     torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2)
    ... )
    >>> with torch.no_grad():
    ...     net[0].weight[:5] = 0
    >>> small = compact(net)
    >>> small[0].out_features, small[2].in_features
    (3, 3)
    >>> x = torch.randn(5, 4)
    >>> torch.allclose(small(x), net(x), atol=1e-6)
    True
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError(
            f"model must be a torch.nn.Sequential; got {type(model).__name__}"
        )
    modules = list(copy_model(model).eval())
    for module in modules:
        _unprune(module)
    layer_at = [i for i, m in enumerate(modules) if _is_layer(m)]
    with torch.no_grad():
        for i, j in zip(layer_at, layer_at[1:], strict=False):
            between = modules[i + 1 : j]
            if not _between_ok(modules[i], between, modules[j]):
                continue
            first, between, second = _compact_pair(modules[i], between, modules[j])
            modules[i], modules[i + 1 : j], modules[j] = first, between, second
    return nn.Sequential(*modules).eval()
