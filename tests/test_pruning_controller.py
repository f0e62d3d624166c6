"""SparsityController: the alpha it reports is the penalty's own, and it says
so when it cannot land on its target."""

import warnings

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from sparsefit.pruning import L1, ProxSGD, SparsityController  # noqa: E402


def _fake(n_live, alpha0=1.0, size=10):
    """A layer whose "training" leaves ``n_live(alpha)`` weights non-zero."""
    layer = nn.Linear(size, 1, bias=False)
    opt = ProxSGD(layer.parameters(), L1(alpha0), lr=0.1)

    def epoch():
        with torch.no_grad():
            layer.weight.zero_()
            layer.weight[0, : n_live(opt.penalties[0].alpha)] = 1.0

    return layer, opt, epoch


def test_alpha_is_the_penalty_alpha_itself():
    # 0.1 * 0.1 / 0.1 is 0.10000000000000002: the ratio must not be applied
    # to the first penalty.
    layer, opt, epoch = _fake(lambda a: 4 if a < 0.12 else 1, alpha0=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        controller = SparsityController(layer, opt, epoch, target_groups=4).run()
    assert controller.alpha_ == 0.1
    assert opt.penalties[0].alpha == controller.alpha_
    assert controller.on_target_


def test_warns_when_the_first_alpha_already_passes_the_target():
    layer, opt, epoch = _fake(lambda a: 5)  # sparsity 0.5 from the start
    with pytest.warns(UserWarning, match=r"already passes the target: sparsity "):
        controller = SparsityController(layer, opt, epoch, target_sparsity=0.3).run()
    assert controller.point_.sparsity == 0.5
    assert not controller.on_target_
    with pytest.warns(UserWarning, match=r"sparsity 0.5000 \(target 0.3, tol 0.005"):
        SparsityController(layer, opt, epoch, target_sparsity=0.3).run()


def test_warns_when_the_search_ends_outside_tol():
    # Sparsity jumps from 0 to 0.9 + 1/... : no alpha lands within tol.
    def n_live(alpha):
        return 100 if alpha < 3.0 else 9

    layer, opt, epoch = _fake(n_live, size=100)
    with pytest.warns(UserWarning, match=r"ended off the target: sparsity 0.9100"):
        controller = SparsityController(
            layer, opt, epoch, target_sparsity=0.9, factor=2.0, n_bisect=3
        ).run()
    assert controller.point_.sparsity == pytest.approx(0.91)
    assert not controller.on_target_


def test_no_warning_on_target():
    layer, opt, epoch = _fake(lambda a: 10 if a < 3.0 else 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        controller = SparsityController(
            layer, opt, epoch, target_groups=3, factor=2.0
        ).run()
    assert controller.on_target_ and controller.point_.n_groups == 3
