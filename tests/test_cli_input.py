"""What the command makes of its input, and glmnet's habits on the command line.

Duplicate, semicolon-separated and decimal-comma files; a 0/1 target with
no --family; names that a spreadsheet would run as formulas; pandas
nullable columns with NA; absurd --n-alphas; --eps; predict --alpha; the
intercept in coefficients.csv; every default in --help.
"""

import argparse
import json

import numpy as np
import pandas as pd
import pytest

from sparsefit.cli import build_parser

from .cli_helpers import one_error_line, run_main


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 4))
    y = X @ [1.5, 0.0, -2.0, 0.5] + 0.2 * rng.standard_normal(60)
    return pd.DataFrame(np.c_[X, y], columns=["a", "b", "c", "d", "y"])


def _fit(data, out, *extra):
    return run_main(
        "fit", data, "--target", "y", "--n-alphas", 20, "--out", out, *extra
    )


def test_duplicate_column_names_are_an_error_naming_them(tmp_path, frame):
    data = tmp_path / "dup.csv"
    frame.assign(y2=frame["y"]).to_csv(data, index=False)
    text = data.read_text().replace(",y2\n", ",y\n", 1)
    data.write_text(text)
    assert data.read_text().splitlines()[0] == "a,b,c,d,y,y"
    status, _, err = _fit(data, tmp_path / "out", "--alpha", 0.1)
    one_error_line(status, err, "duplicate column names", "'y'", "5, 6")
    assert not (tmp_path / "out").exists()


def test_a_semicolon_file_is_read_with_its_separator(tmp_path, frame):
    data = tmp_path / "semi.csv"
    frame.to_csv(data, sep=";", index=False)
    status, out, err = _fit(data, tmp_path / "out", "--alpha", 0.1, "--json")
    assert status == 0, err
    assert json.loads(out)["features"]["columns"] == 4
    ref = tmp_path / "plain.csv"
    frame.to_csv(ref, index=False)
    assert _fit(ref, tmp_path / "ref", "--alpha", 0.1, "--quiet")[0] == 0
    got = pd.read_csv(tmp_path / "out" / "coefficients.csv")
    expected = pd.read_csv(tmp_path / "ref" / "coefficients.csv")
    pd.testing.assert_frame_equal(got, expected)
    # Without --json or --quiet the note says which separator was used.
    status, _, err = _fit(data, tmp_path / "o2", "--alpha", 0.1)
    assert status == 0 and "with ';' as the column separator" in err


def test_decimal_commas_are_named_not_sent_to_one_hot(tmp_path, frame):
    data = tmp_path / "dec.csv"
    frame.to_csv(data, sep=";", decimal=",", index=False)
    for extra in ([], ["--one-hot"]):
        status, _, err = _fit(data, tmp_path / "out", "--alpha", 0.1, "--quiet", *extra)
        line = one_error_line(status, err, "decimal comma", "--decimal ,")
        assert "one-hot" not in line
    status, _, err = _fit(data, tmp_path / "out", "--alpha", 0.1, "--decimal", ",")
    assert status == 0, err
    model = json.loads((tmp_path / "out" / "model.json").read_text())
    assert model["design_columns"] == ["a", "b", "c", "d"]
    # A target alone with decimal commas gets the same message.
    frame.assign(y=frame["y"].map(lambda v: f"{v:.3f}".replace(".", ","))).to_csv(
        tmp_path / "ydec.csv", index=False
    )
    status, _, err = _fit(tmp_path / "ydec.csv", tmp_path / "o3", "--alpha", 0.1)
    one_error_line(status, err, "column(s) y", "decimal comma")


def test_a_zero_one_target_without_family_gets_a_note(tmp_path, frame):
    data = tmp_path / "binary.csv"
    frame.assign(y=(frame["y"] > 0).astype(int)).to_csv(data, index=False)
    status, out, err = _fit(data, tmp_path / "out", "--alpha", 0.01)
    assert status == 0, err
    assert "only 0 and 1" in err and "--family binomial" in err
    status, out, err = _fit(data, tmp_path / "o2", "--alpha", 0.01, "--json")
    assert any("--family binomial" in n for n in json.loads(out)["notes"])
    # Said once the family is chosen: no note.
    status, _, err = _fit(
        data, tmp_path / "o3", "--alpha", 0.01, "--family", "gaussian"
    )
    assert status == 0 and "only 0 and 1" not in err


def test_formula_names_are_escaped_in_csv_outputs(tmp_path, frame):
    names = ["=HYPERLINK(1)", "+b", "-c", "@d"]
    data = tmp_path / "formula.csv"
    frame.set_axis([*names, "y"], axis=1).to_csv(data, index=False)
    out = tmp_path / "out"
    status, _, err = _fit(data, out, "--cv", 5, "--quiet")
    assert status == 0, err
    coefs = pd.read_csv(out / "coefficients.csv")
    assert set(coefs["feature"]) == {"(Intercept)", *(f"'{n}" for n in names)}
    header = (out / "path.csv").read_text().splitlines()[0].split(",")
    assert not [h for h in header if h.startswith(("=", "+", "-", "@"))], header
    # Labels of classes in predictions too.
    labels = np.where(frame["y"] > 0, "=up", "-down")
    frame.assign(y=labels).to_csv(tmp_path / "cls.csv", index=False)
    status, _, err = run_main(
        "fit",
        tmp_path / "cls.csv",
        "--target",
        "y",
        "--family",
        "binomial",
        "--alpha",
        0.01,
        "--n-alphas",
        5,
        "--out",
        tmp_path / "m",
        "--quiet",
    )
    assert status == 0, err
    status, text, err = run_main("predict", tmp_path / "m", tmp_path / "cls.csv")
    assert status == 0, err
    cells = [c for line in text.splitlines() for c in line.split(",")]
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
    assert "'=up" in cells and "'-down" in cells


@pytest.mark.parametrize("dtype", ["Int64", "boolean", "Float64"])
def test_nullable_columns_with_na_are_missing_values(tmp_path, frame, dtype):
    values = {
        "Int64": [1, None, 3] + list(range(57)),
        "boolean": [True, None] + [False, True] * 29,
        "Float64": [0.5, None] + list(np.linspace(0, 1, 58)),
    }[dtype]
    data = tmp_path / "nullable.parquet"
    frame.assign(b=pd.array(values, dtype=dtype)).to_parquet(data)
    assert str(pd.read_parquet(data)["b"].dtype) == dtype
    status, _, err = _fit(data, tmp_path / "out", "--alpha", 0.05)
    one_error_line(status, err, "missing", "row(s) 2", "column(s) b", "--drop-missing")
    status, _, err = _fit(data, tmp_path / "out", "--alpha", 0.05, "--drop-missing")
    assert status == 0, err
    status, text, err = run_main("predict", tmp_path / "out", data, "--drop-missing")
    assert status == 0, err
    assert len(text.splitlines()) == 1 + 59
    status, _, err = run_main("predict", tmp_path / "out", data)
    one_error_line(status, err, "missing", "column(s) b")


def test_absurd_n_alphas_is_refused_with_the_cap_in_help(tmp_path, frame):
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    status, _, err = run_main(
        "fit", data, "--target", "y", "--n-alphas", 100_000_000, "--out", tmp_path / "o"
    )
    one_error_line(status, err, "--n-alphas", "10000", "100000000")
    assert "2 to 10000" in _help("fit")


def test_eps_sets_the_end_of_the_path(tmp_path, frame):
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    for eps in (0.1, 0.001):
        out = tmp_path / f"o{eps}"
        status, _, err = _fit(data, out, "--cv", 5, "--eps", eps, "--quiet")
        assert status == 0, err
        alphas = pd.read_csv(out / "cv.csv")["alpha"].to_numpy()
        assert alphas[-1] / alphas[0] == pytest.approx(eps, rel=1e-9)
    status, _, err = _fit(data, tmp_path / "bad", "--eps", 2)
    one_error_line(status, err, "--eps must lie in (0, 1)")


def test_predict_at_another_alpha_reads_the_path(tmp_path, frame):
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    assert _fit(data, out, "--cv", 5, "--quiet")[0] == 0
    doc = json.loads((out / "model.json").read_text())
    path = doc["path"]
    alphas = np.asarray(path["alphas"])
    X = frame[doc["design_columns"]].to_numpy()

    def by_hand(i, j, t):
        def coef(k):
            c = path["coefficients"][k][0]
            return np.array([c.get(n, 0.0) for n in doc["design_columns"]])

        w = (1 - t) * coef(i) + t * coef(j)
        b = (1 - t) * path["intercepts"][i][0] + t * path["intercepts"][j][0]
        return X @ w + b

    def predicted(*extra):
        status, text, err = run_main("predict", out, data, *extra)
        assert status == 0, err
        return pd.read_csv(pd.io.common.StringIO(text))["prediction"].to_numpy()

    np.testing.assert_allclose(predicted("--alpha", alphas[7]), by_hand(7, 7, 0))
    mid = np.sqrt(alphas[7] * alphas[8])  # halfway in log alpha
    np.testing.assert_allclose(predicted("--alpha", mid), by_hand(7, 8, 0.5))
    # The fitted alpha is a grid point: the same as no --alpha.
    np.testing.assert_allclose(
        predicted("--alpha", doc["fit"]["alpha"]), predicted(), rtol=1e-12
    )
    # Above alpha_max: every coefficient zero, the intercept-only fit.
    top = predicted("--alpha", 10 * alphas[0])
    assert np.ptp(top) == 0
    status, _, err = run_main("predict", out, data, "--alpha", alphas[-1] / 2)
    one_error_line(status, err, "below the smallest alpha", "fit --alpha")


def _help(command):
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command].format_help()


def _subparsers():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices


@pytest.mark.parametrize(
    "command", ["fit", "predict", "explain", "path", "select", "demo"]
)
def test_help_states_every_default(command):
    sub = _subparsers()[command]
    formatter = sub._get_formatter()
    for action in sub._actions:
        if not action.option_strings or action.required:
            continue
        if isinstance(action, argparse._HelpAction | argparse._StoreTrueAction):
            continue  # a flag is off unless given
        text = formatter._expand_help(action)
        assert "default" in text, (command, action.option_strings, text)
        if action.default is not None:
            assert str(action.default) in text, (command, action.option_strings)


def test_help_states_the_cv_folds():
    text = " ".join(_help("fit").split())
    assert "shuffled" in text and "--seed" in text and "(default: 10)" in text
    assert "seed of the shuffle of the CV folds (default: 0)" in text


def test_unnamed_header_cells_are_not_duplicates(tmp_path, frame):
    data = tmp_path / "indexed.csv"
    frame.to_csv(data)  # an unnamed index column
    text = data.read_text()
    data.write_text("," + text)  # and a second unnamed column
    lines = data.read_text().splitlines()
    data.write_text("\n".join([lines[0]] + ["0," + line for line in lines[1:]]))
    status, _, err = _fit(data, tmp_path / "out", "--alpha", 0.1, "--quiet")
    assert status == 0, err
