"""Prune an MLP on the digits: accuracy against exact sparsity, three ways.
========================================================================

Proximal L1 (single weights), proximal group L1 (whole hidden neurons, then
``compact``) and magnitude pruning (``torch.nn.utils.prune.l1_unstructured``)
of the dense network, each followed by the same fine-tuning with the zeros
held, all by SGD with momentum. Sparsity is the share of the dense network's
50,432 weights that are exactly zero or removed by ``compact``.

Run: ``.venv/bin/python examples/pruning_digits.py [--out DIR]`` (writes
``pruning_digits.png`` into DIR, by default ``sparsefit-examples/pruning_digits``;
about a minute on one CPU core). Needs the torch and plot extras.
"""

import argparse
import copy
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils import prune  # noqa: E402

from sparsefit.pruning import (  # noqa: E402
    L1,
    GroupL1,
    ProxSGD,
    compact,
    hold_zeros,
    sparsity_report,
)

EPOCHS, FINE_TUNE, LR, MOMENTUM = 60, 20, 0.05, 0.9
torch.set_num_threads(1)


def output_folder(name):
    """``--out`` (default ``sparsefit-examples/NAME`` in the current folder),
    created if missing."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=Path("sparsefit-examples", name),
        help="folder for the figures, created if missing (default: %(default)s)",
    )
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    return out


def load():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    mean, scale = X_tr.mean(0), X_tr.std(0) + 1.0
    tensor = lambda a: torch.tensor((a - mean) / scale, dtype=torch.float32)  # noqa: E731
    return tensor(X_tr), torch.tensor(y_tr), tensor(X_te), torch.tensor(y_te)


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(64, 256),
        nn.ReLU(),
        nn.Linear(256, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


def train(model, optimizer, data, epochs, seed=0):
    X, y = data[0], data[1]
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), 64):
            idx = order[start : start + 64]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
            optimizer.step()


def sgd(model):
    return torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)


def fine_tune_and_score(model, data, masked_by_torch=False):
    opt = sgd(model)
    train(model, opt if masked_by_torch else hold_zeros(opt), data, FINE_TUNE, 1)
    small = compact(model)
    with torch.no_grad():
        accuracy = float((small(data[2]).argmax(1) == data[3]).float().mean())
    report = sparsity_report(small)
    return 1 - (report.n_weights - report.n_zero) / N_WEIGHTS, 100 * accuracy


def proximal(data, penalty, hidden_only):
    model = mlp()
    penalized = [model[0].weight, model[2].weight] if hidden_only else None
    optimizer = ProxSGD(
        model.parameters(), penalty, penalized, lr=LR, momentum=MOMENTUM
    )
    train(model, optimizer, data, EPOCHS)
    return fine_tune_and_score(model, data)


def magnitude(dense, data, amount):
    model = copy.deepcopy(dense)
    for layer in (model[0], model[2], model[4]):
        prune.l1_unstructured(layer, "weight", amount=amount)
    return fine_tune_and_score(model, data, masked_by_torch=True)


out = output_folder("pruning_digits")  # before the training: a bad --out fails now
data = load()
dense = mlp()
train(dense, sgd(dense), data, EPOCHS)
N_WEIGHTS = sparsity_report(dense).n_weights
dense_acc = fine_tune_and_score(copy.deepcopy(dense), data, masked_by_torch=True)[1]
curves = {
    "proximal L1 (ProxSGD)": [
        proximal(data, L1(a), False) for a in (1e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2)
    ],
    "proximal group L1 on hidden neurons, compacted": [
        proximal(data, GroupL1(a), True) for a in (2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2)
    ],
    "magnitude pruning (l1_unstructured per layer)": [
        magnitude(dense, data, a) for a in (0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99)
    ],
}
fig, ax = plt.subplots(figsize=(6.5, 4.2))
for (name, points), marker in zip(curves.items(), "osd", strict=True):
    points = sorted(points)
    remaining = [100 * (1 - s) for s, _ in points]
    ax.plot(remaining, [a for _, a in points], marker=marker, label=name)
    for sparsity, acc in points:
        print(f"{name}: {sparsity:.2%} of the weights zero or removed, {acc:.2f}%")
ax.axhline(dense_acc, color="grey", ls="--", lw=1, label=f"dense ({dense_acc:.1f}%)")
ax.set(
    xscale="log",
    xlabel="weights left non-zero (% of the 50,432 dense weights; log scale)",
    ylabel="test accuracy (%)",
    title="MLP 64-256-128-10 on digits, SGD, fine-tuned 20 epochs",
    ylim=(max(0, min(a for c in curves.values() for _, a in c) - 2), 100),
)
ax.invert_xaxis()  # sparser to the right
ax.set_xticks([50, 20, 10, 5, 2, 1, 0.5])
ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
ax.legend(fontsize=8, loc="lower left")
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(out / "pruning_digits.png", dpi=120)
print(f"dense: {dense_acc:.2f}%; figure in {out / 'pruning_digits.png'}")
