"""L1-penalised logistic and multinomial regression."""

import numpy as np

from .._estimator import ClassifierBase, check_labels
from .._validation import check_sample_weight
from ._glm import GLMMixin

__all__ = ["SparseLogisticRegression"]


class LogisticMixin(GLMMixin):
    """Class handling shared by the logistic estimator and its CV version."""

    @property
    def _family(self):
        return "binomial" if len(self.classes_) == 2 else "multinomial"

    def _check_multinomial(self):
        if self.multinomial not in ("ungrouped", "grouped"):
            raise ValueError(
                f"multinomial must be 'ungrouped' or 'grouped', got "
                f"{self.multinomial!r}."
            )

    def _class_weights(self, y, sample_weight, n_samples, dtype, reset=True):
        """Sample weights times the class weights, rescaled to sum to n;
        ``reset`` takes ``classes_`` from ``y`` (else the fitted ones are kept
        and an unseen label is an error when the target is encoded)."""
        y = check_labels(y, n_samples, type(self).__name__)
        if reset:
            self.classes_ = np.unique(y)
        if self.classes_.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least two classes in "
                f"y; got 1 class ({self.classes_.tolist()})."
            )
        base = (
            np.ones(n_samples)
            if sample_weight is None
            else check_sample_weight(sample_weight, n_samples, np.float64)
        )
        cw = self.class_weight
        if cw is None:
            weights = base
        else:
            index = np.searchsorted(self.classes_, y)
            if cw == "balanced":
                counts = np.bincount(index, minlength=len(self.classes_))
                per_class = n_samples / (len(self.classes_) * counts)
            elif isinstance(cw, dict):
                unknown = set(cw) - set(self.classes_.tolist())
                if unknown:
                    raise ValueError(
                        f"class_weight names labels not in y: {sorted(unknown)!r}."
                    )
                per_class = np.array([float(cw.get(c, 1.0)) for c in self.classes_])
            else:
                raise ValueError(
                    f"class_weight must be None, 'balanced' or a dict, got {cw!r}."
                )
            weights = base * per_class[index]
        return check_sample_weight(weights, n_samples, dtype), y

    def _set_coef(self, coef, intercept):
        self.coef_ = coef
        self.intercept_ = intercept

    def decision_function(self, X):
        """Linear predictor: (n_samples,) for two classes, else (n_samples, K)."""
        self._check_fitted()
        X = self._validate_X(X, reset=False, accept_sparse="csr")
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes)."""
        from scipy.special import expit, softmax

        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        return softmax(scores, axis=1)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """Most probable class."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _fit_problem(self, X, y, sample_weight=None, offset=None, reset=True):
        """Validate the data and build the problem the fit solves."""
        X = self._validate_X(X, reset=reset)
        sw, y = self._class_weights(y, sample_weight, X.shape[0], X.dtype, reset)
        return self._make_problem(X, y, sw, classes=self.classes_)

    def _start(self, problem):
        if (
            self.warm_start
            and getattr(self, "_coef_flat", None) is not None
            and self._coef_flat.shape[0] == problem.n_features * problem.K
        ):
            return problem.from_original(self._coef_flat)
        return None


class SparseLogisticRegression(LogisticMixin, ClassifierBase):
    """L1 (elastic-net) logistic regression; a true multinomial for K > 2.

    Two classes (labels ``classes_[0]`` and ``classes_[1]``, coded -1/+1):

    .. math::

        \\min_{w, b} \\frac{1}{n} \\sum_i s_i \\log(1 + e^{-y_i (x_i'w + b)})
        + \\alpha \\sum_j v_j \\left(\\rho |w_j| + \\frac{1-\\rho}{2} w_j^2\\right)

    K > 2 classes: the softmax loss
    ``(1/n) sum_i s_i (log sum_k exp(z_ik) - z_{i, y_i})`` with
    ``z_ik = x_i'w_k + b_k``, penalised per coefficient
    (``multinomial="ungrouped"``) or per feature across its K coefficients,
    ``alpha sum_j v_j (rho ||W_j||_2 + (1-rho)/2 ||W_j||^2)``
    (``"grouped"``, glmnet's ``type.multinomial = "grouped"``).

    Mapping: scikit-learn's ``LogisticRegression(C=C, l1_ratio=1)`` (with
    liblinear or saga, binary) is ``alpha = 1 / (n C)``; glmnet's
    ``lambda`` (``family="binomial"`` or ``"multinomial"``) is ``alpha``.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the penalty, ``alpha >= 0``.
    l1_ratio : float in [0, 1], default=1.0
        Mix ``rho`` of the L1 (1) and ridge (0) parts.
    multinomial : {"ungrouped", "grouped"}, default="ungrouped"
        With K > 2 classes: an L1 term per coefficient, or the Euclidean
        norm of each feature's K coefficients (kept for every class or none).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept (one per class).
    standardize : bool, default=False
        Scale the columns to unit weighted variance (glmnet's convention);
        coefficients are returned on the original scale.
    penalty_factor : array-like of shape (n_features,) or None
        ``v_j >= 0``; 0 leaves a feature unpenalised.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    lower_bounds, upper_bounds : float, array-like or None
        Bounds on every class's coefficients (ungrouped only).
    class_weight : None, "balanced" or dict
        Multiplies the sample weights of each class.
    tol : float, default=1e-4
        Stop when the duality gap is below ``tol * P(w)`` at the returned
        point and its KKT violation below 1e-3 times the largest l1
        weight (see :class:`~sparsefit.solvers.StoppingRule`).
    max_iter : int, default=1000
        Maximum number of solver iterations; a ``ConvergenceWarning`` gives the
        gap reached when it runs out.
    solver : {"auto", "prox-newton", "fista"}
        "auto" is the proximal Newton method.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    n_nonzero : int or None, default=None
        Fit at an alpha whose support has exactly this many features (any
        output's coefficient non-zero) instead of at ``alpha``, which is then
        ignored; the alpha used is ``alpha_`` (see :class:`sparsefit.Lasso`).

    Attributes
    ----------
    classes_ : ndarray of shape (K,)
    coef_ : ndarray of shape (1, n_features) or (K, n_features)
    intercept_ : ndarray of shape (1,) or (K,)
    alpha_ : float
        The alpha fitted: ``alpha``, or the one chosen for ``n_nonzero``.
    dual_gap_ : float
        Certified: ``P(coef_) - P* <= dual_gap_ <= tol * P(coef_)``.
    kkt_violation_ : float
    n_iter_ : int

    See Also
    --------
    SparseLogisticRegressionCV : Alpha chosen by cross-validation.
    sparsefit.compute_path : The whole path, with ``Logistic()`` or ``Multinomial()``.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sparsefit import SparseLogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = SparseLogisticRegression(alpha=0.01, standardize=True).fit(X, y)
    >>> bool(model.dual_gap_ <= 1e-4 * 0.7), int((model.coef_ != 0).sum()) < 30
    (True, True)
    """

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=1.0,
        multinomial="ungrouped",
        fit_intercept=True,
        standardize=False,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        class_weight=None,
        tol=1e-4,
        max_iter=1000,
        solver="auto",
        warm_start=False,
        n_nonzero=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.multinomial = multinomial
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.warm_start = warm_start
        self.n_nonzero = n_nonzero

    def fit(self, X, y, sample_weight=None):
        """Fit the model; ``y`` holds labels of any type (two or more).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        self._check_multinomial()
        problem = self._fit_problem(X, y, sample_weight)
        alpha = self._fit_alpha(problem, self._family, self.classes_)
        self._solve(problem, alpha, self._start(problem))
        return self
