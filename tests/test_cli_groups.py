"""``sparsefit fit --group-one-hot`` and ``--groups FILE``: the group lasso
from the command line, and one clear line for each mistake."""

import numpy as np
import pandas as pd
import pytest

from .cli_helpers import one_error_line, run_main


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("groups")
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame(
        {
            "age": rng.normal(50, 10, n),
            "site": rng.choice(["a", "b", "c"], n),
            "noise": rng.choice(["x", "y", "z"], n),
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "x3": rng.normal(size=n),
        }
    )
    site = frame["site"].map({"a": 0.0, "b": 2.0, "c": -1.0})
    frame["y"] = 0.05 * frame["age"] + site + frame["x1"] - frame["x2"]
    frame["y"] += 0.3 * rng.normal(size=n)
    path = folder / "g.csv"
    frame.to_csv(path, index=False)
    groups = folder / "groups.csv"
    pd.DataFrame(
        {"feature": ["x1", "x2", "x3", "site", "noise"], "group": list("xxzss")}
    ).to_csv(groups, index=False)
    return path, groups


def _coefficients(out):
    table = pd.read_csv(out / "coefficients.csv").set_index("feature")
    return table["coef"]


def _groups_whole(coef, members):
    nonzero = [coef[m] != 0 for m in members]
    return all(nonzero) or not any(nonzero)


def test_group_one_hot_keeps_levels_together(data, tmp_path):
    path, _ = data
    status, _, err = run_main(
        "fit",
        path,
        "--target",
        "y",
        "--group-one-hot",
        "--alpha",
        0.1,
        "--out",
        tmp_path / "o",
        "--quiet",
    )
    assert status == 0, err
    coef = _coefficients(tmp_path / "o")
    site = ["site=a", "site=b", "site=c"]
    noise = ["noise=x", "noise=y", "noise=z"]
    assert all(coef[m] != 0 for m in site)
    assert all(coef[m] == 0 for m in noise)


def test_group_file_and_cross_validation(data, tmp_path):
    path, groups = data
    status, _, err = run_main(
        "fit",
        path,
        "--target",
        "y",
        "--one-hot",
        "--groups",
        groups,
        "--cv",
        4,
        "--n-alphas",
        20,
        "--out",
        tmp_path / "o",
        "--quiet",
    )
    assert status == 0, err
    coef = _coefficients(tmp_path / "o")
    # The file's groups: x1 and x2 together, site and noise levels together.
    assert _groups_whole(coef, ["x1", "x2"])
    levels = ["site=a", "site=b", "site=c", "noise=x", "noise=y", "noise=z"]
    assert _groups_whole(coef, levels)


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["--sparse-group", "0.5"], ["--sparse-group needs --groups"]),
        (["--group-one-hot", "--l1-ratio", "0.5"], ["--l1-ratio does not apply"]),
        (["--group-one-hot", "--sparse-group", "1"], ["--sparse-group must lie"]),
        (["--group-one-hot", "--family", "poisson"], ["not poisson"]),
    ],
)
def test_option_mistakes(data, tmp_path, extra, fragments):
    path, _ = data
    proc = _run(path, tmp_path, "--alpha", "0.1", *extra)
    one_error_line(*proc[:1], proc[2], *fragments)


def test_group_file_mistakes(data, tmp_path):
    path, _ = data
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"feature": ["x1", "x9"], "group": ["a", "b"]}).to_csv(
        bad, index=False
    )
    status, _, err = _run(
        path, tmp_path, "--alpha", "0.1", "--one-hot", "--groups", bad
    )
    one_error_line(status, err, "row 3", "'x9' is not a feature")
    pd.DataFrame({"name": ["x1"], "group": ["a"]}).to_csv(bad, index=False)
    status, _, err = _run(
        path, tmp_path, "--alpha", "0.1", "--one-hot", "--groups", bad
    )
    one_error_line(status, err, "needs the columns feature,group")


def _run(path, tmp_path, *extra):
    return run_main("fit", path, "--target", "y", "--out", tmp_path / "o", *extra)


def test_binomial_group_lasso_is_cross_validated(data, tmp_path):
    """Without --alpha, the logistic group lasso takes its alpha from
    GroupLogisticRegressionCV, like the least-squares one."""
    path, groups = data
    frame = pd.read_csv(path)
    frame["y"] = (frame["y"] > frame["y"].median()).astype(int)
    binary = tmp_path / "b.csv"
    frame.to_csv(binary, index=False)
    status, _, err = run_main(
        "fit",
        binary,
        "--target",
        "y",
        "--family",
        "binomial",
        "--one-hot",
        "--groups",
        groups,
        "--cv",
        3,
        "--n-alphas",
        15,
        "--out",
        tmp_path / "o",
        "--quiet",
    )
    assert status == 0, err
    coef = _coefficients(tmp_path / "o")
    assert _groups_whole(coef, ["x1", "x2"])
    assert coef["x1"] != 0
    assert (tmp_path / "o" / "cv.csv").exists()
