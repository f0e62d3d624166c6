"""What a pruned network has left: exact zeros, parameters, FLOPs, inputs."""

from dataclasses import dataclass

import torch
from torch import nn

__all__ = ["LayerReport", "SparsityReport", "selected_inputs", "sparsity_report"]

_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


@dataclass(frozen=True)
class LayerReport:
    """Exact zeros, live neurons and estimated FLOPs of one Linear/Conv layer.

    ``flops`` and ``dense_flops`` count a multiply-add as two operations, per
    sample, for the weights only (activations, bias and pooling are cheap
    beside them); ``None`` for a convolution reported without an example
    input, since its cost depends on the size of its output.
    :func:`sparsity_report` builds one per layer.

    Parameters
    ----------
    name : str
        The layer's name in the model (``"0"``, ``"features.3"``...).
    kind : str
        The layer's class name (``"Linear"``, ``"Conv2d"``...).
    shape : tuple of int
        The shape of its weight.
    n_weights : int
        The number of weights.
    n_zero : int
        The number of weights that are exactly zero.
    n_neurons : int
        Output neurons or channels (rows of the weight).
    n_live_neurons : int
        Those with a weight that is not zero.
    flops : int or None
        Estimated FLOPs per sample with the zeros skipped.
    dense_flops : int or None
        Estimated FLOPs per sample of the dense layer.

    See Also
    --------
    SparsityReport : The report on the whole network.

    Examples
    --------
    >>> import torch
    >>> from sparsefit.pruning import sparsity_report
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    >>> with torch.no_grad():
    ...     net[0].weight[1:] = 0
    >>> report = sparsity_report(net)
    >>> layer = report.layers[0]
    >>> layer.kind, layer.shape, layer.n_zero, layer.n_live_neurons
    ('Linear', (3, 4), 8, 1)
    >>> round(layer.sparsity, 3), layer.flops, layer.dense_flops
    (0.667, 8, 24)
    """

    name: str
    kind: str
    shape: tuple
    n_weights: int
    n_zero: int
    n_neurons: int
    n_live_neurons: int
    flops: int | None
    dense_flops: int | None

    @property
    def sparsity(self):
        """Fraction of the weights that are exactly zero."""
        return self.n_zero / self.n_weights if self.n_weights else 0.0


@dataclass(frozen=True)
class SparsityReport:
    """Per-layer and total exact sparsity, remaining parameters and FLOPs.

    What :func:`sparsity_report` returns; ``str()`` prints it as a table,
    one row per layer and a total.  Its ``sparsity``, ``flops`` and
    ``dense_flops`` add up the layers.

    Parameters
    ----------
    layers : tuple of LayerReport
        One entry per Linear/Conv layer, in module order.
    n_params : int
        Every parameter of the model (weights, biases, norm layers).
    n_nonzero_params : int
        The parameters that are not exactly zero: what a sparse export keeps.

    See Also
    --------
    sparsity_report : Build the report.
    LayerReport : One layer's entry.

    Examples
    --------
    >>> import torch
    >>> from sparsefit.pruning import sparsity_report
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    >>> with torch.no_grad():
    ...     net[0].weight[1:] = 0
    >>> report = sparsity_report(net)
    >>> report.n_params, report.n_nonzero_params
    (23, 15)
    >>> round(report.sparsity, 3), report.flops, report.dense_flops
    (0.444, 20, 36)
    """

    layers: tuple
    n_params: int
    n_nonzero_params: int

    @property
    def n_weights(self):
        return sum(layer.n_weights for layer in self.layers)

    @property
    def n_zero(self):
        return sum(layer.n_zero for layer in self.layers)

    @property
    def sparsity(self):
        """Fraction of the Linear/Conv weights that are exactly zero."""
        return self.n_zero / self.n_weights if self.n_weights else 0.0

    @property
    def flops(self):
        """Estimated FLOPs per sample with the zeros skipped (None if unknown)."""
        return _total(layer.flops for layer in self.layers)

    @property
    def dense_flops(self):
        return _total(layer.dense_flops for layer in self.layers)

    def __str__(self):
        rows = [
            f"{'layer':<16}{'shape':<20}{'sparsity':>9}{'neurons':>12}{'kFLOPs':>10}"
        ]
        for layer in self.layers:
            kflops = "?" if layer.flops is None else f"{layer.flops / 1e3:.1f}"
            neurons = f"{layer.n_live_neurons}/{layer.n_neurons}"
            rows.append(
                f"{layer.name:<16}{str(layer.shape):<20}{layer.sparsity:>9.1%}"
                f"{neurons:>12}{kflops:>10}"
            )
        flops = "?" if self.flops is None else f"{self.flops / 1e3:.1f}"
        rows.append(
            f"total: {self.sparsity:.1%} of {self.n_weights} weights exactly zero; "
            f"{self.n_nonzero_params} of {self.n_params} parameters remain; "
            f"{flops} kFLOPs per sample"
        )
        return "\n".join(rows)


def _total(values):
    values = list(values)
    return None if any(v is None for v in values) else sum(values)


def _positions(model, example_input):
    """Output positions per sample of every layer (1 for Linear without input)."""
    positions = {}
    if example_input is None:
        return positions
    hooks = []
    for name, module in model.named_modules():
        if isinstance(module, _LAYERS):

            def hook(module, args, output, name=name):
                # Output values per sample over output neurons/channels.
                positions[name] = output[0].numel() // module.weight.shape[0]

            hooks.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(example_input)
    finally:
        for handle in hooks:
            handle.remove()
    return positions


def _layer_report(name, module, positions):
    w = module.weight.detach()
    n_zero = int((w == 0).sum())
    live = torch.linalg.vector_norm(w.reshape(w.shape[0], -1), dim=1) != 0
    if name in positions:
        n_pos = positions[name]
    else:
        n_pos = 1 if isinstance(module, nn.Linear) else None
    nnz = w.numel() - n_zero
    return LayerReport(
        name=name,
        kind=type(module).__name__,
        shape=tuple(w.shape),
        n_weights=w.numel(),
        n_zero=n_zero,
        n_neurons=w.shape[0],
        n_live_neurons=int(live.sum()),
        flops=None if n_pos is None else 2 * nnz * n_pos,
        dense_flops=None if n_pos is None else 2 * w.numel() * n_pos,
    )


def _own_tensors(module):
    """The module's own parameters, with a pruning mask's product in place."""
    tensors = dict(module.named_parameters(recurse=False))
    for name in list(tensors):
        if name.endswith("_orig"):
            del tensors[name]
            tensors[name[: -len("_orig")]] = getattr(module, name[: -len("_orig")])
    return tensors.values()


def sparsity_report(model, example_input=None):
    """Exact sparsity, live neurons, remaining parameters and FLOPs of ``model``.

    Zeros are counted exactly (``w == 0``), as a proximal optimizer leaves
    them; a neuron is live while one of its weights is not zero.  FLOPs
    count a multiply-add as two operations, per sample, for the weights of
    the Linear and Conv layers.

    Parameters
    ----------
    model : torch.nn.Module
        The network; layers pruned with ``torch.nn.utils.prune`` are read
        through their masked weight.
    example_input : Tensor, optional
        A batch the model accepts, run once to find the output size of the
        convolutions (needed for their FLOPs).

    Returns
    -------
    SparsityReport
        One :class:`LayerReport` per Linear/Conv layer and the totals.

    Raises
    ------
    ValueError
        If ``model`` is not a ``torch.nn.Module``.

    See Also
    --------
    selected_inputs : The inputs the first layer still reads.
    compact : Remove the dead neurons.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    >>> with torch.no_grad():
    ...     net[0].weight[1:] = 0
    >>> report = sparsity_report(net)
    >>> round(report.sparsity, 3), report.layers[0].n_live_neurons, report.flops
    (0.444, 1, 20)
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    positions = _positions(model, example_input)
    layers, n_params, n_nonzero = [], 0, 0
    for name, module in model.named_modules():
        if isinstance(module, _LAYERS):
            layers.append(_layer_report(name, module, positions))
        for tensor in _own_tensors(module):
            n_params += tensor.numel()
            n_nonzero += int((tensor != 0).sum())
    return SparsityReport(tuple(layers), n_params, n_nonzero)


def selected_inputs(model):
    """Return the inputs that the first Linear/Conv layer of ``model`` still reads.

    An input (a column of the first layer's weight, or an input channel of a
    convolution) is selected when its weights are not all exactly zero, as
    ``GroupL1(alpha, over="in")`` on that layer leaves them.

    Parameters
    ----------
    model : torch.nn.Module
        The network; its first Linear or Conv module (in module order) is
        read.

    Returns
    -------
    indices : torch.Tensor of shape (n_selected,)
        The selected inputs, increasing.

    Raises
    ------
    ValueError
        If ``model`` is not a ``torch.nn.Module``, or has no Linear or Conv
        layer.

    See Also
    --------
    GroupL1 : With ``over="in"``, the penalty that deselects inputs.
    sparsity_report : What the whole network has left.

    Examples
    --------
    >>> import torch
    >>> layer = torch.nn.Linear(4, 3)
    >>> with torch.no_grad():
    ...     layer.weight[:, [0, 2]] = 0
    >>> selected_inputs(torch.nn.Sequential(layer)).tolist()
    [1, 3]
    """
    if not isinstance(model, torch.nn.Module):
        raise ValueError(
            f"model must be a torch.nn.Module, got {type(model).__name__}."
        )
    for module in model.modules():
        if isinstance(module, _LAYERS):
            w = module.weight.detach().transpose(0, 1)
            norms = torch.linalg.vector_norm(w.reshape(w.shape[0], -1), dim=1)
            return torch.nonzero(norms != 0).flatten()
    raise ValueError("model has no Linear or Conv layer whose inputs could be selected")
