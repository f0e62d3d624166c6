"""Real data shipped with the package, loaded offline."""

from ._loaders import load_golub, load_prostate

__all__ = ["load_prostate", "load_golub"]
