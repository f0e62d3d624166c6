"""GroupLasso, GroupLassoCV and GroupLogisticRegression: the scikit-learn
contract, paths at the default tolerance, cross-validation, explain."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsefit import (
    GroupLasso,
    GroupLassoCV,
    GroupLogisticRegression,
    compute_path,
    cross_validate_path,
)
from sparsefit._problem import Problem
from sparsefit.datafits import Logistic, Quadratic
from sparsefit.penalties import GroupPenalty, one_hot_groups

GROUPS = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4]


@parametrize_with_checks(
    [
        GroupLasso(),
        GroupLasso(l1_ratio=0.5, solver="fista"),
        GroupLogisticRegression(alpha=0.01),
    ]
)
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def _data(seed=0, n=80, p=12, logistic=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    eta = X[:, :3] @ np.array([1.0, -2.0, 1.5]) + 0.7 * X[:, 9]
    if logistic:
        return X, (eta + rng.logistic(size=n) > 0).astype(int)
    return X, eta + rng.standard_normal(n)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
@pytest.mark.parametrize("logistic", [False, True])
def test_path_at_default_tol_is_within_1e6_of_tight_solves(l1_ratio, logistic):
    """The defaults variant: every alpha of a default path has relative
    suboptimality <= 1e-6 against a tol=1e-12 solve."""
    X, y = _data(1, logistic=logistic)
    datafit = Logistic() if logistic else Quadratic()
    pen = GroupPenalty(1.0, GROUPS, l1_ratio, group_weights=[1, 2, 0, 1, 1.5])
    path = compute_path(X, y, datafit, pen, n_alphas=30)
    assert (path.dual_gaps <= path.gap_tols).all()
    yy = np.where(y > 0, 1.0, -1.0) if logistic else y
    tight = Problem(X, yy, datafit, pen, tol=1e-12, max_iter=200_000)
    for k, alpha in enumerate(path.alphas):
        coef, b = path.coefs[:, k].toarray().ravel(), path.intercepts[k]
        z = X @ coef + b
        if logistic:
            fit = np.mean(np.logaddexp(0.0, -yy * z))
        else:
            fit = np.mean((yy - z) ** 2) / 2
        ours = fit + pen.with_alpha(alpha).value(coef)
        best = tight.solve(alpha).primal
        assert ours - best <= 1e-6 * best, (k, ours, best)
    # Groups enter whole (tau = 0): a group is all zero or all non-zero.
    if l1_ratio == 0:
        nz = path.coefs.toarray() != 0
        labels = np.array(GROUPS)
        for g in range(5):
            assert (nz[labels == g].all(axis=0) | ~nz[labels == g].any(axis=0)).all()


def test_path_dense_equals_csc_and_alpha_max_zeroes_every_group():
    X, y = _data(2)
    pen = GroupPenalty(1.0, GROUPS)
    dense = compute_path(X, y, Quadratic(), pen, n_alphas=15, tol=1e-10)
    csc = compute_path(sp.csc_matrix(X), y, Quadratic(), pen, n_alphas=15, tol=1e-10)
    np.testing.assert_allclose(dense.coefs.toarray(), csc.coefs.toarray(), atol=1e-8)
    assert dense.n_nonzero[0] == 0 and dense.n_nonzero[1] > 0


def test_estimator_matches_path_and_explains_groups():
    X, y = _data(3)
    model = GroupLasso(0.2, groups=GROUPS, tol=1e-10).fit(X, y)
    path = compute_path(
        X, y, Quadratic(), GroupPenalty(1.0, GROUPS), alphas=[0.2], tol=1e-10
    )
    np.testing.assert_allclose(model.coef_, path.coef(0.2), atol=1e-8)
    ex = model.explain(X, y)
    labels = np.array(GROUPS)
    for g in range(5):
        members = labels == g
        assert len(set(ex.status[members])) == 1
        if (model.coef_[members] == 0).all():
            # A zero group: its pull is below its penalty, and it would enter
            # at its entry alpha, below the fit's.
            assert (ex.pull[members] < ex.penalty[members]).all()
            assert (ex.entry_alpha[members] < 0.2).all()
            # With the rest of the fit held, the group's zero stops being
            # optimal just below its entry alpha (the gradient recomputed
            # here from the residual).
            grad = -X.T @ (y - model.predict(X)) / len(y)
            entry = ex.entry_alpha[members][0]
            for factor, moves in ((1 - 1e-6, True), (1 + 1e-6, False)):
                dist = GroupPenalty(entry * factor, GROUPS).subdiff_distance(
                    np.where(members, 0.0, model.coef_), grad
                )
                assert (dist[members].max() > 0) == moves
        else:
            assert ex.status[members][0] == "active"
            np.testing.assert_allclose(ex.pull[members], ex.penalty[members], rtol=1e-4)


def test_cv_selects_on_the_shared_runner():
    X, y = _data(4, n=120)
    model = GroupLassoCV(groups=GROUPS, cv=4, n_alphas=20).fit(X, y)
    res = cross_validate_path(
        X, y, penalty=GroupPenalty(1.0, GROUPS), cv=4, n_alphas=20
    )
    assert model.alpha_ == pytest.approx(res.alpha_min)
    assert model.dual_gap_ <= 1e-4 * 10
    assert (model.coef_[np.isin(GROUPS, [0, 3])] != 0).all()
    several = GroupLassoCV(groups=GROUPS, l1_ratio=[0.0, 0.5], cv=4, n_alphas=10)
    assert several.fit(X, y).l1_ratio_ in (0.0, 0.5)


def test_logistic_estimator_certifies_and_refuses_three_classes():
    X, y = _data(5, logistic=True)
    model = GroupLogisticRegression(0.02, groups=GROUPS).fit(X, y)
    assert model.dual_gap_ <= model.solver_result_.tol_abs
    assert model.predict(X).shape == y.shape
    with pytest.raises(ValueError, match="takes two classes"):
        GroupLogisticRegression(groups=GROUPS).fit(X, np.arange(len(y)) % 3)


def test_one_hot_groups_feed_the_estimator():
    rng = np.random.default_rng(6)
    n = 150
    frame = pd.DataFrame(
        {
            "age": rng.normal(50, 10, n),
            "site": rng.choice(["a", "b", "c"], n),
            "noise": rng.choice(["x", "y"], n),
        }
    )
    effect = frame["site"].map({"a": 0.0, "b": 2.0, "c": -1.0}).to_numpy()
    y = 0.05 * frame["age"].to_numpy() + effect + 0.3 * rng.standard_normal(n)
    X, groups, names = one_hot_groups(frame)
    assert names == ["age", "site=a", "site=b", "site=c", "noise=x", "noise=y"]
    model = GroupLasso(0.05, groups=groups).fit(X, y)
    assert (model.coef_[1:4] != 0).all() and (model.coef_[4:] == 0).all()
    with pytest.raises(ValueError, match="Column 'site' has a missing value"):
        one_hot_groups(frame.assign(site=frame["site"].where(frame.index != 3)))


def test_bad_parameters_name_themselves():
    X, y = _data(0)
    with pytest.raises(ValueError, match="solver must be one of"):
        GroupLasso(groups=GROUPS, solver="cd").fit(X, y)
    with pytest.raises(ValueError, match="groups must cover every feature"):
        GroupLasso(groups=[[0, 1]]).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        GroupLasso(groups=GROUPS, l1_ratio=2.0).fit(X, y)
