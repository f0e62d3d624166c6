"""The estimators: scikit-learn contract, options, and errors on bad input."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsefit import ElasticNet, Lasso

from .conftest import make_problem


@parametrize_with_checks(
    [
        Lasso(),
        ElasticNet(),
        Lasso(standardize=True, positive=True),
        Lasso(solver="lars"),
    ]
)
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def test_float32_kept_and_close_to_float64():
    X, y = make_problem(0, 60, 30)
    m64 = Lasso(alpha=0.05, tol=1e-8).fit(X, y)
    m32 = Lasso(alpha=0.05, tol=1e-6).fit(X.astype(np.float32), y.astype(np.float32))
    assert m32.coef_.dtype == np.float32
    assert m32.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(m32.coef_, m64.coef_, atol=2e-3)


def test_fortran_array_is_not_copied():
    X, y = make_problem(1, 100, 40)
    Xf = np.asfortranarray(X)
    from sparsefit._design import Design

    assert Design(Xf).X is Xf
    np.testing.assert_allclose(
        Lasso(alpha=0.05, tol=1e-10).fit(Xf, y).coef_,
        Lasso(alpha=0.05, tol=1e-10).fit(np.ascontiguousarray(X), y).coef_,
        atol=1e-9,
    )


@pytest.mark.parametrize("sparse", [False, True])
def test_gram_variant_agrees(sparse):
    X, y = make_problem(2, 500, 20, density=0.5 if sparse else None)
    sw = np.random.default_rng(0).uniform(0.5, 2, 500)
    pf = np.ones(20)
    pf[3] = 0.0
    # The gap bounds the coefficients' error only through the curvature
    # (|dw|^2 <= 2 gap / mu), small along the unpenalised feature: at tol
    # 1e-12 two certified points may differ by 5e-8, so the comparison at
    # 1e-8 is made at 1e-15 (gaps about 5e-16).
    kwargs = dict(alpha=0.02, l1_ratio=0.8, tol=1e-15, penalty_factor=pf)
    gram = ElasticNet(precompute=True, **kwargs).fit(X, y, sample_weight=sw)
    plain = ElasticNet(precompute=False, **kwargs).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(gram.coef_, plain.coef_, atol=1e-8)
    assert gram.dual_gap_ <= gram.solver_result_.tol_abs


def test_standardize_is_glmnet_scaling():
    """standardize=True equals fitting on columns scaled by their 1/n std."""
    X, y = make_problem(3, 80, 15)
    X = X * np.linspace(0.1, 10, 15)
    sw = np.random.default_rng(1).uniform(0.5, 2, 80)
    swn = sw * 80 / sw.sum()
    mean = np.average(X, axis=0, weights=swn)
    std = np.sqrt(np.average((X - mean) ** 2, axis=0, weights=swn))
    ours = Lasso(alpha=0.05, standardize=True, tol=1e-12).fit(X, y, sample_weight=sw)
    manual = Lasso(alpha=0.05, tol=1e-12).fit((X - mean) / std, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, manual.coef_ / std, atol=1e-8)
    np.testing.assert_allclose(
        ours.predict(X), manual.predict((X - mean) / std), atol=1e-8
    )


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_constant_column_gets_zero(standardize, sparse):
    X, y = make_problem(4, 50, 10)
    X[:, 3] = 7.0
    X[:, 6] = 0.0
    data = sp.csc_matrix(X) if sparse else X
    model = Lasso(alpha=0.01, standardize=standardize).fit(data, y)
    assert model.coef_[3] == 0 and model.coef_[6] == 0
    assert np.isfinite(model.coef_).all() and np.isfinite(model.intercept_)
    assert np.isfinite(model.dual_gap_)


def test_warm_start_reuses_coefficients():
    X, y = make_problem(5, 100, 200)
    model = Lasso(alpha=0.05, warm_start=True, tol=1e-10).fit(X, y)
    first = model.n_iter_
    model.fit(X, y)
    assert model.n_iter_ < first


def test_penalty_factor_zero_leaves_feature_unpenalised():
    X, y = make_problem(6, 100, 10)
    pf = np.ones(10)
    pf[0] = 0.0
    model = Lasso(alpha=10.0, penalty_factor=pf, tol=1e-12).fit(X, y)
    ols = np.polyfit(X[:, 0], y, 1)[0]
    assert model.coef_[1:].max() == 0 and model.coef_[1:].min() == 0
    assert model.coef_[0] == pytest.approx(ols, rel=1e-8)


def test_bounds_are_respected():
    X, y = make_problem(7, 100, 10)
    model = Lasso(alpha=0.01, lower_bounds=-0.3, upper_bounds=0.5).fit(X, y)
    assert model.coef_.min() >= -0.3 and model.coef_.max() <= 0.5
    assert (np.isclose(model.coef_, 0.5) | np.isclose(model.coef_, -0.3)).any()
    assert Lasso(alpha=0.01, positive=True).fit(X, y).coef_.min() >= 0


def test_unpenalised_p_greater_than_n_raises():
    X, y = make_problem(8, 20, 50)
    with pytest.raises(ValueError, match=r"singular.*rank 19 < 50.*penalty"):
        Lasso(alpha=0.0).fit(X, y)
    X, y = make_problem(8, 40, 5)
    X[:, 4] = X[:, 0] + X[:, 1]
    with pytest.raises(ValueError, match=r"rank 4 < 5"):
        Lasso(alpha=0.0).fit(X, y)
    # Full rank and n > p: the least-squares fit, certified.
    X, y = make_problem(8, 40, 5)
    model = Lasso(alpha=0.0, tol=1e-12).fit(X, y)
    ols = np.linalg.lstsq(np.c_[X, np.ones(40)], y, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, ols[:5], atol=1e-8)


def test_max_iter_warning_gives_the_gap():
    X, y = make_problem(9, 50, 300)
    with pytest.warns(
        ConvergenceWarning, match=r"max_iter=5 .* duality gap .* tol \* P\(w\)"
    ):
        model = Lasso(alpha=0.001, max_iter=5, tol=1e-12).fit(X, y)
    assert model.dual_gap_ > model.solver_result_.tol_abs


def test_fista_solver_and_diabetes_reference():
    X, y = load_diabetes(return_X_y=True)
    cd = Lasso(alpha=0.1, tol=1e-12).fit(X, y)
    fista = Lasso(alpha=0.1, tol=1e-12, solver="fista").fit(X, y)
    np.testing.assert_allclose(cd.coef_, fista.coef_, rtol=1e-6, atol=1e-6)


BAD_INPUTS = [
    (dict(alpha=-1.0), None, r"alpha must be >= 0"),
    (dict(l1_ratio=1.5), None, r"l1_ratio must be <= 1"),
    (dict(l1_ratio=-0.1), None, r"l1_ratio must be >= 0"),
    (dict(tol=0.0), None, r"tol must be > 0"),
    (dict(max_iter=0), None, r"max_iter must be an integer >= 1"),
    (dict(solver="newton"), None, r"solver must be"),
    (
        dict(penalty_factor=[1, -1, 1, 1]),
        None,
        r"penalty_factor must be >= 0.*position 1",
    ),
    (dict(penalty_factor=[1, 1]), None, r"penalty_factor must .* length 4"),
    (dict(lower_bounds=1.0, upper_bounds=0.0), None, r"lower_bounds must not exceed"),
    (dict(positive=True, upper_bounds=-1.0), None, r"positive=True"),
]


@pytest.mark.parametrize("params, _, message", BAD_INPUTS)
def test_bad_parameters_name_the_argument(params, _, message):
    X, y = make_problem(10, 20, 4)
    with pytest.raises(ValueError, match=message):
        ElasticNet(**params).fit(X, y)


def test_bad_data_names_the_argument():
    X, y = make_problem(11, 20, 4)
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN.*row 3, column 2"):
        Lasso().fit(Xn, y)
    Xi = X.copy()
    Xi[5, 1] = np.inf
    with pytest.raises(ValueError, match=r"X contains infinity.*row 5, column 1"):
        Lasso().fit(Xi, y)
    with pytest.raises(ValueError, match=r"X contains NaN"):
        Lasso().fit(sp.csc_matrix(Xn), y)
    yn = y.copy()
    yn[7] = np.nan
    with pytest.raises(ValueError, match=r"y contains NaN.*position 7"):
        Lasso().fit(X, yn)
    with pytest.raises(ValueError, match=r"X has 20 rows but y has 19"):
        Lasso().fit(X, y[:-1])
    sw = np.ones(20)
    sw[4] = -1
    with pytest.raises(ValueError, match=r"sample_weight must be >= 0.*row 4"):
        Lasso().fit(X, y, sample_weight=sw)
    sw[4] = np.inf
    with pytest.raises(ValueError, match=r"sample_weight contains infinity"):
        Lasso().fit(X, y, sample_weight=sw)
    with pytest.raises(ValueError, match=r"sample_weight must have length 20"):
        Lasso().fit(X, y, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match=r"X is empty"):
        Lasso().fit(np.empty((0, 3)), [])
    with pytest.raises(ValueError, match=r"X is empty"):
        Lasso().fit(np.empty((5, 0)), np.ones(5))


def test_non_numeric_dataframe_column_is_named():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "city": ["x", "y", "z"]})
    with pytest.raises(ValueError, match=r"non-numeric column\(s\) city"):
        Lasso().fit(frame, [1.0, 2.0, 3.0])


def test_no_nan_on_degenerate_targets():
    X, y = make_problem(12, 30, 5)
    model = Lasso(alpha=0.1).fit(X, np.full(30, 3.0))
    assert (model.coef_ == 0).all() and model.intercept_ == 3.0
    assert model.dual_gap_ == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Lasso(alpha=0.1).fit(X[:1], y[:1])


@pytest.mark.parametrize("sparse", [False, True])
def test_uncentred_design_standardised_as_centred(sparse):
    """A GLM's design: columns kept uncentred, but scaled, tested for
    constancy and normed as centred ones (one pass over X)."""
    from sparsefit._design import Design

    X, _ = make_problem(3, 60, 8, density=0.6 if sparse else None)
    X = X.tolil() if sparse else X.copy()
    X[:, 2] = 3.0  # constant once centred, not zero
    X = X.tocsc() if sparse else X
    sw = np.random.default_rng(1).uniform(0.5, 2, 60)
    sw *= 60 / sw.sum()
    centred = Design(X, sw, center=True, standardize=True)
    glm = Design(X, sw, center=False, standardize=True, reference_center=True)
    np.testing.assert_allclose(glm.scale, centred.scale)
    np.testing.assert_array_equal(glm.constant, centred.constant)
    assert glm.constant[2]
    np.testing.assert_allclose(glm.centred_sq_norms, centred.col_sq_norms)
    assert not glm.offset.any()
    dense = X.toarray() if sparse else X
    raw = (sw[:, None] * dense**2).sum(axis=0) * glm.scale**2
    np.testing.assert_allclose(glm.col_sq_norms, raw)
