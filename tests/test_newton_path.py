"""A single-output GLM's path in one compiled call (solvers/_newton_path.py)
returns the points of the alpha-by-alpha path (path.path_points), bit for
bit: the same strong rule, warm starts, extrapolation and certificates, and
the problem left in the same state for later refits."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import sparsefit.path as path_module
from sparsefit import compute_path, cross_validate_path
from sparsefit.datafits import Cox, Logistic, Poisson, survival_target
from sparsefit.penalties import ElasticNetPenalty
from sparsefit.solvers import ProxNewton
from sparsefit.solvers._newton_path import applies


def _data(family, seed=0, n=60, p=200, sparse=False):
    rng = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=0.2, format="csc", random_state=seed)
        X.data = rng.standard_normal(X.data.size)
    else:
        X = np.asfortranarray(rng.standard_normal((n, p)))
    eta = np.asarray(X[:, :4] @ np.array([1.5, -1.0, 0.8, 0.5])).ravel()
    if family == "binomial":
        return X, (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int), Logistic()
    if family == "poisson":
        return X, rng.poisson(np.exp(0.5 * eta)), Poisson()
    t = rng.exponential(np.exp(-eta))
    c = rng.exponential(1.5, n)
    strata = rng.integers(0, 2, n)
    y = survival_target(
        np.round(np.minimum(t, c), 1), (t <= c).astype(int), strata=strata
    )
    return X, y, Cox()


def _both(monkeypatch, X, y, datafit, **kw):
    fast = compute_path(X, y, datafit, **kw)
    with monkeypatch.context() as m:
        m.setattr(path_module, "newton_applies", lambda *args: False)
        slow = compute_path(X, y, datafit, **kw)
    return fast, slow


def _assert_same(fast, slow):
    assert fast.alphas.shape == slow.alphas.shape
    assert (fast.coefs != slow.coefs).nnz == 0
    for name in ("dual_gaps", "gap_tols", "kkt_violations", "n_iters", "dev_ratio"):
        np.testing.assert_array_equal(
            getattr(fast, name), getattr(slow, name), err_msg=name
        )
    np.testing.assert_array_equal(fast.n_nonzero, slow.n_nonzero)
    np.testing.assert_array_equal(fast.entry_alphas, slow.entry_alphas)
    # The intercept's column means are summed in another order.
    np.testing.assert_allclose(fast.intercepts, slow.intercepts, rtol=1e-13, atol=1e-13)
    assert fast.stopped_early == slow.stopped_early


CASES = [
    ("binomial", {}),
    ("binomial", {"standardize": True}),
    ("binomial", {"sparse": True}),
    ("binomial", {"penalty": ElasticNetPenalty(1.0, 0.5)}),
    ("binomial", {"tol": 1e-10}),
    ("poisson", {}),
    ("poisson", {"offset": True}),
    ("poisson", {"penalty": ElasticNetPenalty(1.0, 1.0, positive=True)}),
    ("cox", {}),
    ("cox", {"weights": True}),
    ("cox", {"sparse": True, "penalty": ElasticNetPenalty(1.0, 0.7)}),
]


@pytest.mark.parametrize(("family", "options"), CASES)
def test_compiled_path_is_the_alpha_by_alpha_path(monkeypatch, family, options):
    options = dict(options)
    X, y, datafit = _data(family, sparse=options.pop("sparse", False))
    rng = np.random.default_rng(1)
    if options.pop("offset", False):
        options["offset"] = 0.3 * rng.standard_normal(X.shape[0])
    if options.pop("weights", False):
        datafit = type(datafit)(sample_weight=rng.uniform(0.2, 2.0, X.shape[0]))
    fast, slow = _both(monkeypatch, X, y, datafit, **options)
    _assert_same(fast, slow)
    assert applies(fast._problem, fast.alphas)
    assert (fast.dual_gaps <= fast.gap_tols).all()
    # The problem is left as the last solve leaves it: a refit between grid
    # points warm-starts from the same state.
    alpha = float(np.sqrt(fast.alphas[40] * fast.alphas[41]))
    np.testing.assert_array_equal(
        fast.coef(alpha, exact=True), slow.coef(alpha, exact=True)
    )


@pytest.mark.parametrize("defaults", [True, False])
def test_saturation_stops_at_the_same_alpha(monkeypatch, defaults):
    X, y, datafit = _data("binomial", n=30)
    kw = {} if defaults else {"tol": 1e-9}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast, slow = _both(
            monkeypatch, X, y, datafit, eps=1e-5, stop_saturation=True, **kw
        )
    assert fast.stopped_early and fast.alphas.size < 100
    _assert_same(fast, slow)
    assert fast.message == slow.message
    assert sum("saturated" in str(w.message) for w in caught) == 2


def test_progress_runs_in_chunks_to_the_same_points(monkeypatch, capsys):
    X, y, datafit = _data("cox")
    fast = compute_path(X, y, datafit, progress=True)
    _, slow = _both(monkeypatch, X, y, datafit)
    _assert_same(fast, slow)
    assert "path 100/100" in capsys.readouterr().err


def test_a_grid_ending_at_zero_is_solved_alpha_by_alpha(monkeypatch):
    X, y, datafit = _data("binomial", n=100, p=10)
    top = compute_path(X, y, datafit, n_alphas=2).alphas[0]
    alphas = np.r_[top * np.geomspace(1, 1e-2, 10), 0.0]
    fast, slow = _both(monkeypatch, X, y, datafit, alphas=alphas)
    assert not applies(fast._problem, alphas)
    _assert_same(fast, slow)


def test_max_iter_warns_for_each_point_short_of_its_certificate(monkeypatch):
    from sklearn.exceptions import ConvergenceWarning

    X, y, datafit = _data("cox")
    kw = {"max_iter": 1, "n_alphas": 10}
    with pytest.warns(ConvergenceWarning) as fast_caught:
        fast = compute_path(X, y, datafit, **kw)
    with monkeypatch.context() as m, pytest.warns(ConvergenceWarning) as slow_caught:
        m.setattr(path_module, "newton_applies", lambda *args: False)
        slow = compute_path(X, y, datafit, **kw)
    _assert_same(fast, slow)
    assert (
        len(fast_caught)
        == len(slow_caught)
        == int((fast.dual_gaps > fast.gap_tols).sum())
        > 0
    )


def test_cross_validation_at_defaults_takes_the_compiled_path(monkeypatch):
    X, y, datafit = _data("cox", n=120, p=50)
    foldid = np.arange(120) % 5
    fast = cross_validate_path(X, y, family="cox", foldid=foldid, n_alphas=30)
    with monkeypatch.context() as m:
        m.setattr(path_module, "newton_applies", lambda *args: False)
        slow = cross_validate_path(X, y, family="cox", foldid=foldid, n_alphas=30)
    np.testing.assert_array_equal(fast.cv_mean, slow.cv_mean)
    assert fast.alpha_min == slow.alpha_min and fast.alpha_1se == slow.alpha_1se


def test_other_solvers_and_verbose_runs_are_not_taken():
    X, y, datafit = _data("binomial")
    assert not applies(
        compute_path(X, y, datafit, solver="fista", n_alphas=5)._problem, [1.0]
    )
    problem = compute_path(X, y, datafit, n_alphas=5)._problem
    assert applies(problem, [1.0])
    problem.solver = ProxNewton(verbose=True)
    assert not applies(problem, [1.0])


@pytest.mark.parametrize("K", [1, 3])
def test_entry_alphas_and_counts_match_their_definition(K):
    """``entry_alphas`` is each feature's largest alpha with a non-zero
    coefficient for any output, ``n_nonzero`` the features non-zero at each
    alpha (path._entries, vectorised over the CSC storage)."""
    from sparsefit.path import _entries

    rng = np.random.default_rng(K)
    p, n_alphas = 40, 25
    dense = rng.standard_normal((K * p, n_alphas)) * (
        rng.random((K * p, n_alphas)) < 0.1
    )
    dense[:, 0] = 0.0
    alphas = np.geomspace(1.0, 1e-2, n_alphas)
    first, nonzero = _entries(sp.csc_matrix(dense), p, alphas)
    on = (dense.reshape(K, p, n_alphas) != 0).any(axis=0)
    np.testing.assert_array_equal(nonzero, on.sum(axis=0))
    expected = np.array(
        [alphas[np.flatnonzero(row)[0]] if row.any() else np.nan for row in on]
    )
    np.testing.assert_array_equal(first, expected)
