"""Regularisation paths: against scikit-learn, certified at every alpha."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import enet_path as sk_enet_path
from sklearn.linear_model import lasso_path as sk_lasso_path

from sparsefit import Lasso, compute_path, enet_path, lasso_path, relaxed_path
from sparsefit.datafits import Quadratic
from sparsefit.datasets import load_prostate
from sparsefit.penalties import WeightedL1

from .conftest import make_problem


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_path_equals_scikit_learn_and_is_certified(sparse, l1_ratio):
    X, y = make_problem(0, 60, 150, density=0.3 if sparse else None)
    # The elastic net's coefficients are pinned by the gap only through its
    # strong convexity alpha (1 - l1_ratio), small at the end of the path:
    # 1e-6 in coefficients needs a gap near 1e-14 relative there.
    tol = 1e-12 if l1_ratio == 1 else 1e-14
    path = enet_path(X, y, l1_ratio=l1_ratio, fit_intercept=False, tol=tol)
    assert len(path.alphas) == 100
    assert path.alphas[-1] == pytest.approx(path.alphas[0] * 1e-2)  # n < p
    if l1_ratio == 1:
        _, ref, _ = sk_lasso_path(X, y, alphas=path.alphas, tol=1e-14, max_iter=10**6)
    else:
        _, ref, _ = sk_enet_path(
            X, y, l1_ratio=l1_ratio, alphas=path.alphas, tol=1e-14, max_iter=10**6
        )
    np.testing.assert_allclose(path.coefs.toarray(), ref, atol=1e-6)
    assert (path.dual_gaps <= path.gap_tols).all()
    assert path.kkt_violations.max() < 1e-6
    # The first point is alpha_max: everything zero there, something just below.
    assert path.n_nonzero[0] == 0 and path.n_nonzero[1] > 0


def test_alpha_max_with_intercept_weights_and_penalty_factors():
    X, y = make_problem(1, 80, 30)
    rng = np.random.default_rng(1)
    sw = rng.uniform(0.5, 2, 80)
    pf = rng.uniform(0.5, 2, 30)
    path = lasso_path(X, y, sample_weight=sw, penalty_factor=pf, n_alphas=5)
    swn = sw * 80 / sw.sum()
    Xc = X - np.average(X, axis=0, weights=swn)
    yc = y - np.average(y, weights=swn)
    expected = np.max(np.abs(Xc.T @ (swn * yc)) / 80 / pf)
    assert path.alphas[0] == pytest.approx(expected, rel=1e-12)
    assert path.alphas[-1] == pytest.approx(expected * 1e-4)  # n > p
    below = Lasso(alpha=expected * (1 - 1e-3), penalty_factor=pf, tol=1e-12).fit(
        X, y, sample_weight=sw
    )
    assert np.count_nonzero(below.coef_) == 1


def test_alpha_max_with_an_unpenalised_feature():
    X, y = make_problem(2, 80, 20)
    pf = np.ones(20)
    pf[4] = 0.0
    path = lasso_path(X, y, penalty_factor=pf, n_alphas=10, tol=1e-10)
    assert path.coefs[:, 0].nnz == 1 and path.coefs[4, 0] != 0
    assert path.n_nonzero[1] >= 2


def test_interpolation_and_exact_refit():
    X, y = make_problem(3, 100, 40)
    path = lasso_path(X, y, n_alphas=30, tol=1e-12)
    k = 10
    mid = np.sqrt(path.alphas[k] * path.alphas[k + 1])
    lo = path.coefs[:, k].toarray().ravel()
    hi = path.coefs[:, k + 1].toarray().ravel()
    np.testing.assert_allclose(path.coef(mid), (lo + hi) / 2, atol=1e-12)
    exact = Lasso(alpha=mid, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(path.coef(mid, exact=True), exact.coef_, atol=1e-8)
    assert path.intercept(mid, exact=True) == pytest.approx(exact.intercept_)
    np.testing.assert_allclose(path.coef(path.alphas[0] * 10), 0.0)
    np.testing.assert_allclose(
        path.predict(X, path.alphas[5]),
        X @ path.coef(path.alphas[5]) + path.intercepts[5],
    )
    assert path.predict(X).shape == (100, 30)
    with pytest.raises(ValueError, match="below the path's smallest alpha"):
        path.coef(path.alphas[-1] / 2)


def test_every_requested_alpha_is_returned_unless_asked():
    X, y = make_problem(4, 200, 10)
    path = lasso_path(X, y, n_alphas=100)
    assert len(path.alphas) == 100 and not path.stopped_early
    with pytest.warns(UserWarning, match="deviance explained saturated"):
        short = lasso_path(X, y, n_alphas=100, stop_saturation=True)
    assert short.stopped_early and len(short.alphas) < 100
    assert "stopped at alpha" in short.message


def test_entry_alphas_and_dev_ratio():
    X, y = make_problem(5, 100, 20)
    path = lasso_path(X, y, n_alphas=50)
    for j in range(20):
        nz = np.flatnonzero(path.coefs[j].toarray().ravel())
        if nz.size:
            assert path.entry_alphas[j] == path.alphas[nz[0]]
        else:
            assert np.isnan(path.entry_alphas[j])
    assert path.dev_ratio[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(path.dev_ratio) >= -1e-9)
    rss = np.sum((y - path.predict(X)[:, -1]) ** 2)
    assert path.dev_ratio[-1] == pytest.approx(1 - rss / np.sum((y - y.mean()) ** 2))


def test_prostate_unpenalised_end_is_esl_least_squares():
    data = load_prostate()
    X = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0, ddof=1)
    train = data.train
    grid = np.r_[np.geomspace(1.0, 1e-3, 30), 0.0]
    path = lasso_path(X[train], data.y[train], alphas=grid, tol=1e-12)
    published = [0.680, 0.263, -0.141, 0.210, 0.305, -0.288, -0.021, 0.267]
    np.testing.assert_allclose(
        path.coefs[:, -1].toarray().ravel(), published, atol=5e-4
    )
    assert path.intercepts[-1] == pytest.approx(2.465, abs=5e-4)
    assert path.coef(0.0) == pytest.approx(path.coefs[:, -1].toarray().ravel())


def test_generic_compute_path_and_sparse_equals_dense():
    X, y = make_problem(6, 80, 60)
    pf = np.linspace(0.5, 2, 60)
    dense = compute_path(X, y, Quadratic(), WeightedL1(1.0, pf), n_alphas=20, tol=1e-12)
    csc = compute_path(
        sp.csc_matrix(X), y, Quadratic(), WeightedL1(1.0, pf), n_alphas=20, tol=1e-12
    )
    np.testing.assert_allclose(dense.coefs.toarray(), csc.coefs.toarray(), atol=1e-9)
    np.testing.assert_allclose(dense.intercepts, csc.intercepts, atol=1e-9)


def test_relaxed_path_is_least_squares_on_the_support():
    X, y = make_problem(7, 100, 20)
    path = lasso_path(X, y, n_alphas=20)
    relaxed = relaxed_path(path, X, y)
    k = 8
    support = path.coefs[:, k].indices
    A = np.c_[X[:, support], np.ones(100)]
    beta = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(
        relaxed.coefs[support, k].toarray().ravel(), beta[:-1], atol=1e-8
    )
    assert relaxed.intercepts[k] == pytest.approx(beta[-1])


def test_path_errors():
    X, y = make_problem(8, 30, 5)
    with pytest.raises(ValueError, match="alphas must be finite and >= 0"):
        lasso_path(X, y, alphas=[1.0, -1.0])
    with pytest.raises(ValueError, match="eps must be < 1"):
        lasso_path(X, y, eps=2.0)
    with pytest.raises(ValueError, match="X has 30 rows but y has 29"):
        lasso_path(X, y[:-1])


def test_gaussian_path_predicts_the_response_as_the_link():
    X, y = make_problem(9, 40, 6)
    path = compute_path(X, y, n_alphas=5)
    link = path.predict(X, kind="link")
    np.testing.assert_array_equal(path.predict(X, kind="response"), link)


def test_saturation_rule_ignores_a_grid_that_starts_above_alpha_max():
    """Above alpha_max the deviance explained stays 0; that is no
    saturation (glmnet's rule compares the change with the deviance
    explained, 0 < 0 being false), so a grid from other data (a CV fold's,
    a subsample's) that starts there is fitted to its end."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    top = lasso_path(X, y, n_alphas=2)
    alphas = top.alphas[0] * np.geomspace(4.0, 0.05, 12)
    path = lasso_path(X, y, alphas=alphas, stop_saturation=True)
    assert not path.stopped_early and path.alphas.shape == (12,)
    assert path.dev_ratio[0] == 0 and path.dev_ratio[-1] > 0.4


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("family", ["gaussian", "multinomial"])
def test_predict_at_every_alpha_is_each_column_times_x(sparse, family):
    """``predict(X)`` at every grid alpha (from the features the path ever
    uses) equals ``X coef + intercept`` at each alpha, class by class."""
    from sparsefit.datafits import Multinomial

    rng = np.random.default_rng(3)
    X = rng.standard_normal((80, 40))
    X[:, 5:] *= rng.random((80, 35)) < 0.3
    if family == "gaussian":
        y, datafit = (
            X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(80),
            None,
        )
    else:
        y, datafit = rng.integers(0, 3, 80), Multinomial()
    path = compute_path(sp.csc_matrix(X) if sparse else X, y, datafit, n_alphas=15)
    X_new = rng.standard_normal((7, 40))
    got = path.predict(sp.csr_matrix(X_new) if sparse else X_new)
    K = path.n_outputs
    for k in range(path.alphas.size):
        coef = path.coefs[:, k].toarray().reshape(K, 40)
        link = X_new @ coef.T + path.intercepts[k]
        expected = link[:, 0] if K == 1 else link
        np.testing.assert_allclose(got[..., k], expected, rtol=1e-12, atol=1e-12)
