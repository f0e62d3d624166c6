"""Estimators with the scikit-learn API."""

from ._cox import CoxLasso, CoxLassoCV
from ._cv import ElasticNetCV, LassoCV
from ._glm_cv import PoissonLassoCV, SparseLogisticRegressionCV
from ._group import (
    GroupLasso,
    GroupLassoCV,
    GroupLogisticRegression,
    GroupLogisticRegressionCV,
)
from ._huber import HuberLasso, HuberLassoCV
from ._ic import LassoIC
from ._lasso import ElasticNet, Lasso
from ._logistic import SparseLogisticRegression
from ._multi_task import (
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
)
from ._poisson import PoissonLasso

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
]
