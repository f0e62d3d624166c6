"""Shared machinery of the GLM estimators (logistic, multinomial, Poisson).

Every estimator here minimises, with ``F`` the family's negative
log-likelihood as a mean over samples,

.. math::

    P(W, b) = F(y, X W + b + o)
    + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

and certifies the result with a duality gap.
"""

import numpy as np

from .._estimator import check_target
from .._validation import (
    check_offset,
    check_positive_int,
    check_sample_weight,
    check_scalar_range,
)
from ..path import glm_problem
from ..penalties import ElasticNetPenalty
from ._existence import check_minimiser_exists
from ._target_size import TargetSizeMixin, check_n_nonzero

__all__ = ["GLMMixin"]


class GLMMixin(TargetSizeMixin):
    """Parameters, fitting and ``explain`` common to the GLM estimators.

    Subclasses set ``_family`` (or the property) and define ``__init__``.
    """

    _solvers = ("auto", "prox-newton", "fista")

    @property
    def _l1_ratio(self):
        return self.l1_ratio

    @property
    def _multinomial(self):
        return getattr(self, "multinomial", "ungrouped")

    def _check_solver_params(self):
        check_scalar_range(self.tol, "tol", low=0.0, low_open=True)
        check_positive_int(self.max_iter, "max_iter")
        if self.solver not in self._solvers:
            raise ValueError(
                f"solver must be one of {self._solvers}, got {self.solver!r}."
            )

    def _check_params(self):
        check_scalar_range(self.alpha, "alpha", low=0.0)
        check_scalar_range(self._l1_ratio, "l1_ratio", low=0.0, high=1.0)
        check_n_nonzero(getattr(self, "n_nonzero", None))
        self._check_solver_params()

    def _penalty_template(self, l1_ratio):
        return ElasticNetPenalty(
            1.0,
            l1_ratio,
            self.penalty_factor,
            self.positive,
            self.lower_bounds,
            self.upper_bounds,
        )

    def _datafit(self):
        """The datafit (or family name) the estimator fits; a datafit with
        parameters of its own (Huber's delta) overrides this."""
        return self._family

    def _make_problem(self, X, y, sw, offset=None, family=None, classes=None):
        problem, classes = glm_problem(
            X,
            y,
            family or self._datafit(),
            self._penalty_template(self._l1_ratio),
            sw,
            offset,
            self.fit_intercept,
            self.standardize,
            self._multinomial,
            self.solver,
            self.tol,
            self.max_iter,
            classes=classes,
        )
        _check_units(problem.design)
        return problem

    def _solve(self, problem, alpha, start=None):
        check_minimiser_exists(problem, alpha, getattr(self, "classes_", None))
        result = problem.solve(alpha, start)
        self._store(problem, result, alpha)

    def _store(self, problem, result, alpha):
        result = problem.settle_zeros(alpha, result)
        coef, intercept = problem.unpack(result)
        K = problem.K
        self._coef_flat = coef
        self.n_iter_ = int(result.n_iter)
        self.dual_gap_ = float(result.dual_gap)
        self.kkt_violation_ = float(result.kkt_violation)
        self.solver_result_ = result
        self._set_coef(coef.reshape(K, -1), np.atleast_1d(intercept))
        # The per-feature state of explain() costs about one gradient
        # evaluation per active feature (n K |support| for the multinomial):
        # it is computed on the first explain() or pickling, not in fit.
        self._fit_state = None
        self._explain_source = (
            problem.certificate(alpha),
            problem._unflatten(result.coef),
            np.asarray(result.intercept, dtype=float),
            problem._unflatten(result.grad_neg),
            alpha,
            self.dual_gap_,
        )

    def _explain_state(self):
        if self._fit_state is None:
            self._fit_state = _explain_state(*self._explain_source)
            # The source holds the training data: drop it once used.
            self._explain_source = None
        return self._fit_state

    def __getstate__(self):
        if getattr(self, "_explain_source", None) is not None:
            self._explain_state()
        return super().__getstate__()

    def explain(self, X=None, y=None, sample_weight=None, **kwargs):
        """Why each coefficient is what it is, feature by feature.

        For a zero feature the pull is ``|x_j' grad F|`` (for several classes,
        the largest over them, or the group's norm) against the penalty
        ``alpha v_j l1_ratio``: it stays zero while the pull is below. The
        entry alpha with the rest of the fit held is ``pull / (v_j l1_ratio)``,
        exact for a convex datafit; for an active feature it is computed with
        that feature removed from the fit.  ``X, y`` are accepted for
        signature compatibility with the least-squares models; the path entry
        alphas are then located by the same bisection as theirs (``rtol``,
        default 1e-4, is the relative width of the final bracket).

        The per-feature state costs about one gradient evaluation per active
        feature, so ``fit`` defers it: the fitted model keeps a reference to
        its training design until the first ``explain()`` (or pickling),
        which computes the state and drops the reference.
        """
        from .._explain import _STATUS, Explanation, at_edge

        self._check_fitted()
        st = self._explain_state()
        w_norm = st["coef_norm"]
        names = (
            list(self.feature_names_in_)
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(w_norm.shape[0])]
        )
        status = np.full(w_norm.shape[0], _STATUS[1], dtype=object)
        edge = at_edge(st["pull"], st["penalty"], st["radius"])
        status[(st["coef_norm"] == 0) & edge] = _STATUS[2]
        status[st["coef_norm"] != 0] = _STATUS[0]
        status[st["unpenalised"]] = _STATUS[4]
        path_entry = np.full(w_norm.shape[0], np.nan)
        if X is not None:
            if y is None:
                raise ValueError("explain needs y together with X.")
            path_entry = self._path_entry(X, y, sample_weight, **kwargs)
        return Explanation(
            feature=names,
            coef=st["coef_display"],
            pull=st["pull"],
            penalty=st["penalty"],
            margin=st["penalty"] - st["pull"],
            status=status,
            entry_alpha=st["entry"],
            path_entry_alpha=path_entry,
            alpha=float(self._alpha),
            # Several classes: coef is the norm of each feature's coefficients.
            coef_label="coef"
            if np.ndim(self.coef_) < 2 or len(self.coef_) == 1
            else "coef_norm",
        )

    def _path_entry(self, X, y, sample_weight=None, offset=None, rtol=1e-4):
        """Path entry alpha of each active feature (the data must be the
        training data, weighted as in the fit): the same bisection as the
        least-squares models (:func:`sparsefit._explain.problem_entry_alphas`)."""
        from .._explain import problem_entry_alphas

        problem = self._fit_problem(X, y, sample_weight, offset, reset=False)
        w_fit = problem.from_original(self._coef_flat)
        return problem_entry_alphas(problem, w_fit, self._alpha, self.tol, rtol)


def _check_units(design):
    """Raise when X's raw columns leave the cube root of the float64 range:
    the GLM solvers form weighted moments of the unscaled columns, so
    standardisation does not help there (the least-squares solvers scale
    first)."""
    mag = design.magnitude  # root mean square of each column
    info = np.finfo(float)
    low, high = float(info.tiny) ** (1 / 3), float(info.max) ** (1 / 3)
    bad = ~design.constant & ((mag < low) | (mag > high))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"X column {j} has magnitude {mag[j]:.3g} (root mean square), out of "
            f"the range the GLM solvers can fit (float64: [{low:.2g}, "
            f"{high:.2g}] for their products to stay in range); rescale that "
            "column."
        )


def _explain_state(cert, W, b, grad_neg, alpha, gap):
    """Per-feature pull, penalty and entry alpha at the solution, given the
    solver's ``grad_neg = -X'grad F`` there (shape (n_features, K))."""
    pen = cert.penalty
    Z = cert.linear(W, b)
    if pen.grouped:
        pull = np.sqrt((grad_neg**2).sum(axis=1))
    else:
        pull = np.abs(grad_neg).max(axis=1)
    unit = pen.a / alpha if alpha > 0 else np.where(pen.a > 0, np.inf, 0.0)
    unpenalised = pen.free | ((pen.a == 0) & (pen.c == 0))
    # With feature j removed (its coefficients set to 0), the pull it would
    # feel: the exact entry alpha with the rest held, for a convex datafit.
    held = pull.copy()
    active, pulls = _held_pulls(cert, W, Z, grad_neg)
    if active.size:
        held[active] = (
            np.sqrt((pulls**2).sum(axis=1))
            if pen.grouped
            else np.abs(pulls).max(axis=1)
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        entry = np.where(unit > 0, held / unit, np.inf)
    entry = np.where(unpenalised, np.inf, entry)
    coef = W * cert.design.scale[:, None]
    norm = np.sqrt((coef**2).sum(axis=1))
    display = coef[:, 0] if coef.shape[1] == 1 else norm
    # Certified accuracy on the pull scale: the gap-safe radius, with the
    # family's curvature bound (none for Poisson, whose status then uses the
    # pull alone).
    curv = cert.datafit.curvature
    d = cert.design
    lips = d.centred_sq_norms.astype(float) / d.n_samples
    radius = np.sqrt(2 * max(gap, 0.0) * curv * lips) if np.isfinite(curv) else 0 * lips
    return {
        "pull": pull,
        "penalty": pen.a.astype(float),
        "entry": entry.astype(float),
        "coef_norm": norm,
        "coef_display": display.astype(float),
        "unpenalised": unpenalised,
        "radius": radius,
    }


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


class RealTargetMixin(GLMMixin):
    """One coefficient vector and a real-valued target (Poisson, Huber)."""

    def _set_coef(self, coef, intercept):
        self.coef_ = coef[0]
        self.intercept_ = float(intercept[0])

    def _prepare(self, X, y, sample_weight, offset, reset=True):
        X = self._validate_X(X, reset=reset)
        y = check_target(y, X.shape[0], np.float64, type(self).__name__)
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        return X, y, sw, check_offset(offset, X.shape[0])

    def _fit_problem(self, X, y, sample_weight=None, offset=None, reset=True):
        """Validate the data and build the problem the fit solves."""
        X, y, sw, offset = self._prepare(X, y, sample_weight, offset, reset)
        return self._make_problem(X, y, sw, offset)
