"""The scikit-learn estimator contract, without importing scikit-learn.

Importing scikit-learn costs about 0.8 s here (it pulls in scipy.stats), which
alone would exceed the budget for ``import sparsefit`` plus a first fit.  The
estimators therefore implement the contract themselves: ``get_params`` and
``set_params`` read ``__init__``'s signature, ``__sklearn_tags__`` imports
scikit-learn only when scikit-learn asks for it, and input validation follows
scikit-learn's rules and messages (which its ``check_estimator`` tests).
"""

import inspect
import warnings

import numpy as np
import scipy.sparse as sp

from ._validation import check_finite, check_sample_weight

__all__ = ["EstimatorBase", "RegressorBase", "not_fitted_error"]


def not_fitted_error(est):
    """scikit-learn's NotFittedError (imported on this error path only)."""
    from sklearn.exceptions import NotFittedError

    return NotFittedError(
        f"This {type(est).__name__} instance is not fitted yet. Call 'fit' with "
        "appropriate arguments before using this estimator."
    )


def _feature_names(X):
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(columns, dtype=object)
    if len(names) and all(isinstance(c, str) for c in names):
        return names
    return None


def _to_array(X, name, accept_sparse):
    """2-D float32/float64 array (or sparse matrix), checked for bad values."""
    if X is None:
        raise ValueError(f"{name} is None; expected a 2-D array.")
    if hasattr(X, "dtypes") and hasattr(X, "columns"):
        # A data frame: pandas is loaded already.
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        bad = [
            str(c)
            for c, t in zip(X.columns, X.dtypes, strict=True)
            if not (is_numeric_dtype(t) or is_bool_dtype(t))
        ]
        if bad:
            raise ValueError(
                f"{name} has non-numeric column(s) {', '.join(bad)}; "
                "encode them as numbers first."
            )
    if sp.issparse(X):
        X = X.asformat(accept_sparse)
        if np.iscomplexobj(X.data):
            raise ValueError("Complex data not supported.")
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
    else:
        X = np.asarray(X)
        if np.iscomplexobj(X):
            raise ValueError("Complex data not supported.")
        if X.ndim != 2:
            raise ValueError(
                f"Expected 2D array, got {X.ndim}D array instead for {name}. Reshape "
                "your data using array.reshape(-1, 1) if it has a single feature "
                "or array.reshape(1, -1) if it contains a single sample."
            )
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
    n_samples, n_features = X.shape
    for count, what in ((n_samples, "sample"), (n_features, "feature")):
        if count == 0:
            raise ValueError(
                f"{name} is empty: Found array with 0 {what}(s) "
                f"(shape={X.shape}) while a minimum of 1 is required."
            )
    check_finite(X, name)
    return X


def check_target(y, n_samples, dtype, est_name):
    """1-D finite target of length ``n_samples``."""
    if y is None:
        raise ValueError(
            f"{est_name} requires y to be passed, but the target y is None."
        )
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        from sklearn.exceptions import DataConversionWarning

        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. "
            "Please change the shape of y to (n_samples, ), for example "
            "using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape}.")
    if np.iscomplexobj(y):
        raise ValueError("Complex data not supported.")
    try:
        y = y.astype(dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"y must be numeric: {exc}") from None
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} rows but y has {y.shape[0]} (mismatched lengths)."
        )
    check_finite(y, "y")
    return y


def check_labels(y, n_samples, est_name="the classifier"):
    """1-D class labels of length ``n_samples`` (any type; a column vector is
    raveled with scikit-learn's warning); continuous targets are refused."""
    if y is None:
        raise ValueError(
            f"{est_name} requires y to be passed, but the target y is None."
        )
    y = np.asarray(y)
    if y.dtype.kind == "O":
        kinds = {type(v) for v in y.ravel()}
        if len(kinds) > 1 or not (kinds <= {str, int, float, bool}):
            raise ValueError(
                f"Unknown label type: y holds values of types "
                f"{sorted(k.__name__ for k in kinds)}; use one type of label."
            )
    if y.ndim == 2 and y.shape[1] == 1:
        from sklearn.exceptions import DataConversionWarning

        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} rows but y has {y.shape[0]} (mismatched lengths)."
        )
    if y.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(y))
        if bad.size:
            raise ValueError(f"y contains NaN or infinity (row {bad[0]}).")
        if (y != np.round(y)).any():
            raise ValueError(
                "Unknown label type: continuous. A classifier needs class labels; "
                "use a regressor for a continuous target."
            )
    return y


class EstimatorBase:
    """``get_params``/``set_params``/``repr`` and validated input, as scikit-learn."""

    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind != p.VAR_KEYWORD
        )

    def get_params(self, deep=True):
        """Parameters of this estimator (scikit-learn API)."""
        out = {}
        for key in self._param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            out[key] = value
        return out

    def set_params(self, **params):
        """Set parameters (scikit-learn API); returns self."""
        valid = self.get_params(deep=True)
        nested = {}
        for key, value in params.items():
            key, delim, sub = key.partition("__")
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {self}. Valid "
                    f"parameters are: {self._param_names()!r}."
                )
            if delim:
                nested.setdefault(key, {})[sub] = value
            else:
                setattr(self, key, value)
        for key, sub_params in nested.items():
            getattr(self, key).set_params(**sub_params)
        return self

    def __repr__(self):
        defaults = {
            p.name: p.default
            for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = []
        for key in self._param_names():
            value = getattr(self, key)
            default = defaults.get(key)
            same = value is default or (
                not isinstance(value, np.ndarray) and _safe_equal(value, default)
            )
            if not same:
                changed.append(f"{key}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coef_")

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise not_fitted_error(self)

    def _validate_X(self, X, *, reset, accept_sparse="csc"):
        """Validate X; on ``reset`` record ``n_features_in_``/``feature_names_in_``."""
        names = _feature_names(X)
        X = _to_array(X, "X", accept_sparse)
        if reset:
            self.n_features_in_ = X.shape[1]
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return X
        self._check_feature_names(names)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
        return X

    def _check_feature_names(self, names):
        fitted = getattr(self, "feature_names_in_", None)
        cls = type(self).__name__
        if fitted is None and names is not None:
            warnings.warn(
                f"X has feature names, but {cls} was fitted without feature names",
                UserWarning,
                stacklevel=4,
            )
        elif fitted is not None and names is None:
            warnings.warn(
                f"X does not have valid feature names, but {cls} was "
                "fitted with feature names",
                UserWarning,
                stacklevel=4,
            )
        elif fitted is not None and (
            len(fitted) != len(names) or (fitted != names).any()
        ):
            raise ValueError(
                "The feature names should match those that were passed during "
                f"fit.\nFeature names seen at fit time: {list(fitted)}\n"
                f"Feature names given now: {list(names)}"
            )


class RegressorBase(EstimatorBase):
    """Regressor contract: ``score`` is R^2; tags say "regressor"."""

    _estimator_type = "regressor"

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 of ``predict(X)``."""
        pred = self.predict(X)
        y = check_target(y, pred.shape[0], np.float64, type(self).__name__)
        sw = check_sample_weight(sample_weight, y.shape[0], np.float64)
        sw = np.ones_like(y) if sw is None else sw
        resid = float(sw @ (y - pred) ** 2)
        total = float(sw @ (y - np.average(y, weights=sw)) ** 2)
        if total == 0:
            return 1.0 if resid == 0 else 0.0
        return 1.0 - resid / total

    def __sklearn_tags__(self):
        from sklearn.utils import InputTags, RegressorTags, Tags, TargetTags

        return Tags(
            estimator_type="regressor",
            target_tags=TargetTags(required=True),
            regressor_tags=RegressorTags(),
            input_tags=InputTags(sparse=True),
        )


class ClassifierBase(EstimatorBase):
    """Classifier contract: ``score`` is the accuracy; tags say "classifier"."""

    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of ``predict(X)`` (weighted by ``sample_weight``)."""
        pred = self.predict(X)
        y = np.asarray(y).ravel()
        if y.shape[0] != pred.shape[0]:
            raise ValueError(
                f"X has {pred.shape[0]} rows but y has {y.shape[0]} (mismatched "
                "lengths)."
            )
        sw = check_sample_weight(sample_weight, y.shape[0], np.float64)
        return float(np.average(pred == y, weights=sw))

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags

        return Tags(
            estimator_type="classifier",
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags(),
            input_tags=InputTags(sparse=True),
        )


def _safe_equal(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
