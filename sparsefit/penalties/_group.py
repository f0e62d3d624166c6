"""Row-grouped penalty for multi-output coefficients (grouped multinomial).

For a coefficient matrix ``W`` of shape (n_features, K) the penalty is

.. math::

    g(W) = \\sum_j a_j \\|W_{j\\cdot}\\|_2 + \\frac{c_j}{2} \\|W_{j\\cdot}\\|_2^2,

one Euclidean group per feature across its K coefficients (glmnet's
``type.multinomial = "grouped"``): a feature enters or leaves for every class
at once.  ``a`` and ``c`` come from a separable penalty's arrays, so penalty
factors and the elastic-net mix carry over; bounds do not apply.
"""

import numpy as np
from numba import njit

__all__ = [
    "group_value",
    "group_conjugate",
    "group_dual_scale",
    "group_subdiff_distance",
    "group_prox",
]


@njit(cache=True, nogil=True)
def _row_norms(W):
    out = np.empty(W.shape[0])
    for j in range(W.shape[0]):
        s = 0.0
        for k in range(W.shape[1]):
            s += W[j, k] * W[j, k]
        out[j] = np.sqrt(s)
    return out


def group_value(W, a, c):
    """``sum_j a_j ||W_j|| + c_j/2 ||W_j||^2``."""
    norms = _row_norms(np.ascontiguousarray(W, dtype=float))
    return float(a @ norms + 0.5 * (c @ norms**2))


def group_conjugate(Z, a, c):
    """``sum_j sup_v Z_j'v - a_j ||v|| - c_j/2 ||v||^2``.

    Rows with ``a_j = c_j = 0`` are taken at ``Z_j = 0`` (the solvers make the
    unpenalised rows optimal before they certify).
    """
    norms = _row_norms(np.ascontiguousarray(Z, dtype=float))
    excess = np.maximum(norms - a, 0.0)
    ridge = c > 0
    total = float(np.sum(excess[ridge] ** 2 / (2 * c[ridge])))
    lasso = ~ridge & (a > 0)
    if (norms[lasso] > a[lasso] * (1.0 + 16 * np.finfo(float).eps)).any():
        return np.inf
    return total


def group_dual_scale(Z, a, c):
    """Largest ``s`` in [0, 1] with ``group_conjugate(s Z)`` finite."""
    norms = _row_norms(np.ascontiguousarray(Z, dtype=float))
    lasso = (c == 0) & (a > 0) & (norms > a)
    if not lasso.any():
        return 1.0
    return float(min(1.0, np.min(a[lasso] / norms[lasso])))


def group_subdiff_distance(W, grad, a, c):
    """Per row: distance from ``-grad_j`` to the subdifferential at ``W_j``."""
    norms = _row_norms(np.ascontiguousarray(W, dtype=float))
    target = -np.asarray(grad, dtype=float)
    out = np.empty(W.shape[0])
    zero = norms == 0
    out[zero] = np.maximum(_row_norms(target[zero]) - a[zero], 0.0)
    nz = ~zero
    centre = W[nz] * (a[nz] / norms[nz] + c[nz])[:, None]
    out[nz] = _row_norms(target[nz] - centre)
    return out


def group_prox(V, step, a, c):
    """``argmin_W 1/(2 step) ||W - V||^2 + g(W)``: block soft-thresholding."""
    norms = _row_norms(np.ascontiguousarray(V, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = np.where(norms > 0, np.maximum(1 - step * a / norms, 0.0), 0.0)
    return (V * (shrink / (1 + step * c))[:, None]).astype(V.dtype, copy=False)
