"""minimize_l1 on nonconvex problems from random starts, and on infeasible ones."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, NonlinearConstraint, lsq_linear

from sparsefit.constrained import minimize_l1

TOL = 1e-8


def rosen(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosen_grad(x):
    return np.array(
        [-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)]
    )


def rosen_hess(x):
    return np.array(
        [[2 - 400 * (x[1] - 3 * x[0] ** 2), -400 * x[0]], [-400 * x[0], 200]]
    )


def cubic(x):
    return x[0] * x[1] + 0.3 * x[0] + x[1] ** 3


def cubic_grad(x):
    return np.array([x[1] + 0.3, x[0] + 3 * x[1] ** 2])


def cubic_hess(x):
    return np.array([[0.0, 1.0], [1.0, 6 * x[1]]])


def norm2(x):
    return x @ x


def norm2_jac(x):
    return 2 * x[None, :]


def norm2_hess(x, v):
    return 2 * v[0] * np.eye(2)


# name: (f, grad, hess, constraint as c(x) with its Jacobian, kind)
PROBLEMS = {
    "rosenbrock_on_disk": (rosen, rosen_grad, rosen_hess, "ineq"),
    "cubic_on_circle": (cubic, cubic_grad, cubic_hess, "eq"),
}


def independent_kkt(x, grad, kind):
    """Largest KKT violation at ``x`` for the constraint ``1 - |x|^2`` (>= 0 or = 0),
    with the multiplier fitted here by bounded least squares."""
    c = 1 - x @ x
    a = -2 * x
    violation = abs(c) if kind == "eq" else max(0.0, -c)
    g = grad(x)
    if kind == "ineq" and c > 1e-6:  # inactive: the gradient itself must vanish
        return violation, np.abs(g).max()
    lb = -np.inf if kind == "eq" else 0.0
    fit = lsq_linear(a[:, None], g, bounds=(lb, np.inf), lsq_solver="exact")
    residual = np.abs(g - a * fit.x[0]).max() / max(1.0, np.abs(g).max())
    return violation, max(residual, abs(fit.x[0] * c))


def run(name, x0, exact):
    f, grad, hess, kind = PROBLEMS[name]
    if exact:
        lb = 1.0 if kind == "eq" else -np.inf
        con = NonlinearConstraint(norm2, lb, 1.0, jac=norm2_jac, hess=norm2_hess)
        return minimize_l1(f, x0, jac=grad, hess=hess, constraints=con, tol=TOL)
    con = {"type": kind, "fun": lambda x: 1 - x @ x, "jac": lambda x: -2 * x[None, :]}
    return minimize_l1(f, x0, jac=grad, constraints=con, tol=TOL)


@pytest.mark.parametrize("exact", [True, False], ids=["exact_hessian", "bfgs"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_random_starts_end_at_kkt_points(name, exact):
    rng = np.random.default_rng(7)
    kind = PROBLEMS[name][3]
    n_success = 0
    for x0 in rng.uniform(-3, 3, size=(50, 2)):
        res = run(name, x0, exact)
        violation, kkt = independent_kkt(res.x, PROBLEMS[name][1], kind)
        if res.success:
            n_success += 1
            assert violation <= TOL, (x0, res)
            assert kkt <= 1e-6, (x0, res)
            assert res.max_violation == pytest.approx(violation, abs=1e-15)
        else:
            # A run that stops short says so; it never hides a violation.
            assert res.status != "success" and res.message
    # Measured: every start of these problems reaches a KKT point.
    assert n_success == 50


def test_rosenbrock_on_disk_solution():
    res = run("rosenbrock_on_disk", np.array([-1.0, 2.0]), exact=True)
    assert res.success
    # The constrained minimiser lies on the circle (MATLAB's fmincon example):
    # x = (0.7864, 0.6177), f = 0.0457.
    np.testing.assert_allclose(res.x, [0.78641515, 0.61769831], atol=1e-8)
    assert res.fun == pytest.approx(0.0456748087, abs=1e-9)
    assert res.x @ res.x == pytest.approx(1.0, abs=TOL)


@pytest.mark.parametrize("x0", [-3.0, 0.0, 0.4, 1.0, 5.0])
def test_contradictory_bounds_are_infeasible_stationary(x0):
    # x >= 1 and x <= 0: the l1 violation max(0, 1 - x) + max(0, x) is 1 on
    # [0, 1], its least value, and larger outside.
    cons = [
        {"type": "ineq", "fun": lambda x: x[0] - 1},
        {"type": "ineq", "fun": lambda x: -x[0]},
    ]
    res = minimize_l1(lambda x: x[0] ** 2, [x0], constraints=cons)
    assert not res.success and res.status == "infeasible_stationary"
    assert -1e-8 <= res.x[0] <= 1 + 1e-8
    l1 = max(0.0, 1 - res.x[0]) + max(0.0, res.x[0])
    assert l1 == pytest.approx(1.0, abs=1e-8)
    assert res.infeasibility <= 1e-8
    # The certificate: J' lambda = 0 with lambda in the subdifferential.
    lam = np.concatenate(res.multipliers)
    assert abs(lam[0] - lam[1]) <= 1e-8
    assert np.all((lam >= -1e-8) & (lam <= 1 + 1e-8))


def test_disk_and_halfplane_infeasible_at_least_violation_point():
    # |x|^2 <= 1 and x_0 >= 2: the violation max(0, |x|^2 - 1) + max(0, 2 - x_0)
    # has its minimum 1 at the kink (1, 0).
    cons = [
        {"type": "ineq", "fun": lambda x: 1 - x @ x, "jac": lambda x: -2 * x[None, :]},
        {"type": "ineq", "fun": lambda x: x[0] - 2, "jac": lambda x: np.eye(2)[:1]},
    ]
    for x0 in ([3.0, 2.0], [-2.0, -1.0], [0.0, 0.5]):
        res = minimize_l1(lambda x: x @ x, x0, jac=lambda x: 2 * x, constraints=cons)
        assert res.status == "infeasible_stationary" and not res.success
        np.testing.assert_allclose(res.x, [1.0, 0.0], atol=1e-6)
        assert res.max_violation == pytest.approx(1.0, abs=1e-6)


def test_infeasible_with_bounds():
    # x_0 + x_1 >= 3 cannot hold in the box [0, 1]^2: least violation at (1, 1).
    con = {"type": "ineq", "fun": lambda x: x[0] + x[1] - 3}
    res = minimize_l1(lambda x: x @ x, [0.2, 0.7], constraints=con, bounds=Bounds(0, 1))
    assert res.status == "infeasible_stationary"
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-10)
    assert res.max_violation == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    tol=st.sampled_from([1e-6, 1e-8]),
    exact=st.booleans(),
)
def test_success_is_never_claimed_above_tol(seed, tol, exact):
    # A random, possibly indefinite quadratic on a ball, with one random
    # quadratic equality and one linear inequality.
    rng = np.random.default_rng(seed)
    n = 3
    H = rng.standard_normal((n, n))
    H = H + H.T
    b = rng.standard_normal(n)
    M = rng.standard_normal((n, n))
    M = M @ M.T
    a, r = rng.standard_normal(n), rng.uniform(0.1, 0.5)

    def eq(x):
        return np.array([x @ M @ x - r])

    cons = [
        {"type": "ineq", "fun": lambda x: np.array([4 - x @ x]),
         "jac": lambda x: -2 * x[None, :], "hess": lambda x, v: -2 * v[0] * np.eye(n)},
        {"type": "eq", "fun": eq, "jac": lambda x: 2 * (M @ x)[None, :],
         "hess": lambda x, v: 2 * v[0] * M},
        {"type": "ineq", "fun": lambda x: np.array([a @ x + 0.5]),
         "jac": lambda x: a[None, :], "hess": lambda x, v: np.zeros((n, n))},
    ]  # fmt: skip
    res = minimize_l1(
        lambda x: 0.5 * x @ H @ x + b @ x,
        rng.uniform(-2, 2, n),
        jac=lambda x: H @ x + b,
        hess=(lambda x: H) if exact else None,
        constraints=cons,
        tol=tol,
    )
    c = np.array([4 - res.x @ res.x, *eq(res.x), a @ res.x + 0.5])
    violation = max(-c[0], abs(c[1]), -c[2], 0.0)
    assert res.max_violation == pytest.approx(violation, abs=1e-14)
    if res.success:
        assert violation <= tol
        J = np.vstack([-2 * res.x, 2 * M @ res.x, a])
        lam = np.concatenate(res.multipliers)
        g = H @ res.x + b
        assert np.abs(g - J.T @ lam).max() <= tol * max(1.0, np.abs(g).max())
        assert lam[0] >= -tol and lam[2] >= -tol
        assert abs(lam[0] * c[0]) + abs(lam[2] * c[2]) <= 10 * tol * max(
            1, np.abs(g).max()
        )
    else:
        assert res.status in ("infeasible_stationary", "maxiter", "step_too_small")


def test_scipy_infeasible_examples():
    # scipy gh-5743: x0 + x1 = 1, x0 >= 2, x >= 0. The violation
    # |x0 + x1 - 1| + max(0, 2 - x0) is at least 1, attained on x1 = 0,
    # 1 <= x0 <= 2.
    cons = (
        {"type": "eq", "fun": lambda x: x[0] + x[1] - 1},
        {"type": "ineq", "fun": lambda x: x[0] - 2},
    )
    res = minimize_l1(lambda x: x @ x, [1, 2], constraints=cons, bounds=[(0, None)] * 2)
    assert res.status == "infeasible_stationary"
    x0, x1 = res.x
    assert abs(x0 + x1 - 1) + max(0, 2 - x0) == pytest.approx(1.0, abs=1e-8)
    assert np.all(res.x >= 0)
    # scipy gh-10081: Rosenbrock on [0, 2]^2 with x0 + x1 <= -1: least
    # violation 1 at the corner (0, 0).
    con = NonlinearConstraint(lambda x: x[0] + x[1], -np.inf, -1)
    res = minimize_l1(
        rosen, [0.1, 0.1], jac=rosen_grad, constraints=con, bounds=Bounds(0, 2)
    )
    assert res.status == "infeasible_stationary" and not res.success
    np.testing.assert_allclose(res.x, [0.0, 0.0], atol=1e-12)
    assert res.max_violation == pytest.approx(1.0) and res.infeasibility <= 1e-8


@pytest.mark.parametrize("theta", [0.1, 0.5, 1.0])
def test_second_order_correction_on_the_maratos_example(theta):
    # Nocedal and Wright's Example 15.4: min 2(|x|^2 - 1) - x0 on the unit
    # circle, x* = (1, 0), lambda* = 3/2. From points on the circle the full
    # SQP step raises both f and the violation, so the l1 merit function
    # rejects it (the Maratos effect); the second-order correction rescues it.
    con = NonlinearConstraint(norm2, 1.0, 1.0, jac=norm2_jac, hess=norm2_hess)
    res = minimize_l1(
        lambda x: 2 * (x @ x - 1) - x[0],
        [np.cos(theta), np.sin(theta)],
        jac=lambda x: 4 * x - np.array([1.0, 0.0]),
        hess=lambda x: 4 * np.eye(2),
        constraints=con,
    )
    assert res.success and res.nsoc >= 1
    np.testing.assert_allclose(res.x, [1.0, 0.0], atol=1e-8)
    assert res.multipliers[0][0] == pytest.approx(1.5, abs=1e-8)
    assert res.nit <= 12
