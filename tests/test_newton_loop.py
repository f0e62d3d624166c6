"""The compiled outer loop of proximal Newton (solvers/_newton_loop.py) takes
the same steps as the Python loop it replaces for one-output GLMs: the same
iterations, the same certified points, the same gradient-bound bookkeeping
along a path."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import sparsefit.solvers._prox_newton as pn
from sparsefit import compute_path
from sparsefit._problem import Problem
from sparsefit.datafits import Cox, Logistic, Poisson, survival_target
from sparsefit.penalties import L1, ElasticNetPenalty
from sparsefit.solvers import ProxNewton
from sparsefit.solvers._newton_loop import kth_largest


def _design(rng, seed, n, p, sparse, density=0.1):
    """A column-major Gaussian X, or a CSC one with Gaussian entries."""
    if sparse:
        X = sp.random(n, p, density=density, format="csc", random_state=seed)
        X.data = rng.standard_normal(X.data.size)
        return X
    return np.asfortranarray(rng.standard_normal((n, p)))


def _data(family, sparse, seed=0, n=80, p=300):
    rng = np.random.default_rng(seed)
    X = _design(rng, seed, n, p, sparse)
    eta = np.asarray(X[:, :4] @ np.array([1.5, -1.0, 0.8, 0.5])).ravel()
    if family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
        return X, y, Logistic()
    return X, rng.poisson(np.exp(0.5 * eta)), Poisson()


def _path(monkeypatch, compiled, X, y, datafit, **kw):
    if not compiled:
        monkeypatch.setattr(pn, "_compiled_loop", lambda cert, separable: False)
    else:
        monkeypatch.setattr(pn, "_compiled_loop", _ORIGINAL)
    return compute_path(X, y, datafit, n_alphas=30, progress=False, **kw)


_ORIGINAL = pn._compiled_loop


def _dense(coefs):
    return coefs.toarray() if sp.issparse(coefs) else np.asarray(coefs)


CASES = [
    ("binomial", False, {}),
    ("binomial", True, {}),
    ("poisson", False, {}),
    ("poisson", True, {}),
    ("binomial", False, {"fit_intercept": False}),
    ("binomial", False, {"standardize": True, "tol": 1e-10}),
    ("poisson", False, {"penalty": ElasticNetPenalty(1.0, 0.5)}),
    ("binomial", False, {"penalty": L1(1.0, positive=True)}),
]


@pytest.mark.parametrize("family, sparse, kw", CASES)
def test_same_path_as_the_python_loop(monkeypatch, family, sparse, kw):
    X, y, datafit = _data(family, sparse)
    slow = _path(monkeypatch, False, X, y, datafit, **kw)
    fast = _path(monkeypatch, True, X, y, datafit, **kw)
    a, b = _dense(slow.coefs), _dense(fast.coefs)
    assert np.array_equal(a != 0, b != 0)
    # The same steps, with the products summed in another order (a compiled
    # loop against BLAS): the rounding differences carry from one warm start
    # to the next, and on Poisson's weakly curved directions they grow to
    # about 1e-6 by the end of the path, each point still certified.
    scale = np.abs(a).max() + 1.0
    assert np.abs(a - b).max() <= 1e-4 * scale
    # The last steps at an alpha work at the rounding of the sums, and the
    # order of summation depends on the machine's vector width (the compiled
    # sums are reassociated: 4 lanes on AVX2, 8 on AVX-512): on an AMD EPYC
    # (AVX2) the sparse Poisson path took one step more at one alpha. The
    # counts may differ by 10% in all, and at the default tol by one step
    # at a point (at 1e-10 every point ends at that rounding).
    if "tol" not in kw:
        assert np.abs(slow.n_iters - fast.n_iters).max() <= 1
    assert abs(int(slow.n_iters.sum()) - int(fast.n_iters.sum())) <= 0.1 * int(
        slow.n_iters.sum()
    )
    assert np.all(fast.dual_gaps <= fast.gap_tols)


def test_offset_and_weights(monkeypatch):
    X, y, _ = _data("poisson", False, seed=3)
    rng = np.random.default_rng(3)
    offset = rng.normal(0, 0.3, X.shape[0])
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    paths = [
        _path(monkeypatch, c, X, y, Poisson().with_weights(sw), offset=offset)
        for c in (False, True)
    ]
    a, b = (_dense(p.coefs) for p in paths)
    assert np.array_equal(a != 0, b != 0)
    assert np.abs(a - b).max() <= 1e-4 * (np.abs(a).max() + 1.0)
    assert np.all(paths[1].dual_gaps <= paths[1].gap_tols)
    assert np.array_equal(paths[0].n_iters, paths[1].n_iters)


def test_gradient_bounds_carry_over_as_in_python(monkeypatch):
    """Along a path the tracker in the problem's cache ends each solve in
    the same state (drift, reference products) either way."""
    X, y, _ = _data("binomial", False, seed=5, n=60, p=800)
    yy = 2.0 * y - 1.0
    states = []
    for compiled in (False, True):
        monkeypatch.setattr(
            pn, "_compiled_loop", _ORIGINAL if compiled else (lambda c, s: False)
        )
        problem = Problem(X, yy, Logistic(), L1(1.0), solver=ProxNewton())
        alpha_max, w = problem.alpha_max()
        for alpha in alpha_max * np.geomspace(0.9, 0.1, 8):
            res = problem.solve(alpha, w, np.ones(X.shape[1], bool))
            w = res.coef
        tracker = problem.cache["grad_bounds"]
        states.append((tracker.drift, tracker.g_ref.copy(), res.grad_exact))
    (d0, g0, e0), (d1, g1, e1) = states
    assert d1 == pytest.approx(d0, rel=1e-9)
    assert np.allclose(g0, g1, rtol=1e-9, atol=1e-12)
    assert e0 == e1


def test_max_iter_warns_with_the_gap(monkeypatch):
    X, y, _ = _data("binomial", False, seed=1)
    problem = Problem(
        X, 2.0 * y - 1.0, Logistic(), L1(1.0), solver=ProxNewton(max_iter=2)
    )
    alpha = problem.alpha_max()[0] / 50
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        res = problem.solve(alpha)
    assert not res.converged
    assert res.n_iter >= 2
    assert res.dual_gap > res.tol_abs or res.kkt_violation > 0


def test_alpha_zero_runs_the_python_loop(monkeypatch):
    """At alpha = 0 every feature is free (unpenalised), which the compiled
    loop does not take: the point must be the Python loop's, certified."""
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((200, 10)))
    y = (rng.random(200) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
    alphas = [0.1, 0.01, 0.0]
    paths = [
        _path(monkeypatch, c, X, y, Logistic(), alphas=alphas) for c in (False, True)
    ]
    a, b = (_dense(p.coefs) for p in paths)
    assert np.abs(a - b).max() <= 1e-8
    assert np.all(paths[1].dual_gaps >= 0)
    assert np.all(paths[1].dual_gaps <= paths[1].gap_tols)


@pytest.mark.parametrize("seed", range(6))
def test_kth_largest_is_numpys(seed):
    """The working set's cut: the k-th largest value, ties and all."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    # Few distinct values in half the draws: many ties.
    values = rng.integers(0, 5, n).astype(float) if seed % 2 else rng.random(n)
    for k in {1, n, int(rng.integers(1, n + 1))}:
        assert kth_largest(values, k) == np.sort(values)[::-1][k - 1]


def _survival(seed, n=90, p=200, sparse=False, strata=False, start=False):
    rng = np.random.default_rng(seed)
    X = _design(rng, seed, n, p, sparse, density=0.15)
    eta = np.asarray(X[:, :4] @ np.array([1.0, -0.8, 0.6, 0.5])).ravel()
    # Rounded times: tied deaths and deaths tied with censorings.
    t = np.round(rng.exponential(np.exp(-eta)) * 4) / 4 + 0.25
    c = np.round(rng.exponential(1.5, n) * 4) / 4 + 0.25
    first = np.minimum(t, c) * rng.uniform(0, 0.5, n) if start else None
    groups = rng.integers(0, 3, n) if strata else None
    y = survival_target(
        np.minimum(t, c), (t <= c).astype(int), start=first, strata=groups
    )
    return X, y


COX_CASES = [
    ({}, {}),
    ({"sparse": True}, {}),
    ({"strata": True, "start": True}, {}),
    ({}, {"ties": "efron"}),
    ({}, {"weights": True}),
    ({}, {"penalty": ElasticNetPenalty(1.0, 0.5)}),
]


def _cox_datafit(kw):
    datafit = Cox(ties=kw.pop("ties", "breslow"))
    if kw.pop("weights", False):
        sw = np.random.default_rng(1).uniform(0.2, 2.0, 90)
        datafit = datafit.with_weights(sw * sw.size / sw.sum())
    return datafit


def _objectives(X, y, datafit, path, penalty):
    coefs = _dense(path.coefs)
    return np.array(
        [
            datafit.value(y, np.asarray(X @ coefs[:, k]).ravel())
            + penalty.with_alpha(a).value(coefs[:, k])
            for k, a in enumerate(path.alphas)
        ]
    )


@pytest.mark.parametrize("data, kw", COX_CASES)
def test_cox_compiled_loop_reaches_the_optimum(monkeypatch, data, kw):
    """The compiled loop's Cox steps use the exact Hessian (the Python
    loop's, its diagonal): at 1e-10 both paths are the same optimum; at the
    defaults each point is certified, within 1e-6 of the optimum, in fewer
    iterations than the diagonal model's."""
    X, y = _survival(7, **data)
    kw = dict(kw)
    datafit = _cox_datafit(kw)
    penalty = kw.get("penalty", L1(1.0))
    tight = dict(kw, tol=1e-10)
    slow = _path(monkeypatch, False, X, y, datafit, **tight)
    fast = _path(monkeypatch, True, X, y, datafit, **tight)
    a, b = _dense(slow.coefs), _dense(fast.coefs)
    assert np.count_nonzero(b) > 10  # a path that goes somewhere
    assert np.abs(a - b).max() <= 1e-5 * (np.abs(a).max() + 1.0)
    best = np.minimum(
        _objectives(X, y, datafit, slow, penalty),
        _objectives(X, y, datafit, fast, penalty),
    )
    loose = _path(monkeypatch, False, X, y, datafit, **kw)
    default = _path(monkeypatch, True, X, y, datafit, **kw)
    assert np.all(default.dual_gaps <= default.gap_tols)
    subopt = (_objectives(X, y, datafit, default, penalty) - best) / best
    assert subopt.max() <= 1e-6
    assert default.n_iters.sum() < loose.n_iters.sum()


def test_cox_compiled_terms_are_the_datafits():
    """The registry's Cox kernels give the datafit's public value, gradient,
    Hessian diagonal and conjugate bound."""
    from sparsefit.datafits._compiled import conjugate_terms, terms

    X, y = _survival(3, n=60, p=5, strata=True, start=True)
    eta = X @ np.random.default_rng(0).normal(0, 0.5, 5)
    sw = np.random.default_rng(2).uniform(0.5, 1.5, 60)
    for ties in ("breslow", "efron"):
        for weights in (None, sw * 60 / sw.sum()):
            df = Cox(weights, ties=ties)
            yf, ix = df._compiled_target(y)
            g, h = np.empty(60), np.empty(60)
            value = terms(df._kind, yf, ix, eta, df._sw(), g, h)
            assert value == pytest.approx(df.value(y, eta), rel=1e-12)
            assert np.allclose(g, df.raw_grad(y, eta), rtol=1e-12, atol=1e-15)
            assert np.allclose(h, df.raw_hessian(y, eta), rtol=1e-12, atol=1e-15)
            for t in (0.0, 0.3, 1.0):
                bound = conjugate_terms(df._kind, yf, ix, eta, g, t, df._sw())
                assert bound == pytest.approx(df.conjugate_at(y, eta, t), rel=1e-12)
            assert conjugate_terms(df._kind, yf, ix, eta, g, 1.5, df._sw()) == np.inf


@pytest.mark.parametrize("ties", ["breslow", "efron"])
@pytest.mark.parametrize("strata", [False, True])
def test_cox_curvature_is_the_hessian(ties, strata):
    """``diag(d) - sum_m c_m p_m p_m'`` of the registry's curvature is the
    Hessian of Cox's F: its products are central differences of the
    gradient, its diagonal the datafit's ``raw_hessian``."""
    from sparsefit.datafits._compiled import curvature, project

    X, y = _survival(3, n=60, p=5, strata=strata, start=strata)
    eta = X @ np.random.default_rng(0).normal(0, 0.5, 5)
    sw = np.random.default_rng(2).uniform(0.5, 1.5, 60)
    df = Cox(sw * 60 / sw.sum(), ties=ties)
    yf, ix = df._compiled_target(y)
    state = curvature(yf, ix, eta, df._sw(), df.raw_grad(y, eta))
    d, c = state[0], state[1]
    # Column i of P' is p_m[i] for every pair m.
    P = project(ix, state, np.eye(60))
    assert np.allclose(d - P**2 @ c, df.raw_hessian(y, eta), rtol=1e-10, atol=1e-16)
    v = np.random.default_rng(1).normal(size=60)
    Hv = d * v - P @ (c * project(ix, state, v[:, None])[0])
    step = 1e-6
    fd = (df.raw_grad(y, eta + step * v) - df.raw_grad(y, eta - step * v)) / (2 * step)
    assert np.abs(Hv - fd).max() <= 1e-7 * np.abs(fd).max()


def test_cox_value_is_inf_where_the_deaths_risk_underflows():
    """A trial point of a line search can put every death of a group at a
    relative risk that underflows: the value is +inf there (the step is
    rejected), not a division error in the compiled terms."""
    from sparsefit.datafits._compiled import terms

    y = survival_target([1.0, 2.0, 3.0, 4.0], [1, 1, 0, 1])
    eta = np.array([-800.0, 0.0, 0.0, 0.0])
    df = Cox()
    assert df.value(y, eta) == np.inf
    yf, ix = df._compiled_target(y)
    none = np.empty(0)
    assert terms(df._kind, yf, ix, eta, none, none, none) == np.inf


def test_the_registry_runs_as_plain_python():
    """With NUMBA_DISABLE_JIT=1 (debugging, coverage) the registry's
    operations choose their kernels at run time: a Cox and a logistic path
    there equal the compiled ones."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, numpy as np\n"
        "from sparsefit import compute_path\n"
        "from sparsefit.datafits import Cox, Logistic, survival_target\n"
        "rng = np.random.default_rng(0)\n"
        "X = np.asfortranarray(rng.standard_normal((30, 6)))\n"
        "t = np.round(rng.exponential(np.exp(-X[:, 0])), 1) + 0.1\n"
        "y = survival_target(t, (rng.random(30) < 0.8).astype(int))\n"
        "c = compute_path(X, y, Cox(), n_alphas=5, tol=1e-10).coefs.toarray()\n"
        "b = (X[:, 1] + rng.standard_normal(30) > 0).astype(int)\n"
        "g = compute_path(X, b, Logistic(), n_alphas=5, tol=1e-10).coefs.toarray()\n"
        "print(json.dumps([c.tolist(), g.tolist()]))\n"
    )
    out = {}
    for jit in ("0", "1"):
        env = dict(os.environ, NUMBA_DISABLE_JIT=jit)
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr[-2000:]
        out[jit] = [np.array(a) for a in json.loads(run.stdout.splitlines()[-1])]
    for compiled, python in zip(out["0"], out["1"], strict=True):
        assert np.count_nonzero(compiled) > 3
        assert np.allclose(compiled, python, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("data", [{}, {"sparse": True}, {"strata": True}])
def test_cox_diagonal_model_beyond_the_exact_models_size(monkeypatch, data):
    """Where the exact model's projections would be too large (``|ws| x n``
    above EXACT_CELLS), the compiled loop takes the diagonal model: then its
    steps are the Python loop's, iteration for iteration."""
    monkeypatch.setattr(pn, "EXACT_CELLS", 0)
    X, y = _survival(11, **data)
    slow = _path(monkeypatch, False, X, y, Cox())
    fast = _path(monkeypatch, True, X, y, Cox())
    a, b = _dense(slow.coefs), _dense(fast.coefs)
    assert np.count_nonzero(b) > 10
    assert np.array_equal(a != 0, b != 0)
    assert np.abs(a - b).max() <= 1e-4 * (np.abs(a).max() + 1.0)
    assert np.array_equal(slow.n_iters, fast.n_iters)
    assert np.all(fast.dual_gaps <= fast.gap_tols)
