"""sparsefit.pruning: prox operators against sparsefit.prox and cvxpy, optimiser
steps against their formulas, compact(), reports, export, controller."""

import copy
import io
import subprocess
import sys

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402
from torch.nn.utils import prune  # noqa: E402

from sparsefit import Lasso  # noqa: E402
from sparsefit.prox import prox_group_l2, prox_weighted_l1, soft_threshold  # noqa: E402
from sparsefit.pruning import (  # noqa: E402
    L1,
    GroupL1,
    ProxAdamW,
    ProximalOptimizer,
    ProxSGD,
    SparseGroupL1,
    SparsityController,
    compact,
    hold_zeros,
    load_sparse_state_dict,
    selected_inputs,
    sparse_state_dict,
    sparsity_report,
)

SETTINGS = settings(max_examples=60, deadline=None)
FINITE = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
MATRICES = hnp.arrays(
    np.float64, hnp.array_shapes(min_dims=2, max_dims=4, max_side=4), elements=FINITE
)


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


# ------------------------------------------------------- prox against NumPy


@SETTINGS
@given(v=MATRICES, data=st.data())
def test_l1_prox_is_the_weighted_soft_threshold_of_sparsefit_prox(v, data):
    steps = data.draw(hnp.arrays(np.float64, v.shape, elements=st.floats(1e-3, 2.0)))
    alpha = data.draw(st.floats(0, 3))
    got = L1(alpha).prox_(t64(v), t64(steps)).numpy()
    np.testing.assert_allclose(got, prox_weighted_l1(v, steps, step=alpha), atol=1e-12)
    got = L1(alpha).prox_(t64(v), 0.7).numpy()
    np.testing.assert_allclose(got, soft_threshold(v, 0.7 * alpha), atol=1e-12)


@SETTINGS
@given(v=MATRICES, alpha=st.floats(0, 3), step=st.floats(0, 2))
def test_group_prox_is_prox_group_l2(v, alpha, step):
    for over, keep in (("out", 0), ("in", 1)):
        axis = tuple(d for d in range(v.ndim) if d != keep)
        size = np.prod([v.shape[d] for d in axis])
        want = prox_group_l2(v, alpha * step * np.sqrt(size), axis=axis)
        got = GroupL1(alpha, over=over).prox_(t64(v), step).numpy()
        np.testing.assert_allclose(got, want, atol=1e-12)


@SETTINGS
@given(v=MATRICES, alpha=st.floats(0, 3), step=st.floats(0, 2), rho=st.floats(0, 1))
def test_sparse_group_prox_is_the_composition(v, alpha, step, rho):
    axis = tuple(range(1, v.ndim))
    size = np.prod(v.shape[1:])
    inner = soft_threshold(v, alpha * step * rho)
    want = prox_group_l2(inner, alpha * step * (1 - rho) * np.sqrt(size), axis=axis)
    got = SparseGroupL1(alpha, l1_ratio=rho).prox_(t64(v), step).numpy()
    np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_sparse_group_metric_prox_against_cvxpy(seed):
    """With per-coordinate steps the l1 part and the group zeros are exact."""
    cp = pytest.importorskip("cvxpy")
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((3, 4))
    d = rng.uniform(0.2, 2.0, size=(3, 4))
    alpha, rho = 0.4, 0.6
    got = SparseGroupL1(alpha, l1_ratio=rho).prox_(t64(v), t64(d)).numpy()
    x = cp.Variable((3, 4))
    group = sum(cp.norm(x[i], 2) for i in range(3))
    objective = (
        0.5 * cp.sum(cp.multiply(1 / d, cp.square(x - v)))
        + alpha * rho * cp.sum(cp.abs(x))
        + alpha * (1 - rho) * 2.0 * group  # sqrt(group size 4)
    )
    cp.Problem(cp.Minimize(objective)).solve(solver="CLARABEL")
    exact = x.value
    np.testing.assert_array_equal(got == 0, np.abs(exact) < 1e-7)
    np.testing.assert_allclose(np.sign(got), np.sign(np.round(exact, 7)))


# ------------------------------------------------- optimiser steps


def _net(seed=0, bn=False):
    torch.manual_seed(seed)
    layers = [nn.Linear(6, 5)] + ([nn.BatchNorm1d(5)] if bn else [])
    return nn.Sequential(*layers, nn.ReLU(), nn.Linear(5, 3)).double()


def _batches(n_steps, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [
        (torch.randn(8, 6, generator=g, dtype=torch.float64), torch.randint(3, (8,)))
        for _ in range(n_steps)
    ]


def _loss(model, batch):
    return nn.functional.cross_entropy(model(batch[0]), batch[1])


def _weight_params(model):
    return [p for p in model.parameters() if p.ndim > 1]


def test_prox_sgd_with_momentum_is_sgd_then_soft_threshold_at_lr():
    alpha, lr = 0.05, 0.3
    model, twin = _net(), _net()
    ours = ProxSGD(
        model.parameters(), penalty=L1(alpha), lr=lr, momentum=0.9, nesterov=True
    )
    sgd = torch.optim.SGD(twin.parameters(), lr=lr, momentum=0.9, nesterov=True)
    for batch in _batches(5):
        for opt, net in ((ours, model), (sgd, twin)):
            opt.zero_grad()
            _loss(net, batch).backward()
            opt.step()
        with torch.no_grad():
            for p in _weight_params(twin):
                p.copy_(t64(soft_threshold(p.numpy(), lr * alpha)))
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert any((p == 0).any() for p in _weight_params(model))


def test_wrapped_sgd_takes_the_prox_step_at_the_scheduled_lr():
    alpha = 0.05
    model, twin = _net(), _net()
    inner = torch.optim.SGD(model.parameters(), lr=0.4, momentum=0.5)
    ours = ProximalOptimizer(inner, L1(alpha))
    schedule = torch.optim.lr_scheduler.StepLR(inner, step_size=1, gamma=0.5)
    sgd = torch.optim.SGD(twin.parameters(), lr=0.4, momentum=0.5)
    for k, batch in enumerate(_batches(4)):
        for opt, net in ((ours, model), (sgd, twin)):
            opt.zero_grad()
            _loss(net, batch).backward()
            opt.step()
        with torch.no_grad():
            for p in _weight_params(twin):
                p.copy_(t64(soft_threshold(p.numpy(), 0.4 * 0.5**k * alpha)))
        schedule.step()
        for group in sgd.param_groups:
            group["lr"] = 0.4 * 0.5 ** (k + 1)
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_prox_adamw_is_adamw_then_soft_threshold_in_adam_metric(amsgrad):
    alpha, lr, eps, betas = 0.02, 0.05, 1e-8, (0.9, 0.99)
    model, twin = _net(), _net()
    kw = dict(lr=lr, betas=betas, eps=eps, weight_decay=0.01, amsgrad=amsgrad)
    ours = ProxAdamW(model.parameters(), penalty=L1(alpha), **kw)
    adamw = torch.optim.AdamW(twin.parameters(), **kw)
    for t, batch in enumerate(_batches(6), start=1):
        for opt, net in ((ours, model), (adamw, twin)):
            opt.zero_grad()
            _loss(net, batch).backward()
            opt.step()
        with torch.no_grad():
            for p in _weight_params(twin):
                state = adamw.state[p]
                sq = state["max_exp_avg_sq" if amsgrad else "exp_avg_sq"].numpy()
                steps = lr / (np.sqrt(sq / (1 - betas[1] ** t)) + eps)
                p.copy_(t64(prox_weighted_l1(p.numpy(), steps, step=alpha)))
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert any((p == 0).any() for p in _weight_params(model))


def test_wrapper_around_adam_equals_prox_adamw_and_spares_bias_and_norm():
    model, twin = _net(bn=True), _net(bn=True)
    penalty = GroupL1(0.5)
    ours = ProximalOptimizer(torch.optim.Adam(model.parameters(), lr=0.1), penalty)
    ref = ProxAdamW(twin.parameters(), penalty=GroupL1(0.5), lr=0.1)
    for batch in _batches(4):
        for opt, net in ((ours, model), (ref, twin)):
            opt.zero_grad()
            _loss(net, batch).backward()
            opt.step()
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert not penalty.groups(model[0].weight).any()  # every neuron removed
    assert (model[0].bias != 0).all() and (model[1].weight != 0).all()
    assert [p for p, _ in ours.penalized_parameters()] == _weight_params(model)
    assert ours.penalty_value() == 0.0


def test_prox_sgd_solves_the_lasso():
    """Full-batch proximal gradient on 1/(2n)||y - Xw||^2 + alpha ||w||_1."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = X[:, :3] @ np.array([2.0, -1.5, 1.0]) + 0.3 * rng.standard_normal(60)
    alpha = 0.2
    ref = Lasso(alpha=alpha, fit_intercept=False, tol=1e-12).fit(X, y)
    layer = nn.Linear(8, 1, bias=False).double()
    lipschitz = np.linalg.norm(X, 2) ** 2 / len(X)
    opt = ProxSGD(layer.parameters(), penalty=L1(alpha), lr=1 / lipschitz)
    Xt, yt = t64(X), t64(y)
    for _ in range(3000):
        opt.zero_grad()
        (0.5 * ((yt - layer(Xt)[:, 0]) ** 2).mean()).backward()
        opt.step()
    w = layer.weight.detach().numpy()[0]
    np.testing.assert_allclose(w, ref.coef_, atol=1e-8)
    np.testing.assert_array_equal(w == 0, ref.coef_ == 0)
    assert (w == 0).sum() >= 3


def test_hold_zeros_keeps_zeros_and_trains_the_rest():
    model = _net()
    with torch.no_grad():
        model[0].weight[:, ::2] = 0
    before = model[0].weight.detach().clone()
    opt = hold_zeros(torch.optim.Adam(model.parameters(), lr=0.1))
    for batch in _batches(5):
        opt.zero_grad()
        _loss(model, batch).backward()
        opt.step()
    w = model[0].weight.detach()
    assert (w[:, ::2] == 0).all() and not torch.signbit(w[:, ::2]).any()
    assert (w[:, 1::2] != before[:, 1::2]).all()


# ------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: L1(-1.0), "alpha must be"),
        (lambda: L1(float("nan")), "alpha must be"),
        (lambda: GroupL1(1.0, over="rows"), "over must be"),
        (lambda: SparseGroupL1(1.0, l1_ratio=1.5), "l1_ratio must be"),
        (lambda: GroupL1(1.0).prox_(torch.ones(3), 1.0), "at least 2 dimensions"),
        (
            lambda: ProxSGD(_net().parameters(), penalty="l1", lr=0.1),
            "penalty must have",
        ),
        (
            lambda: ProxSGD(
                _net().parameters(), L1(1.0), penalized=[torch.ones(2, 2)], lr=0.1
            ),
            r"penalized\[0\] is not a parameter",
        ),
        (
            lambda: ProximalOptimizer(
                torch.optim.RMSprop(_net().parameters()), L1(1.0)
            ),
            "step of RMSprop is not known",
        ),
        (lambda: ProximalOptimizer("adam", L1(1.0)), "optimizer must be"),
        (lambda: compact(nn.Linear(2, 2)), "model must be a torch.nn.Sequential"),
        (lambda: sparsity_report("net"), "model must be a torch.nn.Module"),
        (lambda: selected_inputs(nn.Sequential(nn.ReLU())), "no Linear or Conv"),
        (lambda: selected_inputs("net"), "model must be a torch.nn.Module"),
    ],
)
def test_bad_input_raises_a_clear_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_controller_rejects_bad_targets():
    model = _net()
    opt = ProxSGD(model.parameters(), penalty=L1(0.1), lr=0.1)
    for kw, match in (
        ({}, "exactly one of"),
        ({"target_sparsity": 1.5}, "target_sparsity must be"),
        ({"target_groups": -1}, "target_groups must be"),
        ({"target_groups": 2, "factor": 1.0}, "factor must be"),
    ):
        with pytest.raises(ValueError, match=match):
            SparsityController(model, opt, lambda: None, **kw)
    opt = ProxSGD(model.parameters(), penalty=L1(0.0), lr=0.1)
    with pytest.raises(ValueError, match="alpha > 0"):
        SparsityController(model, opt, lambda: None, target_sparsity=0.5)


# ------------------------------------------------------------ compact


def _kill(model, rng):
    """Zero some rows and some columns of every layer, in place."""
    with torch.no_grad():
        for m in model:
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                rows = rng.uniform(size=m.weight.shape[0]) < 0.4
                cols = rng.uniform(size=m.weight.shape[1]) < 0.3
                m.weight[torch.from_numpy(rows)] = 0
                m.weight[:, torch.from_numpy(cols)] = 0
            if isinstance(m, nn.BatchNorm1d | nn.BatchNorm2d):
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.5, 2)
                m.weight.uniform_(0.5, 2)
                m.bias.uniform_(-1, 1)


ARCHITECTURES = {
    "mlp": (
        lambda: nn.Sequential(
            nn.Linear(7, 12),
            nn.BatchNorm1d(12),
            nn.Tanh(),
            nn.Dropout(0.3),
            nn.Linear(12, 9),
            nn.LeakyReLU(0.1),
            nn.Linear(9, 4),
        ),
        (5, 7),
    ),
    "conv": (
        lambda: nn.Sequential(
            nn.Conv2d(2, 6, 3),
            nn.BatchNorm2d(6),
            nn.Sigmoid(),
            nn.Conv2d(6, 5, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(5, 4, 3),
            nn.ELU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(4 * 2 * 2, 3),
        ),
        (5, 2, 8, 8),
    ),
}


@pytest.mark.parametrize("arch", ARCHITECTURES)
@pytest.mark.parametrize("seed", range(4))
def test_compact_keeps_outputs_and_drops_dead_units(arch, seed):
    make, shape = ARCHITECTURES[arch]
    torch.manual_seed(seed)
    model = make().double().eval()
    _kill(model, np.random.default_rng(seed))
    x = torch.randn(*shape, dtype=torch.float64)
    original = copy.deepcopy(model.state_dict())
    small = compact(model)
    torch.testing.assert_close(small(x), model(x), rtol=0, atol=1e-12)
    n_small = sum(p.numel() for p in small.parameters())
    assert n_small < sum(p.numel() for p in model.parameters())
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, original[key], rtol=0, atol=0)
    # Nothing dead is left between two layers compact() may join.
    assert compact(small)[0].weight.shape == small[0].weight.shape


def test_compact_folds_a_silent_neuron_into_the_next_bias():
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2)).double()
    with torch.no_grad():
        model[0].weight[1] = 0
        model[0].bias[1] = 0.7  # neuron 1 outputs sigmoid(0.7) whatever x is
    small = compact(model)
    assert small[0].out_features == 3
    x = torch.randn(6, 3, dtype=torch.float64)
    torch.testing.assert_close(small(x), model(x), rtol=0, atol=1e-12)


def test_compact_keeps_a_constant_channel_that_meets_zero_padding():
    model = nn.Sequential(
        nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Conv2d(3, 2, 3, padding=1)
    ).double()
    with torch.no_grad():
        model[0].weight[0] = 0
        model[0].bias[0] = 0.5  # relu(0.5) != 0: not a constant after padding
        model[0].weight[1] = 0
        model[0].bias[1] = -0.5  # relu(-0.5) == 0: removable
    small = compact(model)
    assert small[0].out_channels == 2
    x = torch.randn(2, 1, 7, 7, dtype=torch.float64)
    torch.testing.assert_close(small(x), model(x), rtol=0, atol=1e-12)


def test_compact_leaves_layers_around_an_unknown_module_alone():
    model = nn.Sequential(
        nn.Linear(3, 4), nn.Sequential(nn.ReLU()), nn.Linear(4, 2)
    ).double()
    with torch.no_grad():
        model[0].weight[:2] = 0
    small = compact(model)
    assert small[0].out_features == 4
    x = torch.randn(5, 3, dtype=torch.float64)
    torch.testing.assert_close(small(x), model(x), rtol=0, atol=0)


def test_compact_reads_torch_pruning_masks():
    model = _net()
    prune.custom_from_mask(
        model[0], "weight", torch.tensor([[1.0] * 6, [0.0] * 6] * 2 + [[1.0] * 6])
    )
    small = compact(model)
    assert small[0].out_features == 3
    x = torch.randn(4, 6, dtype=torch.float64)
    torch.testing.assert_close(small(x), model(x), rtol=0, atol=1e-12)


def test_group_l1_on_conv_channels_then_compact():
    """Structured pruning of conv channels end to end, with a sparse-group term."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.ReLU(),
        nn.Conv2d(8, 6, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(6 * 4 * 4, 3),
    ).double()
    convs = [model[0].weight]
    opt = ProxSGD(model.parameters(), SparseGroupL1(0.01, l1_ratio=0.2), convs, lr=0.1)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(32, 1, 8, 8, generator=g, dtype=torch.float64)
    y = torch.randint(3, (32,), generator=g)

    def epoch():
        for _ in range(20):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

    SparsityController(model, opt, epoch, target_groups=4, n_bisect=10).run()
    live = int(SparseGroupL1(1.0).groups(model[0].weight).sum())
    assert live == 4
    assert (model[0].weight[model[0].weight != 0].numel()) < 9 * live  # l1 part
    small = compact(model)
    assert (small[0].out_channels, small[2].out_channels) == (live, 6)
    torch.testing.assert_close(small(x), model(x), rtol=0, atol=1e-12)


# ------------------------------------------------- reports and export


def test_report_counts_and_flops():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5)
    )
    with torch.no_grad():
        model[0].weight[0] = 0
        model[3].weight[:, :50] = 0
        model[3].bias[0] = 0
    report = sparsity_report(model, example_input=torch.zeros(2, 1, 8, 8))
    conv, linear = report.layers
    assert (conv.n_zero, conv.n_live_neurons, conv.flops) == (9, 3, 2 * 27 * 36)
    assert conv.dense_flops == 2 * 36 * 36
    assert (linear.n_zero, linear.flops) == (250, 2 * (720 - 250))
    n_params = 36 + 4 + 720 + 5
    assert (report.n_params, report.n_nonzero_params) == (n_params, n_params - 260)
    assert report.sparsity == pytest.approx(259 / 756)
    assert sparsity_report(model).flops is None  # conv size unknown without input
    assert "total: 34.3% of 756 weights" in str(report)


def test_sparse_export_round_trip_and_size():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(50, 40), nn.ReLU(), nn.Linear(40, 3))
    prune.l1_unstructured(model[0], "weight", amount=0.95)
    state = sparse_state_dict(model)
    assert state["0.weight"].layout == torch.sparse_coo
    assert state["2.weight"].layout == torch.strided  # dense is smaller there
    sizes = []
    for s in (state, model.state_dict()):
        buffer = io.BytesIO()
        torch.save(s, buffer)
        sizes.append(buffer.tell())
    assert sizes[0] < 0.5 * sizes[1]
    fresh = nn.Sequential(nn.Linear(50, 40), nn.ReLU(), nn.Linear(40, 3))
    load_sparse_state_dict(fresh, state)
    x = torch.randn(7, 50)
    torch.testing.assert_close(fresh(x), model(x), rtol=0, atol=0)
    assert prune.is_pruned(model)  # the model itself is left as it was


def test_selected_inputs_reads_conv_channels():
    conv = nn.Conv2d(3, 4, 3)
    with torch.no_grad():
        conv.weight[:, 1] = 0
    assert selected_inputs(nn.Sequential(conv)).tolist() == [0, 2]


# ---------------------------------------------------------- controller


def _regression(seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(200, 20, generator=g, dtype=torch.float64)
    y = X[:, :4] @ torch.tensor([2.0, -2.0, 1.5, 1.0], dtype=torch.float64)
    return X, y + 0.1 * torch.randn(200, generator=g, dtype=torch.float64)


@pytest.mark.parametrize(
    "penalty, target",
    [
        (L1(1e-3), {"target_sparsity": 0.7}),
        (GroupL1(1e-3, over="in"), {"target_groups": 6}),
    ],
)
def test_controller_lands_on_the_target(penalty, target):
    X, y = _regression()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    opt = ProxAdamW(
        model.parameters(), penalty=penalty, penalized=[model[0].weight], lr=0.02
    )

    def epoch():
        for start in range(0, 200, 50):
            opt.zero_grad()
            (
                (model(X[start : start + 50])[:, 0] - y[start : start + 50]) ** 2
            ).mean().backward()
            opt.step()

    controller = SparsityController(
        model, opt, epoch, factor=2.0, tol=0.02, epochs_per_alpha=10, **target
    ).run()
    alphas = [p.alpha for p in controller.path_]
    point = controller.point_
    if "target_groups" in target:
        assert point.n_groups == 6
        assert len(selected_inputs(model)) == 6
    else:
        assert 0.7 <= point.sparsity <= 0.72
        assert float((model[0].weight == 0).double().mean()) == point.sparsity
    assert opt.penalties[0].alpha == controller.alpha_ == point.alpha
    # Geometric growth from the start, then bisection inside the last interval.
    assert alphas[0] == 1e-3 and alphas[1] == 2e-3
    assert min(alphas) == 1e-3


def test_controller_keeps_the_point_nearest_the_target():
    """A path that is not monotone in alpha: the nearest point past it wins."""
    layer = nn.Linear(10, 1, bias=False)
    opt = ProxSGD(layer.parameters(), L1(1.0), lr=0.1)

    def n_live(alpha):
        for upper, n in ((1.5, 10), (2.05, 8), (2.5, 1), (3.0, 3)):
            if alpha < upper:
                return n
        return 2

    def epoch():  # "training" that leaves n_live(alpha) weights non-zero
        with torch.no_grad():
            layer.weight.zero_()
            layer.weight[0, : n_live(opt.penalties[0].alpha)] = 1.0

    with pytest.warns(UserWarning, match=r"3 groups kept \(target 5\)"):
        controller = SparsityController(
            layer, opt, epoch, target_groups=5, factor=2.0, n_bisect=4
        ).run()
    path = [(round(p.alpha, 3), p.n_groups) for p in controller.path_]
    assert path[:3] == [(1.0, 10), (2.0, 8), (4.0, 2)]
    assert path[3] == (2.828, 3) and (2.378, 1) in path
    assert controller.point_.n_groups == 3
    assert controller.alpha_ == pytest.approx(2**1.5)
    assert int((layer.weight != 0).sum()) == 3  # the state of that point
    assert opt.penalties[0].alpha == controller.alpha_


def test_import_sparsefit_does_not_import_torch():
    code = "import sys, sparsefit; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
