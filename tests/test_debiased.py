"""Debiased lasso: coverage, bad input, determinism, the result record."""

import numpy as np
import pytest

from sparsefit.selection._debiased import debiased_lasso


def simulate(n, p, k, rho, seed, amplitude=0.5):
    rng = np.random.default_rng(seed)
    i = np.arange(p)
    Sigma = rho ** np.abs(i[:, None] - i[None])
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(Sigma).T
    beta = np.zeros(p)
    beta[rng.choice(p, k, replace=False)] = amplitude * rng.choice([-1, 1], k)
    return X, X @ beta + rng.standard_normal(n) + 3.0, beta


def test_null_intervals_cover_at_their_level():
    covered, signal_covered = [], []
    for seed in range(6):
        X, y, beta = simulate(150, 60, 5, 0.5, seed)
        res = debiased_lasso(X, y, random_state=seed)
        inside = (res.ci_[:, 0] <= beta) & (beta <= res.ci_[:, 1])
        covered.extend(inside[beta == 0])
        signal_covered.extend(inside[beta != 0])
    # 330 null intervals: the binomial standard error at 95% is 1.2%.
    assert 0.92 <= np.mean(covered) <= 0.98
    assert np.mean(signal_covered) >= 0.8


def test_strong_signals_get_small_p_values_and_scale_is_respected():
    X, y, beta = simulate(200, 40, 4, 0.3, 1, amplitude=1.0)
    scale = np.linspace(0.1, 10, 40)
    # The same folds for both: the columns are standardised inside, so the
    # two problems are the same one.
    res = debiased_lasso(X, y, random_state=0)
    scaled = debiased_lasso(X * scale, y, random_state=0)
    assert (res.p_values_[beta != 0] < 1e-6).all()
    np.testing.assert_allclose(scaled.coef_ * scale, res.coef_, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(scaled.p_values_, res.p_values_, rtol=1e-2, atol=1e-4)


def test_known_sigma_and_level_set_the_width():
    X, y, _ = simulate(120, 30, 3, 0.5, 2)
    wide = debiased_lasso(X, y, sigma=2.0, level=0.99, random_state=0)
    narrow = debiased_lasso(X, y, sigma=1.0, level=0.99, random_state=0)
    np.testing.assert_allclose(
        np.diff(wide.ci_, axis=1), 2 * np.diff(narrow.ci_, axis=1), rtol=1e-10
    )
    assert wide.sigma_ == 2.0


def test_bad_input():
    X, y, _ = simulate(50, 10, 2, 0.5, 0)
    for level in (0, 1, 95, -0.5):
        with pytest.raises(ValueError, match="level must lie in"):
            debiased_lasso(X, y, level=level)
    with pytest.raises(ValueError, match="family='binomial'"):
        debiased_lasso(X, y > 3, family="binomial")
    with pytest.raises(ValueError, match="sigma"):
        debiased_lasso(X, y, sigma="mad")
    with pytest.raises(ValueError, match="sigma must be .* a positive number"):
        debiased_lasso(X, y, sigma=-1.0)
    with pytest.raises(ValueError, match="alpha"):
        debiased_lasso(X, y, alpha=0.0)
    X[:, 3] = 1.0
    with pytest.raises(ValueError, match=r"constant columns \[3\]"):
        debiased_lasso(X, y)


def test_same_result_on_any_number_of_workers():
    X, y, _ = simulate(100, 25, 3, 0.5, 3)
    one = debiased_lasso(X, y, n_jobs=1, random_state=5)
    two = debiased_lasso(X, y, n_jobs=2, random_state=5)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    np.testing.assert_array_equal(one.ci_, two.ci_)
    np.testing.assert_array_equal(one.p_values_, two.p_values_)


def test_frame_and_record():
    pd = pytest.importorskip("pandas")
    X, y, beta = simulate(100, 15, 3, 0.5, 4, amplitude=1.0)
    frame = pd.DataFrame(X, columns=[f"g{j}" for j in range(15)])
    res = debiased_lasso(frame, y, alpha=0.05, random_state=7)
    out = res.to_frame()
    assert list(out.columns) == [
        "feature",
        "coef",
        "std_error",
        "ci_low",
        "ci_high",
        "p_value",
        "q_value",
        "selected",
    ]
    assert out["feature"].tolist() == list(frame.columns)
    np.testing.assert_array_equal(
        out["selected"], (res.ci_[:, 0] > 0) | (res.ci_[:, 1] < 0)
    )
    # Benjamini-Hochberg: q_(i) = min_{k >= i} p_(k) m / k, and at an fdr
    # the selection is q <= fdr.
    p = np.sort(res.p_values_)
    m = p.size
    q = np.minimum.accumulate((p * m / np.arange(1, m + 1))[::-1])[::-1]
    np.testing.assert_allclose(np.sort(out["q_value"]), np.minimum(q, 1.0))
    at = res.to_frame(fdr=0.1)
    np.testing.assert_array_equal(at["selected"], at["q_value"] <= 0.1)
    assert res.alpha_ == 0.05
    assert res.random_state == 7
    assert 0 <= res.max_gap_ <= 1e-4
    assert res.not_converged_ == []


def test_sigma_of_the_wrong_kind_is_a_value_error():
    X, y, _ = simulate(60, 8, 2, 0.5, 1, amplitude=1.0)
    with pytest.raises(ValueError, match="sigma must be"):
        debiased_lasso(X, y, alpha=0.1, sigma=[1.0])


def test_nodewise_rows_match_the_regressions_on_the_other_columns():
    """Each node is solved on the shared Gram matrix with its own column held
    at 0; its row of Theta is that of the lasso of the column on the others
    (the column removed) at the node's alpha."""
    from sparsefit import compute_path

    X, y, _ = simulate(80, 25, 3, 0.5, 4)
    res = debiased_lasso(X, y, sigma=1.0, alpha=0.1, tol=1e-10)
    n = X.shape[0]
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    gram = Xs.T @ Xs / n
    for j in (0, 7, 24):
        others = np.delete(Xs, j, axis=1)
        fit = compute_path(
            others,
            Xs[:, j],
            fit_intercept=False,
            alphas=[res.node_alphas_[j]],
            tol=1e-12,
            progress=False,
        )
        gamma = fit.coefs[:, 0].toarray().ravel()
        tau2 = Xs[:, j] @ (Xs[:, j] - others @ gamma) / n
        row = np.insert(-gamma, j, 1.0) / tau2
        se = np.sqrt(row @ gram @ row / n) / X.std(axis=0)[j]
        assert res.std_errors_[j] == pytest.approx(se, rel=1e-6)


def test_residual_sigma_counts_the_intercept():
    X, y, _ = simulate(60, 15, 3, 0.5, 6)
    res = debiased_lasso(X, y, alpha=0.05)
    n = X.shape[0]
    fitted = (X - X.mean(axis=0)) @ res.lasso_coef_
    rss = np.sum((y - y.mean() - fitted) ** 2)
    k = np.count_nonzero(res.lasso_coef_)
    assert res.sigma_ == pytest.approx(np.sqrt(rss / (n - k - 1)), rel=1e-10)


def test_drawn_seed_is_recorded_and_repeats_the_run():
    X, y, _ = simulate(80, 12, 2, 0.5, 7)
    first = debiased_lasso(X, y)
    assert first.random_state is None and isinstance(first.seed_, int)
    again = debiased_lasso(X, y, random_state=first.seed_)
    assert again.seed_ == first.seed_
    np.testing.assert_array_equal(again.coef_, first.coef_)
    assert again.alpha_ == first.alpha_
