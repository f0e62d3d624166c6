"""Real data shipped with the package, loaded offline."""

from ._loaders import load_golub, load_prostate, load_veteran

__all__ = ["load_prostate", "load_golub", "load_veteran"]
