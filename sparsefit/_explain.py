"""Feature-by-feature explanation of a fit: the data's pull against the penalty.

For coordinate ``j`` with the others held, the KKT condition reads
``-grad_j in dg_j(w_j)`` with ``grad_j = -x_j' S r / n``.  A zero coefficient
stays zero while the pull ``|grad_j|`` is at most the penalty
``alpha v_j l1_ratio``; an active one sits where the pull equals it (plus
the ridge part).  With the rest of the fit held, coordinate ``j`` is non-zero
exactly when ``alpha < |x_j' S r_{-j} / n| / (v_j l1_ratio)``, where
``r_{-j}`` is the residual without feature ``j``: that is its entry alpha.
"""

from dataclasses import dataclass

import numpy as np

from .solvers import KKT_TOL

__all__ = ["Explanation", "explain_estimator"]

_STATUS = (
    "active",
    "zero inside the kink",
    "zero at the boundary",
    "held by a bound",
    "unpenalised",
)


@dataclass(frozen=True)
class Explanation:
    """Per-feature certificate of a fit (all arrays of length n_features).

    Attributes
    ----------
    feature : list of str
    coef : ndarray
        Coefficient on the original scale.
    pull : ndarray
        ``|grad_j|``, the data's pull on the KKT scale (the solver's, i.e.
        standardised coordinates when ``standardize=True``).
    penalty : ndarray
        ``alpha * v_j * l1_ratio``, what the pull must beat to move from zero.
    margin : ndarray
        ``penalty - pull``: positive for a zero held by the penalty, about 0
        for an active feature.
    status : ndarray of str
        One of "active", "zero inside the kink" (certified: the gap-safe test
        proves the optimal coefficient is 0), "zero at the boundary" (zero,
        but the pull is within the certified accuracy of the penalty, or
        within 0.1% of it, the KKT tolerance of every fit),
        "held by a bound", "unpenalised".
    entry_alpha : ndarray
        Largest alpha at which the feature would be non-zero with the rest of
        the fit held (``inf`` for unpenalised features).
    path_entry_alpha : ndarray
        Largest alpha on the regularisation path (everything refitted) at
        which the feature is non-zero; computed by :meth:`explain` when the
        training data is given, NaN otherwise or for features that are zero.
    alpha : float
    coef_label : str
        The name of the ``coef`` column in tables: "coef_norm" when ``coef``
        is the Euclidean norm of a feature's coefficients over several
        classes (multinomial).
    """

    feature: list
    coef: np.ndarray
    pull: np.ndarray
    penalty: np.ndarray
    margin: np.ndarray
    status: np.ndarray
    entry_alpha: np.ndarray
    path_entry_alpha: np.ndarray
    alpha: float
    coef_label: str = "coef"

    _COLUMNS = (
        "feature",
        "coef",
        "pull",
        "penalty",
        "margin",
        "status",
        "entry_alpha",
        "path_entry_alpha",
    )

    def to_dict(self):
        """Columns as a dict of lists."""
        return {
            self.coef_label if name == "coef" else name: list(getattr(self, name))
            for name in self._COLUMNS
        }

    def to_frame(self):
        """Return a pandas DataFrame (requires pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is a dev extra
            raise ImportError(
                "Explanation.to_frame() needs pandas: pip install pandas"
            ) from exc
        return pd.DataFrame(self.to_dict()).set_index("feature")

    def __len__(self):
        return len(self.feature)

    def __str__(self):
        order = np.lexsort((-np.abs(self.coef), self.coef == 0))
        path = not np.isnan(self.path_entry_alpha).all()
        head = f"{'feature':>16} {self.coef_label:>11} {'pull':>10} {'penalty':>10} "
        head += f"{'entry alpha':>11} " + (f"{'path entry':>11} " if path else "")
        lines = [f"alpha = {self.alpha:.6g}", head + " status"]
        for j in order:
            row = (
                f"{str(self.feature[j])[:16]:>16} {self.coef[j]:>11.4g} "
                f"{self.pull[j]:>10.4g} {self.penalty[j]:>10.4g} "
                f"{self.entry_alpha[j]:>11.4g} "
            )
            if path:
                row += f"{self.path_entry_alpha[j]:>11.4g} "
            lines.append(row + f" {self.status[j]}")
        return "\n".join(lines)


def at_edge(pull, a, radius):
    """Zero coefficients on the edge of entering: the pull is within the
    certified accuracy (gap-safe ``radius``) or the KKT tolerance of every
    returned point (``KKT_TOL``, 0.1%) of the penalty ``a``.  The solvers
    refine a fit until each other zero is certified inside the kink."""
    return (pull + radius >= a) | (pull >= (1 - KKT_TOL) * a)


def _status(w, grad_neg, a, c, lower, upper, radius, unpenalised):
    """Classify each coordinate (see :class:`Explanation`)."""
    pull = np.abs(grad_neg)
    status = np.full(w.shape[0], _STATUS[1], dtype=object)
    status[(w == 0) & at_edge(pull, a, radius)] = _STATUS[2]
    status[w != 0] = _STATUS[0]
    at_bound = ((w == lower) & (lower != 0)) | ((w == upper) & (upper != 0))
    # A zero bound holds the coefficient when the data pulls past the penalty
    # in the forbidden direction.
    at_bound |= (w == 0) & (lower == 0) & (-grad_neg > a - radius) & (grad_neg < 0)
    at_bound |= (w == 0) & (upper == 0) & (grad_neg > a - radius) & (grad_neg > 0)
    status[at_bound] = _STATUS[3]
    status[unpenalised] = _STATUS[4]
    return status


def explain_estimator(est, X=None, y=None, sample_weight=None, path_tol=1e-4):
    """Build the :class:`Explanation` of a fitted least-squares estimator."""
    est._check_fitted()
    st = est._fit_state
    w = est.coef_ / st["scale"]
    g, lips, a, c = st["grad_neg"], st["lips"], st["a"], st["c"]
    lower, upper = st["lower"], st["upper"]
    alpha = est._alpha
    unit = a / alpha if alpha > 0 else np.where(a > 0, np.inf, 0.0)
    unpenalised = (unit == 0) & (c == 0)
    radius = np.sqrt(lips) * np.sqrt(2 * max(est.dual_gap_, 0.0))
    held = g + lips * w  # x_j' S r_{-j} / n: the pull with feature j removed
    held = np.where(lower >= 0, np.maximum(held, 0.0), held)
    held = np.where(upper <= 0, np.minimum(held, 0.0), held)
    with np.errstate(divide="ignore", invalid="ignore"):
        entry = np.where(unit > 0, np.abs(held) / unit, np.inf)
    entry = np.where(unpenalised, np.inf, entry)
    path_entry = np.full(w.shape[0], np.nan)
    if X is not None:
        if y is None:
            raise ValueError(
                "explain needs y together with X to compute the path entry alphas."
            )
        path_entry = path_entry_alphas(est, X, y, sample_weight, path_tol)
    names = (
        list(est.feature_names_in_)
        if hasattr(est, "feature_names_in_")
        else [f"x{j}" for j in range(w.shape[0])]
    )
    return Explanation(
        feature=names,
        coef=np.asarray(est.coef_, dtype=float),
        pull=np.abs(g),
        penalty=a.astype(float),
        margin=(a - np.abs(g)).astype(float),
        status=_status(w, g, a, c, lower, upper, radius, unpenalised),
        entry_alpha=entry.astype(float),
        path_entry_alpha=path_entry,
        alpha=float(alpha),
    )


def path_entry_alphas(est, X, y, sample_weight=None, rtol=1e-4, n_grid=20):
    """Path entry alphas of a fitted least-squares estimator's features (see
    :func:`problem_entry_alphas`); ``X, y`` must be its training data."""
    X, y, sw = est._validate_predict_data(X, y, sample_weight)
    problem = est._make_problem(X, y, sw)
    w_fit = problem.from_original(est.coef_)
    return problem_entry_alphas(problem, w_fit, est._alpha, est.tol, rtol, n_grid)


def _support(w, n_features):
    """Features with a non-zero coefficient for any output."""
    return np.asarray(w).reshape(-1, n_features).any(axis=0)


def problem_entry_alphas(problem, w_fit, target, tol, rtol=1e-4, n_grid=20):
    """Largest alpha on the path at which each feature active at ``target``
    is non-zero, for any problem (least squares or GLM, any number of
    outputs: a feature is active when any of its coefficients is).

    The path from ``alpha_max`` down to ``target`` is solved warm-started on
    a geometric grid; each bracket holding entries is then split in log
    alpha, the features sorted into halves by whether they are non-zero at
    the midpoint, until its width is below ``rtol``.  Returns NaN for
    features that are zero at ``target``.
    """
    problem.solver.tol = min(tol, 1e-8)
    p = problem.n_features

    def support(alpha, w0):
        w = problem.solve(alpha, w0, quiet=True).coef
        return w, _support(w, p)

    out = np.full(p, np.nan)
    active = np.flatnonzero(_support(w_fit, p))
    if active.size == 0 or target <= 0:
        return out
    top, w_top = problem.alpha_max()
    if top <= target:
        out[active] = target
        return out
    grid = np.geomspace(top, target, n_grid)
    sols, masks = [w_top], [_support(w_top, p)]
    for alpha in grid[1:]:
        w, mask = support(alpha, sols[-1])
        sols.append(w)
        masks.append(mask)
    first = np.argmax(np.array(masks), axis=0)
    for k in np.unique(first[active]):
        members = active[first[active] == k]
        if k == 0:
            out[members] = top
            continue
        _bisect(support, grid[k - 1], grid[k], sols[k - 1], members, rtol, out)
    return out


def _bisect(support, hi, lo, w_hi, members, rtol, out):
    """Locate in (lo, hi] where each of ``members`` becomes non-zero."""
    stack = [(hi, lo, w_hi, members)]
    while stack:
        hi, lo, w_hi, idx = stack.pop()
        if hi / lo <= 1 + rtol:
            out[idx] = np.sqrt(hi * lo)
            continue
        mid = np.sqrt(hi * lo)
        w_mid, mask = support(mid, w_hi)
        early = idx[mask[idx]]
        late = idx[~mask[idx]]
        if early.size:
            stack.append((hi, mid, w_hi, early))
        if late.size:
            stack.append((mid, lo, w_mid, late))
