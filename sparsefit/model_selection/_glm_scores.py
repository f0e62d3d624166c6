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
    if FAMILIES[family].target == "survival":
        return _survival_scorer(scoring)

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


def _survival_scorer(scoring):
    """Harrell's C-index on the held-out fold, or glmnet's grouped deviance.

    The partial likelihood of a held-out fold alone compares few risk sets;
    glmnet's ``type.measure="deviance"`` (Verweij and van Houwelingen 1993)
    scores the training fit by what the held-out samples add to the whole
    data's partial likelihood, ``D(all) - D(train)``, per held-out event.
    A scorer with ``grouped`` is given the whole data by the CV runner.
    """
    from ..datafits._cox import concordance_index, encode_survival

    if scoring == "c_index":

        def c_index(y, link, sw, path):
            y = encode_survival(y, link.shape[0])
            return np.array(
                [concordance_index(y, link[:, k], sw) for k in range(link.shape[1])]
            )

        return c_index, True

    def deviance_per_event(y, link, sw, train, test, datafit):
        n = link.shape[0]
        s = np.ones(n) if sw is None else np.asarray(sw, dtype=float)
        full, part = datafit.with_weights(s), datafit.with_weights(s[train])
        y_train = y[train]
        events = float(s[test] @ y["event"][test])
        if not events > 0:
            return np.full(link.shape[1], np.nan)
        # 2 n F is the deviance of the weights as given (F is a mean).
        d_all = 2 * n * full.values(y, link)
        d_train = 2 * train.size * part.values(y_train, link[train])
        return (d_all - d_train) / events

    def unused(y, link, sw, path):  # the CV runner calls ``grouped``
        raise NotImplementedError

    unused.grouped = deviance_per_event
    return unused, False
