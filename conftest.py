"""Doctests of sparsefit.pruning need the optional torch extra."""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("torch") is None:
    collect_ignore_glob.append("sparsefit/pruning/*")
