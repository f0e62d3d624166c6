"""The path and CV figures as PNG bytes (matplotlib imported here, lazily)."""

import io

import numpy as np

__all__ = ["path_png", "cv_png", "stability_png"]

_SIZE = (7.5, 4.6)
_DPI = 110


def _figure():
    # A bare Figure draws with the Agg canvas: no pyplot, no display needed.
    from matplotlib.figure import Figure

    fig = Figure(figsize=_SIZE, dpi=_DPI, layout="constrained")
    return fig, fig.add_subplot()


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _plot_table(table, ax):
    """Coefficient traces of a path read into a table (any family)."""
    keep = table.alphas > 0
    x = np.log10(table.alphas[keep])
    styles = ("-", "--", ":", "-.")
    for k, out in enumerate(table.outputs):
        coefs = table.coefs[keep, k, :]
        for j in np.flatnonzero((coefs != 0).any(axis=0)):
            label = table.feature_names[j]
            if len(table.outputs) > 1:
                label = f"{out}: {label}"
            ax.plot(x, coefs[:, j], styles[k % len(styles)], lw=1.2, label=label)
    ax.axhline(0.0, color="0.5", lw=0.6)
    ax.invert_xaxis()
    ax.set_xlabel("log10(alpha)")
    ax.set_ylabel("coefficients")


def path_png(table, title=None):
    """The regularisation path: :func:`sparsefit.plot_path` when the path is a
    PathResult it draws, otherwise the traces of the table."""
    fig, ax = _figure()
    source = table.source
    if source is not None and hasattr(source, "plot"):
        source.plot(ax=ax, title=title)
    else:
        _plot_table(table, ax)
        if title:
            ax.set_title(title)
    return _png(fig)


def cv_png(cv_result, title=None):
    """The cross-validation curve (:func:`sparsefit.plot_cv`)."""
    fig, ax = _figure()
    cv_result.plot(ax=ax, title=title)
    return _png(fig)


def stability_png(selection, title="stability selection"):
    """A fitted StabilitySelection's probabilities against alpha."""
    from ..plotting import plot_stability

    fig, ax = _figure()
    plot_stability(selection, ax=ax, title=title)
    return _png(fig)
