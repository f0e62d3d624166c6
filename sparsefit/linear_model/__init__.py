"""scikit-learn estimators."""

from ._lasso import ElasticNet, Lasso

__all__ = ["Lasso", "ElasticNet"]
