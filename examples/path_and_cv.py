"""Fit the whole lasso path once, choose alpha by 10-fold CV, look at both.
========================================================================

Run: ``.venv/bin/python examples/path_and_cv.py [--out DIR]`` (writes path.png
and cv.png into DIR, by default ``sparsefit-examples/path_and_cv``).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from sklearn.datasets import load_diabetes  # noqa: E402

from sparsefit import LassoCV, plot_cv, plot_path  # noqa: E402


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


out = output_folder("path_and_cv")
X, y = load_diabetes(return_X_y=True, as_frame=True)
model = LassoCV(cv=10, selection="1se").fit(X, y)
print(
    f"alpha_min = {model.alpha_min_:.4g}, alpha_1se = {model.alpha_1se_:.4g}; "
    f"refit at alpha_1se keeps {sum(model.coef_ != 0)} of {X.shape[1]} features, "
    f"certified relative gap {model.dual_gap_ / model.solver_result_.primal:.1e}"
)
path = model.path_
print(
    f"worst certified gap over the path, relative to tol * P(0): "
    f"{max(path.dual_gaps / path.gap_tols):.2f}"
)
ax = plot_path(model.path_, title="lasso path, diabetes")
ax.figure.savefig(out / "path.png", dpi=120)
ax = plot_cv(model.cv_results_[0], title="10-fold CV, diabetes")
ax.figure.savefig(out / "cv.png", dpi=120)
print(model.explain())
