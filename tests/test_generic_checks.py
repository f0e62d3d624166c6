"""Properties every registered penalty and datafit must have."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sparsefit.datafits import (
    DATAFITS,
    Cox,
    Huber,
    Logistic,
    Multinomial,
    Poisson,
    Quadratic,
)
from sparsefit.penalties import (
    L1,
    PENALTIES,
    Box,
    ElasticNetPenalty,
    GroupPenalty,
    WeightedL1,
)

P = 6
finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, P, elements=finite)


def penalty_instances():
    rng = np.random.default_rng(0)
    weights = rng.uniform(0, 2, P)
    weights[1] = 0.0
    lower = -rng.uniform(0.1, 3, P)
    upper = rng.uniform(0.1, 3, P)
    return {
        L1: [
            L1(0.7),
            L1(0.7, positive=True),
            L1(0.3, lower_bounds=lower, upper_bounds=upper),
        ],
        WeightedL1: [WeightedL1(1.3, weights), WeightedL1(0.5, weights, positive=True)],
        ElasticNetPenalty: [
            ElasticNetPenalty(0.8, 0.5, weights),
            ElasticNetPenalty(0.8, 0.0, lower_bounds=lower),
            ElasticNetPenalty(
                0.4, 0.9, weights, lower_bounds=lower, upper_bounds=upper
            ),
        ],
        Box: [Box(lower, upper), Box(positive=True, upper_bounds=upper)],
        GroupPenalty: [
            GroupPenalty(0.7, [0, 0, 1, 1, 1, 2]),
            GroupPenalty(0.6, [0, 0, 1, 1, 1, 2], l1_ratio=0.4, weights=weights),
            GroupPenalty(0.5, [[0, 5], [1, 2], [3, 4]], 0.3, group_weights=[1, 0, 2]),
        ],
    }


def _bounds_and_free(penalty):
    """The bounds and the unpenalised, unbounded features of any penalty."""
    if getattr(penalty, "block", False):
        inf = np.full(P, np.inf)
        return -inf, inf, penalty.free_features(P)
    a, c, lower, upper = penalty.coefficients(P)
    free = (a == 0) & (c == 0) & np.isneginf(lower) & np.isposinf(upper)
    return lower, upper, free


INSTANCES = [
    (cls.__name__, pen) for cls, pens in penalty_instances().items() for pen in pens
]


def test_every_registered_penalty_is_checked():
    assert set(PENALTIES) == set(penalty_instances())
    # Cox's target and conjugate bound are checked in tests/test_cox.py.
    assert set(DATAFITS) == {Quadratic, Logistic, Multinomial, Poisson, Huber, Cox}


@pytest.mark.parametrize("name, penalty", INSTANCES)
@settings(max_examples=60, deadline=None)
@given(v=vectors, step=st.floats(0.01, 10))
def test_prox_is_optimal(name, penalty, v, step):
    """x = prox(v) iff (v - x)/step is in the subdifferential at x."""
    x = penalty.prox(v, step)
    assert np.isfinite(penalty.value(x))
    dist = penalty.subdiff_distance(x, -(v - x) / step)
    assert dist.max() <= 1e-9 * (1 + np.abs(v).max())


@pytest.mark.parametrize("name, penalty", INSTANCES)
@settings(max_examples=60, deadline=None)
@given(u=vectors, v=vectors, step=st.floats(0.01, 10))
def test_prox_is_non_expansive(name, penalty, u, v, step):
    diff = np.linalg.norm(penalty.prox(u, step) - penalty.prox(v, step))
    assert diff <= np.linalg.norm(u - v) * (1 + 1e-12) + 1e-12


@pytest.mark.parametrize("name, penalty", INSTANCES)
@settings(max_examples=60, deadline=None)
@given(w=vectors, z=vectors)
def test_fenchel_young(name, penalty, w, z):
    """g(w) + g*(z) >= w'z, with equality at z in the subdifferential."""
    lower, upper, free = _bounds_and_free(penalty)
    w = np.clip(w, lower, upper)
    zs = z * penalty.dual_scale(z)
    zs[free] = 0.0  # free coordinates are projected out by the certificates
    conj = penalty.conjugate(zs)
    assert np.isfinite(conj)
    assert penalty.value(w) + conj >= w @ zs - 1e-9 * (1 + np.abs(w @ zs))
    # Equality: z = (v - prox(v)) is a subgradient at prox(v) (step 1).
    x = penalty.prox(w + z, 1.0)
    g = w + z - x
    g[free] = 0.0
    if np.isfinite(penalty.conjugate(g)):
        assert penalty.value(x) + penalty.conjugate(g) == pytest.approx(
            x @ g, abs=1e-8 * (1 + np.abs(x @ g))
        )


@pytest.mark.parametrize("name, penalty", INSTANCES)
def test_alpha_max_makes_zero_optimal(name, penalty):
    rng = np.random.default_rng(1)
    grad0 = rng.standard_normal(P)
    a_max = penalty.alpha_max(grad0)
    if not np.isfinite(a_max) or penalty.alpha == 0:
        return
    lower, upper, free = _bounds_and_free(penalty)
    scaled = penalty.with_alpha(a_max * (1 + 1e-9))
    zero = np.clip(np.zeros(P), lower, upper)
    if getattr(penalty, "block", False):
        penalised = ~free
    else:
        penalised = scaled.coefficients(P)[0] > 0
    dist = scaled.subdiff_distance(zero, grad0)
    assert dist[penalised & (zero == 0)].max(initial=0) <= 1e-12


@settings(max_examples=60, deadline=None)
@given(
    y=arrays(np.float64, 8, elements=finite),
    z=arrays(np.float64, 8, elements=finite),
    seed=st.integers(0, 100),
)
def test_datafit_gradient_and_conjugate(y, z, seed):
    sw = np.random.default_rng(seed).uniform(0.1, 2, 8)
    sw *= 8 / sw.sum()
    for datafit in (Quadratic(), Quadratic(sw)):
        grad = datafit.raw_grad(y, z)
        h = 1e-6
        for i in range(8):
            e = np.zeros(8)
            e[i] = h
            fd = (datafit.value(y, z + e) - datafit.value(y, z - e)) / (2 * h)
            assert fd == pytest.approx(grad[i], abs=1e-5 * (1 + abs(grad[i])))
        # Fenchel-Young with equality at v = grad F(z).
        lhs = datafit.value(y, z) + datafit.conjugate(y, grad)
        assert lhs == pytest.approx(grad @ z, abs=1e-7 * (1 + abs(lhs)))
        other = datafit.conjugate(y, grad + 0.1)
        assert datafit.value(y, z) + other >= (grad + 0.1) @ z - 1e-9 * (1 + abs(lhs))


def _glm_cases(rng, n):
    """(datafit class, y, z) for every GLM datafit."""
    labels = rng.integers(0, 3, n)
    return [
        (Logistic, np.where(rng.uniform(size=n) < 0.5, 1.0, -1.0), rng.normal(0, 3, n)),
        (Multinomial, np.eye(3)[labels], rng.normal(0, 3, (n, 3))),
        (Poisson, rng.poisson(2.0, n).astype(float), rng.normal(0, 1, n)),
        # Residuals of both signs on both sides of delta = 1.35.
        (Huber, rng.normal(0, 3, n), rng.normal(0, 1, n)),
    ]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), weighted=st.booleans())
def test_glm_datafit_gradient_hessian_conjugate(seed, weighted):
    """Gradient and Hessian diagonal against finite differences; Fenchel-Young
    with equality at the gradient, inequality elsewhere in the domain."""
    rng = np.random.default_rng(seed)
    n = 7
    sw = rng.uniform(0.1, 2, n) if weighted else None
    if sw is not None:
        sw *= n / sw.sum()
    for cls, y, z in _glm_cases(rng, n):
        fit = cls(sw)
        grad, hess = fit.raw_grad(y, z), fit.raw_hessian(y, z)
        h = 1e-6
        for idx in np.ndindex(z.shape):
            e = np.zeros_like(z)
            e[idx] = h
            fd = (fit.value(y, z + e) - fit.value(y, z - e)) / (2 * h)
            assert fd == pytest.approx(grad[idx], abs=1e-6 * (1 + abs(grad[idx])))
            fd2 = (fit.raw_grad(y, z + e)[idx] - fit.raw_grad(y, z - e)[idx]) / (2 * h)
            assert fd2 == pytest.approx(hess[idx], abs=1e-6 * (1 + abs(hess[idx])))
        lhs = fit.value(y, z) + fit.conjugate(y, grad)
        assert lhs == pytest.approx(np.sum(grad * z), abs=1e-9 * (1 + abs(lhs)))
        # Another point of the conjugate's domain: the gradient at another z.
        other = fit.raw_grad(y, z + rng.normal(0, 1, z.shape))
        assert fit.value(y, z) + fit.conjugate(y, other) >= np.sum(other * z) - 1e-9
        # Outside the domain the conjugate is infinite.
        assert fit.conjugate(y, grad - 10.0) == np.inf
