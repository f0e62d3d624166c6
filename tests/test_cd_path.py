"""A least-squares path in one compiled call (solvers/_cd_path.py) returns
the points of the alpha-by-alpha coordinate-descent path: the same strong
rule, starts, certificates, screening and working sets, the same iterations,
and the gradient bounds left as the last solve leaves them."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import sparsefit.path as path_module
from sparsefit import compute_path, cross_validate_path, lasso_path
from sparsefit.datafits import Quadratic
from sparsefit.penalties import ElasticNetPenalty
from sparsefit.solvers import CoordinateDescent
from sparsefit.solvers._cd_path import applies


def _data(seed=0, n=60, p=800, sparse=False):
    rng = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=0.05, format="csc", random_state=seed)
        X.data = rng.standard_normal(X.data.size)
    else:
        X = np.asfortranarray(rng.standard_normal((n, p)))
    y = np.asarray(X[:, :5] @ np.array([2.0, -1.0, 1.0, 0.5, -0.5])).ravel()
    return X, y + rng.standard_normal(n)


def _both(monkeypatch, *args, **kw):
    fast = compute_path(*args, **kw)
    with monkeypatch.context() as m:
        m.setattr(path_module, "cd_applies", lambda *a: False)
        slow = compute_path(*args, **kw)
    return fast, slow


def _assert_same(fast, slow, coef_rtol=1e-12, rtol=1e-9, gap_share=None):
    assert fast.alphas.shape == slow.alphas.shape
    np.testing.assert_array_equal(fast.n_iters, slow.n_iters)
    np.testing.assert_array_equal(fast.n_nonzero, slow.n_nonzero)
    np.testing.assert_array_equal(fast.entry_alphas, slow.entry_alphas)
    # Sums that NumPy's BLAS took are taken in compiled loops: the points
    # may differ by rounding (they have been equal bit for bit).
    diff = abs(fast.coefs - slow.coefs).max() if fast.coefs.nnz else 0.0
    assert diff <= coef_rtol * max(abs(slow.coefs).max(), 1.0)
    names = ("dual_gaps", "gap_tols", "kkt_violations", "dev_ratio", "intercepts")
    if gap_share is not None:
        # Gaps far below their tolerance, compared on its scale.
        moved = np.abs(fast.dual_gaps - slow.dual_gaps)
        assert (moved <= gap_share * slow.gap_tols).all()
        names = names[1:]
    for name in names:
        np.testing.assert_allclose(
            getattr(fast, name),
            getattr(slow, name),
            rtol=rtol,
            atol=1e-14,
            err_msg=name,
        )
    assert fast.stopped_early == slow.stopped_early


CASES = [
    {},
    {"fit_intercept": False},
    {"standardize": True},
    {"sparse": True},
    {"sparse": True, "standardize": True},
    {"penalty": ElasticNetPenalty(1.0, 0.5)},
    {"penalty": ElasticNetPenalty(1.0, 1.0, positive=True)},
    {"penalty": ElasticNetPenalty(1.0, 1.0, lower_bounds=-0.3, upper_bounds=0.5)},
    {"weights": True},
    {"tol": 1e-10},
]


@pytest.mark.parametrize("options", CASES)
def test_compiled_path_is_the_alpha_by_alpha_path(monkeypatch, options):
    options = dict(options)
    sparse = options.pop("sparse", False)
    X, y = _data(sparse=sparse)
    args = (X, y)
    if options.pop("weights", False):
        sw = np.random.default_rng(1).uniform(0.2, 2.0, X.shape[0])
        args = (X, y, Quadratic(sample_weight=sw))
    fast, slow = _both(monkeypatch, *args, **options)
    assert applies(fast._problem, fast.alphas)
    if sparse:
        # The same steps (counts, supports and entries are asserted equal),
        # but the CSC products are summed in an order that depends on the
        # machine (Numba reassociates them for the host's vector width):
        # on an AMD EPYC (AVX2) the two paths drifted apart by rounding
        # carried through the warm starts of this p >> n path, to 2.4e-5
        # of the largest coefficient by its end, each point certified.
        _assert_same(fast, slow, coef_rtol=1e-4, rtol=1e-2, gap_share=1e-2)
    else:
        _assert_same(fast, slow)
    assert (fast.dual_gaps <= fast.gap_tols).all()
    # The gradient bounds are left in the same state: a refit between grid
    # points starts from the same residual and reference products.
    alpha = float(np.sqrt(fast.alphas[40] * fast.alphas[41]))
    np.testing.assert_allclose(
        fast.coef(alpha, exact=True),
        slow.coef(alpha, exact=True),
        rtol=1e-6 if sparse else 1e-10,
        atol=1e-12,
    )


def test_saturation_stops_at_the_same_alpha(monkeypatch):
    X, y = _data(n=40, p=300)
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5])  # noiseless: saturates early
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast, slow = _both(monkeypatch, X, y, eps=1e-5, stop_saturation=True)
    assert fast.stopped_early and fast.alphas.size < 100
    _assert_same(fast, slow)
    assert sum("saturated" in str(w.message) for w in caught) == 2


def test_progress_runs_in_chunks_to_the_same_points(monkeypatch, capsys):
    X, y = _data()
    fast = compute_path(X, y, progress=True)
    _, slow = _both(monkeypatch, X, y)
    _assert_same(fast, slow)
    assert "path 100/100" in capsys.readouterr().err


def test_max_iter_warns_for_each_point_short_of_its_certificate(monkeypatch):
    X, y = _data()
    kw = {"max_iter": 2, "n_alphas": 20}
    with pytest.warns(ConvergenceWarning) as fast_caught:
        fast = compute_path(X, y, **kw)
    with monkeypatch.context() as m, pytest.warns(ConvergenceWarning) as slow_caught:
        m.setattr(path_module, "cd_applies", lambda *a: False)
        slow = compute_path(X, y, **kw)
    _assert_same(fast, slow)
    short = int(
        (
            ~(
                (fast.dual_gaps <= fast.gap_tols)
                & (fast.kkt_violations <= 1e-3 * fast.alphas)
            )
        ).sum()
    )
    assert len(fast_caught) == len(slow_caught) > 0
    assert short > 0


def test_cross_validation_takes_the_compiled_path(monkeypatch):
    X, y = _data(n=100, p=300)
    foldid = np.arange(100) % 5
    fast = cross_validate_path(X, y, foldid=foldid, n_alphas=30)
    with monkeypatch.context() as m:
        m.setattr(path_module, "cd_applies", lambda *a: False)
        slow = cross_validate_path(X, y, foldid=foldid, n_alphas=30)
    np.testing.assert_allclose(fast.cv_mean, slow.cv_mean, rtol=1e-12)
    assert fast.alpha_min == slow.alpha_min and fast.alpha_1se == slow.alpha_1se


def test_the_other_cases_keep_the_alpha_by_alpha_path():
    X, y = _data(n=60, p=300)
    problem = lasso_path(X, y, n_alphas=5)._problem
    assert applies(problem, np.array([1.0]))
    assert not applies(problem, np.array([1.0, 0.0]))  # a grid ending at 0
    # Gram storage (n >= 4 p, p <= 200), float32, an unpenalised feature,
    # screening off, a verbose solver.
    tall = _data(n=400, p=50)
    assert not applies(lasso_path(*tall, n_alphas=5)._problem, np.array([1.0]))
    single = lasso_path(X.astype(np.float32), y.astype(np.float32), n_alphas=5)
    assert not applies(single._problem, np.array([1.0]))
    factors = np.ones(300)
    factors[0] = 0.0
    free = compute_path(
        X, y, penalty=ElasticNetPenalty(1.0, 1.0, weights=factors), n_alphas=5
    )
    assert not applies(free._problem, np.array([1.0]))
    problem.solver = CoordinateDescent(screening=False)
    assert not applies(problem, np.array([1.0]))
    problem.solver = CoordinateDescent(verbose=True)
    assert not applies(problem, np.array([1.0]))
