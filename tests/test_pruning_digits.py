"""Acceptance on scikit-learn's digits: exact zeros by proximal steps.

Fixed seeds, one CPU thread; run with ``-s`` to see the measured figures.
"""

import copy

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
    SparsityController,
    compact,
    hold_zeros,
    selected_inputs,
    sparsity_report,
)

EPOCHS, FINE_TUNE, LR = 60, 20, 1e-3


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
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


def fine_tune(model, data, masked_by_torch=False):
    adam = torch.optim.Adam(model.parameters(), lr=LR)
    optimizer = adam if masked_by_torch else hold_zeros(adam)
    return train(model, optimizer, data, FINE_TUNE, seed=1)


@pytest.fixture(scope="module")
def dense(digits):
    model = mlp()
    train(model, torch.optim.Adam(model.parameters(), lr=LR), digits, EPOCHS)
    return model, accuracy(model, digits)


def test_unstructured_l1_beats_magnitude_pruning(digits, dense):
    dense_model, dense_acc = dense
    model = mlp()
    optimizer = ProxAdamW(model.parameters(), lr=LR, penalty=L1(1e-3))
    train(model, optimizer, digits, EPOCHS)
    report = sparsity_report(model)
    fine_tune(model, digits)
    prox_acc = accuracy(model, digits)
    assert sparsity_report(model).n_zero == report.n_zero  # zeros held
    results = {}
    for how in ("per layer (l1_unstructured)", "global (L1Unstructured)"):
        pruned = copy.deepcopy(dense_model)
        if how.startswith("per layer"):
            for layer in linears(pruned):
                prune.l1_unstructured(layer, "weight", amount=report.sparsity)
        else:
            prune.global_unstructured(
                [(layer, "weight") for layer in linears(pruned)],
                pruning_method=prune.L1Unstructured,
                amount=report.sparsity,
            )
        fine_tune(pruned, digits, masked_by_torch=True)
        results[how] = (sparsity_report(pruned).sparsity, accuracy(pruned, digits))
    print(f"\n{report}")
    print(f"dense accuracy {dense_acc:.2f}%")
    print(
        f"proximal L1: {report.sparsity:.2%} exact zeros, accuracy {prox_acc:.2f}% "
        f"(after {FINE_TUNE} epochs of fine-tuning with the zeros held)"
    )
    for how, (sparsity, acc) in results.items():
        print(f"magnitude pruning {how}: {sparsity:.2%} zeros, accuracy {acc:.2f}%")
    assert report.sparsity >= 0.90
    assert prox_acc >= dense_acc - 1.0
    for sparsity, acc in results.values():
        assert sparsity == pytest.approx(report.sparsity, abs=1e-4)
        assert prox_acc >= acc


def l1_of_weights(alpha):
    """The L1 penalty as a loss term, differentiated by autograd (a subgradient)."""
    return lambda m: alpha * sum(layer.weight.abs().sum() for layer in linears(m))


def test_subgradient_l1_in_the_loss_gives_no_exact_zero(digits):
    alpha = 1e-3
    results = {}
    for how in ("subgradient", "proximal"):
        model = mlp()
        weights = [layer.weight for layer in linears(model)]
        if how == "subgradient":
            adam = torch.optim.Adam(model.parameters(), lr=LR)
            train(model, adam, digits, EPOCHS, extra_loss=l1_of_weights(alpha))
        else:
            optimizer = ProxAdamW(model.parameters(), lr=LR, penalty=L1(alpha))
            train(model, optimizer, digits, EPOCHS)
        w = torch.cat([w.detach().flatten() for w in weights])
        results[how] = (int((w == 0).sum()), float((w.abs() < 1e-3).float().mean()))
        print(
            f"\n{how}: {results[how][0]} of {w.numel()} weights exactly zero, "
            f"{results[how][1]:.1%} below 1e-3 in magnitude, "
            f"accuracy {accuracy(model, digits):.2f}%"
        )
    assert results["subgradient"][0] == 0
    assert results["proximal"][0] >= 0.9 * w.numel()


def test_group_l1_removes_neurons_and_compact_keeps_outputs(digits, dense):
    _, dense_acc = dense
    model = mlp()
    hidden = [model[0].weight, model[2].weight]
    optimizer = ProxAdamW(
        model.parameters(), lr=LR, penalty=GroupL1(1e-3), penalized=hidden
    )
    train(model, optimizer, digits, EPOCHS)
    fine_tune(model, digits)
    acc = accuracy(model, digits)
    small = compact(model)
    report, small_report = sparsity_report(model), sparsity_report(small)
    n_hidden = small[0].out_features + small[2].out_features
    with torch.no_grad():
        out = model(digits[2])
        gap32 = float((small(digits[2]) - out).abs().max() / out.abs().max())
        # Compaction is exact algebra; float32 only reorders the sums, so the
        # outputs are compared in float64, where rounding is far below 1e-6.
        model64 = copy.deepcopy(model).double()
        x64 = digits[2].double()
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
    assert accuracy(small, digits) == acc


@pytest.mark.parametrize("n_pixels", [16, 32])
def test_input_selection(digits, n_pixels):
    model = mlp()
    optimizer = ProxAdamW(
        model.parameters(),
        lr=LR,
        penalty=GroupL1(1e-3, over="in"),
        penalized=[model[0].weight],
    )
    seeds = iter(range(1000))
    controller = SparsityController(
        model,
        optimizer,
        lambda: train(model, optimizer, digits, 1, seed=next(seeds)),
        target_groups=n_pixels,
        factor=1.3,
        epochs_per_alpha=2,
    ).run()
    fine_tune(model, digits)
    pixels = selected_inputs(model).tolist()
    acc = accuracy(model, digits)
    print(
        f"\ninput selection: {len(pixels)} pixels at alpha={controller.alpha_:.3g} "
        f"({len(controller.path_)} path points), accuracy {acc:.2f}% after "
        f"fine-tuning; pixels (row, col): {[divmod(p, 8) for p in pixels]}"
    )
    assert len(pixels) == n_pixels
    # The same pixels feed every first-layer neuron and no other column moved.
    assert np.all(
        model[0].weight.detach().numpy()[:, np.setdiff1d(range(64), pixels)] == 0
    )
    assert acc >= {16: 85.0, 32: 94.0}[n_pixels]
