"""Acceptance on scikit-learn's digits: exact zeros by proximal steps.

Fixed seeds (the split and the initialisation), one CPU thread; run with
``-s`` to see the measured figures. The MLP 64-256-128-10 is trained by SGD
with momentum (lr 0.05, 60 epochs of mini-batches of 64) and fine-tuned for
20 more epochs, dense or sparse alike; on a test set of 450 digits one point
of accuracy is 4.5 images, so the comparison with magnitude pruning is made
on the mean over five splits.
"""

import copy
import functools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils import prune  # noqa: E402

from sparsefit.pruning import (  # noqa: E402
    L1,
    GroupL1,
    ProxAdamW,
    ProxSGD,
    SparsityController,
    compact,
    hold_zeros,
    selected_inputs,
    sparsity_report,
)

EPOCHS, FINE_TUNE, LR, MOMENTUM = 60, 20, 0.05, 0.9
SEEDS = range(5)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@functools.cache
def digits(seed=0):
    """Standardised train/test split (75/25, stratified) of the digits."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y
    )
    mean, scale = X_train.mean(0), X_train.std(0) + 1.0
    as_tensor = lambda a: torch.tensor((a - mean) / scale, dtype=torch.float32)  # noqa: E731
    return (
        as_tensor(X_train),
        torch.tensor(y_train),
        as_tensor(X_test),
        torch.tensor(y_test),
    )


def mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(64, 256),
        nn.ReLU(),
        nn.Linear(256, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


def train(model, optimizer, data, epochs, seed=0, extra_loss=None, batch=64):
    X, y = data[0], data[1]
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch):
            idx = order[start : start + batch]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(X[idx]), y[idx])
            if extra_loss is not None:
                loss = loss + extra_loss(model)
            loss.backward()
            optimizer.step()
    return model


@torch.no_grad()
def accuracy(model, data):
    return 100 * float((model(data[2]).argmax(1) == data[3]).float().mean())


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def sgd(model):
    return torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)


def fine_tune(model, data, masked_by_torch=False, optimizer=sgd):
    """FINE_TUNE epochs with the zeros held (by our projection or torch's masks)."""
    base = optimizer(model)
    return train(
        model, base if masked_by_torch else hold_zeros(base), data, FINE_TUNE, 1
    )


@functools.cache
def dense(seed=0):
    """The dense network and its test accuracy."""
    model = mlp(seed)
    train(model, sgd(model), digits(seed), EPOCHS)
    return model, accuracy(model, digits(seed))


def prox_sgd(model, penalty, penalized=None):
    return ProxSGD(
        model.parameters(),
        lr=LR,
        momentum=MOMENTUM,
        penalty=penalty,
        penalized=penalized,
    )


def magnitude_pruned(seed, sparsity, how):
    """The dense network pruned by torch to ``sparsity``, then fine-tuned."""
    model = copy.deepcopy(dense(seed)[0])
    if how == "per layer":
        for layer in linears(model):
            prune.l1_unstructured(layer, "weight", amount=sparsity)
    else:
        prune.global_unstructured(
            [(layer, "weight") for layer in linears(model)],
            pruning_method=prune.L1Unstructured,
            amount=sparsity,
        )
    fine_tune(model, digits(seed), masked_by_torch=True)
    return sparsity_report(model).sparsity, accuracy(model, digits(seed))


def test_unstructured_l1_within_a_point_of_dense_and_beats_magnitude_pruning():
    rows = []
    for seed in SEEDS:
        data, (_, dense_acc) = digits(seed), dense(seed)
        model = mlp(seed)
        train(model, prox_sgd(model, L1(5e-3)), data, EPOCHS)
        report = sparsity_report(model)
        fine_tune(model, data)
        assert sparsity_report(model).n_zero == report.n_zero  # zeros held
        per_layer = magnitude_pruned(seed, report.sparsity, "per layer")
        global_ = magnitude_pruned(seed, report.sparsity, "global")
        for sparsity, _ in (per_layer, global_):
            assert sparsity == pytest.approx(report.sparsity, abs=1e-4)
        rows.append((dense_acc, report.sparsity, accuracy(model, data)))
        rows[-1] += (per_layer[1], global_[1])
        if seed == 0:
            print(f"\nseed 0, proximal L1 before fine-tuning:\n{report}")
    print(
        "seed  dense  | proximal L1: zeros  accuracy | magnitude pruning: "
        "l1_unstructured per layer, global"
    )
    for seed, row in zip(SEEDS, rows, strict=True):
        print(
            f"{seed:<4}  {row[0]:.2f}  | {row[1]:>18.2%}  {row[2]:>8.2f} | "
            f"{row[3]:>43.2f}  {row[4]:.2f}"
        )
    mean = np.mean(rows, axis=0)
    print(
        f"mean  {mean[0]:.2f}  | {mean[1]:>18.2%}  {mean[2]:>8.2f} | "
        f"{mean[3]:>43.2f}  {mean[4]:.2f}"
    )
    for dense_acc, sparsity, prox_acc, _, _ in rows:
        assert sparsity >= 0.90
        assert prox_acc >= dense_acc - 1.0
    assert mean[2] >= mean[3]  # matches or beats l1_unstructured on average


def l1_of_weights(alpha):
    """The L1 penalty as a loss term, differentiated by autograd (a subgradient)."""
    return lambda m: alpha * sum(layer.weight.abs().sum() for layer in linears(m))


def test_subgradient_l1_in_the_loss_gives_no_exact_zero():
    """The same training, the penalty differentiated by autograd instead."""
    data, alpha, results = digits(0), 5e-3, {}
    for how in ("subgradient", "proximal"):
        model = mlp()
        if how == "subgradient":
            train(model, sgd(model), data, EPOCHS, extra_loss=l1_of_weights(alpha))
        else:
            train(model, prox_sgd(model, L1(alpha)), data, EPOCHS)
        w = torch.cat([layer.weight.detach().flatten() for layer in linears(model)])
        results[how] = (int((w == 0).sum()), float((w.abs() < 1e-3).float().mean()))
        print(
            f"\n{how}: {results[how][0]} of {w.numel()} weights exactly zero, "
            f"{results[how][1]:.1%} below 1e-3 in magnitude, "
            f"accuracy {accuracy(model, data):.2f}%"
        )
    assert results["subgradient"][0] == 0
    assert results["proximal"][0] >= 0.9 * w.numel()


def test_group_l1_removes_neurons_and_compact_keeps_outputs():
    data, (_, dense_acc) = digits(0), dense(0)
    model = mlp()
    hidden = [model[0].weight, model[2].weight]
    train(model, prox_sgd(model, GroupL1(3e-3), penalized=hidden), data, EPOCHS)
    fine_tune(model, data)
    acc = accuracy(model, data)
    small = compact(model)
    report, small_report = sparsity_report(model), sparsity_report(small)
    n_hidden = small[0].out_features + small[2].out_features
    with torch.no_grad():
        out = model(data[2])
        gap32 = float((small(data[2]) - out).abs().max() / out.abs().max())
        # Compaction is exact algebra; float32 only reorders the sums, so the
        # outputs are compared in float64, where rounding is far below 1e-6.
        model64 = copy.deepcopy(model).double()
        x64 = data[2].double()
        gap = float((compact(model64)(x64) - model64(x64)).abs().max())
    print(f"\n{report}\ncompacted:\n{small_report}")
    print(
        f"group L1: {384 - n_hidden} of 384 hidden neurons removed "
        f"({1 - n_hidden / 384:.1%}), accuracy {acc:.2f}% (dense {dense_acc:.2f}%); "
        f"compact(): {small_report.n_params} parameters instead of "
        f"{report.n_params}, max |output difference| {gap:.1e} in float64, "
        f"{gap32:.1e} relative in float32"
    )
    assert n_hidden <= 0.5 * 384
    assert acc >= dense_acc - 1.5
    assert small_report.n_params < report.n_params
    assert gap <= 1e-6
    assert gap32 <= 1e-6
    assert accuracy(small, data) == acc


def adam(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3)


@pytest.mark.parametrize("n_pixels", [16, 32])
def test_input_selection(n_pixels):
    """Group L1 on the first layer's columns (LassoNet's idea), with Adam."""
    data, model = digits(0), mlp()
    optimizer = ProxAdamW(
        model.parameters(),
        lr=1e-3,
        penalty=GroupL1(1e-3, over="in"),
        penalized=[model[0].weight],
    )
    seeds = iter(range(1000))
    controller = SparsityController(
        model,
        optimizer,
        lambda: train(model, optimizer, data, 1, seed=next(seeds)),
        target_groups=n_pixels,
        factor=1.3,
        epochs_per_alpha=2,
    ).run()
    fine_tune(model, data, optimizer=adam)
    pixels = selected_inputs(model).tolist()
    acc = accuracy(model, data)
    print(
        f"\ninput selection: {len(pixels)} pixels at alpha={controller.alpha_:.3g} "
        f"({len(controller.path_)} path points), accuracy {acc:.2f}% after "
        f"fine-tuning; pixels (row, col): {[divmod(p, 8) for p in pixels]}"
    )
    assert len(pixels) == n_pixels
    unselected = np.setdiff1d(range(64), pixels)
    assert np.all(model[0].weight.detach().numpy()[:, unselected] == 0)
    assert acc >= {16: 85.0, 32: 94.0}[n_pixels]
