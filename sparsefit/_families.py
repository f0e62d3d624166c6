"""The GLM families by name: their datafit, how the target is encoded, and
the held-out deviance.

========== ================ ===================== ==========================
family     datafit          target                ``predict(kind="response")``
========== ================ ===================== ==========================
gaussian   Quadratic        real                  the mean
binomial   Logistic         two labels (-1/+1)    P(classes[1])
multinomial Multinomial     K labels (one-hot)    the K class probabilities
poisson    Poisson          counts >= 0           exp(link)
huber      Huber            real                  the linear predictor
cox        Cox              (time, event)         the relative risk exp(link)
========== ================ ===================== ==========================

How a family's target is read is the datafit's ``target`` ("real",
"counts", "binary", "classes", "survival"), not its name.  A survival
target is a 2-column (time, event) array as glmnet's ``Surv``, a 3-column
(start, stop, event) array, a structured array with an event and a time
field as scikit-survival's, or :func:`sparsefit.datafits.survival_target`'s
output (strata and entry times).
"""

import numpy as np

from ._validation import check_finite
from .datafits import Cox, Huber, Logistic, Multinomial, Poisson, Quadratic
from .datafits._cox import encode_survival

__all__ = ["FAMILIES", "family_name", "encode_target", "deviance"]

FAMILIES = {
    "gaussian": Quadratic,
    "binomial": Logistic,
    "multinomial": Multinomial,
    "poisson": Poisson,
    "huber": Huber,
    "cox": Cox,
}


def family_name(datafit):
    for name, cls in FAMILIES.items():
        if isinstance(datafit, cls):
            return name
    raise ValueError(
        f"datafit must be one of {[c.__name__ for c in FAMILIES.values()]}; "
        f"got {type(datafit).__name__}."
    )


def encode_target(family, y, n_samples, classes=None):
    """Return ``(encoded y, classes)`` for ``family``.

    Labels may be of any type for the binomial and multinomial families;
    ``classes`` fixes the label set (as cross-validation folds need).
    """
    kind = FAMILIES[family].target if family in FAMILIES else "classes"
    if kind == "survival":
        return encode_survival(y, n_samples), None
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} rows but y has {y.shape[0]} (mismatched lengths)."
        )
    if kind in ("real", "counts"):
        what = "counts" if kind == "counts" else "values"
        try:
            y = y.astype(float)
        except (TypeError, ValueError):
            raise ValueError(
                f"y must be numeric {what} for the {family.capitalize()} family."
            ) from None
        check_finite(y, "y")
        bad = np.flatnonzero(y < 0) if kind == "counts" else []
        if len(bad):
            raise ValueError(
                f"y must be non-negative for the {family.capitalize()} family; row "
                f"{bad[0]} is "
                f"{y[bad[0]]!r}."
            )
        return y, None
    if y.dtype.kind == "f":
        check_finite(y, "y")
    if y.dtype.kind == "O":
        if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in y):
            raise ValueError("y contains missing labels (None or NaN).")
    if classes is None:
        classes = np.unique(y)
    else:
        classes = np.asarray(classes)
        unknown = ~np.isin(y, classes)
        if unknown.any():
            raise ValueError(f"y holds a label not in classes: {y[unknown][0]!r}.")
    if kind == "binary":
        if classes.shape[0] != 2:
            raise ValueError(
                f"The binomial family needs exactly two classes in y; got "
                f"{classes.shape[0]} ({classes[:5].tolist()}). Use "
                "family='multinomial' for more."
            )
        return np.where(y == classes[1], 1.0, -1.0), classes
    if classes.shape[0] < 2:
        raise ValueError(
            f"y needs at least two classes; got {classes.shape[0]} "
            f"({classes.tolist()})."
        )
    index = np.searchsorted(classes, y)
    return np.eye(classes.shape[0])[index], classes


def deviance(datafit_cls, y, link, sample_weight=None):
    """Mean held-out deviance ``2 F`` of the family at each alpha.

    ``link`` has shape (n, n_alphas), or (n, K, n_alphas) for the multinomial.
    """
    fit = datafit_cls(sample_weight)
    return np.array([2.0 * fit.value(y, link[..., k]) for k in range(link.shape[-1])])
