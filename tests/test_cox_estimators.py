"""CoxLasso and CoxLassoCV: targets in every accepted form, predictions,
survival curves, errors naming the argument, the estimator contract."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sparsefit import CoxLasso, CoxLassoCV
from sparsefit.datafits import survival_target
from sparsefit.datasets import load_veteran


@pytest.fixture(scope="module")
def veteran():
    return load_veteran()


def test_target_forms_agree(veteran):
    """glmnet's (time, event) columns, scikit-survival's structured array
    (event, time) and survival_target give the same fit."""
    time, event = veteran.y["stop"], veteran.y["event"]
    sksurv = np.empty(137, dtype=[("Status", "?"), ("Survival_in_days", "f8")])
    sksurv["Status"], sksurv["Survival_in_days"] = event > 0, time
    fits = [
        CoxLasso(alpha=0.02, standardize=True, tol=1e-10).fit(veteran.X, y).coef_
        for y in (np.column_stack([time, event]), sksurv, veteran.y)
    ]
    np.testing.assert_allclose(fits[0], fits[1], atol=1e-12)
    np.testing.assert_allclose(fits[0], fits[2], atol=1e-12)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda t, e: survival_target(-t, e), "time must hold finite times >= 0"),
        (lambda t, e: survival_target(t, e + 1), "event must hold 0 and 1"),
        (lambda t, e: survival_target(t, 0 * e), "event has no event"),
        (lambda t, e: survival_target(t, e, start=t), "start must be below time"),
        (lambda t, e: np.column_stack([t, e, t, t]), "y must be a survival target"),
    ],
)
def test_bad_targets_name_the_argument(veteran, make, message):
    t, e = veteran.y["stop"], veteran.y["event"].astype(int)
    with pytest.raises(ValueError, match=message):
        CoxLasso(alpha=0.1).fit(veteran.X, make(t, e))


def test_bad_parameters(veteran):
    with pytest.raises(ValueError, match="ties must be"):
        CoxLasso(ties="exact").fit(veteran.X, veteran.y)
    with pytest.raises(ValueError, match="scoring must be one of"):
        CoxLassoCV(scoring="mse").fit(veteran.X, veteran.y)
    model = CoxLasso(alpha=0.1).fit(veteran.X, veteran.y)
    with pytest.raises(ValueError, match="kind must be"):
        model.predict(veteran.X, kind="response")


def test_predictions_and_survival_curves(veteran):
    model = CoxLasso(alpha=0.02, standardize=True).fit(veteran.X, veteran.y)
    link = model.predict(veteran.X)
    np.testing.assert_allclose(link, veteran.X @ model.coef_)
    np.testing.assert_allclose(model.predict(veteran.X, kind="risk"), np.exp(link))
    assert model.intercept_ == 0.0
    curves = model.predict_survival_function(veteran.X[:5], times=[0, 50, 200, 1000])
    assert curves.shape == (5, 4)
    assert np.all(curves[:, 0] == 1.0)
    assert np.all(np.diff(curves, axis=1) <= 0)
    # Breslow's estimator: the expected number of events over the training
    # samples equals the number observed (sum of H_0(t_i) exp(eta_i)).
    H = -np.log(model.predict_survival_function(veteran.X, times=veteran.y["stop"]))
    assert np.trace(H) == pytest.approx(veteran.y["event"].sum(), rel=1e-10)


def test_strata_survival_curves_refused(veteran):
    y = survival_target(
        veteran.y["stop"], veteran.y["event"].astype(int), strata=veteran.X[:, 0]
    )
    model = CoxLasso(alpha=0.05).fit(veteran.X[:, 1:], y)
    with pytest.raises(ValueError, match="strata"):
        model.predict_survival_function(veteran.X[:2, 1:])


def test_contract_clone_params_pickle(veteran):
    model = CoxLassoCV(cv=3, n_alphas=10, standardize=True)
    assert clone(model).get_params() == model.get_params()
    model.fit(veteran.X, veteran.y)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(veteran.X), model.predict(veteran.X))
    assert again.explain().alpha == model.alpha_


def test_explain_matches_the_support(veteran):
    model = CoxLasso(alpha=0.05, standardize=True).fit(veteran.X, veteran.y)
    table = model.explain().to_dict()
    pairs = zip(table["feature"], table["status"], strict=True)
    active = {f for f, s in pairs if s == "active"}
    assert active == {f"x{j}" for j in np.flatnonzero(model.coef_)}
