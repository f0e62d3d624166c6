"""Stability selection: how often each feature is chosen on half-samples.

Meinshausen and Buhlmann (2010) fit the lasso path on many random halves of
the rows and keep the features selected on at least a fraction ``threshold``
of them; Shah and Samworth (2013) draw the halves in complementary pairs
(two disjoint halves per draw), which gives the same error bound without the
exchangeability assumption and tighter bounds under weak shape assumptions.
Every half gets one warm-started, screened path (:func:`sparsefit.compute_path`)
on one alpha grid computed from the whole data, so the selection
probabilities of all alphas come from the same fits.
"""

import math
from types import SimpleNamespace

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator

from .._estimator import _feature_names, _to_array, check_target
from .._families import FAMILIES
from .._progress import Progress
from .._threads import single_blas
from .._validation import check_offset, check_sample_weight, check_scalar_range
from ..path import alpha_grid, compute_path, glm_problem, path_points
from ..penalties import ElasticNetPenalty
from ._record import SelectionRecord, seed_sequence

__all__ = ["StabilitySelection", "error_bound"]

_PLAIN = "plain"
_UNIMODAL = "unimodal"


def check_threshold(threshold):
    """``threshold`` in (0, 1), or a ValueError naming it."""
    ok = isinstance(threshold, (int, float, np.floating, np.integer)) and not (
        isinstance(threshold, bool)
    )
    if not ok or not (0.0 < float(threshold) < 1.0):
        raise ValueError(
            f"threshold must lie in (0, 1) (a selection frequency; 0.6 to 0.9 "
            f"are usual), got {threshold!r}."
        )
    return float(threshold)


def error_bound(q, n_features, threshold, n_pairs=None):
    """Bound on the expected number of false selections, and its name.

    With ``q`` the expected number of features a half-sample selects over the
    region, ``p`` features and a selection threshold ``tau``, stability
    selection bounds the expected number ``E[V]`` of noise features it
    selects (under the assumptions of the bound returned, and the papers'
    condition that the lasso does no worse than random guessing):

    .. math::

        E[V] \\le \\frac{q^2}{(2 \\tau - 1) p}

    (the "plain" bound), or with complementary pairs the smaller "unimodal"
    bound of Shah and Samworth (2013) where it applies (see Returns).

    Parameters
    ----------
    q : float
        Expected number of features selected on a half-sample over the region
        (the union of the supports of its alphas).
    n_features : int
        ``p``, the number of features.
    threshold : float in (0, 1)
        ``tau``, the selection frequency a feature must reach.
    n_pairs : int or None
        B, the number of complementary pairs; None for Meinshausen and
        Buhlmann's subsampling.

    Returns
    -------
    bound : float
        ``inf`` when ``threshold <= 1/2`` and ``q > 0``.
    name : {"plain", "unimodal"}
        "plain": ``q^2 / ((2 tau - 1) p)`` (Meinshausen and Buhlmann 2010,
        Theorem 1; Shah and Samworth 2013, Theorem 1 for complementary
        pairs). "unimodal": Shah and Samworth (2013), Theorem 2, which assumes
        each noise feature's selection frequency has a unimodal
        distribution: ``C(tau, B) q^2 / p`` with
        ``C = 1 / (2 (2 tau - 1 - 1/(2B)))`` for ``tau <= 3/4`` and
        ``C = 4 (1 - tau + 1/(2B)) / (1 + 1/B)`` above, used where
        ``theta = q / p <= 1/sqrt(3)`` and ``tau`` lies in the theorem's range
        (and only when smaller than the plain bound).  Frequencies of ``2B``
        fits move in steps of ``1/(2B)``, so ``tau`` is first rounded up to
        that grid: the selection is the same.

    See Also
    --------
    StabilitySelection : Chooses its region so that this bound is at most
        ``pfer``.

    Examples
    --------
    >>> from sparsefit.selection import error_bound
    >>> error_bound(4.0, 100, 0.9)
    (0.2, 'plain')
    >>> bound, name = error_bound(4.0, 100, 0.9, n_pairs=50)
    >>> round(bound, 4), name
    (0.069, 'unimodal')
    >>> error_bound(4.0, 100, 0.5)
    (inf, 'plain')
    """
    p, tau = float(n_features), float(threshold)
    if n_pairs is not None:
        tau = math.ceil(2 * n_pairs * tau - 1e-9) / (2 * n_pairs)
    if q <= 0:
        return 0.0, _PLAIN
    plain = q * q / ((2 * tau - 1) * p) if tau > 0.5 else math.inf
    if n_pairs is None:
        return plain, _PLAIN
    B, theta = float(n_pairs), q / p
    if theta > 1 / math.sqrt(3) or tau > 1:
        return plain, _PLAIN
    if tau <= 0.75:
        if tau <= 0.5 + min(theta**2, 1 / (2 * B) + 0.75 * theta**2):
            return plain, _PLAIN
        const = 1 / (2 * (2 * tau - 1 - 1 / (2 * B)))
    else:
        const = 4 * (1 - tau + 1 / (2 * B)) / (1 + 1 / B)
    unimodal = const * q * q / p
    return (unimodal, _UNIMODAL) if unimodal < plain else (plain, _PLAIN)


class StabilitySelection(SelectionRecord, BaseEstimator):
    """Stability selection along a lasso (elastic-net) path, for any family.

    Each of the resampled halves ``I`` of the rows gets the path of

    .. math::

        \\min_{w, b} F(y_I, X_I w + b)
        + \\alpha \\sum_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

    (``F`` the family's mean datafit, see :func:`sparsefit.compute_path`) on
    one decreasing grid of alphas from the whole data.  The selection
    probability of feature ``j`` at ``alpha`` is the fraction of halves on
    which ``w_j(alpha) != 0`` (for the multinomial: any of its class
    coefficients).  A feature is selected when its largest probability over
    the region ``[alpha_region_, alpha_max]`` reaches ``threshold``.

    The region is chosen for error control: ``q(alpha)``, the mean number of
    features selected anywhere in ``[alpha, alpha_max]`` on one half, grows as
    alpha falls, and so does the bound of :func:`error_bound`; the region
    ends at the smallest grid alpha where the bound is still at most
    ``pfer``, so that ``error_bound_ <= pfer`` bounds the expected number of
    false selections E[V] (under the assumptions of the bound named in
    ``bound_``, and the papers' condition that the lasso does no worse than
    random guessing).

    Parameters
    ----------
    family : {"gaussian", "binomial", "multinomial", "poisson", "huber"}
        The datafit ``F`` (see :func:`sparsefit.compute_path`).
    l1_ratio : float in (0, 1], default=1.0
        ``rho`` in the objective; 1 is the lasso.
    n_alphas : int, default=100
        Number of alphas of the grid (at least 2).
    eps : float or None
        Smallest alpha of the grid over alpha_max (None: 1e-4 when
        n > p, else 1e-2).
    n_resamples : int, default=50
        Complementary pairs B (``2 B`` fits) or, without pairs, the number of
        half-samples.
    complementary_pairs : bool, default=True
        Shah and Samworth's pairs; False: Meinshausen and Buhlmann's
        independent halves (each drawn without replacement).
    threshold : float in (0, 1), default=0.6
        Selection frequency over the region at which a feature is selected
        (``tau``; 0.6 to 0.9 are usual).
    pfer : float, default=1.0
        The bound wanted on the expected number of false selections.
    standardize : bool, default=False
        Penalise the columns scaled to unit variance (within each half).
    tol : float, default=1e-4
        Relative duality gap of every fit (see :func:`sparsefit.compute_path`).
    n_jobs : int or None
        Halves fitted in parallel (joblib threads; the solvers release the
        GIL). The selection does not depend on it.  Under
        ``joblib.parallel_config(backend="dask")`` the halves run as tasks on
        the Dask cluster instead, ``X`` scattered to it once.
    random_state : int, SeedSequence or None
        Seed of the halves, all drawn before any fit; recorded in
        ``random_state_``.
    progress : bool or None
        Progress on stderr; None shows it only on a terminal.

    Attributes
    ----------
    alphas_ : ndarray of shape (n_alphas,)
    probabilities_ : ndarray of shape (n_features, n_alphas)
    max_probability_ : ndarray of shape (n_features,)
        Largest probability over the region.
    alpha_at_threshold_ : ndarray of shape (n_features,)
        Largest grid alpha at which the probability reaches ``threshold``
        anywhere on the path (NaN if never); beyond the region it does not
        select.
    region_index_ : int
        The region is ``alphas_[: region_index_ + 1]``.
    alpha_region_ : float
        Its smallest alpha.
    q_ : float
        Mean number of features selected per half over the region.
    support_ : ndarray of int
        The selected features.
    error_bound_ : float
        Bound on E[V] for ``threshold`` and the region.
    bound_ : {"plain", "unimodal"}
        Which bound gave ``error_bound_`` (see :func:`error_bound`).
    q_path_ : ndarray of shape (n_alphas,)
        ``q`` for the region ending at each grid alpha.
    classes_ : ndarray or None
        The labels of a classification family; None otherwise.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names of ``X``, when it had them.
    random_state_, subsamples_, n_fits_, max_gap_, not_converged_ :
        The record (see :class:`SelectionRecord`).

    See Also
    --------
    error_bound : The bound on the expected number of false selections.
    knockoff_select : Selection with a controlled false discovery rate.
    sparsefit.compute_path : The certified path fitted on every half.
    sparsefit.plotting.plot_stability : Probabilities against alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import StabilitySelection
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> y = 2 * X[:, 0] - 2 * X[:, 1] + rng.standard_normal(100)
    >>> sel = StabilitySelection(n_resamples=20, random_state=0).fit(X, y)
    >>> sel.support_.tolist(), bool(sel.error_bound_ <= 1.0)
    ([0, 1], True)
    """

    _score_columns = ("max_probability", "alpha_at_threshold")

    def __init__(
        self,
        family="gaussian",
        *,
        l1_ratio=1.0,
        n_alphas=100,
        eps=None,
        n_resamples=50,
        complementary_pairs=True,
        threshold=0.6,
        pfer=1.0,
        standardize=False,
        tol=1e-4,
        n_jobs=None,
        random_state=None,
        progress=None,
    ):
        self.family = family
        self.l1_ratio = l1_ratio
        self.n_alphas = n_alphas
        self.eps = eps
        self.n_resamples = n_resamples
        self.complementary_pairs = complementary_pairs
        self.threshold = threshold
        self.pfer = pfer
        self.standardize = standardize
        self.tol = tol
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.progress = progress

    # -- validation --------------------------------------------------------
    def _check_params(self):
        if self.family not in FAMILIES:
            raise ValueError(
                f"family must be one of {list(FAMILIES)}, got {self.family!r}."
            )
        check_threshold(self.threshold)
        check_scalar_range(self.l1_ratio, "l1_ratio", low=0.0, high=1.0, low_open=True)
        check_scalar_range(self.pfer, "pfer", low=0.0, low_open=True)
        check_scalar_range(self.tol, "tol", low=0.0, low_open=True)
        for name in ("n_alphas", "n_resamples"):
            value = getattr(self, name)
            low = 2 if name == "n_alphas" else 1
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")
            if value < low:
                raise ValueError(f"{name} must be >= {low}, got {value!r}.")

    # -- resampling --------------------------------------------------------
    def _halves(self, seq, y, classifier):
        """The rows of every fit, drawn up front from ``seq``.

        For a classifier each class is halved on its own, so that every half
        holds every class (about half of its rows).
        """
        n = y.shape[0]
        strata = (
            [np.flatnonzero(y == c) for c in np.unique(y)]
            if classifier
            else [np.arange(n)]
        )
        halves = []
        for child in seq.spawn(self.n_resamples):
            rng = np.random.default_rng(child)
            first, second = [], []
            for rows in strata:
                order = rng.permutation(rows)
                m = rows.size // 2
                first.append(order[:m])
                second.append(order[m : 2 * m])
            halves.append(np.sort(np.concatenate(first)))
            if self.complementary_pairs:
                halves.append(np.sort(np.concatenate(second)))
        if min(h.size for h in halves) < 2:
            raise ValueError(
                f"stability selection needs at least 4 rows (2 per half), got {n}."
            )
        return halves

    # -- fitting -----------------------------------------------------------
    def fit(self, X, y, sample_weight=None, offset=None):
        """Fit the paths on every half and select.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The features; a sparse matrix is used in CSC form.
        y : array-like of shape (n_samples,)
            The response (class labels for a classification family, each
            class halved on its own so that every half holds every class).
        sample_weight : array-like of shape (n_samples,) or None
            Weights of the rows (each half keeps the weights of its rows);
            None weighs every row equally.
        offset : array-like of shape (n_samples,) or None
            Added to the linear predictor of every fit (log exposure for
            Poisson), each half keeping the offsets of its rows; it is also
            in the fit on the whole data that sets the alpha grid.

        Returns
        -------
        self : object
            The fitted selection.
        """
        self._check_params()
        names = _feature_names(X)
        X = _to_array(X, "X", "csc")
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        offset = check_offset(offset, X.shape[0])
        datafit = FAMILIES[self.family]()
        classifier = datafit.target in ("binary", "classes")
        penalty = ElasticNetPenalty(1.0, self.l1_ratio)
        # The grid from the whole data: a one-point path at alpha_max.
        top = compute_path(
            X,
            y,
            datafit.with_weights(sw),
            penalty,
            n_alphas=1,
            standardize=self.standardize,
            tol=self.tol,
            progress=False,
            offset=offset,
        )
        self.classes_ = top.classes
        self.n_features_in_ = X.shape[1]
        if names is not None:
            self.feature_names_in_ = names
        self.alphas_ = alpha_grid(top.alphas[0], self.n_alphas, self.eps, *X.shape)
        seq, seed = seed_sequence(self.random_state)
        halves = self._halves(seq, y, classifier)
        self._reset_record(seed, halves)
        kwargs = dict(
            penalty=penalty,
            alphas=self.alphas_,
            standardize=self.standardize,
            tol=self.tol,
        )
        if classifier:
            kwargs["classes"] = top.classes
        entries = self._fit_halves(X, y, (sw, offset), datafit, halves, kwargs)
        self._summarise(entries)
        self._warn_not_converged()
        return self

    def _fit_halves(self, X, y, row_data, datafit, halves, kwargs):
        """First alpha index at which each feature enters on each half
        (``n_alphas`` when never), shape (n_fits, n_features); the record
        counts every fit's certificate."""
        n_alphas = self.alphas_.shape[0]
        entries = []
        # Threads: the compiled kernels release the GIL and X is shared; one
        # BLAS thread each keeps n_jobs fits on n_jobs cores.
        with Progress(len(halves), "stability", self.progress) as bar, single_blas():
            jobs = (
                delayed(_half_path)(X, y, row_data, datafit, rows, kwargs)
                for rows in halves
            )
            parallel = Parallel(
                n_jobs=self.n_jobs, prefer="threads", return_as="generator"
            )
            for i, (path, support) in enumerate(parallel(jobs)):
                self._add_path(path, self.tol, f"subsample {i}")
                entry = np.full(X.shape[1], n_alphas)
                hit = support.any(axis=1)
                entry[hit] = np.argmax(support[hit], axis=1)
                entries.append(entry)
                counts = support.astype(np.int64)
                self._counts = counts if i == 0 else self._counts + counts
                bar.update()
        return np.array(entries)

    def _summarise(self, entries):
        n_fits, p = entries.shape
        counts = self.__dict__.pop("_counts")
        self.probabilities_ = counts / n_fits
        # q(alpha_k): mean size of the union of the supports on alphas[: k + 1].
        ks = np.arange(self.alphas_.shape[0])
        q = (entries[:, :, None] <= ks[None, None, :]).sum(axis=1).mean(axis=0)
        pairs = self.n_resamples if self.complementary_pairs else None
        bounds = [error_bound(v, p, self.threshold, pairs) for v in q]
        ok = np.flatnonzero([b <= self.pfer for b, _ in bounds])
        k = int(ok[-1]) if ok.size else 0
        self.q_path_ = q
        self.region_index_ = k
        self.alpha_region_ = float(self.alphas_[k])
        self.q_ = float(q[k])
        self.error_bound_, self.bound_ = bounds[k]
        self.max_probability_ = self.probabilities_[:, : k + 1].max(axis=1)
        self.support_ = np.flatnonzero(self.max_probability_ >= self.threshold)
        above = self.probabilities_ >= self.threshold
        first = np.argmax(above, axis=1)
        self.alpha_at_threshold_ = np.where(
            above.any(axis=1), self.alphas_[first], np.nan
        )

    # -- results -----------------------------------------------------------
    def _scores(self):
        return {
            "max_probability": self.max_probability_,
            "alpha_at_threshold": self.alpha_at_threshold_,
        }

    def plot_stability(self, ax=None, **kwargs):
        """Plot the selection probabilities against alpha.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw into; None creates a new figure.
        **kwargs : dict
            Passed on to :func:`sparsefit.plotting.plot_stability`
            (``title``, ``max_labels``).

        Returns
        -------
        ax : matplotlib.axes.Axes
            The axes drawn into.
        """
        from ..plotting import plot_stability

        return plot_stability(self, ax=ax, **kwargs)


def _half_path(X, y, row_data, datafit, rows, kwargs):
    """The support along the grid on ``rows``, shape (n_features, n_alphas),
    and the certificate of every point (an object with ``dual_gaps`` and
    ``gap_tols``); ``row_data`` is ``(sample_weight, offset)``, each None or
    per row.

    The points are those of :func:`sparsefit.compute_path` on the half (the
    same problem, warm starts and strong rule, through
    :func:`~sparsefit.path.path_points`); only the supports and certificates
    are kept, not a PathResult, whose per-point bookkeeping (coefficients on
    the original scale, deviance ratios, the sparse assembly) took 7% of the
    process time of a 50-pair run on Golub (halves of 18 rows).
    """
    sw, offset = row_data
    # Rows of a column-major X in one column-major copy (the solvers' layout).
    X_half = X.T[:, rows].T if isinstance(X, np.ndarray) else X[rows]
    y_half = y[rows]
    datafit = datafit.with_weights(None if sw is None else sw[rows])
    n, p = X_half.shape
    sw_half = check_sample_weight(datafit.sample_weight, n, X.dtype)
    if datafit.target == "real":
        y_half = check_target(y_half, n, X.dtype, "StabilitySelection")
    problem, _ = glm_problem(
        X_half,
        y_half,
        datafit,
        kwargs["penalty"],
        sw_half,
        None if offset is None else offset[rows],
        True,
        kwargs["standardize"],
        "ungrouped",
        "auto",
        kwargs["tol"],
        10_000,
        classes=kwargs.get("classes"),
    )
    alphas = kwargs["alphas"]
    alpha_max, w_top = problem.alpha_max()
    support = np.zeros((p, alphas.shape[0]), dtype=bool)
    gaps, limits = np.empty(alphas.shape[0]), np.empty(alphas.shape[0])
    with single_blas():
        for k, res in enumerate(path_points(problem, alphas, alpha_max, w_top)):
            # Class-major coefficients; a scaled column keeps its zeros.
            support[:, k] = res.coef.reshape(-1, p).any(axis=0)
            gaps[k], limits[k] = res.dual_gap, res.tol_abs
    return SimpleNamespace(dual_gaps=gaps, gap_tols=limits), support
