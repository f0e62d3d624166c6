"""scikit-learn estimators."""

from ._cv import ElasticNetCV, LassoCV
from ._ic import LassoIC
from ._lasso import ElasticNet, Lasso

__all__ = ["Lasso", "ElasticNet", "LassoCV", "ElasticNetCV", "LassoIC"]
