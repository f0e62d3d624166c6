"""The written schema of ``model.json`` and its check on load.

A model file is data from outside: it may be damaged, edited by hand or
written by something else.  Every field that prediction or ``explain``
reads is checked here, against its type, its range and the other fields
(the design columns against the features and their levels, the rows of
coefficients against the classes), before any of it is used.  A wrong
file gives :class:`ModelFileError`, naming the field, never a traceback
or a silent wrong prediction.

Schema version 1 (``*`` marks an optional field; ``name`` is a string)::

    format            "sparsefit-model"
    schema_version    integer, 1 to SCHEMA_VERSION (not a boolean)
    sparsefit_version* string
    family            one of the families of the command line
    link              "identity", "log", "logit" (one row of coefficients of
                      a two-class model) or "softmax" (one row per class)
    target            string
    features          non-empty list of distinct strings
    one_hot*          null or {feature: non-empty list of distinct strings}
    design_columns    the features in order, each one-hot feature replaced
                      by its "feature=level" indicators
    offset_column*    null or string
    classes           null for gaussian and poisson; else a list of two or
                      more distinct labels (strings, integers or finite
                      numbers)
    coefficients      list of {output: label, intercept: finite number,
                      nonzero: {design column: finite number}}: one block,
                      or one per class with the softmax link
    path*             {alphas: decreasing positive finite numbers,
                      intercepts: [[finite number per block] per alpha],
                      coefficients: [[{design column: finite number} per
                      block] per alpha]}
    fit*              object; its alpha* a finite number >= 0 or null
    estimator*        object
    explanation*      {column: list}, every list as long as "feature", a
                      list of strings
    survival*         family cox: {time, event, start, strata: column names
                      or null, ties, baseline: null, {times, cumulative_hazard}
                      (increasing times >= 0, non-decreasing hazards) or, after
                      a stratified fit, {strata: labels, curves: one such
                      object per stratum}}
    note*             string
"""

import math
import re

__all__ = ["ModelFileError", "validate_document", "locate_deep_nesting"]

#: How deep a model file nests (the path's coefficients: 5 levels); the
#: JSON reader's recursion stops far deeper.
_DEEPEST = 8


class ModelFileError(ValueError):
    """A model file breaks the schema at ``field``."""

    def __init__(self, field, problem):
        self.field = field
        self.problem = problem
        super().__init__(f"field {field!r} {problem}")


def _kind(value):
    names = {bool: "a boolean", int: "an integer", float: "a number"}
    names.update({str: "a string", list: "a list", dict: "an object"})
    if value is None:
        return "null"
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value).replace("inf", "infinity")
    return names.get(type(value), type(value).__name__)


def _need(ok, field, what, value):
    if not ok:
        raise ModelFileError(field, f"must be {what}, got {_kind(value)}")


def _string(doc, key, field=None):
    value = doc[key]
    _need(isinstance(value, str), field or key, "a string", value)
    return value


def _number(value, field, low=None):
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    _need(ok and math.isfinite(value), field, "a finite number", value)
    if low is not None and value < low:
        raise ModelFileError(field, f"must be >= {low}, got {value!r}")
    return float(value)


def _distinct_strings(value, field, empty=False):
    _need(isinstance(value, list), field, "a list of strings", value)
    if not value and not empty:
        raise ModelFileError(field, "must not be empty")
    for k, item in enumerate(value):
        _need(isinstance(item, str), f"{field}[{k}]", "a string", item)
    seen = set()
    for item in value:
        if item in seen:
            raise ModelFileError(field, f"lists {item!r} twice")
        seen.add(item)
    return value


def _object(value, field):
    _need(isinstance(value, dict), field, "an object", value)
    return value


def _required(doc, key):
    if key not in doc:
        raise ModelFileError(key, "is missing")
    return doc[key]


def _check_header(doc):
    from ._families import FAMILIES
    from ._model import FORMAT, SCHEMA_VERSION

    if _required(doc, "format") != FORMAT:
        raise ModelFileError("format", f"must be {FORMAT!r}, got {doc['format']!r}")
    version = _required(doc, "schema_version")
    _need(
        isinstance(version, int) and not isinstance(version, bool),
        "schema_version",
        "an integer",
        version,
    )
    if not 1 <= version <= SCHEMA_VERSION:
        raise ModelFileError(
            "schema_version",
            f"is {version} (schema version {version}); this sparsefit reads "
            f"versions 1 to {SCHEMA_VERSION}",
        )
    if "sparsefit_version" in doc:
        _string(doc, "sparsefit_version")
    _required(doc, "family")
    family = _string(doc, "family")
    if family not in FAMILIES:
        raise ModelFileError(
            "family", f"must be one of {', '.join(FAMILIES)}, got {family!r}"
        )
    return FAMILIES[family]


def _check_columns(doc):
    _required(doc, "target")
    _string(doc, "target")
    features = _distinct_strings(_required(doc, "features"), "features")
    encoding = doc.get("one_hot") or {}
    _object(encoding, "one_hot")
    expected = []
    for name in features:
        if name in encoding:
            levels = _distinct_strings(encoding[name], f"one_hot.{name}")
            expected += [f"{name}={level}" for level in levels]
        else:
            expected.append(name)
    unknown = [k for k in encoding if k not in features]
    if unknown:
        raise ModelFileError("one_hot", f"names {unknown[0]!r}, not a feature")
    design = _distinct_strings(_required(doc, "design_columns"), "design_columns")
    if design != expected:
        raise ModelFileError(
            "design_columns",
            f"must be the features with their one-hot levels ({len(expected)} "
            f"columns), got {len(design)} that differ",
        )
    offset = doc.get("offset_column")
    _need(
        offset is None or isinstance(offset, str),
        "offset_column",
        "null or a string",
        offset,
    )
    return design


def _check_classes(doc, family):
    classes = _required(doc, "classes")
    if not family.classifier:
        _need(classes is None, "classes", f"null for family {family.name}", classes)
        return None
    _need(isinstance(classes, list), "classes", "a list of labels", classes)
    if len(classes) < 2:
        raise ModelFileError("classes", f"must list two or more, got {len(classes)}")
    for k, label in enumerate(classes):
        ok = isinstance(label, str | int) or (
            isinstance(label, float) and math.isfinite(label)
        )
        _need(ok, f"classes[{k}]", "a string or a finite number", label)
    if len({repr(c) for c in classes}) != len(classes):
        raise ModelFileError("classes", "lists a label twice")
    return classes


def _coefficient_map(value, field, columns):
    _object(value, field)
    for name, coef in value.items():
        if name not in columns:
            raise ModelFileError(field, f"names {name!r}, not a design column")
        _number(coef, f"{field}.{name}")


def _check_blocks(doc, family, classes, columns):
    blocks = _required(doc, "coefficients")
    _need(isinstance(blocks, list), "coefficients", "a list", blocks)
    allowed = {1} if classes is None else {1, len(classes)}
    if classes is not None and len(classes) > 2:
        allowed = {len(classes)}
    if len(blocks) not in allowed:
        raise ModelFileError(
            "coefficients",
            f"must hold {' or '.join(map(str, sorted(allowed)))} block(s) "
            f"(classes: {0 if classes is None else len(classes)}), got {len(blocks)}",
        )
    for k, block in enumerate(blocks):
        field = f"coefficients[{k}]"
        _object(block, field)
        for key in ("output", "intercept", "nonzero"):
            if key not in block:
                raise ModelFileError(f"{field}.{key}", "is missing")
        _number(block["intercept"], f"{field}.intercept")
        _coefficient_map(block["nonzero"], f"{field}.nonzero", columns)
    link = _required(doc, "link")
    if family.classifier:
        expected = "logit" if len(blocks) == 1 else "softmax"
    else:
        expected = family.link
    if link != expected:
        raise ModelFileError(
            "link",
            f"must be {expected!r} for family {family.name} with {len(blocks)} "
            f"block(s) of coefficients, got {link!r}",
        )
    return len(blocks)


def _check_path(doc, n_blocks, columns):
    path = _object(doc["path"], "path")
    for key in ("alphas", "intercepts", "coefficients"):
        if key not in path:
            raise ModelFileError(f"path.{key}", "is missing")
        _need(isinstance(path[key], list), f"path.{key}", "a list", path[key])
    alphas = [_number(a, f"path.alphas[{k}]", 0) for k, a in enumerate(path["alphas"])]
    if not alphas or any(b >= a for a, b in zip(alphas, alphas[1:], strict=False)):
        raise ModelFileError("path.alphas", "must be a non-empty decreasing list")
    for key in ("intercepts", "coefficients"):
        if len(path[key]) != len(alphas):
            raise ModelFileError(
                f"path.{key}",
                f"must hold one entry per alpha ({len(alphas)}), got {len(path[key])}",
            )
    for i, (rows, maps) in enumerate(
        zip(path["intercepts"], path["coefficients"], strict=True)
    ):
        for key, value in (("intercepts", rows), ("coefficients", maps)):
            field = f"path.{key}[{i}]"
            _need(isinstance(value, list), field, "a list", value)
            if len(value) != n_blocks:
                raise ModelFileError(
                    field, f"must hold {n_blocks} entries, got {len(value)}"
                )
        for k, value in enumerate(rows):
            _number(value, f"path.intercepts[{i}][{k}]")
        for k, value in enumerate(maps):
            _coefficient_map(value, f"path.coefficients[{i}][{k}]", columns)


def _check_extras(doc):
    fit = doc.get("fit")
    if fit is not None:
        _object(fit, "fit")
        if fit.get("alpha") is not None:
            _number(fit["alpha"], "fit.alpha", 0)
    if doc.get("estimator") is not None:
        _object(doc["estimator"], "estimator")
    if "note" in doc:
        _string(doc, "note")
    table = doc.get("explanation")
    if table is None:
        return
    _object(table, "explanation")
    if "feature" not in table:
        raise ModelFileError("explanation.feature", "is missing")
    names = _distinct_strings(table["feature"], "explanation.feature", empty=True)
    for key, values in table.items():
        field = f"explanation.{key}"
        _need(isinstance(values, list), field, "a list", values)
        if len(values) != len(names):
            raise ModelFileError(
                field,
                f"must hold {len(names)} entries (one per feature), got {len(values)}",
            )
        for k, value in enumerate(values):
            ok = value is None or isinstance(value, str | int | float)
            _need(ok, f"{field}[{k}]", "a string, a number or null", value)


def _check_curve(curve, field):
    _object(curve, field)
    values = {}
    for key in ("times", "cumulative_hazard"):
        if key not in curve:
            raise ModelFileError(f"{field}.{key}", "is missing")
        _need(isinstance(curve[key], list), f"{field}.{key}", "a list", curve[key])
        values[key] = [
            _number(v, f"{field}.{key}[{k}]", 0) for k, v in enumerate(curve[key])
        ]
    times, hazard = values["times"], values["cumulative_hazard"]
    if len(times) != len(hazard):
        raise ModelFileError(field, "must hold as many times as hazards")
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        raise ModelFileError(f"{field}.times", "must be increasing")
    if any(b < a for a, b in zip(hazard, hazard[1:], strict=False)):
        raise ModelFileError(f"{field}.cumulative_hazard", "must be non-decreasing")


def _check_survival(doc, family):
    survival = doc.get("survival")
    if survival is None:
        return
    _need(family.name == "cox", "survival", f"null for family {family.name}", 0)
    _object(survival, "survival")
    strata = survival.get("strata")
    _need(
        strata is None or isinstance(strata, str),
        "survival.strata",
        "null or a string",
        strata,
    )
    baseline = survival.get("baseline")
    if baseline is None:
        return
    _object(baseline, "survival.baseline")
    if "strata" not in baseline:
        _check_curve(baseline, "survival.baseline")
        return
    labels = _distinct_strings(baseline["strata"], "survival.baseline.strata")
    curves = baseline.get("curves")
    _need(isinstance(curves, list), "survival.baseline.curves", "a list", curves)
    if len(curves) != len(labels):
        raise ModelFileError(
            "survival.baseline.curves",
            f"must hold one curve per stratum ({len(labels)}), got {len(curves)}",
        )
    for k, curve in enumerate(curves):
        _check_curve(curve, f"survival.baseline.curves[{k}]")


def validate_document(doc):
    """Check a parsed ``model.json`` against the schema; raise on the first fault.

    Raises
    ------
    ModelFileError
        Naming the field and what is wrong with it.
    """
    if not isinstance(doc, dict):
        raise ModelFileError("(top level)", f"must be an object, got {_kind(doc)}")
    family = _check_header(doc)
    columns = set(_check_columns(doc))
    classes = _check_classes(doc, family)
    n_blocks = _check_blocks(doc, family, classes, columns)
    if doc.get("path") is not None:
        _check_path(doc, n_blocks, columns)
    _check_extras(doc)
    _check_survival(doc, family)


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"(\s*:)?|[\[\]{}]')


def locate_deep_nesting(text):
    """The top-level field under which ``text`` nests deeper than a model file.

    Called when the JSON reader gave up on the nesting: a scan of the
    brackets (strings skipped) with no recursion.
    """
    depth, key = 0, "(top level)"
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > _DEEPEST:
                return key
        elif token in "]}":
            depth -= 1
        elif match.group(1) and depth == 1:
            key = token[1 : token.rindex('"')]
    return key
