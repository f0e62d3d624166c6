"""Compiled loops over a row block, each reading the block once."""

import numpy as np
from numba import njit

__all__ = ["gather_gradient"]


@njit(cache=True)
def gather_gradient(X, g, ws, ws_scale, out):
    """``X'g``, and ``out[:, m] = X[:, ws[m]] * ws_scale[m]`` for the working
    set's columns, in one read of a row-major ``X`` (a column gather and a
    separate product each read all of it)."""
    n, p = X.shape
    xg = np.zeros(p)
    for i in range(n):
        gi = g[i]
        for j in range(p):
            xg[j] += gi * X[i, j]
        for m in range(ws.shape[0]):
            out[i, m] = X[i, ws[m]] * ws_scale[m]
    return xg
