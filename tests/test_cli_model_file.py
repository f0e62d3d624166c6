"""``model.json`` is checked against its schema on load.

A tampered file (missing keys, wrong types, non-finite or null numbers,
unknown families, a 200,000-deep array, lengths that do not match) gives
exit status 2 and one line on stderr that names the field, for ``predict``
and ``explain`` alike: never a traceback, never a silent prediction.
"""

import json

import numpy as np
import pandas as pd
import pytest

from .cli_helpers import one_error_line, run_main


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A Gaussian model with a one-hot column and a binomial one, with data."""
    tmp = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(3)
    X = rng.standard_normal((80, 3))
    colour = rng.choice(["red", "blue", "green"], 80)
    y = X[:, 0] - X[:, 1] + (colour == "red") + 0.3 * rng.standard_normal(80)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(colour=colour, y=y)
    frame["label"] = np.where(y > np.median(y), "high", "low")
    data = tmp / "d.csv"
    frame.to_csv(data, index=False)
    docs = {}
    for family, target, extra in (
        ("gaussian", "y", ["--exclude", "label", "--one-hot"]),
        ("binomial", "label", ["--exclude", "y,colour"]),
    ):
        out = tmp / family
        status, _, err = run_main(
            "fit",
            data,
            "--target",
            target,
            "--family",
            family,
            "--alpha",
            0.02,
            "--n-alphas",
            10,
            "--out",
            out,
            "--quiet",
            *extra,
        )
        assert status == 0, err
        docs[family] = json.loads((out / "model.json").read_text())
    return data, docs


def _without(key):
    def change(doc):
        del doc[key]

    return change


def _set(key, value):
    def change(doc):
        doc[key] = value

    return change


def _block(key, value, k=0):
    def change(doc):
        if value is _DELETE:
            del doc["coefficients"][k][key]
        else:
            doc["coefficients"][k][key] = value

    return change


def _nonzero(value):
    def change(doc):
        block = doc["coefficients"][0]["nonzero"]
        block[next(iter(block))] = value

    return change


_DELETE = object()
#: A number JSON cannot hold, written into the text after dumping.
_MARK = "__sparsefit_test_mark__"

# (name, family, change, field named in the error)
TAMPERED = [
    *[
        (f"missing {key}", "gaussian", _without(key), key)
        for key in (
            "format",
            "schema_version",
            "family",
            "link",
            "target",
            "features",
            "design_columns",
            "classes",
            "coefficients",
        )
    ],
    ("format wrong", "gaussian", _set("format", "other"), "format"),
    ("schema_version true", "gaussian", _set("schema_version", True), "schema_version"),
    (
        "schema_version string",
        "gaussian",
        _set("schema_version", "1"),
        "schema_version",
    ),
    ("schema_version 0", "gaussian", _set("schema_version", 0), "schema_version"),
    ("schema_version 99", "gaussian", _set("schema_version", 99), "schema_version"),
    ("family bogus", "gaussian", _set("family", "bogus"), "family"),
    ("family number", "gaussian", _set("family", 3), "family"),
    ("family changed", "gaussian", _set("family", "binomial"), "classes"),
    ("link bogus", "gaussian", _set("link", "bogus"), "link"),
    ("link softmax", "binomial", _set("link", "softmax"), "link"),
    ("target number", "gaussian", _set("target", 5), "target"),
    ("features string", "gaussian", _set("features", "a"), "features"),
    ("features empty", "gaussian", _set("features", []), "features"),
    ("features numbers", "gaussian", _set("features", [1, 2]), "features[0]"),
    ("features twice", "gaussian", _set("features", ["a", "a"]), "features"),
    ("one_hot list", "gaussian", _set("one_hot", ["colour"]), "one_hot"),
    ("one_hot levels null", "gaussian", _set("one_hot", {"colour": None}), "one_hot"),
    (
        "one_hot unknown",
        "gaussian",
        lambda d: d["one_hot"].update(zz=["x"]),
        "one_hot",
    ),
    (
        "design_columns short",
        "gaussian",
        lambda d: d["design_columns"].pop(),
        "design_columns",
    ),
    (
        "design_columns long",
        "gaussian",
        lambda d: d["design_columns"].append("extra"),
        "design_columns",
    ),
    ("design_columns null", "gaussian", _set("design_columns", None), "design_columns"),
    ("offset_column number", "gaussian", _set("offset_column", 1), "offset_column"),
    ("classes on gaussian", "gaussian", _set("classes", ["a", "b"]), "classes"),
    ("classes null", "binomial", _set("classes", None), "classes"),
    ("classes one", "binomial", _set("classes", ["high"]), "classes"),
    ("classes twice", "binomial", _set("classes", ["high", "high"]), "classes"),
    ("classes nested", "binomial", _set("classes", [["high"], "low"]), "classes[0]"),
    ("coefficients object", "gaussian", _set("coefficients", {}), "coefficients"),
    ("coefficients empty", "gaussian", _set("coefficients", []), "coefficients"),
    (
        "coefficients numbers",
        "gaussian",
        _set("coefficients", [1.0]),
        "coefficients[0]",
    ),
    (
        "coefficients two blocks",
        "gaussian",
        lambda d: d["coefficients"].append(dict(d["coefficients"][0])),
        "coefficients",
    ),
    ("intercept missing", "gaussian", _block("intercept", _DELETE), "intercept"),
    ("nonzero missing", "gaussian", _block("nonzero", _DELETE), "nonzero"),
    ("output missing", "binomial", _block("output", _DELETE), "output"),
    ("intercept string", "gaussian", _block("intercept", "1.0"), "intercept"),
    ("intercept null", "gaussian", _block("intercept", None), "intercept"),
    ("intercept true", "gaussian", _block("intercept", True), "intercept"),
    ("intercept NaN", "gaussian", _block("intercept", float("nan")), "intercept"),
    ("coefficient NaN", "gaussian", _nonzero(float("nan")), "nonzero"),
    ("coefficient inf", "gaussian", _nonzero(float("inf")), "nonzero"),
    ("coefficient 1e309", "gaussian", _nonzero(_MARK), "nonzero"),
    ("coefficient null", "gaussian", _nonzero(None), "nonzero"),
    ("coefficient string", "gaussian", _nonzero("0.5"), "nonzero"),
    ("coefficient list", "gaussian", _nonzero([0.5]), "nonzero"),
    (
        "coefficient unknown column",
        "gaussian",
        lambda d: d["coefficients"][0]["nonzero"].update(zz=1.0),
        "nonzero",
    ),
    ("nonzero list", "gaussian", _block("nonzero", [1.0]), "nonzero"),
    (
        "explanation lengths",
        "gaussian",
        lambda d: d["explanation"]["feature"].pop(),
        "explanation",
    ),
    ("explanation list", "gaussian", _set("explanation", [1]), "explanation"),
    ("fit alpha negative", "gaussian", lambda d: d["fit"].update(alpha=-1), "alpha"),
    (
        "path alphas increasing",
        "gaussian",
        lambda d: d["path"]["alphas"].reverse(),
        "path",
    ),
    (
        "path intercepts short",
        "gaussian",
        lambda d: d["path"]["intercepts"].pop(),
        "path.intercepts",
    ),
    (
        "path coefficient NaN",
        "gaussian",
        lambda d: d["path"]["intercepts"][0].__setitem__(0, float("nan")),
        "path.intercepts[0][0]",
    ),
]


def _write(tmp_path, name, doc):
    text = json.dumps(doc, indent=1, allow_nan=True)
    text = text.replace(json.dumps(_MARK), "1e309")
    path = tmp_path / (name.replace(" ", "_") + ".json")
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "family", "change", "field"), TAMPERED, ids=[t[0] for t in TAMPERED]
)
def test_a_tampered_model_file_names_its_field(
    fitted, tmp_path, name, family, change, field
):
    data, docs = fitted
    doc = json.loads(json.dumps(docs[family]))
    change(doc)
    path = _write(tmp_path, name, doc)
    for argv in (["predict", path, data], ["explain", path]):
        status, out, err = run_main(*argv)
        one_error_line(status, err, "field '", field, "model file")
        assert out == ""


@pytest.mark.parametrize("key", ["coefficients", "features", "fit"])
def test_a_deeply_nested_array_is_a_clear_error(fitted, tmp_path, key):
    data, docs = fitted
    doc = dict(docs["gaussian"], **{key: _MARK})
    text = json.dumps(doc).replace(json.dumps(_MARK), "[" * 200_000 + "]" * 200_000)
    path = tmp_path / "deep.json"
    path.write_text(text)
    status, _, err = run_main("predict", path, data)
    one_error_line(status, err, f"field {key!r}", "nested")


@pytest.mark.parametrize(
    "text",
    [b"", b"[1, 2]", b'"model"', b'{"format": ', b"\xff\xfe\x00garbage", b"null"],
    ids=["empty", "list", "string", "truncated", "not-utf8", "null"],
)
def test_a_file_that_is_not_a_model_is_one_line(fitted, tmp_path, text):
    data, _ = fitted
    path = tmp_path / "model.json"
    path.write_bytes(text)
    status, _, err = run_main("predict", path, data)
    one_error_line(status, err, "not a sparsefit model file")


def test_the_untouched_files_load_and_predict(fitted):
    data, docs = fitted
    assert len(TAMPERED) >= 50
    for doc in docs.values():
        from sparsefit.cli._schema import validate_document

        validate_document(doc)
    status, out, err = run_main("predict", data.parent / "binomial", data)
    assert status == 0, err
    assert out.splitlines()[0] == "row,prediction,probability_high,probability_low"
