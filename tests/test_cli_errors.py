"""Every mistake a user can make gets one line on stderr and exit status 2.

The command runs in a subprocess on the bundled prostate data, altered
where a test needs a mistake in it.
"""

import json

import numpy as np
import pandas as pd
import pytest

from sparsefit.cli import main

from .cli_helpers import DATA, assert_ok, assert_usage_error, run_cli

PROSTATE = DATA / "prostate.csv"


@pytest.fixture(scope="module")
def frame():
    return pd.read_csv(PROSTATE)


def _fit(data, *extra, cwd):
    return run_cli("fit", data, "--alpha", 0.1, "--out", cwd / "out", *extra, cwd=cwd)


def test_missing_file(tmp_path):
    assert_usage_error(
        _fit(tmp_path / "nope.csv", "--target", "y", cwd=tmp_path),
        "no such file",
        "nope.csv",
    )


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("data.xlsx", b"PK\x03\x04", "unknown format '.xlsx'"),
        ("data.parquet", b"lpsa,age\n1,2\n", "cannot read"),
        ("data.csv", b"a,b\n1,2\n3,4,5,6\n", "cannot read"),
    ],
)
def test_unreadable_format(tmp_path, name, content, fragment):
    (tmp_path / name).write_bytes(content)
    assert_usage_error(_fit(tmp_path / name, "--target", "a", cwd=tmp_path), fragment)


def test_missing_target_suggests_the_closest_names(tmp_path, capsys):
    line = assert_usage_error(
        _fit(PROSTATE, "--target", "lpas", cwd=tmp_path), "'lpas'", "did you mean"
    )
    assert "'lpsa'" in line
    # The same check in-process for other spellings and other column options.
    for args, near in (
        (["--target", "LCAVOL"], "'lcavol'"),
        (["--target", "lpsa", "--exclude", "trian"], "'train'"),
        (["--target", "lpsa", "--features", "lcavol,agee"], "'age'"),
    ):
        assert main(["fit", str(PROSTATE), "--out", str(tmp_path), *args]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "did you mean" in err
        assert near in err


def test_non_numeric_columns_are_named(tmp_path, frame):
    bad = frame.assign(
        region=np.where(frame["age"] > 65, "north", "south"), site="clinic"
    )
    bad.to_csv(tmp_path / "d.csv", index=False)
    assert_usage_error(
        _fit(
            tmp_path / "d.csv", "--target", "lpsa", "--exclude", "train", cwd=tmp_path
        ),
        "non-numeric",
        "region, site",
        "--one-hot",
    )
    assert_ok(
        _fit(
            tmp_path / "d.csv",
            "--target",
            "lpsa",
            "--exclude",
            "train",
            "--one-hot",
            "--quiet",
            cwd=tmp_path,
        )
    )


def test_missing_values_name_rows_and_columns_and_can_be_dropped(tmp_path, frame):
    text = frame.to_csv(index=False).splitlines()
    # Data rows 3 and 7 (lines 4 and 8): an empty cell and a NaN.
    cells = text[3].split(",")
    cells[0] = ""
    text[3] = ",".join(cells)
    cells = text[7].split(",")
    cells[2] = "NaN"
    text[7] = ",".join(cells)
    (tmp_path / "d.csv").write_text("\n".join(text) + "\n")
    assert_usage_error(
        _fit(
            tmp_path / "d.csv", "--target", "lpsa", "--exclude", "train", cwd=tmp_path
        ),
        "2 row(s) 3, 7",
        "column(s) lcavol, age",
        "--drop-missing",
    )
    proc = assert_ok(
        _fit(
            tmp_path / "d.csv",
            "--target",
            "lpsa",
            "--exclude",
            "train",
            "--drop-missing",
            "--json",
            cwd=tmp_path,
        )
    )
    rows = json.loads(proc.stdout)["rows"]
    assert rows["dropped"] == [3, 7] and rows["used"] == 95 and rows["read"] == 97


def test_missing_target_value(tmp_path, frame):
    frame.assign(lpsa=frame["lpsa"].where(frame.index != 10)).to_csv(
        tmp_path / "d.csv", index=False
    )
    assert_usage_error(
        _fit(
            tmp_path / "d.csv", "--target", "lpsa", "--exclude", "train", cwd=tmp_path
        ),
        "row(s) 11",
        "column(s) lpsa",
    )


def test_constant_target(tmp_path, frame):
    frame.assign(lpsa=2.5).to_csv(tmp_path / "d.csv", index=False)
    assert_usage_error(
        _fit(
            tmp_path / "d.csv", "--target", "lpsa", "--exclude", "train", cwd=tmp_path
        ),
        "'lpsa' is constant",
    )


@pytest.mark.parametrize("n_rows", [0, 1])
def test_fewer_than_two_rows(tmp_path, frame, n_rows):
    frame.iloc[:n_rows].to_csv(tmp_path / "d.csv", index=False)
    assert_usage_error(
        _fit(
            tmp_path / "d.csv", "--target", "lpsa", "--exclude", "train", cwd=tmp_path
        ),
        f"{n_rows} row(s)",
        "at least two",
    )


def test_output_folder_with_results(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "model.json").write_text("{}")
    assert_usage_error(
        _fit(PROSTATE, "--target", "lpsa", "--exclude", "train", cwd=tmp_path),
        "already holds results (model.json)",
        "--force",
    )
    assert (tmp_path / "out" / "model.json").read_text() == "{}"
    # The file is the user's (sparsefit's manifest does not list it): even
    # --force leaves it alone.
    assert_usage_error(
        _fit(
            PROSTATE,
            "--target",
            "lpsa",
            "--exclude",
            "train",
            "--force",
            "--quiet",
            cwd=tmp_path,
        ),
        "model.json",
        "did not write",
    )
    assert (tmp_path / "out" / "model.json").read_text() == "{}"
    (tmp_path / "out" / "model.json").unlink()
    assert_ok(
        _fit(
            PROSTATE, "--target", "lpsa", "--exclude", "train", "--quiet", cwd=tmp_path
        )
    )
    assert_ok(
        _fit(
            PROSTATE,
            "--target",
            "lpsa",
            "--exclude",
            "train",
            "--force",
            "--quiet",
            cwd=tmp_path,
        )
    )
    assert json.loads((tmp_path / "out" / "model.json").read_text())["family"] == (
        "gaussian"
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--alpha", "-1"], "--alpha must be"),
        (["--cv", "1"], "--cv must be at least 2"),
        (["--cv", "200"], "--cv 200 needs at least 200 training rows"),
        (["--l1-ratio", "0"], "--l1-ratio must lie in (0, 1]"),
        (["--alpha", "0.1", "--cv", "5"], "not allowed with argument"),
        (["--family", "tweedie"], "invalid choice: 'tweedie'"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--exclude", "train,agee"], "'agee'"),
        (["--offset", "age"], "--offset needs --family poisson"),
    ],
)
def test_bad_options(tmp_path, capsys, args, fragment):
    # In-process (the same main() as the command) to keep the suite quick;
    # argparse's own errors exit through SystemExit.
    argv = ["fit", str(PROSTATE), "--target", "lpsa", "--exclude", "train"]
    argv += ["--out", str(tmp_path / "o"), *args]
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("sparsefit: error:")
    assert fragment in err
    assert not (tmp_path / "o").exists()


def test_predict_and_explain_mistakes(tmp_path, frame, capsys):
    assert_ok(
        _fit(
            PROSTATE, "--target", "lpsa", "--exclude", "train", "--quiet", cwd=tmp_path
        )
    )
    model = tmp_path / "out" / "model.json"
    frame.drop(columns=["lweight"]).to_csv(tmp_path / "new.csv", index=False)
    assert_usage_error(run_cli("predict", model, tmp_path / "new.csv"), "'lweight'")
    (tmp_path / "not_model.json").write_text('{"a": 1}')
    newer = json.loads(model.read_text()) | {"schema_version": 99}
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    # The other mistakes in-process, through the same main().
    for argv, fragments in (
        (
            ["predict", tmp_path / "not_model.json", PROSTATE],
            ["not a sparsefit model file"],
        ),
        (["predict", tmp_path / "newer.json", PROSTATE], ["schema version 99"]),
        (["predict", model, PROSTATE, "--out", model], ["--force"]),
        (["explain", model, "--feature", "lcavl"], ["'lcavl'", "'lcavol'"]),
    ):
        assert main([str(a) for a in argv]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert all(f in err for f in fragments), err
