"""Cross-validation (alpha_min, the 1-SE rule, relax) and information criteria."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LassoCV as SkLassoCV
from sklearn.model_selection import GroupKFold, KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsefit import ElasticNetCV, LassoCV, LassoIC, cross_validate_path

from .conftest import make_problem


def _expected_failures(estimator):
    # Repeating a row is not the same as doubling its weight for these
    # selectors: the CV folds and the least-squares noise estimate's degrees of
    # freedom both depend on the number of rows.
    reason = "selection depends on the number of rows, not only on the weights"
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


@parametrize_with_checks(
    [LassoCV(n_alphas=8, cv=3), ElasticNetCV(n_alphas=8, cv=3), LassoIC(n_alphas=8)],
    expected_failed_checks=_expected_failures,
)
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def test_lassocv_picks_scikit_learns_alpha_min_on_the_same_folds():
    X, y = load_diabetes(return_X_y=True)
    ours = LassoCV(cv=KFold(5), tol=1e-10).fit(X, y)
    ref = SkLassoCV(alphas=ours.alphas_, cv=KFold(5), tol=1e-12, max_iter=10**6).fit(
        X, y
    )
    assert ours.alpha_min_ == ref.alpha_
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)


def test_one_standard_error_rule_by_hand():
    X, y = make_problem(0, 120, 40, n_true=8)
    res = cross_validate_path(X, y, cv=KFold(10), n_alphas=40)
    folds = res.fold_scores
    mean = folds.mean(axis=0)
    se = folds.std(axis=0, ddof=1) / np.sqrt(folds.shape[0])
    i_min = int(np.argmin(mean))
    i_1se = min(i for i in range(len(mean)) if mean[i] <= mean[i_min] + se[i_min])
    assert res.index_min == i_min and res.index_1se == i_1se
    assert res.alpha_1se == res.alphas[i_1se] >= res.alpha_min
    np.testing.assert_allclose(res.cv_std, se)
    model = LassoCV(cv=KFold(10), n_alphas=40, selection="1se").fit(X, y)
    assert model.alpha_ == model.alpha_1se_ == res.alpha_1se


def test_folds_from_foldid_groups_and_jobs():
    X, y = make_problem(1, 90, 20)
    foldid = np.arange(90) % 3
    a = cross_validate_path(X, y, foldid=foldid, n_alphas=15)
    splits = [
        (np.flatnonzero(foldid != f), np.flatnonzero(foldid == f)) for f in range(3)
    ]
    b = cross_validate_path(X, y, cv=splits, n_alphas=15, n_jobs=2)
    np.testing.assert_allclose(a.fold_scores, b.fold_scores)
    groups = np.repeat(np.arange(9), 10)
    c = cross_validate_path(X, y, cv=3, groups=groups, n_alphas=15)
    d = cross_validate_path(X, y, cv=GroupKFold(3), groups=groups, n_alphas=15)
    np.testing.assert_allclose(c.fold_scores, d.fold_scores)
    with pytest.raises(ValueError, match="foldid must have length 90"):
        cross_validate_path(X, y, foldid=foldid[:-1])


@pytest.mark.parametrize("scoring", ["mse", "mae", "r2", "deviance"])
def test_scorings(scoring):
    X, y = make_problem(2, 80, 10)
    res = cross_validate_path(X, y, cv=4, scoring=scoring, n_alphas=20)
    best = np.argmax(res.cv_mean) if scoring == "r2" else np.argmin(res.cv_mean)
    assert res.index_min == best
    assert res.greater_is_better == (scoring == "r2")


def test_elasticnetcv_l1_ratio_grid_and_relax():
    X, y = make_problem(3, 100, 30)
    model = ElasticNetCV(l1_ratio=[0.2, 0.6, 1.0], cv=4, n_alphas=20).fit(X, y)
    assert model.l1_ratio_ in (0.2, 0.6, 1.0)
    assert model.mse_path_.shape == (3, 20, 4)
    best = [r.cv_mean[r.index_min] for r in model.cv_results_]
    assert model.l1_ratio_ == [0.2, 0.6, 1.0][int(np.argmin(best))]
    relaxed = LassoCV(cv=4, n_alphas=20, relax=True).fit(X, y)
    assert relaxed.gamma_ in (0.0, 0.25, 0.5, 0.75, 1.0)
    res = relaxed.cv_results_[0]
    assert res.cv_mean_gamma.shape == (5, 20)
    assert res.cv_mean_gamma.min() == pytest.approx(res.cv_mean[res.index_min])


def test_lassoic_matches_the_formula_and_works_when_p_exceeds_n():
    X, y = make_problem(4, 100, 10)
    model = LassoIC("bic", n_alphas=30).fit(X, y)
    path = model.path_
    rss = np.sum((y[:, None] - path.predict(X)) ** 2, axis=0)
    ols = np.linalg.lstsq(np.c_[X, np.ones(100)], y, rcond=None)[0]
    sigma2 = np.sum((y - np.c_[X, np.ones(100)] @ ols) ** 2) / (100 - 11)
    assert model.noise_variance_ == pytest.approx(sigma2, rel=1e-6)
    crit = (
        100 * np.log(2 * np.pi * sigma2) + rss / sigma2 + np.log(100) * path.n_nonzero
    )
    np.testing.assert_allclose(model.criterion_, crit, rtol=1e-8)
    assert model.alpha_ == path.alphas[np.argmin(crit)]
    X, y = make_problem(5, 60, 300, n_true=4)
    for criterion in ("aic", "bic", "ebic"):
        model = LassoIC(criterion, n_alphas=40).fit(X, y)
        assert np.isfinite(model.noise_variance_) and model.noise_variance_ > 0
        assert 0 < np.count_nonzero(model.coef_) < 60
    # The true noise sd is 0.5: the p > n estimate is of that order.
    assert 0.1 < model.noise_variance_ < 1.0
    ebic = LassoIC("ebic", n_alphas=40).fit(X, y)
    bic = LassoIC("bic", n_alphas=40).fit(X, y)
    assert np.count_nonzero(ebic.coef_) <= np.count_nonzero(bic.coef_)


def test_bad_parameters():
    X, y = make_problem(6, 40, 5)
    with pytest.raises(ValueError, match="selection must be"):
        LassoCV(selection="best").fit(X, y)
    with pytest.raises(ValueError, match="scoring must be one of"):
        LassoCV(scoring="auc").fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio must be <= 1"):
        ElasticNetCV(l1_ratio=[0.5, 2.0]).fit(X, y)
    with pytest.raises(ValueError, match="criterion must be"):
        LassoIC("cp").fit(X, y)
    with pytest.raises(ValueError, match="cv must be >= 2"):
        LassoCV(cv=1).fit(X, y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fold_rows_keep_column_major_order(dtype):
    """A fold of a column-major X is column-major (no second copy in the
    design) and holds exactly X[idx], for index arrays, negative indices and
    boolean masks; an out-of-range row raises as NumPy's indexing does."""
    from sparsefit.model_selection._cv import _rows

    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((30, 7)).astype(dtype))
    mask = rng.uniform(size=30) < 0.5
    for idx in (
        np.arange(0, 30, 3),
        np.array([-1, 0, 4, -30]),
        mask,
        np.array([], int),
    ):
        rows = _rows(X, idx)
        assert rows.flags.f_contiguous and rows.dtype == dtype
        np.testing.assert_array_equal(rows, X[idx])
    with pytest.raises(IndexError):
        _rows(X, np.array([0, 30]))
    C = np.ascontiguousarray(X)
    np.testing.assert_array_equal(_rows(C, mask), C[mask])
