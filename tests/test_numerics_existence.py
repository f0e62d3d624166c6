"""GLM fits without a minimiser (separable classes, a class without weight,
all-zero counts) raise a clear ValueError; fits that have one are unchanged."""

import numpy as np
import pytest
import scipy.sparse as sp

from sparsefit import PoissonLasso, SparseLogisticRegression


@pytest.fixture
def X():
    return np.random.default_rng(0).standard_normal((50, 3))


@pytest.mark.parametrize("sparse", [False, True])
def test_separable_unpenalised_logistic_raises(X, sparse):
    Xs = sp.csc_matrix(X) if sparse else X
    with pytest.raises(ValueError, match="no minimiser: the two classes are separ"):
        SparseLogisticRegression(alpha=0).fit(Xs, X[:, 0] > 0)


def test_separable_by_unpenalised_feature_raises(X):
    with pytest.raises(ValueError, match=r"feature\(s\) 0 and the intercept"):
        SparseLogisticRegression(alpha=0.1, penalty_factor=[0, 1, 1]).fit(
            X, X[:, 0] > 0
        )


def test_separable_by_penalised_feature_is_fine(X):
    model = SparseLogisticRegression(alpha=0.1, penalty_factor=[1, 0, 1]).fit(
        X, X[:, 0] > 0
    )
    assert model.dual_gap_ >= 0 and np.isfinite(model.coef_).all()


def test_p_greater_than_n_unpenalised_raises():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 40))
    y = rng.random(20) > 0.5
    with pytest.raises(ValueError, match="no minimiser"):
        SparseLogisticRegression(alpha=0.1, penalty_factor=np.zeros(40)).fit(X, y)


def test_class_with_zero_weight_raises(X):
    y = X[:, 1] > 0
    with pytest.raises(ValueError, match="class True has zero total weight"):
        SparseLogisticRegression(alpha=0.1).fit(X, y, sample_weight=np.where(y, 0, 1))
    with pytest.raises(ValueError, match="class b has zero total weight"):
        SparseLogisticRegression(alpha=0.1, class_weight={"b": 0.0}).fit(
            X, np.array(["a", "b", "c"])[np.arange(50) % 3]
        )


def test_separable_multinomial_raises(X):
    y = np.digitize(X[:, 0], [-0.5, 0.5])
    with pytest.raises(ValueError, match="no minimiser: the classes are separated"):
        SparseLogisticRegression(alpha=0).fit(X, y)
    with pytest.raises(ValueError, match="no minimiser"):
        SparseLogisticRegression(
            alpha=0.1, multinomial="grouped", penalty_factor=[0, 1, 1]
        ).fit(X, y)


def test_overlapping_classes_unpenalised_fit_certified(X):
    rng = np.random.default_rng(2)
    y = X[:, 0] + rng.standard_normal(50) > 0
    model = SparseLogisticRegression(alpha=0, tol=1e-8).fit(X, y)
    assert model.dual_gap_ <= 1e-8 and np.abs(model.coef_).max() < 10
    y3 = np.digitize(X[:, 0] + rng.standard_normal(50), [-0.5, 0.5])
    model = SparseLogisticRegression(alpha=0, tol=1e-8).fit(X, y3)
    assert abs(model.dual_gap_) <= 1e-8 and np.abs(model.coef_).max() < 10


def test_poisson_without_minimiser_raises(X):
    rng = np.random.default_rng(3)
    counts = rng.poisson(2.0, 50)
    with pytest.raises(ValueError, match="every count with positive weight is 0"):
        PoissonLasso(alpha=0.1).fit(X, 0 * counts)
    # A feature positive exactly where the counts are zero: its coefficient
    # goes to minus infinity.
    counts[:10] = 0
    counts[10:] = np.maximum(counts[10:], 1)
    x = np.where(counts == 0, 1.0 + rng.random(50), 0.0)
    with pytest.raises(ValueError, match="every positive count is fitted exactly"):
        PoissonLasso(alpha=0.1, penalty_factor=[0, 1]).fit(
            np.column_stack([x, X[:, 0]]), counts
        )
    model = PoissonLasso(alpha=0.1).fit(np.column_stack([x, X[:, 0]]), counts)
    assert np.isfinite(model.coef_).all()
