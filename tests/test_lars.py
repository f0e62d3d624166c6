"""The exact LARS-lasso path: published diabetes steps, scikit-learn's
``lars_path``, coordinate descent at alphas between knots, and the
``solver="lars"`` option of ``Lasso``."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_diabetes
from sklearn.linear_model import lars_path as sk_lars_path

from sparsefit import ElasticNet, LarsPath, Lasso, lars_path
from sparsefit.solvers import LarsSolver

from .conftest import make_problem


def objective(X, y, w, b, alpha, sw=None, v=None):
    n = X.shape[0]
    sw = np.ones(n) if sw is None else sw * n / sw.sum()
    v = np.ones(X.shape[1]) if v is None else v
    r = y - X @ w - b
    return float(sw @ r**2) / (2 * n) + alpha * float(v @ np.abs(w))


def kkt_violation(X, y, w, b, alpha, sw=None, v=None):
    """Largest violation of the lasso's KKT conditions, computed from scratch."""
    n = X.shape[0]
    sw = np.ones(n) if sw is None else sw * n / sw.sum()
    v = np.ones(X.shape[1]) if v is None else v
    grad_neg = X.T @ (sw * (y - X @ w - b)) / n
    on = np.abs(grad_neg - alpha * v * np.sign(w))
    off = np.maximum(np.abs(grad_neg) - alpha * v, 0.0)
    return float(np.where(w != 0, on, off).max())


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def test_diabetes_steps_match_the_lars_paper(diabetes):
    # Efron et al. (2004), section 3.1: 12 steps, variable 7 leaves and
    # re-enters; the least-squares fit at the end has sum |w_j| = 3460.
    X, y = diabetes
    path = lars_path(X, y)
    assert isinstance(path, LarsPath)
    assert len(path.events) == 12
    assert [j + 1 for j in path.entry_order] == [3, 9, 4, 7, 2, 10, 5, 8, 6, 1]
    leaves = [(a, j) for a, j, kind in path.events if kind == "leave"]
    assert [j + 1 for _, j in leaves] == [7]
    reentry = [a for a, j, kind in path.events if kind == "enter" and j == 6]
    assert len(reentry) == 2 and reentry[1] < leaves[0][0]
    # One knot per event (none tie) and the final one at alpha = 0.
    assert path.alphas.size == 13 and path.alphas[-1] == 0.0
    assert np.all(np.diff(path.alphas) < 0)
    assert len(path.active) == path.alphas.size - 1
    w_end = path.coefs[:, -1]
    assert abs(np.abs(w_end).sum() - 3460) < 1
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w_ls = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    np.testing.assert_allclose(w_end, w_ls, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(path.intercepts[-1], y.mean() - X.mean(0) @ w_ls)
    # The first knot is alpha_max with every coefficient at zero.
    assert path.alphas[0] == pytest.approx(np.abs(Xc.T @ yc).max() / X.shape[0])
    assert not path.coefs[:, 0].any()


def _random(seed, n, p):
    X, y = make_problem(seed, n, p)
    return X - X.mean(axis=0), y - y.mean()


@pytest.mark.parametrize("case", ["diabetes", "n>p", "n<p"])
def test_matches_scikit_learn_lars_path(case, diabetes):
    if case == "diabetes":
        X, y = diabetes[0], diabetes[1] - diabetes[1].mean()
    else:
        X, y = _random(3, 80, 25) if case == "n>p" else _random(4, 30, 70)
    path = lars_path(X, y)
    sk_alphas, _, sk_coefs = sk_lars_path(X, y, method="lasso")
    assert path.alphas.shape == sk_alphas.shape
    scale = sk_alphas[0]
    np.testing.assert_allclose(path.alphas, sk_alphas, rtol=1e-8, atol=1e-8 * scale)
    np.testing.assert_allclose(path.coefs, sk_coefs, rtol=1e-8, atol=1e-8)


def test_p_larger_than_n_ends_interpolating():
    X, y = make_problem(5, 20, 60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = lars_path(X, y)
    assert path.alphas[-1] == 0.0
    assert max(len(a) for a in path.active) <= 19  # rank of the centred X
    resid = y - path.predict(X, 0.0)
    assert np.abs(resid).max() < 1e-8 * np.abs(y).max()


@pytest.mark.parametrize(
    "weighted, factors, fit_intercept",
    [(False, None, True), (True, "positive", True), (True, "zeros", False)],
)
def test_coef_between_knots_equals_lasso(weighted, factors, fit_intercept):
    rng = np.random.default_rng(7)
    X, y = make_problem(7, 60, 15)
    sw = rng.uniform(0.2, 3.0, 60) if weighted else None
    v = None
    if factors is not None:
        v = rng.uniform(0.5, 2.0, 15)
        if factors == "zeros":
            v[[2, 9]] = 0.0
    path = lars_path(
        X, y, sample_weight=sw, penalty_factor=v, fit_intercept=fit_intercept
    )
    assert path.alphas[-1] == 0.0
    # With unpenalised features the objective is flat along them: a certified
    # gap of 1e-13 leaves coordinate descent about 1e-6 away (KKT violation
    # ~ sqrt(gap)), while the path's KKT conditions hold to rounding.
    atol = 1e-5 if factors == "zeros" else 1e-7
    for alpha in path.alphas[0] * rng.uniform(0.001, 0.9, 5):
        model = Lasso(
            alpha=alpha, tol=1e-12, penalty_factor=v, fit_intercept=fit_intercept
        ).fit(X, y, sample_weight=sw)
        w, b = path.coef(alpha), path.intercept(alpha)
        np.testing.assert_allclose(w, model.coef_, atol=atol)
        assert b == pytest.approx(model.intercept_, abs=atol)
        np.testing.assert_allclose(path.predict(X, alpha), model.predict(X), atol=atol)
        assert kkt_violation(X, y, w, b, alpha, sw, v) <= 1e-12
        best = objective(X, y, model.coef_, model.intercept_, alpha, sw, v)
        assert objective(X, y, w, b, alpha, sw, v) <= best * (1 + 1e-13)
    # Unpenalised features are fitted along the whole path and never listed as
    # events.
    if factors == "zeros":
        assert {2, 9}.isdisjoint(j for _, j, _ in path.events)
        assert path.coefs[2, 0] != 0 and path.coefs[9, 0] != 0


def test_coef_vectorised_and_outside_the_path():
    X, y = make_problem(8, 40, 10)
    path = lars_path(X, y, alpha_min=0.05)
    alphas = np.array([2 * path.alphas[0], path.alphas[0], 0.3, 0.05])
    alphas = alphas[alphas >= 0.05]
    coefs = path.coef(alphas)
    assert coefs.shape == (10, alphas.size)
    for k, alpha in enumerate(alphas):
        np.testing.assert_array_equal(coefs[:, k], path.coef(alpha))
    assert not path.coef(2 * path.alphas[0]).any()
    np.testing.assert_array_equal(path.coef(0.05), path.coefs[:, -1])
    assert path.alphas[-1] == 0.05
    with pytest.raises(ValueError, match="alpha must be >="):
        path.coef(0.01)


def test_max_knots_truncates():
    X, y = make_problem(9, 50, 20)
    full = lars_path(X, y)
    short = lars_path(X, y, max_knots=4)
    assert short.alphas.size == 4
    np.testing.assert_allclose(short.alphas, full.alphas[:4])
    np.testing.assert_allclose(short.coefs, full.coefs[:, :4], atol=1e-12)
    with pytest.raises(ValueError, match="alpha must be >="):
        short.coef(full.alphas[5])


def test_tied_entries_share_one_knot():
    X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    path = lars_path(X, X @ np.array([2.0, 2.0]))
    np.testing.assert_allclose(path.alphas, [2.0, 0.0])
    assert path.events == [(2.0, 0, "enter"), (2.0, 1, "enter")]
    np.testing.assert_allclose(path.coef(1.0), [1.0, 1.0])


def test_duplicated_column_gives_an_optimal_path():
    # The lasso solution is not unique here: compare objective values.
    X, y = make_problem(10, 40, 8)
    X = np.column_stack([X, X[:, 0]])
    path = lars_path(X, y)
    for alpha in path.alphas[0] * np.array([0.5, 0.1, 0.01]):
        w, b = path.coef(alpha), path.intercept(alpha)
        model = Lasso(alpha=alpha, tol=1e-12).fit(X, y)
        best = objective(X, y, model.coef_, model.intercept_, alpha)
        assert objective(X, y, w, b, alpha) == pytest.approx(best, rel=1e-9)


def test_lars_path_rejects_bad_input():
    X, y = make_problem(11, 20, 5)
    with pytest.raises(ValueError, match="dense X only.*sparse X"):
        lars_path(sp.csc_matrix(X), y)
    with pytest.raises(ValueError, match="penalty_factor must be >= 0"):
        lars_path(X, y, penalty_factor=-np.ones(5))
    with pytest.raises(ValueError, match="alpha_min must be >= 0"):
        lars_path(X, y, alpha_min=-1.0)
    with pytest.raises(ValueError, match="max_knots"):
        lars_path(X, y, max_knots=0)
    with pytest.raises(ValueError, match="unpenalised"):
        lars_path(np.column_stack([X, X[:, 0]]), y, penalty_factor=[0, 1, 1, 1, 1, 0])


SOLVER_CASES = [
    dict(),
    dict(fit_intercept=False),
    dict(standardize=True),
    dict(penalty_factor="random", weights=True),
    dict(p=60),
]


@pytest.mark.parametrize("case", SOLVER_CASES, ids=str)
def test_lasso_solver_lars_equals_cd(case):
    case = dict(case)
    p = case.pop("p", 12)
    rng = np.random.default_rng(12)
    X, y = make_problem(12, 40, p)
    sw = rng.uniform(0.2, 3.0, 40) if case.pop("weights", False) else None
    if case.get("penalty_factor") == "random":
        case["penalty_factor"] = rng.uniform(0.5, 2.0, p)
    for frac in (0.5, 0.05):
        alpha = frac * np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / 40
        lars = Lasso(alpha=alpha, solver="lars", **case).fit(X, y, sample_weight=sw)
        cd = Lasso(alpha=alpha, solver="cd", tol=1e-12, **case)
        cd.fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(lars.coef_, cd.coef_, atol=1e-8)
        assert lars.intercept_ == pytest.approx(cd.intercept_, abs=1e-8)
        result = lars.solver_result_
        assert result.converged
        assert lars.dual_gap_ <= 1e-12 * max(result.primal, 1.0)
        assert lars.kkt_violation_ <= 1e-10
        assert lars.n_iter_ >= 2  # knots: alpha_max, ..., alpha


def test_lasso_solver_lars_above_alpha_max():
    X, y = make_problem(13, 30, 6)
    model = Lasso(alpha=1e3, solver="lars").fit(X, y)
    assert not model.coef_.any()
    assert model.intercept_ == pytest.approx(y.mean())
    assert model.n_iter_ == 1


def test_lars_solver_cut_short_warns():
    from sklearn.exceptions import ConvergenceWarning

    X, y = make_problem(14, 50, 20)
    with pytest.warns(ConvergenceWarning, match="LARS"):
        model = Lasso(alpha=1e-3, solver="lars", max_iter=3).fit(X, y)
    assert model.n_iter_ == 3
    assert not model.solver_result_.converged


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Lasso(alpha=0.1, solver="lars", positive=True), "bounds"),
        (lambda: Lasso(alpha=0.1, solver="lars", upper_bounds=1.0), "bounds"),
        (lambda: ElasticNet(alpha=0.1, l1_ratio=0.5, solver="lars"), "l1_ratio"),
    ],
)
def test_lasso_solver_lars_rejects_other_problems(make, match):
    X, y = make_problem(15, 20, 5)
    with pytest.raises(ValueError, match=rf"solver='lars' supports.*{match}"):
        make().fit(X, y)


def test_lasso_solver_lars_rejects_sparse_X():
    X, y = make_problem(16, 20, 5)
    with pytest.raises(ValueError, match="solver='lars' supports.*sparse X"):
        Lasso(alpha=0.1, solver="lars").fit(sp.csc_matrix(X), y)


def test_solver_parameter_lists_lars():
    X, y = make_problem(17, 20, 5)
    with pytest.raises(ValueError, match="'lars'"):
        Lasso(solver="lasso").fit(X, y)
    assert LarsSolver().name == "LARS"
