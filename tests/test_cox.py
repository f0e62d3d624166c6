"""The Cox datafit: value, gradient and Hessian against a direct evaluation,
the conjugate bound behind its duality gap, and solves against cvxpy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsefit import compute_path
from sparsefit._problem import Problem
from sparsefit.datafits import Cox, survival_target
from sparsefit.penalties import L1, ElasticNetPenalty


def direct_value(y, z, sw, efron):
    """The partial likelihood term by term, risk sets listed one by one."""
    n = z.shape[0]
    s = np.ones(n) if sw is None else sw
    value = 0.0
    deaths = {(y["strata"][i], y["stop"][i]) for i in range(n) if y["event"][i]}
    for h, t in deaths:
        tied = [
            i
            for i in range(n)
            if y["event"][i] and y["strata"][i] == h and y["stop"][i] == t
        ]
        tied = [i for i in tied if s[i] > 0]
        if not tied:
            continue
        risk = [
            j
            for j in range(n)
            if y["strata"][j] == h and y["start"][j] < t <= y["stop"][j]
        ]
        S = sum(s[j] * np.exp(z[j]) for j in risk)
        E = sum(s[j] * np.exp(z[j]) for j in tied)
        W, k = sum(s[i] for i in tied), len(tied)
        value -= sum(s[i] * z[i] for i in tied) / n
        if efron:
            value += W / (n * k) * sum(np.log(S - r / k * E) for r in range(k))
        else:
            value += W / n * np.log(S)
    return value


def random_survival(rng, n, kind):
    """Tied integer times; ``kind`` adds strata, entry times, weights."""
    time = rng.integers(1, 6, n).astype(float)
    event = rng.integers(0, 2, n)
    event[0] = 1
    start = strata = sw = None
    if "start" in kind:
        start = np.maximum(time - rng.integers(1, 4, n) - 0.5, 0.0)
        start = np.where(rng.uniform(size=n) < 0.5, 0.0, start)
    if "strata" in kind:
        strata = rng.integers(0, 2, n)
    if "weights" in kind:
        sw = rng.uniform(0.1, 2.0, n)
        sw *= n / sw.sum()
    return survival_target(time, event, start=start, strata=strata), sw


KINDS = st.sampled_from(
    ["", "strata", "start", "weights", "start strata weights", "strata weights"]
)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000), kind=KINDS, ties=st.sampled_from(["breslow", "efron"])
)
def test_value_gradient_hessian(seed, kind, ties):
    rng = np.random.default_rng(seed)
    n = 10
    y, sw = random_survival(rng, n, kind)
    z = rng.normal(0, 1.5, n)
    fit = Cox(sw, ties=ties)
    efron = ties == "efron"
    assert fit.value(y, z) + fit._constant(y) == pytest.approx(
        direct_value(y, z, sw, efron), abs=1e-12
    )
    assert fit.value(y, z) >= -1e-12
    grad, hess = fit.raw_grad(y, z), fit.raw_hessian(y, z)
    assert abs(grad.sum()) < 1e-12  # blind to a shift of z
    h = 1e-6
    for i in range(n):
        e = np.zeros(n)
        e[i] = h
        fd = (direct_value(y, z + e, sw, efron) - direct_value(y, z - e, sw, efron)) / (
            2 * h
        )
        assert fd == pytest.approx(grad[i], abs=1e-7)
        fd2 = (fit.raw_grad(y, z + e)[i] - fit.raw_grad(y, z - e)[i]) / (2 * h)
        assert fd2 == pytest.approx(hess[i], abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000), kind=KINDS, ties=st.sampled_from(["breslow", "efron"])
)
def test_conjugate_bound(seed, kind, ties):
    """Fenchel-Young: equality at t = 1, and ``F(z') + B(t) >= t grad'z'`` at
    any z' (B bounds F* from above) for t in [0, 1]."""
    rng = np.random.default_rng(seed)
    n = 10
    y, sw = random_survival(rng, n, kind)
    z = rng.normal(0, 1.5, n)
    fit = Cox(sw, ties=ties)
    grad = fit.raw_grad(y, z)
    exact = fit.value(y, z) + fit.conjugate_at(y, z, 1.0)
    assert exact == pytest.approx(grad @ z, abs=1e-11)
    for t in (0.0, 0.25, 0.6, 0.95, 1.0):
        bound = fit.conjugate_at(y, z, t)
        for _ in range(4):
            other = rng.normal(0, 2, n)
            assert fit.value(y, other) + bound >= t * grad @ other - 1e-10
    assert fit.conjugate_at(y, z, 1.5) == np.inf


def cox_problem(rng, n=40, p=8, kind="", ties="breslow", l1_ratio=1.0):
    X = rng.normal(size=(n, p))
    y, sw = random_survival(rng, n, kind)
    penalty = ElasticNetPenalty(1.0, l1_ratio)
    return X, y, Cox(sw, ties=ties), penalty


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    kind=KINDS,
    ties=st.sampled_from(["breslow", "efron"]),
    l1_ratio=st.sampled_from([1.0, 0.5]),
)
def test_gap_is_nonnegative_and_vanishes(seed, kind, ties, l1_ratio):
    """At random points the gap (primal minus the dual bound) is >= 0; after a
    tight solve it is below 1e-10 of the objective."""
    rng = np.random.default_rng(seed)
    X, y, fit, penalty = cox_problem(rng, kind=kind, ties=ties, l1_ratio=l1_ratio)
    problem = Problem(X, y, fit, penalty, tol=1e-12)
    alpha = 0.3 * problem.alpha_max()[0]
    cert = problem.certificate(alpha)
    for _ in range(5):
        W = rng.normal(0, 0.5, (X.shape[1], 1)) * (
            rng.uniform(size=(X.shape[1], 1)) < 0.5
        )
        gap, primal, _, _ = cert.evaluate(W, cert.linear(W, np.zeros(1)))
        assert gap >= -1e-12 * max(primal, 1.0)
    res = problem.solve(alpha)
    assert res.converged
    # The gap is the difference of two values of about the objective's size:
    # at the optimum the exact Newton steps reach, it is their rounding.
    floor = -8 * np.finfo(float).eps * res.primal
    assert floor <= res.dual_gap <= 1e-10 * res.primal


def test_no_intercept():
    """The model has no intercept: the problem drops it, whatever asked."""
    rng = np.random.default_rng(0)
    X, y, fit, penalty = cox_problem(rng)
    path = compute_path(X + 5.0, y, fit, penalty, n_alphas=5, fit_intercept=True)
    assert np.all(path.intercepts == 0.0)


@pytest.mark.parametrize("kind", ["", "weights"])
def test_breslow_against_cvxpy(kind):
    """The objective at the solution equals cvxpy's optimum (Breslow ties:
    a sum of log-sum-exps of affine maps)."""
    cp = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(3)
    n, p = 30, 6
    X, y, fit, _ = cox_problem(rng, n=n, p=p, kind=kind)
    s = np.ones(n) if fit.sample_weight is None else fit.sample_weight
    problem = Problem(X, y, fit, L1(1.0), tol=1e-12)
    alpha = 0.2 * problem.alpha_max()[0]
    res = problem.solve(alpha)
    w = cp.Variable(p)
    eta = X @ w
    terms = []
    for t in np.unique(y["stop"][y["event"] > 0]):
        tied = (y["stop"] == t) & (y["event"] > 0)
        risk = y["stop"] >= t
        W = s[tied].sum()
        terms.append(
            W / n * cp.log_sum_exp(eta[np.flatnonzero(risk)] + np.log(s[risk]))
            - (s[tied] @ eta[np.flatnonzero(tied)]) / n
        )
    objective = cp.sum(terms) - fit._constant(y) + alpha * cp.norm1(w)
    ref = cp.Problem(cp.Minimize(objective)).solve(solver=cp.CLARABEL)
    assert res.primal == pytest.approx(ref, rel=1e-7)


def test_underflowing_risk_set_is_out_of_range():
    """A linear predictor spanning 400 or 1000 (nearly) underflows a risk
    set's sum: the value is inf (a line search then shortens its step), not
    a ZeroDivisionError or NaN; spanning 300 is computed exactly."""
    y = survival_target([1.0, 2.0, 3.0], [0, 1, 1])
    fit = Cox()
    for span in (400.0, 1000.0):
        z = np.array([0.0, -span, -span])
        assert fit.value(y, z) == np.inf
        assert fit.conjugate_at(y, z, 0.5) == np.inf
    z = np.array([0.0, -300.0, -300.0])
    # Deaths at t = 2 (risk set {2, 3}, equal eta) and t = 3 (alone).
    assert fit.value(y, z) == pytest.approx(np.log(2) / 3, abs=1e-12)
    assert np.isfinite(fit.raw_grad(y, z)).all()
    assert np.isfinite(fit.raw_hessian(y, z)).all()


def test_values_at_many_columns_are_the_value_at_each():
    """``Cox.values`` (the grouped CV deviance scores a whole path with it)
    equals ``value`` column by column, ties, strata and weights included."""
    rng = np.random.default_rng(4)
    n = 50
    time = np.round(rng.exponential(1.0, n), 1)
    y = survival_target(time, rng.integers(0, 2, n), strata=rng.integers(0, 3, n))
    Z = rng.normal(0, 1.0, (n, 7))
    for fit in (Cox(), Cox(ties="efron", sample_weight=rng.uniform(0.5, 2, n))):
        expected = [fit.value(y, Z[:, k]) for k in range(Z.shape[1])]
        np.testing.assert_array_equal(fit.values(y, Z), expected)
        np.testing.assert_array_equal(fit.values(y, np.ascontiguousarray(Z)), expected)
