"""GLM fits against cvxpy (objective values) and scikit-learn, with their
certificates checked independently."""

import cvxpy as cp
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import log_softmax, xlogy

from sparsefit import PoissonLasso, SparseLogisticRegression

CLARABEL = dict(solver="CLARABEL", tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11)


def _data(seed, n, p, kind, K=3, sparse=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if sparse:
        X[rng.uniform(size=(n, p)) > 0.3] = 0.0
    if kind == "binomial":
        w = np.zeros(p)
        w[:4] = rng.choice([-1, 1], 4) * rng.uniform(1, 2, 4)
        y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-X @ w)), "yes", "no")
    elif kind == "multinomial":
        W = np.zeros((p, K))
        W[:4] = rng.normal(0, 1.5, (4, K))
        P = np.exp(X @ W)
        P /= P.sum(axis=1, keepdims=True)
        y = np.array([rng.choice(K, p=row) for row in P])
    else:
        w = np.zeros(p)
        w[:3] = rng.uniform(0.2, 0.5, 3)
        y = rng.poisson(np.exp(X @ w + 0.2)).astype(float)
    return (sp.csc_matrix(X) if sparse else X), y


def _objective(
    kind,
    X,
    y,
    coef,
    intercept,
    alpha,
    l1_ratio,
    sw=None,
    offset=None,
    grouped=False,
    pf=None,
):
    """P(w, b) computed from scratch on the original scale."""
    X = X.toarray() if sp.issparse(X) else X
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / np.sum(sw)
    pf = np.ones(X.shape[1]) if pf is None else np.asarray(pf)
    if kind == "binomial":
        classes = np.unique(y)
        t = np.where(y == classes[1], 1.0, -1.0)
        z = X @ coef.ravel() + intercept[0]
        fit = s @ np.logaddexp(0, -t * z) / n
        rows = np.abs(coef.reshape(1, -1))
    elif kind == "multinomial":
        classes = np.unique(y)
        Y = (y[:, None] == classes[None]).astype(float)
        Z = X @ coef.T + intercept
        fit = -s @ np.sum(Y * log_softmax(Z, axis=1), axis=1) / n
        rows = coef
    else:
        z = X @ coef + intercept + (0 if offset is None else offset)
        fit = s @ (np.exp(z) - y * z + xlogy(y, y) - y) / n
        rows = coef.reshape(1, -1)
    if grouped:
        norms = np.sqrt((rows**2).sum(axis=0))
        pen = pf @ (l1_ratio * norms + 0.5 * (1 - l1_ratio) * norms**2)
    else:
        pen = np.sum(pf * (l1_ratio * np.abs(rows) + 0.5 * (1 - l1_ratio) * rows**2))
    return fit + alpha * pen


def _cvxpy(
    kind,
    X,
    y,
    alpha,
    l1_ratio,
    sw=None,
    offset=None,
    grouped=False,
    pf=None,
    fit_intercept=True,
):
    X = X.toarray() if sp.issparse(X) else X
    n, p = X.shape
    s = np.ones(n) if sw is None else sw * n / np.sum(sw)
    pf = np.ones(p) if pf is None else np.asarray(pf)
    if kind == "multinomial":
        classes = np.unique(y)
        K = classes.size
        Y = (y[:, None] == classes[None]).astype(float)
        W, b = cp.Variable((p, K)), cp.Variable(K)
        Z = X @ W + (
            np.ones((n, 1)) @ cp.reshape(b, (1, K), order="C") if fit_intercept else 0
        )
        fit = (
            s @ cp.log_sum_exp(Z, axis=1) - cp.sum(cp.multiply(s[:, None] * Y, Z))
        ) / n
        if grouped:
            norms = cp.norm(W, 2, axis=1)
            pen = pf @ (l1_ratio * norms) + 0.5 * (1 - l1_ratio) * cp.sum(
                cp.multiply(pf[:, None], cp.square(W))
            )
        else:
            pen = cp.sum(
                cp.multiply(
                    pf[:, None],
                    l1_ratio * cp.abs(W) + 0.5 * (1 - l1_ratio) * cp.square(W),
                )
            )
    else:
        w, b = cp.Variable(p), cp.Variable()
        z = X @ w + (b if fit_intercept else 0)
        if kind == "binomial":
            t = np.where(y == np.unique(y)[1], 1.0, -1.0)
            fit = s @ cp.logistic(-cp.multiply(t, z)) / n
        else:
            z = z + (0 if offset is None else offset)
            fit = (s @ (cp.exp(z) - cp.multiply(y, z))) / n + np.mean(
                s * (xlogy(y, y) - y)
            )
        pen = pf @ (l1_ratio * cp.abs(w) + 0.5 * (1 - l1_ratio) * cp.square(w))
    prob = cp.Problem(cp.Minimize(fit + alpha * pen))
    try:
        prob.solve(**CLARABEL)
    except cp.error.SolverError:
        # Clarabel's exponential-cone steps sometimes stall at 1e-11; 1e-9 is
        # still two orders below the comparison's tolerance.
        prob.solve(solver="CLARABEL", tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9)
    assert prob.status in ("optimal", "optimal_inaccurate"), prob.status
    return prob.value, prob.status


def _alpha_max(kind, X, y, offset=None):
    """alpha_max from its definition: the null model's gradient."""
    X = X.toarray() if sp.issparse(X) else X
    n = X.shape[0]
    if kind == "binomial":
        t = (y == np.unique(y)[1]).astype(float)
        return np.abs(X.T @ (t - t.mean())).max() / n
    if kind == "multinomial":
        Y = (y[:, None] == np.unique(y)[None]).astype(float)
        return np.abs(X.T @ (Y - Y.mean(axis=0))).max() / n
    o = np.zeros(n) if offset is None else offset
    mu = np.exp(o) * y.sum() / np.exp(o).sum()
    return np.abs(X.T @ (y - mu)).max() / n


CASES = []
for seed in range(4):
    CASES.append(("binomial", seed, dict(sparse=seed % 2 == 1), {}))
for seed, (K, grouped) in enumerate([(3, False), (3, True), (5, False), (5, True)]):
    CASES.append(
        ("multinomial", 10 + seed, dict(K=K, sparse=seed >= 2), dict(grouped=grouped))
    )
for seed in range(3):
    CASES.append(("poisson", 20 + seed, dict(sparse=seed == 1), dict(offset=True)))


@pytest.mark.parametrize("kind, seed, data_kw, opts", CASES)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_objective_matches_cvxpy(kind, seed, data_kw, opts, l1_ratio):
    n, p = (60, 25) if seed % 2 else (40, 70)
    X, y = _data(seed, n, p, kind, **data_kw)
    rng = np.random.default_rng(seed + 100)
    sw = rng.uniform(0.5, 2, n) if seed % 2 else None
    pf = rng.uniform(0.5, 1.5, p)
    # An unpenalised feature, except where a sparse column could separate the
    # classes alone (the minimum would not exist).
    pf[0] = 0.0 if not data_kw.get("sparse") else 0.5
    offset = rng.uniform(-0.5, 0.5, n) if opts.get("offset") else None
    grouped = opts.get("grouped", False)
    alpha = 0.2 * _alpha_max(kind, X, y, offset)
    tol = 1e-10
    if kind == "poisson":
        model = PoissonLasso(alpha, l1_ratio=l1_ratio, penalty_factor=pf, tol=tol)
        model.fit(X, y, sample_weight=sw, offset=offset)
        coef, intercept = model.coef_, model.intercept_
    else:
        model = SparseLogisticRegression(
            alpha,
            l1_ratio=l1_ratio,
            penalty_factor=pf,
            tol=tol,
            multinomial="grouped" if grouped else "ungrouped",
        ).fit(X, y, sample_weight=sw)
        coef, intercept = model.coef_, model.intercept_
    ours = _objective(
        kind,
        X,
        y,
        coef,
        np.atleast_1d(intercept),
        alpha,
        l1_ratio,
        sw,
        offset,
        grouped,
        pf,
    )
    ref, status = _cvxpy(kind, X, y, alpha, l1_ratio, sw, offset, grouped, pf)
    if status == "optimal":
        assert ours == pytest.approx(ref, rel=1e-7, abs=1e-9)
    # Whatever cvxpy's accuracy: ours is no worse, and cvxpy's value is not
    # below our certified lower bound P(w) - gap.
    assert ours <= ref + 1e-7 * abs(ref)
    assert ref >= ours - model.dual_gap_ - 1e-9 * abs(ref)
    # The certificate: gap under tol * P(w0), and P - P* is really below it.
    # A gap is >= 0 up to the rounding of the sums in P and D.
    assert model.dual_gap_ >= -1e-11 * max(abs(ref), 1.0)
    assert model.dual_gap_ <= model.solver_result_.tol_abs
    assert model.solver_result_.tol_abs <= tol * 10 * max(ref, 1.0)
    assert ours - ref <= model.dual_gap_ + 1e-8 * abs(ref)


@pytest.mark.parametrize("kind", ["binomial", "multinomial", "poisson"])
def test_dense_equals_csc_and_fista_agrees(kind):
    Xd, y = _data(3, 80, 30, kind, K=4)
    Xs = sp.csc_matrix(Xd)
    alpha = 0.1 * _alpha_max(kind, Xd, y)
    make = (
        (lambda s: PoissonLasso(alpha, tol=1e-11, solver=s))
        if kind == "poisson"
        else (
            lambda s: SparseLogisticRegression(
                alpha, tol=1e-11, solver=s, max_iter=100_000
            )
        )
    )
    dense = make("auto").fit(Xd, y)
    csc = make("auto").fit(Xs, y)
    fista = make("fista").fit(Xd, y)
    # With an even number of classes the ungrouped multinomial's rows are
    # unique only up to a shift inside the median interval: compare what is
    # unique, the objective and the probabilities.
    if kind == "multinomial":
        for other in (csc, fista):
            np.testing.assert_allclose(
                dense.predict_proba(Xd), other.predict_proba(Xd), atol=1e-6
            )
    else:
        np.testing.assert_allclose(dense.coef_, csc.coef_, atol=1e-6)
        np.testing.assert_allclose(dense.coef_, fista.coef_, atol=1e-5)
    pd = _objective(kind, Xd, y, dense.coef_, np.atleast_1d(dense.intercept_), alpha, 1)
    pf = _objective(kind, Xd, y, fista.coef_, np.atleast_1d(fista.intercept_), alpha, 1)
    assert pd == pytest.approx(pf, rel=1e-9)
    # Random perturbations never lower the objective.
    rng = np.random.default_rng(0)
    for _ in range(20):
        c = dense.coef_ + rng.normal(0, 1e-3, dense.coef_.shape)
        b = np.atleast_1d(dense.intercept_) + rng.normal(
            0, 1e-3, np.shape(np.atleast_1d(dense.intercept_))
        )
        assert _objective(kind, Xd, y, c, b, alpha, 1) >= pd - 1e-12


@pytest.mark.parametrize("solver", ["liblinear", "saga"])
def test_matches_scikit_learn_logistic_regression(solver):
    """Same solution as LogisticRegression(l1_ratio=1) with C = 1 / (n alpha)."""
    from sklearn.linear_model import LogisticRegression

    X, y = _data(7, 120, 15, "binomial")
    n = X.shape[0]
    alpha = 0.05 * _alpha_max("binomial", X, y) * 10
    ours = SparseLogisticRegression(alpha, tol=1e-12).fit(X, y)
    if solver == "liblinear":
        # liblinear penalises the intercept: compare without one.
        ours = SparseLogisticRegression(alpha, tol=1e-12, fit_intercept=False).fit(X, y)
        ref = LogisticRegression(
            C=1 / (n * alpha),
            l1_ratio=1,
            solver="liblinear",
            fit_intercept=False,
            tol=1e-12,
            max_iter=100_000,
        )
    else:
        ref = LogisticRegression(
            C=1 / (n * alpha), l1_ratio=1, solver="saga", tol=1e-12, max_iter=200_000
        )
    ref.fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=2e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=2e-5)
    np.testing.assert_array_equal(ours.coef_ == 0, np.abs(ref.coef_) < 1e-8)
