"""Pruning neural networks with the L1 penalty, by proximal steps (PyTorch).

A proximal optimizer takes the usual step, then the prox of the penalty, so
weights land on exact zeros during training (a subgradient of the penalty
added to the loss never makes one). :class:`L1` prunes single weights,
:class:`GroupL1` whole neurons, channels or input features,
:class:`SparseGroupL1` both. :class:`SparsityController` finds the penalty
strength for a target; :func:`sparsity_report` says what is left;
:func:`compact` removes dead neurons; :func:`hold_zeros` fine-tunes with the
zeros held; :func:`sparse_state_dict` exports.

Needs the ``torch`` extra (``pip install sparsefit[torch]``); importing
:mod:`sparsefit` alone never imports torch.
"""

from ._compact import compact
from ._controller import PathPoint, SparsityController
from ._finetune import FixedZeros, hold_zeros, load_sparse_state_dict, sparse_state_dict
from ._optim import ProxAdamW, ProximalOptimizer, ProxSGD
from ._penalties import L1, GroupL1, SparseGroupL1
from ._report import LayerReport, SparsityReport, selected_inputs, sparsity_report

__all__ = [
    "L1",
    "GroupL1",
    "SparseGroupL1",
    "FixedZeros",
    "ProxSGD",
    "ProxAdamW",
    "ProximalOptimizer",
    "SparsityController",
    "PathPoint",
    "sparsity_report",
    "SparsityReport",
    "LayerReport",
    "selected_inputs",
    "compact",
    "hold_zeros",
    "sparse_state_dict",
    "load_sparse_state_dict",
]
