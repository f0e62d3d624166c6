"""The debiased (desparsified) lasso: confidence intervals and p-values for
every coefficient of a high-dimensional linear model.

With ``b`` the lasso fit and ``Theta`` an approximate inverse of the Gram
matrix ``S = X'X / n`` built from nodewise lasso regressions (van de Geer,
Buhlmann, Ritov and Dezeure 2014, Section 2.1.1),

.. math::

    \\hat b = b + \\frac{1}{n} \\Theta X^\\top (y - X b), \\qquad
    \\hat b_j \\approx N\\left(\\beta_j,
    \\frac{\\sigma^2}{n} (\\Theta S \\Theta^\\top)_{jj}\\right).

Row ``j`` of ``Theta`` is ``(e_j - gamma_j) / tau_j^2``, with ``gamma_j`` the
lasso of column ``j`` on the others (``gamma_jj = 0``) and
``tau_j^2 = x_j'(x_j - X_{-j} gamma_j) / n``.

The main lasso is fitted at a given alpha or at the 10-fold cross-validated
one (Dezeure, Buhlmann, Meier and Meinshausen 2015).  Each nodewise lasso is
a *scaled lasso* (Sun and Zhang 2012): the alpha is ``lambda_0 sigma`` with
``lambda_0 = sqrt(2 log(p) / n)`` and ``sigma`` the residual root mean
square at that alpha.  This
is the nodewise choice of Zhang and Zhang (2014) and Sun and Zhang (2013),
which van de Geer et al. (2014, Section 2.1.1) also allow; it needs no
cross-validation: each nodewise regression is a few certified single-alpha
fits of Sun and Zhang's iteration, each warm-started from the last with the
sequential strong rule, all by coordinate descent in Gram form on one shared
Gram matrix ``Xs'Xs / n`` (the node's own column held at 0).  The main
lasso's 10-fold cross-validation stops its folds' paths once the grid is a
factor 1.25 below the best alpha so far, and its path on all the data stops
at the chosen alpha.  The noise level ``sigma`` is by default the residual
of the main lasso, ``||y - X b||^2 / (n - |support(b)| - 1)``, the 1 for
the intercept (Reid, Tibshirani and Friedman 2016), or with
``sigma="scaled-lasso"`` the scaled lasso's estimate (which, at this
lambda_0, overestimates it on the problems we measured).  Columns
are centred and scaled to unit variance inside, and the results reported on
the original scale.
"""

import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning

from .._estimator import _feature_names, _to_array
from .._threads import single_blas
from ..datafits import Quadratic
from ..path import alpha_grid, compute_path, glm_problem
from ..penalties import ElasticNetPenalty
from ._knockoff_stats import _certificate, cv_alpha

__all__ = ["debiased_lasso", "DebiasedLassoResult"]


@dataclass
class DebiasedLassoResult:
    """Debiased lasso estimates with their intervals and p-values.

    Returned by :func:`debiased_lasso`.  With ``b`` the lasso fit and
    ``Theta`` an approximate inverse of ``S = X'X / n``, the debiased
    coefficients and their asymptotic law are

    .. math::

        \\hat b = b + \\frac{1}{n} \\Theta X^\\top (y - X b), \\qquad
        \\hat b_j \\approx N\\left(\\beta_j,
        \\frac{\\sigma^2}{n} (\\Theta S \\Theta^\\top)_{jj}\\right),

    from which come the intervals ``coef_ +- z std_errors_`` and the
    two-sided p-values.  Every parameter is also an attribute of the same
    name.

    Parameters
    ----------
    coef_ : ndarray of shape (n_features,)
        Debiased coefficients, on the scale of ``X``.
    lasso_coef_ : ndarray of shape (n_features,)
        The lasso fit they correct.
    std_errors_ : ndarray of shape (n_features,)
        Standard error of each debiased coefficient.
    ci_ : ndarray of shape (n_features, 2)
        Two-sided intervals at ``level``.
    p_values_ : ndarray of shape (n_features,)
        Two-sided, for ``beta_j = 0`` (not adjusted for multiplicity).
    sigma_ : float
        Noise standard deviation used.
    alpha_ : float
        Alpha of the main lasso (on the standardised scale).
    node_alphas_ : ndarray of shape (n_features,)
        Alpha of each nodewise regression.
    level : float
        Confidence level of ``ci_``.
    random_state : int or None
        As given (it seeds the folds of the cross-validated alpha).
    max_gap_ : float
        Largest certified duality gap, relative to the objective, of any fit.
    not_converged_ : list of str
        Names of the fits that did not reach their tolerance.
    feature_names_ : list of str
        Column names of ``X``, else ``x0``, ``x1``, ...
    seed_ : int or None, default=None
        The seed of the folds: ``random_state``, or the seed drawn when it is
        None and the alpha is cross-validated; ``debiased_lasso(...,
        random_state=seed_)`` repeats the run.

    See Also
    --------
    debiased_lasso : Computes it.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import debiased_lasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20))
    >>> y = 2 * X[:, 0] + rng.standard_normal(100)
    >>> res = debiased_lasso(X, y, alpha=0.1)
    >>> res.ci_[0].round(2).tolist(), bool(res.p_values_[0] < 1e-10)
    ([1.73, 2.13], True)
    >>> res.to_frame(fdr=0.1).query("selected").feature.tolist()
    ['x0']
    """

    coef_: np.ndarray
    lasso_coef_: np.ndarray
    std_errors_: np.ndarray
    ci_: np.ndarray
    p_values_: np.ndarray
    sigma_: float
    alpha_: float
    node_alphas_: np.ndarray
    level: float
    random_state: object
    max_gap_: float
    not_converged_: list
    feature_names_: list
    seed_: int = None

    @property
    def q_values_(self):
        """Benjamini-Hochberg adjusted p-values.

        Selecting ``q_values_ <= q`` controls the false discovery rate at
        ``q`` for independent or positively dependent p-values.
        """
        from scipy.stats import false_discovery_control

        return false_discovery_control(self.p_values_, method="bh")

    def to_frame(self, fdr=None):
        """One row per feature, with its estimate, interval and p-value.

        Parameters
        ----------
        fdr : float or None, default=None
            None: ``selected`` means the interval excludes 0 (``p_value < 1 -
            level``); a float: the Benjamini-Hochberg selection ``q_value <=
            fdr``.

        Returns
        -------
        pandas.DataFrame
            Columns ``feature``, ``coef``, ``std_error``, ``ci_low``,
            ``ci_high``, ``p_value``, ``q_value`` and ``selected``.
        """
        import pandas as pd

        q = self.q_values_
        selected = self.p_values_ < 1 - self.level if fdr is None else q <= fdr
        return pd.DataFrame(
            {
                "feature": self.feature_names_,
                "coef": self.coef_,
                "std_error": self.std_errors_,
                "ci_low": self.ci_[:, 0],
                "ci_high": self.ci_[:, 1],
                "p_value": self.p_values_,
                "q_value": q,
                "selected": selected,
            }
        )


def debiased_lasso(
    X,
    y,
    *,
    alpha=None,
    level=0.95,
    family="gaussian",
    sigma="residual",
    n_alphas=20,
    tol=1e-4,
    n_jobs=None,
    random_state=None,
):
    """Confidence intervals and p-values for every lasso coefficient.

    The lasso ``b`` of the linear model ``y = X beta + noise`` is biased
    towards 0; the debiased (desparsified) lasso of van de Geer, Buhlmann,
    Ritov and Dezeure (2014) corrects it with ``Theta``, an approximate
    inverse of ``S = X'X / n`` from nodewise scaled-lasso regressions:

    .. math::

        \\hat b = b + \\frac{1}{n} \\Theta X^\\top (y - X b), \\qquad
        \\hat b_j \\approx N\\left(\\beta_j,
        \\frac{\\sigma^2}{n} (\\Theta S \\Theta^\\top)_{jj}\\right),

    which gives a confidence interval and a p-value for every coefficient,
    valid asymptotically when ``beta`` is sparse enough (``s log(p) /
    sqrt(n) -> 0``, ``s`` its number of non-zeros) and so are the rows of
    the inverse covariance of the rows of ``X``.  Columns are
    centred and scaled to unit variance inside, and the results reported on
    the original scale.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The features (a sparse matrix is densified); no constant column.
    y : array-like of shape (n_samples,)
        The response.
    alpha : float or None
        Alpha of the main lasso on the standardised columns (objective
        ``1/(2n) ||y - Xw - b||^2 + alpha ||w||_1``); None: the lasso's
        alpha cross-validated over 10 folds (minimum mean squared error).
    level : float in (0, 1), default=0.95
        Confidence level of the intervals.
    family : {"gaussian"}
        Only least squares is implemented.
    sigma : {"residual", "scaled-lasso"} or float, default="residual"
        The noise level: "residual" is ``sqrt(||y - X b||^2 / (n -
        |support(b)| - 1))`` of the main lasso, the 1 for the intercept
        (Reid, Tibshirani and Friedman 2016), "scaled-lasso" the scaled
        lasso's estimate (Sun and Zhang 2012), a float a known value.
    n_alphas : int, default=20
        Points of the main lasso's grid: from alpha_max down to ``alpha``,
        or, cross-validating, down to 1e-2 alpha_max (1e-4 when n > p), 10
        per decade by default.
    tol : float, default=1e-4
        Relative duality gap of every fit.
    n_jobs : int or None
        Nodewise regressions in parallel (joblib threads); the result does
        not depend on it.
    random_state : int or None
        Seeds the folds of the cross-validated alpha; None draws a seed,
        recorded in the result's ``seed_``.

    Returns
    -------
    DebiasedLassoResult
        The debiased coefficients, their standard errors, intervals and
        p-values, and the certificate of every fit used.

    See Also
    --------
    DebiasedLassoResult : The result.
    knockoff_select : Selection with a controlled false discovery rate.
    StabilitySelection : Selection with a bound on the expected number of
        false selections.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import debiased_lasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 20))
    >>> y = 2 * X[:, 0] + rng.standard_normal(100)
    >>> res = debiased_lasso(X, y, random_state=0)
    >>> res.coef_.shape, res.ci_.shape
    ((20,), (20, 2))
    >>> res.ci_[0].round(2).tolist()
    [1.73, 2.13]

    With the Benjamini-Hochberg selection at false discovery rate 0.1:

    >>> res.to_frame(fdr=0.1).query("selected").feature.tolist()
    ['x0']
    """
    X, y, names = _check(X, y, level, family, sigma, alpha)
    n, p = X.shape
    scale = X.std(axis=0)
    # Column-major, as the solvers' kernels read it: no copy per fit.
    Xs = np.asfortranarray((X - X.mean(axis=0)) / scale)
    yc = y - y.mean()
    lam0 = np.sqrt(2 * np.log(p) / n)
    seed = random_state
    if seed is None and alpha is None:
        # KFold would draw from NumPy's global state, unrecorded: draw the
        # seed here and record it instead.
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    b, alpha_used, cert = _main_fit(Xs, yc, alpha, lam0, n_alphas, tol, seed)
    certs = [cert]
    gram = Xs.T @ Xs / n
    if sigma == "scaled-lasso":
        q = Xs.T @ yc / n
        problem = _gram_problem(Xs, yc, gram, q, tol)
        tt = yc @ yc / n
        _, _, noise, cert = _scaled_lasso(problem, gram, q, tt, lam0, tol, "scaled")
        certs.append(cert)
    elif sigma == "residual":
        rss = np.sum((yc - Xs @ b) ** 2)
        # Degrees of freedom: the support and the intercept (y is centred).
        noise = np.sqrt(rss / max(n - np.count_nonzero(b) - 1, 1))
    elif not isinstance(sigma, str):
        noise = float(sigma)
    # Threads: the solver's kernels release the GIL, and Xs and the Gram
    # matrix are shared; one BLAS thread each keeps n_jobs nodes on n_jobs
    # cores.
    with single_blas():
        nodes = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(_node)(Xs, gram, j, lam0, tol) for j in range(p)
        )
    theta = np.array([row for row, _, _ in nodes])
    debiased = b + theta @ (Xs.T @ (yc - Xs @ b)) / n
    se = noise * np.sqrt(((theta @ gram) * theta).sum(axis=1) / n)
    certs += [c for _, _, c in nodes]
    return _result(
        debiased,
        b,
        se,
        scale,
        level,
        noise,
        alpha_used,
        np.array([a for _, a, _ in nodes]),
        certs,
        names,
        (random_state, seed),
    )


def _check(X, y, level, family, sigma, alpha):
    if not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}.")
    if family != "gaussian":
        raise ValueError(
            f"debiased_lasso implements least squares only (family='gaussian'); "
            f"got family={family!r}."
        )
    if isinstance(sigma, str) and sigma not in ("scaled-lasso", "residual"):
        raise ValueError(
            f"sigma must be 'scaled-lasso', 'residual' or a positive number, "
            f"got {sigma!r}."
        )
    if not isinstance(sigma, str) and not (
        isinstance(sigma, numbers.Real) and np.isfinite(sigma) and sigma > 0
    ):
        raise ValueError(
            f"sigma must be 'scaled-lasso', 'residual' or a positive number, "
            f"got {sigma!r}."
        )
    if alpha is not None and not alpha > 0:
        raise ValueError(f"alpha must be > 0 or None, got {alpha!r}.")
    names = _feature_names(X)
    X = _to_array(X, "X", "csc")
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y has {y.shape[0]} samples, X has {X.shape[0]}.")
    constant = np.flatnonzero(X.std(axis=0) == 0)
    if constant.size:
        raise ValueError(f"X has constant columns {constant[:10].tolist()}.")
    if names is None:
        names = [f"x{j}" for j in range(X.shape[1])]
    return X, y, list(names)


def _node(Xs, gram, j, lam0, tol):
    """Row ``j`` of Theta, the nodewise alpha and its certificate.

    The regression of column ``j`` on the others is solved in Gram form
    with the shared ``gram = Xs'Xs / n``: no Gram matrix is computed per
    node."""
    # Column j stays in the design with its coefficient held at 0 (both
    # bounds 0), so the design and the Gram matrix are shared, not copied.
    fixed = np.zeros(Xs.shape[1], dtype=bool)
    fixed[j] = True
    q = gram[:, j]
    problem = _gram_problem(Xs, Xs[:, j], gram, q, tol, fixed)
    gamma, alpha, _, cert = _scaled_lasso(
        problem, gram, q, gram[j, j], lam0, tol, f"node {j}"
    )
    tau2 = gram[j, j] - q @ gamma
    row = -gamma
    row[j] = 1.0
    return row / tau2, alpha, cert


def _gram_problem(A, t, Q, q, tol, fixed=None):
    """The lasso of ``t`` on ``A`` (no intercept) for coordinate descent in
    Gram form, given ``Q = A'A / n`` and ``q = A't / n``; the coefficients
    ``fixed`` (boolean mask) are held at 0."""
    bound = None if fixed is None else np.where(fixed, 0.0, np.inf)
    problem, _ = glm_problem(
        A,
        t,
        Quadratic(),
        ElasticNetPenalty(
            1.0,
            1.0,
            lower_bounds=None if bound is None else -bound,
            upper_bounds=bound,
        ),
        None,
        None,
        False,
        False,
        "ungrouped",
        "cd",
        tol,
        10_000,
        precompute=True,
    )
    # The solver keeps its Gram matrix in the problem's cache; given here,
    # it is a slice of the shared one instead of a product per regression.
    problem.cache["gram"] = (Q, q)
    return problem


def _scaled_lasso(problem, Q, q, tt, lam0, tol, name, max_iter=10):
    """Lasso of ``t`` on ``A`` (centred, no intercept; ``Q = A'A / n``,
    ``q = A't / n``, ``tt = t't / n``) at the scaled-lasso alpha, the fixed
    point of ``sigma = f(sigma) = ||t - A w(lam0 sigma)|| / sqrt(n)``, from
    ``sigma = ||t|| / sqrt(n)``, stopped when ``|f(sigma) - sigma| <= 1e-3
    sigma``.  Sun and Zhang's (2012) iteration takes ``sigma = f(sigma)``;
    ``f`` increases with slope below 1, so ``f(sigma) - sigma`` has one root,
    and secant steps on it (the plain step where a secant step would leave
    ``(0, ||t|| / sqrt(n)]``) reach the same tolerance in fewer fits.  Each
    fit is certified on its own and warm-started from the previous one, its
    first working set from the sequential strong rule between the two alphas.

    Returns ``(w, alpha, sigma, certificate)``: ``sigma = f(lam0 alpha)``."""
    top = sigma = np.sqrt(tt)
    gaps, bad, last = [], [], None
    w, grad, prev = None, q, np.inf
    for _ in range(max_iter):
        alpha = lam0 * sigma
        strong = None if w is None else problem.strong_set(grad, alpha, prev)
        res = problem.solve(alpha, w, strong)
        w, grad, prev = res.coef, res.grad_neg, alpha
        gaps.append(res.dual_gap * tol / res.tol_abs if res.tol_abs > 0 else 0.0)
        if res.dual_gap > res.tol_abs:
            bad.append(f"{name} at alpha={alpha:.4g}")
        # ||t - A w||^2 / n from the Gram matrix, on the support only.
        idx = np.flatnonzero(w)
        wi = w[idx]
        value = np.sqrt(max(tt - 2 * q[idx] @ wi + wi @ Q[np.ix_(idx, idx)] @ wi, 0))
        if abs(value - sigma) <= 1e-3 * sigma:
            return w, float(alpha), float(value), (max(gaps), bad)
        step = value
        if last is not None and (value - sigma) != (last[1] - last[0]):
            slope = ((value - sigma) - (last[1] - last[0])) / (sigma - last[0])
            secant = sigma - (value - sigma) / slope
            if 0 < secant <= top:
                step = secant
        last, sigma = (sigma, value), step
    return w, float(alpha), float(value), (max(gaps), bad)


def _main_fit(Xs, yc, alpha, lam0, n_alphas, tol, random_state):
    """The lasso to debias: at ``alpha``, or at the 10-fold cross-validated
    alpha (minimum mean squared error), as Dezeure et al. (2015) do."""
    from sklearn.model_selection import KFold

    if alpha is None:
        folds = KFold(10, shuffle=True, random_state=random_state)
        top = compute_path(
            Xs, yc, fit_intercept=False, n_alphas=1, tol=tol, progress=False
        )
        grid = alpha_grid(top.alphas[0], n_alphas, None, *Xs.shape)
        alpha, folds_cert = cv_alpha(
            Xs, yc, "gaussian", grid, folds, tol, "main lasso", fit_intercept=False
        )
        path = compute_path(
            Xs,
            yc,
            fit_intercept=False,
            alphas=grid[grid >= alpha],
            tol=tol,
            progress=False,
        )
        gap, bad = _certificate(path, tol, "main lasso")
        w = path.coefs[:, -1].toarray().ravel()
        return w, alpha, (max(gap, folds_cert[0]), folds_cert[1] + bad)
    else:
        top = compute_path(
            Xs, yc, fit_intercept=False, n_alphas=1, tol=tol, progress=False
        )
        grid = np.geomspace(max(top.alphas[0], alpha), alpha, n_alphas)
        path = compute_path(
            Xs, yc, fit_intercept=False, alphas=grid, tol=tol, progress=False
        )
    k = int(np.argmin(np.abs(path.alphas - alpha)))
    w = path.coefs[:, k].toarray().ravel()
    return w, alpha, _certificate(path, tol, "main lasso")


def _result(
    debiased, b, se, scale, level, noise, alpha, node_alphas, certs, names, seeds
):
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_values = 2 * norm.sf(np.abs(debiased) / se)
    coef, se_orig = debiased / scale, se / scale
    bad = [name for _, names_ in certs for name in names_]
    if bad:
        warnings.warn(
            f"{len(bad)} fit(s) did not converge: {bad[:5]}",
            ConvergenceWarning,
            stacklevel=3,
        )
    return DebiasedLassoResult(
        coef_=coef,
        lasso_coef_=b / scale,
        std_errors_=se_orig,
        ci_=np.column_stack([coef - z * se_orig, coef + z * se_orig]),
        p_values_=p_values,
        sigma_=float(noise),
        alpha_=float(alpha),
        node_alphas_=node_alphas,
        level=level,
        random_state=seeds[0],
        max_gap_=float(max(c[0] for c in certs)),
        not_converged_=bad,
        feature_names_=names,
        seed_=seeds[1],
    )
