"""Penalties: value, prox, conjugate, subdifferential distance, alpha_max."""

from ._base import PENALTIES, SeparablePenalty
from ._box import Box
from ._elastic_net import ElasticNetPenalty
from ._group import GroupPenalty, one_hot_groups
from ._l1 import L1, WeightedL1

__all__ = [
    "PENALTIES",
    "SeparablePenalty",
    "L1",
    "WeightedL1",
    "ElasticNetPenalty",
    "Box",
    "GroupPenalty",
    "one_hot_groups",
]

# Not a separable penalty, so registered by hand for the generic checks.
PENALTIES.append(GroupPenalty)
