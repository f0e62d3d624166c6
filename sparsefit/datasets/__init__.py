"""Real data shipped with the package, loaded offline."""

from ._loaders import load_prostate

__all__ = ["load_prostate"]
