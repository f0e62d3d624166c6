"""Cross-validation of logistic and Poisson paths on Dask: the in-memory
answers, with every fold's path advancing in the same passes."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from sparsefit import (  # noqa: E402
    PoissonLassoCV,
    SparseLogisticRegressionCV,
    compute_path,
    cross_validate_path,
)
from sparsefit import distributed as sfd  # noqa: E402
from sparsefit.datafits import Logistic, Poisson  # noqa: E402
from sparsefit.distributed._data import as_blocks  # noqa: E402
from sparsefit.distributed._glm import glm_cross_validate  # noqa: E402
from sparsefit.distributed._least_squares import fold_moments  # noqa: E402
from sparsefit.penalties import ElasticNetPenalty  # noqa: E402

N_FOLDS = 4


@pytest.fixture(scope="module")
def client():
    with distributed.Client(
        processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as c:
        yield c


def _data(family, seed=9, n=1000, p=6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2, p) + 1.0
    w = np.zeros(p)
    w[:3] = [0.8, -0.6, 0.4]
    foldid = rng.integers(N_FOLDS, size=n)
    if family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w - 0.3)))).astype(float)
    else:
        y = rng.poisson(np.exp(0.5 * X @ w - 0.5)).astype(float)
    return X, y, foldid


def _dask(*arrays, chunk=250):
    return [
        da.from_array(a, chunks=(chunk, -1) if a.ndim == 2 else chunk) for a in arrays
    ]


def _objective(X, y, datafit, alpha, coef, intercept):
    """P(w, b) in memory, the penalty on the standardised coefficients."""
    yy = np.where(y > 0, 1.0, -1.0) if isinstance(datafit, Logistic) else y
    pen = ElasticNetPenalty(1.0).with_alpha(alpha).value(coef * X.std(axis=0))
    return datafit.value(yy, X @ coef + intercept) + pen


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("tol", [1e-4, 1e-10])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_cv_equals_memory_on_the_same_folds(client, family, tol, fit_intercept):
    """The CV curve and the chosen alphas of the in-memory CV, at the
    default tolerance and a tight one, with and without an intercept."""
    X, y, foldid = _data(family)
    kwargs = dict(
        n_alphas=8,
        standardize=True,
        tol=tol,
        family=family,
        fit_intercept=fit_intercept,
    )
    ref = cross_validate_path(X, y, foldid=foldid, **kwargs)
    ours = sfd.cross_validate_path(
        *_dask(X, y), cv=N_FOLDS, foldid=_dask(foldid)[0], **kwargs
    )
    assert (ours.index_min, ours.index_1se) == (ref.index_min, ref.index_1se)
    np.testing.assert_allclose(ours.alphas, ref.alphas, rtol=1e-10)
    # The held-out deviance moves with the coefficients, which each
    # certificate places within sqrt(gap)-size of the optimum.
    rtol = 1e-3 if tol == 1e-4 else 1e-5
    np.testing.assert_allclose(ours.fold_scores, ref.fold_scores, rtol=rtol)
    np.testing.assert_allclose(ours.cv_mean, ref.cv_mean, rtol=rtol)
    assert (ours.path.dual_gaps <= ours.path.gap_tols).all()
    assert (ours.path.intercepts != 0).any() == fit_intercept


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_fold_models_within_their_certified_gaps(client, family):
    """Each fold's path point is within its certified gap of the in-memory
    fold fit (and the in-memory point within its own), same supports; the
    K + 1 paths took far fewer passes than K + 1 separate paths."""
    X, y, foldid = _data(family, seed=3)
    datafit = Logistic() if family == "binomial" else Poisson()
    blocks = as_blocks(*_dask(X, y), None, _dask(foldid)[0])
    moments = fold_moments(blocks, N_FOLDS, 0, client)
    full, scores, folds = glm_cross_validate(
        blocks,
        family,
        moments,
        (N_FOLDS, 0),
        ElasticNetPenalty(1.0),
        "deviance",
        (None, 6, None),
        True,
        True,
        1e-4,
        100,
        True,
        client,
    )
    assert len(folds) == N_FOLDS and len(scores) == N_FOLDS
    for k, ours in enumerate(folds):
        train = foldid != k
        Xk, yk = X[train], y[train]
        ref = compute_path(Xk, yk, datafit, alphas=full.alphas, standardize=True)
        assert (ours.dual_gaps <= ours.gap_tols).all()
        for a, alpha in enumerate(full.alphas):
            values = [
                _objective(
                    Xk,
                    yk,
                    datafit,
                    alpha,
                    r.coefs[:, a].toarray().ravel(),
                    r.intercepts[a],
                )
                for r in (ours, ref)
            ]
            assert values[0] - values[1] <= ours.dual_gaps[a] + 1e-12
            assert values[1] - values[0] <= ref.dual_gaps[a] + 1e-12
        np.testing.assert_array_equal(
            ours.coefs.toarray() != 0, ref.coefs.toarray() != 0
        )
    alone = sfd.compute_path(
        *_dask(X, y), family=family, n_alphas=6, standardize=True, client=client
    )
    together = int(full.message.split()[0])
    single = int(alone.message.split()[0])
    # Every model's passes are shared: K + 1 separate paths would take
    # about (K + 1) * single passes.
    assert together <= 2 * single + 1


def test_estimators_on_dask_data(client):
    """SparseLogisticRegressionCV and PoissonLassoCV take Dask data: the
    alpha and the model of the in-memory estimators (within the gaps)."""
    X, y, foldid = _data("binomial", seed=5)
    Xd, yd = _dask(X, y)
    ours = SparseLogisticRegressionCV(n_alphas=8, standardize=True).fit(
        Xd, yd, foldid=foldid
    )
    ref = SparseLogisticRegressionCV(n_alphas=8, standardize=True).fit(
        X, y, foldid=foldid
    )
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)
    np.testing.assert_array_equal(ours.classes_, [0, 1])
    assert ours.coef_.shape == (1, 6) and ours.intercept_.shape == (1,)
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-2)
    agree = (ours.predict(X) == ref.predict(X)).mean()
    assert agree > 0.99
    assert ours.dual_gap_ <= ours.path_.gap_tols[0] * 1e3

    X, y, foldid = _data("poisson", seed=6)
    Xd, yd = _dask(X, y)
    ours = PoissonLassoCV(n_alphas=8).fit(Xd, yd, foldid=foldid)
    ref = PoissonLassoCV(n_alphas=8).fit(X, y, foldid=foldid)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)
    assert ours.coef_.shape == (6,) and isinstance(ours.intercept_, float)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-2)

    # Without an intercept: the in-memory alpha and coefficients, intercept 0.
    kwargs = dict(n_alphas=8, fit_intercept=False)
    ours = PoissonLassoCV(**kwargs).fit(Xd, yd, foldid=foldid)
    ref = PoissonLassoCV(**kwargs).fit(X, y, foldid=foldid)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)
    assert ours.intercept_ == 0.0 == ref.intercept_
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-3)


def test_cv_refuses_what_it_lacks(client):
    X, y, foldid = _data("binomial", n=200)
    Xd, yd = _dask(X, y, chunk=100)
    with pytest.raises(ValueError, match="scoring must be one of"):
        sfd.cross_validate_path(Xd, yd, family="binomial", scoring="roc_auc")
    with pytest.raises(ValueError, match="roc_auc"):
        SparseLogisticRegressionCV(scoring="roc_auc").fit(Xd, yd)
    with pytest.raises(ValueError, match="groups"):
        cross_validate_path(Xd, yd, family="binomial", groups=foldid)
    with pytest.raises(ValueError, match="class_weight"):
        SparseLogisticRegressionCV(class_weight="balanced").fit(Xd, yd)
    with pytest.raises(ValueError, match="offset"):
        PoissonLassoCV().fit(Xd, yd, offset=np.zeros(200))
    with pytest.raises(ValueError, match="solver='fista'"):
        cross_validate_path(Xd, yd, family="binomial", solver="fista")


def test_cli_cross_validates_a_logistic_model_on_parquet(client, tmp_path, capsys):
    """``sparsefit fit DIR --family binomial --cv K`` on Dask: the alpha that
    the Dask cross-validation chooses (it used to demand --alpha)."""
    import json

    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    from sparsefit.cli import main

    X, y, _ = _data("binomial", seed=8, n=600)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)]).assign(target=y)
    dd.from_pandas(frame, npartitions=3).to_parquet(tmp_path / "d")
    args = ["fit", str(tmp_path / "d"), "--target", "target", "--family"]
    args += ["binomial", "--cv", "3", "--n-alphas", "6"]
    args += ["--scheduler", client.scheduler.address, "--json"]
    assert main([*args, "--out", str(tmp_path / "o")]) == 0
    summary = json.loads(capsys.readouterr().out)
    cv = sfd.cross_validate_path(
        str(tmp_path / "d"),
        "target",
        family="binomial",
        columns=[f"x{j}" for j in range(6)],
        cv=3,
        n_alphas=6,
    )
    assert summary["alpha"] == pytest.approx(cv.alpha_min, rel=1e-12)
    assert summary["dual_gap"] <= summary["gap_tol"]
    assert (tmp_path / "o" / "cv.csv").exists()
