"""Regularisation paths as tables, whatever family produced them.

A Gaussian path comes from :func:`sparsefit.enet_path`; a cross-validated
estimator of any family carries its own ``path_``.  For the other families
at a fixed alpha the path is a sequence of certified fits on a geometric
grid from alpha_max, each warm-started from the previous one when the
estimator offers ``warm_start``.  Every path is read through the public
``PathResult.coef(alpha)`` and ``intercept(alpha)``, so the layout of its
arrays does not matter here.
"""

import dataclasses
from dataclasses import dataclass

import numpy as np

from .._progress import Progress
from ._output import spreadsheet_safe

__all__ = ["PathTable", "from_path_result", "grid_path", "alpha_max", "path_frame"]


@dataclass
class PathTable:
    """A path: one certified fit per alpha.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_alphas, n_outputs, n_features)
    intercepts : ndarray of shape (n_alphas, n_outputs)
    dual_gaps, kkt_violations, dev_ratio : ndarray of shape (n_alphas,)
        NaN where the path does not report them.
    feature_names : list of str
    outputs : list of str
        The name of each row of coefficients (the target, or the classes).
    source : object
        The PathResult it was read from, or None.
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    dual_gaps: np.ndarray
    kkt_violations: np.ndarray
    dev_ratio: np.ndarray
    feature_names: list
    outputs: list
    source: object = None

    @property
    def n_nonzero(self):
        """Features non-zero in at least one output, at each alpha."""
        return (self.coefs != 0).any(axis=1).sum(axis=1)

    def entry_alphas(self):
        """Largest alpha on the grid at which each feature is non-zero (NaN: never)."""
        nonzero = (self.coefs != 0).any(axis=1)  # (n_alphas, n_features)
        first = np.argmax(nonzero, axis=0)
        out = self.alphas[first].astype(float)
        out[~nonzero.any(axis=0)] = np.nan
        return out


def _field(path, name, n):
    value = getattr(path, name, None)
    if value is None:
        return np.full(n, np.nan)
    value = np.asarray(value, dtype=float).ravel()
    return value if value.shape[0] == n else np.full(n, np.nan)


def _rows(coef, n_features):
    """Coefficients as (n_outputs, n_features), whichever way a family lays them."""
    coef = np.atleast_2d(
        np.asarray(coef.toarray() if hasattr(coef, "toarray") else coef)
    )
    if coef.shape[1] != n_features and coef.shape[0] == n_features:
        coef = coef.T
    return coef


def from_path_result(path, feature_names, outputs):
    """Read a :class:`sparsefit.PathResult` (any family) into a table."""
    alphas = np.asarray(path.alphas, dtype=float)
    n_features = len(feature_names)
    coefs = np.stack([_rows(path.coef(a), n_features) for a in alphas])
    intercepts = np.stack([np.atleast_1d(path.intercept(a)) for a in alphas])
    n = alphas.shape[0]
    if dataclasses.is_dataclass(path) and "feature_names" in {
        f.name for f in dataclasses.fields(path)
    }:
        # A path fitted on an array has no names; its plot should show ours.
        path = dataclasses.replace(path, feature_names=list(feature_names))
    return PathTable(
        alphas=alphas,
        coefs=coefs.astype(float),
        intercepts=intercepts.astype(float),
        dual_gaps=_field(path, "dual_gaps", n),
        kkt_violations=_field(path, "kkt_violations", n),
        dev_ratio=_field(path, "dev_ratio", n),
        feature_names=list(feature_names),
        outputs=list(outputs)[: coefs.shape[1]],
        source=path,
    )


def alpha_max(X, y, family, l1_ratio, standardize, penalty_factor, offset=None):
    """Smallest alpha at which every penalised coefficient is zero.

    With the mean-loss convention of every family, the gradient at the
    intercept-only fit is ``X_c'(Y - mu_0) / n`` for the one-hot (or 0/1)
    target ``Y`` and the null mean ``mu_0``, with ``X_c`` the centred (and,
    with ``standardize``, scaled) columns; alpha_max is its largest entry
    divided by ``l1_ratio * v_j`` (Friedman, Hastie and Tibshirani 2010, eq. 9
    and section 3).  For the grid this only has to be close: every point of
    the path is a certified fit whatever the grid.
    """
    X = np.asarray(X, dtype=float)
    n = X.shape[0]
    if family.classifier:
        labels = np.asarray(y).astype(str)
        classes = np.unique(labels)
        Y = (labels[:, None] == classes[None, :]).astype(float)
        residual = Y - Y.mean(axis=0)
    elif family.link == "log" and offset is not None:
        mu = np.exp(offset) * np.sum(y) / np.sum(np.exp(offset))
        residual = (y - mu)[:, None]
    else:
        residual = (y - np.mean(y))[:, None]
    Xc = X - X.mean(axis=0)
    if standardize:
        scale = Xc.std(axis=0)
        Xc = Xc / np.where(scale > 0, scale, 1.0)
    grad = np.abs(Xc.T @ residual).max(axis=1) / n
    factor = np.ones(X.shape[1]) if penalty_factor is None else penalty_factor
    penalised = factor > 0
    if not penalised.any():
        return 1.0
    return float((grad[penalised] / factor[penalised]).max() / max(l1_ratio, 1e-3))


def grid_path(family, X, y, alphas, params, offset=None, progress=None):
    """Fit the family's fixed-alpha estimator at each alpha (decreasing)."""
    est = family.make(False, alpha=float(alphas[0]), **params)
    warm = "warm_start" in est.get_params(deep=False)
    if warm:
        est.set_params(warm_start=True)
    fit_kwargs = {} if offset is None else {"offset": offset}
    coefs, intercepts, gaps, kkts = [], [], [], []
    with Progress(len(alphas), "path", progress) as bar:
        for alpha in alphas:
            est.set_params(alpha=float(alpha))
            est.fit(X, y, **fit_kwargs)
            coefs.append(np.atleast_2d(np.asarray(est.coef_, dtype=float)).copy())
            intercepts.append(np.atleast_1d(np.asarray(est.intercept_, dtype=float)))
            gaps.append(getattr(est, "dual_gap_", np.nan))
            kkts.append(getattr(est, "kkt_violation_", np.nan))
            bar.update()
    classes = getattr(est, "classes_", None)
    outputs = ["y"] if classes is None else [str(c) for c in classes]
    if classes is not None and coefs[0].shape[0] == 1:
        outputs = [str(classes[-1])]
    return PathTable(
        alphas=np.asarray(alphas, dtype=float),
        coefs=np.stack(coefs),
        intercepts=np.stack(intercepts),
        dual_gaps=np.asarray(gaps, dtype=float),
        kkt_violations=np.asarray(kkts, dtype=float),
        dev_ratio=np.full(len(alphas), np.nan),
        feature_names=list(getattr(X, "columns", range(np.shape(X)[1]))),
        outputs=outputs,
    )


def path_frame(table):
    """``path.csv``: one row per alpha, one column per feature ever non-zero."""
    import pandas as pd

    columns = {
        "alpha": table.alphas,
        "n_nonzero": table.n_nonzero,
        "dev_ratio": table.dev_ratio,
        "dual_gap": table.dual_gaps,
        "kkt_violation": table.kkt_violations,
    }
    several = table.coefs.shape[1] > 1
    for k, out in enumerate(table.outputs):
        prefix = f"{out}:" if several else ""
        columns[spreadsheet_safe(f"{prefix}intercept")] = table.intercepts[:, k]
        ever = np.flatnonzero((table.coefs[:, k, :] != 0).any(axis=0))
        for j in ever:
            name = spreadsheet_safe(f"{prefix}{table.feature_names[j]}")
            columns[name] = table.coefs[:, k, j]
    return pd.DataFrame(columns)
