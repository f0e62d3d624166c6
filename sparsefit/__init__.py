"""sparsefit: fast, certified L1-penalised models.

The objective, everywhere:

    P(w, b) = F(y, Xw + b) + alpha sum_j v_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)

with F a mean over samples: least squares 1/(2n) sum_i s_i (y_i - x_i'w - b)^2,
or the logistic, multinomial or Poisson negative log-likelihood, the Huber
loss, or Cox's negative log partial likelihood (no intercept).
"""

from . import datafits, penalties, prox, solvers
from ._certify import duality_gap, kkt_violation
from ._explain import Explanation
from .linear_model import (
    CoxLasso,
    CoxLassoCV,
    ElasticNet,
    ElasticNetCV,
    GroupLasso,
    GroupLassoCV,
    GroupLogisticRegression,
    GroupLogisticRegressionCV,
    HuberLasso,
    HuberLassoCV,
    Lasso,
    LassoCV,
    LassoIC,
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
    PoissonLasso,
    PoissonLassoCV,
    SparseLogisticRegression,
    SparseLogisticRegressionCV,
)
from .model_selection import CVResult, cross_validate_path
from .path import PathResult, compute_path, enet_path, lasso_path, relaxed_path
from .plotting import plot_cv, plot_path, plot_stability
from .solvers._lars import LarsPath, lars_path

__version__ = "0.1.0"


def __getattr__(name):
    # sparsefit.constrained needs scipy.optimize and Clarabel: loaded on first use.
    if name == "constrained":
        import importlib

        return importlib.import_module(".constrained", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Lasso",
    "ElasticNet",
    "LassoCV",
    "ElasticNetCV",
    "LassoIC",
    "SparseLogisticRegression",
    "SparseLogisticRegressionCV",
    "PoissonLasso",
    "PoissonLassoCV",
    "HuberLasso",
    "HuberLassoCV",
    "GroupLasso",
    "GroupLassoCV",
    "GroupLogisticRegression",
    "GroupLogisticRegressionCV",
    "MultiTaskElasticNet",
    "MultiTaskElasticNetCV",
    "MultiTaskLasso",
    "MultiTaskLassoCV",
    "CoxLasso",
    "CoxLassoCV",
    "compute_path",
    "lasso_path",
    "enet_path",
    "relaxed_path",
    "PathResult",
    "cross_validate_path",
    "CVResult",
    "lars_path",
    "LarsPath",
    "plot_path",
    "plot_cv",
    "plot_stability",
    "duality_gap",
    "kkt_violation",
    "Explanation",
    "prox",
    "penalties",
    "datafits",
    "solvers",
]
