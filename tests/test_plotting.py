"""plot_path and plot_cv: what they draw, where, and what they refuse."""

import matplotlib

matplotlib.use("Agg")

import sys  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from sklearn.datasets import load_diabetes  # noqa: E402

from sparsefit import cross_validate_path, lasso_path  # noqa: E402
from sparsefit.plotting import plot_cv, plot_path  # noqa: E402

from .conftest import make_problem  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True, as_frame=True)


@pytest.fixture(scope="module")
def path(diabetes):
    X, y = diabetes
    return lasso_path(X, y, n_alphas=60, progress=False)


@pytest.fixture(scope="module")
def cv_result(diabetes):
    X, y = diabetes
    return cross_validate_path(X, y, cv=5, n_alphas=60, progress=False)


def traces(ax):
    """The coefficient traces: the lines labelled with a feature name."""
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def top_axis(ax):
    (secondary,) = ax.child_axes
    return secondary


def active_features(path):
    coefs = path.coefs.toarray()
    return np.flatnonzero(np.abs(coefs).max(axis=1) > 0)


def label_texts(ax):
    return [t.get_text() for t in ax.texts]


# plot_path ------------------------------------------------------------------


@pytest.mark.parametrize("xaxis", ["log_alpha", "l1_norm", "dev_ratio"])
def test_plot_path_draws_one_trace_per_feature_ever_nonzero(path, xaxis):
    ax = plot_path(path, xaxis=xaxis)
    assert isinstance(ax, Axes)
    active = active_features(path)
    lines = traces(ax)
    assert len(lines) == active.size == 10
    assert [line.get_label() for line in lines] == [
        path.feature_names[j] for j in active
    ]
    coefs = path.coefs.toarray()
    for line, j in zip(lines, active, strict=True):
        np.testing.assert_allclose(line.get_ydata(), coefs[j])
    # A thin horizontal line at zero.
    zero = [line for line in ax.get_lines() if line not in lines]
    assert len(zero) == 1
    np.testing.assert_array_equal(zero[0].get_ydata(), [0, 0])
    assert ax.get_xlabel() and ax.get_ylabel() == "coefficients"


def test_plot_path_counts_only_features_that_enter(problem):
    X, y = make_problem(3, 50, 40, n_true=4)
    path = lasso_path(X, y, n_alphas=30, eps=0.05, progress=False)
    active = active_features(path)
    assert 0 < active.size < X.shape[1]
    ax = plot_path(path, n_labels=3)
    assert len(traces(ax)) == active.size
    # Without feature names the labels are x{j}.
    assert set(line.get_label() for line in traces(ax)) == {f"x{j}" for j in active}


def test_log_alpha_x_data_and_reversed_axis(path):
    ax = plot_path(path)
    for line in traces(ax):
        np.testing.assert_allclose(line.get_xdata(), np.log10(path.alphas))
    assert ax.xaxis_inverted()
    left, right = ax.get_xlim()
    assert left > right  # the largest alpha on the left
    assert "log" in ax.get_xlabel()


def test_l1_norm_x_data(path):
    ax = plot_path(path, xaxis="l1_norm")
    l1 = np.abs(path.coefs.toarray()).sum(axis=0)
    for line in traces(ax):
        np.testing.assert_allclose(line.get_xdata(), l1)
    assert not ax.xaxis_inverted()
    assert "L1" in ax.get_xlabel()


def test_dev_ratio_x_data(path):
    ax = plot_path(path, xaxis="dev_ratio")
    for line in traces(ax):
        np.testing.assert_allclose(line.get_xdata(), path.dev_ratio)
    assert "deviance" in ax.get_xlabel()


@pytest.mark.parametrize("xaxis", ["log_alpha", "l1_norm", "dev_ratio"])
def test_top_axis_shows_degrees_of_freedom(path, xaxis):
    ax = plot_path(path, xaxis=xaxis)
    secondary = top_axis(ax)
    assert "degrees of freedom" in secondary.get_xlabel()
    ticks = secondary.get_xticks()
    labels = [t.get_text() for t in secondary.get_xticklabels()]
    assert 2 <= len(ticks) == len(labels)
    x = traces(ax)[0].get_xdata()
    for tick, label in zip(ticks, labels, strict=True):
        assert x.min() - 1e-9 <= tick <= x.max() + 1e-9
        nearest = int(np.argmin(np.abs(x - tick)))
        assert label == str(path.n_nonzero[nearest])
    # It follows the main axis, reversed alpha axis included.
    ax.figure.canvas.draw()
    np.testing.assert_allclose(secondary.get_xlim(), ax.get_xlim())


def test_labels_name_the_largest_final_coefficients(path):
    end = path.coefs.toarray()[:, -1]
    order = np.argsort(-np.abs(end))
    ax = plot_path(path, n_labels=4)
    texts = ax.texts
    assert sorted(label_texts(ax)) == sorted(path.feature_names[j] for j in order[:4])
    for text in texts:
        x, _ = text.get_position()
        assert x > 1  # just right of the axes, in axes fraction
        assert text.get_transform() is not ax.transData
    # Each label has its trace's colour.
    colors = {line.get_label(): line.get_color() for line in traces(ax)}
    for text in texts:
        assert text.get_color() == colors[text.get_text()]


def test_labels_do_not_overlap(path):
    ax = plot_path(path, n_labels=10)
    assert len(ax.texts) == 10
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = sorted(
        (t.get_window_extent(renderer) for t in ax.texts), key=lambda b: b.y0
    )
    for lower, upper in zip(boxes[:-1], boxes[1:], strict=True):
        assert upper.y0 >= lower.y1 - 0.5


def test_label_counts(path):
    assert len(plot_path(path, n_labels=0).texts) == 0
    assert len(plot_path(path, n_labels=3).texts) == 3
    # More labels than features: every feature non-zero at the end, once.
    assert len(plot_path(path, n_labels=50).texts) == 10


def test_draws_into_an_existing_ax(path):
    fig, (ax1, ax2) = plt.subplots(1, 2)
    ax1.plot([0, 1], [0, 1], label="mine")
    assert plot_path(path, ax=ax1, title="path") is ax1
    assert len(traces(ax1)) == 10 + 1
    assert ax1.get_title() == "path"
    assert len(traces(ax2)) == 0
    assert ax1.figure is fig and len(plt.get_fignums()) == 1


def test_colors(path):
    ax = plot_path(path, colors="black")
    assert {line.get_color() for line in traces(ax)} == {"black"}
    ax = plot_path(path, colors=["red", "blue"])
    assert [line.get_color() for line in traces(ax)][:4] == ["red", "blue"] * 2
    ax = plot_path(path, colors=[(0, 0, 0), (1, 0, 0)])
    assert traces(ax)[1].get_color() == (1, 0, 0)


def test_path_without_active_feature_plots_nothing_but_the_axis(path, diabetes):
    X, y = diabetes
    empty = lasso_path(X, y, alphas=[2 * path.alphas[0]], progress=False)
    ax = plot_path(empty)
    assert traces(ax) == [] and len(ax.texts) == 0


def test_zero_alpha_is_left_out_of_the_log_axis():
    X, y = make_problem(1, 60, 5)
    path = lasso_path(X, y, alphas=[1.0, 0.1, 0.0], progress=False)
    ax = plot_path(path)
    for line in traces(ax):
        np.testing.assert_allclose(line.get_xdata(), [0.0, -1.0])
    # Every point on the other axes.
    assert len(traces(plot_path(path, xaxis="l1_norm"))[0].get_xdata()) == 3
    zero_only = lasso_path(X, y, alphas=[0.0], progress=False)
    with pytest.raises(ValueError, match="positive alpha"):
        plot_path(zero_only)


def test_path_plot_method_delegates(path):
    ax = path.plot(xaxis="l1_norm", n_labels=2)
    assert len(traces(ax)) == 10 and len(ax.texts) == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"xaxis": "alpha"}, "xaxis"),
        ({"xaxis": None}, "xaxis"),
        ({"n_labels": -1}, "n_labels"),
        ({"n_labels": 1.5}, "n_labels"),
        ({"n_labels": True}, "n_labels"),
        ({"colors": "not-a-colour"}, "colors"),
        ({"colors": ["red", "nope"]}, "colors"),
        ({"colors": []}, "colors"),
        ({"colors": 3}, "colors"),
        ({"title": 3}, "title"),
        ({"ax": "axes"}, "ax must"),
    ],
)
def test_plot_path_rejects_bad_arguments(path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_path(path, **kwargs)


def test_plot_path_rejects_other_objects(cv_result):
    with pytest.raises(ValueError, match="path must be a PathResult"):
        plot_path(cv_result)
    with pytest.raises(ValueError, match="path must be a PathResult"):
        plot_path(np.zeros((3, 4)))


# plot_cv --------------------------------------------------------------------


def errorbars(ax):
    (container,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    return container


def vertical_lines(ax):
    return {
        line.get_label(): line
        for line in ax.get_lines()
        if line.get_label() in ("alpha_min", "alpha_1se")
    }


def test_plot_cv_draws_mean_with_standard_errors(cv_result):
    ax = plot_cv(cv_result)
    assert isinstance(ax, Axes)
    container = errorbars(ax)
    data_line, _, (bars,) = container.lines
    x = np.log10(cv_result.alphas)
    np.testing.assert_allclose(data_line.get_xdata(), x)
    np.testing.assert_allclose(data_line.get_ydata(), cv_result.cv_mean)
    segments = np.asarray(bars.get_segments())  # (n_alphas, 2 ends, (x, y))
    np.testing.assert_allclose(segments[:, 0, 0], x)
    half = (segments[:, 1, 1] - segments[:, 0, 1]) / 2
    np.testing.assert_allclose(half, cv_result.cv_std, rtol=1e-12, atol=1e-9)
    centre = (segments[:, 1, 1] + segments[:, 0, 1]) / 2
    np.testing.assert_allclose(centre, cv_result.cv_mean)
    assert ax.xaxis_inverted()


def test_plot_cv_marks_alpha_min_and_alpha_1se(cv_result):
    assert cv_result.alpha_min != cv_result.alpha_1se
    ax = plot_cv(cv_result)
    lines = vertical_lines(ax)
    assert set(lines) == {"alpha_min", "alpha_1se"}
    for name, alpha in [
        ("alpha_min", cv_result.alpha_min),
        ("alpha_1se", cv_result.alpha_1se),
    ]:
        line = lines[name]
        np.testing.assert_allclose(line.get_xdata(), [np.log10(alpha)] * 2)
        assert line.get_linestyle() == "--"
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["alpha_min", "alpha_1se"]


def test_plot_cv_labels_and_top_axis(cv_result):
    ax = plot_cv(cv_result, title="CV")
    assert ax.get_ylabel() == "mean squared error (CV)"
    assert "log" in ax.get_xlabel()
    assert ax.get_title() == "CV"
    secondary = top_axis(ax)
    assert "non-zero" in secondary.get_xlabel()
    x = np.log10(cv_result.path.alphas)
    labels = [t.get_text() for t in secondary.get_xticklabels()]
    assert len(labels) >= 2
    for tick, label in zip(secondary.get_xticks(), labels, strict=True):
        nearest = int(np.argmin(np.abs(x - tick)))
        assert label == str(cv_result.path.n_nonzero[nearest])


def test_plot_cv_names_other_scorings(diabetes):
    X, y = diabetes
    cv = cross_validate_path(X, y, cv=3, n_alphas=20, scoring="mae", progress=False)
    assert plot_cv(cv).get_ylabel() == "mean absolute error (CV)"


def test_plot_cv_draws_into_an_existing_ax_and_method_delegates(cv_result):
    fig, ax = plt.subplots()
    assert plot_cv(cv_result, ax=ax) is ax
    assert len(plt.get_fignums()) == 1
    ax2 = cv_result.plot(title="again")
    assert ax2 is not ax and ax2.get_title() == "again"
    assert set(vertical_lines(ax2)) == {"alpha_min", "alpha_1se"}


def test_plot_cv_rejects_bad_arguments(cv_result, path):
    with pytest.raises(ValueError, match="cv_result must be a CVResult"):
        plot_cv(path)
    with pytest.raises(ValueError, match="cv_result must be a CVResult"):
        plot_cv({"alphas": [1.0]})
    with pytest.raises(ValueError, match="ax must"):
        plot_cv(cv_result, ax=object())
    with pytest.raises(ValueError, match="title"):
        plot_cv(cv_result, title=["x"])


# Both -----------------------------------------------------------------------


def test_figures_save_as_png(path, cv_result, tmp_path):
    for name, ax in [("path.png", plot_path(path)), ("cv.png", plot_cv(cv_result))]:
        target = tmp_path / name
        ax.figure.savefig(target)
        data = target.read_bytes()
        assert len(data) > 1000
        assert data.startswith(PNG_SIGNATURE)


def test_missing_matplotlib_names_the_extra(path, cv_result, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install sparsefit\[plot\]"):
        plot_path(path)
    with pytest.raises(ImportError, match=r"pip install sparsefit\[plot\]"):
        plot_cv(cv_result)


def test_top_level_exports():
    import sparsefit

    assert sparsefit.plot_path is plot_path
    assert sparsefit.plot_cv is plot_cv
    assert {"plot_path", "plot_cv"} <= set(sparsefit.__all__)
