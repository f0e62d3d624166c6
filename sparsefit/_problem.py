"""One penalised problem at many alphas, for every datafit.

.. math::

    P_\\alpha(W, b) = F(Y, X W + 1 b' + o) + g_\\alpha(W)

The problem holds the design, the datafit with its own parameters and
sample weights, the encoded target, the offset, the penalty template (its
bounds in the design's coordinates) and a solver.  Estimators, paths,
cross-validation and ``explain`` all go through it, so an alpha means the
same thing everywhere and coefficients come back on the original scale the
same way.  It answers:

- ``penalty(alpha)``, ``n_features``, ``K`` (outputs: classes of a
  multinomial, else 1);
- ``solve(alpha, w0=None, strong=None, quiet=False, gap_abs=None)`` ->
  :class:`~sparsefit.solvers.SolverResult`, certified by
  :class:`~sparsefit.solvers.StoppingRule`, with flat class-major ``coef``
  and ``grad_neg``, its ``intercept`` and ``datafit_value``;
- ``alpha_max()``, ``strong_set(grad_neg, alpha, prev_alpha)``,
  ``grad_neg(w)``, ``null_value()``, ``fit_value(alpha, res)``;
- ``to_original`` / ``from_original`` / ``unpack`` between the solver's
  coordinates and the user's;
- ``settle_zeros(alpha, res)``, the refinement that certifies the status of
  every zero coefficient for ``explain``.

How the intercept is handled is the one thing the datafit decides: a
datafit with ``centring_eliminates_intercept`` (least squares: the optimal
intercept is ``mean(y - o) - mean(X) w``) is solved on centred columns and
a centred target, with no intercept left, which the coordinate-descent and
LARS kernels exploit; every other datafit keeps its intercept, which the
solvers re-optimise with the unpenalised features before each certificate
(:meth:`start` gives them the point to begin from).
"""

import warnings

import numpy as np
from numba import njit

from ._design import Design
from ._threads import single_blas
from ._validation import check_bounds
from .penalties._base import separable_value
from .solvers import KKT_TOL, make_solver
from .solvers._glm_certificate import (
    BlockMatrixPenalty,
    GLMCertificate,
    MatrixPenalty,
)

__all__ = ["Problem"]


class Problem:
    """A penalised datafit on a design, solved at any alpha.

    Parameters
    ----------
    X : ndarray or CSC matrix, validated
    y : ndarray
        Encoded: real values, -1/+1 (logistic), one-hot (multinomial) or
        counts (Poisson).
    datafit : datafit object
        Carries the sample weights (rescaled to sum to n) and its own
        parameters.
    penalty : SeparablePenalty
        Bounds on the original scale; its ``alpha`` is replaced per solve.
    offset : ndarray of shape (n_samples,) or None
        Added to the linear predictor.
    fit_intercept, standardize : bool
    grouped : bool
        Row-grouped penalty (a feature's K coefficients as one group).
    solver : str or solver object, default="auto"
        A name in :data:`sparsefit.solvers.SOLVERS` ("auto": the first that
        accepts the problem), or an object following the contract of
        :mod:`sparsefit.solvers`.
    tol, max_iter, precompute
        The named solver's options (``max_iter`` None: its default).
    """

    def __init__(
        self,
        X,
        y,
        datafit,
        penalty,
        offset=None,
        fit_intercept=True,
        standardize=False,
        grouped=False,
        solver="auto",
        tol=1e-4,
        max_iter=None,
        precompute="auto",
    ):
        sw = datafit.sample_weight
        if (
            getattr(datafit, "target", None) == "binary"
            and not np.isin(y, (-1.0, 1.0)).all()
        ):
            raise ValueError(
                f"A {type(datafit).__name__} problem takes labels coded -1 and "
                "+1 (the estimators and compute_path encode any two labels so)."
            )
        # A datafit blind to a constant shift of the linear predictor (Cox's
        # partial likelihood) has no intercept to fit; its dual point is
        # orthogonal to 1 all the same, so columns are standardised centred.
        shift_invariant = bool(getattr(datafit, "shift_invariant", False))
        fit_intercept = fit_intercept and not shift_invariant
        self.shift_invariant = shift_invariant
        self.datafit = datafit
        self.offset = offset
        self.fit_intercept = fit_intercept
        self.grouped = grouped
        self.centred = bool(getattr(datafit, "centring_eliminates_intercept", False))
        if self.centred:
            self.design = Design(X, sw, center=fit_intercept, standardize=standardize)
            target = y if offset is None else y - offset
            self.y_mean = (
                float(np.average(target, weights=sw)) if fit_intercept else 0.0
            )
            self.y = (target - self.y_mean).astype(X.dtype)
        else:
            # Uncentred columns, standardised and tested for constancy as
            # centred ones when the intercept is free (the dual point is then
            # orthogonal to 1, so the gap-safe radii use the centred norms).
            self.design = Design(
                X,
                sw,
                center=False,
                standardize=standardize,
                reference_center=fit_intercept or shift_invariant,
            )
            self.y = y
        self.K = y.shape[1] if y.ndim == 2 else 1
        # A block penalty (the group lasso) couples coefficients: the
        # solvers that take one say so, and the separable arrays below
        # give way to the penalty's own methods.
        self.block = bool(getattr(penalty, "block", False))
        if self.block and self.K > 1:
            raise ValueError(
                f"The {type(penalty).__name__} takes one output; got a target "
                f"with {self.K} columns."
            )
        if self.block:
            penalty.structure(X.shape[1])  # validates the groups now
        lower, upper = self._set_template(penalty, X.shape[1], X.dtype)
        if grouped and (np.isfinite(lower).any() or np.isfinite(upper).any()):
            raise ValueError(
                "Bounds (positive, lower_bounds, upper_bounds) do not apply to the "
                "grouped multinomial penalty; use multinomial='ungrouped'."
            )
        if isinstance(solver, str):
            solver = make_solver(solver, self, tol, max_iter, precompute)
        elif not solver.accepts(self):
            raise ValueError(
                f"The {solver.name} solver does not apply to this problem "
                f"({type(datafit).__name__} datafit)."
            )
        self.solver = solver
        self.cache = {}  # what a solver keeps between alphas (a Gram matrix)
        self._unit = None
        self._by_dtype = {}
        self._null = None
        self._null_grad = None
        self._grad_scale = None
        self._last_b = None
        self._history = []
        self._unit_free = None

    # -- the penalty ------------------------------------------------------------
    def _set_template(self, penalty, n_features, dtype):
        """The penalty with its bounds moved to the design's coordinates."""
        lower, upper = check_bounds(
            penalty.lower_bounds,
            penalty.upper_bounds,
            penalty.positive,
            n_features,
            dtype,
        )
        # The solver's coefficient is coef / scale, so the bounds follow.
        scale = self.design.scale
        self.template = penalty.with_alpha(penalty.alpha)
        self.template.positive = False
        self.template.lower_bounds = lower / scale
        self.template.upper_bounds = upper / scale
        return lower, upper

    @property
    def n_features(self):
        return self.design.n_features

    def penalty(self, alpha):
        """The penalty at ``alpha`` in the design's coordinates."""
        return self.template.with_alpha(alpha)

    def penalty_arrays(self, alpha, dtype):
        """``(a, c, lower, upper)`` at ``alpha`` in ``dtype``, as
        ``penalty(alpha).coefficients`` gives them, without validating the
        template again at every alpha of a path."""
        v, lower, upper = self.penalty_factors(dtype)
        rho = self.template.l1_ratio
        a = (alpha * rho * v).astype(dtype)
        c = (alpha * (1.0 - rho) * v).astype(dtype)
        return a, c, lower, upper

    def penalty_factors(self, dtype):
        """``(v, lower, upper)`` in ``dtype``: the penalty factors (the l1
        weights at alpha = 1 and l1_ratio = 1) and the bounds, in the
        design's coordinates."""
        key = np.dtype(dtype)
        if key not in self._by_dtype:
            unit = self.template.with_alpha(1.0)
            unit.l1_ratio = 1.0
            self._by_dtype[key] = unit.coefficients(self.n_features, dtype)
        v, _, lower, upper = self._by_dtype[key]
        return v, lower, upper

    def _unit_arrays(self):
        """``(a, c, lower, upper)`` at alpha = 1 in float64."""
        if self._unit is None:
            self._unit = self.penalty_arrays(1.0, np.float64)
        return self._unit

    def matrix_penalty(self, alpha):
        """The penalty at ``alpha`` on ``W`` of shape (n_features, K)."""
        if self.block:
            return BlockMatrixPenalty(self.penalty(alpha), self.n_features)
        a, c, lower, upper = self._unit_arrays()
        if self._unit_free is None:
            self._unit_free = MatrixPenalty(self._unit).free
        # The free features are those of alpha = 1 at any alpha > 0.
        free = self._unit_free if alpha > 0 else None
        return MatrixPenalty((alpha * a, alpha * c, lower, upper), self.grouped, free)

    def _unit_template(self):
        """The penalty at alpha = 1 for alpha_max; with ``l1_ratio`` below
        1e-3 the ridge part alone never zeroes a coefficient, so (as glmnet
        does) alpha_max is taken at ``l1_ratio = 1e-3``."""
        unit = self.template.with_alpha(1.0)
        if unit.l1_ratio < 1e-3 and not self.block:
            unit.l1_ratio = 1e-3
        return unit

    # -- solving ------------------------------------------------------------------
    def certificate(self, alpha):
        """The datafit's certificate at ``alpha`` (kept-intercept problems)."""
        return GLMCertificate(
            self.design,
            self.y,
            self.datafit,
            self.offset,
            self.matrix_penalty(alpha),
            self.fit_intercept,
            self.K,
        )

    def start(self, alpha, w0=None, strong=None):
        """What a solver of a kept-intercept problem begins from:
        ``(cert, W, b, strong, p_ref, grad_scale)``, with ``W`` of shape
        (n_features, K), the intercepts ``b``, the strong set per feature,
        the objective at the null model (the scale of the gap's rounding
        floor) and its largest gradient (the KKT's)."""
        cert = self.certificate(alpha)
        W0, b0, value = self.null_fit()
        W = W0 if w0 is None else self._unflatten(w0)
        b = b0 if self._last_b is None else self._last_b
        if strong is not None:
            strong = strong.reshape(self.K, -1).any(axis=0)
            W, b = self._extrapolate(alpha, W, b, cert.penalty)
        # The null model is 0 unless bounds exclude 0; its penalty then is 0.
        p_ref = value + (cert.penalty.value(W0) if W0.any() else 0.0)
        if self._grad_scale is None:
            self._grad_scale = float(np.abs(self.null_grad()).max(initial=0.0))
        grad_scale = self._grad_scale
        return cert, W, b, strong, p_ref, grad_scale

    def solve(self, alpha, w0=None, strong=None, quiet=False, gap_abs=None):
        """Solve at ``alpha`` from the flat coefficients ``w0`` (class-major).

        ``strong`` (boolean, flat) seeds the first working set; ``gap_abs``
        asks for an absolute gap instead of ``tol * P(w)``."""
        with single_blas():
            if quiet:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = self._solve(alpha, w0, strong, gap_abs)
            else:
                res = self._solve(alpha, w0, strong, gap_abs)
        W = res.coef.reshape(self.n_features, -1)
        if self.centred:
            res.intercept = np.array([self.y_mean])
        else:
            self._last_b = res.intercept.copy()
            self._history = (self._history + [(alpha, W.copy(), self._last_b)])[-2:]
        if res.datafit_value is None:
            if self.block:
                pen = self.penalty(alpha).value(W[:, 0])
            elif self.K == 1:
                pen = separable_value(W[:, 0], *self.penalty_arrays(alpha, W.dtype))
            else:
                pen = self.matrix_penalty(alpha).value(W)
            res.datafit_value = res.primal - pen
        res.coef = W.T.ravel()
        res.grad_neg = res.grad_neg.reshape(self.n_features, -1).T.ravel()
        return res

    def _solve(self, alpha, w0, strong, gap_abs):
        return self.solver.solve(self, alpha, w0, strong=strong, gap_abs=gap_abs)

    def _extrapolate(self, alpha, W, b, penalty):
        """Along a path, predict the solution at ``alpha`` from the last two
        (when ``W`` is the last one): linear in log(alpha) on the coefficients
        that were non-zero at both and keep their sign, clipped to the
        bounds.  A closer start saves a Newton step per alpha; the solver
        still certifies the result."""
        if len(self._history) < 2 or not alpha > 0:
            return W, b
        (a0, W0, b0), (a1, W1, b1) = self._history
        if not (a0 > a1 > alpha) or W1.shape != W.shape or not _same(W1, W):
            return W, b
        r = np.log(a1 / alpha) / np.log(a0 / a1)
        guess = _extrapolated(W0, W1, r, penalty.lower, penalty.upper)
        return guess, b1 + r * (b1 - b0)

    # -- coordinates ------------------------------------------------------------
    def _unflatten(self, w):
        dtype = self.design.dtype if self.centred else float
        W = np.asarray(w, dtype=dtype).reshape(self.K, -1).T
        return np.ascontiguousarray(W)

    def to_original(self, w, intercept=None):
        """``(coef, intercept)`` on the original scale from solver coordinates
        (``coef`` flat class-major; a float intercept when K = 1)."""
        W = self._unflatten(w) * self.design.scale[:, None]
        coef = W.T.ravel().astype(self.design.dtype)
        if intercept is None:
            intercept = self.y_mean if self.centred else self._last_b
        # The design's centred columns carry their mean in the intercept.
        b = np.atleast_1d(np.asarray(intercept, dtype=float)) - self.design.mean @ W
        if self.shift_invariant:
            # Blind to a constant in the linear predictor: no intercept to
            # report (the centred columns' means only shifted it).
            b = np.zeros_like(b)
        if self.K == 1:
            return coef, float(b[0])
        # The softmax is blind to a common shift of the intercepts: centre
        # them so that the fit is unique.
        return coef, b - b.mean()

    def from_original(self, coef):
        W = self._unflatten(coef) / self.design.scale[:, None]
        return W.T.ravel()

    def unpack(self, res):
        """``(coef, intercept)`` on the original scale from a solve's result."""
        return self.to_original(res.coef, res.intercept)

    def fit_value(self, alpha, res):
        """The datafit's value at a solve."""
        return res.datafit_value

    # -- what paths need ------------------------------------------------------
    def null_fit(self):
        """``(W0, b0, F(W0, b0))`` at the null model (kept intercept;
        unpenalised features fitted; cached)."""
        if self._null is None:
            cert = self.certificate(1.0)
            lower, upper = cert.penalty.lower, cert.penalty.upper
            W = np.repeat(np.clip(0.0, lower, upper)[:, None], self.K, axis=1)
            b = np.zeros(self.K)
            if self.fit_intercept:
                b0 = np.atleast_1d(self.datafit.null_intercept(self.y)).astype(float)
                b = np.where(np.isfinite(b0), b0, 0.0)
            Z = cert.linear(W, b)
            cert.refit_unpenalised(W, b, Z)
            self._null = (W, b, cert.F(Z))
        return self._null

    def null_value(self):
        """The datafit at the intercept-only model (the deviance's reference)."""
        if self.centred:
            sw = self.design.sample_weight
            yw = self.y if sw is None else self.y * sw
            return float(yw @ self.y) / (2 * self.design.n_samples)
        return self.null_fit()[2]

    def null_grad(self):
        """Minus the datafit's gradient at the null model, (n_features, K)
        (cached)."""
        if self._null_grad is None:
            W, b, _ = self.null_fit()
            cert = self.certificate(1.0)
            self._null_grad = cert.grad_neg(cert.grad(cert.linear(W, b)))
        return self._null_grad

    def grad_neg(self, w):
        """Minus the datafit's gradient in ``w`` at ``w`` (flat), the
        intercept at its last value."""
        if self.centred:
            d = self.design
            r = self.y - d.matvec(w)
            if d.sample_weight is not None:
                r = r * d.sample_weight
            return d.rmatvec(r) / d.n_samples
        cert = self.certificate(1.0)
        b = self._last_b if self._last_b is not None else self.null_fit()[1]
        Z = cert.linear(self._unflatten(w), b)
        return cert.grad_neg(cert.grad(Z)).T.ravel()

    def strong_set(self, grad_neg, alpha, prev_alpha):
        """Sequential strong rule on features (all outputs together): keep j
        unless its pull is below ``(2 alpha - prev) v_j``."""
        if self.block:
            unit = self.template.with_alpha(1.0)
            level = unit.group_alpha_max(grad_neg)
            labels = unit.structure(self.n_features)[3]
            free = unit.free_features(self.n_features)
            return (level[labels] >= 2 * alpha - prev_alpha) | free
        unit = self._unit_arrays()[0]
        if self.K == 1:
            pull = np.abs(grad_neg)
        else:
            G = np.abs(grad_neg.reshape(self.K, -1))
            pull = np.sqrt((G**2).sum(axis=0)) if self.grouped else G.max(axis=0)
        keep = (pull >= (2 * alpha - prev_alpha) * unit) | (unit == 0)
        return keep if self.K == 1 else np.tile(keep, self.K)

    def alpha_max(self):
        """Smallest alpha at which every penalised coefficient is zero, and the
        flat solution there (unpenalised features fitted).

        With ``l1_ratio`` below 1e-3 the ridge part alone never zeroes a
        coefficient; as glmnet does, alpha_max is then computed at
        ``l1_ratio = 1e-3``.
        """
        unit = self._unit_template()
        if self.centred:
            w = self._centred_null()
            grad_neg = self.grad_neg(w)[:, None]
        else:
            W = self.null_fit()[0]
            w, grad_neg = W.T.ravel(), self.null_grad()
        if self.block:
            return unit.alpha_max(grad_neg[:, 0]), w
        if self.grouped:
            a = unit.coefficients(self.n_features)[0]
            norms = np.sqrt((grad_neg**2).sum(axis=1))
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(a > 0, norms / a, 0.0)
            return float(ratio.max(initial=0.0)), w
        value = max(unit.alpha_max(-grad_neg[:, k].copy()) for k in range(self.K))
        return float(value), w

    def _centred_null(self):
        """The solution at alpha_max of a centred problem: the unpenalised
        features fitted by a solve at a large alpha, doubled until every
        penalised coefficient is zero."""
        unit = self._unit_template()
        if self.block:
            penalised = ~unit.free_features(self.n_features)
            lower = np.full(self.n_features, -np.inf)
            upper = -lower
        else:
            penalised = unit.coefficients(self.n_features, self.design.dtype)[0] > 0
            lower, upper = self._unit_arrays()[2:]
        w = np.clip(np.zeros(self.n_features, dtype=self.design.dtype), lower, upper)
        if (penalised | self.design.constant).all() and not w.any():
            return w
        if self.block:
            return self._free_least_squares(~penalised & ~self.design.constant)
        alpha = max(unit.alpha_max(-self.grad_neg(w)), 1.0)
        for _ in range(60):
            w = self.solve(alpha, quiet=True).coef
            if not (w[penalised] != 0).any():
                break
            alpha *= 2.0
        return w

    def _free_least_squares(self, free):
        """The least-squares fit of the centred target on the ``free``
        columns alone, exactly (a block penalty's null model)."""
        d = self.design
        cols = d.columns(np.flatnonzero(free)).astype(float)
        target = self.y.astype(float)
        if d.sample_weight is not None:
            root = np.sqrt(d.sample_weight)
            cols, target = cols * root[:, None], target * root
        w = np.zeros(self.n_features, dtype=d.dtype)
        w[free] = np.linalg.lstsq(cols, target, rcond=None)[0]
        return w

    # -- certified statuses for explain -----------------------------------------
    def exact_grad_neg(self, res):
        """Minus the datafit's gradient at a solve's point, flat: the
        solver's own when exact, else computed (a pass over X)."""
        return res.grad_neg if res.grad_exact else self.grad_neg(res.coef)

    def _pulls(self, res):
        """``(pull, zero)`` per feature at a solve."""
        G = self._unflatten(self.exact_grad_neg(res))
        pull = np.sqrt((G**2).sum(axis=1)) if self.grouped else np.abs(G).max(axis=1)
        return pull, ~self._unflatten(res.coef).any(axis=1)

    def _radius_scale(self):
        """Per feature ``s_j`` with gap-safe radius ``sqrt(2 gap s_j)`` on the
        pull scale, or None without a curvature bound (Poisson, whose
        statuses use the pull alone) or a solver that cannot continue a solve
        to an absolute gap."""
        curv = self.datafit.curvature
        if not np.isfinite(curv) or not getattr(self.solver, "refines", False):
            return None
        d = self.design
        return curv * d.centred_sq_norms.astype(float) / d.n_samples

    def settle_zeros(self, alpha, res):
        """Refine a solve until the status of every zero coefficient is
        certified (for ``explain``).

        A zero coefficient is proved zero at the optimum when its pull plus
        the gap-safe radius ``sqrt(2 gap s_j)`` stays below its penalty
        ``a_j``.  A default fit's gap can leave a feature whose pull is well
        below ``a_j`` undecided; the solve then continues, warm-started, to
        the gap that decides it (at most three rounds).  Features within the
        KKT tolerance of their penalty (``pull >= (1 - KKT_TOL) a_j``) are at
        the boundary at any accuracy and do not ask for more.
        """
        scale = self._radius_scale()
        if scale is None or self.block:
            # A block penalty's zeros are explained per group (see explain).
            return res
        a = alpha * self._unit_arrays()[0]
        for _ in range(3):
            pull, zero = self._pulls(res)
            radius = np.sqrt(2 * max(res.dual_gap, 0.0) * scale)
            open_ = zero & (pull < (1 - KKT_TOL) * a) & (pull + radius >= a)
            open_ &= scale > 0
            if not open_.any():
                break
            margin = a[open_] - pull[open_]
            target = 0.25 * float(np.min(margin**2 / (2 * scale[open_])))
            refined = self.solve(alpha, res.coef, quiet=True, gap_abs=target)
            if not refined.converged:
                break
            res = refined
        return res


@njit(cache=True, nogil=True)
def _same(A, B):
    """``np.array_equal`` for two arrays of one shape, stopping at the first
    difference (a warm start usually differs from the last solution early
    or not at all)."""
    a, b = A.ravel(), B.ravel()
    for i in range(a.shape[0]):
        if a[i] != b[i]:
            return False
    return True


@njit(cache=True, nogil=True)
def _extrapolated(W0, W1, r, lower, upper):
    """``W1 + r (W1 - W0)`` on the entries non-zero in both whose sign it
    keeps, ``W1`` elsewhere, clipped to the bounds (rows of ``W``)."""
    guess = W1.copy()
    p, K = W1.shape
    for j in range(p):
        for k in range(K):
            w1, w0 = W1[j, k], W0[j, k]
            if w1 != 0.0 and w0 != 0.0:
                g = w1 + r * (w1 - w0)
                if (g > 0.0) == (w1 > 0.0) and g != 0.0:
                    guess[j, k] = g
            guess[j, k] = min(max(guess[j, k], lower[j]), upper[j])
    return guess
