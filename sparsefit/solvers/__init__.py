"""Solvers for the centred problems built by the estimators."""

from ._base import SolverResult
from ._cd import CoordinateDescent
from ._certificates import QuadraticCertificate
from ._fista import FISTA
from ._lars import LarsSolver
from ._prox_newton import ProxNewton

__all__ = [
    "CoordinateDescent",
    "FISTA",
    "LarsSolver",
    "ProxNewton",
    "QuadraticCertificate",
    "SolverResult",
]
