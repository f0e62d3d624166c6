"""Does a penalised GLM have a minimiser?  A check before the solver runs.

The penalised coefficients are bounded (the penalty grows without bound along
them while the loss stays >= 0), so a minimiser fails to exist exactly when
the *unpenalised* part -- the intercept, the features with ``alpha v_j = 0``
and ``l1_ratio`` irrelevant -- has a recession direction: a direction ``d``
along which the loss never increases and somewhere decreases.  For the
logistic loss that is (quasi-)complete separation (Albert and Anderson,
1984): margins ``y_i z_i(d) >= 0`` for every weighted row, one of them > 0.
For the multinomial loss, ``z_{i y_i}(d) >= z_{ik}(d)`` for every class k;
for the Poisson loss, ``z_i(d) <= 0`` everywhere and ``= 0`` wherever
``y_i > 0``.  Each is a linear feasibility problem (margins >= 0 summing to
1), solved by HiGHS and then verified on the data, so that an error is
raised only for a direction that really exists.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["check_minimiser_exists"]

# Beyond this many constraint entries the linear programme is not attempted
# (at 1.8e6, a 20000 x 90 fit with alpha=0, HiGHS takes about 5 s). It runs
# only when some features are unpenalised (alpha=0 or penalty_factor 0).
_LP_BUDGET = 2_000_000


def check_minimiser_exists(problem, alpha, classes=None):
    """Raise ``ValueError`` when the penalised GLM of ``problem`` at ``alpha``
    has no minimiser (separable classes, a class without weight, counts that
    are all zero where the unpenalised part reaches)."""
    if getattr(problem.datafit, "coercive", False):
        # A datafit that grows at least linearly in every residual (Huber)
        # is bounded below along no direction of the fitted values.
        return
    if getattr(problem.datafit, "shift_invariant", False):
        # No recession test is written for the partial likelihood: a Cox fit
        # without a minimiser (a feature that orders the deaths perfectly,
        # unpenalised) stops at max_iter with a ConvergenceWarning.
        return
    design = problem.design
    penalty = problem.penalty(alpha)
    if problem.block:
        p = design.n_features
        a = (~penalty.free_features(p)).astype(float)
        c, lower, upper = np.zeros(p), np.full(p, -np.inf), np.full(p, np.inf)
    else:
        a, c, lower, upper = penalty.coefficients(design.n_features, np.float64)
    # Bounded coordinates recede in one direction at most, or not at all.
    free = (
        (a == 0)
        & (c == 0)
        & ~design.constant
        & ~(np.isfinite(lower) & np.isfinite(upper))
    )
    idx = np.flatnonzero(free)
    sw = problem.datafit.sample_weight
    rows = np.arange(design.n_samples) if sw is None else np.flatnonzero(sw > 0)
    family = problem.datafit.__class__.__name__.lower()
    y = np.asarray(problem.y)
    if problem.fit_intercept:
        _check_weights(family, y, rows, classes)
    if idx.size == 0:
        return
    cols = _columns(design, idx, rows)
    direction = _recession(
        family, y[rows], cols, lower[idx], upper[idx], problem.fit_intercept
    )
    if direction is None:
        return
    kind = {
        "logistic": "the two classes are separated",
        "multinomial": "the classes are separated",
        "poisson": "every positive count is fitted exactly while the others go to zero",
    }[family]
    names = ", ".join(str(j) for j in idx[:10]) + (" ..." if idx.size > 10 else "")
    raise ValueError(
        f"The fit has no minimiser: {kind} by the unpenalised part of the model "
        f"(feature(s) {names}{' and the intercept' if problem.fit_intercept else ''}"
        "), so the loss keeps decreasing as those coefficients grow without "
        "bound. Add a penalty: alpha > 0 with positive penalty_factor for those "
        "features (a ridge term, l1_ratio < 1, is enough)."
    )


def _check_weights(family, y, rows, classes):
    """A class (or all the counts) that the intercept alone can fit exactly."""
    if family == "poisson":
        if not (y[rows] > 0).any():
            raise ValueError(
                "The fit has no minimiser: every count with positive weight is 0, "
                "so the intercept decreases without bound. A Poisson model needs "
                "some positive counts."
            )
        return
    onehot = y[:, None] > 0 if y.ndim == 1 else y > 0
    if y.ndim == 1:
        onehot = np.column_stack([~onehot[:, 0], onehot[:, 0]])
    present = onehot[rows].any(axis=0)
    if present.all():
        return
    k = int(np.flatnonzero(~present)[0])
    label = classes[k] if classes is not None else k
    raise ValueError(
        f"The fit has no minimiser: class {label!s} has zero total weight "
        "(sample_weight times class_weight), so its intercept goes to infinity. "
        "Give it a positive weight, or drop its label from y."
    )


def _columns(design, idx, rows):
    """The unpenalised columns on the weighted rows, scaled to unit size
    (a linear programme is blind to column scales, HiGHS less so)."""
    cols = design.X[:, idx]
    cols = cols[rows] if design.sparse else np.asarray(cols)[rows]
    size = np.asarray(
        abs(cols).max(axis=0).todense() if design.sparse else np.abs(cols).max(axis=0)
    ).ravel()
    size[size == 0] = 1.0
    cols = cols @ sp.diags(1.0 / size) if design.sparse else cols / size
    return sp.csr_matrix(cols) if design.sparse else np.asarray(cols, dtype=float)


def _recession(family, y, cols, lower, upper, intercept):
    """A verified recession direction's margins, or None."""
    Z = cols
    if intercept:
        ones = np.ones((y.shape[0], 1))
        Z = sp.hstack([cols, ones]) if sp.issparse(cols) else np.hstack([cols, ones])
    Z = sp.csr_matrix(Z)
    q = Z.shape[1]
    bounds = [
        (0 if np.isfinite(lo) else None, 0 if np.isfinite(hi) else None)
        for lo, hi in zip(lower, upper, strict=True)
    ] + ([(None, None)] if intercept else [])
    if family == "logistic":
        M = sp.diags(np.where(y > 0, 1.0, -1.0)) @ Z
        return _feasible(M, bounds, lambda d: M @ d)
    if family == "poisson":
        zero = y <= 0
        M = -Z[zero]
        E = Z[~zero]
        return _feasible(M, bounds, lambda d: M @ d, equal=E)
    K = y.shape[1]
    label = np.argmax(y, axis=1)
    blocks = []
    for k in range(K):
        other = np.flatnonzero(label != k)
        # Row (i, k): x_i' (D_{y_i} - D_k) >= 0, D stacked class by class.
        P = sp.csr_matrix(
            (np.ones(other.size), (np.arange(other.size), label[other])),
            shape=(other.size, K),
        )
        Mk = sp.csr_matrix(
            (np.ones(other.size), (np.arange(other.size), np.full(other.size, k))),
            shape=(other.size, K),
        )
        Zk = Z[other]
        blocks.append(sp.kron(P - Mk, np.ones((1, q))).multiply(sp.hstack([Zk] * K)))
    M = sp.vstack(blocks).tocsr()
    return _feasible(M, bounds * K, lambda d: M @ d)


def _feasible(M, bounds, margins, equal=None):
    """Solve ``M d >= 0, 1'M d = 1`` (and ``equal d = 0``); return the
    margins of a solution that passes a check on the data, else None."""
    from scipy.optimize import linprog

    if M.shape[0] == 0 or M.nnz > _LP_BUDGET:
        return None
    A_eq = sp.csr_matrix(M.sum(axis=0))
    b_eq = [1.0]
    if equal is not None and equal.shape[0]:
        A_eq = sp.vstack([A_eq, equal]).tocsr()
        b_eq = b_eq + [0.0] * equal.shape[0]
    res = linprog(
        np.zeros(M.shape[1]),
        A_ub=-M,
        b_ub=np.zeros(M.shape[0]),
        A_eq=A_eq,
        b_eq=b_eq,
        bounds=bounds,
        method="highs",
    )
    if res.status != 0:
        return None
    m = margins(res.x)
    top = np.abs(m).max(initial=0.0)
    # Verified: no margin is negative beyond rounding, and one is positive.
    if top == 0 or m.min() < -1e-9 * top:
        return None
    if equal is not None and equal.shape[0]:
        if np.abs(equal @ res.x).max() > 1e-9 * top:
            return None
    return m
