"""Survival curves after a stratified Cox fit: one Breslow baseline per stratum.

The reference numbers are R's (survival 3.5), on the veterans' data as
shipped (``sparsefit/datasets/data/veteran.csv``), from::

    library(survival)
    d <- read.csv("veteran.csv")
    fit <- coxph(Surv(time, status) ~ trt + karno + diagtime + age + prior
                 + strata(celltype), data = d, ties = "breslow")
    nd <- d[c(1, 20, 60, 100, 130), ]
    sf <- survfit(fit, newdata = nd)
    tm <- c(5, 50, 100, 200, 400)
    out <- t(sapply(1:5, function(i) summary(sf[i], times = tm, extend = TRUE)$surv))
    for (i in 1:5) cat(sprintf("%.15e", out[i, ]), "\\n")
"""

import numpy as np
import pandas as pd
import pytest

from sparsefit import CoxLasso, CoxLassoCV
from sparsefit.datafits import survival_target

from .cli_helpers import DATA

COEF = [
    0.280949955069665,
    -0.0379715286452711,
    -0.00346727639270843,
    -0.0117322573359943,
    0.0165041843619346,
]
ROWS = [0, 19, 59, 99, 129]
TIMES = [5, 50, 100, 200, 400]
SURVIVAL = [
    [9.696199633578764e-01, 7.731540109070574e-01, 7.194480895603482e-01,
     5.431842370992570e-01, 2.407573727960794e-01],
    [9.770398633676756e-01, 6.343887675365334e-01, 3.005184945553016e-01,
     1.467390819206399e-01, 4.782916059115742e-02],
    [1.000000000000000e+00, 6.950808576108868e-01, 4.745342585647036e-01,
     6.520630383572593e-02, 3.259416357768965e-04],
    [9.874874932492511e-01, 7.813757825736051e-01, 5.211491180961827e-01,
     3.533436495059444e-01, 1.924339714777929e-01],
    [1.000000000000000e+00, 5.227285683884598e-01, 2.646281113177517e-01,
     7.679487188068931e-03, 6.043971122359393e-07],
]  # fmt: skip
FEATURES = ["trt", "karno", "diagtime", "age", "prior"]


@pytest.fixture(scope="module")
def data():
    frame = pd.read_csv(DATA / "veteran.csv")
    y = survival_target(frame["time"], frame["status"], strata=frame["celltype"])
    return frame, frame[FEATURES].to_numpy(dtype=float), y


@pytest.fixture(scope="module")
def model(data):
    frame, X, y = data
    return CoxLasso(alpha=0.0, tol=1e-14).fit(X, y)


def test_stratified_survival_equals_r_survfit(data, model):
    frame, X, _ = data
    np.testing.assert_allclose(model.coef_, COEF, rtol=1e-8)
    strata = frame["celltype"].to_numpy()[ROWS]
    curves = model.predict_survival_function(X[ROWS], times=TIMES, strata=strata)
    np.testing.assert_allclose(curves, SURVIVAL, rtol=1e-6, atol=1e-12)
    hazard = model.predict_cumulative_hazard_function(X[ROWS], TIMES, strata=strata)
    np.testing.assert_allclose(np.exp(-hazard), curves, rtol=1e-12)


def test_each_stratum_has_its_own_baseline(data, model):
    frame, X, y = data
    labels = frame["celltype"].to_numpy()
    assert sorted(set(model.baseline_strata_)) == sorted(set(labels))
    # Breslow's estimator in each stratum: the expected number of deaths of
    # its samples equals the number observed.
    H = model.predict_cumulative_hazard_function(X, y["stop"], strata=labels)
    for label in set(labels):
        own = labels == label
        assert np.trace(H[own][:, own]) == pytest.approx(
            y["event"][own].sum(), rel=1e-10
        )


def test_strata_codes_of_an_encoded_target_name_the_baselines(data):
    frame, X, y = data
    # A target written without the labels (its dtype's metadata): its codes.
    plain = np.array(y.tolist(), dtype=np.dtype(y.dtype.descr))
    encoded = CoxLasso(alpha=0.01).fit(X, plain)
    assert set(encoded.baseline_strata_) == {0, 1, 2, 3}
    again = encoded.predict_survival_function(X[:3], strata=plain["strata"][:3])
    labelled = CoxLasso(alpha=0.01).fit(X, y)
    labels = frame["celltype"].to_numpy()[:3]
    assert set(labelled.baseline_strata_) == set(frame["celltype"])
    np.testing.assert_allclose(
        labelled.predict_survival_function(X[:3], strata=labels), again, rtol=1e-12
    )
    cv = CoxLassoCV(cv=3, n_alphas=5).fit(X, y)
    curves = cv.predict_survival_function(X[:3], strata=labels)
    assert curves.shape[0] == 3 and np.all(np.diff(curves, axis=1) <= 0)


def test_strata_are_required_and_checked(data, model):
    frame, X, _ = data
    with pytest.raises(ValueError, match="pass strata"):
        model.predict_survival_function(X[:2])
    with pytest.raises(ValueError, match="one label per row"):
        model.predict_survival_function(X[:2], strata=["large"])
    with pytest.raises(ValueError, match="'huge' \\(row 1\\)"):
        model.predict_survival_function(X[:2], strata=["large", "huge"])
