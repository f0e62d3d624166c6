"""MultiTaskElasticNet and the ridge term of GroupPenalty: against
scikit-learn's MultiTaskElasticNet, against numbers stored from R glmnet's
mgaussian at alpha = 0.5, the defaults variant, and the penalty's prox,
conjugate and certificate.

The glmnet numbers (R 4.2.2, glmnet 4.1-6) come from the prostate data
shipped with sparsefit, the seven predictors other than lcavol and the two
responses lpsa and lcavol, written to ``mg.csv`` as in
``tests/test_multi_task.py``::

    library(glmnet)
    d <- as.matrix(read.csv("mg.csv", header = FALSE))
    X <- d[, 1:7]; Y <- d[, 8:9]
    for (std in c(FALSE, TRUE)) {
      fit <- glmnet(X, Y, family = "mgaussian", alpha = 0.5,
                    lambda = c(1, 0.5, 0.2, 0.1, 0.05), standardize = std,
                    thresh = 1e-20, maxit = 1e8)
      for (k in c(3, 5)) {
        cat(std, fit$lambda[k], "\\n")
        cat(sprintf("%.15g", fit$a0[, k]), "\\n")
        cat(sprintf("%.15g", as.numeric(fit$beta[[1]][, k])), "\\n")
        cat(sprintf("%.15g", as.numeric(fit$beta[[2]][, k])), "\\n")
      }
    }

glmnet's mgaussian penalty is ``lambda ((1 - a)/2 ||B||_F^2 + a sum_j
||B_j||_2)``: ``alpha = lambda`` and ``l1_ratio = a`` here.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import MultiTaskElasticNet as SkMultiTaskElasticNet
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsefit import MultiTaskElasticNet, MultiTaskLasso, compute_path
from sparsefit._problem import Problem
from sparsefit.datafits import Quadratic
from sparsefit.datasets import load_prostate
from sparsefit.penalties import GroupPenalty

# (standardize, lambda, intercepts, coefficients of lpsa, of lcavol)
# fmt: off
GLMNET = [
    (False, 0.2, [1.30377595538995, -0.258260481215766],
     [0.228370448178157, 0.00331616087259895, 0.0529749989894149, 0.109833436939028, 0.292049105822799, 0.0, 0.00645436134098532],  # noqa: E501
     [0.111020580450778, 0.0190599017502563, -0.0132071276268762, 0.0630889652488999, 0.443099979650382, 0.0, 0.00226595715838696]),  # noqa: E501
    (False, 0.05, [-0.454716401791856, -2.15723087335009],
     [0.651861368861785, -0.00674201781553425, 0.0661784453768768, 0.614127722963165, 0.224696066484044, 0.122621276949733, 0.00290456731503521],  # noqa: E501
     [0.334341588349382, 0.0167347732249316, -0.0372834853516589, 0.286439705051035, 0.459009830429884, 0.19789797209481, -0.00357282329261416]),  # noqa: E501
    (True, 0.2, [-1.07885058952931, -1.15663313181223],
     [0.67438147478175, 0.0, 0.000617133554150184, 0.694290224352712, 0.186562322346905, 0.147060357791608, 0.0],  # noqa: E501
     [0.365606024268975, 0.0, -0.00016688254243655, 0.47439642548778, 0.317821922696727, 0.167965213855794, 0.0]),  # noqa: E501
    (True, 0.05, [-1.51291830371428, -2.34036358831329],
     [0.81933825329368, -0.00699771431631835, 0.0473993305589264, 0.884385582155846, 0.16634533846754, 0.188637210707903, 0.00101376645272707],  # noqa: E501
     [0.439934769376588, 0.0100576154776012, -0.0346367111270011, 0.438342025391538, 0.390564555590628, 0.218099907603371, -0.00174599177411697]),  # noqa: E501
]
# fmt: on


def _prostate():
    data = load_prostate()
    X = np.delete(data.X, 0, axis=1)
    return X, np.column_stack([data.y, data.X[:, 0]])


def _random(seed=0, n=60, p=15, K=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = np.zeros((K, p))
    W[:, :4] = rng.standard_normal((K, 4))
    return X, X @ W.T + 0.3 * rng.standard_normal((n, K))


@pytest.mark.parametrize("case", GLMNET, ids=lambda c: f"std{c[0]}-lam{c[1]}")
def test_matches_stored_glmnet_mgaussian_at_half_mix(case):
    standardize, lam, b, w1, w2 = case
    X, Y = _prostate()
    model = MultiTaskElasticNet(lam, l1_ratio=0.5, standardize=standardize, tol=1e-14)
    model.fit(X, Y)
    np.testing.assert_allclose(model.coef_, [w1, w2], atol=1e-6)
    np.testing.assert_allclose(model.intercept_, b, atol=1e-6)
    assert ((model.coef_ != 0) == (np.array([w1, w2]) != 0)).all()
    assert model.dual_gap_ <= 1e-12


@pytest.mark.parametrize("l1_ratio", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("sparse", [False, True])
def test_matches_scikit_learn(l1_ratio, sparse):
    X, Y = _random()
    ref = SkMultiTaskElasticNet(0.1, l1_ratio=l1_ratio, tol=1e-14, max_iter=10**6)
    ref.fit(X, Y)
    Xs = sp.csr_matrix(X) if sparse else X
    ours = MultiTaskElasticNet(0.1, l1_ratio=l1_ratio, tol=1e-14).fit(Xs, Y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-7)


def _objective(model, X, Y, alpha, rho):
    R = Y - model.predict(X)
    W = model.coef_
    penalty = rho * np.linalg.norm(W, axis=0).sum() + (1 - rho) / 2 * (W**2).sum()
    return (R**2).sum() / (2 * len(Y)) + alpha * penalty


def test_defaults_are_within_1e6_of_a_tight_solve():
    X, Y = _random(1)
    tight = MultiTaskElasticNet(0.05, l1_ratio=0.3, tol=1e-13).fit(X, Y)
    default = MultiTaskElasticNet(0.05, l1_ratio=0.3).fit(X, Y)
    best = _objective(tight, X, Y, 0.05, 0.3)
    assert _objective(default, X, Y, 0.05, 0.3) - best <= 1e-6 * best
    # The certificate bounds the true suboptimality of the default fit.
    assert _objective(default, X, Y, 0.05, 0.3) - best <= default.dual_gap_ + 1e-15


def test_mix_one_is_the_lasso_and_zero_is_refused():
    X, Y = _prostate()
    enet = MultiTaskElasticNet(0.1, l1_ratio=1.0, tol=1e-12).fit(X, Y)
    lasso = MultiTaskLasso(0.1, tol=1e-12).fit(X, Y)
    np.testing.assert_allclose(enet.coef_, lasso.coef_, atol=1e-10)
    with pytest.raises(ValueError, match="l1_ratio"):
        MultiTaskElasticNet(l1_ratio=0.0).fit(X, Y)


@parametrize_with_checks([MultiTaskElasticNet(alpha=0.01, l1_ratio=0.6)])
def test_scikit_learn_contract(estimator, check):
    check(estimator)


GROUPS = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3]


def _penalty(alpha=0.7, tau=0.3, ridge=0.8):
    return GroupPenalty(alpha, GROUPS, tau, [1.0, 2.0, 0.0, 1.5], ridge=ridge)


def test_ridge_prox_is_the_minimiser():
    rng = np.random.default_rng(2)
    pen = _penalty()
    for _ in range(20):
        v, step = rng.standard_normal(10) * 2, rng.uniform(0.1, 2)
        x = pen.prox(v, step)

        def obj(u, v=v, step=step):
            return np.sum((u - v) ** 2) / (2 * step) + pen.value(u)

        best = obj(x)
        for _ in range(50):
            assert obj(x + 1e-3 * rng.standard_normal(10)) >= best - 1e-12
        # Optimality: (v - x) / step is a subgradient at x.
        assert pen.subdiff_distance(x, -(v - x) / step).max() <= 1e-10


def test_ridge_conjugate_is_fenchel_young_tight():
    rng = np.random.default_rng(3)
    pen = _penalty()
    for _ in range(20):
        w = rng.standard_normal(10) * (rng.uniform(size=10) > 0.3)
        w[pen.free_features(10)] = 0.0  # the unpenalised group is projected out
        z = rng.standard_normal(10)
        assert pen.value(w) + pen.conjugate(z) >= w @ z - 1e-12
        # At z the prox's subgradient (z in the subdifferential at w = prox).
        x = pen.prox(z, 1.0)
        g = z - x
        assert pen.value(x) + pen.conjugate(g) == pytest.approx(x @ g, abs=1e-10)
    # Without ridge on a group, outside its dual ball is infinite.
    assert not np.isfinite(_penalty(ridge=0.0).conjugate(np.full(10, 50.0)))
    assert np.isfinite(_penalty().conjugate(np.full(10, 50.0)))


def test_ridge_path_is_certified_against_tight_solves():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 10))
    y = X[:, :3] @ np.array([1.0, -1.0, 2.0]) + rng.standard_normal(50)
    pen = _penalty(1.0)
    path = compute_path(X, y, Quadratic(), pen, n_alphas=20)
    assert (path.dual_gaps <= path.gap_tols).all()
    tight = Problem(X, y, Quadratic(), pen, tol=1e-13, max_iter=10**6)
    for k in range(0, 20, 4):
        alpha = path.alphas[k]
        coef, b = path.coefs[:, k].toarray().ravel(), path.intercepts[k]
        ours = np.mean((y - X @ coef - b) ** 2) / 2 + pen.with_alpha(alpha).value(coef)
        best = tight.solve(alpha).primal
        assert 0 <= ours - best + 1e-14 and ours - best <= path.dual_gaps[k] + 1e-14
        assert ours - best <= 1e-6 * best


def test_ridge_logistic_path_agrees_with_fista():
    """Proximal Newton's block passes carry the ridge term too."""
    from sparsefit.datafits import Logistic

    rng = np.random.default_rng(5)
    X = rng.standard_normal((80, 10))
    y = (X[:, 0] - X[:, 3] + rng.logistic(size=80) > 0).astype(int)
    pen = _penalty(1.0)
    path = compute_path(X, y, Logistic(), pen, n_alphas=15, tol=1e-10)
    assert (path.dual_gaps <= path.gap_tols).all()
    yy = np.where(y > 0, 1.0, -1.0)
    for k in (3, 8, 14):
        alpha = path.alphas[k]
        coef, b = path.coefs[:, k].toarray().ravel(), path.intercepts[k]
        z = X @ coef + b
        ours = np.mean(np.logaddexp(0, -yy * z)) + pen.with_alpha(alpha).value(coef)
        fista = Problem(
            X, yy, Logistic(), pen, tol=1e-13, max_iter=10**5, solver="fista"
        )
        best = fista.solve(alpha).primal
        assert abs(ours - best) <= 1e-9 * best
