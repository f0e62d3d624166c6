"""Knockoff filter: constructions, thresholds, FDR, bad input, determinism."""

import warnings

import numpy as np
import pytest

from sparsefit.selection._knockoff_stats import (
    knockoff_q_values,
    knockoff_threshold,
    min_achievable_fdr,
)
from sparsefit.selection._knockoffs import (
    fixed_x_knockoffs,
    gaussian_knockoffs,
    knockoff_select,
)
from sparsefit.selection._sdp import knockoff_s


def ar1(p, rho):
    i = np.arange(p)
    return rho ** np.abs(i[:, None] - i[None])


def simulate(n, p, k, rho, seed, amplitude, family="gaussian"):
    rng = np.random.default_rng(seed)
    Sigma = ar1(p, rho)
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(Sigma).T
    beta = np.zeros(p)
    beta[rng.choice(p, k, replace=False)] = amplitude * rng.choice([-1, 1], k)
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.standard_normal(n)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y, beta != 0, Sigma


def random_correlation(p, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((2 * p, p)) @ rng.standard_normal((p, p))
    return np.cov(A, rowvar=False)


@pytest.mark.parametrize("construction", ["equicorrelated", "sdp", "mvr"])
@pytest.mark.parametrize("which", ["ar", "random"])
def test_s_feasible_and_joint_covariance_psd(construction, which):
    Sigma = ar1(30, 0.6) if which == "ar" else random_correlation(30, 1)
    s = knockoff_s(Sigma, construction)
    assert (s >= 0).all()
    D = np.diag(s)
    G = np.block([[Sigma, Sigma - D], [Sigma - D, Sigma]])
    assert np.linalg.eigvalsh(G)[0] >= -1e-8 * np.abs(Sigma).max()
    assert (s <= np.diag(Sigma) * (1 + 1e-9)).all()


def test_sdp_matches_clarabel_and_beats_equicorrelated():
    cp = pytest.importorskip("cvxpy")
    for Sigma in (ar1(25, 0.8), random_correlation(25, 2)):
        d = np.sqrt(np.diag(Sigma))
        C = Sigma / np.outer(d, d)
        v = cp.Variable(25)
        problem = cp.Problem(
            cp.Maximize(cp.sum(v)), [v >= 0, v <= 1, 2 * C - cp.diag(v) >> 0]
        )
        problem.solve(solver="CLARABEL")
        ours = knockoff_s(Sigma, "sdp") / np.diag(Sigma)
        assert ours.sum() >= knockoff_s(Sigma).sum() / np.diag(Sigma)[0] - 1e-9
        assert ours.sum() == pytest.approx(v.value.sum(), rel=2e-3)


def test_s_cache_returns_copies():
    Sigma = ar1(10, 0.3)
    s = knockoff_s(Sigma, "mvr")
    s[:] = -1
    assert (knockoff_s(Sigma, "mvr") > 0).all()


def test_gaussian_knockoffs_have_the_swap_invariant_covariance():
    p = 5
    Sigma = ar1(p, 0.5)
    s = knockoff_s(Sigma, "sdp")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40_000, p)) @ np.linalg.cholesky(Sigma).T
    Xk = gaussian_knockoffs(X, Sigma, s, mu=np.zeros(p), random_state=1)
    D = np.diag(s)
    G = np.block([[Sigma, Sigma - D], [Sigma - D, Sigma]])
    empirical = np.cov(np.hstack([X, Xk]), rowvar=False)
    np.testing.assert_allclose(empirical, G, atol=0.03)


@pytest.mark.parametrize("construction", ["equicorrelated", "sdp", "mvr"])
def test_fixed_x_knockoffs_exact_identities(construction):
    X, *_ = simulate(80, 30, 3, 0.5, 0, 1.0)
    X = X * np.linspace(0.5, 3, 30) + 2.0
    Xk, s = fixed_x_knockoffs(X, construction, random_state=0)
    Xc, Xkc = X - X.mean(axis=0), Xk - X.mean(axis=0)
    gram = Xc.T @ Xc
    np.testing.assert_allclose(Xk.mean(axis=0), X.mean(axis=0), atol=1e-10)
    np.testing.assert_allclose(Xkc.T @ Xkc, gram, atol=1e-8 * np.abs(gram).max())
    np.testing.assert_allclose(
        Xc.T @ Xkc, gram - np.diag(s), atol=1e-8 * np.abs(gram).max()
    )
    # The SDP may set some s_j to 0 (a knockoff equal to its feature).
    assert (s >= 0).all() and s.sum() > 0


def test_thresholds_on_hand_made_statistics():
    # Sorted |W|: 1 .. 10, with negatives at 2 and 4.
    W = np.array([10, 9, 8, 7, 6, 5, -4, 3, -2, 1, 0], dtype=float)
    # knockoff+: at t=5: (1 + 0) / 6 > 0.1; t=6: 1/5 ... t=10: 1/1.
    # At t=3: (1 + 1) / 7; nothing reaches 0.1 -> infinite.
    assert knockoff_threshold(W, 0.1, offset=1) == np.inf
    # knockoff (offset 0): t=5 gives 0 / 6 <= 0.1; t=3 gives 1/7 > 0.1; t=4 is
    # the smallest with ratio 0: #{W <= -4}=1 -> no; so 5.
    assert knockoff_threshold(W, 0.1, offset=0) == 5.0
    # knockoff+ at q=0.2: t=5 gives 1/6 <= 0.2; t=3 gives 2/7 > 0.2.
    assert knockoff_threshold(W, 0.2, offset=1) == 5.0
    assert min_achievable_fdr(W, offset=1) == pytest.approx(1 / 6)
    assert knockoff_threshold(np.zeros(5), 0.5) == np.inf


def test_q_values_agree_with_thresholds():
    rng = np.random.default_rng(3)
    for _ in range(20):
        W = np.round(rng.standard_normal(60) + rng.choice([0, 3], 60), 1)
        for offset in (0, 1):
            q = knockoff_q_values(W, offset)
            for fdr in (0.05, 0.1, 0.2, 0.3):
                selected = W >= knockoff_threshold(W, fdr, offset)
                np.testing.assert_array_equal(selected, q <= fdr)


def test_fdr_controlled_in_a_small_simulation():
    fdps, powers = [], []
    for seed in range(16):
        X, y, true, Sigma = simulate(200, 60, 15, 0.5, seed, 0.45)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            res = knockoff_select(X, y, fdr=0.2, Sigma=Sigma, random_state=seed)
        sel = res.selected_
        fdps.append((sel & ~true).sum() / max(1, sel.sum()))
        powers.append((sel & true).sum() / true.sum())
    se = np.std(fdps, ddof=1) / np.sqrt(len(fdps))
    assert np.mean(fdps) <= 0.2 + 2 * se
    assert np.mean(powers) >= 0.5


def test_logistic_and_signed_max_select_strong_signals():
    X, y, true, Sigma = simulate(400, 40, 12, 0.3, 5, 1.5, family="binomial")
    for statistic in ("lcd", "lsm"):
        res = knockoff_select(
            X,
            y,
            family="binomial",
            fdr=0.3,
            Sigma=Sigma,
            statistic=statistic,
            random_state=0,
        )
        assert (res.selected_ & true).sum() >= 6
        assert res.max_gap_ <= 1e-4
        assert res.not_converged_ == []


def test_fixed_x_filter_runs_with_signed_max():
    X, y, true, _ = simulate(300, 60, 20, 0.3, 7, 0.5)
    res = knockoff_select(X, y, knockoffs="fixed-x", fdr=0.2, random_state=0)
    assert res.statistic == "lsm"
    assert (res.selected_ & true).sum() >= 10


def test_infinite_threshold_selects_nothing_and_says_so():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 20))
    y = rng.standard_normal(100)
    with pytest.warns(UserWarning, match=r"fdr=0.05 is infinite.*smallest fdr"):
        res = knockoff_select(X, y, fdr=0.05, random_state=0, statistic="lsm")
    assert not res.selected_.any()
    assert "infinite" in res.message_
    assert np.isinf(res.thresholds_[0])


def test_bad_input():
    X, y, *_ = simulate(50, 30, 3, 0.5, 0, 1.0)
    with pytest.raises(ValueError, match=r"n=50, p=30.*model-x"):
        knockoff_select(X, y, knockoffs="fixed-x")
    with pytest.raises(ValueError, match=r"n=50, p=30"):
        fixed_x_knockoffs(X)
    for fdr in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match="fdr must lie in"):
            knockoff_select(X, y, fdr=fdr)
    with pytest.raises(ValueError, match="offset"):
        knockoff_select(X, y, offset=2)
    with pytest.raises(ValueError, match="construction"):
        knockoff_select(X, y, construction="maxent")
    with pytest.raises(ValueError, match="family"):
        knockoff_select(X, y, family="cox")
    with pytest.raises(ValueError, match="n_draws"):
        knockoff_select(X, y, n_draws=0)
    with pytest.raises(ValueError, match="Sigma must have shape"):
        knockoff_select(X, y, Sigma=np.eye(3))


def test_same_seed_same_selection_on_any_number_of_workers():
    X, y, _, Sigma = simulate(150, 30, 8, 0.5, 1, 0.6)
    kwargs = dict(fdr=0.2, Sigma=Sigma, n_draws=3, random_state=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        one = knockoff_select(X, y, n_jobs=1, **kwargs)
        two = knockoff_select(X, y, n_jobs=2, **kwargs)
        other = knockoff_select(X, y, n_jobs=1, **dict(kwargs, random_state=12))
    np.testing.assert_array_equal(one.statistics_, two.statistics_)
    np.testing.assert_array_equal(one.selected_, two.selected_)
    np.testing.assert_array_equal(one.e_values_, two.e_values_)
    assert not np.array_equal(one.statistics_, other.statistics_)


def test_result_frame_and_record():
    pd = pytest.importorskip("pandas")
    X, y, _, Sigma = simulate(150, 20, 5, 0.5, 2, 0.8)
    frame = pd.DataFrame(X, columns=[f"g{j}" for j in range(20)])
    res = knockoff_select(frame, y, fdr=0.3, Sigma=Sigma, random_state=4, n_draws=2)
    out = res.to_frame()
    assert list(out.columns) == [
        "feature",
        "statistic",
        "q_value",
        "selection_frequency",
        "e_value",
        "selected",
    ]
    assert out["feature"].tolist() == list(frame.columns)
    assert out["selected"].dtype == bool
    assert res.random_state == 4
    assert 0 <= res.max_gap_ <= 1e-4
    assert res.not_converged_ == []
    np.testing.assert_array_equal(res.support_, np.flatnonzero(res.selected_))


def test_fdr_accepts_any_real_number_and_refuses_the_rest():
    from sparsefit.selection._knockoff_stats import check_fdr

    assert check_fdr(np.float32(0.25)) == pytest.approx(0.25)
    for bad in (True, "0.1", 1.0, 0.0):
        with pytest.raises(ValueError, match="fdr must lie in"):
            check_fdr(bad)


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_early_stopped_cv_alpha_is_the_full_cv_minimum(family):
    """The folds' paths stop once the curve has risen, and the alpha chosen
    is the one the full cross-validation curve chooses on the same folds."""
    from sklearn.model_selection import KFold, StratifiedKFold

    from sparsefit import cross_validate_path
    from sparsefit.selection._knockoff_stats import cv_alpha

    X, y, _, _ = simulate(120, 40, 8, 0.5, 3, 0.6, family)
    splitter = StratifiedKFold if family == "binomial" else KFold
    folds = list(splitter(5, shuffle=True, random_state=0).split(X, y))
    full = cross_validate_path(
        X, y, family=family, n_alphas=30, cv=folds, tol=1e-6, progress=False
    )
    alpha, (gap, bad) = cv_alpha(X, y, family, full.alphas, folds, 1e-6, "t")
    assert alpha == pytest.approx(full.alpha_min, rel=1e-12)
    assert 0 <= gap <= 1e-6 and bad == []


def test_lcd_statistic_is_antisymmetric_with_early_stopping():
    """Swapping the features with their knockoffs negates W: the stopping
    rule sees the columns only through the fits."""
    from sklearn.model_selection import KFold

    from sparsefit.selection._knockoff_stats import lasso_statistic

    X, y, _, Sigma = simulate(150, 30, 6, 0.5, 5, 0.5)
    Xk = gaussian_knockoffs(X, Sigma, knockoff_s(Sigma), random_state=0)
    kwargs = dict(
        family="gaussian", statistic="lcd", alpha=None, n_alphas=20, tol=1e-10
    )
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    W, alpha, _ = lasso_statistic(X, Xk, y, cv=folds, name="a", **kwargs)
    W_swap, alpha_swap, _ = lasso_statistic(Xk, X, y, cv=folds, name="b", **kwargs)
    assert alpha == pytest.approx(alpha_swap)
    np.testing.assert_allclose(W_swap, -W, atol=1e-6)
    assert np.count_nonzero(W) > 0


def test_cached_draw_matrices_give_the_uncached_knockoffs():
    Sigma = random_correlation(12, 1)
    s = knockoff_s(Sigma, "mvr")
    X = np.random.default_rng(0).multivariate_normal(np.zeros(12), Sigma, 40)
    first = gaussian_knockoffs(X, Sigma, s, random_state=3)
    again = gaussian_knockoffs(X, Sigma, s, random_state=3)
    inv_d = np.linalg.solve(Sigma, np.diag(s))
    V = 2 * np.diag(s) - np.diag(s) @ inv_d
    vals, vecs = np.linalg.eigh(V)
    root = vecs * np.sqrt(np.clip(vals, 0, None))
    noise = np.random.default_rng(3).standard_normal(X.shape)
    expected = X - (X - X.mean(axis=0)) @ inv_d + noise @ root.T
    np.testing.assert_allclose(first, expected, atol=1e-10)
    np.testing.assert_array_equal(first, again)


def test_drawn_seed_is_recorded_and_repeats_the_run():
    X, y, _, Sigma = simulate(100, 20, 5, 0.5, 8, 0.6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = knockoff_select(X, y, Sigma=Sigma, n_draws=2)
        again = knockoff_select(X, y, Sigma=Sigma, n_draws=2, random_state=first.seed_)
        given = knockoff_select(X, y, Sigma=Sigma, random_state=3)
    assert first.random_state is None and isinstance(first.seed_, int)
    np.testing.assert_array_equal(again.statistics_, first.statistics_)
    assert given.seed_ == 3


@pytest.mark.parametrize(("family", "tol"), [("gaussian", 1e-10), ("binomial", 1e-4)])
def test_lcd_statistic_is_the_path_fit_at_the_cv_alpha(family, tol):
    """The statistic's fit at the cross-validated alpha (one solve started
    from the folds' mean) is the fit the path down the grid reaches there:
    equal at a tight tolerance, and close at the default one, where both are
    certified to ``tol``."""
    from sklearn.model_selection import KFold, StratifiedKFold

    from sparsefit import compute_path
    from sparsefit.datafits import Logistic, Quadratic
    from sparsefit.selection._knockoff_stats import lasso_statistic

    X, y, _, Sigma = simulate(150, 30, 6, 0.5, 5, 0.8, family)
    Xk = gaussian_knockoffs(X, Sigma, knockoff_s(Sigma), random_state=0)
    splitter = StratifiedKFold if family == "binomial" else KFold
    folds = list(splitter(5, shuffle=True, random_state=0).split(X, y))
    W, alpha, (gap, bad) = lasso_statistic(
        X,
        Xk,
        y,
        family=family,
        statistic="lcd",
        alpha=None,
        cv=folds,
        n_alphas=20,
        tol=tol,
        name="t",
    )
    assert 0 <= gap <= tol and bad == []
    Z = np.hstack([X, Xk])
    datafit = Quadratic() if family == "gaussian" else Logistic()
    top = compute_path(Z, y, datafit, n_alphas=20, tol=tol, progress=False)
    grid = top.alphas[top.alphas >= alpha * (1 - 1e-12)]
    assert grid[-1] == pytest.approx(alpha, rel=1e-12)
    path = compute_path(Z, y, datafit, alphas=grid, tol=tol, progress=False)
    coef = np.abs(path.coefs[:, -1].toarray().ravel())
    expected = coef[:30] - coef[30:]
    if tol < 1e-8:
        np.testing.assert_allclose(W, expected, atol=1e-6)
    else:
        # Two points within tol of the optimum: the same signs, close values.
        assert np.sign(W[W != 0]).tolist() == np.sign(expected[W != 0]).tolist()
        assert np.abs(W - expected).max() <= 0.05 * np.abs(expected).max()
