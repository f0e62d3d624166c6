"""Model selection along the path: cross-validation and information criteria."""

from ._cv import SCORINGS, CVResult, cross_validate_path, make_folds

__all__ = ["CVResult", "cross_validate_path", "make_folds", "SCORINGS"]
