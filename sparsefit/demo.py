"""``python -m sparsefit.demo``: a certified lasso on the prostate data.

Follows ESL section 3.4: predictors standardised over all 97 men, models fitted
on the 67 training rows, prediction error measured on the 30 test rows.
"""

import time

import numpy as np

from . import Lasso
from .datasets import load_prostate


def _standardise(X):
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)


def main():
    start = time.perf_counter()
    data = load_prostate()
    X, y, train = _standardise(data.X), data.y, data.train
    test = ~train
    print("sparsefit demo: lasso on the prostate cancer data (Stamey et al. 1989)")
    print(
        f"  {train.sum()} training and {test.sum()} test men, {X.shape[1]} "
        f"standardised predictors, target {data.target_name}\n"
    )
    print(f"  {'alpha':>7} {'non-zero':>8} {'test MSE':>9} {'duality gap':>12}")
    fits = {}
    for alpha in (0.0, 0.02, 0.1, 0.2, 0.4):
        model = Lasso(alpha=alpha, tol=1e-10).fit(X[train], y[train])
        mse = float(np.mean((model.predict(X[test]) - y[test]) ** 2))
        fits[alpha] = model
        print(
            f"  {alpha:>7.2f} {np.count_nonzero(model.coef_):>8d} {mse:>9.3f} "
            f"{model.dual_gap_:>12.1e}"
        )
    print("  (alpha = 0 is least squares: ESL Table 3.3 reports test error 0.521)\n")
    model = fits[0.2]
    explanation = model.explain(X[train], y[train])
    names = data.feature_names
    print(
        f"At alpha = {model.alpha}: certified gap {model.dual_gap_:.1e} "
        f"(<= tol * P(w) = {model.solver_result_.tol_abs:.1e}), "
        f"KKT violation {model.kkt_violation_:.1e}, intercept {model.intercept_:.3f}"
    )
    print(
        f"  {'feature':>8} {'coef':>8} {'pull':>7} {'penalty':>8} {'enters at':>9}  why"
    )
    order = np.argsort(
        -np.nan_to_num(explanation.path_entry_alpha, nan=0.0)
        - explanation.entry_alpha * (model.coef_ == 0)
    )
    for j in order:
        if model.coef_[j] != 0:
            why = "kept: its pull equals the penalty (on the kink's edge)"
            enters = explanation.path_entry_alpha[j]
        else:
            why = (
                f"dropped: pull {explanation.pull[j]:.3f} < penalty "
                f"{explanation.penalty[j]:.3f} ({explanation.status[j]})"
            )
            enters = explanation.entry_alpha[j]
        print(
            f"  {names[j]:>8} {model.coef_[j]:>8.3f} {explanation.pull[j]:>7.3f} "
            f"{explanation.penalty[j]:>8.3f} {enters:>9.3f}  {why}"
        )
    print(
        f"\n('enters at': the largest alpha at which the feature is non-zero; "
        f"done in {time.perf_counter() - start:.1f} s)"
    )


if __name__ == "__main__":
    main()
