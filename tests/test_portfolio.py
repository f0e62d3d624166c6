"""The portfolio homotopy against cvxpy, and its estimators."""

import itertools
import warnings

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparsefit.portfolio import (
    HoldingsNotOnPathWarning,
    InertPenaltyWarning,
    SparseIndexTracker,
    SparsePortfolio,
    portfolio_path,
    rebalance,
    tracking_path,
)

cp = pytest.importorskip("cvxpy")


def universe(seed, n_days=120, n_assets=10):
    """Returns of a 3-factor model (a market factor with loadings around 1,
    so that the minimum-variance portfolio shorts) with spread-out means."""
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(n_days, 3)) * 0.01
    loadings = rng.normal(size=(3, n_assets))
    loadings[0] = rng.normal(1.0, 0.5, n_assets)
    noise = rng.normal(0.0005, 0.01, size=(n_days, n_assets))
    return factors @ loadings + noise + rng.normal(0, 0.0008, n_assets)


class Reference:
    """The same problem in cvxpy (Clarabel), scaled to O(1) numbers, with a
    tau parameter so one canonicalisation serves the whole path."""

    def __init__(self, R, rho=None, lower=None, upper=None, v=None, t=None):
        T, N = R.shape
        self.scale = R.std()
        Rs = R / self.scale
        mu = Rs.mean(axis=0)
        self.w = cp.Variable(N)
        self.tau = cp.Parameter(nonneg=True)
        v = np.ones(N) if v is None else v
        if t is None:
            fit = cp.sum_squares((Rs - mu) @ self.w) / T
            cons = [cp.sum(self.w) == 1]
        else:
            fit = cp.sum_squares(t / self.scale - Rs @ self.w) / T
            cons = []
        if rho is not None:
            centred = mu - mu.mean()
            norm = np.linalg.norm(centred)
            cons.append(
                (centred / norm) @ self.w == (rho / self.scale - mu.mean()) / norm
            )
        if lower is not None:
            cons.append(self.w >= lower)
        if upper is not None:
            cons.append(self.w <= upper)
        self.problem = cp.Problem(
            cp.Minimize(fit + self.tau * (v @ cp.abs(self.w))), cons
        )

    def solve(self, tau):
        self.tau.value = tau / self.scale**2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.problem.solve(
                solver="CLARABEL",
                tol_gap_abs=1e-14,
                tol_gap_rel=1e-14,
                tol_feas=1e-14,
                max_iter=400,
            )
        return self.w.value


def polish(R, w, tau, A, b, lower, upper, t=None, v=None):
    """The exact solution on the support, signs and bounds of ``w``.

    An interior-point solution is accurate to about the square root of its
    tolerance on a breakpoint, where an asset sits on zero with its condition
    tight; solving the KKT equations on the support that ``w`` shows, and
    checking every inequality, gives the exact reference there.  The support
    is read with the largest threshold whose solution passes every check."""
    T, N = R.shape
    Z = R - R.mean(axis=0) if t is None else R
    G2 = 2 * Z.T @ Z / T
    g2 = np.zeros(N) if t is None else 2 * Z.T @ t / T
    tau = tau * (np.ones(N) if v is None else v)
    for threshold in (1e-4, 1e-5, 1e-6, 1e-7):
        out = _kkt_on_support(G2, g2, w, tau, A, b, lower, upper, threshold)
        if out is not None:
            return out
    raise AssertionError("no support of the reference passes the KKT checks")


def _kkt_on_support(G2, g2, w, tau, A, b, lower, upper, threshold):
    N = w.size
    at_up = np.isfinite(upper) & (np.abs(w - upper) < threshold)
    at_lo = np.isfinite(lower) & (np.abs(w - lower) < threshold)
    fixed = at_up | at_lo
    S = np.flatnonzero((np.abs(w) > threshold) & ~fixed)
    B = np.flatnonzero(fixed)
    wb = np.where(at_up, upper, lower)[B]
    s = np.sign(w[S])
    m = A.shape[0]
    K = np.block([[G2[np.ix_(S, S)], A[:, S].T], [A[:, S], np.zeros((m, m))]])
    rhs = np.concatenate([g2[S] - tau[S] * s - G2[np.ix_(S, B)] @ wb, b - A[:, B] @ wb])
    try:
        sol = np.linalg.solve(K, rhs)
    except np.linalg.LinAlgError:
        return None
    out = np.zeros(N)
    out[S], out[B] = sol[: S.size], wb
    c = g2 - G2 @ out - A.T @ sol[S.size :]
    zero = np.setdiff1d(np.arange(N), np.concatenate([S, B]))
    slack = 1e-9 * max(tau.max(), 1e-300) + 1e-13
    ok = (np.abs(c[zero]) <= tau[zero] + slack).all()
    ok &= ((np.sign(out[S]) == s) | (np.abs(out[S]) < 1e-12)).all()
    up, down = B[wb > 0], B[wb < 0]
    ok &= (c[up] >= tau[up] - slack).all() and (c[down] <= -tau[down] + slack).all()
    ok &= (out >= lower - 1e-12).all() and (out <= upper + 1e-12).all()
    return out if ok else None


def constraints(R, rho):
    N = R.shape[1]
    rows, rhs = [np.ones(N)], [1.0]
    if rho is not None:
        rows.append(R.mean(axis=0))
        rhs.append(rho)
    return np.array(rows), np.array(rhs)


def check_path(R, path, rho, lower, upper):
    """Breakpoints and segment midpoints equal the cvxpy solution (made exact
    on its own support by ``polish``) to 1e-7; constraints hold to 1e-10."""
    N = R.shape[1]
    lo = np.full(N, -np.inf) if lower is None else np.broadcast_to(lower, N)
    up = np.full(N, np.inf) if upper is None else np.broadcast_to(upper, N)
    ref = Reference(R, rho, lower, upper)
    A, b = constraints(R, rho)
    mids = 0.5 * (path.taus[1:] + path.taus[:-1])
    for k, tau in enumerate(path.taus):
        exact = polish(R, ref.solve(tau), tau, A, b, lo, up)
        np.testing.assert_allclose(path.weights[k], exact, rtol=0, atol=1e-7)
    for tau in mids:
        exact = polish(R, ref.solve(tau), tau, A, b, lo, up)
        np.testing.assert_allclose(path.weights_at(tau), exact, rtol=0, atol=1e-7)
    np.testing.assert_allclose(
        path.weights @ A.T, np.tile(b, (path.taus.size, 1)), rtol=0, atol=1e-10
    )
    assert (path.weights >= lo - 1e-12).all() and (path.weights <= up + 1e-12).all()


@pytest.mark.parametrize("seed", range(20))
def test_breakpoints_match_cvxpy_on_random_universes(seed):
    R = universe(seed)
    mu = R.mean(axis=0)
    # Alternate the three problems: budget only, a return target inside the
    # long-only range, and one above it (the path starts from two assets).
    rho = [None, float(mu.mean()), float(mu.max() * 1.3)][seed % 3]
    path = portfolio_path(R, target_return=rho)
    check_path(R, path, rho, None, None)
    # ||w||_1 is non-increasing in tau.
    assert (np.diff(path.gross_exposure) >= -1e-12).all()


@pytest.mark.parametrize("seed", range(4))
def test_bounds_are_events(seed):
    R = universe(seed, n_assets=8)
    rho = float(R.mean(axis=0).max() * 1.2)
    lower, upper = -0.3, 0.6
    path = portfolio_path(R, target_return=rho, lower=lower, upper=upper)
    check_path(R, path, rho, lower, upper)
    assert (np.diff(path.gross_exposure) >= -1e-12).all()
    kinds = {kind for _, _, kind in path.events}
    assert kinds & {"upper", "lower", "release"}
    assert (
        np.isclose(path.weights, upper).any() or np.isclose(path.weights, lower).any()
    )


def test_weights_linear_between_breakpoints():
    R = universe(3)
    path = portfolio_path(R, target_return=float(R.mean(axis=0).max() * 1.3))
    ref = Reference(R, float(R.mean(axis=0).max() * 1.3))
    k = path.taus.size // 2
    for frac in (0.25, 0.5, 0.75):
        tau = path.taus[k] + frac * (path.taus[k - 1] - path.taus[k])
        expected = (1 - frac) * path.weights[k] + frac * path.weights[k - 1]
        np.testing.assert_allclose(ref.solve(tau), expected, atol=1e-7)


@pytest.mark.parametrize("seed", range(5))
def test_holdings_change_by_one_per_event(seed):
    R = universe(seed, n_assets=12)
    path = portfolio_path(R, target_return=float(R.mean(axis=0).max() * 1.3))
    # Count on each segment (at its midpoint): one event, one asset.
    mids = 0.5 * (path.taus[1:] + path.taus[:-1])
    counts = [np.count_nonzero(np.abs(path.weights_at(t)) > 1e-14) for t in mids]
    assert len(path.events) == path.taus.size - 1
    assert (np.abs(np.diff(counts)) == 1).all()


def test_real_data_path_matches_cvxpy():
    skfolio = pytest.importorskip("skfolio.datasets")
    from sparsefit.portfolio import prices_to_returns

    R = prices_to_returns(skfolio.load_sp500_dataset()).iloc[-500:].to_numpy()
    for rho in (None, float(R.mean())):
        path = portfolio_path(R, target_return=rho)
        assert path.taus.size > 3
        check_path(R, path, rho, None, None)


def test_gross_exposure_reparametrises_the_path():
    R = universe(5)
    path = portfolio_path(R)
    c = 0.5 * (path.gross_exposure[1] + path.gross_exposure[-1])
    model = SparsePortfolio(gross_exposure=c).fit(R)
    assert model.gross_exposure_ == pytest.approx(c, abs=1e-10)
    # The penalised solution at that tau solves the constrained problem.
    w = cp.Variable(R.shape[1])
    Z = R - R.mean(axis=0)
    cp.Problem(
        cp.Minimize(cp.sum_squares(Z @ w / R.std()) / R.shape[0]),
        [cp.sum(w) == 1, cp.norm1(w) <= c],
    ).solve(solver="CLARABEL", tol_gap_abs=1e-13, tol_gap_rel=1e-13, tol_feas=1e-13)
    np.testing.assert_allclose(model.weights_, w.value, atol=1e-9)
    with pytest.raises(ValueError, match="gross_exposure"):
        SparsePortfolio(gross_exposure=0.9).fit(R)


def best_k_variance(R, k, rho):
    """Brute force: the least variance over every k-asset support."""
    Z = R - R.mean(axis=0)
    S2 = Z.T @ Z / R.shape[0]
    A, b = constraints(R, rho)
    best = np.inf
    for S in itertools.combinations(range(R.shape[1]), k):
        S = list(S)
        m = A.shape[0]
        K = np.block([[2 * S2[np.ix_(S, S)], A[:, S].T], [A[:, S], np.zeros((m, m))]])
        try:
            w = np.linalg.solve(K, np.concatenate([np.zeros(k), b]))[:k]
        except np.linalg.LinAlgError:
            continue
        best = min(best, float(w @ S2[np.ix_(S, S)] @ w))
    return best


def swap_neighbours(R, w, rho):
    """Least variance over the supports one swap away from ``w``'s."""
    Z = R - R.mean(axis=0)
    S2 = Z.T @ Z / R.shape[0]
    A, b = constraints(R, rho)
    support = list(np.flatnonzero(w))
    best = np.inf
    for i in range(len(support)):
        for j in set(range(R.shape[1])) - set(support):
            S = sorted(support[:i] + [j] + support[i + 1 :])
            k, m = len(S), A.shape[0]
            K = np.block(
                [[2 * S2[np.ix_(S, S)], A[:, S].T], [A[:, S], np.zeros((m, m))]]
            )
            x = np.linalg.solve(K, np.concatenate([np.zeros(k), b]))[:k]
            best = min(best, float(x @ S2[np.ix_(S, S)] @ x))
    return best


@pytest.mark.parametrize("k", [2, 3, 4])
def test_target_k_against_brute_force(k):
    # N = 20 assets, the variance-weighted (target-k) path.  Each refinement
    # can only lower the variance; "swap" ends at a local optimum (no single
    # swap helps), which the brute force over all supports bounds from below.
    R = universe(1, n_days=250, n_assets=20)
    rho = float(R.mean())
    variances = []
    for refit in (False, True, "swap"):
        model = SparsePortfolio(
            n_holdings=k, target_return=rho, penalty_factor="volatility", refit=refit
        ).fit(R)
        assert model.n_holdings_ == k
        assert model.expected_return_ == pytest.approx(rho, abs=1e-12)
        variances.append(model.variance_)
    assert variances[2] <= variances[1] * (1 + 1e-12) <= variances[0] * (1 + 1e-9)
    assert swap_neighbours(R, model.weights_, rho) >= variances[2] * (1 - 1e-9)
    assert best_k_variance(R, k, rho) <= variances[2] * (1 + 1e-9)


def test_k_missing_from_path_says_so():
    R = universe(1, n_assets=8)
    path = portfolio_path(R)
    k = int(path.n_holdings.min()) - 1
    assert k >= 1
    with pytest.warns(HoldingsNotOnPathWarning, match="volatility"):
        model = SparsePortfolio(n_holdings=k).fit(R)
    assert model.holdings_bracket_ == (None, int(path.n_holdings.min()))


def test_inert_long_only_warns_and_names_the_way_out():
    R = universe(5)
    with pytest.warns(InertPenaltyWarning, match="gross_exposure.*n_holdings"):
        model = SparsePortfolio(lower=0.0, tau=1e-3).fit(R)
    assert model.path_.taus.size == 1
    assert model.gross_exposure_ == pytest.approx(1.0)
    # The way out works: shorts with a gross-exposure limit move the weights.
    c = 0.5 * (1.0 + portfolio_path(R).gross_exposure[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", InertPenaltyWarning)
        shorts = SparsePortfolio(gross_exposure=c).fit(R)
    assert shorts.gross_exposure_ == pytest.approx(c, abs=1e-10)
    assert (shorts.weights_ < 0).any()


def test_tracking_path_is_the_lasso_path():
    from sparsefit import lars_path

    rng = np.random.default_rng(0)
    R = universe(4, n_days=200, n_assets=15)
    index = R[:, :5] @ rng.uniform(0.1, 0.3, 5) + rng.normal(0, 0.002, 200)
    path = tracking_path(R, index)
    # tau = 2 alpha in the library's lasso scaling (no intercept).
    lars = lars_path(R, index, fit_intercept=False)
    np.testing.assert_allclose(path.taus, 2 * lars.alphas, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(path.weights, lars.coefs.T, atol=1e-10)
    ref = Reference(R, t=index)
    N = R.shape[1]
    for k in range(1, path.taus.size, 3):
        exact = polish(
            R,
            ref.solve(path.taus[k]),
            path.taus[k],
            np.zeros((0, N)),
            np.zeros(0),
            np.full(N, -np.inf),
            np.full(N, np.inf),
            t=index,
        )
        np.testing.assert_allclose(path.weights[k], exact, atol=1e-7)


def test_tracker_k_and_bounds():
    R = universe(6, n_days=200, n_assets=15)
    index = R.mean(axis=1)
    model = SparseIndexTracker(n_holdings=5, lower=0.0, upper=0.15).fit(R, index)
    assert model.n_holdings_ == 5
    assert (model.weights_ >= 0).all() and (model.weights_ <= 0.15 + 1e-12).all()
    with pytest.raises(ValueError, match="refit must be False or True"):
        SparseIndexTracker(tau=1e-6, refit="swap").fit(R, index)
    budget = SparseIndexTracker(tau=1e-6, budget=True).fit(R, index)
    assert budget.weights_.sum() == pytest.approx(1.0, abs=1e-10)
    assert model.tracking_error_ > 0
    with pytest.warns(InertPenaltyWarning):
        SparseIndexTracker(tau=1e-6, budget=True, lower=0.0).fit(R, index)


def test_turnover_matches_cvxpy():
    R = universe(7)
    N = R.shape[1]
    w_prev = np.full(N, 1.0 / N)
    res = rebalance(R, w_prev, tau=2e-5, turnover=5e-5)
    Z = (R - R.mean(axis=0)) / R.std()
    w = cp.Variable(N)
    s2 = R.std() ** 2
    cp.Problem(
        cp.Minimize(
            cp.sum_squares(Z @ w) / R.shape[0]
            + 2e-5 / s2 * cp.norm1(w)
            + 5e-5 / s2 * cp.norm1(w - w_prev)
        ),
        [cp.sum(w) == 1],
    ).solve(solver="CLARABEL", tol_gap_abs=1e-13, tol_gap_rel=1e-13, tol_feas=1e-13)
    np.testing.assert_allclose(res.w, w.value, atol=1e-6)
    # Trading is penalised: some weights stay where they were.
    assert np.sum(np.abs(res.w - w_prev) < 1e-8) > 0
    model = SparsePortfolio(tau=2e-5, turnover=5e-5, previous_weights=w_prev).fit(R)
    np.testing.assert_allclose(model.weights_, res.w, atol=1e-9)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda R: portfolio_path(np.where(np.eye(*R.shape) > 0, np.nan, R)), "NaN"),
        (lambda R: portfolio_path(R[:2], target_return=0.001), "days"),
        (
            lambda R: portfolio_path(R, target_return=1.0, lower=-0.1, upper=0.5),
            "target_return",
        ),
        (lambda R: SparsePortfolio(n_holdings=11).fit(R), "n_holdings"),
        (lambda R: SparsePortfolio(tau=1e-3, n_holdings=2).fit(R), "at most one"),
        (lambda R: portfolio_path(R, lower=0.1), "lower"),
        (lambda R: tracking_path(R, R[:-1, 0]), "y"),
        (lambda R: SparsePortfolio(target_return="max").fit(R), "target_return"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call(universe(0))


def test_estimator_contract():
    from sklearn.base import clone

    R = universe(1)
    model = SparsePortfolio(tau=1e-4, target_return="equal_weight")
    assert clone(model).get_params() == model.get_params()
    model.set_params(tau=2e-4)
    fitted = model.fit(R)
    assert fitted is model
    np.testing.assert_allclose(model.predict(R), R @ model.weights_)
    assert np.isfinite(model.score(R))
    assert model.expected_return_ == pytest.approx(R.mean(), abs=1e-12)


def test_active_set_start_equals_qp_start(monkeypatch):
    # The long-only start by the active-set method against the QP (Clarabel)
    # start, with fewer days than assets.
    from sparsefit.portfolio import _homotopy

    R = universe(3, n_days=40, n_assets=60)
    fast = portfolio_path(R, target_return=float(R.mean()))
    monkeypatch.setattr(_homotopy, "_long_only_face", lambda *args: False)
    slow = portfolio_path(R, target_return=float(R.mean()))
    np.testing.assert_allclose(fast.taus, slow.taus, rtol=1e-9)
    np.testing.assert_allclose(fast.weights, slow.weights, atol=1e-9)
    # T < N: at most T - 1 + 2 free weights (the centred data have rank T - 1).
    assert fast.n_holdings.max() <= R.shape[0] + 1


@parametrize_with_checks([SparsePortfolio(), SparseIndexTracker()])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_start_with_every_weight_at_a_bound():
    # Budget only, weights capped at 0.5, the volatility-weighted penalty:
    # the start holds the two least volatile assets at 0.5 each, so the
    # bounds alone meet the budget and one of them must act as free.
    R = universe(33, n_days=150, n_assets=9)
    path = portfolio_path(R, lower=-0.2, upper=0.5, penalty_factor="volatility")
    assert np.isclose(path.weights[0], 0.5).sum() == 2
    v = R.std(axis=0) / R.std(axis=0).mean()
    ref = Reference(R, None, -0.2, 0.5, v=v)
    A, b = constraints(R, None)
    lo, up = np.full(9, -0.2), np.full(9, 0.5)
    for k, tau in enumerate(path.taus):
        exact = polish(R, ref.solve(tau), tau, A, b, lo, up, v=v)
        np.testing.assert_allclose(path.weights[k], exact, atol=1e-7)


def test_gross_exposure_refused_where_not_monotone():
    # With penalty factors the weighted norm is monotone along the path but
    # ||w||_1 need not be: a gross-exposure target is then ambiguous.
    R = universe(35, n_days=80, n_assets=18)
    mu = R.mean(axis=0)
    rho = float(mu.min() + 0.13982452953006275 * (mu.max() - mu.min()))
    path = portfolio_path(
        R, target_return=rho, lower=-0.3, upper=0.3, penalty_factor="volatility"
    )
    assert (np.diff(path.gross_exposure) < 0).any()
    v = R.std(axis=0) / R.std(axis=0).mean()
    assert (np.diff(np.abs(path.weights) @ v) >= -1e-12).all()
    with pytest.raises(ValueError, match="gross_exposure"):
        path.tau_at_gross_exposure(float(path.gross_exposure.mean()))
