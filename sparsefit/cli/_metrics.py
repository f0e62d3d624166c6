"""Held-out metrics of a fitted model, by family."""

import numpy as np

from ._survival import survival_metrics, survival_summary

__all__ = ["test_metrics", "target_summary"]


def test_metrics(family, est, X, y, offset=None):
    """Scores of ``est`` on held-out rows ``X, y``.

    Gaussian: MSE, MAE and R^2; binomial and multinomial: accuracy, mean log
    loss and (two classes) the area under the ROC curve; Poisson: the mean
    Poisson deviance; Cox: Harrell's C-index and the partial-likelihood
    deviance per event.
    """
    from sklearn import metrics

    if family.name == "cox":
        return survival_metrics(est, X, y, offset)
    if family.classifier:
        proba = est.predict_proba(X)
        out = {
            "accuracy": float(metrics.accuracy_score(y, est.predict(X))),
            "log_loss": float(metrics.log_loss(y, proba, labels=est.classes_)),
        }
        if proba.shape[1] == 2 and np.unique(y).size == 2:
            positive = np.asarray(y) == est.classes_[1]
            out["roc_auc"] = float(metrics.roc_auc_score(positive, proba[:, 1]))
        return out
    pred = est.predict(X) if offset is None else est.predict(X, offset=offset)
    if family.link == "log":
        return {"poisson_deviance": float(metrics.mean_poisson_deviance(y, pred))}
    return {
        "mse": float(metrics.mean_squared_error(y, pred)),
        "mae": float(metrics.mean_absolute_error(y, pred)),
        "r2": float(metrics.r2_score(y, pred)),
    }


def target_summary(family, y):
    """Class counts, events and censored rows, or mean, standard deviation
    and range."""
    if family.name == "cox":
        return survival_summary(y)
    if family.classifier:
        labels, counts = np.unique(np.asarray(y).astype(str), return_counts=True)
        return {
            "classes": {str(c): int(k) for c, k in zip(labels, counts, strict=True)}
        }
    y = np.asarray(y, dtype=float)
    return {
        "mean": float(y.mean()),
        "sd": float(y.std(ddof=1)),
        "min": float(y.min()),
        "max": float(y.max()),
    }
