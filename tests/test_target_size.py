"""Target size: the alphas of a path whose support has exactly k features.

Acceptance: on the diabetes data and two random problems, every size the
exact LARS-lasso path reaches is found, with the support LARS has at that
size (its first segment of that size), at the default tolerance.
"""

import numpy as np
import pytest
from scipy.linalg import hadamard
from sklearn.datasets import load_diabetes, load_iris

from sparsefit import (
    Lasso,
    SparseLogisticRegression,
    compute_path,
    lars_path,
    lasso_path,
)
from sparsefit.datafits import Logistic, Multinomial
from sparsefit.selection import alphas_for_size


def _lars_supports(X, y):
    """Support and ``(alpha_high, alpha_low)`` of the first LARS segment of
    each size."""
    lars = lars_path(X, y)
    out = {}
    for k in range(len(lars.alphas) - 1):
        high, low = lars.alphas[k], lars.alphas[k + 1]
        support = tuple(np.flatnonzero(lars.coef(0.5 * (high + low))).tolist())
        out.setdefault(len(support), (support, (high, low)))
    return out


def _problems():
    X, y = load_diabetes(return_X_y=True)
    yield pytest.param("diabetes", X, y, id="diabetes")
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((60, 30))
        w = np.zeros(30)
        w[:8] = 2 * rng.standard_normal(8)
        y = X @ w + rng.standard_normal(60)
        yield pytest.param(f"random{seed}", X, y, id=f"random{seed}")


@pytest.mark.parametrize("name, X, y", list(_problems()))
def test_every_lars_size_found_with_lars_support(name, X, y):
    supports = _lars_supports(X, y)
    path = lasso_path(X, y)  # default tol
    assert path.n_nonzero.max() == max(supports)
    for k, (support, (lars_high, lars_low)) in supports.items():
        result = path.alphas_for_size(k)
        assert result.found, (name, k, result.message)
        assert tuple(result.support.tolist()) == support, (name, k)
        assert not result.not_converged
        # The interval is LARS's segment, its ends at LARS's knots (to the
        # accuracy at which a default fit decides a feature's zero status).
        high, low = result.intervals[0]
        assert high == pytest.approx(lars_high, rel=1e-2), (name, k)
        # LARS's last segment runs to 0; the path stops at its last alpha.
        low_end = lars_low if lars_low > 0 else path.alphas[-1]
        assert low == pytest.approx(low_end, rel=1e-2), (name, k)
        fit = Lasso(alpha=result.alpha).fit(X, y)
        assert np.flatnonzero(fit.coef_).tolist() == list(support), (name, k)


def test_k_zero_reaches_above_alpha_max():
    X, y = load_diabetes(return_X_y=True)
    path = lasso_path(X, y)
    result = path.alphas_for_size(0)
    assert result.found and result.support.size == 0
    high, low = result.intervals[0]
    assert high == np.inf
    assert low == pytest.approx(path.alphas[0], rel=1e-3)


def test_k_above_largest_size_names_k_and_size():
    X, y = load_diabetes(return_X_y=True)
    path = lasso_path(X, y)
    with pytest.raises(ValueError, match=r"k=11 .*largest support size.* 10"):
        path.alphas_for_size(11)


@pytest.mark.parametrize("k", [-1, 1.5, True, "3"])
def test_bad_k(k):
    X, y = load_diabetes(return_X_y=True)
    path = lasso_path(X, y, n_alphas=10)
    with pytest.raises(ValueError, match="k must be an int"):
        alphas_for_size(path, k)


def test_size_skipped_reports_nearest_sizes():
    # Orthogonal centred columns with equal pulls: two features enter at once.
    H = hadamard(8).astype(float)[:, 1:4]
    y = 3 * H[:, 0] + 3 * H[:, 1] + H[:, 2]
    path = lasso_path(H, y, n_alphas=30)
    result = path.alphas_for_size(1)
    assert not result.found
    assert result.below[0] == 0 and result.above[0] == 2
    assert result.below[1] > result.above[1]
    assert "no alpha" in result.message and "1 features" in result.message
    assert path.alphas_for_size(2).found


def test_logistic_size_matches_a_fit_at_its_alpha():
    X, y = load_diabetes(return_X_y=True)
    y = (y > np.median(y)).astype(int)
    path = compute_path(X, y, Logistic())
    for k in (1, 3, 5):
        result = path.alphas_for_size(k)
        assert result.found, result.message
        fit = SparseLogisticRegression(alpha=result.alpha).fit(X, y)
        assert np.flatnonzero(fit.coef_[0]).tolist() == result.support.tolist()
        assert result.max_gap <= 1e-4


def test_multinomial_counts_features_not_coefficients():
    X, y = load_iris(return_X_y=True)
    path = compute_path(X, y, Multinomial())
    result = path.alphas_for_size(2)
    assert result.found and result.support.size == 2
    fit = SparseLogisticRegression(alpha=result.alpha).fit(X, y)
    assert np.flatnonzero((fit.coef_ != 0).any(axis=0)).tolist() == (
        result.support.tolist()
    )


# -- estimators: n_nonzero=k ----------------------------------------------------
@pytest.mark.parametrize("k", [0, 1, 4, 10])
def test_lasso_n_nonzero_fits_k_features(k):
    X, y = load_diabetes(return_X_y=True)
    model = Lasso(n_nonzero=k).fit(X, y)
    assert np.count_nonzero(model.coef_) == k
    support = _lars_supports(X, y)[k][0] if k else ()
    assert tuple(np.flatnonzero(model.coef_).tolist()) == support
    assert model.explain().alpha == model.alpha_
    # alpha is ignored; a fit at the chosen alpha is the same model.
    again = Lasso(alpha=model.alpha_).fit(X, y)
    np.testing.assert_allclose(again.coef_, model.coef_, atol=1e-8)


def test_glm_estimators_take_n_nonzero():
    from sparsefit import ElasticNet, HuberLasso, PoissonLasso

    X, y = load_diabetes(return_X_y=True)
    assert np.count_nonzero(ElasticNet(n_nonzero=4).fit(X, y).coef_) == 4
    assert np.count_nonzero(HuberLasso(n_nonzero=3).fit(X, y).coef_) == 3
    counts = np.round(y / 10)
    assert np.count_nonzero(PoissonLasso(n_nonzero=3).fit(X, counts).coef_) == 3
    labels = (y > np.median(y)).astype(int)
    model = SparseLogisticRegression(n_nonzero=3).fit(X, labels)
    assert np.count_nonzero(model.coef_) == 3 and model.alpha_ != model.alpha
    Xi, yi = load_iris(return_X_y=True)
    model = SparseLogisticRegression(n_nonzero=2).fit(Xi, yi)
    assert (model.coef_ != 0).any(axis=0).sum() == 2


def test_estimator_alpha_without_n_nonzero():
    X, y = load_diabetes(return_X_y=True)
    assert Lasso(alpha=0.5).fit(X, y).alpha_ == 0.5


@pytest.mark.parametrize(
    "k, match",
    [
        (11, r"n_nonzero=11 is above the largest support size on this path, 10"),
        (-1, "n_nonzero must be None or an int >= 0"),
        (2.0, "n_nonzero must be None or an int >= 0"),
    ],
)
def test_estimator_bad_n_nonzero(k, match):
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ValueError, match=match):
        Lasso(n_nonzero=k).fit(X, y)


def test_estimator_size_skipped_names_the_nearest_sizes():
    H = hadamard(8).astype(float)[:, 1:4]
    y = 3 * H[:, 0] + 3 * H[:, 1] + H[:, 2]
    with pytest.raises(ValueError, match=r"n_nonzero=1: no alpha.*nearest sizes"):
        Lasso(n_nonzero=1).fit(H, y)
