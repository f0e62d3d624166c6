"""Paths and cross-validation on Dask: the same answers as in memory."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

from sparsefit import compute_path, cross_validate_path  # noqa: E402
from sparsefit import distributed as sfd  # noqa: E402
from sparsefit.datafits import Quadratic  # noqa: E402
from sparsefit.penalties import ElasticNetPenalty  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.Client(
        processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as c:
        yield c


def _data(n=1200, p=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3.0, p) + rng.normal(0, 5, p)
    w = np.zeros(p)
    w[:4] = [2.0, -1.5, 1.0, 0.5]
    y = X @ w + 3.0 + rng.standard_normal(n)
    sw = rng.uniform(0.2, 2.0, n)
    return X, y, sw


def _frame(X, y, sw):
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    frame["target"] = y
    frame["weight"] = sw
    return frame


def _memory(X, y, sw, **kwargs):
    return compute_path(X, y, Quadratic(sample_weight=sw), **kwargs)


def _same_path(ours, ref, atol=1e-8):
    np.testing.assert_allclose(ours.alphas, ref.alphas, rtol=1e-12)
    A, B = ours.coefs.toarray(), ref.coefs.toarray()
    np.testing.assert_allclose(A, B, atol=atol, rtol=0)
    np.testing.assert_allclose(ours.intercepts, ref.intercepts, atol=atol * 10)
    np.testing.assert_array_equal(A != 0, B != 0)
    assert (ours.dual_gaps <= ours.gap_tols).all()


@pytest.mark.parametrize("tol", [1e-4, 1e-10])
@pytest.mark.parametrize("standardize", [False, True])
def test_path_dask_array_equals_memory(client, tol, standardize):
    X, y, sw = _data()
    kwargs = dict(n_alphas=30, standardize=standardize, tol=tol)
    ref = _memory(X, y, sw, **kwargs)
    ours = sfd.compute_path(
        da.from_array(X, chunks=(250, -1)),
        da.from_array(y, chunks=250),
        sample_weight=da.from_array(sw, chunks=250),
        client=client,
        **kwargs,
    )
    _same_path(ours, ref)


def test_path_defaults_unweighted(client):
    X, y, _ = _data(seed=1)
    ref = compute_path(X, y)
    ours = sfd.compute_path(
        da.from_array(X, chunks=(300, -1)), da.from_array(y, chunks=300)
    )
    _same_path(ours, ref)


def test_path_without_intercept_and_elastic_net(client):
    X, y, sw = _data(seed=2)
    penalty = ElasticNetPenalty(1.0, 0.5, weights=np.r_[0.0, np.ones(11)])
    kwargs = dict(n_alphas=20, fit_intercept=False, tol=1e-10)
    ref = _memory(X, y, sw, penalty=penalty, **kwargs)
    ours = sfd.compute_path(
        da.from_array(X, chunks=(400, -1)),
        y,
        penalty,
        sample_weight=sw,
        **kwargs,
    )
    _same_path(ours, ref)
    assert np.all(ours.intercepts == 0)


def test_path_parquet_directory(client, tmp_path):
    X, y, sw = _data(seed=3)
    dd.from_pandas(_frame(X, y, sw), npartitions=4).to_parquet(tmp_path / "data")
    ref = _memory(X, y, sw, n_alphas=25, standardize=True)
    ours = sfd.compute_path(
        str(tmp_path / "data"),
        "target",
        sample_weight="weight",
        n_alphas=25,
        standardize=True,
    )
    _same_path(ours, ref)
    assert ours.feature_names == [f"x{j}" for j in range(12)]


def test_path_dataframe_with_series_target(client):
    X, y, sw = _data(seed=4)
    frame = dd.from_pandas(_frame(X, y, sw), npartitions=3)
    ref = _memory(X, y, None, n_alphas=15)
    ours = sfd.compute_path(
        frame[[f"x{j}" for j in range(12)]], frame["target"], n_alphas=15
    )
    _same_path(ours, ref)


@pytest.mark.parametrize("tol", [1e-4, 1e-10])
def test_cv_picks_the_memory_alpha(client, tol):
    X, y, sw = _data(n=1500, seed=5)
    foldid = np.random.default_rng(0).integers(5, size=X.shape[0])
    kwargs = dict(n_alphas=30, standardize=True, tol=tol)
    ref = cross_validate_path(X, y, foldid=foldid, sample_weight=sw, **kwargs)
    ours = sfd.cross_validate_path(
        da.from_array(X, chunks=(500, -1)),
        da.from_array(y, chunks=500),
        cv=5,
        foldid=da.from_array(foldid, chunks=500),
        sample_weight=da.from_array(sw, chunks=500),
        **kwargs,
    )
    assert (ours.index_min, ours.index_1se) == (ref.index_min, ref.index_1se)
    np.testing.assert_allclose(ours.alpha_min, ref.alpha_min, rtol=1e-12)
    np.testing.assert_allclose(ours.fold_scores, ref.fold_scores, rtol=1e-8)
    _same_path(ours.path, ref.path)


def test_cv_default_folds_from_parquet(client, tmp_path):
    X, y, _ = _data(seed=6)
    dd.from_pandas(_frame(X, y, np.ones(len(y))), npartitions=3).to_parquet(
        tmp_path / "d"
    )
    ours = sfd.cross_validate_path(
        tmp_path / "d", "target", columns=[f"x{j}" for j in range(12)], cv=4
    )
    again = sfd.cross_validate_path(
        tmp_path / "d", "target", columns=[f"x{j}" for j in range(12)], cv=4
    )
    assert ours.fold_scores.shape == (4, 100)
    np.testing.assert_array_equal(ours.fold_scores, again.fold_scores)
    assert ours.path.n_nonzero[ours.index_min] >= 4


def test_bad_input_names_the_problem(client, tmp_path):
    X, y, _ = _data(n=200)
    with pytest.raises(ValueError, match="chunked along its columns"):
        sfd.compute_path(da.from_array(X, chunks=(100, 6)), y)
    with pytest.raises(ValueError, match="y's row chunks"):
        sfd.compute_path(da.from_array(X, chunks=(100, -1)), da.from_array(y, 50))
    dd.from_pandas(_frame(X, y, y), npartitions=2).to_parquet(tmp_path / "p")
    with pytest.raises(ValueError, match="no column 'label'"):
        sfd.compute_path(str(tmp_path / "p"), "label")
    with pytest.raises(ValueError, match="no Parquet"):
        sfd.compute_path(str(tmp_path / "missing"), "target")
    with pytest.raises(ValueError, match=r"foldid must hold integers in \[0, 3\)"):
        sfd.cross_validate_path(
            da.from_array(X, chunks=(100, -1)), y, cv=3, foldid=np.full(200, 3)
        )
    X[7, 2] = np.nan
    with pytest.raises(ValueError, match="row 7 of block 0"):
        sfd.compute_path(da.from_array(X, chunks=(100, -1)), y)


def test_entry_points_take_dask_data(client):
    """sparsefit.compute_path, cross_validate_path and the estimators hand
    Dask data to the back end and give the in-memory answers."""
    from sparsefit import ElasticNet, Lasso, LassoCV

    X, y, sw = _data(seed=7)
    Xd, yd = da.from_array(X, chunks=(300, -1)), da.from_array(y, chunks=300)
    swd = da.from_array(sw, chunks=300)
    _same_path(
        compute_path(Xd, yd, Quadratic(sample_weight=swd), n_alphas=10),
        _memory(X, y, sw, n_alphas=10),
    )
    foldid = np.arange(X.shape[0]) % 4
    ours = cross_validate_path(Xd, yd, foldid=foldid, n_alphas=20, standardize=True)
    ref = cross_validate_path(X, y, foldid=foldid, n_alphas=20, standardize=True)
    assert ours.index_min == ref.index_min
    for est in (Lasso(alpha=0.05), ElasticNet(alpha=0.1, l1_ratio=0.3)):
        a = est.fit(Xd, yd, sample_weight=swd).coef_.copy()
        b = est.fit(X, y, sample_weight=sw).coef_
        np.testing.assert_allclose(a, b, atol=1e-8)
    cv = LassoCV(cv=4, n_alphas=20).fit(Xd, yd, foldid=foldid)
    ref = LassoCV(cv=4, n_alphas=20).fit(X, y, foldid=foldid)
    np.testing.assert_allclose(cv.alpha_, ref.alpha_, rtol=1e-12)
    np.testing.assert_allclose(cv.coef_, ref.coef_, atol=1e-8)
    np.testing.assert_allclose(cv.intercept_, ref.intercept_, atol=1e-7)
    np.testing.assert_allclose(cv.predict(X), ref.predict(X), atol=1e-6)


def test_entry_points_refuse_what_the_back_end_lacks(client):
    from sparsefit import Lasso
    from sparsefit.datafits import Multinomial

    X, y, _ = _data(n=200)
    Xd = da.from_array(X, chunks=(100, -1))
    with pytest.raises(ValueError, match="gaussian, binomial and poisson"):
        compute_path(Xd, np.sign(y), Multinomial())
    with pytest.raises(ValueError, match="relax=True"):
        cross_validate_path(Xd, y, relax=True)
    with pytest.raises(ValueError, match="n_nonzero=3"):
        Lasso(n_nonzero=3).fit(Xd, y)


def _slow_rows(block):
    import time

    time.sleep(0.15)
    return block


def test_worker_killed_mid_fit_completes_on_the_survivor():
    """A worker process killed while the pass runs: the scheduler reruns its
    blocks on the other, and the path is the in-memory one."""
    import os
    import signal
    import sys
    import threading
    import time

    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    X, y, _ = _data(n=1600, seed=8)
    Xd = da.from_array(X, chunks=(100, -1)).map_blocks(_slow_rows)
    yd = da.from_array(y, chunks=100)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        pids = c.run(os.getpid)
        out = {}

        def fit():
            out["path"] = sfd.compute_path(Xd, yd, n_alphas=20, client=c)

        thread = threading.Thread(target=fit)
        thread.start()
        deadline = time.time() + 30
        while time.time() < deadline:
            busy = [w for w, tasks in c.processing().items() if tasks]
            if len(busy) == 2:
                break
            time.sleep(0.05)
        victim = busy[0]
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(120)
        assert victim not in c.scheduler_info()["workers"] or pids[victim] not in (
            c.run(os.getpid).values()
        )
    _same_path(out["path"], compute_path(X, y, n_alphas=20))


def _objective(X, y, datafit, penalty, alpha, coef, intercept, standardize):
    """P(w, b) in memory, the penalty on the standardised coefficients."""
    scale = X.std(axis=0) if standardize else np.ones(X.shape[1])
    yy = np.where(y > 0, 1.0, -1.0) if type(datafit).__name__ == "Logistic" else y
    pen = penalty.with_alpha(alpha).value(coef * scale)
    return datafit.value(yy, X @ coef + intercept) + pen


def _glm_data(family, seed=9, n=1200, p=8):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2, p) + 1.0
    w = np.zeros(p)
    w[:3] = [0.8, -0.6, 0.4]
    if family == "binomial":
        return X, (rng.random(n) < 1 / (1 + np.exp(-(X @ w - 0.3)))).astype(float)
    return X, rng.poisson(np.exp(0.5 * X @ w - 0.5)).astype(float)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("source", ["array", "parquet"])
def test_glm_path_within_the_certified_gap(client, family, source, tmp_path):
    """Logistic and Poisson: each point's objective is within the two
    certified gaps of the in-memory one, with the same support."""
    from sparsefit.datafits import Logistic, Poisson

    X, y = _glm_data(family)
    datafit = Logistic() if family == "binomial" else Poisson()
    if source == "array":
        data = (da.from_array(X, chunks=(600, -1)), da.from_array(y, chunks=600))
    else:
        dd.from_pandas(_frame(X, y, y), npartitions=2).to_parquet(tmp_path / "g")
        data = (str(tmp_path / "g"), "target")
    columns = None if source == "array" else [f"x{j}" for j in range(8)]
    ours = sfd.compute_path(
        *data, family=family, n_alphas=5, standardize=True, columns=columns
    )
    ref = compute_path(X, y, datafit, n_alphas=5, standardize=True)
    np.testing.assert_allclose(ours.alphas, ref.alphas, rtol=1e-10)
    assert (ours.dual_gaps <= ours.gap_tols).all()
    penalty = ElasticNetPenalty(1.0)
    for k, alpha in enumerate(ref.alphas):
        values = [
            _objective(
                X,
                y,
                datafit,
                penalty,
                alpha,
                r.coefs[:, k].toarray().ravel(),
                r.intercepts[k],
                True,
            )
            for r in (ours, ref)
        ]
        # Each gap bounds its own point's distance to the optimum, which
        # the other point's objective cannot beat.
        assert values[0] - values[1] <= ours.dual_gaps[k] + 1e-12
        assert values[1] - values[0] <= ref.dual_gaps[k] + 1e-12
    np.testing.assert_array_equal(ours.coefs.toarray() != 0, ref.coefs.toarray() != 0)
    assert "passes over the data" in ours.message


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("tol", [None, 1e-10])
def test_glm_path_without_intercept(client, family, standardize, tol):
    """``fit_intercept=False``: every intercept 0 and each point within the
    certified gaps of the in-memory fit without intercept, same support; at
    the default tol and a tight one.  The columns have non-zero means, so a
    fit that kept an intercept (or scaled by the centred spread) differs."""
    from sparsefit.datafits import Logistic, Poisson

    X, y = _glm_data(family, seed=4)
    datafit = Logistic() if family == "binomial" else Poisson()
    kwargs = dict(n_alphas=6, fit_intercept=False, standardize=standardize)
    if tol is not None:
        kwargs["tol"] = tol
    ours = sfd.compute_path(
        da.from_array(X, chunks=(400, -1)),
        da.from_array(y, chunks=400),
        family=family,
        client=client,
        **kwargs,
    )
    ref = compute_path(X, y, datafit, **kwargs)
    np.testing.assert_allclose(ours.alphas, ref.alphas, rtol=1e-10)
    assert (ours.intercepts == 0).all()
    assert (ours.dual_gaps <= ours.gap_tols).all()
    yy = np.where(y > 0, 1.0, -1.0) if family == "binomial" else y
    scale = np.sqrt((X**2).mean(axis=0)) if standardize else np.ones(X.shape[1])
    for k, alpha in enumerate(ref.alphas):
        values = []
        for r in (ours, ref):
            coef = r.coefs[:, k].toarray().ravel()
            pen = ElasticNetPenalty(1.0).with_alpha(alpha).value(coef * scale)
            values.append(datafit.value(yy, X @ coef) + pen)
        assert values[0] - values[1] <= ours.dual_gaps[k] + 1e-12
        assert values[1] - values[0] <= ref.dual_gaps[k] + 1e-12
    np.testing.assert_array_equal(ours.coefs.toarray() != 0, ref.coefs.toarray() != 0)
    with_intercept = sfd.compute_path(
        da.from_array(X, chunks=(400, -1)),
        da.from_array(y, chunks=400),
        family=family,
        client=client,
        alphas=ours.alphas[-1:],
        standardize=standardize,
    )
    assert with_intercept.intercepts[0] != 0
    assert not np.allclose(
        with_intercept.coefs.toarray()[:, 0], ours.coefs.toarray()[:, -1], atol=1e-3
    )


def test_glm_refuses_what_it_lacks(client):
    X, y = _glm_data("binomial", n=100)
    Xd = da.from_array(X, chunks=(50, -1))
    with pytest.raises(ValueError, match="labels 0 and 1"):
        sfd.compute_path(Xd, y + 2, family="binomial", n_alphas=2)
    with pytest.raises(ValueError, match="unpenalised features"):
        sfd.compute_path(
            Xd,
            y,
            ElasticNetPenalty(1.0, weights=np.r_[0.0, np.ones(7)]),
            family="binomial",
        )
    with pytest.raises(ValueError, match="family must be"):
        sfd.compute_path(Xd, y, family="multinomial")


def test_cli_fit_parquet_directory(client, tmp_path, capsys):
    """``sparsefit fit DIR --scheduler ADDRESS``: the Dask CV's choice, and
    the coefficients at --alpha equal to the in-memory fit."""
    import json

    from sparsefit import Lasso
    from sparsefit.cli import main

    X, y, sw = _data(seed=10)
    dd.from_pandas(_frame(X, y, sw), npartitions=3).to_parquet(tmp_path / "d")
    address = client.scheduler.address
    features = ",".join(f"x{j}" for j in range(12))
    base = ["fit", str(tmp_path / "d"), "--target", "target", "--features", features]
    assert (
        main(
            [
                *base,
                "--cv",
                "4",
                "--scheduler",
                address,
                "--json",
                "--out",
                str(tmp_path / "o1"),
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    cv = sfd.cross_validate_path(
        str(tmp_path / "d"), "target", columns=features.split(","), cv=4
    )
    assert summary["alpha"] == pytest.approx(cv.alpha_min, rel=1e-12)
    assert (tmp_path / "o1" / "cv.csv").exists()
    assert (
        main(
            [
                *base,
                "--alpha",
                "0.05",
                "--scheduler",
                address,
                "--json",
                "--out",
                str(tmp_path / "o2"),
            ]
        )
        == 0
    )
    model = json.loads((tmp_path / "o2" / "model.json").read_text())
    ref = Lasso(alpha=0.05, tol=1e-10).fit(X, y)
    coef = np.array([model["coefficients"][f"x{j}"] for j in range(12)])
    np.testing.assert_allclose(coef, ref.coef_, atol=1e-5)
    assert model["dual_gap"] <= model["gap_tol"]
    capsys.readouterr()
    assert (
        main(
            [
                *base[:2],
                "--target",
                "nope",
                "--scheduler",
                address,
                "--out",
                str(tmp_path / "o3"),
            ]
        )
        != 0
    )
    assert "no column 'nope'" in capsys.readouterr().err


def test_glm_short_gap_takes_a_newton_step(client):
    """A point whose KKT is close but whose gap falls short takes a Newton
    step before the next certificate (it used to be certified again and
    again, until max_iter)."""
    import warnings

    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 5))
    z = X @ np.linspace(1.0, -1.0, 5)
    y = (rng.random(2000) < 1 / (1 + np.exp(-z))).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = sfd.compute_path(
            da.from_array(X, chunks=(500, -1)),
            da.from_array(y, chunks=500),
            family="binomial",
            n_alphas=3,
            eps=0.1,
            max_iter=30,
        )
    assert (path.dual_gaps <= path.gap_tols).all()
    assert (path.n_iters < 30).all()


def test_diagonal_moments_are_the_full_ones_diagonal():
    """The GLMs' one pass for the column scales keeps only the comoments'
    diagonals: the same counts, means and diagonals as the full moments,
    per fold and after merging."""
    from sparsefit.distributed._moments import (
        block_moments,
        diagonal_moments,
        merge_all,
    )

    rng = np.random.default_rng(3)
    A = rng.standard_normal((300, 5)) * [1, 10, 1e-3, 1, 5] + [0, 1e4, 2, -3, 0]
    sw, folds = rng.uniform(0.1, 2, 300), rng.integers(3, size=300)
    parts = [slice(0, 120), slice(120, 300)]
    full = merge_all(block_moments(A[s], sw[s], folds[s], 3) for s in parts)
    diag = merge_all(
        diagonal_moments(A[s, :-1], A[s, -1], sw[s], folds[s], 3) for s in parts
    )
    np.testing.assert_array_equal(diag.count, full.count)
    np.testing.assert_allclose(diag.mean, full.mean, rtol=1e-14)
    for k in range(3):
        np.testing.assert_allclose(
            np.diag(diag.comoment[k]), np.diag(full.comoment[k]), rtol=1e-12
        )


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_glm_start_from_a_sample_of_rows(client, monkeypatch, fit_intercept):
    """A sample of the rows (here 400 of 6000) gives the first solve its
    start: the answer is the in-memory one within the certified gaps, with
    the same support, in fewer passes than from 0."""
    from sparsefit.datafits import Logistic
    from sparsefit.distributed import _glm

    rng = np.random.default_rng(11)
    n, p = 6000, 10
    X = rng.standard_normal((n, p))
    w = np.r_[1.0, -0.8, 0.6, np.zeros(p - 3)]
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ w))).astype(float)
    data = (da.from_array(X, chunks=(1000, -1)), da.from_array(y, chunks=1000))
    alpha = np.abs(X.T @ (y - y.mean())).max() / n / 20
    kwargs = dict(family="binomial", alphas=[alpha], fit_intercept=fit_intercept)
    monkeypatch.setattr(_glm, "_SAMPLE_BYTES", 400 * 8 * (p + 3))
    started = []
    start = _glm._State._sample_start
    monkeypatch.setattr(
        _glm._State,
        "_sample_start",
        lambda self, a: started.append(self.sample[1].shape[0]) or start(self, a),
    )
    ours = sfd.compute_path(*data, client=client, **kwargs)
    assert started == [402]  # 67 rows from each of 6 blocks
    ref = compute_path(X, y, Logistic(), alphas=[alpha], fit_intercept=fit_intercept)
    yy = 2 * y - 1
    values = [
        Logistic().value(yy, X @ r.coefs[:, 0].toarray().ravel() + r.intercepts[0])
        + alpha * np.abs(r.coefs[:, 0].toarray()).sum()
        for r in (ours, ref)
    ]
    assert values[0] - values[1] <= ours.dual_gaps[0] + 1e-12
    assert values[1] - values[0] <= ref.dual_gaps[0] + 1e-12
    np.testing.assert_array_equal(ours.coefs.toarray() != 0, ref.coefs.toarray() != 0)
    keep = _glm._State.keep_sample

    def no_sample(self, first):
        keep(self, first)
        self.sample = None

    monkeypatch.setattr(_glm._State, "keep_sample", no_sample)
    from_zero = sfd.compute_path(*data, client=client, **kwargs)
    passes = [int(r.message.split()[0]) for r in (ours, from_zero)]
    assert passes[0] < passes[1]
