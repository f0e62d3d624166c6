"""The README's mapping from glmnet's Gaussian elastic net to ours, against
numbers stored from R glmnet 4.1-6 on the prostate data.

glmnet divides y by its standard deviation s_y (1/n, about the mean with an
intercept, about 0 without), fits with lambda / s_y and multiplies back, so
in y's units its ridge term is divided by s_y:

    alpha = lambda (a + (1 - a) / s_y),  l1_ratio = a s_y / (a s_y + 1 - a).

The reference numbers came from (R 4.2.2, glmnet 4.1-6)::

    d <- as.matrix(read.csv("prostate_xy.csv", header = FALSE))  # X | y
    fit <- glmnet(d[, 1:8], d[, 9], family = "gaussian", alpha = a,
                  lambda = c(1, 0.5, 0.2, 0.1, 0.05, 0.02), standardize = std,
                  intercept = intr, thresh = 1e-20, maxit = 1e8)
    fit$a0[k]; fit$beta[, k]  # k = 4 (lambda 0.1) and 6 (lambda 0.02)
"""

import numpy as np
import pytest

from sparsefit import ElasticNet, Lasso
from sparsefit.datasets import load_prostate

# (a, standardize, intercept, lambda, intercept value, coefficients)
# fmt: off
GLMNET = [
    (0.5, False, True, 0.1, 1.27642641898208, [0.550660889919671, 0.268500692623794, -0.011159560792663, 0.0861918296096255, 0.209099210960462, 0, 0, 0.00586457939529453]),  # noqa: E501
    (0.5, False, True, 0.02, 0.702055467634964, [0.556692111595426, 0.530220823792288, -0.0182264289768946, 0.0952665097081697, 0.578247989322521, -0.0504763552499837, 0, 0.0049585883187709]),  # noqa: E501
    (0.3, True, True, 0.1, 0.0135606835182642, [0.472955345784583, 0.546808879315222, -0.00829038655554074, 0.0615553543474943, 0.601935159807824, 0, 0.0260753699302181, 0.00241570192473653]),  # noqa: E501
    (0.3, True, True, 0.02, 0.14641378831034, [0.536329268948274, 0.606767266335625, -0.0180750467983634, 0.0886818568459169, 0.706805529434326, -0.0644718312257994, 0.043933351353279, 0.00370091025654013]),  # noqa: E501
    (0.5, False, False, 0.1, 0.0, [0.540423588997321, 0.462186579339288, -0.00220554540117751, 0.0476345930720619, 0.21726257278194, 0, 0.00317872104304681, 0.00537325353825034]),  # noqa: E501
    (0.5, False, False, 0.02, 0.0, [0.548193163238225, 0.601467105815971, -0.0164274872593234, 0.0834313704878172, 0.612470327106365, -0.0598239467076898, 0.0521992933064071, 0.00403785958354307]),  # noqa: E501
    (1.0, False, True, 0.1, 1.72644804591777, [0.577897638344625, 0.0428017276689172, -0.00555631588640651, 0.0763780986146022, 0, 0, 0, 0.00671170498238172]),  # noqa: E501
    (1.0, False, True, 0.02, 0.749971294147874, [0.547530666857509, 0.502735622134327, -0.0167785417490491, 0.0910004569682997, 0.508064010791444, -0.022018370084307, 0, 0.00464895412368736]),  # noqa: E501
]
# fmt: on


def glmnet_to_sparsefit(lam, a, y, intercept=True):
    """``(alpha, l1_ratio)`` of glmnet's Gaussian ``(lambda, alpha=a)``."""
    centre = y.mean() if intercept else 0.0
    s_y = np.sqrt(np.mean((y - centre) ** 2))
    if a == 1.0:
        return lam, 1.0
    return lam * (a + (1 - a) / s_y), a * s_y / (a * s_y + (1 - a))


@pytest.mark.parametrize("case", GLMNET, ids=lambda c: f"a{c[0]}-std{c[1]}-b{c[2]}")
def test_readme_mapping_matches_stored_glmnet(case):
    a, standardize, intercept, lam, b, w = case
    data = load_prostate()
    X, y = data.X, data.y
    alpha, l1_ratio = glmnet_to_sparsefit(lam, a, y, intercept)
    model = ElasticNet(
        alpha=alpha,
        l1_ratio=l1_ratio,
        standardize=standardize,
        fit_intercept=intercept,
        tol=1e-14,
    ).fit(X, y)
    np.testing.assert_allclose(model.coef_, w, atol=2e-7)
    assert model.intercept_ == pytest.approx(b, abs=2e-6)
    if a < 1:
        # The plain reading, alpha = lambda and l1_ratio = a, is off.
        naive = ElasticNet(
            alpha=lam,
            l1_ratio=a,
            standardize=standardize,
            fit_intercept=intercept,
            tol=1e-14,
        ).fit(X, y)
        assert np.abs(naive.coef_ - w).max() > 1e-3


@pytest.mark.parametrize("intercept", [True, False])
def test_mapping_is_glmnet_procedure_on_our_own_fits(intercept):
    """Fit on y / s_y at lambda / s_y, multiply back: the mapped fit on y."""
    data = load_prostate()
    X, y = data.X, data.y
    lam, a = 0.05, 0.4
    centre = y.mean() if intercept else 0.0
    s_y = np.sqrt(np.mean((y - centre) ** 2))
    scaled = ElasticNet(
        alpha=lam / s_y, l1_ratio=a, fit_intercept=intercept, tol=1e-14
    ).fit(X, y / s_y)
    alpha, l1_ratio = glmnet_to_sparsefit(lam, a, y, intercept)
    direct = ElasticNet(
        alpha=alpha, l1_ratio=l1_ratio, fit_intercept=intercept, tol=1e-14
    ).fit(X, y)
    np.testing.assert_allclose(direct.coef_, s_y * scaled.coef_, rtol=1e-6, atol=1e-8)
    lasso = Lasso(alpha=lam / s_y, fit_intercept=intercept, tol=1e-14).fit(X, y / s_y)
    direct = Lasso(alpha=lam, fit_intercept=intercept, tol=1e-14).fit(X, y)
    np.testing.assert_allclose(direct.coef_, s_y * lasso.coef_, rtol=1e-6, atol=1e-8)
