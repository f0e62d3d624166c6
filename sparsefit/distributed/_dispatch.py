"""Where the in-memory entry points hand Dask data to this back end:
:func:`sparsefit.compute_path`, :func:`sparsefit.cross_validate_path` and
the least-squares estimators, with the options that the back end does not
take refused by name."""

import numpy as np

from .._families import family_name
from ._cluster import cluster_client
from ._data import as_blocks
from ._least_squares import check_cv, compute_path, cv_from_moments, fold_moments

__all__ = [
    "dask_path",
    "dask_cross_validate",
    "fit_estimator",
    "fit_estimator_cv",
    "fit_glm_estimator_cv",
]

# Options of the in-memory calls that change nothing here (the Gram matrix
# is always used; progress and joblib threads have no meaning on a cluster).
_IGNORED = ("precompute", "progress", "n_jobs")


def _refuse(where, **options):
    """Raise for the first option set to something the back end lacks."""
    for name, (value, default) in options.items():
        if value is not default and value != default:
            raise ValueError(
                f"{where} on Dask data does not take {name}={value!r} (the Dask "
                "back end fits least squares with an intercept, weights, "
                "standardisation and a separable penalty)."
            )


def _check_family(family, where):
    if family not in ("gaussian", "binomial", "poisson"):
        raise ValueError(
            f"{where} on Dask data fits the gaussian, binomial and poisson "
            f"families; got {family!r}."
        )


def dask_path(X, y, datafit, penalty, kwargs):
    """:func:`sparsefit.compute_path` on Dask data (``kwargs``: its options)."""
    sample_weight, family = None, "gaussian"
    if datafit is not None:
        family = family_name(datafit)
        if family not in ("gaussian", "binomial", "poisson"):
            raise ValueError(
                "compute_path on Dask data fits the gaussian, binomial and "
                f"poisson families; got {family!r}."
            )
        sample_weight = datafit.sample_weight
    opts = {k: v for k, v in kwargs.items() if k not in _IGNORED}
    _refuse(
        "compute_path",
        offset=(opts.pop("offset"), None),
        solver=(opts.pop("solver"), "auto"),
        stop_saturation=(opts.pop("stop_saturation"), False),
        classes=(opts.pop("classes"), None),
    )
    opts.pop("multinomial")
    return compute_path(
        X, y, penalty, family=family, sample_weight=sample_weight, **opts
    )


def dask_cross_validate(X, y, family, kwargs, path_kwargs):
    """:func:`sparsefit.cross_validate_path` on Dask data."""
    from . import cross_validate_path

    family = family if isinstance(family, str) else family_name(family)
    _check_family(family, "cross_validate_path")
    opts = {k: v for k, v in kwargs.items() if k not in _IGNORED}
    for name in ("groups", "offset"):
        if opts.pop(name) is not None:
            raise ValueError(
                f"cross_validate_path on Dask data does not take {name} "
                "(give the folds by foldid)."
            )
    _refuse("cross_validate_path", relax=(opts.pop("relax"), False))
    opts.pop("gammas")
    foldid = opts["foldid"]
    if (
        foldid is not None
        and not isinstance(foldid, str)
        and not hasattr(foldid, "dask")
    ):
        # In memory, foldid wins over cv: here cv bounds its labels.
        opts["cv"] = max(int(np.max(foldid)) + 1, 2)
    extra = {k: v for k, v in path_kwargs.items() if k not in _IGNORED}
    _refuse(
        "cross_validate_path",
        solver=(extra.pop("solver", "auto"), "auto"),
        # One set of coefficients per model: the binomial family's only form.
        multinomial=(extra.pop("multinomial", "ungrouped"), "ungrouped"),
    )
    unknown = sorted(set(extra) - {"fit_intercept", "standardize", "tol", "max_iter"})
    if unknown:
        raise ValueError(
            f"cross_validate_path on Dask data does not take {unknown[0]}."
        )
    return cross_validate_path(X, y, family=family, **opts, **extra)


# -- estimators -------------------------------------------------------------------
def _store(estimator, path, k, n_features, names):
    estimator.n_features_in_ = n_features
    if names is not None:
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_
    estimator.coef_ = path.coefs[:, k].toarray().ravel()
    estimator.intercept_ = float(path.intercepts[k])
    estimator.n_iter_ = int(path.n_iters[k])
    estimator.dual_gap_ = float(path.dual_gaps[k])
    estimator.kkt_violation_ = float(path.kkt_violations[k])


def _check_estimator(estimator):
    estimator._check_params()
    solver = "auto" if estimator.solver == "cd" else estimator.solver
    _refuse(
        type(estimator).__name__ + ".fit",
        solver=(solver, "auto"),
        n_nonzero=(getattr(estimator, "n_nonzero", None), None),
        warm_start=(getattr(estimator, "warm_start", False), False),
        relax=(getattr(estimator, "relax", False), False),
    )


def fit_estimator(estimator, X, y, sample_weight, penalty):
    """``ElasticNet.fit`` / ``Lasso.fit`` on Dask data: the certified
    solution at ``estimator.alpha``, one pass."""
    _check_estimator(estimator)
    path = compute_path(
        X,
        y,
        penalty,
        sample_weight=sample_weight,
        alphas=[estimator.alpha],
        fit_intercept=estimator.fit_intercept,
        standardize=estimator.standardize,
        tol=estimator.tol,
        max_iter=estimator.max_iter,
    )
    _store(estimator, path, 0, path.coefs.shape[0], path.feature_names)
    return estimator


def fit_estimator_cv(estimator, X, y, sample_weight, foldid, penalties):
    """``ElasticNetCV.fit`` / ``LassoCV.fit`` on Dask data: one pass for
    every fold and every ``l1_ratio``; the model at the chosen alpha is the
    path's certified point there (a grid point)."""
    _check_estimator(estimator)
    scoring = "mse" if estimator.scoring is None else estimator.scoring
    check_cv(estimator.cv, scoring)
    n_folds = int(estimator.cv)
    if (
        foldid is not None
        and not isinstance(foldid, str)
        and not hasattr(foldid, "dask")
    ):
        n_folds = max(int(np.max(foldid)) + 1, 2)
    blocks = as_blocks(X, y, sample_weight, foldid)
    with cluster_client() as client:
        moments = fold_moments(blocks, n_folds, 0, client)
    results = [
        cv_from_moments(
            moments,
            penalty,
            scoring,
            blocks.feature_names,
            alphas=estimator.alphas,
            n_alphas=estimator.n_alphas,
            eps=estimator.eps,
            fit_intercept=estimator.fit_intercept,
            standardize=estimator.standardize,
            given_folds=foldid is not None,
            tol=estimator.tol,
            max_iter=estimator.max_iter,
        )
        for penalty in penalties
    ]
    return results, lambda res, k: _store(
        estimator, res.path, k, blocks.n_features, blocks.feature_names
    )


def fit_glm_estimator_cv(estimator, X, y, sample_weight, family, **fit_args):
    """``SparseLogisticRegressionCV.fit`` / ``PoissonLassoCV.fit`` on Dask
    data: every fold's path and the whole data's advance together; the
    model at the chosen alpha is the whole data's certified path point there
    (a grid point).  ``fit_args``: the fit's ``groups``, ``foldid`` and
    ``offset``."""
    where = type(estimator).__name__ + ".fit"
    for name in ("groups", "offset"):
        if fit_args.get(name) is not None:
            raise ValueError(f"{where} on Dask data does not take {name}.")
    _refuse(where, class_weight=(getattr(estimator, "class_weight", None), None))
    if estimator.scoring == "roc_auc":
        raise ValueError(
            f"{where} on Dask data does not take scoring='roc_auc' (a ranking of "
            "the held-out rows, not a sum over blocks); use 'deviance'."
        )
    extra = {"multinomial": estimator.multinomial} if family == "binomial" else {}
    res = estimator._cv(
        X, y, sample_weight, None, None, fit_args.get("foldid"), family, **extra
    )
    path = res.path
    k = int(np.argmin(np.abs(res.alphas - estimator.alpha_)))
    if family == "binomial":
        estimator.classes_ = np.asarray(path.classes)
    _store(estimator, path, k, path.coefs.shape[0], path.feature_names)
    estimator._coef_flat = estimator.coef_
    estimator._set_coef(estimator.coef_[None, :], np.atleast_1d(estimator.intercept_))
    return estimator
