"""The group and sparse-group lasso: the penalty's prox and conjugate, and the
solvers against cvxpy on random problems."""

import cvxpy as cp
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sparsefit._problem import Problem
from sparsefit.datafits import Logistic, Quadratic
from sparsefit.penalties import GroupPenalty

GROUPS = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4]  # unequal sizes
P = len(GROUPS)
finite = st.floats(-20, 20, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, P, elements=finite)


def penalties():
    rng = np.random.default_rng(3)
    u = rng.uniform(0.2, 2.0, P)
    return [
        GroupPenalty(0.7, GROUPS),
        GroupPenalty(0.7, GROUPS, l1_ratio=0.4, weights=u),
        # group 2 unpenalised (weight 0 and, by default, no l1 weight)
        GroupPenalty(0.5, GROUPS, l1_ratio=0.3, group_weights=[1, 2, 0, 1, 1.5]),
        GroupPenalty(0.5, [np.array([0, 5]), np.arange(1, 5), np.arange(6, P)]),
    ]


PENALTIES = [pytest.param(g, id=f"pen{k}") for k, g in enumerate(penalties())]


@pytest.mark.parametrize("pen", PENALTIES)
@settings(max_examples=50, deadline=None)
@given(u=vectors, v=vectors, step=st.floats(0.01, 10))
def test_prox_is_non_expansive(pen, u, v, step):
    diff = np.linalg.norm(pen.prox(u, step) - pen.prox(v, step))
    assert diff <= np.linalg.norm(u - v) * (1 + 1e-12) + 1e-12


@pytest.mark.parametrize("pen", PENALTIES)
@settings(max_examples=50, deadline=None)
@given(v=vectors)
def test_moreau_identity(pen, v):
    """v = prox_g(v) + prox_{g*}(v), with g* the indicator of the dual ball:
    the remainder is dual feasible and g(x) + g*(v - x) = x'(v - x)."""
    x = pen.prox(v, 1.0)
    z = v - x
    assert pen.conjugate(z) == 0.0
    assert pen.value(x) == pytest.approx(x @ z, abs=1e-9 * (1 + np.abs(v).max()))
    # A point a little outside the ball has an infinite conjugate.
    if pen.dual_scale(2 * z + 1.0) < 1.0:
        assert pen.conjugate(2 * z + 1.0) == np.inf


@pytest.mark.parametrize("pen", PENALTIES)
@settings(max_examples=50, deadline=None)
@given(v=vectors, step=st.floats(0.01, 10))
def test_prox_is_optimal(pen, v, step):
    x = pen.prox(v, step)
    dist = pen.subdiff_distance(x, -(v - x) / step)
    assert dist.max() <= 1e-9 * (1 + np.abs(v).max())


@pytest.mark.parametrize("pen", PENALTIES)
def test_prox_matches_cvxpy(pen):
    rng = np.random.default_rng(0)
    order, indptr, l1, l2 = pen.arrays(P)
    for _ in range(3):
        v = 2 * rng.standard_normal(P)
        x = cp.Variable(P)
        terms = [cp.sum_squares(x - v) / 2 * 0.5, cp.sum(cp.multiply(l1, cp.abs(x)))]
        for g in range(len(indptr) - 1):
            terms.append(l2[g] * cp.norm(x[order[indptr[g] : indptr[g + 1]]], 2))
        cp.Problem(cp.Minimize(cp.sum(terms))).solve(
            solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12
        )
        ours = pen.prox(v, 2.0)

        def objective(z, v=v):
            return (z - v) @ (z - v) / 4 + pen.value(z)

        # The prox's objective is strongly convex: equal values mean equal
        # points, and cvxpy's point is only accurate to its tolerance.
        assert objective(ours) <= objective(x.value) + 1e-12
        np.testing.assert_allclose(ours, x.value, atol=1e-5)


def test_alpha_max_zeroes_every_group():
    rng = np.random.default_rng(1)
    for pen in penalties():
        grad0 = rng.standard_normal(P)
        a_max = pen.alpha_max(grad0)
        zero = np.zeros(P)
        free = pen.free_features(P)
        above = pen.with_alpha(a_max * (1 + 1e-9)).subdiff_distance(zero, grad0)
        below = pen.with_alpha(a_max * (1 - 1e-6)).subdiff_distance(zero, grad0)
        assert above[~free].max() <= 1e-12
        assert below[~free].max() > 0


def test_groups_are_validated():
    with pytest.raises(ValueError, match="features \\[3\\] are in no group"):
        GroupPenalty(1.0, [[0, 1], [2]]).structure(4)
    with pytest.raises(ValueError, match="groups\\[1\\] is empty or repeats"):
        GroupPenalty(1.0, [[0, 1], [1, 2]]).structure(3)
    with pytest.raises(ValueError, match="one label per feature"):
        GroupPenalty(1.0, [0, 0, 1]).structure(4)
    with pytest.raises(ValueError, match="group_weights must be >= 0"):
        GroupPenalty(1.0, [0, 0, 1], group_weights=[1.0, -1.0]).structure(3)
    with pytest.raises(ValueError, match="l1_ratio"):
        GroupPenalty(1.0, [0, 0, 1], l1_ratio=1.5)


# -- the solvers against cvxpy ----------------------------------------------


def _data(seed, n=40, logistic=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, P)) * rng.uniform(0.5, 2.0, P)
    eta = X[:, :3] @ np.array([1.0, -2.0, 1.5]) + X[:, 9] + 0.5
    y = eta + rng.standard_normal(n)
    if logistic:
        y = np.where(eta + rng.logistic(size=n) > 0, 1.0, -1.0)
    return X, y


def _cvxpy_objective(X, y, pen, alpha, logistic, sample_weight=None):
    n = X.shape[0]
    s = np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    w, b = cp.Variable(P), cp.Variable()
    z = X @ w + b
    if logistic:
        fit = cp.sum(cp.multiply(s, cp.logistic(-cp.multiply(y, z)))) / n
    else:
        fit = cp.sum(cp.multiply(s, cp.square(y - z))) / (2 * n)
    order, indptr, l1, l2 = pen.arrays(P, alpha)
    terms = [fit, cp.sum(cp.multiply(l1, cp.abs(w)))]
    for g in range(len(indptr) - 1):
        terms.append(l2[g] * cp.norm(w[order[indptr[g] : indptr[g + 1]]], 2))
    problem = cp.Problem(cp.Minimize(cp.sum(terms)))
    problem.solve(solver="CLARABEL", tol_gap_abs=1e-12, tol_gap_rel=1e-12)
    return _objective(X, y, pen, alpha, logistic, w.value, b.value, s)


def _objective(X, y, pen, alpha, logistic, w, b, s):
    z = X @ w + b
    if logistic:
        fit = np.mean(s * np.logaddexp(0.0, -y * z))
    else:
        fit = np.mean(s * (y - z) ** 2) / 2
    return fit + pen.with_alpha(alpha).value(w)


CASES = [
    ("dense", "bcd", 0),
    ("csc", "bcd", 0),
    ("dense", "fista", 0),
    ("dense", "bcd", 1),
    ("csc", "bcd", 2),
    ("dense", "bcd", 3),
]


@pytest.mark.parametrize("storage, solver, k", CASES)
def test_least_squares_matches_cvxpy(storage, solver, k):
    X, y = _data(k)
    pen = penalties()[k]
    sw = None
    if k == 2:  # sample weights, rescaled to sum to n as the problem takes them
        sw = np.random.default_rng(k).uniform(0.5, 2.0, X.shape[0])
        sw *= len(sw) / sw.sum()
    Xs = sp.csc_matrix(X) if storage == "csc" else X
    problem = Problem(
        Xs,
        y,
        Quadratic(sample_weight=sw),
        pen,
        solver=solver,
        tol=1e-12,
        max_iter=100_000,
    )
    alpha = 0.3 * problem.alpha_max()[0]
    res = problem.solve(alpha)
    assert res.converged and res.dual_gap <= 1e-12 * res.primal + 1e-15
    coef, b = problem.unpack(res)
    s = np.ones(len(y)) if sw is None else sw
    ours = _objective(X, y, pen, alpha, False, coef, b, s)
    ref = _cvxpy_objective(X, y, pen, alpha, False, sw)
    assert ours == pytest.approx(res.primal, rel=1e-9)
    assert abs(ours - ref) <= 1e-7 * ref
    # The returned point satisfies the KKT conditions of every group.
    assert res.kkt_violation <= 1e-6 * pen.kkt_scale(P, alpha)
    assert 0 < (coef != 0).sum() < P


@pytest.mark.parametrize(
    "storage, k, solver",
    [
        ("dense", 0, "prox-newton"),
        ("csc", 1, "prox-newton"),
        ("dense", 2, "prox-newton"),
        ("csc", 3, "prox-newton"),
        ("dense", 0, "fista"),
        ("csc", 2, "fista"),
    ],
)
def test_logistic_matches_cvxpy(storage, k, solver):
    X, y = _data(k, n=60, logistic=True)
    pen = penalties()[k]
    Xs = sp.csc_matrix(X) if storage == "csc" else X
    problem = Problem(
        Xs, y, Logistic(), pen, solver=solver, tol=1e-10, max_iter=200_000
    )
    alpha = 0.3 * problem.alpha_max()[0]
    res = problem.solve(alpha)
    assert res.converged and res.dual_gap <= 1e-10 * res.primal
    coef, b = problem.unpack(res)
    ours = _objective(X, y, pen, alpha, True, coef, b, np.ones(len(y)))
    ref = _cvxpy_objective(X, y, pen, alpha, True)
    assert abs(ours - ref) <= 1e-7 * ref


def test_solvers_agree_and_certify_alpha_max():
    X, y = _data(5)
    pen = penalties()[2]
    results = {}
    for solver in ("bcd", "fista"):
        problem = Problem(
            X, y, Quadratic(), pen, solver=solver, tol=1e-10, max_iter=100_000
        )
        alpha_max, w_top = problem.alpha_max()
        at_max = problem.solve(alpha_max * (1 + 1e-9))
        penalised = ~pen.free_features(P)
        assert not at_max.coef[penalised].any()
        assert at_max.coef[~penalised].any()  # the unpenalised group is fitted
        results[solver] = problem.solve(0.2 * alpha_max).primal
    assert results["bcd"] == pytest.approx(results["fista"], rel=1e-9)


def test_separable_solvers_refuse_a_group_penalty():
    X, y = _data(0)
    for solver in ("cd", "lars"):
        with pytest.raises(ValueError, match="solver must be one of"):
            Problem(X, y, Quadratic(), penalties()[0], solver=solver)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    m=st.integers(2, 12),
    l2=st.floats(0.01, 5.0),
    ridge=st.sampled_from([0.0, 0.3]),
    rank_short=st.booleans(),
)
def test_exact_group_step_meets_its_kkt(seed, m, l2, ridge, rank_short):
    """The closed-form group step (eigen-decomposition, then Newton's method
    on the scalar equation for the shrinkage) satisfies the optimality of
    ``-zc'(u - v) + (u - v)'Q(u - v)/2 + l2 ||u|| + ridge ||u||^2/2``."""
    from sparsefit.solvers._block_cd import _exact_group

    rng = np.random.default_rng(seed)
    # Fewer rows than columns and a small ridge: a nearly singular model.
    rows = m - 1 if rank_short else 3 * m
    A = rng.standard_normal((rows, m))
    Q = A.T @ A / rows + (1e-3 if rank_short else 0.0) * np.eye(m)
    lam, V = np.linalg.eigh(Q)
    v, zc = rng.normal(0, 1, m), rng.normal(0, 2, m)
    u = _exact_group(v, zc, Q.ravel(), V.ravel(), lam, l2, ridge)
    b = zc + Q @ v
    if np.linalg.norm(b) <= l2:
        assert not u.any()
        return
    norm = np.linalg.norm(u)
    assert norm > 0
    residual = Q @ u - b + ridge * u + l2 * u / norm
    assert np.abs(residual).max() <= 1e-9 * max(np.abs(b).max(), 1.0)
