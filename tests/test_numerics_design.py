"""The design's numerics: duplicate sparse entries, large column offsets,
extreme units, and out-of-range inputs that must raise instead of returning
a wrong or infinite answer."""

import warnings

import cvxpy as cp
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Lasso as SkLasso

from sparsefit import (
    Lasso,
    PoissonLasso,
    SparseLogisticRegression,
    duality_gap,
    lasso_path,
)
from sparsefit._design import Design


def _with_duplicates(X, n_split=12):
    """CSC matrix equal to ``X`` whose first ``n_split`` stored entries are
    each stored twice (halves), columns sorted but not canonical."""
    coo = sp.coo_matrix(X)
    rows = np.r_[coo.row, coo.row[:n_split]]
    cols = np.r_[coo.col, coo.col[:n_split]]
    data = np.r_[coo.data, coo.data[:n_split] / 2]
    data[:n_split] /= 2
    order = np.lexsort((rows, cols))
    indptr = np.r_[0, np.cumsum(np.bincount(cols, minlength=X.shape[1]))]
    out = sp.csc_matrix((data[order], rows[order], indptr), shape=X.shape)
    assert not out.has_canonical_format
    np.testing.assert_array_equal(out.toarray(), X)
    return out


def _standardized_lasso_value(X, y, alpha):
    """Optimal value of the standardised lasso by cvxpy, on the dense X."""
    n = X.shape[0]
    Xc = X - X.mean(axis=0)
    Xs = Xc / np.sqrt((Xc**2).mean(axis=0))
    w, b = cp.Variable(X.shape[1]), cp.Variable()
    objective = cp.sum_squares(y - Xs @ w - b) / (2 * n) + alpha * cp.norm1(w)
    problem = cp.Problem(cp.Minimize(objective))
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12)
    return problem.value


def _lasso_value(X, y, coef, intercept, alpha, standardize):
    """The objective at a fit, computed from scratch on the dense data."""
    n = X.shape[0]
    r = y - X @ coef - intercept
    scale = np.sqrt(((X - X.mean(axis=0)) ** 2).mean(axis=0)) if standardize else 1.0
    return r @ r / (2 * n) + alpha * np.abs(coef * scale).sum()


@pytest.fixture
def dup_data():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((40, 5))
    X[rng.random(X.shape) < 0.3] = 0.0
    y = X @ np.array([1.5, -1.0, 0.0, 0.5, 0.0]) + 0.3 * rng.standard_normal(40)
    return X, _with_duplicates(X), y


def test_duplicate_sparse_entries_standardized_fit_matches_cvxpy(dup_data):
    X, Xdup, y = dup_data
    alpha = 0.05
    model = Lasso(alpha=alpha, standardize=True, tol=1e-10).fit(Xdup, y)
    value = _lasso_value(X, y, model.coef_, model.intercept_, alpha, True)
    assert value == pytest.approx(_standardized_lasso_value(X, y, alpha), abs=1e-8)
    dense = Lasso(alpha=alpha, standardize=True, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(model.coef_, dense.coef_, rtol=1e-8, atol=1e-10)


def test_duplicate_sparse_entries_path_and_gap(dup_data):
    X, Xdup, y = dup_data
    path_dup = lasso_path(Xdup, y, standardize=True, n_alphas=5)
    path = lasso_path(X, y, standardize=True, n_alphas=5)
    assert path_dup.alphas[0] == pytest.approx(path.alphas[0], rel=1e-12)
    coef = path.coefs[:, 2].toarray().ravel()
    kwargs = dict(alpha=path.alphas[2], standardize=True)
    assert duality_gap(Xdup, y, coef, **kwargs) == pytest.approx(
        duality_gap(X, y, coef, **kwargs), rel=1e-9, abs=1e-14
    )


def test_duplicate_sparse_entries_user_matrix_untouched(dup_data):
    _, Xdup, y = dup_data
    before = (Xdup.data.copy(), Xdup.indices.copy(), Xdup.indptr.copy())
    Lasso(alpha=0.05, standardize=True).fit(Xdup, y)
    for a, b in zip(before, (Xdup.data, Xdup.indices, Xdup.indptr), strict=True):
        np.testing.assert_array_equal(a, b)
    assert not Xdup.has_canonical_format


# -- columns with a large offset -----------------------------------------


@pytest.fixture
def timestamps():
    rng = np.random.default_rng(0)
    t = 1.7e9 + 60 * rng.random(200)
    y = 0.05 * (t - 1.7e9) + rng.standard_normal(200)
    return t, y


@pytest.mark.parametrize("sparse", [False, True])
def test_large_offset_column_fits_as_shifted_one(timestamps, sparse):
    t, y = timestamps
    make = sp.csc_matrix if sparse else np.asarray
    coefs = []
    for column in (t, t - 1.7e9):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no ConvergenceWarning
            model = Lasso(alpha=0.1, tol=1e-10).fit(make(column[:, None]), y)
        coefs.append(model.coef_[0])
    reference = SkLasso(alpha=0.1, tol=1e-12).fit((t - 1.7e9)[:, None], y).coef_[0]
    assert coefs[0] == pytest.approx(coefs[1], rel=1e-8)
    assert coefs[0] == pytest.approx(reference, rel=1e-8)
    assert abs(reference) > 0.01


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("value", [3.0, 1.7e9, 1e17, -1e300, 1e-300])
def test_constant_column_detected_whatever_its_offset(value, sparse):
    rng = np.random.default_rng(1)
    X = np.column_stack([np.full(50, value), rng.standard_normal(50)])
    X = sp.csc_matrix(X) if sparse else X
    design = Design(X, standardize=True)
    np.testing.assert_array_equal(design.constant, [True, False])
    weighted = Design(X, sample_weight=rng.random(50) * 50 / 25, standardize=True)
    assert weighted.constant[0]


@pytest.mark.parametrize("sparse", [False, True])
def test_nearly_constant_column_with_offset_is_not_constant(sparse):
    t = 1.7e9 + np.arange(10.0)
    X = np.column_stack([t, np.ones(10)])
    design = Design(sp.csc_matrix(X) if sparse else X, standardize=True)
    np.testing.assert_array_equal(design.constant, [False, True])
    assert design.scale[0] == pytest.approx(1 / np.std(t - 1.7e9), rel=1e-12)


def test_constant_huge_column_does_not_swamp_the_others(timestamps):
    t, y = timestamps
    rng = np.random.default_rng(2)
    x = rng.standard_normal(200)
    X = np.column_stack([x, np.full(200, 1e17), np.full(200, 3.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = Lasso(alpha=0.01, tol=1e-10).fit(X, y + x)
    ref = SkLasso(alpha=0.01, tol=1e-12).fit(x[:, None], y + x).coef_[0]
    assert model.coef_[0] == pytest.approx(ref, rel=1e-8)
    np.testing.assert_array_equal(model.coef_[1:], 0.0)


# -- units --------------------------------------------------------------


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    y = X @ np.array([1.0, 0.5, 0.0, 0.0, -1.0]) + 0.1 * rng.standard_normal(100)
    return X, y


@pytest.mark.parametrize("units", [1e-300, 1e-150, 1e150, 1e300])
@pytest.mark.parametrize("sparse", [False, True])
def test_standardized_fit_does_not_depend_on_units(data, units, sparse):
    X, y = data
    ref = Lasso(alpha=0.1, standardize=True, tol=1e-10).fit(X, y)
    Xu = X * units
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = Lasso(alpha=0.1, standardize=True, tol=1e-10).fit(
            sp.csc_matrix(Xu) if sparse else Xu, y
        )
    np.testing.assert_allclose(model.coef_ * units, ref.coef_, rtol=1e-7, atol=1e-12)
    assert model.intercept_ == pytest.approx(ref.intercept_, rel=1e-9)


def test_float32_huge_values_standardized(data):
    X, y = data
    ref = Lasso(alpha=0.1, standardize=True).fit(X, y)
    X32 = (X * 1e20).astype(np.float32)
    model = Lasso(alpha=0.1, standardize=True).fit(X32, y)
    assert np.isfinite(model.dual_gap_)
    np.testing.assert_allclose(model.coef_ * 1e20, ref.coef_, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize(
    "units, dtype", [(1e-300, np.float64), (1e300, np.float64), (1e20, np.float32)]
)
def test_unstandardized_out_of_range_columns_raise(data, units, dtype):
    X, y = data
    with pytest.raises(ValueError, match="X column 0 is out of the range"):
        Lasso(alpha=0.1).fit((X * units).astype(dtype), y)


@pytest.mark.parametrize("units", [1e300, 1e-300])
def test_target_out_of_range_raises(data, units):
    X, y = data
    with pytest.raises(ValueError, match="y varies by up to .* rescale y"):
        Lasso(alpha=0.1).fit(X, y * units)


def test_target_in_range_extremes_fit(data):
    X, y = data
    ref = Lasso(alpha=0.1, tol=1e-10).fit(X, y)
    model = Lasso(alpha=0.1 * 1e100, tol=1e-10).fit(X, y * 1e100)
    np.testing.assert_allclose(model.coef_ / 1e100, ref.coef_, rtol=1e-8, atol=1e-12)
    assert np.isfinite(model.dual_gap_)


def test_huge_sample_weights_are_rescaled(data):
    X, y = data
    ref = Lasso(alpha=0.1, tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = Lasso(alpha=0.1, tol=1e-10).fit(X, y, sample_weight=np.full(100, 1e308))
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-10)


@pytest.mark.parametrize("units", [1e-300, 1e300])
def test_glm_out_of_range_columns_raise(data, units):
    X, y = data
    with pytest.raises(
        ValueError, match="X column 0 has magnitude .* rescale that column"
    ):
        SparseLogisticRegression(alpha=0.01, standardize=True).fit(X * units, y > 0)


def test_poisson_large_counts_right_coefficients(data):
    X, _ = data
    rng = np.random.default_rng(4)
    counts = rng.poisson(np.exp(X[:, :2] @ [0.3, -0.2]))
    ref = PoissonLasso(alpha=0.01, tol=1e-8).fit(X, counts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the gap's scale: the solvers' tolerance
        model = PoissonLasso(alpha=0.01 * 1e12, tol=1e-8).fit(X, counts * 1e12)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-4, atol=1e-6)


# -- offsets in the solvers: coordinate descent (fixed by the design), GLMs --


@pytest.mark.parametrize("sparse", [False, True])
def test_large_offset_column_without_gram(timestamps, sparse):
    t, y = timestamps
    X = t[:, None]
    if sparse:
        import scipy.sparse as sp

        X = sp.csc_matrix(X)
    model = Lasso(alpha=0.1, tol=1e-10, precompute=False).fit(X, y)
    reference = Lasso(alpha=0.1, tol=1e-10, precompute=False).fit(
        (t - 1.7e9)[:, None], y
    )
    assert model.coef_[0] == pytest.approx(reference.coef_[0], rel=1e-8)


def test_glm_with_large_offset_column(timestamps):
    t, y = timestamps
    labels = y > np.median(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = SparseLogisticRegression(alpha=0.01, tol=1e-10).fit(t[:, None], labels)
    shifted = SparseLogisticRegression(alpha=0.01, tol=1e-10).fit(
        (t - 1.7e9)[:, None], labels
    )
    assert model.coef_[0, 0] == pytest.approx(shifted.coef_[0, 0], rel=1e-6)


def test_glm_path_with_offset_columns():
    from sklearn.model_selection import StratifiedKFold

    from sparsefit import compute_path
    from sparsefit.datafits import Logistic

    rng = np.random.RandomState(42)  # scikit-learn's check_fit_check_is_fitted
    X = rng.normal(loc=100, size=(100, 2))
    y = rng.randint(0, 2, 100)
    alphas = compute_path(X, y, Logistic(), n_alphas=5, progress=False).alphas
    train = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))[1][0]
    path = compute_path(X[train], y[train], Logistic(), alphas=alphas, progress=False)
    shifted = compute_path(
        X[train] - 100, y[train], Logistic(), alphas=alphas, progress=False
    )
    np.testing.assert_allclose(path.coefs.toarray(), shifted.coefs.toarray(), rtol=1e-5)
