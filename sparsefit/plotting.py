"""Plots of a regularisation path and of its cross-validation curve.

Both functions draw with matplotlib's object-oriented API into an existing
``Axes`` when one is given; only when ``ax`` is None do they create a figure,
with ``matplotlib.pyplot.subplots``.  matplotlib is an optional dependency
(``pip install sparsefit[plot]``), imported when a function is called.
"""

import numbers

import numpy as np

__all__ = ["plot_path", "plot_cv", "plot_stability"]

_XAXES = {
    "log_alpha": r"$\log_{10}(\alpha)$",
    "l1_norm": "L1 norm of the coefficients",
    "dev_ratio": "fraction of deviance explained",
}

_SCORING_NAMES = {
    "mse": "mean squared error",
    "mae": "mean absolute error",
    "deviance": "deviance",
    "r2": "$R^2$",
}

#: How many ticks the top "degrees of freedom" axis gets, at most.
_N_DF_TICKS = 8


def _require_matplotlib():
    """Import matplotlib, or explain how to install it."""
    try:
        import matplotlib
        from matplotlib.axes import Axes
    except ImportError as exc:
        raise ImportError(
            "sparsefit's plotting functions need matplotlib, which is not "
            "installed; install it with `pip install sparsefit[plot]` (or "
            "`pip install matplotlib`)."
        ) from exc
    return matplotlib, Axes


def _get_axes(ax, Axes):
    """``ax`` itself, or the Axes of a new figure when ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
        return ax
    if not isinstance(ax, Axes):
        raise ValueError(
            f"ax must be a matplotlib Axes or None, got {type(ax).__name__}."
        )
    return ax


def _check_title(title):
    if title is not None and not isinstance(title, str):
        raise ValueError(f"title must be a string or None, got {title!r}.")


def _log_alpha(alphas, name):
    """``log10(alphas)`` on the positive alphas, and the mask of those."""
    alphas = np.asarray(alphas, dtype=float)
    keep = alphas > 0
    if not keep.any():
        raise ValueError(
            f"{name} has no positive alpha; a log10(alpha) axis needs at least one."
        )
    return np.log10(alphas[keep]), keep


def _df_axis(ax, x, df, label):
    """A top x-axis showing ``df`` under the main axis's ticks.

    Each of the main axis's major ticks inside the range of ``x`` gets the
    ``df`` of the nearest grid point (glmnet's top axis).  The secondary axis
    maps x to itself, so it follows the main axis's limits and direction (an
    inverted alpha axis included).
    """
    x = np.asarray(x, dtype=float)
    df = np.asarray(df)
    secondary = ax.secondary_xaxis("top")
    if x.size:
        ax.autoscale_view()
        low, high = x.min(), x.max()
        slack = 1e-9 * max(high - low, 1.0)
        ticks = np.asarray(ax.get_xticks(), dtype=float)
        ticks = ticks[(ticks >= low - slack) & (ticks <= high + slack)]
        if ticks.size > _N_DF_TICKS:
            step = int(np.ceil(ticks.size / _N_DF_TICKS))
            ticks = ticks[::step]
        if ticks.size < 2:
            ticks = np.unique([low, high])
        index = [int(np.argmin(np.abs(x - t))) for t in ticks]
        secondary.set_xticks(ticks, labels=[str(int(df[i])) for i in index])
    secondary.set_xlabel(label)
    return secondary


def _spread(wanted, gap):
    """Positions close to ``wanted`` (sorted ascending) at least ``gap`` apart.

    Overlapping labels are merged into groups, each centred on the mean of
    what its members want, until no two groups overlap.
    """
    groups = [[w, 1] for w in wanted]  # [centre wanted by the group, size]
    merged = True
    while merged:
        merged = False
        out = [groups[0]]
        for centre, size in groups[1:]:
            prev_centre, prev_size = out[-1]
            prev_top = prev_centre + (prev_size - 1) * gap / 2
            bottom = centre - (size - 1) * gap / 2
            if bottom - prev_top < gap:
                total = prev_size + size
                out[-1] = [(prev_centre * prev_size + centre * size) / total, total]
                merged = True
            else:
                out.append([centre, size])
        groups = out
    positions = []
    for centre, size in groups:
        positions.extend(centre + (np.arange(size) - (size - 1) / 2) * gap)
    return np.asarray(positions)


def _label_ends(ax, ends, names, colors, fontsize):
    """Write ``names`` just right of the axes, at heights near ``ends``.

    Labels are moved apart vertically, as little as needed, so that they do
    not overlap; each takes the colour of its trace.
    """
    if not len(ends):
        return []
    ax.autoscale_view()
    y_low, y_high = ax.get_ylim()
    span = (y_high - y_low) or 1.0
    height_px = max(ax.bbox.height, 1.0)
    text_px = fontsize * ax.figure.dpi / 72.0
    gap = 1.3 * text_px / height_px  # in axes fraction; layout may shrink the axes
    order = np.argsort(ends)
    wanted = (np.asarray(ends, dtype=float)[order] - y_low) / span
    placed = _spread(list(wanted), gap)
    texts = []
    transform = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for k, frac in zip(order, placed, strict=True):
        texts.append(
            ax.text(
                1.01,
                y_low + frac * span,
                names[k],
                transform=transform,
                ha="left",
                va="center",
                fontsize=fontsize,
                color=colors[k],
                clip_on=False,
                # A feature name is plain text: a '$' in it must not start
                # TeX (a name such as '$\badcommand$' would stop the drawing).
                parse_math=False,
                usetex=False,
            )
        )
    return texts


def _trace_colors(colors, n, matplotlib):
    """One colour per trace: the property cycle, one colour, or a sequence."""
    if n == 0:
        return []
    if colors is None:
        cycle = matplotlib.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
        return [cycle[i % len(cycle)] for i in range(n)]
    if matplotlib.colors.is_color_like(colors) and not isinstance(
        colors, list | np.ndarray
    ):
        return [colors] * n
    try:
        colors = list(colors)
    except TypeError:
        raise ValueError(
            f"colors must be None, a colour or a sequence of colours, got {colors!r}."
        ) from None
    if not colors or not all(matplotlib.colors.is_color_like(c) for c in colors):
        raise ValueError(
            f"colors must be None, a colour or a non-empty sequence of colours, "
            f"got {colors!r}."
        )
    return [colors[i % len(colors)] for i in range(n)]


def plot_path(
    path,
    ax=None,
    *,
    xaxis="log_alpha",
    n_labels=10,
    colors=None,
    title=None,
):
    """Plot the coefficient traces of a regularisation path.

    One line per feature that is non-zero somewhere on the path, against
    ``log10(alpha)`` (larger alphas on the left, as glmnet's plot with a
    reversed axis), against the L1 norm of the coefficients, or against the
    fraction of deviance explained.  The top axis shows the degrees of
    freedom (the number of non-zero coefficients) at a few points.

    Parameters
    ----------
    path : PathResult
        A path from :func:`sparsefit.compute_path`, :func:`sparsefit.lasso_path`
        or :func:`sparsefit.enet_path`.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw into; None creates a new figure.
    xaxis : {"log_alpha", "l1_norm", "dev_ratio"}, default="log_alpha"
        The horizontal coordinate.  With ``"log_alpha"``, grid points at
        ``alpha = 0`` (which have no logarithm) are left out.
    n_labels : int, default=10
        Label the ``n_labels`` features with the largest ``|coef|`` at the end
        of the path (the smallest alpha, always on the right), just outside
        the right edge, with their names (``"x{j}"`` when the path has no
        feature names).  Features that are zero there get no label; 0 labels
        none.
    colors : color, sequence of colors or None, default=None
        Colours of the traces, cycled; None uses matplotlib's property cycle.
    title : str or None, default=None
        Title of the axes.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn into.  Each trace is a ``Line2D`` whose label is the
        feature's name.

    Raises
    ------
    ValueError
        If ``path`` is not a PathResult, ``xaxis`` is unknown, ``n_labels`` is
        not a non-negative integer, or ``ax``, ``colors`` or ``title`` has the
        wrong type.
    ImportError
        If matplotlib is not installed.

    See Also
    --------
    plot_cv : The cross-validation curve of a path.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import lasso_path, plot_path
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> ax = plot_path(lasso_path(X, y, progress=False), n_labels=5)
    """
    from .path import PathResult

    if not isinstance(path, PathResult):
        raise ValueError(f"path must be a PathResult, got {type(path).__name__}.")
    if xaxis not in _XAXES:
        raise ValueError(f"xaxis must be one of {sorted(_XAXES)}, got {xaxis!r}.")
    if (
        isinstance(n_labels, bool)
        or not isinstance(n_labels, numbers.Integral)
        or n_labels < 0
    ):
        raise ValueError(f"n_labels must be an integer >= 0, got {n_labels!r}.")
    _check_title(title)
    matplotlib, Axes = _require_matplotlib()

    coefs = path.coefs.toarray()  # (n_features, n_alphas)
    if xaxis == "log_alpha":
        x, keep = _log_alpha(path.alphas, "path.alphas")
    else:
        keep = np.ones(coefs.shape[1], dtype=bool)
        if xaxis == "l1_norm":
            x = np.abs(coefs).sum(axis=0)
        else:
            x = np.asarray(path.dev_ratio, dtype=float)
    coefs = coefs[:, keep]
    df = np.asarray(path.n_nonzero)[keep]
    active = np.flatnonzero(np.abs(coefs).max(axis=1, initial=0.0) > 0)
    names = path.feature_names
    if names is None or len(names) != coefs.shape[0]:
        names = [f"x{j}" for j in range(coefs.shape[0])]
    trace_colors = _trace_colors(colors, active.size, matplotlib)
    ax = _get_axes(ax, Axes)

    ax.axhline(0.0, color="0.5", linewidth=0.6, zorder=1)
    for j, color in zip(active, trace_colors, strict=True):
        ax.plot(x, coefs[j], color=color, linewidth=1.2, label=str(names[j]))
    if xaxis == "log_alpha" and not ax.xaxis_inverted():
        ax.invert_xaxis()
    ax.set_xlabel(_XAXES[xaxis])
    ax.set_ylabel("coefficients")
    _df_axis(ax, x, df, "degrees of freedom")
    if title is not None:
        ax.set_title(title)

    if n_labels and active.size:
        end = coefs[active, -1]
        candidates = np.flatnonzero(end != 0)
        top = candidates[np.argsort(-np.abs(end[candidates]), kind="stable")]
        top = top[:n_labels]
        _label_ends(
            ax,
            end[top],
            [str(names[active[i]]) for i in top],
            [trace_colors[i] for i in top],
            fontsize=8,
        )
    return ax


def plot_cv(cv_result, ax=None, *, title=None):
    """Plot the cross-validated score along the path.

    The mean held-out score at each alpha against ``log10(alpha)`` (larger
    alphas on the left), with error bars of one standard error, dashed
    vertical lines at ``alpha_min`` and ``alpha_1se``, and a top axis with
    the number of non-zero coefficients of the path fitted on all the data.

    Parameters
    ----------
    cv_result : CVResult or fitted cross-validated estimator
        The result of :func:`sparsefit.cross_validate_path`, or a fitted
        ``LassoCV``, ``ElasticNetCV``, ``SparseLogisticRegressionCV`` or
        ``PoissonLassoCV`` (its ``cv_result_`` is drawn), as glmnet's
        ``plot(cvfit)``.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw into; None creates a new figure.
    title : str or None, default=None
        Title of the axes.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn into.  The error bars are its first ``ErrorbarContainer``
        drawn by this call; the vertical lines are labelled ``"alpha_min"`` and
        ``"alpha_1se"``.

    Raises
    ------
    ValueError
        If ``cv_result`` is neither a CVResult nor a fitted cross-validated
        estimator, or ``ax`` or ``title`` has the wrong type.
    ImportError
        If matplotlib is not installed.

    See Also
    --------
    plot_path : The coefficient traces of a path.

    Notes
    -----
    Grid points at ``alpha = 0`` have no logarithm and are left out, as is
    the vertical line of a selected alpha equal to 0.  With ``relax=True`` the
    curve is that of the selected relaxation ``gamma``, named in the y label.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import cross_validate_path, plot_cv
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> ax = plot_cv(cross_validate_path(X, y, cv=5, progress=False))
    """
    from .model_selection._cv import CVResult

    if not isinstance(cv_result, CVResult):
        # A fitted cross-validated estimator draws its selected result.
        selected = getattr(cv_result, "cv_result_", None)
        if not isinstance(selected, CVResult):
            raise ValueError(
                "cv_result must be a CVResult or a fitted cross-validated "
                "estimator (LassoCV, ElasticNetCV, SparseLogisticRegressionCV, "
                f"PoissonLassoCV), got {type(cv_result).__name__}."
            )
        cv_result = selected
    _check_title(title)
    _, Axes = _require_matplotlib()

    x, keep = _log_alpha(cv_result.alphas, "cv_result.alphas")
    mean = np.asarray(cv_result.cv_mean, dtype=float)[keep]
    std = np.asarray(cv_result.cv_std, dtype=float)[keep]
    ax = _get_axes(ax, Axes)

    ax.errorbar(
        x,
        mean,
        yerr=std,
        fmt="o",
        markersize=3.5,
        color="tab:red",
        ecolor="0.6",
        elinewidth=0.9,
        capsize=2,
        zorder=3,
    )
    for alpha, label, color in (
        (cv_result.alpha_min, "alpha_min", "tab:blue"),
        (cv_result.alpha_1se, "alpha_1se", "tab:green"),
    ):
        if alpha > 0:
            ax.axvline(
                np.log10(alpha),
                linestyle="--",
                linewidth=1.0,
                color=color,
                label=label,
            )
    if not ax.xaxis_inverted():
        ax.invert_xaxis()
    ax.set_xlabel(_XAXES["log_alpha"])
    score = _SCORING_NAMES.get(cv_result.scoring, str(cv_result.scoring))
    if cv_result.gammas is not None:
        ax.set_ylabel(f"{score} (CV, gamma={cv_result.gamma:g})")
    else:
        ax.set_ylabel(f"{score} (CV)")
    ax.legend(loc="best", fontsize="small")

    path = cv_result.path
    if path is not None:
        path_x, path_keep = _log_alpha(path.alphas, "cv_result.path.alphas")
        _df_axis(
            ax,
            path_x,
            np.asarray(path.n_nonzero)[path_keep],
            "non-zero coefficients",
        )
    if title is not None:
        ax.set_title(title)
    return ax


def plot_stability(selection, ax=None, *, title=None, max_labels=10):
    """Plot stability selection's probabilities against alpha.

    One line per feature ever selected on a half-sample (selected features in
    colour and labelled, the others in grey), against ``log10(alpha)``
    (larger alphas on the left); a horizontal dashed line at the threshold and
    the region ``[alpha_region_, alpha_max]`` shaded, with the bound on the
    expected number of false selections in the legend.

    Parameters
    ----------
    selection : fitted StabilitySelection
        The selection whose ``probabilities_`` are drawn.
    ax : matplotlib.axes.Axes or None, default=None
        Axes to draw into; None creates a new figure.
    title : str or None, default=None
        Title of the axes; None leaves it empty.
    max_labels : int, default=10
        Selected features labelled by name (the most probable first).

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn into.

    Raises
    ------
    ValueError
        If ``selection`` is not fitted, or ``ax`` or ``title`` has the wrong
        type.
    ImportError
        If matplotlib is not installed.

    See Also
    --------
    sparsefit.selection.StabilitySelection : The selection this draws.
    plot_path : The coefficients along one path.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import plot_stability
    >>> from sparsefit.selection import StabilitySelection
    >>> X, y = load_diabetes(return_X_y=True)
    >>> sel = StabilitySelection(n_resamples=5, n_alphas=20, random_state=0)
    >>> ax = plot_stability(sel.fit(X, y))
    >>> len(ax.lines) > 0
    True
    """
    probs = getattr(selection, "probabilities_", None)
    if probs is None:
        raise ValueError(
            "selection must be a fitted StabilitySelection (call fit first), got "
            f"{type(selection).__name__}."
        )
    _check_title(title)
    _, Axes = _require_matplotlib()
    x, keep = _log_alpha(selection.alphas_, "selection.alphas_")
    probs = np.asarray(probs)[:, keep]
    ax = _get_axes(ax, Axes)
    chosen = set(np.asarray(selection.support_).tolist())
    names = selection.to_frame()["feature"].tolist()
    for j in np.flatnonzero(probs.max(axis=1) > 0):
        if j not in chosen:
            ax.plot(x, probs[j], color="0.75", linewidth=0.7, zorder=1)
    order = sorted(chosen, key=lambda j: -selection.max_probability_[j])
    for rank, j in enumerate(order):
        label = names[j] if rank < max_labels else None
        ax.plot(x, probs[j], linewidth=1.4, zorder=2, label=label)
    ax.axhline(
        selection.threshold,
        linestyle="--",
        color="k",
        linewidth=1.0,
        label=f"threshold {selection.threshold:g}",
    )
    low, high = np.log10(selection.alpha_region_), np.log10(selection.alphas_[0])
    ax.axvspan(
        high,
        low,
        color="tab:blue",
        alpha=0.08,
        label=f"region: E[V] <= {selection.error_bound_:.3g} ({selection.bound_})",
    )
    if not ax.xaxis_inverted():
        ax.invert_xaxis()
    ax.set_xlabel(_XAXES["log_alpha"])
    ax.set_ylabel("selection probability")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="best", fontsize="small")
    if title is not None:
        ax.set_title(title)
    return ax
