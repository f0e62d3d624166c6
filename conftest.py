"""Doctests of sparsefit.pruning need the optional torch extra."""

collect_ignore_glob = []
try:
    import torch  # noqa: F401
except ImportError:
    collect_ignore_glob.append("sparsefit/pruning/*")
