"""The Cox lasso: L1 (elastic-net) penalised proportional-hazards regression."""

import numpy as np

from .._estimator import EstimatorBase
from .._validation import check_offset, check_sample_weight
from ..datafits import Cox
from ..datafits._cox import _group_sums, _RiskSets, concordance_index, encode_survival
from ._glm import RealTargetMixin
from ._glm_cv import (
    _CV_DOC,
    _GRID_DOC,
    _JOBS_DOC,
    _SELECTION_DOC,
    _SOLVER_DOC,
    _GLMCVMixin,
)

__all__ = ["CoxLasso", "CoxLassoCV"]

_PENALTY_DOC = """
    standardize : bool, default=False
        Scale the columns to unit weighted variance (glmnet's convention,
        and its default for Cox); coefficients are returned on the original
        scale.
    penalty_factor : array-like of shape (n_features,) or None, default=None
        ``v_j >= 0``; 0 leaves a feature unpenalised.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds : float, array-like or None, default=None
        Lower bounds on the coefficients.
    upper_bounds : float, array-like or None, default=None
        Upper bounds on the coefficients."""

_CONTRACT_DOC = """
    The target is a survival pair, which scikit-learn's ``check_estimator``
    cannot generate (its checks fit on real or class targets), so its checks
    do not apply; cloning, parameters and pickling follow its contract.
"""


class CoxMixin(RealTargetMixin):
    """Survival target, no intercept, risk and survival predictions."""

    _family = "cox"
    fit_intercept = False

    def _datafit(self):
        return Cox(ties=self.ties)

    def _check_params(self):
        if self.ties not in ("breslow", "efron"):
            raise ValueError(f"ties must be 'breslow' or 'efron', got {self.ties!r}.")
        super()._check_params()

    def _prepare(self, X, y, sample_weight, offset, reset=True):
        X = self._validate_X(X, reset=reset)
        raw = np.asarray(y)
        y = encode_survival(y, X.shape[0])
        if reset:
            # The codes number the distinct strata in sorted order: their
            # labels (or the codes of a target encoded without them) name
            # the baselines of a stratified fit.
            labels = (y.dtype.metadata or {}).get("strata_labels")
            if labels is None and "strata" in (raw.dtype.names or ()):
                labels = np.unique(raw["strata"])
            self._strata_labels = np.unique(y["strata"]) if labels is None else labels
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        return X, y, sw, check_offset(offset, X.shape[0])

    def _link(self, X, offset=None):
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        link = np.asarray(X @ self.coef_, dtype=float).ravel()
        offset = check_offset(offset, X.shape[0])
        return link if offset is None else link + offset

    def predict(self, X, kind="link", offset=None):
        """Predict the linear predictor ``X coef_ (+ offset)``, or the risk.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        kind : {"link", "risk"}, default="link"
            The linear predictor, or the relative risk ``exp(link)`` (the
            hazard ratio to a sample with every feature at 0).
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor.

        Returns
        -------
        ndarray of shape (n_samples,)
            The linear predictor or the relative risk.

        Raises
        ------
        ValueError
            When ``kind`` is neither "link" nor "risk".
        """
        if kind not in ("link", "risk"):
            raise ValueError(f"kind must be 'link' or 'risk', got {kind!r}.")
        link = self._link(X, offset)
        return np.exp(link) if kind == "risk" else link

    def score(self, X, y, sample_weight=None, offset=None):
        """Harrell's C-index of ``predict(X)`` on the survival target ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        y : survival target
            As :meth:`fit` takes it.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the events.
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor.

        Returns
        -------
        float
            The fraction of comparable pairs ordered by the predicted risk
            (see :func:`sparsefit.datafits.concordance_index`).
        """
        return float(concordance_index(y, self._link(X, offset), sample_weight))

    def _store_baseline(self, X, y, sw, offset):
        """Breslow's baseline cumulative hazard of each stratum at the fit,
        ``H_0h(t) = sum_{t_g <= t, g in h} W_g / sum_{j in R_g} s_j exp(eta_j)``
        (R's ``survfit.coxph`` for Breslow's ties)."""
        # X is validated already: a second validation would warn about the
        # feature names of a data frame that it no longer carries.
        eta = np.asarray(X @ self.coef_, dtype=float).ravel()
        if offset is not None:
            eta = eta + offset
        s = np.ones(eta.shape[0]) if sw is None else np.asarray(sw, dtype=float)
        risk = _RiskSets(y)
        top = float(eta.max())
        v = s * np.exp(eta - top)
        S = _group_sums(v, v, risk.lo, risk.hi, risk.gfirst, risk.gptr, risk.members)[0]
        W = np.add.reduceat(s[risk.members], risk.gptr[:-1])
        first = risk.members[risk.gptr[:-1]]
        H = np.cumsum(W / S)
        # The sum restarts at each stratum's first death group.
        H -= np.concatenate(([0.0], H))[risk.gfirst]
        self.baseline_times_ = y["stop"][first]
        self.baseline_cumulative_hazard_ = H * np.exp(-top)
        self.baseline_strata_ = None
        if self._strata_labels.shape[0] > 1:
            self.baseline_strata_ = self._strata_labels[y["strata"][first]]

    def _baseline_hazard(self, times, strata, n_rows):
        """``H_0`` of each row's stratum at ``times``: (n_rows, n_times)."""
        at, hazard = self.baseline_times_, self.baseline_cumulative_hazard_
        if self.baseline_strata_ is None:
            k = np.searchsorted(at, times, side="right") - 1
            H = np.where(k >= 0, hazard[np.maximum(k, 0)], 0.0)
            return np.broadcast_to(H, (n_rows, times.shape[0]))
        if strata is None:
            raise ValueError(
                "the model was fitted with strata, each with its own baseline "
                "hazard: pass strata, the stratum of each row of X."
            )
        strata = np.asarray(strata)
        if strata.shape != (n_rows,):
            raise ValueError(
                f"strata must have one label per row of X, shape {(n_rows,)}; "
                f"got {strata.shape}."
            )
        known = np.unique(self.baseline_strata_)
        unseen = ~np.isin(strata, known)
        if unseen.any():
            k = int(np.flatnonzero(unseen)[0])
            raise ValueError(
                f"strata holds {strata[k].item()!r} (row {k}), a stratum "
                f"without deaths in the training data (strata: {known.tolist()})."
            )
        H = np.empty((n_rows, times.shape[0]))
        for label in np.unique(strata):
            own = self.baseline_strata_ == label
            k = np.searchsorted(at[own], times, side="right") - 1
            H[strata == label] = np.where(k >= 0, hazard[own][np.maximum(k, 0)], 0.0)
        return H

    def predict_cumulative_hazard_function(
        self, X, times=None, offset=None, strata=None
    ):
        """Cumulative hazards ``H(t | x) = H_0(t) exp(x'coef_)``.

        ``H_0`` is Breslow's estimate of the baseline cumulative hazard on
        the training data at the fitted coefficients, a step function that
        jumps at the event times; after a stratified fit each stratum has
        its own (as R's ``survfit.coxph``), and each row gets its stratum's.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        times : array-like of shape (n_times,) or None, default=None
            Where to evaluate the curves; None: the training event times
            (``baseline_times_``, sorted and made distinct across strata).
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor.
        strata : array-like of shape (n_samples,) or None, default=None
            After a stratified fit, the stratum of each row, labelled as in
            the training target's ``strata`` (the labels given to
            :func:`~sparsefit.datafits.survival_target`, or its codes when
            the target was encoded first); ignored otherwise.

        Returns
        -------
        ndarray of shape (n_samples, n_times)
            The cumulative hazards.

        Raises
        ------
        ValueError
            After a stratified fit: ``strata`` missing, of the wrong length,
            or naming a stratum without deaths in the training data.
        """
        link = self._link(X, offset)
        grid = np.unique(self.baseline_times_) if times is None else times
        grid = np.asarray(grid, dtype=float).ravel()
        H = self._baseline_hazard(grid, strata, link.shape[0])
        return H * np.exp(link)[:, None]

    def predict_survival_function(self, X, times=None, offset=None, strata=None):
        """Survival curves ``S(t | x) = exp(-H_0(t) exp(x'coef_))``.

        ``H_0`` is Breslow's estimate of the baseline cumulative hazard on
        the training data at the fitted coefficients, a step function that
        jumps at the event times; after a stratified fit each stratum has
        its own (as R's ``survfit.coxph``), and each row gets its stratum's.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        times : array-like of shape (n_times,) or None, default=None
            Where to evaluate the curves; None: the training event times
            (``baseline_times_``, sorted and made distinct across strata).
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor.
        strata : array-like of shape (n_samples,) or None, default=None
            After a stratified fit, the stratum of each row (see
            :meth:`predict_cumulative_hazard_function`); ignored otherwise.

        Returns
        -------
        ndarray of shape (n_samples, n_times)
            The survival probabilities.

        Raises
        ------
        ValueError
            After a stratified fit: ``strata`` missing, of the wrong length,
            or naming a stratum without deaths in the training data.
        """
        return np.exp(
            -self.predict_cumulative_hazard_function(X, times, offset, strata)
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = None
        return tags


class CoxLasso(CoxMixin, EstimatorBase):
    __doc__ = (
        """Cox proportional-hazards regression with the L1 (elastic-net) penalty.

    .. math::

        \\min_w \\frac{1}{n} \\sum_i s_i d_i \\Big[-x_i'w
        + \\log \\sum_{j \\in R_i} s_j e^{x_j'w}\\Big]
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

    with ``d_i`` the event indicator, ``R_i`` the samples at risk at ``i``'s
    event time (in its stratum, entered before it for ``(start, stop]``
    data) and Breslow's or Efron's handling of tied times (see
    :class:`~sparsefit.datafits.Cox`).  The model has no intercept.  The
    fit is certified by a duality gap from the conjugate of the partial
    likelihood.

    Mapping: glmnet's ``family="cox"`` at ``lambda`` is ``alpha = lambda``
    with ``ties="breslow"`` (``standardize=True`` is glmnet's default);
    lifelines' ``CoxPHFitter(penalizer=0)`` and R's ``coxph`` are
    ``alpha=0`` with ``ties="efron"``.
"""
        + _CONTRACT_DOC
        + """
    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``.
    l1_ratio : float in [0, 1], default=1.0
        Mix ``rho`` of the L1 (1) and ridge (0) parts.
    ties : {"breslow", "efron"}, default="breslow"
        How tied event times are handled."""
        + _PENALTY_DOC
        + _SOLVER_DOC
        + """
    warm_start : bool, default=False
        Start from the previous ``coef_``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
        Always 0 (the partial likelihood has no intercept).
    alpha_ : float
    baseline_times_, baseline_cumulative_hazard_ : ndarray
        Breslow's baseline cumulative hazard at the training event times,
        stratum after stratum after a stratified fit.
    baseline_strata_ : ndarray or None
        The stratum of each entry of ``baseline_times_`` (None without
        strata).
    dual_gap_, kkt_violation_, n_iter_

    See Also
    --------
    CoxLassoCV : Alpha chosen by cross-validation.
    sparsefit.datafits.survival_target : Strata and entry times.

    Examples
    --------
    >>> from sparsefit import CoxLasso
    >>> from sparsefit.datasets import load_veteran
    >>> data = load_veteran()
    >>> model = CoxLasso(alpha=0.05, standardize=True).fit(data.X, data.y)
    >>> [data.feature_names[j] for j in model.coef_.nonzero()[0]]
    ['trt', 'smallcell', 'adeno', 'karno']
    >>> round(model.score(data.X, data.y), 3)
    0.738
    """
    )

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=1.0,
        ties="breslow",
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-4,
        max_iter=1000,
        solver="auto",
        warm_start=False,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.ties = ties
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.warm_start = warm_start

    def fit(self, X, y, sample_weight=None, offset=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : survival target
            An (n, 2) array of (time, event) as glmnet's ``Surv``, an (n, 3)
            array of (start, stop, event), a structured array with an event
            and a time field (scikit-survival's), or the output of
            :func:`sparsefit.datafits.survival_target` (strata).
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples.
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        X, y, sw, offset = self._prepare(X, y, sample_weight, offset)
        problem = self._make_problem(X, y, sw, offset)
        start = None
        if self.warm_start and getattr(self, "_coef_flat", None) is not None:
            if self._coef_flat.shape[0] == problem.n_features:
                start = problem.from_original(self._coef_flat)
        self.alpha_ = float(self.alpha)
        self._solve(problem, self.alpha_, start)
        self._store_baseline(X, y, sw, offset)
        return self


class CoxLassoCV(_GLMCVMixin, CoxMixin, EstimatorBase):
    __doc__ = (
        """The Cox lasso with alpha chosen by cross-validation.

    Minimises the objective of :class:`CoxLasso` along a path of alphas in
    each fold, scores the held-out samples, and refits on all the data at
    the selected alpha.  ``scoring="deviance"`` is glmnet's default
    ``type.measure="deviance"`` for Cox: the deviance of the whole data
    minus that of the training folds at the training fit, per held-out
    event (Verweij and van Houwelingen 1993), averaged over folds
    (glmnet weighs the folds by their events); ``"c_index"`` is Harrell's
    C-index on each held-out fold.
"""
        + _CONTRACT_DOC
        + """
    Parameters
    ----------
    l1_ratio : float in [0, 1], default=1.0
        Mix of the L1 (1) and ridge (0) parts.
    ties : {"breslow", "efron"}, default="breslow"
        How tied event times are handled."""
        + _GRID_DOC
        + """
    cv : int, scikit-learn splitter or iterable, default=10
        An int k means ``KFold(k)`` (``GroupKFold(k)`` with ``groups``)."""
        + _SELECTION_DOC
        + """
    scoring : {"deviance", "c_index"}, default="deviance"
        The held-out score (see above)."""
        + _PENALTY_DOC
        + _SOLVER_DOC
        + _JOBS_DOC
        + _CV_DOC
        + """
    See Also
    --------
    CoxLasso : One fit at a given alpha.
    sparsefit.cross_validate_path : The cross-validation itself.

    Examples
    --------
    >>> from sparsefit import CoxLassoCV
    >>> from sparsefit.datasets import load_veteran
    >>> data = load_veteran()
    >>> model = CoxLassoCV(standardize=True, cv=5).fit(data.X, data.y)
    >>> bool(model.alpha_1se_ >= model.alpha_min_), model.cv_result_.scoring
    (True, 'deviance')
    """
    )
    warm_start = False

    def __init__(
        self,
        *,
        l1_ratio=1.0,
        ties="breslow",
        alphas=None,
        n_alphas=100,
        eps=None,
        cv=10,
        selection="min",
        scoring="deviance",
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        tol=1e-4,
        max_iter=1000,
        solver="auto",
        n_jobs=None,
        progress=None,
    ):
        self.l1_ratio = l1_ratio
        self.ties = ties
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.eps = eps
        self.cv = cv
        self.selection = selection
        self.scoring = scoring
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.n_jobs = n_jobs
        self.progress = progress

    def _check_params(self):
        if self.ties not in ("breslow", "efron"):
            raise ValueError(f"ties must be 'breslow' or 'efron', got {self.ties!r}.")
        _GLMCVMixin._check_params(self)

    def fit(self, X, y, sample_weight=None, offset=None, groups=None, foldid=None):
        """Cross-validate the path, then refit at the selected alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : survival target
            As :meth:`CoxLasso.fit` takes it.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples in the fits and the held-out scores.
        offset : array-like of shape (n_samples,) or None, default=None
            Added to the linear predictor.
        groups : array-like of shape (n_samples,) or None, default=None
            Group labels for the splitter.
        foldid : array-like of shape (n_samples,) or None, default=None
            Fold of each sample (glmnet's ``foldid``); wins over ``cv``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        self._check_scoring("cox")
        X, y, sw, offset = self._prepare(X, y, sample_weight, offset)
        res = self._cv(X, y, sw, offset, groups, foldid, self._datafit())
        problem = self._make_problem(X, y, sw, offset)
        self._refit(problem, res)
        self._store_baseline(X, y, sw, offset)
        return self
