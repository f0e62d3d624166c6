"""Datafits: value, gradient, Lipschitz constants and conjugates."""

from ._base import DATAFITS
from ._quadratic import Quadratic

__all__ = ["DATAFITS", "Quadratic"]
