"""Stability selection: the error bound, the record, determinism, families."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsefit.selection import SelectionRecord, StabilitySelection, error_bound


def _ar_design(rng, n, p, rho=0.5):
    """Rows with AR(rho) correlation between neighbouring columns."""
    Z = rng.standard_normal((n, p))
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    return X


def _problem(seed, n=100, p=40, s=4, family="gaussian"):
    rng = np.random.default_rng(seed)
    X = _ar_design(rng, n, p)
    w = np.zeros(p)
    w[rng.choice(p, s, replace=False)] = rng.choice([-1.0, 1.0], s) * 1.5
    z = X @ w
    if family == "gaussian":
        y = z + rng.standard_normal(n)
    elif family == "binomial":
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(int)
    else:
        y = rng.poisson(np.exp(0.3 * z))
    return X, y, np.flatnonzero(w)


# -- the bounds ---------------------------------------------------------------
def test_error_bound_formulas():
    # q = 5 of p = 100.  Plain: q^2 / ((2 tau - 1) p).
    assert error_bound(5, 100, 0.6) == (pytest.approx(1.25), "plain")
    # Shah and Samworth, Theorem 2 (unimodal), B = 50.
    bound, name = error_bound(5, 100, 0.6, n_pairs=50)
    assert name == "unimodal"
    assert bound == pytest.approx(25 / 100 / (2 * (0.2 - 0.01)))
    bound, name = error_bound(5, 100, 0.9, n_pairs=50)
    assert name == "unimodal"
    assert bound == pytest.approx(25 / 100 * 4 * (0.1 + 0.01) / 1.02)
    # Outside Theorem 2's range (theta > 1/sqrt(3)): the plain bound.
    assert error_bound(70, 100, 0.9, n_pairs=50)[1] == "plain"
    # At or below 1/2 no finite bound; nothing selected, nothing false.
    assert error_bound(5, 100, 0.5) == (np.inf, "plain")
    assert error_bound(0, 100, 0.5) == (0.0, "plain")


def test_threshold_rounds_up_to_the_frequency_grid():
    # With B = 10 pairs, frequencies move in steps of 1/20: 0.61 selects as 0.65.
    assert error_bound(5, 100, 0.61, n_pairs=10) == error_bound(
        5, 100, 0.65, n_pairs=10
    )


@pytest.mark.parametrize("pairs", [True, False])
def test_false_selections_within_the_bound(pairs):
    """Seeded simulation: the false selections, averaged over replicates,
    stay within the bound (each run's error_bound_, at most pfer = 1)."""
    false, bounds = [], []
    for rep in range(8):
        X, y, truth = _problem(100 + rep)
        sel = StabilitySelection(
            n_resamples=10,
            complementary_pairs=pairs,
            n_alphas=30,
            threshold=0.7,
            random_state=rep,
        ).fit(X, y)
        false.append(len(set(sel.support_) - set(truth)))
        bounds.append(sel.error_bound_)
        assert sel.error_bound_ <= 1.0
        assert len(set(truth) & set(sel.support_)) >= 2
    assert np.mean(false) <= np.mean(bounds)


def test_region_is_the_largest_within_pfer():
    X, y, _ = _problem(0)
    sel = StabilitySelection(n_resamples=10, n_alphas=30, random_state=0).fit(X, y)
    k = sel.region_index_
    p = X.shape[1]
    assert sel.error_bound_ == error_bound(sel.q_path_[k], p, 0.6, 10)[0] <= 1.0
    if k + 1 < len(sel.alphas_):
        assert error_bound(sel.q_path_[k + 1], p, 0.6, 10)[0] > 1.0
    # q grows as alpha falls.
    assert (np.diff(sel.q_path_) >= 0).all()
    looser = StabilitySelection(
        n_resamples=10, n_alphas=30, random_state=0, pfer=3.0
    ).fit(X, y)
    assert looser.region_index_ >= k and looser.error_bound_ <= 3.0


# -- the record and determinism ------------------------------------------------
def test_same_seed_same_selection_for_any_n_jobs():
    X, y, _ = _problem(1)
    kwargs = dict(n_resamples=8, n_alphas=20, random_state=7)
    one = StabilitySelection(n_jobs=1, **kwargs).fit(X, y)
    two = StabilitySelection(n_jobs=2, **kwargs).fit(X, y)
    np.testing.assert_array_equal(one.probabilities_, two.probabilities_)
    np.testing.assert_array_equal(one.support_, two.support_)
    for a, b in zip(one.subsamples_, two.subsamples_, strict=True):
        np.testing.assert_array_equal(a, b)
    other = StabilitySelection(n_resamples=8, n_alphas=20, random_state=8).fit(X, y)
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(one.subsamples_, other.subsamples_, strict=True)
    )


def test_record_contents():
    X, y, _ = _problem(2)
    sel = StabilitySelection(n_resamples=6, n_alphas=15, random_state=3).fit(X, y)
    assert sel.random_state_ == 3
    assert len(sel.subsamples_) == 12  # 6 complementary pairs
    n = X.shape[0]
    for first, second in zip(sel.subsamples_[::2], sel.subsamples_[1::2], strict=True):
        assert first.size == second.size == n // 2
        assert not set(first) & set(second)
    assert sel.n_fits_ == 12 * 15
    assert 0 < sel.max_gap_ <= 1e-4
    assert sel.not_converged_ == []
    assert sel.probabilities_.shape == (X.shape[1], 15)
    mb = StabilitySelection(
        n_resamples=6, n_alphas=15, complementary_pairs=False, random_state=3
    ).fit(X, y)
    assert len(mb.subsamples_) == 6 and mb.bound_ == "plain"


def test_no_seed_records_the_entropy_drawn():
    X, y, _ = _problem(3)
    first = StabilitySelection(n_resamples=4, n_alphas=10).fit(X, y)
    again = StabilitySelection(
        n_resamples=4, n_alphas=10, random_state=first.random_state_
    ).fit(X, y)
    np.testing.assert_array_equal(first.probabilities_, again.probabilities_)


class _FakePath:
    dual_gaps = np.array([1e-6, 5e-3, 2e-6])
    gap_tols = np.array([1e-5, 1e-5, 1e-5])


def test_not_converged_fits_are_named_counted_and_warned():
    record = SelectionRecord()
    record._reset_record(0, [])
    record._add_path(_FakePath(), 1e-4, "subsample 17")
    assert record.not_converged_ == ["subsample 17, alpha index 1"]
    assert record.n_fits_ == 3
    assert record.max_gap_ == pytest.approx(1e-4 * 5e-3 / 1e-5)
    with pytest.warns(ConvergenceWarning, match="1 of 3 fits.*subsample 17"):
        record._warn_not_converged()
    record._add_fit(2e-5, 1e-5, 1e-4, "nodewise regression 3")
    record._add_fit(1e-6, 1e-5, 1e-4, "nodewise regression 4")
    assert record.not_converged_[-1] == "nodewise regression 3"
    assert record.n_fits_ == 5 and len(record.not_converged_) == 2


def test_to_frame_one_row_per_feature():
    import pandas as pd

    X, y, truth = _problem(4)
    frame_X = pd.DataFrame(X, columns=[f"g{j}" for j in range(X.shape[1])])
    sel = StabilitySelection(n_resamples=6, n_alphas=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sel.fit(frame_X, y)
    frame = sel.to_frame()
    assert list(frame.columns) == [
        "feature",
        "max_probability",
        "alpha_at_threshold",
        "selected",
    ]
    assert frame["feature"].tolist() == list(frame_X.columns)
    assert np.flatnonzero(frame["selected"]).tolist() == sel.support_.tolist()
    assert (frame.loc[frame.selected, "max_probability"] >= 0.6).all()


# -- families ------------------------------------------------------------------
@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_glm_families_find_the_signal(family):
    X, y, truth = _problem(5, n=200, p=60, s=3, family=family)
    sel = StabilitySelection(family, n_resamples=8, n_alphas=25, random_state=0).fit(
        X, y
    )
    assert set(sel.support_) <= set(truth) and len(sel.support_) >= 2
    assert sel.not_converged_ == [] and sel.max_gap_ <= 1e-4


def test_multinomial_selects_a_feature_when_its_row_is_nonzero():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((240, 40))
    y = np.argmax(X[:, :3] * 3 + rng.gumbel(size=(240, 3)), axis=1)
    y = np.array(["a", "b", "c"])[y]
    sel = StabilitySelection(
        "multinomial", n_resamples=6, n_alphas=25, random_state=0
    ).fit(X, y)
    assert sel.support_.tolist() == [0, 1, 2]
    assert sel.classes_.tolist() == ["a", "b", "c"]
    for rows in sel.subsamples_:  # every half holds every class
        assert set(y[rows]) == {"a", "b", "c"}


# -- bad input -----------------------------------------------------------------
@pytest.mark.parametrize("threshold", [0.0, 1.0, 1.2, -0.1, "0.6", None])
def test_threshold_outside_unit_interval(threshold):
    X, y, _ = _problem(0)
    with pytest.raises(ValueError, match=r"threshold must lie in \(0, 1\)"):
        StabilitySelection(threshold=threshold).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"family": "gamma"}, "family must be one of"),
        ({"n_resamples": 0}, "n_resamples must be >= 1"),
        ({"n_alphas": 1}, "n_alphas must be >= 2"),
        ({"pfer": 0.0}, "pfer"),
        ({"random_state": -1}, "random_state must be >= 0"),
        ({"random_state": "x"}, "random_state must be an int"),
    ],
)
def test_bad_parameters(params, match):
    X, y, _ = _problem(0)
    with pytest.raises(ValueError, match=match):
        StabilitySelection(**params).fit(X, y)


def test_plot_stability():
    import matplotlib

    matplotlib.use("Agg")
    X, y, _ = _problem(0)
    sel = StabilitySelection(n_resamples=4, n_alphas=15, random_state=0).fit(X, y)
    ax = sel.plot_stability(title="stability")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("threshold 0.6") for t in labels)
    assert any(t.startswith("region: E[V] <=") for t in labels)
    with pytest.raises(ValueError, match="fitted StabilitySelection"):
        from sparsefit.plotting import plot_stability

        plot_stability(StabilitySelection())


def test_offset_is_kept_out_of_the_selection():
    """Poisson counts over exposures that track feature 1: without the
    offset feature 1 stands in for the exposure; with log-exposure as the
    offset only the real signal, feature 0, is selected."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 20))
    log_exposure = 1.5 * X[:, 1]
    y = rng.poisson(np.exp(log_exposure + 0.8 * X[:, 0]))
    kwargs = dict(n_resamples=10, n_alphas=30, random_state=0)
    with_offset = StabilitySelection("poisson", **kwargs).fit(X, y, offset=log_exposure)
    without = StabilitySelection("poisson", **kwargs).fit(X, y)
    assert with_offset.support_.tolist() == [0]
    assert 1 in without.support_
    # The half paths see the offset too: the exposure's feature never enters.
    assert with_offset.probabilities_[1, : with_offset.region_index_ + 1].max() < 0.6


def test_offset_of_the_wrong_length_is_refused():
    X, y, _ = _problem(0, n=40, p=5)
    with pytest.raises(ValueError, match="offset has 39 rows"):
        StabilitySelection(n_resamples=2).fit(X, y, offset=np.zeros(39))


def test_cox_family_selects_karnofsky_on_veteran():
    # The Karnofsky performance score is the veterans' trial's dominant
    # predictor of survival (Kalbfleisch and Prentice 1980): the survival
    # family's subsample paths must find it, and only features with support.
    from sparsefit.datasets import load_veteran

    data = load_veteran()
    sel = StabilitySelection("cox", n_resamples=10, n_alphas=20, random_state=0).fit(
        data.X, data.y
    )
    names = [data.feature_names[j] for j in sel.support_]
    assert "karno" in names
    assert sel.probabilities_.max(axis=1)[data.feature_names.index("karno")] >= 0.9


@pytest.mark.parametrize(
    ("family", "standardize", "weighted"),
    [
        ("gaussian", True, True),
        ("binomial", False, False),
        ("multinomial", True, False),
    ],
)
def test_probabilities_and_gaps_are_those_of_compute_path(
    family, standardize, weighted
):
    """Each half's supports and certificates are those of compute_path on
    the half, with its weights and the whole data's grid and classes."""
    from sparsefit import compute_path
    from sparsefit._families import FAMILIES
    from sparsefit.penalties import ElasticNetPenalty

    X, y, _ = _problem(2, n=60, p=15, family=family)
    if family == "multinomial":
        y = np.digitize(X[:, 0] - X[:, 3], [-0.5, 0.5])
    sw = np.random.default_rng(1).uniform(0.5, 2.0, 60) if weighted else None
    sel = StabilitySelection(
        family, n_resamples=4, n_alphas=15, standardize=standardize, random_state=0
    ).fit(X, y, sample_weight=sw)
    counts, gaps = np.zeros((15, 15)), []
    for rows in sel.subsamples_:
        path = compute_path(
            X[rows],
            y[rows],
            FAMILIES[family]().with_weights(None if sw is None else sw[rows]),
            ElasticNetPenalty(1.0, 1.0),
            alphas=sel.alphas_,
            standardize=standardize,
            progress=False,
            classes=sel.classes_,
        )
        coefs = np.abs(path.coefs.toarray()).reshape(-1, 15, 15).sum(axis=0)
        counts += coefs != 0
        gaps.append(np.max(1e-4 * path.dual_gaps / path.gap_tols))
    np.testing.assert_array_equal(sel.probabilities_, counts / len(sel.subsamples_))
    assert sel.max_gap_ == pytest.approx(max(gaps), rel=1e-12)
    assert sel.n_fits_ == 15 * len(sel.subsamples_)
