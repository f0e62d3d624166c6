"""The model families the command fits, each as one row of a table.

A family names the public estimator classes it uses (looked up on the
``sparsefit`` package when needed, so a family whose classes an installation
lacks fails with a message, not at import), its link and its held-out scores.
"""

from dataclasses import dataclass, field

import numpy as np

from ._errors import UsageError

__all__ = ["Family", "FAMILIES", "get_family", "linear_predictor", "mean_response"]


@dataclass(frozen=True)
class Family:
    """One model family.

    Attributes
    ----------
    name : str
    single, cv : str
        Names of the estimator classes in ``sparsefit`` for a fixed alpha and
        for alpha chosen by cross-validation.
    link : {"identity", "logit", "softmax", "log", "cox"}
        Maps the linear predictor ``Xw + b`` (plus offset) to the mean; for
        ``"cox"``, to the relative risk ``exp(eta)``.
    classifier : bool
    n_classes : int or None
        2 for the binomial family; None when any number of classes (or none).
    nonnegative : bool
        The target must be >= 0 (counts).
    scoring : str
        The CV scoring passed to the ``cv`` class.
    extra : dict
        Constructor arguments the family always passes.
    """

    name: str
    single: str
    cv: str
    link: str
    classifier: bool = False
    n_classes: int = None
    nonnegative: bool = False
    scoring: str = "mse"
    extra: dict = field(default_factory=dict)

    def estimator_class(self, with_cv):
        import sparsefit

        name = self.cv if with_cv else self.single
        cls = getattr(sparsefit, name, None)
        if cls is None:
            raise UsageError(
                f"family {self.name} needs sparsefit.{name}, which this version "
                f"of sparsefit ({sparsefit.__version__}) does not have"
            )
        return cls

    def make(self, with_cv, **params):
        """The estimator with the parameters its class accepts.

        A parameter set by the user (not None) that the class lacks is an
        error; the others are left at the class's defaults.
        """
        cls = self.estimator_class(with_cv)
        accepted = set(cls().get_params(deep=False))
        params = {**self.extra, **params}
        kwargs = {}
        for key, value in params.items():
            if key in accepted:
                kwargs[key] = value
            elif key == "l1_ratio" and value == 1.0:
                continue  # a lasso class has no l1_ratio: 1 is what it fits
            elif value is not None and key not in ("n_jobs", "progress"):
                raise UsageError(
                    f"family {self.name} ({cls.__name__}) does not take {key!r}"
                )
        return cls(**kwargs)


FAMILIES = {
    "gaussian": Family(
        "gaussian", "ElasticNet", "ElasticNetCV", "identity", scoring="mse"
    ),
    "binomial": Family(
        "binomial",
        "SparseLogisticRegression",
        "SparseLogisticRegressionCV",
        "logit",
        classifier=True,
        n_classes=2,
        scoring="deviance",
    ),
    "multinomial": Family(
        "multinomial",
        "SparseLogisticRegression",
        "SparseLogisticRegressionCV",
        "softmax",
        classifier=True,
        scoring="deviance",
    ),
    "poisson": Family(
        "poisson",
        "PoissonLasso",
        "PoissonLassoCV",
        "log",
        nonnegative=True,
        scoring="deviance",
    ),
    "huber": Family(
        "huber", "HuberLasso", "HuberLassoCV", "identity", scoring="deviance"
    ),
    # The grouped partial-likelihood deviance, glmnet's default for Cox.
    "cox": Family("cox", "CoxLasso", "CoxLassoCV", "cox", scoring="deviance"),
}


def get_family(name):
    """The family called ``name`` (argparse already restricts the choice)."""
    if name not in FAMILIES:
        raise UsageError(f"unknown family {name!r}; choose from {', '.join(FAMILIES)}")
    return FAMILIES[name]


def linear_predictor(X, coef, intercept, offset=None):
    """``X coef' + intercept (+ offset)``, shape (n_samples, n_outputs)."""
    eta = np.asarray(X, dtype=float) @ np.atleast_2d(coef).T + np.atleast_1d(intercept)
    if offset is not None:
        eta = eta + np.asarray(offset, dtype=float)[:, None]
    return eta


def mean_response(link, eta):
    """The inverse link applied to the linear predictor (n_samples, n_outputs)."""
    from scipy.special import expit

    if link == "identity":
        return eta[:, 0]
    if link in ("log", "cox"):
        return np.exp(eta[:, 0])
    if link == "logit":
        # The positive class is the second one, as in scikit-learn.
        p1 = expit(eta[:, 0])
        return np.column_stack([1.0 - p1, p1])
    shifted = eta - eta.max(axis=1, keepdims=True)
    expd = np.exp(shifted)
    return expd / expd.sum(axis=1, keepdims=True)
