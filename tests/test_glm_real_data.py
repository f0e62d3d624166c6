"""The GLM families on real data: digits (10-class multinomial) and the Golub
leukemia data (p >> n binary).  The measured figures are printed (pytest -s)."""

import numpy as np
import pytest

from sparsefit import SparseLogisticRegression, SparseLogisticRegressionCV
from sparsefit.datasets import load_golub


@pytest.mark.parametrize("multinomial", ["ungrouped", "grouped"])
def test_digits_multinomial_cv_is_sparse_and_accurate(multinomial):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    model = SparseLogisticRegressionCV(
        cv=5, n_alphas=20, multinomial=multinomial, standardize=True
    ).fit(Xtr, ytr)
    acc = model.score(Xte, yte)
    pixels = int((model.coef_ != 0).any(axis=0).sum())
    nnz = int(np.count_nonzero(model.coef_))
    print(
        f"digits, {multinomial}: alpha_min {model.alpha_min_:.3g}, held-out "
        f"accuracy {acc:.3f}, {nnz} of 640 coefficients, {pixels} of 64 pixels"
    )
    assert acc >= 0.93
    assert nnz < 640
    assert model.dual_gap_ <= model.solver_result_.tol_abs
    assert (model.path_.dual_gaps <= model.path_.gap_tols).all()
    if multinomial == "grouped":
        assert ((model.coef_ != 0) == (model.coef_ != 0).any(axis=0)).all()


def test_golub_repeated_cv_accuracy_and_genes():
    """Three repetitions of stratified 3-fold CV of the whole procedure (the
    inner CV picks alpha on the training part only)."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    data = load_golub()
    X, y = data.X, data.y.astype(int)
    correct, total, sizes = 0, 0, []
    outer = RepeatedStratifiedKFold(n_splits=3, n_repeats=3, random_state=0)
    for train, test in outer.split(X, y):
        model = SparseLogisticRegressionCV(cv=5, n_alphas=30, standardize=True)
        model.fit(X[train], y[train])
        correct += int((model.predict(X[test]) == y[test]).sum())
        total += test.size
        sizes.append(int(np.count_nonzero(model.coef_)))
    accuracy = correct / total
    full = SparseLogisticRegressionCV(cv=5, n_alphas=30, standardize=True).fit(X, y)
    genes = [data.feature_names[j] for j in np.flatnonzero(full.coef_[0])]
    print(
        f"golub: repeated-CV accuracy {accuracy:.3f} ({correct}/{total}), "
        f"genes kept per fit {min(sizes)}-{max(sizes)}; on all 38: "
        f"{len(genes)} genes {genes[:12]}"
    )
    assert accuracy >= 0.9
    assert 0 < len(genes) < 100
    assert full.dual_gap_ <= full.solver_result_.tol_abs


def test_golub_explain_names_the_kept_genes():
    data = load_golub()
    model = SparseLogisticRegression(alpha=0.05, standardize=True).fit(
        data.X, data.y.astype(int)
    )
    ex = model.explain()
    active = ex.coef != 0
    assert active.any()
    np.testing.assert_allclose(ex.pull[active], ex.penalty[active], rtol=1e-3)
    assert (ex.pull[~active] <= ex.penalty[~active] * (1 + 1e-6)).all()
