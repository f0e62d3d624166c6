"""Regularisation paths: fit every alpha once, then look, choose and predict.

One function, :func:`compute_path`, solves the problem on a decreasing grid
of alphas with warm starts, seeding each solve with the sequential strong
rule (Tibshirani et al. 2012); the solver's own gap-safe screening and its
stopping test on the full problem's duality gap make every point certified,
so no discarded feature can violate its KKT condition at a returned point.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ._estimator import _feature_names, _to_array, check_target
from ._families import FAMILIES, encode_target, family_name
from ._problem import Problem
from ._progress import Progress
from ._threads import single_blas
from ._validation import (
    check_offset,
    check_sample_weight,
    check_scalar_range,
    is_distributed,
)
from .datafits import Quadratic
from .penalties import ElasticNetPenalty, SeparablePenalty
from .solvers._cd_path import applies as cd_applies
from .solvers._cd_path import cd_path
from .solvers._newton_path import PathArrays, newton_path
from .solvers._newton_path import applies as newton_applies

__all__ = [
    "PathResult",
    "compute_path",
    "lasso_path",
    "enet_path",
    "alpha_grid",
    "relaxed_path",
]


@dataclass(frozen=True)
class PathResult:
    """A regularisation path, certified at every alpha.

    What :func:`compute_path`, :func:`lasso_path`, :func:`enet_path` and
    :func:`relaxed_path` return: the solutions of

    .. math::

        \\min_{w, b}\\; F(y, Xw + b)
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

    (``F`` the datafit, ``rho`` the ``l1_ratio``, ``v`` the penalty factors)
    at each alpha of a decreasing grid, each with its certificate (duality
    gap and KKT violation).  :meth:`coef`, :meth:`intercept` and
    :meth:`predict` read the path at any alpha, between grid points by
    interpolation or, with ``exact=True``, by a refit.  The fields are set
    by those functions, not by hand.

    Parameters
    ----------
    alphas : ndarray of shape (n_alphas,)
        Decreasing; ``alphas[0]`` is alpha_max when the grid was generated.
    coefs : scipy.sparse.csc_matrix of shape (n_features * K, n_alphas)
        Coefficients on the original scale, one column per alpha; with K
        outputs (the multinomial's classes) the rows run class by class.
    intercepts : ndarray of shape (n_alphas,) or (n_alphas, K)
        Intercept at each alpha (zeros without an intercept).
    dual_gaps : ndarray of shape (n_alphas,)
        Certified duality gap at each returned point.
    gap_tols : ndarray of shape (n_alphas,)
        The gap each solve had to reach, ``tol * P(w)`` at its returned point
        (see :class:`~sparsefit.solvers.StoppingRule`).
    kkt_violations : ndarray of shape (n_alphas,)
        Largest KKT violation over all features at each point.
    n_iters : ndarray of shape (n_alphas,)
        Iterations the solver used at each alpha.
    n_nonzero : ndarray of shape (n_alphas,)
        Degrees of freedom of the lasso: the number of features with a
        non-zero coefficient (for any class).
    dev_ratio : ndarray of shape (n_alphas,)
        Fraction of the null deviance explained, ``1 - D / D_null``
        (``1 - RSS / RSS_null`` for least squares).
    entry_alphas : ndarray of shape (n_features,)
        Largest grid alpha at which each feature is non-zero (NaN if never).
    l1_ratio : float
        The penalty's ``rho``: 1 is the lasso, below 1 the elastic net.
    feature_names : list of str or None, default=None
        Names of the columns of ``X`` when it had them (a DataFrame).
    stopped_early : bool, default=False
        True only with ``stop_saturation=True``, when the path stopped
        because the deviance explained saturated; ``message`` says where.
    message : str, default=""
        Why the path stopped early; empty otherwise.
    family : {"gaussian", "binomial", "multinomial", "poisson", "huber"}, \
default="gaussian"
        The datafit's family, which decides what :meth:`predict` returns.
    classes : ndarray or None, default=None
        The labels (binomial: ``classes[1]`` is the positive class).
    _problem : object or None, default=None
        The data and solver kept for ``exact=True`` refits; None when the
        path was built without them.

    Attributes
    ----------
    n_outputs : int
        K, the number of coefficient vectors per alpha.
    df : ndarray of shape (n_alphas,)
        Alias of ``n_nonzero``.

    See Also
    --------
    compute_path : Solve any datafit and penalty along a grid of alphas.
    lasso_path : The lasso's path.
    cross_validate_path : Choose an alpha of the path by cross-validation.
    sparsefit.plotting.plot_path : Draw the coefficient traces.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import lasso_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = lasso_path(X, y, n_alphas=20)
    >>> path.alphas.shape, path.coefs.shape
    ((20,), (10, 20))
    >>> int(path.n_nonzero[0]), int(path.n_nonzero[-1])
    (0, 10)
    >>> path.coef(1.0).shape
    (10,)
    >>> path.predict(X[:3], alpha=1.0).shape
    (3,)
    """

    alphas: np.ndarray
    coefs: sp.csc_matrix
    intercepts: np.ndarray
    dual_gaps: np.ndarray
    gap_tols: np.ndarray
    kkt_violations: np.ndarray
    n_iters: np.ndarray
    n_nonzero: np.ndarray
    dev_ratio: np.ndarray
    entry_alphas: np.ndarray
    l1_ratio: float
    feature_names: list = None
    stopped_early: bool = False
    message: str = ""
    family: str = "gaussian"
    classes: np.ndarray = None
    _problem: Problem = field(default=None, repr=False, compare=False)

    @property
    def n_outputs(self):
        """K: the number of coefficient vectors per alpha."""
        return self.coefs.shape[0] // self.entry_alphas.shape[0]

    @property
    def df(self):
        """Alias of ``n_nonzero``."""
        return self.n_nonzero

    def _weights(self, alpha):
        """Interpolation between the two grid points around ``alpha``.

        Linear in log alpha, as glmnet's ``s``; linear in alpha on a segment
        that ends at 0.
        """
        alphas = self.alphas
        if alpha >= alphas[0]:
            return 0, 0, 0.0
        if alpha < alphas[-1]:
            raise ValueError(
                f"alpha={alpha!r} is below the path's smallest alpha "
                f"{alphas[-1]:.6g}; use exact=True to refit there."
            )
        k = int(np.searchsorted(-alphas, -alpha, side="right")) - 1
        k = min(k, len(alphas) - 2)
        hi, lo = alphas[k], alphas[k + 1]
        if lo > 0:
            t = (np.log(hi) - np.log(alpha)) / (np.log(hi) - np.log(lo))
        else:
            t = (hi - alpha) / hi
        return k, k + 1, float(t)

    def coef(self, alpha, exact=False):
        """Return the coefficients at any ``alpha``.

        Parameters
        ----------
        alpha : float
            The penalty level, ``>= 0``; above ``alphas[0]`` the first grid
            point is used, below ``alphas[-1]`` only ``exact=True`` works.
        exact : bool, default=False
            Refit at ``alpha``, warm-started from the nearest grid point,
            instead of interpolating (linearly in ``log(alpha)``) between the
            two grid points around it.  Needs the path's data.

        Returns
        -------
        coef : ndarray of shape (n_features,) or (K, n_features)
            The coefficients on the original scale, one row per class with
            K > 1 outputs.

        Raises
        ------
        ValueError
            If ``alpha`` is below the grid without ``exact=True``, or
            ``exact=True`` on a path built without its data.
        """
        return self._at(alpha, exact)[0]

    def intercept(self, alpha, exact=False):
        """Return the intercept at any ``alpha`` (see :meth:`coef`).

        Parameters
        ----------
        alpha : float
            The penalty level, ``>= 0``; above ``alphas[0]`` the first grid
            point is used, below ``alphas[-1]`` only ``exact=True`` works.
        exact : bool, default=False
            Refit at ``alpha``, warm-started from the nearest grid point,
            instead of interpolating (linearly in ``log(alpha)``) between the
            two grid points around it.  Needs the path's data.

        Returns
        -------
        intercept : float or ndarray of shape (K,)
            The intercept, one per class with K > 1 outputs.
        """
        return self._at(alpha, exact)[1]

    def _at(self, alpha, exact):
        alpha = check_scalar_range(alpha, "alpha", low=0.0)
        if exact:
            if self._problem is None:
                raise ValueError(
                    "exact=True needs the path's data; this path was built without it."
                )
            k = int(
                np.argmin(np.abs(np.log(self.alphas + 1e-300) - np.log(alpha + 1e-300)))
            )
            start = self._problem.from_original(self.coefs[:, k].toarray().ravel())
            coef, b = self._problem.unpack(self._problem.solve(alpha, start))
            return self._shape(coef), b
        i, j, t = self._weights(alpha)
        ci = self.coefs[:, i].toarray().ravel()
        cj = self.coefs[:, j].toarray().ravel()
        coef = (1 - t) * ci + t * cj
        b = (1 - t) * self.intercepts[i] + t * self.intercepts[j]
        return self._shape(coef), (float(b) if np.ndim(b) == 0 else b)

    def _shape(self, coef):
        K = self.n_outputs
        return coef if K == 1 else coef.reshape(K, -1)

    def predict(self, X, alpha=None, exact=False, *, offset=None, kind="link"):
        """Predict at ``alpha``, or at every grid alpha when it is None.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        alpha : float or None, default=None
            The penalty level, read as in :meth:`coef`; None predicts at
            every grid alpha.
        exact : bool, default=False
            Refit at ``alpha`` instead of interpolating.
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor (Poisson exposure, in logs).
        kind : {"link", "response", "class"}, default="link"
            The linear predictor; the mean (probabilities for the binomial
            and multinomial, counts for Poisson); or the predicted label.

        Returns
        -------
        pred : ndarray
            Of shape (n_samples,) at one alpha, (n_samples, n_alphas) at
            every grid alpha; with K > 1 outputs (and ``kind`` not
            ``"class"``) (n_samples, K) or (n_samples, K, n_alphas).
        """
        X = _to_array(X, "X", "csr")
        p = self.entry_alphas.shape[0]
        if X.shape[1] != p:
            raise ValueError(f"X has {X.shape[1]} features, but the path has {p}.")
        if kind not in ("link", "response", "class"):
            raise ValueError(
                f"kind must be 'link', 'response' or 'class', got {kind!r}."
            )
        K = self.n_outputs
        if alpha is None:
            # The features non-zero somewhere on the path only: a dense
            # p x n_alphas copy of the coefficients cost more than the
            # products on 20000 x 100000 data (1.8 of a CV's 17 s).
            used = np.flatnonzero(np.isfinite(self.entry_alphas))
            rows = self.coefs.tocsr()
            X_used = X[:, used]
            link = np.stack(
                [np.asarray(X_used @ rows[k * p + used].toarray()) for k in range(K)],
                axis=1,
            )
            link = link + (
                self.intercepts.T[None] if K > 1 else self.intercepts[None, None]
            )
        else:
            coef, intercept = self._at(alpha, exact)
            link = np.asarray(X @ np.atleast_2d(coef).T) + np.atleast_1d(intercept)
            link = link[:, :, None]
        offset = check_offset(offset, X.shape[0])
        if offset is not None:
            link = link + offset[:, None, None]
        out = _transform(self.family, self.classes, link, kind)
        return out[..., 0] if alpha is not None else out

    def alphas_for_size(self, k, *, rtol=1e-4):
        """Find the alphas where the support has exactly ``k`` features.

        Parameters
        ----------
        k : int
            The number of features wanted.
        rtol : float, default=1e-4
            Relative width of the final bisection bracket of each end.

        Returns
        -------
        TargetSize
            The interval(s) of alphas whose support has ``k`` features, each
            end a certified refit, or the nearest sizes on both sides (see
            :func:`sparsefit.selection.alphas_for_size`).
        """
        from .selection import alphas_for_size

        return alphas_for_size(self, k, rtol=rtol)

    def plot(self, ax=None, **kwargs):
        """Plot the path (see :func:`sparsefit.plotting.plot_path`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw into; None creates a new figure.
        **kwargs
            Passed on to :func:`~sparsefit.plotting.plot_path`: ``xaxis``,
            ``n_labels``, ``colors``, ``title``.

        Returns
        -------
        ax : matplotlib.axes.Axes
            The axes drawn into.
        """
        from .plotting import plot_path

        return plot_path(self, ax=ax, **kwargs)


def _transform(family, classes, link, kind):
    """Map the linear predictor (n, K, n_alphas) to what ``kind`` asks."""
    from scipy.special import expit, softmax

    if kind == "link":
        return link[:, 0] if link.shape[1] == 1 else link
    target = FAMILIES[family].target
    if target in ("real", "counts"):
        if kind == "class":
            raise ValueError("kind='class' needs a classification path.")
        return FAMILIES[family].inverse_link(link[:, 0])
    if target == "binary":
        prob = expit(link[:, 0])
        if kind == "response":
            return prob
        return np.asarray(classes)[(prob > 0.5).astype(int)]
    prob = softmax(link, axis=1)
    if kind == "response":
        return prob
    return np.asarray(classes)[np.argmax(prob, axis=1)]


def alpha_grid(alpha_max, n_alphas=100, eps=None, n_samples=None, n_features=None):
    """Geometric grid from ``alpha_max`` down to ``eps * alpha_max``.

    ``eps`` defaults to 1e-4 when ``n_samples > n_features`` and 1e-2
    otherwise, as glmnet's ``lambda.min.ratio``.
    """
    if eps is None:
        eps = 1e-4 if (n_samples or 0) > (n_features or 0) else 1e-2
    eps = check_scalar_range(eps, "eps", low=0.0, low_open=True)
    if eps >= 1:
        raise ValueError(f"eps must be < 1, got {eps!r}.")
    if n_alphas < 1:
        raise ValueError(f"n_alphas must be >= 1, got {n_alphas!r}.")
    if alpha_max <= 0:
        return np.zeros(1) if n_alphas == 1 else np.full(n_alphas, 0.0)
    return np.geomspace(alpha_max, alpha_max * eps, n_alphas)


def _check_alphas(alphas):
    alphas = np.asarray(alphas, dtype=float).ravel()
    if alphas.size == 0:
        raise ValueError("alphas must not be empty.")
    if not np.isfinite(alphas).all() or (alphas < 0).any():
        raise ValueError("alphas must be finite and >= 0.")
    return np.sort(alphas)[::-1]


def compute_path(
    X,
    y,
    datafit=None,
    penalty=None,
    *,
    alphas=None,
    n_alphas=100,
    eps=None,
    fit_intercept=True,
    standardize=False,
    tol=1e-4,
    max_iter=10_000,
    precompute="auto",
    stop_saturation=False,
    progress=None,
    offset=None,
    multinomial="ungrouped",
    solver="auto",
    classes=None,
):
    """Solve ``datafit + penalty`` along a decreasing grid of alphas.

    .. math::

        P_\\alpha(w, b) = F(y, Xw + b + o)
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right),
        \\quad l \\le w \\le u

    with ``F`` the datafit, a mean over samples: least squares
    ``1/(2n) sum_i s_i (y_i - z_i)^2``, the logistic, multinomial or Poisson
    negative log-likelihood (see :mod:`sparsefit.datafits`).  For the
    multinomial, ``w`` holds one vector per class and the penalty applies to
    each (``multinomial="ungrouped"``) or to each feature's K coefficients
    as one Euclidean group (``"grouped"``).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The design matrix.
    y : array-like of shape (n_samples,)
        The target: real values, labels or counts, as the datafit takes.
    datafit : Quadratic, Logistic, Multinomial, Poisson, Huber or None
        The datafit, carrying the sample weights and its own parameters
        (Huber's ``delta``); None is least squares.
        Logistic and multinomial take labels of any type in ``y``.
    penalty : SeparablePenalty, GroupPenalty or None
        Its ``l1_ratio``, penalty factors and bounds (or groups) are used;
        its alpha is replaced by the grid. None is the plain lasso.
    alphas : array-like or None
        The grid; None builds ``n_alphas`` points from the exact alpha_max
        (intercept, weights and penalty factors included) down to
        ``eps * alpha_max``.
    n_alphas : int, default=100
        Number of grid points when ``alphas`` is None.
    eps : float or None
        1e-4 when n > p, else 1e-2 (glmnet's defaults).
    fit_intercept, standardize : bool
        Fit an unpenalised intercept; penalise the coefficients of the
        columns scaled to unit variance (as glmnet), returned on the
        original scale.
    tol : float, default=1e-4
        Each point is certified on its own: ``gap <= tol * P(w)`` at the
        returned point, so ``tol`` bounds its relative suboptimality, and a
        KKT violation at most 1e-3 times the largest l1 weight.
    max_iter : int, default=10000
        Maximum passes over the working sets at each alpha (iterations for
        FISTA, Newton steps for the GLM solver).
    precompute : {"auto", True, False}
        Gram matrix, computed once for the whole path.
    stop_saturation : bool, default=False
        Stop early once the deviance explained exceeds 0.999 or grows by less
        than 1e-5 relative between two alphas (glmnet's rule); the result then
        says so in ``stopped_early`` and ``message``, and a warning is issued.
        By default every requested alpha is returned.
    progress : bool or None
        Show progress on stderr; None shows it only on a terminal.
    offset : array-like of shape (n_samples,) or None
        Added to the linear predictor of a GLM (log exposure for Poisson).
    multinomial : {"ungrouped", "grouped"}, default="ungrouped"
        Penalise each class's coefficient on its own, or each feature's K
        coefficients as one Euclidean group (a feature in or out for every
        class).
    solver : {"auto", "cd", "prox-newton", "fista", "lars"}
        "auto" is coordinate descent for least squares and proximal Newton
        for the other datafits (see :data:`sparsefit.solvers.SOLVERS`).
    classes : array-like or None
        The label set of a classification path (default: those in ``y``).

    Returns
    -------
    PathResult
        Coefficients, intercepts, duality gaps and KKT violations at every
        alpha, with ``coef(alpha)``, ``predict(X, alpha)`` and ``plot()``.

    See Also
    --------
    lasso_path : The least-squares lasso path.
    enet_path : The least-squares elastic-net path.
    cross_validate_path : The path cross-validated.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sparsefit import compute_path
    >>> from sparsefit.datafits import Logistic
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> path = compute_path(X, y, Logistic(), n_alphas=20, standardize=True)
    >>> path.coefs.shape, bool((path.dual_gaps <= path.gap_tols).all())
    ((30, 20), True)
    """
    if is_distributed(X):
        # Dask data: one pass for the moments, then this engine, locally.
        options = dict(locals())
        for name in ("X", "y", "datafit", "penalty"):
            options.pop(name)
        from .distributed._dispatch import dask_path

        return dask_path(X, y, datafit, penalty, options)
    path_classes = classes
    datafit = Quadratic() if datafit is None else datafit
    family = family_name(datafit)
    penalty = ElasticNetPenalty(1.0, 1.0) if penalty is None else penalty
    if not (isinstance(penalty, SeparablePenalty) or getattr(penalty, "block", False)):
        raise ValueError(
            f"penalty must be a separable or a block penalty; got {penalty!r}."
        )
    names = _feature_names(X)
    X = _to_array(X, "X", "csc")
    check_scalar_range(tol, "tol", low=0.0, low_open=True)
    sw = check_sample_weight(datafit.sample_weight, X.shape[0], X.dtype)
    if datafit.target == "real":
        # Validated in X's dtype (least squares is solved in float32 too).
        y = check_target(y, X.shape[0], X.dtype, "compute_path")
    problem, classes = glm_problem(
        X,
        y,
        datafit,
        penalty,
        sw,
        offset,
        fit_intercept,
        standardize,
        multinomial,
        solver,
        tol,
        max_iter,
        classes=path_classes,
        precompute=precompute,
    )
    alpha_max, w_top = problem.alpha_max()
    if alphas is None:
        alphas = alpha_grid(alpha_max, n_alphas, eps, *X.shape)
    else:
        alphas = _check_alphas(alphas)
    return _run_path(
        problem,
        alphas,
        alpha_max,
        w_top,
        names,
        stop_saturation,
        progress,
        family,
        classes,
    )


def glm_problem(
    X,
    y,
    datafit,
    penalty,
    sw,
    offset,
    fit_intercept,
    standardize,
    multinomial,
    solver,
    tol,
    max_iter,
    classes=None,
    precompute="auto",
):
    """Validate the family-specific arguments and build the problem, for
    every datafit (least squares is the Gaussian GLM).

    ``datafit`` is a datafit (its own parameters are kept; its sample
    weights are replaced by ``sw``) or a family name; ``solver`` a name in
    :data:`sparsefit.solvers.SOLVERS` or "auto".  Returns ``(problem,
    classes)``."""
    if isinstance(datafit, str):
        datafit = FAMILIES[datafit]()
    family = family_name(datafit)
    if multinomial not in ("ungrouped", "grouped"):
        raise ValueError(
            f"multinomial must be 'ungrouped' or 'grouped', got {multinomial!r}."
        )
    y, classes = encode_target(family, y, X.shape[0], classes)
    offset = check_offset(offset, X.shape[0])
    problem = Problem(
        X,
        y,
        datafit.with_weights(sw),
        penalty,
        offset,
        fit_intercept,
        standardize,
        grouped=(datafit.target == "classes" and multinomial == "grouped"),
        solver="auto" if solver is None else solver,
        tol=tol,
        max_iter=max_iter,
        precompute=precompute,
    )
    return problem, classes


def _run_path(
    problem,
    alphas,
    alpha_max,
    w_top,
    names,
    stop_saturation,
    progress,
    family="gaussian",
    classes=None,
):
    null = problem.null_value()
    with Progress(len(alphas), "path", progress) as bar, single_blas():
        if newton_applies(problem, alphas):
            arrays = newton_path(
                problem, alphas, alpha_max, w_top, null, stop_saturation, bar
            )
        elif cd_applies(problem, alphas):
            arrays = cd_path(
                problem, alphas, alpha_max, w_top, null, stop_saturation, bar
            )
        else:
            arrays = _solved_points(
                problem, alphas, alpha_max, w_top, null, stop_saturation, bar
            )
    message, n_done = "", arrays.n_iters.shape[0]
    if arrays.stopped:
        message = (
            f"stopped at alpha {alphas[n_done - 1]:.6g} ({n_done} of "
            f"{len(alphas)}): the deviance explained saturated"
        )
        warnings.warn(message, UserWarning, stacklevel=3)
    return _assemble(problem, alphas[:n_done], arrays, names, message, family, classes)


def _solved_points(problem, alphas, alpha_max, w_top, null, stop_saturation, bar):
    """The path's points solved one alpha at a time (:func:`path_points`),
    as a :class:`~sparsefit.solvers._newton_path.PathArrays`."""
    rows, results, devs = [], [], []
    stopped = False
    for k, (alpha, res) in enumerate(
        zip(alphas, path_points(problem, alphas, alpha_max, w_top), strict=True)
    ):
        results.append(res)
        rows.append(problem.unpack(res))
        devs.append(_dev_ratio(problem, alpha, res, null))
        bar.update()
        if stop_saturation and k > 0 and _saturated(devs):
            stopped = True
            break
    return PathArrays(
        coefs=_sparse_columns([c for c, _ in rows]),
        intercepts=np.array([b for _, b in rows], dtype=float),
        dual_gaps=np.array([r.dual_gap for r in results]),
        gap_tols=np.array([r.tol_abs for r in results]),
        kkt_violations=np.array([r.kkt_violation for r in results]),
        n_iters=np.array([r.n_iter for r in results]),
        dev_ratio=np.array(devs),
        stopped=stopped,
    )


def path_points(problem, alphas, alpha_max, w_top):
    """The solver's result at each of ``alphas`` (decreasing), each solve
    warm-started from the last and its first working set from the
    sequential strong rule, beginning from ``w_top``, the solution at
    ``alpha_max``: the points of a path without its assembly, for callers
    that only read each result once (a generator)."""
    w, grad, prev = w_top.copy(), problem.grad_neg(w_top), max(alpha_max, alphas[0])
    for alpha in alphas:
        strong = problem.strong_set(grad, alpha, prev) if alpha > 0 else None
        res = problem.solve(alpha, w, strong)
        w, grad, prev = res.coef, res.grad_neg, alpha
        yield res


def problem_path(problem, n_alphas=100, eps=None, family="gaussian", classes=None):
    """The path of a built problem (an estimator's own data, weights and
    penalty) on the default grid from its alpha_max."""
    alpha_max, w_top = problem.alpha_max()
    alphas = alpha_grid(
        alpha_max, n_alphas, eps, problem.design.n_samples, problem.n_features
    )
    return _run_path(
        problem, alphas, alpha_max, w_top, None, False, False, family, classes
    )


def _dev_ratio(problem, alpha, res, null):
    """``1 - D / D_null``: the datafit (half the deviance, which is 0 at the
    saturated model for every family here) against the null model's."""
    return 1.0 - problem.fit_value(alpha, res) / null if null > 0 else 0.0


def _saturated(devs):
    # glmnet's test, rsq - rsq_old < 1e-5 rsq: false while nothing is
    # explained (rsq 0, or rounding below it), as above alpha_max on a grid
    # from other data (a CV fold's, a subsample's).
    last = devs[-1]
    return last > 0.999 or (last > 0 and last - devs[-2] < 1e-5 * last)


def _assemble(
    problem,
    alphas,
    arrays,
    names,
    message,
    family="gaussian",
    classes=None,
):
    coefs = arrays.coefs
    first, nonzero = _entries(coefs, problem.n_features, alphas)
    return PathResult(
        alphas=np.asarray(alphas, dtype=float),
        coefs=coefs,
        intercepts=arrays.intercepts,
        dual_gaps=arrays.dual_gaps,
        gap_tols=arrays.gap_tols,
        kkt_violations=arrays.kkt_violations,
        n_iters=arrays.n_iters,
        n_nonzero=nonzero.astype(int),
        dev_ratio=arrays.dev_ratio,
        entry_alphas=first,
        l1_ratio=problem.template.l1_ratio,
        feature_names=None if names is None else list(names),
        stopped_early=arrays.stopped,
        message=message,
        family=family,
        classes=classes,
        _problem=problem,
    )


def _entries(coefs, p, alphas):
    """Each feature's largest alpha with a non-zero coefficient (NaN if
    none) and each alpha's number of non-zero features, from the path's CSC
    ``coefs`` (rows ``k p + j`` for output ``k`` of feature ``j``)."""
    n_alphas = len(alphas)
    column = np.repeat(np.arange(n_alphas), np.diff(coefs.indptr))
    # One (alpha, feature) pair per non-zero feature, whatever its outputs
    # (with one output the CSC storage has them once already).
    pairs = column * p + coefs.indices % p
    if coefs.shape[0] > p:
        pairs = np.unique(pairs)
    column, feature = np.divmod(pairs, p)
    nonzero = np.bincount(column, minlength=n_alphas).astype(int)
    top = np.full(p, n_alphas)
    np.minimum.at(top, feature, column)
    seen = top < n_alphas
    first = np.full(p, np.nan)
    first[seen] = np.asarray(alphas, dtype=float)[top[seen]]
    return first, nonzero


def _sparse_columns(columns):
    """CSC matrix of the given dense columns, from their non-zeros only (a
    dense p x n_alphas stack costs more than the whole path when p >> n)."""
    idx = [np.flatnonzero(c) for c in columns]
    indptr = np.zeros(len(columns) + 1, dtype=np.int64)
    np.cumsum([i.size for i in idx], out=indptr[1:])
    data = np.concatenate([c[i] for c, i in zip(columns, idx, strict=True)])
    indices = np.concatenate(idx) if idx else np.empty(0, np.int64)
    shape = (columns[0].shape[0] if columns else 0, len(columns))
    return sp.csc_matrix((data, indices, indptr), shape=shape)


def enet_path(
    X,
    y,
    *,
    l1_ratio=0.5,
    alphas=None,
    n_alphas=100,
    eps=None,
    sample_weight=None,
    penalty_factor=None,
    positive=False,
    lower_bounds=None,
    upper_bounds=None,
    fit_intercept=True,
    standardize=False,
    tol=1e-4,
    max_iter=10_000,
    precompute="auto",
    stop_saturation=False,
    progress=None,
):
    r"""Elastic-net path: the solutions for a decreasing sequence of alphas.

    Each alpha is warm-started from the previous one and certified by its
    duality gap. The objective is

    .. math::

        \frac{1}{2n} \sum_i s_i (y_i - x_i'w - b)^2
        + \alpha \sum_j v_j \Big(\rho |w_j| + \frac{1 - \rho}{2} w_j^2\Big),
        \quad l \le w \le u.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data; dense (either order) or scipy.sparse (CSC is used).
    y : array-like of shape (n_samples,)
        Target values.
    l1_ratio : float, default=0.5
        Mix ``rho`` of the L1 (1) and ridge (0) parts.
    alphas : array-like or None, default=None
        The alphas of the path, in decreasing order. None: ``n_alphas``
        values from the exact alpha_max down to ``eps * alpha_max``, evenly
        spaced in log.
    n_alphas : int, default=100
        Number of alphas when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha as a fraction of alpha_max (glmnet's
        ``lambda.min.ratio``); None is 1e-4 when ``n_samples > n_features``
        and 1e-2 otherwise.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights ``s_i``, rescaled to sum to ``n_samples``.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty; 0 leaves a
        feature unpenalised.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds : float or array-like, default=None
        Lower bounds on the coefficients (original scale).
    upper_bounds : float or array-like, default=None
        Upper bounds on the coefficients (original scale).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance (as
        glmnet); coefficients are returned on the original scale.
    tol : float, default=1e-4
        Relative duality gap each point of the path reaches at its returned
        coefficients (see :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=10000
        Maximum passes over the working sets at each alpha.
    precompute : {"auto", True, False}, default="auto"
        Use the Gram matrix in coordinate descent.
    stop_saturation : bool, default=False
        Stop early, as glmnet does, when the fraction of deviance explained
        stops increasing; by default every alpha is fitted.
    progress : bool or None, default=None
        Progress on stderr; None shows it on a terminal only.

    Returns
    -------
    path : PathResult
        Coefficients, intercepts, duality gaps and KKT violations at every
        alpha, with ``coef(alpha)``, ``predict(X, alpha)`` and ``plot()``.

    See Also
    --------
    lasso_path : The same with ``l1_ratio=1``.
    compute_path : The path of any datafit and penalty.
    ElasticNetCV : The path cross-validated.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import enet_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 10))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(50)
    >>> path = enet_path(X, y, l1_ratio=0.9, n_alphas=20)
    >>> path.coefs.shape, bool((path.dual_gaps <= path.gap_tols).all())
    ((10, 20), True)
    """
    penalty = ElasticNetPenalty(
        1.0, l1_ratio, penalty_factor, positive, lower_bounds, upper_bounds
    )
    return compute_path(
        X,
        y,
        Quadratic(sample_weight),
        penalty,
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        fit_intercept=fit_intercept,
        standardize=standardize,
        tol=tol,
        max_iter=max_iter,
        precompute=precompute,
        stop_saturation=stop_saturation,
        progress=progress,
    )


def lasso_path(
    X,
    y,
    *,
    alphas=None,
    n_alphas=100,
    eps=None,
    sample_weight=None,
    penalty_factor=None,
    positive=False,
    lower_bounds=None,
    upper_bounds=None,
    fit_intercept=True,
    standardize=False,
    tol=1e-4,
    max_iter=10_000,
    precompute="auto",
    stop_saturation=False,
    progress=None,
):
    r"""Lasso path: the solutions for a decreasing sequence of alphas.

    Each alpha is warm-started from the previous one and certified by its
    duality gap. The objective is

    .. math::

        \frac{1}{2n} \sum_i s_i (y_i - x_i'w - b)^2
        + \alpha \sum_j v_j |w_j|, \quad l \le w \le u.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data; dense (either order) or scipy.sparse (CSC is used).
    y : array-like of shape (n_samples,)
        Target values.
    alphas : array-like or None, default=None
        The alphas of the path, in decreasing order. None: ``n_alphas``
        values from the exact alpha_max down to ``eps * alpha_max``, evenly
        spaced in log.
    n_alphas : int, default=100
        Number of alphas when ``alphas`` is None.
    eps : float or None, default=None
        Smallest alpha as a fraction of alpha_max (glmnet's
        ``lambda.min.ratio``); None is 1e-4 when ``n_samples > n_features``
        and 1e-2 otherwise.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights ``s_i``, rescaled to sum to ``n_samples``.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty; 0 leaves a
        feature unpenalised.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds : float or array-like, default=None
        Lower bounds on the coefficients (original scale).
    upper_bounds : float or array-like, default=None
        Upper bounds on the coefficients (original scale).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit variance (as
        glmnet); coefficients are returned on the original scale.
    tol : float, default=1e-4
        Relative duality gap each point of the path reaches at its returned
        coefficients (see :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=10000
        Maximum passes over the working sets at each alpha.
    precompute : {"auto", True, False}, default="auto"
        Use the Gram matrix in coordinate descent.
    stop_saturation : bool, default=False
        Stop early, as glmnet does, when the fraction of deviance explained
        stops increasing; by default every alpha is fitted.
    progress : bool or None, default=None
        Progress on stderr; None shows it on a terminal only.

    Returns
    -------
    path : PathResult
        Coefficients, intercepts, duality gaps and KKT violations at every
        alpha, with ``coef(alpha)``, ``predict(X, alpha)`` and ``plot()``.

    See Also
    --------
    enet_path : The elastic-net path.
    lars_path : The exact homotopy, knot by knot.
    LassoCV : The path cross-validated.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import lasso_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = lasso_path(X, y)
    >>> int(path.n_nonzero[0]), int(path.n_nonzero[-1])
    (0, 10)
    >>> bool((path.dual_gaps <= path.gap_tols).all())
    True
    """
    return enet_path(
        X,
        y,
        l1_ratio=1.0,
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        sample_weight=sample_weight,
        penalty_factor=penalty_factor,
        positive=positive,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
        fit_intercept=fit_intercept,
        standardize=standardize,
        tol=tol,
        max_iter=max_iter,
        precompute=precompute,
        stop_saturation=stop_saturation,
        progress=progress,
    )


def relaxed_path(path, X, y, sample_weight=None):
    """The relaxed lasso path (glmnet's ``relax=TRUE``).

    At every alpha, unpenalised least squares (with intercept, weights)
    restricted to the path's support. Mix it with the path as
    ``gamma * path + (1 - gamma) * relaxed``; CV over
    ``gamma`` is :func:`sparsefit.model_selection.cross_validate_path` with
    ``relax=True``. Bounds are not applied to the refits, and their duality
    gaps are NaN: they are least-squares fits, not solutions of ``P``.
    When a support has more columns than rows the minimum-norm solution is used.

    Parameters
    ----------
    path : PathResult
        A least-squares path (from :func:`lasso_path`, :func:`enet_path` or
        :func:`compute_path`) fitted on ``X`` and ``y``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The training data of ``path``.
    y : array-like of shape (n_samples,)
        The target of ``path``.
    sample_weight : array-like of shape (n_samples,), default=None
        The sample weights of ``path``.

    Returns
    -------
    PathResult
        Same alphas as ``path``, relaxed coefficients and intercepts.

    See Also
    --------
    LassoCV : With ``relax=True``, cross-validates ``gamma`` too.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsefit import lasso_path, relaxed_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = lasso_path(X, y, n_alphas=10)
    >>> relaxed = relaxed_path(path, X, y)
    >>> bool((relaxed.n_nonzero <= path.n_nonzero).all())
    True
    """
    X = _to_array(X, "X", "csc")
    y = check_target(y, X.shape[0], np.float64, "relaxed_path")
    sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
    weights = np.ones(X.shape[0]) if sw is None else sw
    root = np.sqrt(weights)
    fit_intercept = path._problem.fit_intercept if path._problem else True
    cache, cols, intercepts = {}, [], []
    for k in range(len(path.alphas)):
        support = path.coefs.indices[path.coefs.indptr[k] : path.coefs.indptr[k + 1]]
        key = support.tobytes()
        if key not in cache:
            cache[key] = _least_squares(X, y, support, weights, root, fit_intercept)
        coef, b = cache[key]
        cols.append(coef)
        intercepts.append(b)
    nan = np.full(len(path.alphas), np.nan)
    return PathResult(
        alphas=path.alphas,
        coefs=sp.csc_matrix(np.column_stack(cols)),
        intercepts=np.array(intercepts),
        dual_gaps=nan,
        gap_tols=nan,
        kkt_violations=nan,
        n_iters=np.zeros(len(path.alphas), dtype=int),
        n_nonzero=path.n_nonzero,
        dev_ratio=nan,
        entry_alphas=path.entry_alphas,
        l1_ratio=path.l1_ratio,
        feature_names=path.feature_names,
        message="relaxed fit: least squares on each support",
    )


def _least_squares(X, y, support, weights, root, fit_intercept):
    coef = np.zeros(X.shape[1])
    y_mean = np.average(y, weights=weights) if fit_intercept else 0.0
    if support.size == 0:
        return coef, float(y_mean)
    cols = X[:, support]
    cols = cols.toarray() if sp.issparse(cols) else np.asarray(cols, dtype=float)
    mean = np.average(cols, axis=0, weights=weights) if fit_intercept else 0.0
    beta = np.linalg.lstsq(
        (cols - mean) * root[:, None], (y - y_mean) * root, rcond=None
    )[0]
    coef[support] = beta
    return coef, float(y_mean - np.dot(mean, beta)) if fit_intercept else 0.0
