"""Gradient bounds that spare passes over X in the certificates.

A certificate needs ``g = X' v`` at every feature, where ``v`` is the
datafit's residual (``S r / n`` for least squares on the centred design,
``grad F`` at the linear predictor for the other datafits).  Between two
residuals, Cauchy-Schwarz bounds the change of each entry,

.. math::

    |g_j(v) - g_j(v')| \\le \\|x_j\\| \\, \\|v - v'\\|

(in the sample-weighted norms for least squares), so a feature whose last
exact ``|g_j|`` plus the residual's drift since then (summed over the
certificates in between) stays below its l1 weight ``a_j`` is, at the
current point, a zero coefficient that violates no KKT condition, does not
limit the rescaling of the dual point and contributes nothing to the
penalty's conjugate: the duality gap and the KKT violations are exactly
those of a full pass.  Only the features whose bound reaches ``a_j`` (and
the non-zero, unpenalised or bounded-away-from-zero ones) need their exact
product.  Along a path the residual moves little from one alpha to the
next, and on p >> n problems a few percent of the columns are touched per
certificate instead of all of them.

The tracker lives in the problem's cache, so it carries over from one alpha
of a path (or one fold's path) to the next; the bound holds whatever moved
the residual in between.  The certificate reads the bounds (with the sign of
the last exact value) where it skipped a product: the gap, the KKT check and
the working sets are unchanged and gap-safe screening is conservative.  The
solver's result then holds the last exact values instead (a stale estimate,
which is what the sequential strong rule of the next alpha wants; the
bounds would inflate it) and says so (``SolverResult.grad_exact``): callers
that read pulls (``explain``) recompute them.
"""

import numpy as np
from numba import njit

__all__ = ["GradBounds"]


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _centred_norms(X, offset):
    """``||X[:, j] - offset[j]||`` of a column-major ``X``, read once without
    the copy ``X - offset`` (which, with NumPy's norm, took 5 s of a 10 s
    logistic fit on 10^6 x 100)."""
    n, p = X.shape
    out = np.empty(p)
    for j in range(p):
        o, s = offset[j], 0.0
        for i in range(n):
            d = X[i, j] - o
            s += d * d
        out[j] = np.sqrt(s)
    return out


# Rounding in the exact products and in the drift: bounds are inflated by
# this relative amount, far above the error of a dot product of length n.
_SLACK = 1e-9
# Past this share of columns to recompute, one BLAS pass over X is faster
# than the gathered column products.
_DENSE_SHARE = 0.25


@njit(cache=True, nogil=True)
def _needed(g_ref, at, drift, col_norms, w, a, lower, upper, stale, need, out):
    """Mark the features whose exact product is needed and return their
    count; write the others' bounds, with the sign of the last exact value,
    into ``out`` (one pass: the bound is formed once)."""
    count = 0
    for j in range(w.shape[0]):
        bound = (abs(g_ref[j]) + col_norms[j] * (drift - at[j])) * (1.0 + _SLACK)
        zero_ok = w[j] == 0.0 and lower[j] <= 0.0 <= upper[j]
        need[j] = stale or not zero_ok or bound >= a[j]
        if need[j]:
            count += 1
        else:
            out[j] = bound if g_ref[j] >= 0.0 else -bound
    return count


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _columns_dense(
    X, offset, scale, null, rs, total, divide, need, drift, g_ref, at, out
):
    n = X.shape[0]
    for j in range(X.shape[1]):
        if not need[j]:
            continue
        if null[j]:
            value = 0.0
        else:
            dot = 0.0
            for i in range(n):
                dot += X[i, j] * rs[i]
            value = scale[j] * (dot - offset[j] * total) / divide
        out[j] = value
        g_ref[j] = value
        at[j] = drift


@njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _columns_csc(
    data,
    indices,
    indptr,
    offset,
    scale,
    null,
    rs,
    total,
    divide,
    need,
    drift,
    g_ref,
    at,
    out,
):
    for j in range(indptr.shape[0] - 1):
        if not need[j]:
            continue
        if null[j]:
            value = 0.0
        else:
            dot = 0.0
            for q in range(indptr[j], indptr[j + 1]):
                dot += data[q] * rs[indices[q]]
            value = scale[j] * (dot - offset[j] * total) / divide
        out[j] = value
        g_ref[j] = value
        at[j] = drift


class GradBounds:
    """Exact gradient entries where the certificate needs them, bounds elsewhere.

    Tracks ``g = X_d' v / divide`` for the design's columns ``X_d`` (centred
    and scaled as its products are).

    Parameters
    ----------
    design : Design
        Dense Fortran or CSC, float64 (see :meth:`applies`).
    col_norms : ndarray of shape (n_features,)
        ``||x_j|| / divide`` in the norm that :meth:`gradient` measures the
        residual's drift in (an upper bound is enough).
    divide : float
        The products' divisor.
    weighted : bool
        Measure the drift in the design's sample-weighted norm.
    """

    def __init__(self, design, col_norms, divide, weighted):
        p = design.n_features
        self.design = design
        self.divide = float(divide)
        self.weights = design.sample_weight if weighted else None
        self.g_ref = np.zeros(p)
        self.at = np.zeros(p)
        self.drift = 0.0
        self.stale = True
        self.col_norms = np.asarray(col_norms, dtype=float)
        self.null = np.zeros(p, dtype=np.bool_)
        self.null[design._null] = True
        self.need = np.empty(p, dtype=np.bool_)
        self.r_last = None
        self.w_last = None

    @classmethod
    def least_squares(cls, design):
        """For ``X_c' S r / n`` with the drift of ``r`` in the S-norm."""
        n = design.n_samples
        return cls(design, np.sqrt(design.col_sq_norms.astype(float)) / n, n, True)

    @classmethod
    def raw(cls, design):
        """For ``X_d' v`` with the drift of ``v`` in the Euclidean norm; the
        column norms take one pass over X."""
        X = design.X
        if design.sparse:
            sq = np.asarray(X.multiply(X).sum(axis=0)).ravel()
            # x - offset: ||x - o|| <= ||x|| + sqrt(n) |o|.
            norms = np.sqrt(sq) + np.sqrt(design.n_samples) * np.abs(design.offset)
        else:
            norms = _centred_norms(X, np.asarray(design.offset, dtype=float))
            # A sum of n non-negative terms is within n eps of its value
            # (relative): inflate so that the norms stay upper bounds.
            norms *= 1.0 + design.n_samples * np.finfo(float).eps
        return cls(design, norms * np.abs(design.scale), 1.0, False)

    @staticmethod
    def applies(design):
        """Whether the column kernels can read ``design``'s storage (in
        float64: the slack covers double-precision rounding only)."""
        dense_f = not design.sparse and design.X.flags.f_contiguous
        return design.dtype == np.float64 and (design.sparse or dense_f)

    def residual_for(self, w):
        """The residual at the last certificate when ``w`` is its point, else
        None (a warm start from the previous alpha's solution needs no pass)."""
        if self.w_last is not None and np.array_equal(w, self.w_last):
            return self.r_last.copy()
        return None

    def gradient(self, r, rs, w, a, lower, upper):
        """``(g, exact)``: the products where needed, bounds elsewhere.

        Parameters
        ----------
        r : ndarray of shape (n_samples,)
            The residual whose drift is measured (kept for
            :meth:`residual_for`).
        rs : ndarray of shape (n_samples,)
            The vector the columns multiply (``S r`` for least squares, the
            residual itself otherwise).
        w : ndarray of shape (n_features,)
            The coefficients.
        a, lower, upper : ndarray of shape (n_features,)
            The l1 weights and the bounds at the current alpha.

        Returns
        -------
        g : ndarray of shape (n_features,)
            Exact entries, and signed bounds where ``exact`` is False.
        exact : bool
            Whether every entry is exact.
        """
        d = self.design
        if self.r_last is not None:
            diff = r - self.r_last
            sw = self.weights
            step = float(np.sqrt(diff @ (diff if sw is None else diff * sw)))
            self.drift += step * (1.0 + _SLACK)
        self.r_last = r.copy()
        self.w_last = w.copy()
        args = (self.g_ref, self.at, self.drift, self.col_norms)
        out = np.empty(d.n_features)
        count = _needed(*args, w, a, lower, upper, self.stale, self.need, out)
        if count >= _DENSE_SHARE * d.n_features:
            out[:] = d.rmatvec(rs) / self.divide
            self.g_ref[:] = out
            self.at[:] = self.drift
            self.stale = False
            return out, True
        total = float(rs.sum())
        tail = (d.offset, d.scale, self.null, rs, total, self.divide)
        tail += (self.need, self.drift, self.g_ref, self.at, out)
        if d.sparse:
            _columns_csc(d.X.data, d.X.indices, d.X.indptr, *tail)
        else:
            _columns_dense(d.X, *tail)
        return out, count == d.n_features
