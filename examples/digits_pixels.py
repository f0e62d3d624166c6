"""Which pixels does the L1 multinomial keep to tell the ten digits apart?
=======================================================================

Cross-validates the grouped multinomial (a pixel is kept for every class or
for none) on scikit-learn's 8 x 8 digits, reports the held-out accuracy and
the number of pixels kept, and draws the kept pixels and each class's
coefficients.

Run: ``.venv/bin/python examples/digits_pixels.py [--out DIR]`` (writes
digits_pixels.png into DIR, by default ``sparsefit-examples/digits_pixels``).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from sparsefit import SparseLogisticRegressionCV  # noqa: E402


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


out = output_folder("digits_pixels")
X, y = load_digits(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
model = SparseLogisticRegressionCV(
    cv=5, n_alphas=30, multinomial="grouped", standardize=True, selection="1se"
).fit(Xtr, ytr)
kept = (model.coef_ != 0).any(axis=0)
print(
    f"grouped multinomial, alpha_1se = {model.alpha_:.3g}: held-out accuracy "
    f"{model.score(Xte, yte):.3f} with {kept.sum()} of 64 pixels; certified "
    f"gap {model.dual_gap_:.1e}"
)

fig, axes = plt.subplots(2, 6, figsize=(12, 5.0))
axes[0, 0].imshow(kept.reshape(8, 8), cmap="Greys")
axes[0, 0].set_title(f"{kept.sum()} pixels kept")
axes[1, 0].imshow(X.mean(axis=0).reshape(8, 8), cmap="Greys")
axes[1, 0].set_title("mean image")
limit = np.abs(model.coef_).max()
for k, ax in enumerate(axes[:, 1:].ravel()):
    ax.imshow(model.coef_[k].reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"class {model.classes_[k]}")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("L1 multinomial on the digits: kept pixels and coefficients")
fig.tight_layout()
fig.savefig(out / "digits_pixels.png", dpi=110)
