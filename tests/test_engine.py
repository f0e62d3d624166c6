"""The one engine: every solver that accepts a problem solves it, certified,
to the same optimum; the solver registry refuses the pairs that do not fit."""

import numpy as np
import pytest

from sparsefit import compute_path
from sparsefit._problem import Problem
from sparsefit.datafits import Huber, Logistic, Multinomial, Poisson, Quadratic
from sparsefit.penalties import ElasticNetPenalty
from sparsefit.solvers import SOLVERS, CoordinateDescent, ProxNewton, make_solver


def _data(datafit, seed=0, n=60, p=25):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    z = X[:, :4] @ np.array([1.0, -1.5, 0.8, 0.5])
    if isinstance(datafit, Logistic):
        y = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), 1.0, -1.0)
    elif isinstance(datafit, Multinomial):
        y = np.eye(3)[rng.integers(0, 3, n) * (z > 0) + (z <= 0)]
    elif isinstance(datafit, Poisson):
        y = rng.poisson(np.exp(0.3 * z)).astype(float)
    else:
        y = z + 0.5 * rng.standard_normal(n)
    return X, y


DATAFITS = [Quadratic(), Logistic(), Multinomial(), Poisson(), Huber(delta=1.0)]


@pytest.mark.parametrize("datafit", DATAFITS, ids=lambda d: type(d).__name__)
def test_every_accepting_solver_reaches_the_same_optimum(datafit):
    X, y = _data(datafit)
    penalty = ElasticNetPenalty(1.0, 0.8)
    values = {}
    for name in SOLVERS:
        problem = Problem(X, y, datafit, penalty, solver="auto")
        if not SOLVERS[name].accepts(problem):
            continue
        if name == "lars":
            penalty_l1 = ElasticNetPenalty(1.0, 1.0)
            problem = Problem(X, y, datafit, penalty_l1, solver=name, tol=1e-10)
            alpha_max = problem.alpha_max()[0]
            res = problem.solve(0.1 * alpha_max)
            cd = Problem(X, y, datafit, penalty_l1, solver="cd", tol=1e-10)
            ref = cd.solve(0.1 * alpha_max)
            assert res.converged
            np.testing.assert_allclose(res.primal, ref.primal, rtol=1e-9)
            continue
        problem = Problem(
            X, y, datafit, penalty, solver=name, tol=1e-10, max_iter=100_000
        )
        alpha = 0.1 * problem.alpha_max()[0]
        res = problem.solve(alpha)
        assert res.converged, name
        assert res.dual_gap <= res.tol_abs
        assert res.intercept is not None
        assert res.datafit_value <= res.primal
        values[name] = res.primal
    assert len(values) >= 2 or isinstance(datafit, Quadratic)
    best = min(values.values())
    for name, value in values.items():
        assert value - best <= 1e-8 * abs(best), name


def test_auto_picks_by_capability_and_refuses_what_does_not_fit():
    X, y = _data(Quadratic())
    ls = Problem(X, y, Quadratic(), ElasticNetPenalty(1.0, 1.0))
    assert isinstance(ls.solver, CoordinateDescent)
    Xl, yl = _data(Logistic())
    glm = Problem(Xl, yl, Logistic(), ElasticNetPenalty(1.0, 1.0))
    assert isinstance(glm.solver, ProxNewton)
    with pytest.raises(ValueError, match=r"solver must be one of .*Logistic.*'cd'"):
        make_solver("cd", glm)
    with pytest.raises(ValueError, match="does not apply"):
        Problem(X, y, Quadratic(), ElasticNetPenalty(1.0, 1.0), solver=ProxNewton())


@pytest.mark.parametrize("tol", [None, 1e-10])
def test_least_squares_offset_is_a_shift_of_the_target(tol):
    X, y = _data(Quadratic(), seed=3)
    o = np.random.default_rng(4).standard_normal(y.shape[0])
    kw = {} if tol is None else {"tol": tol}
    with_offset = compute_path(X, y, Quadratic(), offset=o, n_alphas=10, **kw)
    shifted = compute_path(X, y - o, Quadratic(), n_alphas=10, **kw)
    np.testing.assert_allclose(with_offset.alphas, shifted.alphas)
    np.testing.assert_allclose(
        with_offset.coefs.toarray(), shifted.coefs.toarray(), atol=1e-12
    )
    np.testing.assert_allclose(with_offset.intercepts, shifted.intercepts, atol=1e-12)


@pytest.mark.parametrize("tol", [None, 1e-10])
def test_least_squares_path_by_fista_matches_coordinate_descent(tol):
    X, y = _data(Quadratic(), seed=5)
    kw = {} if tol is None else {"tol": tol}
    cd = compute_path(X, y, n_alphas=8, eps=0.05, **kw)
    fista = compute_path(X, y, n_alphas=8, eps=0.05, solver="fista", **kw)
    assert (fista.dual_gaps <= fista.gap_tols).all()
    problem = cd._problem
    for k, alpha in enumerate(cd.alphas):
        # Both certified: each objective within the other's gap.
        p_cd = _objective(problem, alpha, cd, k)
        p_fista = _objective(problem, alpha, fista, k)
        assert abs(p_cd - p_fista) <= cd.dual_gaps[k] + fista.dual_gaps[k] + 1e-12


def _objective(problem, alpha, path, k):
    coef = path.coefs[:, k].toarray().ravel()
    w = problem.from_original(coef)
    r = problem.y - problem.design.matvec(w)
    pen = problem.matrix_penalty(alpha).value(w[:, None])
    return float(r @ r) / (2 * r.shape[0]) + pen


def test_a_binary_problem_refuses_labels_it_cannot_read():
    X, y = _data(Logistic())
    with pytest.raises(ValueError, match="labels coded -1 and"):
        Problem(X, (y > 0).astype(float), Logistic(), ElasticNetPenalty(1.0, 1.0))


def test_fista_verbose_prints_its_checks(capsys):
    X, y = _data(Quadratic())
    from sparsefit.solvers import FISTA

    problem = Problem(X, y, Quadratic(), ElasticNetPenalty(1.0, 1.0))
    problem.solver = FISTA(verbose=True)
    problem.solve(0.5 * problem.alpha_max()[0])
    assert "[fista] iter 0: gap" in capsys.readouterr().out
