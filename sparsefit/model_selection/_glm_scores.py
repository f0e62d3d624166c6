"""Held-out scores of GLM paths: deviance, accuracy, AUC, errors of the mean.

Each scorer takes ``(y, link, sample_weight, path)`` with ``link`` the
held-out linear predictor at every alpha, shape (n, n_alphas) or
(n, K, n_alphas), and returns one score per alpha.
"""

import numpy as np

from .._families import FAMILIES, deviance, encode_target

__all__ = ["glm_scorer", "GLM_SCORINGS"]

#: The scorings each family's datafit offers.
GLM_SCORINGS = {
    name: cls.scorings for name, cls in FAMILIES.items() if name != "gaussian"
}


def glm_scorer(family, scoring):
    """Return ``(scorer, greater_is_better)``."""
    if scoring not in GLM_SCORINGS[family]:
        raise ValueError(
            f"scoring must be one of {list(GLM_SCORINGS[family])} for the {family} "
            f"family, got {scoring!r}."
        )

    def score(y, link, sw, path):
        from .. import path as path_module

        n = link.shape[0]
        y_enc = encode_target(family, y, n, path.classes)[0]
        if scoring == "deviance":
            weights = None if sw is None else sw * n / sw.sum()
            return deviance(FAMILIES[family], y_enc, link, weights)
        response = path_module._transform(
            family, path.classes, link if link.ndim == 3 else link[:, None], "response"
        )
        if scoring == "accuracy":
            labels = path_module._transform(
                family,
                path.classes,
                link if link.ndim == 3 else link[:, None],
                "class",
            )
            return np.average(labels == np.asarray(y)[:, None], axis=0, weights=sw)
        if scoring == "roc_auc":
            return _auc(family, y_enc, response, sw)
        binary = FAMILIES[family].target == "binary"
        target = (y_enc > 0).astype(float) if binary else y_enc
        err = response - (target[..., None])
        err = err**2 if scoring == "mse" else np.abs(err)
        if err.ndim == 3:
            err = err.sum(axis=1)
        return np.average(err, axis=0, weights=sw)

    return score, scoring in ("accuracy", "roc_auc")


def _auc(family, y_enc, response, sw):
    from sklearn.metrics import roc_auc_score

    out = np.empty(response.shape[-1])
    for k in range(response.shape[-1]):
        if family == "binomial":
            truth = y_enc > 0
            if truth.all() or not truth.any():
                out[k] = np.nan
                continue
            out[k] = roc_auc_score(truth, response[:, k], sample_weight=sw)
        else:
            present = y_enc.sum(axis=0) > 0
            aucs = [
                roc_auc_score(y_enc[:, c], response[:, c, k], sample_weight=sw)
                for c in np.flatnonzero(present)
                if y_enc[:, c].min() == 0
            ]
            out[k] = np.mean(aucs) if aucs else np.nan
    return out
