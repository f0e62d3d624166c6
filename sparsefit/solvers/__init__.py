"""Solvers for the centred problems built by the estimators."""

from ._base import KKT_TOL, SolverResult, StoppingRule
from ._cd import CoordinateDescent
from ._certificates import QuadraticCertificate
from ._fista import FISTA
from ._lars import LarsSolver
from ._prox_newton import ProxNewton

__all__ = [
    "KKT_TOL",
    "CoordinateDescent",
    "FISTA",
    "LarsSolver",
    "ProxNewton",
    "QuadraticCertificate",
    "SolverResult",
    "StoppingRule",
]
