"""The exact group prox in Adam's diagonal metric, against cvxpy, and
ProxAdamW with GroupL1 reaching the group-lasso solution (MultiTaskLasso)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
cp = pytest.importorskip("cvxpy")

from sklearn.linear_model import MultiTaskLasso  # noqa: E402
from torch import nn  # noqa: E402

from sparsefit.pruning import GroupL1, ProxAdamW, ProxSGD, SparseGroupL1  # noqa: E402
from sparsefit.pruning._prox import group_prox_  # noqa: E402


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def _metric_objective(x, v, d, t):
    return 0.5 * np.sum((x - v) ** 2 / d) + t * np.linalg.norm(x)


def _metric_group_prox_cvxpy(v, d, t):
    """argmin_x sum_j (x_j - v_j)^2 / (2 d_j) + t ||x||_2, for one group."""
    x = cp.Variable(v.size)
    objective = 0.5 * cp.sum(cp.multiply(1 / d, cp.square(x - v))) + t * cp.norm(x, 2)
    cp.Problem(cp.Minimize(objective)).solve(solver="CLARABEL")
    return x.value


@pytest.mark.parametrize("seed", range(8))
def test_group_prox_in_a_diagonal_metric_matches_cvxpy(seed):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((4, 6))
    # Steps spread over four orders of magnitude, as Adam's are.
    d = 10.0 ** rng.uniform(-3, 1, size=(4, 6))
    boundary = np.linalg.norm(v / d, axis=1)
    t = np.median(boundary) * rng.uniform(0.5, 1.5)
    got = group_prox_(t64(v), t64(d), t, dims=(1,)).numpy()
    for g in range(4):
        exact = _metric_group_prox_cvxpy(v[g], d[g], t)
        assert (boundary[g] <= t) == (not got[g].any())
        # cvxpy's interior point is accurate to about 1e-5 on these scales;
        # ours is never worse, and is checked to machine precision below.
        ours_value = _metric_objective(got[g], v[g], d[g], t)
        assert ours_value <= _metric_objective(exact, v[g], d[g], t) + 1e-12
        np.testing.assert_allclose(got[g], exact, atol=1e-4)
    # Optimality, to machine precision: (x - v)/d + t x/||x|| = 0 off zero.
    for g in np.flatnonzero(np.abs(got).sum(axis=1) > 0):
        x = got[g]
        residual = (x - v[g]) / d[g] + t * x / np.linalg.norm(x)
        assert np.abs(residual).max() <= 1e-10 * np.abs(v[g] / d[g]).max()


def test_group_prox_with_one_step_is_block_soft_thresholding():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((5, 3))
    d = np.full((5, 3), 0.7)
    got = group_prox_(t64(v), t64(d), 0.9, dims=(1,)).numpy()
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    expected = np.maximum(0, 1 - 0.7 * 0.9 / norms) * v
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)


def test_sparse_group_metric_prox_values_match_cvxpy():
    rng = np.random.default_rng(5)
    v = rng.standard_normal((3, 4))
    d = 10.0 ** rng.uniform(-2, 0.5, size=(3, 4))
    alpha, rho = 0.3, 0.4
    got = SparseGroupL1(alpha, l1_ratio=rho).prox_(t64(v), t64(d)).numpy()

    def objective(x, norm=np.linalg.norm, total=np.sum, absolute=np.abs):
        return (
            0.5 * total((x - v) ** 2 / d)
            + alpha * rho * total(absolute(x))
            + alpha * (1 - rho) * 2.0 * sum(norm(x[i], 2) for i in range(3))
        )

    x = cp.Variable((3, 4))
    cp.Problem(cp.Minimize(objective(x, cp.norm, cp.sum, cp.abs))).solve(
        solver="CLARABEL"
    )
    assert objective(got) <= objective(x.value) + 1e-12
    np.testing.assert_allclose(got, x.value, atol=1e-4)
    np.testing.assert_array_equal(got == 0, np.abs(x.value) < 1e-7)


def _multitask(seed=0, n=200, p=20, k=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = np.zeros((p, k))
    W[:4] = rng.standard_normal((4, k))
    Y = X @ W + 0.5 * rng.standard_normal((n, k))
    return X, Y


def _train(opt_class, X, Y, alpha, steps, lr, **kw):
    """Full batch on (1/(2n)) ||Y - X W||_F^2 + GroupL1 over the inputs: the
    MultiTaskLasso objective, whose alpha multiplies sum_j ||W_j||_2 over the
    k outputs of feature j, so GroupL1's alpha is alpha / sqrt(k)."""
    k = Y.shape[1]
    layer = nn.Linear(X.shape[1], k, bias=False).double()
    nn.init.zeros_(layer.weight)
    opt = opt_class(
        layer.parameters(), penalty=GroupL1(alpha / np.sqrt(k), over="in"), lr=lr, **kw
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 1.0 / np.sqrt(1.0 + s / 50.0)
    )
    Xt, Yt = t64(X), t64(Y)
    for _ in range(steps):
        opt.zero_grad()
        # sum over outputs, mean over samples: MultiTaskLasso's datafit
        (0.5 * ((Yt - layer(Xt)) ** 2).sum(dim=1).mean()).backward()
        opt.step()
        schedule.step()
    return layer.weight.detach().numpy().T


def _objective(X, Y, W, alpha):
    return (
        0.5 * ((Y - X @ W) ** 2).sum() / len(X)
        + alpha * np.linalg.norm(W, axis=1).sum()
    )


def test_prox_adamw_group_l1_reaches_the_multitask_lasso_solution():
    X, Y = _multitask()
    alpha = 0.3
    ref = MultiTaskLasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=10**5)
    W_ref = ref.fit(X, Y).coef_.T
    W = _train(ProxAdamW, X, Y, alpha, steps=4000, lr=0.05)
    gap = _objective(X, Y, W, alpha) - _objective(X, Y, W_ref, alpha)
    assert abs(gap) <= 1e-9
    np.testing.assert_allclose(W, W_ref, atol=1e-5)
    np.testing.assert_array_equal(np.abs(W).sum(axis=1) == 0, ~W_ref.any(axis=1))


def test_prox_sgd_group_l1_reaches_the_multitask_lasso_solution():
    X, Y = _multitask(1)
    alpha = 0.3
    ref = MultiTaskLasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=10**5)
    W_ref = ref.fit(X, Y).coef_.T
    lr = len(X) / np.linalg.norm(X, 2) ** 2
    W = _train(ProxSGD, X, Y, alpha, steps=1500, lr=lr * np.sqrt(31))
    np.testing.assert_allclose(W, W_ref, atol=1e-6)
