"""MultiTaskLasso (glmnet's mgaussian) against numbers stored from R glmnet
4.1-6 and against scikit-learn's MultiTaskLasso.

The data: the prostate data shipped with sparsefit, the seven predictors
other than lcavol, and two responses, lpsa and lcavol.  The reference
numbers came from (R 4.2.2, glmnet 4.1-6)::

    d <- as.matrix(read.csv("mg.csv", header = FALSE))  # X (7) | lpsa | lcavol
    X <- d[, 1:7]; Y <- d[, 8:9]
    fit <- glmnet(X, Y, family = "mgaussian", alpha = 1,
                  lambda = c(1, 0.5, 0.2, 0.1, 0.05), standardize = std,
                  thresh = 1e-20, maxit = 1e8)
    fit$a0[, k]; fit$beta[[r]][, k]  # k = 3 (lambda 0.2) and 5 (lambda 0.05)

glmnet's mgaussian objective is ``1/(2n) sum_i ||y_i - b - B'x_i||^2 +
lambda sum_j ||B_j||_2`` at ``alpha = 1``, so ``lambda`` is our ``alpha``
(glmnet's scaling of the responses by a common factor cancels for the lasso
part; ``standardize.response`` is FALSE by default).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import MultiTaskLasso as SkMultiTaskLasso
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsefit import MultiTaskLasso
from sparsefit.datasets import load_prostate

# (standardize, lambda, intercepts, coefficients of lpsa, of lcavol)
# fmt: off
GLMNET = [
    (False, 0.2, [1.80387745972784, 0.146590603753771],
     [0, 0.00872202449892397, 0.023456203804965, 0, 0.300043731135715, 0, 0.00692872589242473],  # noqa: E501
     [0, 0.0188587074782007, -0.00267546340351551, 0, 0.431489462824134, 0, 0.00314386670802441]),  # noqa: E501
    (False, 0.05, [-0.15274317903247, -1.58185755107608],
     [0.625473522355051, -0.00492384731559482, 0.0550173851909959, 0.538443668548645, 0.23699479998245, 0.0742940089027492, 0.00387712604941294],  # noqa: E501
     [0.308879622604482, 0.0166738451445298, -0.0291599155369581, 0.259531575359044, 0.45962676493714, 0.121773474814585, -0.00192914048593718]),  # noqa: E501
    (True, 0.2, [-0.0676739361348477, -0.310984564751676],
     [0.548356129707456, 0, 0, 0.566356474337953, 0.215578578600755, 0.0699232248044015, 0],  # noqa: E501
     [0.300004284564801, 0, 0, 0.404822587869275, 0.331479540928041, 0.0805780946569743, 0]),  # noqa: E501
    (True, 0.05, [-1.56131084780471, -1.75560361793569],
     [0.795148441842936, -0.00315416162389354, 0.0304031699927029, 0.838477573561272, 0.185070660557259, 0.178333589405874, 0],  # noqa: E501
     [0.423309351948208, 0.00604807737786765, -0.0190279567607355, 0.433447912403416, 0.379312473135436, 0.171680725285899, 0]),  # noqa: E501
]
# fmt: on


def _prostate():
    data = load_prostate()
    X = np.delete(data.X, 0, axis=1)
    return X, np.column_stack([data.y, data.X[:, 0]])


@pytest.mark.parametrize("case", GLMNET, ids=lambda c: f"std{c[0]}-lam{c[1]}")
def test_matches_stored_glmnet_mgaussian(case):
    standardize, lam, b, w1, w2 = case
    X, Y = _prostate()
    model = MultiTaskLasso(lam, standardize=standardize, tol=1e-14).fit(X, Y)
    np.testing.assert_allclose(model.coef_, [w1, w2], atol=1e-6)
    np.testing.assert_allclose(model.intercept_, b, atol=1e-6)
    # The zero pattern is glmnet's exactly: whole features, for both responses.
    assert ((model.coef_ != 0) == (np.array([w1, w2]) != 0)).all()
    assert model.dual_gap_ <= 1e-12


@pytest.mark.parametrize("sparse", [False, True])
def test_matches_scikit_learn_and_default_tol(sparse):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 15))
    W = np.zeros((3, 15))
    W[:, :4] = rng.standard_normal((3, 4))
    Y = X @ W.T + 0.3 * rng.standard_normal((60, 3))
    ref = SkMultiTaskLasso(0.1, tol=1e-14, max_iter=1_000_000).fit(X, Y)
    Xs = sp.csr_matrix(X) if sparse else X
    tight = MultiTaskLasso(0.1, tol=1e-12).fit(Xs, Y)
    np.testing.assert_allclose(tight.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(tight.intercept_, ref.intercept_, atol=1e-7)

    def objective(m):
        R = Y - m.predict(X)
        return (R**2).sum() / (2 * len(Y)) + 0.1 * np.linalg.norm(m.coef_, axis=0).sum()

    default = MultiTaskLasso(0.1).fit(Xs, Y)
    assert objective(default) - objective(tight) <= 1e-6 * objective(tight)


def test_sample_weights_equal_repeated_rows():
    X, Y = _prostate()
    counts = np.random.default_rng(1).integers(1, 4, X.shape[0])
    weighted = MultiTaskLasso(0.05, tol=1e-13).fit(X, Y, sample_weight=counts)
    repeated = MultiTaskLasso(0.05, tol=1e-13).fit(
        np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0)
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-8)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-8)


def test_bad_targets_name_themselves():
    X, Y = _prostate()
    with pytest.raises(ValueError, match="needs y of shape"):
        MultiTaskLasso().fit(X, Y[:, 0])
    Y = Y.copy()
    Y[4, 1] = np.nan
    with pytest.raises(ValueError, match="y has a non-finite value in row 4"):
        MultiTaskLasso().fit(X, Y)


@parametrize_with_checks([MultiTaskLasso(alpha=0.01)])
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def test_cv_selects_the_smallest_held_out_error_and_refits():
    from sparsefit import MultiTaskLassoCV

    rng = np.random.default_rng(2)
    X = rng.standard_normal((90, 10))
    W = np.zeros((2, 10))
    W[:, :3] = [[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]]
    Y = X @ W.T + 0.5 * rng.standard_normal((90, 2))
    model = MultiTaskLassoCV(cv=3, n_alphas=25, tol=1e-10).fit(X, Y)
    assert model.alpha_ == model.alphas_[np.argmin(model.cv_mean_)]
    assert model.alpha_1se_ >= model.alpha_min_
    single = MultiTaskLasso(model.alpha_, tol=1e-10).fit(X, Y)
    np.testing.assert_allclose(model.coef_, single.coef_, atol=1e-7)
    assert (model.coef_[:, :3] != 0).all()
    # The grid starts at alpha_max of the multi-response problem.
    top = MultiTaskLasso(model.alphas_[0] * (1 + 1e-6)).fit(X, Y)
    below = MultiTaskLasso(model.alphas_[0] * (1 - 1e-3)).fit(X, Y)
    assert not top.coef_.any() and below.coef_.any()
