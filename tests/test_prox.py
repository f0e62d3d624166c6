"""Tests for sparsefit.prox: optimality, non-expansiveness, Moreau, references."""

import doctest

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsefit import prox
from sparsefit.prox import (
    proj_l1_ball,
    prox_box,
    prox_elastic_net,
    prox_group_l2,
    prox_weighted_l1,
    soft_threshold,
)

SETTINGS = settings(max_examples=100, deadline=None)
FINITE = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
NONNEG = st.floats(0, 1e3, allow_nan=False, allow_infinity=False)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)
ARRAYS = hnp.arrays(np.float64, SHAPES, elements=FINITE)
VECTORS = hnp.arrays(np.float64, st.integers(0, 8), elements=FINITE)


def _tol(*arrays):
    """Absolute tolerance for identities on values of the given magnitude."""
    return 1e-9 * (1 + max(np.max(np.abs(a), initial=0) for a in arrays))


def _nonneg_like(data, v, max_value=1e3):
    elements = st.floats(0, max_value, allow_nan=False, allow_infinity=False)
    return data.draw(hnp.arrays(np.float64, np.shape(v), elements=elements))


# Every operator at fixed parameters, for the shape/dtype/non-expansive checks.
OPERATORS = {
    "soft_threshold": lambda v: soft_threshold(v, 0.5),
    "soft_threshold_positive": lambda v: soft_threshold(v, 0.5, positive=True),
    "prox_weighted_l1": lambda v: prox_weighted_l1(v, 0.5, step=2.0),
    "prox_elastic_net": lambda v: prox_elastic_net(v, 0.5, 2.0, 0.3),
    "prox_elastic_net_positive": lambda v: prox_elastic_net(
        v, 0.5, 2.0, 0.3, positive=True
    ),
    "prox_group_l2": lambda v: prox_group_l2(v, 0.5),
    "prox_group_l2_positive": lambda v: prox_group_l2(v, 0.5, positive=True),
    "proj_l1_ball": lambda v: proj_l1_ball(v, 1.0),
    "proj_l1_ball_positive": lambda v: proj_l1_ball(v, 1.0, positive=True),
    "prox_box": lambda v: prox_box(v, -0.5, 0.25),
}


# ---------------------------------------------------------------- basics


def test_seed_example():
    x = soft_threshold(np.array([1.2, 0.4, -0.8]), 0.5)
    np.testing.assert_allclose(x, [0.7, 0.0, -0.3], rtol=0, atol=1e-15)


def test_doctests_run():
    result = doctest.testmod(prox)
    assert result.attempted > 0
    assert result.failed == 0


def test_all_is_strings():
    assert all(isinstance(name, str) for name in prox.__all__)
    assert all(callable(getattr(prox, name)) for name in prox.__all__)


@pytest.mark.parametrize("name", OPERATORS)
@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3, 4)])
@pytest.mark.parametrize(
    "dtype, expected",
    [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64)],
)
def test_dtype_and_shape(name, shape, dtype, expected):
    rng = np.random.default_rng(0)
    v = (3 * rng.standard_normal(shape)).astype(dtype)
    v_before = v.copy()
    x = OPERATORS[name](v)
    assert x.dtype == expected
    assert np.shape(x) == shape
    np.testing.assert_array_equal(v, v_before)
    assert not np.shares_memory(x, v)
    reference = OPERATORS[name](v.astype(np.float64))
    np.testing.assert_allclose(x, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", OPERATORS)
def test_python_scalar_and_list(name):
    x = OPERATORS[name](2.0)
    assert isinstance(x, float) and np.ndim(x) == 0
    assert OPERATORS[name]([2.0, -1.0]).dtype == np.float64


def test_array_parameters_keep_float32():
    v = np.linspace(-2, 2, 6, dtype=np.float32)
    w = np.linspace(0, 1, 6)  # float64 parameters must not upcast the result
    outputs = [
        soft_threshold(v, w),
        prox_weighted_l1(v, w, step=0.5),
        prox_elastic_net(v, 1.0, 0.5, 0.3, weights=w),
        prox_group_l2(v.reshape(2, 3), np.array([0.1, 2.0]), axis=1),
        prox_group_l2(v, np.array([0.5, 1.0]), groups=[0, 1, 0, 1, 0, 1]),
        prox_box(v, -w, w),
    ]
    assert all(x.dtype == np.float32 for x in outputs)


@given(v=ARRAYS, t=NONNEG, positive=st.booleans())
@SETTINGS
def test_soft_threshold_formula(v, t, positive):
    expected = (
        np.maximum(v - t, 0) if positive else np.sign(v) * np.maximum(np.abs(v) - t, 0)
    )
    np.testing.assert_allclose(soft_threshold(v, t, positive), expected, atol=_tol(v))


def test_infinite_threshold_gives_zero():
    v = np.array([-1e300, 2.0, 0.0])
    np.testing.assert_array_equal(soft_threshold(v, np.inf), 0)
    np.testing.assert_array_equal(prox_group_l2(v[1:], np.inf), 0)
    np.testing.assert_array_equal(proj_l1_ball(v, np.inf), v)


# ---------------------------------------------------- optimality conditions


def _check_separable_l1(v, x, l1, l2, positive):
    """v - x in l1 * d|x| + l2 * x (+ normal cone of x >= 0), entrywise."""
    r = v - x - l2 * x
    tol = _tol(v, l1)
    nonzero = x != 0
    np.testing.assert_allclose(r[nonzero], (l1 * np.sign(x))[nonzero], atol=tol)
    low = -np.inf if positive else -l1[~nonzero] - tol
    assert np.all((r[~nonzero] >= low) & (r[~nonzero] <= l1[~nonzero] + tol))
    if positive:
        assert np.all(x >= 0)


@given(data=st.data(), v=ARRAYS, positive=st.booleans())
@SETTINGS
def test_soft_threshold_optimality(data, v, positive):
    t = _nonneg_like(data, v)
    x = soft_threshold(v, t, positive=positive)
    _check_separable_l1(v, x, t, 0.0, positive)


@given(data=st.data(), v=ARRAYS, step=NONNEG, positive=st.booleans())
@SETTINGS
def test_prox_weighted_l1_optimality(data, v, step, positive):
    w = _nonneg_like(data, v, max_value=10)
    x = prox_weighted_l1(v, w, step=step, positive=positive)
    _check_separable_l1(v, x, step * w, 0.0, positive)
    np.testing.assert_array_equal(
        x[w == 0], np.maximum(v, 0)[w == 0] if positive else v[w == 0]
    )


@given(
    data=st.data(),
    v=ARRAYS,
    step=st.floats(0, 10),
    alpha=st.floats(0, 10),
    l1_ratio=st.floats(0, 1),
    positive=st.booleans(),
)
@SETTINGS
def test_prox_elastic_net_optimality(data, v, step, alpha, l1_ratio, positive):
    w = _nonneg_like(data, v, max_value=10)
    x = prox_elastic_net(v, step, alpha, l1_ratio, weights=w, positive=positive)
    scale = step * alpha * w
    _check_separable_l1(v, x, scale * l1_ratio, scale * (1 - l1_ratio), positive)


def _check_group(v, x, t, positive):
    """v - x in t d||x||_2 (+ normal cone of x >= 0) for one group."""
    r, tol, norm_x = v - x, _tol(v, t), np.linalg.norm(x)
    if positive:
        assert np.all(x >= 0)
    if norm_x == 0:
        # Need u with ||u|| <= t and r - u <= 0 (or = 0 without the constraint).
        residual = np.maximum(r, 0) if positive else r
        assert np.linalg.norm(residual) <= t + tol
        return
    normal = r - t * x / norm_x  # must be 0, or <= 0 and 0 where x > 0
    if positive:
        assert np.all(normal <= tol) and np.all(np.abs(normal[x > 0]) <= tol)
    else:
        np.testing.assert_allclose(normal, 0, atol=tol)


@given(v=ARRAYS, t=NONNEG, positive=st.booleans())
@SETTINGS
def test_prox_group_l2_optimality(v, t, positive):
    _check_group(v, prox_group_l2(v, t, positive=positive), t, positive)


@given(data=st.data(), v=VECTORS, positive=st.booleans())
@SETTINGS
def test_prox_group_l2_labels_optimality(data, v, positive):
    groups = data.draw(hnp.arrays(np.int64, v.shape, elements=st.integers(0, 3)))
    t = data.draw(hnp.arrays(np.float64, 4, elements=NONNEG))
    x = prox_group_l2(v, t, groups=groups, positive=positive)
    for g in range(4):
        _check_group(v[groups == g], x[groups == g], t[g], positive)


@given(v=hnp.arrays(np.float64, (3, 2, 4), elements=FINITE), t=NONNEG)
@SETTINGS
def test_prox_group_l2_axis_matches_loop(v, t):
    rows = prox_group_l2(v, t, axis=-1)
    cols = prox_group_l2(v, np.array([t, 2 * t]), axis=(0, 2))
    for i, j in np.ndindex(3, 2):
        np.testing.assert_allclose(rows[i, j], prox_group_l2(v[i, j], t))
    for j in range(2):
        np.testing.assert_allclose(cols[:, j], prox_group_l2(v[:, j], (j + 1) * t))


def _support_l1_ball(g, radius, positive):
    """max of <g, y> over the (positive part of the) l1 ball of that radius."""
    if g.size == 0:
        return 0.0
    return radius * (max(np.max(g), 0) if positive else np.max(np.abs(g)))


@given(v=ARRAYS, radius=NONNEG, positive=st.booleans())
@SETTINGS
def test_proj_l1_ball_optimality(v, radius, positive):
    x = proj_l1_ball(v, radius, positive=positive)
    tol = _tol(v, radius) * max(v.size, 1)
    assert np.sum(np.abs(x)) <= radius + tol
    if positive:
        assert np.all(x >= 0)
    # Variational inequality <v - x, y - x> <= 0 for every y in the set.
    g = (v - x).ravel()
    # Products of two values of size |v| + r, summed over the entries.
    tol_vi = tol * (1 + np.max(np.abs(v), initial=0) + radius)
    assert _support_l1_ball(g, radius, positive) <= g @ x.ravel() + tol_vi


@given(data=st.data(), v=ARRAYS)
@SETTINGS
def test_prox_box_optimality(data, v):
    lower = -_nonneg_like(data, v)
    upper = lower + _nonneg_like(data, v)
    x = prox_box(v, lower, upper)
    assert np.all((lower <= x) & (x <= upper))
    # v - x lies in the normal cone of the box at x.
    assert np.all(np.where(x > lower, v - x >= 0, True))
    assert np.all(np.where(x < upper, v - x <= 0, True))


# --------------------------------------------------- non-expansiveness


@pytest.mark.parametrize("name", OPERATORS)
@given(data=st.data(), shape=SHAPES)
@settings(max_examples=50, deadline=None)
def test_non_expansive(name, data, shape):
    u = data.draw(hnp.arrays(np.float64, shape, elements=FINITE))
    v = data.draw(hnp.arrays(np.float64, shape, elements=FINITE))
    p = OPERATORS[name]
    distance = np.linalg.norm(np.ravel(p(u) - p(v)))
    assert distance <= np.linalg.norm(np.ravel(u - v)) + _tol(u, v)


# ------------------------------------------------- Moreau decomposition


@given(data=st.data(), v=ARRAYS, step=NONNEG)
@SETTINGS
def test_moreau_weighted_l1(data, v, step):
    # (t ||.||_1)* is the indicator of the l_inf ball of radius t.
    w = _nonneg_like(data, v, max_value=10)
    t = step * w
    for x in (soft_threshold(v, t), prox_weighted_l1(v, w, step=step)):
        np.testing.assert_allclose(x + np.clip(v, -t, t), v, atol=_tol(v))


@given(v=ARRAYS, t=NONNEG)
@SETTINGS
def test_moreau_group_l2(v, t):
    # (t ||.||_2)* is the indicator of the l2 ball of radius t.
    norm = np.linalg.norm(v)
    ball = v if norm <= t else v * (t / norm)
    np.testing.assert_allclose(prox_group_l2(v, t) + ball, v, atol=_tol(v))


@given(
    v=ARRAYS, step=st.floats(0, 10), alpha=st.floats(0, 10), l1_ratio=st.floats(0, 1)
)
@SETTINGS
def test_moreau_elastic_net(v, step, alpha, l1_ratio):
    # g = a|x| + b/2 x^2 has g*(y) = max(|y| - a, 0)^2 / (2b), whose prox is v
    # inside [-a, a] and sign(v) (a + b |v|) / (1 + b) outside.
    a, b = step * alpha * l1_ratio, step * alpha * (1 - l1_ratio)
    conj = np.where(np.abs(v) <= a, v, np.sign(v) * (a + b * np.abs(v)) / (1 + b))
    x = prox_elastic_net(v, step, alpha, l1_ratio)
    np.testing.assert_allclose(x + conj, v, atol=_tol(v))


def _bisect_l1_threshold(u, radius):
    """theta >= 0 with sum(max(u - theta, 0)) = radius, by bisection."""
    lo, hi = 0.0, max(np.max(u, initial=0.0), 0.0)
    if np.sum(np.maximum(u, 0)) <= radius:
        return 0.0, True
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.sum(np.maximum(u - mid, 0)) > radius else (lo, mid)
    return (lo + hi) / 2, False


@given(v=ARRAYS, radius=NONNEG, positive=st.booleans())
@SETTINGS
def test_moreau_l1_ball(v, radius, positive):
    # v = proj_C(v) + prox_{sigma_C}(v), sigma_C = r ||.||_inf (or r max(., 0)
    # for the positive part of the ball); prox_{sigma_C}(v) is v clipped at
    # +-theta (or at theta from above), theta found by bisection.
    theta, inside = _bisect_l1_threshold(
        np.maximum(v, 0) if positive else np.abs(v), radius
    )
    if inside:
        conj = np.minimum(v, 0) if positive else np.zeros_like(v)
    else:
        conj = np.minimum(v, theta) if positive else np.clip(v, -theta, theta)
    x = proj_l1_ball(v, radius, positive=positive)
    np.testing.assert_allclose(x + conj, v, atol=_tol(v, radius) * max(v.size, 1))


def test_proj_l1_ball_treats_array_as_one_vector():
    v = np.random.default_rng(1).standard_normal((3, 4))
    np.testing.assert_array_equal(
        proj_l1_ball(v, 2.0), proj_l1_ball(v.ravel(), 2.0).reshape(3, 4)
    )
    np.testing.assert_allclose(np.abs(proj_l1_ball(v, 2.0)).sum(), 2.0)


# ------------------------------------------------------ cvxpy references


CVXPY_OPTIONS = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}


def _cvxpy_cases(cp):
    """name -> (ours, penalty(x), constraints(x), atol) on one random v."""
    rng = np.random.default_rng(42)
    v = 2 * rng.standard_normal(8)
    w, t = rng.uniform(0, 2, 8), rng.uniform(0, 1.5, 8)
    w[0] = 0
    groups, tg = np.array([0, 1, 2, 0, 1, 2, 2, 0]), np.array([1.0, 2.5, 0.5])
    lo, hi = -rng.uniform(0, 1, 8), rng.uniform(0, 1, 8)

    def free(x):
        return []

    def pos(x):
        return [x >= 0]

    def l1(x):
        return t @ cp.abs(x)

    def enet(x):
        return 1.5 * w @ (0.4 * cp.abs(x) + 0.3 * cp.square(x))

    def group(x):
        return sum(tg[g] * cp.norm(x[groups == g], 2) for g in range(3))

    def zero(x):
        return 0

    # Group 1 of v is all negative, so with x >= 0 its solution sits at the
    # apex of the cone with the bound active: Clarabel stalls near 1e-6 there.
    return v, {
        "soft": (soft_threshold(v, t), l1, free, 1e-7),
        "soft_pos": (soft_threshold(v, t, positive=True), l1, pos, 1e-7),
        "weighted_l1": (
            prox_weighted_l1(v, w, step=0.7),
            lambda x: 0.7 * w @ cp.abs(x),
            free,
            1e-7,
        ),
        "enet": (prox_elastic_net(v, 0.5, 3.0, 0.4, weights=w), enet, free, 1e-7),
        "enet_pos": (
            prox_elastic_net(v, 0.5, 3.0, 0.4, weights=w, positive=True),
            enet,
            pos,
            1e-7,
        ),
        "group_one": (prox_group_l2(v, 3.0), lambda x: 3.0 * cp.norm(x, 2), free, 1e-7),
        "group_labels": (prox_group_l2(v, tg, groups=groups), group, free, 1e-7),
        "group_pos": (
            prox_group_l2(v, tg, groups=groups, positive=True),
            group,
            pos,
            1e-5,
        ),
        "l1_ball": (proj_l1_ball(v, 2.5), zero, lambda x: [cp.norm(x, 1) <= 2.5], 1e-7),
        "l1_ball_pos": (
            proj_l1_ball(v, 2.5, positive=True),
            zero,
            lambda x: [x >= 0, cp.sum(x) <= 2.5],
            1e-7,
        ),
        "box": (prox_box(v, lo, hi), zero, lambda x: [x >= lo, x <= hi], 1e-7),
    }


CVXPY_CASE_NAMES = [
    "soft", "soft_pos", "weighted_l1", "enet", "enet_pos", "group_one",
    "group_labels", "group_pos", "l1_ball", "l1_ball_pos", "box",
]  # fmt: skip


@pytest.fixture(scope="module")
def cvxpy_cases():
    cp = pytest.importorskip("cvxpy")
    return cp, *_cvxpy_cases(cp)


@pytest.mark.parametrize("name", CVXPY_CASE_NAMES)
def test_against_cvxpy(cvxpy_cases, name):
    cp, v, cases = cvxpy_cases
    ours, penalty, constraints, atol = cases[name]
    x = cp.Variable(v.size)
    objective = cp.Minimize(0.5 * cp.sum_squares(x - v) + penalty(x))
    problem = cp.Problem(objective, constraints(x))
    problem.solve(solver="CLARABEL", **CVXPY_OPTIONS)
    assert problem.status == "optimal"
    np.testing.assert_allclose(ours, x.value, rtol=0, atol=atol)
    # Our point is feasible and its objective is no worse than the solver's.
    x.value = ours
    assert all(c.violation().max() <= 1e-12 for c in problem.constraints)
    assert objective.value <= problem.value + 1e-9


# ---------------------------------------------------------------- errors

V = np.array([1.0, -2.0, 3.0])
BAD_CALLS = [
    (soft_threshold, (V, -0.5), {}, "threshold"),
    (soft_threshold, (V, np.nan), {}, "threshold"),
    (soft_threshold, (V, [0.1, np.nan, 0.2]), {}, "threshold"),
    (soft_threshold, (V, np.ones(4)), {}, "threshold"),
    (soft_threshold, (V + 1j, 0.5), {}, "v"),
    (prox_weighted_l1, (V, [1.0, -1.0, 1.0]), {}, "weights"),
    (prox_weighted_l1, (V, [1.0, np.inf, 1.0]), {}, "weights"),
    (prox_weighted_l1, (V, 1.0), {"step": -1.0}, "step"),
    (prox_weighted_l1, (V, 1.0), {"step": [1.0, 2.0]}, "step"),
    (prox_elastic_net, (V, -1.0, 1.0, 0.5), {}, "step"),
    (prox_elastic_net, (V, 1.0, -1.0, 0.5), {}, "alpha"),
    (prox_elastic_net, (V, 1.0, np.nan, 0.5), {}, "alpha"),
    (prox_elastic_net, (V, 1.0, 1.0, 1.5), {}, "l1_ratio"),
    (prox_elastic_net, (V, 1.0, 1.0, -0.1), {}, "l1_ratio"),
    (prox_elastic_net, (V, 1.0, 1.0, np.nan), {}, "l1_ratio"),
    (prox_elastic_net, (V, 1.0, 1.0, 0.5), {"weights": [1.0, -1.0, 1.0]}, "weights"),
    (prox_group_l2, (V, -1.0), {}, "threshold"),
    (prox_group_l2, (V, np.nan), {}, "threshold"),
    (prox_group_l2, (V, 1.0), {"groups": [0, 1, 1], "axis": 0}, "axis"),
    (prox_group_l2, (V, 1.0), {"groups": [0, -1, 1]}, "groups"),
    (prox_group_l2, (V, 1.0), {"groups": [0, 1]}, "groups"),
    (prox_group_l2, (V, 1.0), {"groups": [0.0, 1.0, 1.0]}, "groups"),
    (prox_group_l2, (V, [1.0, 1.0]), {"groups": [0, 1, 2]}, "threshold"),
    (proj_l1_ball, (V, -1.0), {}, "radius"),
    (proj_l1_ball, (V, np.nan), {}, "radius"),
    (proj_l1_ball, (V, [1.0, 2.0]), {}, "radius"),
    (prox_box, (V, 1.0, 0.0), {}, "lower"),
    (prox_box, (V, np.nan, 1.0), {}, "lower"),
    (prox_box, (V, 0.0, [1.0, np.nan, 1.0]), {}, "upper"),
]


@pytest.mark.parametrize("func, args, kwargs, name", BAD_CALLS)
def test_errors_name_the_parameter(func, args, kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}\b"):
        func(*args, **kwargs)
