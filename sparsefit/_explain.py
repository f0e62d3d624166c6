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

__all__ = ["Explanation", "ExplainMixin", "fit_state"]

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

    What an estimator's ``explain()`` returns.  For a fit of

    .. math::

        \\min_{w, b}\\; F(y, Xw + b)
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right),

    coordinate ``j``'s KKT condition sets the data's pull ``|grad_j F|``
    against its penalty ``alpha v_j rho``: a zero coefficient stays zero
    while the pull is below the penalty, an active one sits where the two
    are equal.  Each row says which case a feature is in and at which alpha
    it would enter.  ``str()`` prints it as a table, active features first;
    :meth:`to_frame` and :meth:`to_dict` give the columns.

    Parameters
    ----------
    feature : list of str
        Feature names (``"x{j}"`` when the training data had none).
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
        which the feature is non-zero; computed by ``explain`` when the
        training data is given, NaN otherwise or for features that are zero.
    alpha : float
        The penalty level of the fit.
    coef_label : str, default="coef"
        The name of the ``coef`` column in tables: "coef_norm" when ``coef``
        is the Euclidean norm of a feature's coefficients over several
        classes (multinomial).

    See Also
    --------
    sparsefit.Lasso : Its ``explain()`` returns an Explanation, as every
        estimator's does.
    sparsefit.duality_gap : Certify coefficients from any solver.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import Lasso
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> ex = Lasso(alpha=1.0).fit(X, y).explain()
    >>> len(ex), ex.alpha
    (10, 1.0)
    >>> [f for f, s in zip(ex.feature, ex.status) if s == "active"]
    ['bmi', 'bp', 's5']
    >>> ex.to_frame().loc["age", "status"]
    'zero inside the kink'
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
        """Return the columns as a dict of lists.

        Returns
        -------
        columns : dict of str to list
            ``feature``, ``coef`` (or ``coef_norm``), ``pull``, ``penalty``,
            ``margin``, ``status``, ``entry_alpha`` and ``path_entry_alpha``,
            one entry per feature each.
        """
        return {
            self.coef_label if name == "coef" else name: list(getattr(self, name))
            for name in self._COLUMNS
        }

    def to_frame(self):
        """Return a pandas DataFrame (requires pandas).

        Returns
        -------
        frame : pandas.DataFrame
            The columns of :meth:`to_dict`, indexed by ``feature``.
        """
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
    returned point (``KKT_TOL``, 0.1%) of the penalty ``a``.  ``explain``
    refines a fit until each other zero is certified inside the kink
    (:meth:`Problem.settle_zeros`)."""
    return (pull + radius >= a) | (pull >= (1 - KKT_TOL) * a)


class ExplainMixin:
    """``explain`` for every estimator: the fit keeps its problem and solve
    (``_explain_source``), and the per-feature state is computed on the
    first ``explain()`` or pickling, which then drop the training data.

    A fit stops on its own certificate; a zero coefficient whose status
    that gap leaves open is decided there, by continuing the solve from the
    fit (at most three warm-started rounds): the explanation's coefficients
    are those of the continued solve, within the fit's certified accuracy
    of ``coef_``.  On a single alpha of a 20000 x 100000 sparse lasso with
    13,000 non-zeros the refinement took as long as the fit itself, which
    an estimator that is never explained no longer pays.

    An estimator provides ``_training_problem(X, y, sample_weight, offset)``,
    the problem of its fit rebuilt from the training data (for the path
    entry alphas)."""

    def _keep_for_explain(self, problem, result, alpha):
        self._fit_state = None
        self._explain_source = (problem, result, alpha)

    def _explain_state(self):
        if self._fit_state is None:
            # The fit's gap may leave a zero coefficient's status open:
            # explain continues the solve until it is decided (the fit itself
            # does not pay for that; see Problem.settle_zeros).
            problem, result, alpha = self._explain_source
            result = problem.settle_zeros(alpha, result)
            self._fit_state = fit_state(problem, result, alpha)
            self._explain_source = None
        return self._fit_state

    def __getstate__(self):
        if getattr(self, "_explain_source", None) is not None:
            self._explain_state()
        return super().__getstate__()

    def explain(
        self, X=None, y=None, sample_weight=None, *, offset=None, path_tol=1e-4
    ):
        """Why each coefficient is what it is, feature by feature.

        For a zero feature the pull is ``|x_j' grad F|`` (for several outputs
        the largest over them, or the group's norm) against the penalty
        ``alpha v_j l1_ratio``: it stays zero while the pull is below.  The
        entry alpha with the rest of the fit held is the pull it would feel
        with itself removed from the fit, over ``v_j l1_ratio`` (exact for a
        convex datafit).

        Parameters
        ----------
        X, y : training data, optional
            When given, the path entry alphas (everything refitted) of the
            active features are located by bisection on alpha.
        sample_weight, offset : as in ``fit``
        path_tol : float, default=1e-4
            Relative width of the final bracket of a path entry alpha.

        Returns
        -------
        Explanation
        """
        self._check_fitted()
        st = self._explain_state()
        n_features = st["pull"].shape[0]
        path_entry = np.full(n_features, np.nan)
        if X is not None:
            if y is None:
                raise ValueError(
                    "explain needs y together with X to compute the path entry alphas."
                )
            problem = self._training_problem(X, y, sample_weight, offset)
            w_fit = problem.from_original(st["coef"])
            path_entry = problem_entry_alphas(
                problem, w_fit, self._alpha, self.tol, path_tol
            )
        names = (
            list(self.feature_names_in_)
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(n_features)]
        )
        return Explanation(
            feature=names,
            coef=st["coef_display"],
            pull=st["pull"],
            penalty=st["penalty"],
            margin=st["penalty"] - st["pull"],
            status=st["status"],
            entry_alpha=st["entry"],
            path_entry_alpha=path_entry,
            alpha=float(self._alpha),
            coef_label="coef" if st["K"] == 1 else "coef_norm",
        )


def fit_state(problem, result, alpha):
    """Per-feature pull, penalty, entry alpha and status of a solve, for any
    problem (see :class:`Explanation`)."""
    if problem.block:
        return _block_state(problem, result, alpha)
    W = problem._unflatten(result.coef).astype(float)
    G = problem._unflatten(problem.exact_grad_neg(result)).astype(float)
    a1, c1, lower, upper = problem._unit_arrays()
    a = alpha * a1
    grouped = problem.grouped
    pull = _norm(G, grouped)
    unpenalised = (a1 == 0) & (c1 == 0)
    # The pull feature j would feel with itself removed from the fit: for
    # least squares g_j + L_j w_j, for the other datafits the gradient
    # re-evaluated on the rows where x_j != 0.
    d = problem.design
    if problem.centred:
        held = G + (d.col_sq_norms.astype(float) / d.n_samples)[:, None] * W
    else:
        held = G.copy()
        cert = problem.certificate(alpha)
        active, pulls = _held_pulls(cert, W, cert.linear(W, result.intercept), G)
        held[active] = pulls
    # A zero bound forbids one direction: the pull that way moves nothing.
    held = np.where((lower >= 0)[:, None], np.maximum(held, 0.0), held)
    held = np.where((upper <= 0)[:, None], np.minimum(held, 0.0), held)
    with np.errstate(divide="ignore", invalid="ignore"):
        entry = np.where(a1 > 0, _norm(held, grouped) / a1, np.inf)
    entry = np.where(unpenalised, np.inf, entry)
    # Certified accuracy on the pull scale: the gap-safe radius, with the
    # datafit's curvature bound (none for Poisson: the pull alone decides).
    curv = problem.datafit.curvature
    lips = d.centred_sq_norms.astype(float) / d.n_samples
    radius = np.sqrt(2 * max(result.dual_gap, 0.0) * curv * lips)
    if not np.isfinite(curv):
        radius = np.zeros_like(lips)
    coef = W * d.scale[:, None]
    norm = np.sqrt((coef**2).sum(axis=1))
    status = np.full(W.shape[0], _STATUS[1], dtype=object)
    zero = ~W.any(axis=1)
    status[zero & at_edge(pull, a, radius)] = _STATUS[2]
    status[~zero] = _STATUS[0]
    status[_at_bound(W, G, a, lower, upper, radius)] = _STATUS[3]
    status[unpenalised] = _STATUS[4]
    flat = coef.T.ravel()
    return {
        "coef": flat.astype(problem.design.dtype),
        "coef_display": (coef[:, 0] if coef.shape[1] == 1 else norm).astype(float),
        "pull": pull,
        "penalty": a.astype(float),
        "entry": entry.astype(float),
        "status": status,
        "K": W.shape[1],
    }


def _block_state(problem, result, alpha):
    """:func:`fit_state` for a block penalty (the group lasso): every feature
    shows its group's numbers.

    Group G's pull is ``||S_{alpha tau u}(-grad_G)||`` (the gradient
    soft-thresholded by the l1 weights) against the penalty ``alpha (1 -
    tau) v_G``: a zero group stays zero exactly while the pull is at most
    the penalty.  Its entry alpha, with the rest of the fit held, is the
    smallest alpha at which zero is optimal for the group given the
    gradient it would feel without itself (least squares:
    ``grad_G - X_G' S X_G w_G / n``; the other datafits: the gradient at the
    fit, exact for zero groups)."""
    w = problem._unflatten(result.coef).astype(float)[:, 0]
    g = problem._unflatten(result.grad_neg).astype(float)[:, 0]
    d = problem.design
    p = problem.n_features
    pen = problem.penalty(alpha)
    order, gptr, l1, l2 = pen.arrays(p)
    labels = pen.structure(p)[3]
    free = pen.free_features(p)
    soft = np.sign(g) * np.maximum(np.abs(g) - l1, 0.0)
    pull = np.sqrt(np.bincount(labels, weights=soft**2, minlength=l2.shape[0]))
    held = g.copy()
    active = np.unique(labels[w != 0])
    if problem.centred:
        sw = d.sample_weight
        for group in active:
            idx = order[gptr[group] : gptr[group + 1]]
            cols = d.columns(idx).astype(float)
            weighted = cols if sw is None else cols * sw[:, None]
            held[idx] += cols.T @ (weighted @ w[idx]) / d.n_samples
    entry = pen.group_alpha_max(held)
    # Certified accuracy on the pull scale: the gap-safe radius with the
    # group's Lipschitz constant (none for Poisson: the pull alone decides).
    from .solvers._block_cd import group_lipschitz

    curv = problem.datafit.curvature
    lips = group_lipschitz(d, order, gptr)
    radius = np.sqrt(2 * max(result.dual_gap, 0.0) * curv * lips)
    if not np.isfinite(curv):
        radius = np.zeros_like(lips)
    zero_group = np.bincount(labels, weights=(w != 0), minlength=l2.shape[0]) == 0
    status = np.full(l2.shape[0], _STATUS[1], dtype=object)
    status[zero_group & at_edge(pull, l2, radius)] = _STATUS[2]
    status[~zero_group] = _STATUS[0]
    feature_status = status[labels]
    # Inside an active sparse-group, a zero entry is held by its l1 kink.
    feature_status[(w == 0) & ~zero_group[labels]] = _STATUS[1]
    feature_status[free] = _STATUS[4]
    entry = np.where(free, np.inf, entry[labels])
    coef = w * d.scale
    return {
        "coef": coef.astype(d.dtype),
        "coef_display": coef,
        "pull": pull[labels],
        "penalty": l2[labels].astype(float),
        "entry": entry.astype(float),
        "status": feature_status,
        "K": 1,
    }


def _norm(G, grouped):
    """A feature's pull over its outputs: the group's norm, else the largest."""
    return np.sqrt((G**2).sum(axis=1)) if grouped else np.abs(G).max(axis=1)


def _at_bound(W, G, a, lower, upper, radius):
    """Features held by a bound in some output."""
    lo, up = lower[:, None], upper[:, None]
    held = ((W == lo) & (lo != 0)) | ((W == up) & (up != 0))
    # A zero bound holds the coefficient when the data pulls past the penalty
    # in the forbidden direction.
    past = (a - radius)[:, None]
    held |= (W == 0) & (lo == 0) & (-G > past) & (G < 0)
    held |= (W == 0) & (up == 0) & (G > past) & (G > 0)
    return held.any(axis=1)


def _held_pulls(cert, W, Z, grad_neg, budget=1 << 16):
    """``-X'grad F`` on the active features, each with itself removed from the
    fit (shape (n_active, K)), and their indices.

    Removing feature j changes the linear predictor only on the rows where
    ``x_j != 0``, so the stored entries of the active columns are gathered
    into one array and the datafit's gradient is evaluated once on all of
    them, in chunks of about ``budget`` entries."""
    d = cert.design
    X, sw, n = d.X, cert.datafit.sample_weight, d.n_samples
    G = cert.grad(Z)
    active = np.flatnonzero((W != 0).any(axis=1))
    if d.sparse:
        counts = np.diff(X.indptr)[active]
    else:
        counts = np.full(active.size, n)
    out = grad_neg[active].copy()
    ends = np.cumsum(counts)
    start = 0
    while start < active.size:
        stop = max(
            int(np.searchsorted(ends, ends[start] - counts[start] + budget)), start + 1
        )
        stop = min(stop, active.size)
        cols = active[start:stop]
        sizes = counts[start:stop]
        owner = np.repeat(np.arange(cols.size), sizes)
        if d.sparse:
            # Positions of the stored entries of ``cols``, concatenated.
            first = X.indptr[cols]
            pos = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            pos += np.repeat(first, sizes)
            rows, vals = X.indices[pos], X.data[pos].astype(float)
        else:
            rows = np.tile(np.arange(n), cols.size)
            vals = np.asarray(X[:, cols], dtype=float).T.ravel()
        if rows.size:
            # The design may hold a column centred (its mean moved into the
            # intercept): removing feature j takes out the original column.
            vals = (vals + d.mean[cols].astype(float)[owner]) * d.scale[cols][owner]
            Zr = Z[rows] - vals[:, None] * W[cols][owner]
            sub = cert.datafit.with_weights(None if sw is None else sw[rows])
            yr = cert.y[rows]
            if cert.single:
                Gr = sub.raw_grad(yr, Zr[:, 0])[:, None]
            else:
                Gr = sub.raw_grad(yr, Zr)
            # raw_grad averages over its rows: rescale to the mean over all n.
            Gr = Gr * (rows.size / n)
            change = vals[:, None] * (Gr - G[rows])
            for k in range(change.shape[1]):
                out[start:stop, k] -= np.bincount(
                    owner, weights=change[:, k], minlength=cols.size
                )
        start = stop
    return active, out


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
