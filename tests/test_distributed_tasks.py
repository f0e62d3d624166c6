"""Many in-memory fits as Dask tasks: cross-validation folds, stability
subsamples and knockoff draws under ``joblib.parallel_config(backend="dask")``
run on the workers, with the data scattered once, and give the serial
results."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

from sparsefit import SparseLogisticRegressionCV, cross_validate_path  # noqa: E402
from sparsefit.selection import StabilitySelection, knockoff_select  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.Client(
        processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as c:
        yield c


def _data(seed=0, n=200, p=20):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :8].sum(axis=1) + rng.standard_normal(n)
    return X, y


def _on_dask(client, monkeypatch, fit, X):
    """``fit()`` under the Dask backend: its result, the names of the tasks
    that ran, the workers they ran on, and how often ``X`` was scattered."""
    sent = []
    scatter = client.scatter

    def counting(data, *args, **kwargs):
        sent.append(data is X)
        return scatter(data, *args, **kwargs)

    monkeypatch.setattr(client, "scatter", counting)
    with (
        joblib.parallel_config(backend="dask"),
        distributed.get_task_stream(client) as stream,
    ):
        out = fit()
    names = {task["key"].split("-")[0] for task in stream.data}
    workers = {task["worker"] for task in stream.data}
    return out, names, workers, sum(sent)


def test_cv_folds_as_dask_tasks(client, monkeypatch):
    X, y = _data()
    ref = cross_validate_path(X, y, cv=5, n_alphas=20)
    ours, names, workers, scattered = _on_dask(
        client, monkeypatch, lambda: cross_validate_path(X, y, cv=5, n_alphas=20), X
    )
    assert any("_fold_scores" in name for name in names)
    assert workers <= set(client.scheduler_info()["workers"]) and workers
    assert scattered == 1
    np.testing.assert_array_equal(ours.fold_scores, ref.fold_scores)
    assert ours.alpha_min == ref.alpha_min


def test_cv_estimator_folds_as_dask_tasks(client, monkeypatch):
    X, y = _data(1)
    labels = (y > 0).astype(int)
    est = SparseLogisticRegressionCV(cv=4, n_alphas=10)
    ref = est.fit(X, labels).coef_.copy()
    ours, names, _, scattered = _on_dask(
        client, monkeypatch, lambda: est.fit(X, labels).coef_.copy(), X
    )
    assert any("_fold_scores" in name for name in names) and scattered <= 1
    np.testing.assert_array_equal(ours, ref)


def test_stability_subsamples_as_dask_tasks(client, monkeypatch):
    X, y = _data(2)
    ref = StabilitySelection(n_resamples=6, random_state=0).fit(X, y)
    ours, names, workers, scattered = _on_dask(
        client,
        monkeypatch,
        lambda: StabilitySelection(n_resamples=6, random_state=0).fit(X, y),
        X,
    )
    assert any("_half_path" in name for name in names) and workers
    assert scattered == 1
    np.testing.assert_array_equal(ours.probabilities_, ref.probabilities_)
    np.testing.assert_array_equal(ours.support_, ref.support_)


def test_knockoff_draws_as_dask_tasks(client, monkeypatch):
    X, y = _data(3)
    ref = knockoff_select(X, y, fdr=0.2, n_draws=3, random_state=0)
    ours, names, workers, scattered = _on_dask(
        client,
        monkeypatch,
        lambda: knockoff_select(X, y, fdr=0.2, n_draws=3, random_state=0),
        X,
    )
    assert any("_one_draw" in name for name in names) and workers
    assert scattered == 1
    assert ref.statistics_.shape == (3, 20) and np.abs(ref.statistics_).max() > 0
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_array_equal(ours.statistics_, ref.statistics_)
