"""The Cox lasso against stored reference numbers on the shipped veteran data.

Breslow ties against R glmnet 4.1-6 (``family="cox"``; its objective is the
partial likelihood over n plus lambda times the penalty, with the weights
normalised to sum to 1, so ``alpha = lambda``).  For strata and (start,
stop] data glmnet 4.1-6 reports ``cox.fit: algorithm did not converge`` at
thresh 1e-10 on these problems, so the references there are R survival
3.5-3's ``coxph`` unpenalised (alpha = 0).  Efron ties against lifelines
0.30.3 (``CoxPHFitter(penalizer=0)``), Harrell's C-index against
scikit-survival 0.28.0's ``concordance_index_censored``.  The numbers came
from (R 4.2.2; ``veteran.csv`` is ``sparsefit/datasets/data/veteran.csv``)::

    library(glmnet); library(survival)
    d <- read.csv("veteran.csv")
    x <- cbind(trt=d$trt, smallcell=1*(d$celltype=="smallcell"),
               adeno=1*(d$celltype=="adeno"), large=1*(d$celltype=="large"),
               karno=d$karno, diagtime=d$diagtime, age=d$age, prior=d$prior)
    y <- Surv(d$time, d$status)
    lam <- glmnet(x, y, family="cox")$lambda[1:40]
    fit <- glmnet(x, y, family="cox", lambda=lam, thresh=1e-20, maxit=1e7)
    coef(fit)[, c(5, 30, 40)]
    w <- rep(c(1, 2, 0.5), length.out=nrow(x))
    lamw <- glmnet(x, y, family="cox", weights=w, alpha=0.5)$lambda[1:30]
    fitw <- glmnet(x, y, family="cox", weights=w, alpha=0.5, lambda=lamw,
                   thresh=1e-20, maxit=1e7)
    coef(fitw)[, c(10, 30)]
    start <- ifelse(seq_len(nrow(x)) %% 3 == 0, floor(d$time / 3), 0)
    ctl <- coxph.control(eps=1e-14, iter.max=100)
    coxph(Surv(d$time, d$status) ~ x[, -8] + strata(d$prior),
          ties="breslow", control=ctl)
    coxph(Surv(start, d$time, d$status) ~ x[, -8], ties="breslow", control=ctl)
    coxph(Surv(start, d$time, d$status) ~ x[, -8] + strata(d$prior),
          ties="efron", control=ctl)

and (Python, lifelines 0.30.3, scikit-survival 0.28.0)::

    df = X.assign(time=d.time, status=d.status)  # X: the 8 columns above
    opts = {"precision": 1e-14, "max_steps": 500}
    CoxPHFitter(penalizer=0.0).fit(df, "time", "status", fit_options=opts)
    CoxPHFitter(penalizer=0.0).fit(df.assign(w=w), "time", "status",
        weights_col="w", robust=True, fit_options=opts)  # w as above
    concordance_index_censored(d.status == 1, d.time, X @ beta)[0]
    # beta: glmnet's coefficients at lam[40]; and at -karno
"""

import numpy as np
import pytest

from sparsefit import CoxLasso, CoxLassoCV, compute_path
from sparsefit.datafits import Cox, concordance_index, survival_target
from sparsefit.datasets import load_veteran

# (lambda, coefficients): glmnet, unweighted lasso.
# fmt: off
GLMNET = [
    (0.30742899769718113, [0, 0, 0, 0, -0.010958607066760894, 0, 0, 0]),
    (0.030036119256328226, [0.13167211455931013, 0.54640411995341098, 0.88211541173315799, 0.10206074050268796, -0.029356516246861288, 0, -0.0020407226872420628, 0]),  # noqa: E501
    (0.01184686436754483, [0.22761857806801453, 0.7280604165858755, 1.0601660190125903, 0.27841615917642853, -0.031300533838511557, 4.2702093755945714e-05, -0.0059986767416362026, 0.0032766487030045067]),  # noqa: E501
]
# Weights (1, 2, 0.5) repeated, alpha = 0.5 (our l1_ratio).
GLMNET_WEIGHTED = [
    (0.38305033680516476, [0, 0, 0, 0, -0.014837321931686423, 0, 0, 0]),
    (0.059590227192495931, [0.28559707731630651, 0.4121281416305777, 0.6818479728929665, 0, -0.027970392490776621, 0.0013737500148281825, -0.0063589842650276576, 0]),  # noqa: E501
]
# coxph on the first 7 columns: strata (Breslow), entry times (Breslow),
# entry times and strata (Efron).
COXPH = {
    ("strata", "breslow"): [0.304299369321, 0.824220940133, 1.13025567759, 0.364805657114, -0.0317763054596, 0.000163900663819, -0.00768601820286],  # noqa: E501
    ("start", "breslow"): [0.278838049852, 0.729928280625, 0.990963832392, 0.297131493694, -0.0306630502199, 0.0014042531677, -0.00967500365566],  # noqa: E501
    ("start strata", "efron"): [0.288700418358, 0.69974445369, 0.943097933413, 0.250663967496, -0.0302753402816, 0.000735063143427, -0.00912446461787],  # noqa: E501
}
LIFELINES_EFRON = [0.29460282158326007, 0.8615604627552772, 1.19606637418664, 0.4012916543247303, -0.03281532619470708, 8.13205508714311e-05, -0.008706474944307116, 0.007159360168029432]  # noqa: E501
LIFELINES_EFRON_WEIGHTED = [0.45551836060805356, 0.7168399618229798, 0.9953697893005594, 0.25515761840981493, -0.03158315860401047, 0.0010023553099437633, -0.011012108211956249, 0.00891091613814387]  # noqa: E501
LIFELINES_LOGLIK = -474.39711171472277
SKSURV_CINDEX = 0.7400045433893685  # at GLMNET[-1]'s coefficients
SKSURV_CINDEX_KARNO = 0.7092798727850976  # risk = -karno (ties in the risk)
# fmt: on


@pytest.fixture(scope="module")
def veteran():
    return load_veteran()


def weights(n):
    w = np.resize([1.0, 2.0, 0.5], n)
    return w


@pytest.mark.parametrize("tol", [1e-4, 1e-12])
def test_glmnet_breslow(veteran, tol):
    """Coefficients equal glmnet's to 1e-6 at tight tol; at the default
    tol, to the accuracy the certificate gives (1e-3)."""
    alphas = [a for a, _ in GLMNET]
    path = compute_path(
        veteran.X, veteran.y, Cox(), alphas=alphas, standardize=True, tol=tol
    )
    atol = 1e-6 if tol < 1e-8 else 1e-3
    for k, (_, ref) in enumerate(GLMNET):
        np.testing.assert_allclose(path.coefs[:, k].toarray().ravel(), ref, atol=atol)


def test_glmnet_breslow_weighted_elastic_net(veteran):
    model = CoxLasso(l1_ratio=0.5, standardize=True, tol=1e-12)
    for alpha, ref in GLMNET_WEIGHTED:
        model.set_params(alpha=alpha).fit(
            veteran.X, veteran.y, sample_weight=weights(137)
        )
        np.testing.assert_allclose(model.coef_, ref, atol=1e-6)


def entry_times(veteran):
    rows = np.arange(1, 138)
    return np.where(rows % 3 == 0, np.floor(veteran.y["stop"] / 3), 0.0)


@pytest.mark.parametrize("kind, ties", list(COXPH))
def test_coxph_strata_and_entry_times(veteran, kind, ties):
    event = veteran.y["event"].astype(int)
    y = survival_target(
        veteran.y["stop"],
        event,
        start=entry_times(veteran) if "start" in kind else None,
        strata=veteran.X[:, 7] if "strata" in kind else None,
    )
    model = CoxLasso(alpha=0.0, ties=ties, tol=1e-14).fit(veteran.X[:, :7], y)
    np.testing.assert_allclose(model.coef_, COXPH[kind, ties], atol=1e-8)


def test_lifelines_efron(veteran):
    model = CoxLasso(alpha=0.0, ties="efron", tol=1e-14).fit(veteran.X, veteran.y)
    np.testing.assert_allclose(model.coef_, LIFELINES_EFRON, atol=1e-6)
    fit = Cox(ties="efron")
    z = veteran.X @ model.coef_
    loglik = -137 * (fit.value(veteran.y, z) + fit._constant(veteran.y))
    assert loglik == pytest.approx(LIFELINES_LOGLIK, abs=1e-8)
    weighted = CoxLasso(alpha=0.0, ties="efron", tol=1e-14).fit(
        veteran.X, veteran.y, sample_weight=weights(137)
    )
    np.testing.assert_allclose(weighted.coef_, LIFELINES_EFRON_WEIGHTED, atol=1e-6)


def test_c_index_against_scikit_survival(veteran):
    beta = np.array(GLMNET[-1][1])
    assert concordance_index(veteran.y, veteran.X @ beta) == pytest.approx(
        SKSURV_CINDEX, abs=1e-12
    )
    assert concordance_index(veteran.y, -veteran.X[:, 4]) == pytest.approx(
        SKSURV_CINDEX_KARNO, abs=1e-12
    )


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_path_default_tol_is_within_1e6(veteran, ties):
    """At the default tol every point of a 100-alpha path is within 1e-6
    relative suboptimality of a tol=1e-12 solve, with KKT within 1e-3 alpha."""
    X, y = veteran.X, veteran.y
    path = compute_path(X, y, Cox(ties=ties), standardize=True)
    tight = compute_path(
        X, y, Cox(ties=ties), alphas=path.alphas, standardize=True, tol=1e-12
    )
    fit = Cox(ties=ties)
    scale = X.std(axis=0)
    assert np.all(path.dual_gaps <= path.gap_tols)
    for k, alpha in enumerate(path.alphas):
        values = []
        for p in (path, tight):
            w = p.coefs[:, k].toarray().ravel()
            values.append(fit.value(y, X @ w) + alpha * np.abs(w * scale).sum())
        assert values[0] - values[1] <= 1e-6 * values[1]
        assert path.kkt_violations[k] <= 1e-3 * alpha


def test_cv_scores(veteran):
    """Grouped deviance and C-index CV, fold by fold against a direct
    computation of glmnet's definition on one fold."""
    foldid = np.arange(137) % 5
    model = CoxLassoCV(standardize=True, n_alphas=20).fit(
        veteran.X, veteran.y, foldid=foldid
    )
    res = model.cv_result_
    test = foldid == 0
    train_path = compute_path(
        veteran.X[~test], veteran.y[~test], Cox(), alphas=res.alphas, standardize=True
    )
    k = 10
    w = train_path.coefs[:, k].toarray().ravel()
    fit = Cox()
    z = veteran.X @ w
    dev_all = 2 * 137 * fit.value(veteran.y, z)
    dev_train = 2 * (~test).sum() * fit.value(veteran.y[~test], z[~test])
    expected = (dev_all - dev_train) / veteran.y["event"][test].sum()
    assert res.fold_scores[0, k] == pytest.approx(expected, rel=1e-6)
    assert model.score(veteran.X, veteran.y) > 0.65
    c = CoxLassoCV(standardize=True, scoring="c_index", n_alphas=20).fit(
        veteran.X, veteran.y, foldid=foldid
    )
    assert c.cv_result_.greater_is_better and c.cv_mean_.max() > 0.65
