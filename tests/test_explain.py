"""explain(): every coefficient's certificate, and the diabetes entry order."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Lasso as SkLasso

from sparsefit import ElasticNet, Lasso, duality_gap, kkt_violation

from .conftest import make_problem

LARS_ORDER = [3, 9, 4, 7, 2, 10, 5, 8, 6, 1]  # Efron et al. (2004), 1-based


@pytest.mark.parametrize("seed", range(6))
def test_zero_and_active_features_satisfy_their_conditions(seed):
    X, y = make_problem(seed, 60, 150)
    pf = np.random.default_rng(seed).uniform(0.5, 2, 150)
    model = ElasticNet(
        alpha=0.05, l1_ratio=[1.0, 0.8][seed % 2], penalty_factor=pf, tol=1e-10
    ).fit(X, y)
    ex = model.explain()
    zero = ex.coef == 0
    accuracy = model.kkt_violation_ + 1e-12
    assert zero.any() and (~zero).any()
    assert (ex.pull[zero] <= ex.penalty[zero] + accuracy).all()
    # Active: pull = penalty + ridge part (c_j |w_j|), to the certified accuracy.
    ridge = 0.05 * (1 - model.l1_ratio) * pf * np.abs(model.coef_)
    np.testing.assert_allclose(
        ex.pull[~zero], ex.penalty[~zero] + ridge[~zero], atol=accuracy
    )
    assert (ex.margin[zero] >= -accuracy).all()
    assert set(ex.status[~zero]) == {"active"}
    # A zero feature enters, with the rest held, below the current alpha.
    assert (ex.entry_alpha[zero] <= model.alpha * (1 + 1e-9)).all()
    assert (ex.entry_alpha[~zero] >= model.alpha * (1 - 1e-9)).all()


def test_diabetes_entry_order_is_the_lars_order():
    X, y = load_diabetes(return_X_y=True)
    X = X - X.mean(axis=0)
    model = Lasso(alpha=1e-3, tol=1e-10).fit(X, y)
    ex = model.explain(X, y)
    order = list(np.argsort(-ex.path_entry_alpha) + 1)
    assert order == LARS_ORDER
    # The first to enter does so at alpha_max = ||X'(y - ybar)||_inf / n.
    alpha_max = np.abs(X.T @ (y - y.mean())).max() / len(y)
    assert ex.path_entry_alpha[2] == pytest.approx(alpha_max, rel=1e-4)


def test_status_labels():
    X, y = make_problem(3, 80, 8)
    pf = np.ones(8)
    pf[0] = 0.0
    lower = np.full(8, -np.inf)
    lower[1] = 0.2
    model = Lasso(alpha=0.2, penalty_factor=pf, lower_bounds=lower, tol=1e-12).fit(X, y)
    ex = model.explain()
    assert ex.status[0] == "unpenalised" and ex.entry_alpha[0] == np.inf
    if model.coef_[1] == 0.2:
        assert ex.status[1] == "held by a bound"
    assert {"active", "zero inside the kink"} <= set(ex.status)


def test_to_frame_and_text():
    pd = pytest.importorskip("pandas")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    ex = Lasso(alpha=0.5).fit(X, y).explain()
    frame = ex.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == list(X.columns)
    assert {"coef", "pull", "penalty", "margin", "status", "entry_alpha"} <= set(frame)
    assert "bmi" in str(ex) and "zero inside the kink" in str(ex)


def test_certificates_for_another_librarys_coefficients():
    X, y = make_problem(4, 100, 50)
    sk = SkLasso(alpha=0.05, tol=1e-12, max_iter=100_000).fit(X, y)
    gap = duality_gap(X, y, sk.coef_, sk.intercept_, alpha=0.05)
    assert 0 <= gap < 1e-9
    assert kkt_violation(X, y, sk.coef_, alpha=0.05) < 1e-6
    # A perturbed vector is certified as suboptimal.
    bad = sk.coef_ + 0.1
    assert duality_gap(X, y, bad, alpha=0.05) > 1e-3
    assert kkt_violation(X, y, bad, alpha=0.05) > 1e-3
    per = kkt_violation(X, y, sk.coef_, alpha=0.05, per_feature=True)
    assert per.shape == (50,)
    # The gap of a shifted intercept grows by exactly the squared shift / 2.
    shifted = duality_gap(X, y, sk.coef_, sk.intercept_ + 0.1, alpha=0.05)
    assert shifted == pytest.approx(gap + 0.005, abs=1e-9)
    with pytest.raises(ValueError, match="coef has 3 entries"):
        duality_gap(X, y, [1, 2, 3], alpha=0.05)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        duality_gap(X, y, sk.coef_, alpha=-1)


def test_glm_path_entry_alphas_bracket_the_entry():
    """The logistic fit's path entry alphas come from the same bisection as
    the least-squares ones: each feature is zero just above its entry alpha
    and non-zero just below it."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    from sparsefit import SparseLogisticRegression

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = SparseLogisticRegression(alpha=0.02).fit(X, y)
    entry = model.explain(X, y).path_entry_alpha
    active = np.flatnonzero(model.coef_[0])
    assert active.size and np.isfinite(entry[active]).all()
    for j in active[:4]:
        above = SparseLogisticRegression(alpha=entry[j] * 1.002, tol=1e-10).fit(X, y)
        below = SparseLogisticRegression(alpha=entry[j] / 1.002, tol=1e-10).fit(X, y)
        assert above.coef_[0, j] == 0 and below.coef_[0, j] != 0


@pytest.mark.parametrize("tol", [None, 1e-10])
def test_one_explain_for_every_family_bounds_and_pickling(tol):
    """Least squares and logistic go through one explain: a coefficient held
    by a bound says so in both, and a pickled model explains as before."""
    import pickle

    from sparsefit import SparseLogisticRegression

    rng = np.random.default_rng(7)
    X = rng.standard_normal((200, 6))
    z = X @ np.array([2.0, -1.5, 1.0, 0.0, 0.0, 0.5])
    upper = np.full(6, np.inf)
    upper[0] = 0.3  # below the unconstrained coefficient: the bound binds
    kw = {} if tol is None else {"tol": tol}
    models = [
        Lasso(alpha=0.01, upper_bounds=upper, **kw).fit(X, z + rng.normal(size=200)),
        SparseLogisticRegression(alpha=0.01, upper_bounds=upper, **kw).fit(
            X, (z + rng.logistic(size=200) > 0).astype(int)
        ),
    ]
    for model in models:
        coef = np.ravel(model.coef_)
        assert coef[0] == pytest.approx(0.3)
        ex = model.explain()
        assert ex.status[0] == "held by a bound"
        assert ex.status[1] == "active"
        again = pickle.loads(pickle.dumps(model)).explain()
        np.testing.assert_array_equal(again.status, ex.status)
        np.testing.assert_allclose(again.pull, ex.pull)
        np.testing.assert_allclose(again.entry_alpha, ex.entry_alpha)
