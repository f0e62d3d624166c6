"""Published numbers on real data."""

import numpy as np
import pytest

from sparsefit import Lasso
from sparsefit.datasets import load_prostate


def test_prostate_least_squares_is_esl_table_3_3():
    """ESL Table 3.3: standardise over all 97 rows (ddof=1), fit on the 67."""
    data = load_prostate()
    X = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0, ddof=1)
    train = data.train
    model = Lasso(alpha=0.0, tol=1e-12).fit(X[train], data.y[train])
    published = dict(
        lcavol=0.680,
        lweight=0.263,
        age=-0.141,
        lbph=0.210,
        svi=0.305,
        lcp=-0.288,
        gleason=-0.021,
        pgg45=0.267,
    )
    coef = dict(zip(data.feature_names, model.coef_, strict=True))
    for name, value in published.items():
        assert coef[name] == pytest.approx(value, abs=5e-4), name
    assert model.intercept_ == pytest.approx(2.465, abs=5e-4)
    test_error = np.mean((model.predict(X[~train]) - data.y[~train]) ** 2)
    assert test_error == pytest.approx(0.521, abs=5e-4)


def test_prostate_lasso_is_close_to_the_books_column():
    """A loose check (the book's alpha came from its own CV folds)."""
    data = load_prostate()
    X = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0, ddof=1)
    model = Lasso(alpha=0.2).fit(X[data.train], data.y[data.train])
    coef = dict(zip(data.feature_names, model.coef_, strict=True))
    assert coef["lcavol"] == pytest.approx(0.533, abs=0.02)
    assert coef["lweight"] == pytest.approx(0.169, abs=0.03)
    assert coef["age"] == coef["lcp"] == coef["gleason"] == 0


def test_demo_runs(capsys):
    from sparsefit.demo import main

    main()
    out = capsys.readouterr().out
    assert "certified gap" in out and "dropped" in out
