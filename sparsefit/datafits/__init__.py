"""Datafits: value, gradient, curvature and conjugates."""

from ._base import DATAFITS
from ._cox import Cox, concordance_index, survival_target
from ._huber import Huber
from ._logistic import Logistic
from ._multinomial import Multinomial
from ._poisson import Poisson
from ._quadratic import Quadratic

__all__ = [
    "DATAFITS",
    "Quadratic",
    "Logistic",
    "Multinomial",
    "Poisson",
    "Huber",
    "Cox",
    "survival_target",
    "concordance_index",
]
