"""Certify any coefficient vector: duality gap and KKT violation.

These work for coefficients from any library, so a fit can be checked
independently of the solver that produced it.
"""

import numpy as np

from ._estimator import _to_array, check_target
from ._problem import Problem
from ._validation import (
    check_finite,
    check_sample_weight,
    check_scalar_range,
)
from .datafits import Quadratic
from .penalties import ElasticNetPenalty
from .solvers import QuadraticCertificate

__all__ = ["duality_gap", "kkt_violation"]


def _setup(
    X,
    y,
    coef,
    intercept,
    alpha,
    l1_ratio,
    sample_weight,
    penalty_factor,
    fit_intercept,
    standardize,
    positive,
    lower_bounds,
    upper_bounds,
):
    X = _to_array(X, "X", "csc")
    y = check_target(y, X.shape[0], X.dtype, "duality_gap")
    alpha = check_scalar_range(alpha, "alpha", low=0.0)
    coef = np.asarray(coef, dtype=float).ravel()
    if coef.shape[0] != X.shape[1]:
        raise ValueError(
            f"coef has {coef.shape[0]} entries but X has {X.shape[1]} columns."
        )
    check_finite(coef, "coef")
    sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    # The same centring, scaling and bounds as the estimators use.
    problem = Problem(
        X,
        y,
        Quadratic(sw),
        ElasticNetPenalty(
            alpha, l1_ratio, penalty_factor, positive, lower_bounds, upper_bounds
        ),
        fit_intercept=fit_intercept,
        standardize=standardize,
    )
    design, y_mean = problem.design, problem.y_mean
    w = problem.from_original(coef)
    arrays = problem.penalty(alpha).coefficients(X.shape[1], np.float64)
    y_c = problem.y.astype(float)
    cert = QuadraticCertificate(design, y_c, arrays)
    r = y_c - design.matvec(w)
    stats = cert.stats_from_residual(r, w)
    if fit_intercept and intercept is not None:
        # The dual point does not depend on b; the primal uses the b given.
        b_opt = y_mean - float(design.mean @ coef)
        shift = b_opt - float(intercept)
        extra = shift * shift * (sw.sum() if sw is not None else X.shape[0])
        stats = (stats[0] + extra,) + stats[1:]
    elif not fit_intercept and intercept not in (None, 0, 0.0):
        raise ValueError(
            f"intercept must be None or 0 when fit_intercept=False, got {intercept!r}."
        )
    return cert, w, stats


def duality_gap(
    X,
    y,
    coef,
    intercept=None,
    *,
    alpha,
    l1_ratio=1.0,
    sample_weight=None,
    penalty_factor=None,
    fit_intercept=True,
    standardize=False,
    positive=False,
    lower_bounds=None,
    upper_bounds=None,
):
    """Certified duality gap of ``(coef, intercept)`` for the elastic net.

    The problem is

    .. math::

        P(w, b) = \\frac{1}{2n} \\sum_i s_i (y_i - x_i'w - b)^2
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right),
        \\quad l \\le w \\le u.

    The returned ``gap = P(w, b) - D(u) >= P(w, b) - P*`` bounds the
    suboptimality, whatever produced ``coef``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values.
    coef : array-like of shape (n_features,)
        Coefficients on the original scale of ``X``, from any source.
    intercept : float or None, default=None
        None takes the optimal intercept for ``coef`` (when fitted).
    alpha : float
        Strength of the penalty.
    l1_ratio : float, default=1.0
        Mix ``rho`` of the L1 (1) and ridge (0) parts.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights ``s_i``, rescaled to sum to ``n_samples``.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty.
    fit_intercept : bool, default=True
        Whether the problem has an unpenalised intercept.
    standardize : bool, default=False
        Whether the penalty applies to the columns scaled to unit variance.
    positive : bool, default=False
        Whether the coefficients are constrained to be non-negative.
    lower_bounds : float or array-like, default=None
        Lower bounds ``l`` on the coefficients.
    upper_bounds : float or array-like, default=None
        Upper bounds ``u`` on the coefficients.

    Returns
    -------
    gap : float
        The duality gap, ``inf`` when ``coef`` violates the bounds.

    See Also
    --------
    kkt_violation : The optimality conditions, feature by feature.
    Lasso : Whose ``dual_gap_`` is this gap at its own fit.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import duality_gap
    >>> X = np.eye(3)
    >>> y = np.array([3., 0.5, -2.])
    >>> float(duality_gap(X, y, [2., 0., -1.], alpha=1 / 3, fit_intercept=False))
    0.0
    """
    cert, w, stats = _setup(
        X,
        y,
        coef,
        intercept,
        alpha,
        l1_ratio,
        sample_weight,
        penalty_factor,
        fit_intercept,
        standardize,
        positive,
        lower_bounds,
        upper_bounds,
    )
    return max(float(cert.gap(w, stats)[0]), 0.0)


def kkt_violation(
    X,
    y,
    coef,
    intercept=None,
    *,
    alpha,
    l1_ratio=1.0,
    sample_weight=None,
    penalty_factor=None,
    fit_intercept=True,
    standardize=False,
    positive=False,
    lower_bounds=None,
    upper_bounds=None,
    per_feature=False,
):
    """KKT violation of ``coef``: ``dist(-grad_j, subdifferential of g_j)``.

    The problem is the one of :func:`duality_gap`. For each feature, the
    distance of minus the gradient of the data term to the subdifferential
    of the penalty at ``coef[j]``: 0 at the optimum, in the units of the
    penalty otherwise.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values.
    coef : array-like of shape (n_features,)
        Coefficients on the original scale of ``X``, from any source.
    intercept : float or None, default=None
        Not used: the intercept is taken at its optimum for ``coef``.
    alpha : float
        Strength of the penalty.
    l1_ratio : float, default=1.0
        Mix ``rho`` of the L1 (1) and ridge (0) parts.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights ``s_i``, rescaled to sum to ``n_samples``.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``v_j >= 0`` multiplying the penalty.
    fit_intercept : bool, default=True
        Whether the problem has an unpenalised intercept.
    standardize : bool, default=False
        Whether the penalty applies to the columns scaled to unit variance.
    positive : bool, default=False
        Whether the coefficients are constrained to be non-negative.
    lower_bounds : float or array-like, default=None
        Lower bounds ``l`` on the coefficients.
    upper_bounds : float or array-like, default=None
        Upper bounds ``u`` on the coefficients.
    per_feature : bool, default=False
        Return the violation of each feature instead of the largest.

    Returns
    -------
    violation : float or ndarray of shape (n_features,)
        The largest violation over features, or each one.

    See Also
    --------
    duality_gap : The certified bound on the suboptimality.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit import kkt_violation
    >>> X = np.eye(3)
    >>> y = np.array([3., 0.5, -2.])
    >>> kkt_violation(X, y, [2., 0., -1.], alpha=1 / 3, fit_intercept=False)
    0.0
    >>> kkt_violation(X, y, [2., 0.5, -1.], alpha=1 / 3, fit_intercept=False) > 0
    True
    """
    cert, w, stats = _setup(
        X,
        y,
        coef,
        None,
        alpha,
        l1_ratio,
        sample_weight,
        penalty_factor,
        fit_intercept,
        standardize,
        positive,
        lower_bounds,
        upper_bounds,
    )
    viol = cert.kkt(w, stats[4])
    return viol if per_feature else float(viol.max(initial=0.0))
