"""``model.json``: everything needed to predict, as readable, versioned JSON.

No pickle: the file holds the family, the columns and their encoding, the
coefficients on the original scale of the design columns (standardisation
is undone at fit time, so prediction needs none), the intercepts, the
classes and the name of the offset column.  Floats are written with
Python's shortest round-trip ``repr``, so the numbers read back are the
estimator's, bit for bit.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._errors import UsageError
from ._families import get_family, linear_predictor, mean_response
from ._schema import ModelFileError, locate_deep_nesting, validate_document
from ._survival import survival_predictions

__all__ = ["SCHEMA_VERSION", "SavedModel", "model_document", "load_model"]

#: Bumped when a reader of the previous version could misread the file.
SCHEMA_VERSION = 1
FORMAT = "sparsefit-model"


def json_safe(value):
    """NumPy scalars and arrays as plain JSON values; NaN and infinity as null."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_safe(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    return str(value)


def _label(value):
    """A class label as JSON keeps it: numbers stay numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, int | float | str | bool) else str(value)


def coefficient_rows(est):
    """``coef_`` as (n_outputs, n_features) and ``intercept_`` as (n_outputs,)."""
    coef = np.atleast_2d(np.asarray(est.coef_, dtype=float))
    intercept = np.atleast_1d(np.asarray(est.intercept_, dtype=float))
    return coef, intercept


def _link(family, n_outputs):
    """A two-class model has one row of coefficients (logit); more: softmax."""
    if not family.classifier:
        return family.link
    return "logit" if n_outputs == 1 else "softmax"


def path_document(table, n_outputs):
    """The path as ``model.json`` keeps it (None if its rows do not match).

    One sparse map of coefficients per alpha and output, so that ``predict
    --alpha`` can interpolate between grid points as ``PathResult.coef``.
    """
    if table is None or table.coefs.shape[1] != n_outputs:
        return None
    names = list(table.feature_names)
    coefficients = [
        [{names[j]: float(row[j]) for j in np.flatnonzero(row)} for row in point]
        for point in table.coefs
    ]
    keep = np.isfinite(table.coefs).all(axis=(1, 2)) & (table.alphas > 0)
    keep &= np.isfinite(table.intercepts).all(axis=1)
    return {
        "alphas": [float(a) for a in table.alphas[keep]],
        "intercepts": [[float(b) for b in row] for row in table.intercepts[keep]],
        "coefficients": [c for c, k in zip(coefficients, keep, strict=True) if k],
    }


def model_document(est, family, prepared, fit_info, explanation, path=None):
    """The JSON document of a fitted model (a dict ready for ``json.dump``).

    ``path`` is the :class:`PathTable` of the fit, kept for predictions at
    other alphas.
    """
    import sparsefit

    coef, intercept = coefficient_rows(est)
    names = list(prepared.X.columns)
    classes = getattr(est, "classes_", None)
    outputs = (
        [prepared.target]
        if classes is None or coef.shape[0] == 1
        else [_label(c) for c in classes]
    )
    if classes is not None and coef.shape[0] == 1:
        outputs = [_label(classes[-1])]
    blocks = []
    for k, out in enumerate(outputs):
        nonzero = np.flatnonzero(coef[k])
        blocks.append(
            {
                "output": out,
                "intercept": float(intercept[k]),
                "nonzero": {names[j]: float(coef[k, j]) for j in nonzero},
            }
        )
    params = {
        k: v
        for k, v in est.get_params(deep=False).items()
        if k not in ("progress", "n_jobs")
    }
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "sparsefit_version": sparsefit.__version__,
        "family": family.name,
        "link": _link(family, coef.shape[0]),
        "estimator": {"class": type(est).__name__, "params": json_safe(params)},
        "target": prepared.target,
        "features": list(prepared.features),
        "one_hot": json_safe(prepared.encoding),
        "design_columns": names,
        "offset_column": fit_info.get("offset_column"),
        "classes": None if classes is None else [_label(c) for c in classes],
        "coefficients": blocks,
        "path": path_document(path, len(blocks)),
        "fit": json_safe(fit_info),
        "explanation": json_safe(explanation),
        "note": (
            "prediction: eta = intercept + sum of coefficient * design column "
            "(+ offset column); mean = inverse link of eta. Coefficients are on "
            "the original scale of the design columns; one-hot columns are "
            "'column=level' indicators."
        ),
    }


def write_model(path, document):
    Path(path).write_text(json.dumps(document, indent=1, allow_nan=False) + "\n")


@dataclass
class SavedModel:
    """A model read back from ``model.json``."""

    document: dict

    @property
    def family(self):
        return get_family(self.document["family"])

    @property
    def features(self):
        return self.document["features"]

    @property
    def encoding(self):
        return self.document.get("one_hot") or {}

    @property
    def offset_column(self):
        return self.document.get("offset_column")

    def _matrix(self, maps):
        names = self.document["design_columns"]
        index = {n: j for j, n in enumerate(names)}
        coef = np.zeros((len(maps), len(names)))
        for k, values in enumerate(maps):
            for name, value in values.items():
                coef[k, index[name]] = value
        return coef

    def coef(self, alpha=None):
        """(n_outputs, n_design) coefficients and (n_outputs,) intercepts.

        At the fitted alpha, or at ``alpha`` on the stored path: linear in
        log alpha between its grid points, as ``PathResult.coef`` (and
        glmnet's ``s``); above the first point the path's first point.
        """
        blocks = self.document["coefficients"]
        if alpha is None:
            coef = self._matrix([b["nonzero"] for b in blocks])
            return coef, np.array([b["intercept"] for b in blocks], dtype=float)
        path = self.document.get("path")
        if not path:
            raise UsageError(
                "this model file holds no path (written by an older sparsefit); "
                "refit it to predict at another --alpha"
            )
        alphas = np.asarray(path["alphas"], dtype=float)
        if alpha < alphas[-1]:
            raise UsageError(
                f"--alpha {alpha:g} is below the smallest alpha of the model's "
                f"path ({alphas[-1]:.6g}); refit with sparsefit fit --alpha "
                f"{alpha:g}"
            )
        if alpha >= alphas[0] or len(alphas) == 1:
            i = j = 0
            t = 0.0
        else:
            i = int(np.searchsorted(-alphas, -alpha, side="right")) - 1
            i = min(i, len(alphas) - 2)
            j = i + 1
            hi, lo = np.log(alphas[i]), np.log(alphas[j])
            t = float((hi - np.log(alpha)) / (hi - lo))
        coef = (1 - t) * self._matrix(path["coefficients"][i])
        coef += t * self._matrix(path["coefficients"][j])
        intercepts = np.asarray(path["intercepts"], dtype=float)
        return coef, (1 - t) * intercepts[i] + t * intercepts[j]

    def predict(self, X, offset=None, alpha=None, times=None, strata=None):
        """Columns of the prediction table: the mean, or labels and probabilities.

        ``alpha`` (None: the fitted one) reads the coefficients off the path.
        A Cox model gives the linear predictor and the relative risk, and
        at ``times`` the survival probabilities (``strata``: the stratum
        label of each row, for a stratified fit).

        Returns
        -------
        dict of str to ndarray
        """
        coef, intercept = self.coef(alpha)
        eta = linear_predictor(X, coef, intercept, offset)
        if self.document["link"] == "cox":
            return survival_predictions(self.document, eta[:, 0], times, strata)
        mean = mean_response(self.document["link"], eta)
        classes = self.document.get("classes")
        if classes is None:
            return {"prediction": mean}
        labels = np.array(classes, dtype=object)[np.argmax(mean, axis=1)]
        out = {"prediction": labels}
        for k, c in enumerate(classes):
            out[f"probability_{c}"] = mean[:, k]
        return out


def _read_document(path):
    """The parsed JSON of ``path``; one line naming the problem if it is not."""
    text = path.read_bytes()
    try:
        return json.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not a sparsefit model file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not a sparsefit model file: {exc}") from None
    except RecursionError:
        field = locate_deep_nesting(text.decode("utf-8"))
        raise UsageError(
            f"{path}: field {field!r} is nested far deeper than a model file "
            "nests (not a sparsefit model file, or a damaged one)"
        ) from None


def load_model(path):
    """Read ``model.json`` and check it against the schema (see ``_schema``).

    A missing, unreadable or malformed file is a one-line error that names
    the field at fault.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "model.json"
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    document = _read_document(path)
    try:
        validate_document(document)
    except ModelFileError as exc:
        raise UsageError(
            f"{path}: {exc} (not a sparsefit model file, or a damaged one)"
        ) from None
    return SavedModel(document)
