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


def model_document(est, family, prepared, fit_info, explanation):
    """The JSON document of a fitted model (a dict ready for ``json.dump``)."""
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

    def coef(self):
        """(n_outputs, n_design) coefficients and (n_outputs,) intercepts."""
        names = self.document["design_columns"]
        index = {n: j for j, n in enumerate(names)}
        blocks = self.document["coefficients"]
        coef = np.zeros((len(blocks), len(names)))
        for k, block in enumerate(blocks):
            for name, value in block["nonzero"].items():
                coef[k, index[name]] = value
        return coef, np.array([b["intercept"] for b in blocks], dtype=float)

    def predict(self, X, offset=None):
        """Columns of the prediction table: the mean, or labels and probabilities.

        Returns
        -------
        dict of str to ndarray
        """
        coef, intercept = self.coef()
        eta = linear_predictor(X, coef, intercept, offset)
        mean = mean_response(self.document["link"], eta)
        classes = self.document.get("classes")
        if classes is None:
            return {"prediction": mean}
        labels = np.array(classes, dtype=object)[np.argmax(mean, axis=1)]
        out = {"prediction": labels}
        for k, c in enumerate(classes):
            out[f"probability_{c}"] = mean[:, k]
        return out


def load_model(path):
    """Read and check ``model.json``; a wrong file is a one-line error."""
    path = Path(path)
    if path.is_dir():
        path = path / "model.json"
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    try:
        document = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path} is not a sparsefit model file: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UsageError(f"{path} is not a sparsefit model file")
    version = document.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise UsageError(
            f"{path} has schema version {version!r}; this sparsefit reads "
            f"versions up to {SCHEMA_VERSION}"
        )
    needed = ("family", "link", "features", "design_columns", "coefficients")
    missing = [k for k in needed if k not in document]
    if missing:
        raise UsageError(f"{path} lacks {', '.join(missing)}; it is not complete")
    return SavedModel(document)
