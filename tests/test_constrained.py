"""minimize_l1: the one-dimensional example, scipy's constraint forms, bad input."""

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, NonlinearConstraint

import sparsefit
from sparsefit.constrained import ConstrainedResult, minimize_l1

# min (x - 2)^2 subject to x <= 1: x* = 1 with multiplier lambda* = 2.
SEED = {
    "fun": lambda x: (x[0] - 2) ** 2,
    "jac": lambda x: np.array([2 * (x[0] - 2)]),
    "constraints": {
        "type": "ineq",
        "fun": lambda x: 1 - x[0],
        "jac": lambda x: np.array([[-1.0]]),
    },
}


@pytest.mark.parametrize("x0", [-4.0, 0.0, 3.0])
@pytest.mark.parametrize("mu", [2.5, 5.0, 50.0])
@pytest.mark.parametrize("hess", [None, lambda x: np.array([[2.0]])])
def test_seed_l1_penalty_exact_above_threshold(mu, x0, hess):
    res = minimize_l1(x0=[x0], mu=mu, hess=hess, **SEED)
    assert res.success and res.status == "success" and res.status_code == 0
    assert abs(res.x[0] - 1) < 1e-10
    assert res.mu_threshold == pytest.approx(2.0, abs=1e-6)
    assert res.mu == mu  # a fixed mu is never changed
    assert res.multipliers[0][0] == pytest.approx(2.0, abs=1e-6)


@pytest.mark.parametrize("x0", [-4.0, 0.0, 3.0])
def test_seed_l1_penalty_below_threshold(x0):
    # phi(x; 1.5) = (x - 2)^2 + 1.5 max(0, x - 1) is smallest at x = 1.25.
    res = minimize_l1(x0=[x0], mu=1.5, hess=lambda x: np.array([[2.0]]), **SEED)
    assert not res.success and res.status == "penalty_not_exact"
    assert res.x[0] == pytest.approx(1.25, abs=1e-12)
    assert res.max_violation == pytest.approx(0.25, abs=1e-12)
    res = minimize_l1(x0=[x0], mu=1.5, **SEED)  # damped BFGS
    assert res.status == "penalty_not_exact"
    assert res.x[0] == pytest.approx(1.25, abs=1e-8)


@pytest.mark.parametrize("mu", [0.5, 2.5, 5.0, 50.0, 1e4])
def test_seed_quadratic_penalty_never_exact(mu):
    # phi_2(x; mu) = (x - 2)^2 + mu max(0, x - 1)^2 is smallest at (2 + mu)/(1 + mu).
    res = minimize_l1(x0=[0.0], mu=mu, penalty="quadratic", **SEED)
    assert res.x[0] == pytest.approx((2 + mu) / (1 + mu), rel=1e-9)
    assert res.x[0] > 1 + 1e-5
    assert not res.success and res.status == "penalty_not_exact"
    assert res.mu_threshold == pytest.approx(2 * mu / (1 + mu), rel=1e-6)


def test_seed_steered_mu():
    res = minimize_l1(x0=[5.0], **SEED)
    assert res.success and abs(res.x[0] - 1) < 1e-10
    assert res.mu > 2 and res.mu_threshold == pytest.approx(2.0, abs=1e-6)


def test_result_is_scipy_like():
    res = minimize_l1(x0=[0.0], **SEED)
    assert isinstance(res, ConstrainedResult) and isinstance(res, dict)
    for key in (
        "x", "fun", "success", "status", "message", "nit", "nfev", "multipliers",
        "mu", "mu_threshold", "max_violation", "kkt_residual", "infeasibility",
    ):  # fmt: skip
        assert key in res
    assert res.fun == pytest.approx(1.0) and res.nit >= 1 and res.nfev >= res.nit
    assert np.isnan(res.infeasibility)


def _circle_problem():
    """min x0 + x1 subject to x0^2 + x1^2 = 2: x* = (-1, -1), lambda* = -1/2."""
    return {"fun": lambda x: x[0] + x[1], "jac": lambda x: np.ones(2)}


def test_constraint_forms_agree():
    dict_form = {"type": "eq", "fun": lambda x: x @ x - 2}
    nonlinear = NonlinearConstraint(lambda x: x @ x, 2.0, 2.0)
    with_hess = NonlinearConstraint(
        lambda x: x @ x,
        2.0,
        2.0,
        jac=lambda x: 2 * x[None, :],
        hess=lambda x, v: 2 * v[0] * np.eye(2),
    )
    hess = {"hess": lambda x: np.zeros((2, 2))}
    for con, extra in ((dict_form, {}), (nonlinear, {}), (with_hess, hess)):
        res = minimize_l1(
            x0=[1.0, 0.5], constraints=[con], **_circle_problem(), **extra
        )
        assert res.success
        np.testing.assert_allclose(res.x, [-1.0, -1.0], atol=1e-8)
        assert res.multipliers[0][0] == pytest.approx(-0.5, abs=1e-7)
    assert res.nhev > 0  # exact Hessians were used with the last form


def test_two_sided_and_linear_constraints():
    # min (x0 - 3)^2 + (x1 + 1)^2, 0 <= x0 + x1 <= 1, -0.5 <= x1 <= 2, x0 <= 1.2:
    # x* = (1.2, -0.5), the lower side of row 1 and the bound on x0 active.
    lin = LinearConstraint([[1.0, 1.0], [0.0, 1.0]], [0.0, -0.5], [1.0, 2.0])
    res = minimize_l1(
        lambda x: (x[0] - 3) ** 2 + (x[1] + 1) ** 2,
        [0.0, 0.0],
        constraints=lin,
        bounds=[(None, 1.2), (None, None)],
    )
    assert res.success
    np.testing.assert_allclose(res.x, [1.2, -0.5], atol=1e-9)
    # grad f = A' lambda + z = (-3.6, 1).
    np.testing.assert_allclose(res.multipliers[0], [0.0, 1.0], atol=1e-7)
    np.testing.assert_allclose(res.bound_multipliers, [-3.6, 0.0], atol=1e-7)


def test_bounds_object_and_projection_of_x0():
    res = minimize_l1(lambda x: -x.sum(), [5.0, -5.0], bounds=Bounds([0, 0], [1, 2]))
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 2.0])
    np.testing.assert_allclose(res.bound_multipliers, [-1.0, -1.0])


def test_unconstrained_and_args():
    res = minimize_l1(lambda x, a: ((x - a) ** 2).sum(), np.zeros(3), args=(2.0,))
    assert res.success and res.mu_threshold == 0.0
    np.testing.assert_allclose(res.x, 2.0, atol=1e-8)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"x0": [np.nan]}, "x0 must be finite"),
        ({"x0": [[1.0]]}, "x0 must be a non-empty 1-D"),
        ({"x0": "a"}, "x0 must be an array"),
        ({"tol": 0.0}, "tol must be positive"),
        ({"tol": "1"}, "tol must be a positive real"),
        ({"maxiter": 0}, "maxiter must be a positive integer"),
        ({"maxiter": 2.5}, "maxiter must be a positive integer"),
        ({"mu": -1.0}, "mu must be positive"),
        ({"penalty": "l2"}, "penalty must be 'l1' or 'quadratic'"),
        ({"penalty": "quadratic"}, "needs a value of mu"),
        ({"bounds": [(2, 1)]}, r"bounds\[0\] must satisfy lb <= ub"),
        ({"bounds": [(0, 1), (0, 1)]}, "one \\(lb, ub\\) pair per entry"),
        ({"bounds": [3]}, r"bounds\[0\] must be a pair"),
        ({"constraints": {"type": "le", "fun": abs}}, r"\['type'\] must be 'eq'"),
        ({"constraints": {"type": "eq"}}, r"\['fun'\] must be callable"),
        ({"constraints": [3]}, r"constraints\[0\] must be a dict"),
        (
            {"constraints": NonlinearConstraint(lambda x: x, 1.0, 0.0)},
            r"constraints\[0\] needs lb <= ub",
        ),
        (
            {"constraints": LinearConstraint([[1.0, 2.0]], 0, 1)},
            r"constraints\[0\].A must have 1 columns",
        ),
        ({"jac": "2-point"}, "jac must be None, True or a callable"),
        ({"fun": lambda x: np.log(x[0] - 5)}, "fun is not finite at x0"),
    ],
)
def test_bad_input_names_the_argument(kwargs, match):
    args = {"fun": lambda x: (x[0] - 2) ** 2, "x0": [0.0]} | kwargs
    with np.errstate(invalid="ignore"), pytest.raises(ValueError, match=match):
        minimize_l1(**args)


def test_fun_returning_a_vector_is_an_error():
    with pytest.raises(ValueError, match="fun must return a scalar"):
        minimize_l1(lambda x: x, [0.0, 1.0])


def test_import_stays_lazy():
    # `import sparsefit` must not pull in this package (scipy.optimize, Clarabel).
    code = (
        "import sys, sparsefit; print('sparsefit.constrained' in sys.modules); "
        "print(sparsefit.constrained.minimize_l1.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "minimize_l1"]
    assert sparsefit.constrained.minimize_l1 is minimize_l1
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        sparsefit.nothing  # noqa: B018


def test_example_script(tmp_path):
    from pathlib import Path

    script = Path(__file__).parents[1] / "examples" / "exact_penalty.py"
    out = tmp_path / "exact_penalty.png"
    run = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=script.parents[1],
        env=os.environ | {"PYTHONPATH": str(script.parents[1])},
    )
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    lines = run.stdout.splitlines()
    assert "l1        mu =    2.5: minimiser 1.000000000000, status success" in lines[2]
    assert "quadratic mu =    100: minimiser 1.009900990099" in lines[7]


def test_iteration_limit_is_reported():
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="stopped \\(maxiter\\) after 3"):
        res = minimize_l1(
            lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2,
            [-1.5, 2.0],
            constraints={"type": "ineq", "fun": lambda x: 1 - x @ x},
            maxiter=3,
        )
    assert res.status == "maxiter" and res.status_code == 1 and not res.success
    assert res.nit == 3
