"""The exact lasso path by LARS with the lasso modification.

Least angle regression (Efron, Hastie, Johnstone and Tibshirani 2004, the
"LARS-lasso" variant of their section 3.1) follows the whole lasso path from
``alpha_max`` down: the solution is piecewise linear in ``alpha``, and between
two knots the active set ``A`` and the signs ``s_A`` of its coefficients do
not change.  On a segment the KKT conditions ``X_A' S r / n = alpha s_A v_A``
give

.. math::

    w_A(\\alpha) = G_{AA}^{-1} (q_A - \\alpha\\, s_A v_A),
    \\qquad G = X_c' S X_c / n, \\quad q = X_c' S y_c / n,

and a knot is the largest ``alpha`` below the current one at which an inactive
feature's correlation ``|c_j| = |x_j' S r / n|`` reaches ``alpha v_j`` (it
enters) or an active coefficient reaches zero (it leaves; it may re-enter
later).  ``G_AA`` is kept as a Cholesky factor, updated when a feature enters
and downdated by Givens rotations when one leaves, so a knot costs two passes
over ``X`` plus ``O(|A|^2)``.  Each segment's coefficients are recomputed from
``q`` and the factor, not accumulated, so errors do not drift along the path.
"""

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._design import Design
from .._estimator import _to_array, check_target
from .._validation import check_sample_weight, check_scalar_range, check_vector
from ._base import SolverResult, StoppingRule, warn_not_converged
from ._certificates import QuadraticCertificate

__all__ = ["LarsPath", "LarsSolver", "lars_path"]

# Numerical tolerances, all relative.  Two events whose alphas differ by less
# than _TIE_RTOL * alpha_max happen at one knot (exact ties, as with repeated
# correlations, and rounding-level near-ties; merging them moves the path by
# that much at most).
_TIE_RTOL = 1e-12
# A feature whose squared Cholesky pivot is below _PIVOT_RTOL * ||x_j||^2 lies
# in the span of the active columns (an angle below 1e-5 rad): adding it would
# make G_AA singular, so it is left out (p >= n at the end of the path, or
# duplicated columns).
_PIVOT_RTOL = 1e-10


@dataclass(frozen=True, eq=False)
class LarsPath:
    """The exact lasso path: knots, coefficients and the events between them.

    The path minimises, for every ``alpha >= alphas[-1]``,

    .. math::

        P(w, b) = \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j |w_j|

    and is linear in ``alpha`` between consecutive knots, so :meth:`coef`
    interpolates exactly.  :func:`lars_path` builds it; the fields are not
    set by hand.

    Parameters
    ----------
    alphas : ndarray of shape (n_knots,)
        Knots, strictly decreasing, from ``alpha_max`` down to ``alpha_min``
        (or to where ``max_knots`` stopped the path).
    coefs : ndarray of shape (n_features, n_knots)
        Coefficients on the original scale of ``X`` at each knot.
    intercepts : ndarray of shape (n_knots,)
        Intercept at each knot (zeros without an intercept).
    active : list of ndarray
        ``active[k]`` holds the features whose coefficients move on the
        segment from ``alphas[k]`` to ``alphas[k + 1]`` (sorted), unpenalised
        features included; ``len(active) == n_knots - 1``.
    events : list of (float, int, str)
        ``(alpha, feature, "enter" | "leave")`` in path order; unpenalised
        features, fitted throughout, have no events.
    entry_order : list of int
        Penalised features in the order of their first entry.

    See Also
    --------
    lars_path : Compute the path.
    sparsefit.lasso_path : The lasso on a grid of alphas, by coordinate
        descent, for any size of data.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import lars_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = lars_path(X, y)
    >>> path.alphas.shape, path.coefs.shape, len(path.active)
    ((13,), (10, 13), 12)
    >>> path.entry_order[:3]
    [2, 8, 3]
    >>> path.coef([1.0, 0.5]).shape, path.predict(X[:3], 1.0).shape
    ((10, 2), (3,))
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    active: list
    events: list
    entry_order: list

    def _interpolate(self, values, alpha):
        """Linear interpolation of ``values[..., k]`` (given at the knots)."""
        alpha = np.asarray(alpha, dtype=float)
        scalar = alpha.ndim == 0
        alpha = np.atleast_1d(alpha)
        if alpha.ndim != 1 or not np.isfinite(alpha).all():
            raise ValueError(
                f"alpha must be a finite scalar or 1-D array, got {alpha}."
            )
        knots = self.alphas
        if (alpha < knots[-1]).any():
            raise ValueError(
                f"alpha must be >= {knots[-1]:.6g}, where the path ends; got "
                f"{alpha.min():.6g}. Compute the path with a smaller alpha_min."
            )
        if knots.size == 1:
            out = np.repeat(values[..., :1], alpha.size, axis=-1)
        else:
            # Knot i - 1 is the last above alpha, knot i the first at or below
            # it; above alpha_max, t clips to 0 and the path is flat.
            i = np.searchsorted(-knots, -alpha, side="left")
            i = np.clip(i, 1, knots.size - 1)
            hi, lo = knots[i - 1], knots[i]
            t = np.clip((hi - alpha) / (hi - lo), 0.0, 1.0)
            out = values[..., i - 1] * (1.0 - t) + values[..., i] * t
        return out[..., 0] if scalar else out

    def coef(self, alpha):
        """Return the coefficients at ``alpha``, exact by linear interpolation.

        Parameters
        ----------
        alpha : float or array-like of shape (n_alphas,)
            Penalty level(s), ``>= alphas[-1]``; above ``alphas[0]`` the
            path is flat.

        Returns
        -------
        coef : ndarray of shape (n_features,) or (n_features, n_alphas)
            The coefficients on the original scale; one column per alpha
            when ``alpha`` is an array.

        Raises
        ------
        ValueError
            If ``alpha`` is not finite or is below ``alphas[-1]``.
        """
        return self._interpolate(self.coefs, alpha)

    def intercept(self, alpha):
        """Return the intercept at ``alpha`` (also linear between knots).

        Parameters
        ----------
        alpha : float or array-like of shape (n_alphas,)
            Penalty level(s), ``>= alphas[-1]``; above ``alphas[0]`` the
            path is flat.

        Returns
        -------
        intercept : float or ndarray of shape (n_alphas,)
            The intercept, one per alpha when ``alpha`` is an array.
        """
        return self._interpolate(self.intercepts, alpha)

    def predict(self, X, alpha):
        """Predict ``X @ coef(alpha) + intercept(alpha)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples to predict.
        alpha : float or array-like of shape (n_alphas,)
            Penalty level(s), ``>= alphas[-1]``; above ``alphas[0]`` the
            path is flat.

        Returns
        -------
        pred : ndarray of shape (n_samples,) or (n_samples, n_alphas)
            The predictions, one column per alpha when ``alpha`` is an array.
        """
        Xw = X @ self.coef(alpha)
        return np.asarray(Xw) + self.intercept(alpha)


class _ActiveGram:
    """The columns ``G[:, B] = Z' Z_B / n`` of an ordered set B and the lower
    Cholesky factor ``L`` of ``G_BB``."""

    def __init__(self, Z):
        from scipy.linalg import solve_triangular  # 30 ms: not on import

        self._solve_triangular = solve_triangular
        self.Z = Z
        self.n, p = Z.shape
        self.features = []
        self.L = np.zeros((0, 0), order="F")
        # Columns 0..k-1 hold G[:, B]; the buffer doubles when full.
        self._cols = np.empty((p, 8), order="F")

    @property
    def cols(self):
        return self._cols[:, : len(self.features)]

    def _triangular(self, rhs, trans=0):
        return self._solve_triangular(
            self.L, rhs, lower=True, trans=trans, check_finite=False
        )

    def add(self, j):
        """Append feature ``j``; return False (and keep B) when it is in the
        span of B."""
        col = self.Z.T @ self.Z[:, j] / self.n
        k = len(self.features)
        g_jj = float(col[j])
        l_row = self._triangular(col[self.features]) if k else np.zeros(0)
        pivot_sq = g_jj - float(l_row @ l_row)
        if not pivot_sq > _PIVOT_RTOL * g_jj:
            return False
        L = np.zeros((k + 1, k + 1), order="F")
        L[:k, :k] = self.L
        L[k, :k] = l_row
        L[k, k] = np.sqrt(pivot_sq)
        self.L = L
        if k == self._cols.shape[1]:
            self._cols = np.asfortranarray(np.hstack([self._cols, self._cols]))
        self._cols[:, k] = col
        self.features.append(j)
        return True

    def remove(self, j):
        """Drop feature ``j``: delete its row, then Givens rotations on the
        columns restore the triangle (Golub and Van Loan, section 12.5)."""
        i = self.features.index(j)
        L = np.delete(self.L, i, axis=0)
        for m in range(i, L.shape[0]):
            a, b = L[m, m], L[m, m + 1]
            r = np.hypot(a, b)
            cos, sin = a / r, b / r
            left, right = L[m:, m].copy(), L[m:, m + 1].copy()
            L[m:, m] = cos * left + sin * right
            L[m:, m + 1] = cos * right - sin * left
        self.L = np.asfortranarray(L[:, :-1])
        k = len(self.features)
        self._cols[:, i : k - 1] = self._cols[:, i + 1 : k].copy()
        del self.features[i]

    def solve(self, rhs):
        """``G_BB^{-1} rhs``."""
        if not self.features:
            return np.zeros_like(rhs)
        return self._triangular(self._triangular(rhs), trans=1)


class _Homotopy:
    """The path on ``Z = S^{1/2} X_c`` and ``t = S^{1/2} y_c`` (an unweighted
    problem with the same objective), with penalty factors ``v``.

    Unpenalised features (``v_j = 0``) are in B from the start with a zero
    right-hand side, so their correlations stay 0; features in ``skip``
    (constant columns) keep coefficient 0.
    """

    def __init__(self, Z, t, v, skip):
        self.Z, self.t, self.v = Z, t, v
        self.n, self.p = Z.shape
        self.q = Z.T @ t / self.n
        self.penalised = (v > 0) & ~skip
        self.gram = _ActiveGram(Z)
        free = np.flatnonzero((v == 0) & ~skip)
        for j in free:
            if not self.gram.add(j):
                raise ValueError(
                    f"The {free.size} unpenalised feature(s) (penalty_factor 0) "
                    "have linearly dependent columns: their least-squares fit is "
                    "not unique. Give them a positive penalty_factor."
                )
        # +1 or -1 for penalised features in B, 0 elsewhere.
        self.signs = np.zeros(self.p)
        self.blocked = np.zeros(self.p, dtype=bool)

    def segment(self):
        """``(u, d)`` with ``w_B(alpha) = u - alpha d`` on the current segment,
        as length-p vectors."""
        B = self.gram.features
        rhs = np.column_stack([self.q[B], self.signs[B] * self.v[B]])
        sol = self.gram.solve(rhs)
        u, d = np.zeros(self.p), np.zeros(self.p)
        u[B], d[B] = sol[:, 0], sol[:, 1]
        return u, d

    def correlations(self, w, d):
        """``c = Z' (t - Z w) / n = q - G w`` and its rate ``a = G d`` (``c``
        changes by ``-delta a`` when alpha decreases by ``delta``): two
        products with ``G[:, B]``, cheaper than two passes over ``Z``."""
        B, cols = self.gram.features, self.gram.cols
        if not B:
            return self.q.copy(), np.zeros(self.p)
        # Two matrix-vector products: BLAS is slow on an (n, 2) right side.
        return self.q - cols @ w[B], cols @ d[B]

    def next_events(self, alpha, w, d, c, a, just_left, just_entered):
        """Decrements of alpha to every candidate event, as a dict of arrays:
        "up"/"down" (an inactive feature's c_j reaches +-alpha v_j) and
        "leave" (an active coefficient reaches 0)."""
        v, s = self.v, self.signs
        inactive = self.penalised & (s == 0) & ~self.blocked
        steps = {}
        for name, sign in (("up", 1.0), ("down", -1.0)):
            # sign * c_j - delta * sign * a_j = (alpha - delta) v_j; a gap a
            # hair below 0 is rounding, and the feature enters now.
            gap = np.maximum(alpha * v - sign * c, 0.0)
            rate = v - sign * a
            ok = inactive & (rate > 0)
            steps[name] = np.full(self.p, np.inf)
            steps[name][ok] = gap[ok] / rate[ok]
        # A feature that has just left sits on the boundary it left from and
        # moves inside: it must not re-enter through that side at once.
        for j, old in just_left:
            steps["up" if old > 0 else "down"][j] = np.inf
        # |w_j| shrinks at rate -s_j d_j; a just-entered feature has w_j = 0
        # and must first grow.
        shrink = -s * d
        active = (s != 0) & (shrink > 0)
        active[list(just_entered)] = False
        steps["leave"] = np.full(self.p, np.inf)
        steps["leave"][active] = np.maximum(s * w, 0.0)[active] / shrink[active]
        return steps

    def enter(self, j, sign):
        if self.gram.add(j):
            self.signs[j] = sign
            return True
        self.blocked[j] = True
        return False

    def leave(self, j):
        self.gram.remove(j)
        self.signs[j] = 0.0
        # The span of B shrinks: blocked features may fit again.
        self.blocked[:] = False


def _run_path(Z, t, v, skip, alpha_min, max_knots):
    """Follow the path from alpha_max to ``alpha_min``.

    Returns ``(alphas, coefs, active, events, complete)`` with ``coefs`` of
    shape (p, n_knots) in ``Z``'s coordinates; ``complete`` is False when
    ``max_knots`` (or the safeguard against cycling) stopped the path first.
    """
    path = _Homotopy(Z, t, v, skip)
    u, d = path.segment()
    c, _ = path.correlations(u, d)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(path.penalised, np.abs(c) / v, 0.0)
    alpha_max = float(ratios.max(initial=0.0))
    alphas, coefs, active, events = [alpha_max], [u], [], []
    if alpha_max <= alpha_min or not path.penalised.any():
        return np.array(alphas), np.column_stack(coefs), active, events, True
    tie = _TIE_RTOL * alpha_max
    alpha, just_left, just_entered = alpha_max, [], []
    # Every step adds a knot or changes B at the current one; the number of
    # knots is about min(n, p) plus the leaves, so this bound only catches
    # cycling.
    safeguard = 10 * (min(Z.shape) + 1) + 100 + (max_knots or 0)
    for _ in range(safeguard):
        u, d = path.segment()
        w = u - alpha * d
        c, a = path.correlations(w, d)
        steps = path.next_events(alpha, w, d, c, a, just_left, just_entered)
        delta = min(float(s.min(initial=np.inf)) for s in steps.values())
        if not delta < alpha - alpha_min - tie:
            alphas.append(alpha_min)
            coefs.append(u - alpha_min * d)
            active.append(np.array(sorted(path.gram.features), dtype=np.intp))
            return np.array(alphas), np.column_stack(coefs), active, events, True
        moved = delta > tie
        if moved:
            active.append(np.array(sorted(path.gram.features), dtype=np.intp))
            alpha -= delta
            alphas.append(alpha)
            coefs.append(u - alpha * d)
        just_left, just_entered = _apply_events(path, steps, delta + tie)
        if moved and not (just_left or just_entered):
            # Only features in the span of B were due: B is unchanged and the
            # path goes straight on, so this is no knot.
            del alphas[-1], coefs[-1], active[-1]
        for j, _old in just_left:
            coefs[-1][j] = 0.0
        events.extend(
            [(alpha, j, "leave") for j, _ in just_left]
            + [(alpha, j, "enter") for j in just_entered]
        )
        if max_knots is not None and len(alphas) >= max_knots:
            break
    else:
        warnings.warn(
            f"lars_path stopped after {safeguard} steps at alpha={alpha:.6g} "
            f"without reaching alpha_min={alpha_min:.6g}: the active set cycles "
            "(degenerate data, such as duplicated columns).",
            UserWarning,
            stacklevel=3,
        )
    return np.array(alphas), np.column_stack(coefs), active, events, False


def _apply_events(path, steps, reach):
    """Apply the events with decrement <= ``reach``: leaves first (they free
    room in B), then entries in order of decrement.  Returns ``(left,
    entered)``: the ``(feature, old sign)`` that left and the features added."""
    left = [(int(j), path.signs[j]) for j in np.flatnonzero(steps["leave"] <= reach)]
    for j, _ in left:
        path.leave(j)
    up, down = steps["up"], steps["down"]
    first = np.minimum(up, down)
    candidates = np.flatnonzero(first <= reach)
    entered = []
    for j in candidates[np.argsort(first[candidates], kind="stable")]:
        if path.enter(int(j), 1.0 if up[j] <= down[j] else -1.0):
            entered.append(int(j))
    return left, entered


def _entry_order(events):
    order = []
    for _, j, kind in events:
        if kind == "enter" and j not in order:
            order.append(j)
    return order


def lars_path(
    X,
    y,
    *,
    sample_weight=None,
    penalty_factor=None,
    fit_intercept=True,
    alpha_min=0.0,
    max_knots=None,
):
    """The exact lasso path by least angle regression (LARS-lasso).

    Computes every knot of the solution path of

    .. math::

        \\min_{w, b} \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j |w_j|

    for ``alpha`` from ``alpha_max = max_j |x_j' S y_c| / (n v_j)`` down to
    ``alpha_min``, by the homotopy of Efron et al. (2004) with the lasso
    modification: a coefficient that reaches zero leaves the active set (and
    may re-enter later).  The scaling is scikit-learn's, whose ``lars_path(X,
    y, method="lasso")`` gives the same alphas on centred data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Dense only; the columns are centred (weighted means) when
        ``fit_intercept``.
    y : array-like of shape (n_samples,)
        Target values.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights ``s``, rescaled to sum to ``n_samples``.
    penalty_factor : array-like of shape (n_features,), default=None
        Factors ``v_j >= 0``; a feature with ``v_j = 0`` is unpenalised and
        fitted along the whole path (the unpenalised columns must be linearly
        independent).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept by centring ``X`` and ``y``.
    alpha_min : float, default=0.0
        Where the path stops; when ``alpha_min >= alpha_max`` the path is the
        single knot ``alpha_max``.  With 0 it ends at a least-squares fit: the
        unique one when ``n_samples > n_features`` and X has full rank;
        otherwise one that interpolates ``y`` with at most ``n_samples - 1``
        (``n_samples`` without intercept) nonzero coefficients.
    max_knots : int, default=None
        Stop after this many knots (``alpha_max`` included) even when
        ``alpha_min`` is not reached; ``alphas[-1]`` tells where.

    Returns
    -------
    path : LarsPath
        Knots, coefficients, intercepts, active sets and events; its
        ``coef(alpha)`` and ``predict(X, alpha)`` are exact at any
        ``alpha >= alphas[-1]``.

    See Also
    --------
    LarsPath : What is returned.
    sparsefit.lasso_path : The lasso on a grid of alphas, by coordinate
        descent (sparse X too).
    sparsefit.Lasso : The lasso at one alpha (``solver="lars"`` uses LARS).

    Notes
    -----
    Numerical noise is handled with relative tolerances: events within
    ``1e-12 * alpha_max`` of each other share a knot, a feature within
    rounding of the boundary ``|c_j| = alpha v_j`` enters at once, and a
    feature whose column lies in the span of the active ones (squared
    Cholesky pivot below ``1e-10 ||x_j||^2``) is kept out of the active set.

    References
    ----------
    B. Efron, T. Hastie, I. Johnstone and R. Tibshirani, "Least angle
    regression", Annals of Statistics 32(2), 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import lars_path
    >>> X = np.array([[1., 0.], [0., 1.], [1., 1.], [2., 0.]])
    >>> path = lars_path(X, np.array([1., 0., 1., 2.]))
    >>> path.entry_order
    [0]
    >>> path.coef(0.0).round(6).tolist()
    [1.0, 0.0]
    """
    if sp.issparse(X):
        raise ValueError(
            "lars_path supports dense X only; got a sparse X "
            f"({type(X).__name__}). Pass X.toarray(), or use solver='cd'."
        )
    X = _to_array(X, "X", "csc")
    n, p = X.shape
    y = check_target(y, n, np.float64, "lars_path")
    sw = check_sample_weight(sample_weight, n, np.float64)
    v = check_vector(
        penalty_factor, "penalty_factor", p, np.float64, default=1.0, nonnegative=True
    )
    if not np.isfinite(v).all():
        raise ValueError("penalty_factor must be finite.")
    alpha_min = check_scalar_range(alpha_min, "alpha_min", low=0.0)
    _check_max_knots(max_knots)
    design = Design(X.astype(np.float64), sw, center=fit_intercept)
    y_mean = float(np.average(y, weights=sw)) if fit_intercept else 0.0
    Z, t = _weighted_problem(design, y - y_mean)
    alphas, coefs, active, events, _ = _run_path(
        Z, t, v, design.constant, alpha_min, max_knots
    )
    return LarsPath(
        alphas=alphas,
        coefs=coefs,
        intercepts=y_mean - design.mean @ coefs,
        active=active,
        events=events,
        entry_order=_entry_order(events),
    )


def _check_max_knots(max_knots):
    if max_knots is None:
        return
    if (
        isinstance(max_knots, bool)
        or not isinstance(max_knots, numbers.Integral)
        or max_knots < 1
    ):
        raise ValueError(
            f"max_knots must be None or an integer >= 1, got {max_knots!r}."
        )


def _weighted_problem(design, y_c):
    """``(S^{1/2} X_c, S^{1/2} y_c)`` in float64."""
    Z = design.columns(np.arange(design.n_features)).astype(np.float64)
    t = np.asarray(y_c, dtype=np.float64)
    if design.sample_weight is not None:
        root = np.sqrt(design.sample_weight.astype(np.float64))
        Z *= root[:, None]
        t = t * root
    return Z, t


class LarsSolver:
    """The lasso at one ``alpha`` as the end of its LARS path.

    Minimises the centred problem

    .. math::

        P(w) = \\frac{1}{2n} \\|y_c - X_c w\\|_S^2 + \\alpha \\sum_j v_j |w_j|

    by following the exact path (see :func:`lars_path`) from ``alpha_max`` to
    ``alpha``, then certifies the result with the duality gap.  The answer is
    exact up to rounding, so the gap is at rounding level; it is still
    reported (and checked by :class:`~sparsefit.solvers.StoppingRule` when
    ``max_iter`` cuts the path short).  Dense X, ``l1_ratio = 1`` and no bounds only.

    Parameters
    ----------
    tol : float, default=1e-4
        Relative duality-gap tolerance, used only when the path is cut short.
    max_iter : int, default=10_000
        Maximum number of knots.

    See Also
    --------
    lars_path : The whole exact path.
    CoordinateDescent : The lasso for sparse X, the elastic net and bounds.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Quadratic
    >>> from sparsefit.penalties import L1
    >>> X, y = load_diabetes(return_X_y=True)
    >>> problem = Problem(X, y, Quadratic(), L1(1.0))
    >>> from sparsefit.solvers import LarsSolver
    >>> result = LarsSolver().solve(problem, 1.0)
    >>> result.converged, bool(result.dual_gap <= result.tol_abs)
    (True, True)
    >>> int((result.coef != 0).sum())
    3
    """

    name = "LARS"

    def __init__(self, tol=1e-4, max_iter=10_000):
        self.tol = tol
        self.max_iter = max_iter

    #: Exact at the end of the homotopy: nothing to continue.
    refines = False

    @staticmethod
    def accepts(problem):
        """Whether this solver applies: single-output least squares.

        The intercept must be eliminated by centring (``problem.centred``)
        and the problem have one output.

        Parameters
        ----------
        problem : Problem
            The problem to solve.

        Returns
        -------
        bool
            True when :meth:`solve` can take ``problem``.
        """
        return problem.centred and problem.K == 1 and not problem.block

    def solve(self, problem, alpha, w0=None, *, strong=None, gap_abs=None):
        """Solve ``problem`` at ``alpha`` by the LARS-lasso homotopy.

        ``w0``, ``strong`` and ``gap_abs`` are ignored: the homotopy always
        starts at ``alpha_max`` and ends at the exact solution.

        Parameters
        ----------
        problem : Problem
            The problem (design, datafit, penalty template); see
            :mod:`sparsefit.solvers` for what a solver takes from it.
        alpha : float
            The penalty's alpha.
        w0 : ndarray or None, default=None
            Warm start in the design's coordinates (flat, class-major).
        strong : ndarray of bool or None, default=None
            Features of the sequential strong rule, along a path.
        gap_abs : float or None, default=None
            An absolute duality gap to reach instead of ``tol * P(w)``.

        Returns
        -------
        SolverResult
            Certified by :class:`StoppingRule` at the returned point.
        """
        design, y = problem.design, problem.y
        penalty = problem.penalty(alpha)
        p = design.n_features
        _check_plain_lasso(design, penalty, p)
        arrays = penalty.coefficients(p, design.dtype)
        v = penalty.with_alpha(1.0).coefficients(p, np.float64)[0]
        Z, t = _weighted_problem(design, y)
        alphas, coefs, _, _, complete = _run_path(
            Z, t, v, design.constant, float(alpha), self.max_iter
        )
        w = coefs[:, -1].astype(design.dtype)
        cert = QuadraticCertificate(design, y, arrays)
        stats = cert.stats_from_residual(y - design.matvec(w), w)
        gap, primal, _, _ = cert.gap(w, stats)
        kkt = float(cert.kkt(w, stats[4]).max(initial=0.0))
        rule = StoppingRule(
            self.tol,
            arrays[0].max(initial=0.0),
            cert.reference_value(np.zeros(p, dtype=design.dtype)),
            eps=np.finfo(design.dtype).eps,
        )
        result = SolverResult(
            coef=w,
            n_iter=int(alphas.size),
            dual_gap=gap,
            primal=primal,
            kkt_violation=kkt,
            tol_abs=rule.gap_target(primal),
            converged=bool(complete or rule.met(gap, primal, kkt)),
            history=[(int(alphas.size), gap)],
            grad_neg=stats[4],
        )
        if not result.converged:
            warn_not_converged(self.name, result, self.max_iter)
        return result


def _check_plain_lasso(design, penalty, n_features):
    """Raise unless the problem is the plain (weighted) lasso on dense X."""
    what = "solver='lars' supports the plain lasso on dense X only"
    if design.sparse:
        raise ValueError(
            f"{what}; got a sparse X. Use solver='cd', or pass X.toarray()."
        )
    l1_ratio = float(getattr(penalty, "l1_ratio", 1.0))
    if l1_ratio < 1.0:
        raise ValueError(
            f"{what}; got l1_ratio={l1_ratio!r} (a ridge term). Use solver='cd'."
        )
    _, c, lower, upper = penalty.coefficients(n_features, np.float64)
    if (c != 0).any():
        raise ValueError(f"{what}; the penalty has a ridge term. Use solver='cd'.")
    if np.isfinite(lower).any() or np.isfinite(upper).any():
        raise ValueError(
            f"{what}; got bounds on the coefficients (positive=True, lower_bounds "
            "or upper_bounds). Use solver='cd'."
        )
