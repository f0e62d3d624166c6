"""Group penalties: the row-grouped penalty of multi-output coefficients
(grouped multinomial) and the group and sparse-group lasso.

For a coefficient matrix ``W`` of shape (n_features, K) the penalty is

.. math::

    g(W) = \\sum_j a_j \\|W_{j\\cdot}\\|_2 + \\frac{c_j}{2} \\|W_{j\\cdot}\\|_2^2,

one Euclidean group per feature across its K coefficients (glmnet's
``type.multinomial = "grouped"``): a feature enters or leaves for every class
at once.  ``a`` and ``c`` come from a separable penalty's arrays, so penalty
factors and the elastic-net mix carry over; bounds do not apply.
"""

import numpy as np
from numba import njit

from .._validation import check_scalar_range, check_vector

__all__ = [
    "GroupPenalty",
    "one_hot_groups",
    "group_value",
    "group_conjugate",
    "group_dual_scale",
    "group_subdiff_distance",
    "group_prox",
]


@njit(cache=True, nogil=True)
def _row_norms(W):
    out = np.empty(W.shape[0])
    for j in range(W.shape[0]):
        s = 0.0
        for k in range(W.shape[1]):
            s += W[j, k] * W[j, k]
        out[j] = np.sqrt(s)
    return out


def group_value(W, a, c):
    """``sum_j a_j ||W_j|| + c_j/2 ||W_j||^2``."""
    norms = _row_norms(np.ascontiguousarray(W, dtype=float))
    return float(a @ norms + 0.5 * (c @ norms**2))


def group_conjugate(Z, a, c):
    """``sum_j sup_v Z_j'v - a_j ||v|| - c_j/2 ||v||^2``.

    Rows with ``a_j = c_j = 0`` are taken at ``Z_j = 0`` (the solvers make the
    unpenalised rows optimal before they certify).
    """
    norms = _row_norms(np.ascontiguousarray(Z, dtype=float))
    excess = np.maximum(norms - a, 0.0)
    ridge = c > 0
    total = float(np.sum(excess[ridge] ** 2 / (2 * c[ridge])))
    lasso = ~ridge & (a > 0)
    if (norms[lasso] > a[lasso] * (1.0 + 16 * np.finfo(float).eps)).any():
        return np.inf
    return total


def group_dual_scale(Z, a, c):
    """Largest ``s`` in [0, 1] with ``group_conjugate(s Z)`` finite."""
    norms = _row_norms(np.ascontiguousarray(Z, dtype=float))
    lasso = (c == 0) & (a > 0) & (norms > a)
    if not lasso.any():
        return 1.0
    return float(min(1.0, np.min(a[lasso] / norms[lasso])))


def group_subdiff_distance(W, grad, a, c):
    """Per row: distance from ``-grad_j`` to the subdifferential at ``W_j``."""
    norms = _row_norms(np.ascontiguousarray(W, dtype=float))
    target = -np.asarray(grad, dtype=float)
    out = np.empty(W.shape[0])
    zero = norms == 0
    out[zero] = np.maximum(_row_norms(target[zero]) - a[zero], 0.0)
    nz = ~zero
    centre = W[nz] * (a[nz] / norms[nz] + c[nz])[:, None]
    out[nz] = _row_norms(target[nz] - centre)
    return out


def group_prox(V, step, a, c):
    """``argmin_W 1/(2 step) ||W - V||^2 + g(W)``: block soft-thresholding."""
    norms = _row_norms(np.ascontiguousarray(V, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = np.where(norms > 0, np.maximum(1 - step * a / norms, 0.0), 0.0)
    return (V * (shrink / (1 + step * c))[:, None]).astype(V.dtype, copy=False)


# -- the group and sparse-group lasso on a coefficient vector ------------------
#
# The groups are held as ``order`` (the features sorted by group) and
# ``indptr`` (group g is ``order[indptr[g]:indptr[g + 1]]``), the layout the
# block coordinate-descent kernels read.  ``l1`` holds the per-feature l1
# weights ``alpha * l1_ratio * v_j`` and ``l2`` the per-group weights
# ``alpha * (1 - l1_ratio) * v_G``.


@njit(cache=True, nogil=True)
def sg_value(w, order, indptr, l1, l2, ridge):
    """``sum_G l2_G ||w_G|| + ridge_G / 2 ||w_G||^2 + sum_j l1_j |w_j|``."""
    total = 0.0
    for g in range(indptr.shape[0] - 1):
        sq = 0.0
        for k in range(indptr[g], indptr[g + 1]):
            j = order[k]
            sq += w[j] * w[j]
            total += l1[j] * abs(w[j])
        total += l2[g] * np.sqrt(sq) + 0.5 * ridge[g] * sq
    return total


@njit(cache=True, nogil=True)
def sg_prox_group(x, j0, j1, order, step, l1, l2g, ridge_g):
    """The sparse-group prox of one group, in place on ``x`` (indexed by
    ``order[j0:j1]``): soft-threshold by ``step l1_j``, then shrink the block
    by ``step l2g`` (Simon et al. 2013, eq. 9), then divide by ``1 + step
    ridge_g`` (the prox of ``h + c/2 ||.||^2`` is that of ``h`` at ``v / (1 +
    step c)`` with step ``step / (1 + step c)``, which for a positively
    homogeneous ``h`` is ``prox_h(v) / (1 + step c)``).  Returns the new norm."""
    sq = 0.0
    for k in range(j0, j1):
        j = order[k]
        t = step * l1[j]
        v = x[j]
        v = v - t if v > t else (v + t if v < -t else 0.0)
        x[j] = v
        sq += v * v
    norm = np.sqrt(sq)
    shrink = 0.0
    if norm > step * l2g:
        shrink = (1.0 - step * l2g / norm) / (1.0 + step * ridge_g)
    for k in range(j0, j1):
        # Assigned, not scaled, at 0: no -0.0 in the coefficients.
        x[order[k]] = x[order[k]] * shrink if shrink > 0.0 else 0.0
    return norm * shrink


@njit(cache=True, nogil=True)
def _sg_prox(v, step, order, indptr, l1, l2, ridge):
    x = v.copy()
    for g in range(indptr.shape[0] - 1):
        sg_prox_group(x, indptr[g], indptr[g + 1], order, step, l1, l2[g], ridge[g])
    return x


@njit(cache=True, nogil=True)
def sg_group_distance(w, z, j0, j1, order, l1, l2g, ridge_g):
    """Distance from ``z`` (minus the gradient) to the subdifferential of one
    group's penalty at ``w``.

    The ridge term's gradient ``ridge_g w_G`` is taken off ``z`` first.  At
    ``w_G = 0`` the subdifferential is a box of half-widths ``l1`` plus a
    ball of radius ``l2g``, and the distance to it is ``max(||S(z)|| - l2g,
    0)`` with ``S`` the soft-thresholding by ``l1``.  Elsewhere it is the
    point ``l2g w_G / ||w_G|| + l1 sign(w)`` on the non-zero entries and
    ``[-l1_j, l1_j]`` on the zero ones."""
    sq = 0.0
    for k in range(j0, j1):
        sq += w[order[k]] * w[order[k]]
    norm = np.sqrt(sq)
    dist = 0.0
    for k in range(j0, j1):
        j = order[k]
        if w[j] == 0.0:
            e = max(abs(z[j]) - l1[j], 0.0)
        else:
            centre = l2g * w[j] / norm + (l1[j] if w[j] > 0 else -l1[j])
            e = z[j] - ridge_g * w[j] - centre
        dist += e * e
    dist = np.sqrt(dist)
    if norm == 0.0:
        return max(dist - l2g, 0.0)
    return dist


@njit(cache=True, nogil=True)
def _sg_distance(w, z, order, indptr, l1, l2, ridge):
    out = np.empty(w.shape[0])
    for g in range(indptr.shape[0] - 1):
        j0, j1 = indptr[g], indptr[g + 1]
        d = sg_group_distance(w, z, j0, j1, order, l1, l2[g], ridge[g])
        for k in range(indptr[g], indptr[g + 1]):
            out[order[k]] = d
    return out


@njit(cache=True, nogil=True)
def sg_group_scale(z, j0, j1, order, l1, l2g):
    """Largest ``s >= 0`` with ``||S_{l1}(s z_G)|| <= l2g`` (``inf`` when every
    ``s`` is; the group's dual-ball constraint).

    ``h(s) = sum_j (s |z_j| - l1_j)_+^2`` is piecewise quadratic and
    increasing; walk its breakpoints ``l1_j / |z_j|`` in order and solve the
    quadratic on the segment where it crosses ``l2g^2``."""
    m = j1 - j0
    # Work on z / max|z_G| (the scale then divides by it): squares of tiny
    # gradients would underflow.
    top = 0.0
    has_l1 = False
    for k in range(m):
        top = max(top, abs(z[order[j0 + k]]))
        has_l1 = has_l1 or l1[order[j0 + k]] > 0.0
    if top == 0.0:
        return np.inf
    if not has_l1:
        # The group lasso: s ||z_G|| = l2g.
        sq = 0.0
        for k in range(m):
            a = z[order[j0 + k]] / top
            sq += a * a
        return l2g / (np.sqrt(sq) * top) if l2g > 0.0 else 0.0
    brk = np.empty(m)
    for k in range(m):
        j = order[j0 + k]
        a = abs(z[j]) / top
        brk[k] = l1[j] / a if a > 0 else np.inf
    idx = np.argsort(brk)
    target = l2g * l2g
    A2 = 0.0
    AL = 0.0
    LL = 0.0
    for r in range(m):
        k = idx[r]
        if brk[k] == np.inf:
            break
        j = order[j0 + k]
        a = abs(z[j]) / top
        A2 += a * a
        AL += a * l1[j]
        LL += l1[j] * l1[j]
        nxt = brk[idx[r + 1]] if r + 1 < m else np.inf
        # On [brk_k, nxt) the active entries give h(s) = A2 s^2 - 2 AL s + LL.
        if nxt < np.inf and A2 * nxt * nxt - 2 * AL * nxt + LL <= target:
            continue
        if A2 <= 0.0:
            continue
        disc = max(AL * AL - A2 * (LL - target), 0.0)
        return (AL + np.sqrt(disc)) / A2 / top
    return np.inf


@njit(cache=True, nogil=True)
def _sg_scales(z, order, indptr, l1, l2):
    out = np.empty(indptr.shape[0] - 1)
    for g in range(out.shape[0]):
        out[g] = sg_group_scale(z, indptr[g], indptr[g + 1], order, l1, l2[g])
    return out


@njit(cache=True, nogil=True)
def _sg_excess(z, order, indptr, l1, l2):
    """Per group ``max(||S_{l1}(z_G)|| - l2_G, 0)``: the distance from ``z_G``
    to the box ``[-l1, l1]`` plus the ball of radius ``l2_G`` (the distance
    to a convex set plus a ball is the distance to the set, less the
    radius)."""
    out = np.empty(indptr.shape[0] - 1)
    for g in range(out.shape[0]):
        sq = 0.0
        for k in range(indptr[g], indptr[g + 1]):
            j = order[k]
            e = max(abs(z[j]) - l1[j], 0.0)
            sq += e * e
        out[g] = max(np.sqrt(sq) - l2[g], 0.0)
    return out


def _group_labels(groups, n_features):
    """``(labels, n_groups)``: a group id in 0..n_groups-1 per feature, from
    a list of index arrays (a partition of the features) or from one label
    per feature; None puts every feature in a group of its own."""
    if groups is None:
        return np.arange(n_features, dtype=np.int64), n_features
    is_list = isinstance(groups, list | tuple) and all(np.ndim(g) == 1 for g in groups)
    if not is_list:
        labels = np.asarray(groups)
        if labels.ndim != 1 or labels.shape[0] != n_features:
            raise ValueError(
                f"groups must be a list of index arrays or one label per feature "
                f"(length {n_features}); got shape {labels.shape}."
            )
        uniq, inverse = np.unique(labels, return_inverse=True)
        return inverse.astype(np.int64), uniq.shape[0]
    labels = np.full(n_features, -1, dtype=np.int64)
    for g, idx in enumerate(groups):
        idx = np.asarray(idx)
        if idx.dtype.kind not in "iu" or (
            idx.size and not (idx.min() >= 0 and idx.max() < n_features)
        ):
            raise ValueError(
                f"groups[{g}] must hold feature indices in [0, {n_features}); "
                f"got {idx.tolist()[:10]}."
            )
        if idx.size == 0 or (labels[idx] != -1).any() or np.unique(idx).size < idx.size:
            raise ValueError(
                f"groups[{g}] is empty or repeats a feature of an earlier group: "
                "the groups must partition the features."
            )
        labels[idx] = g
    if (labels < 0).any():
        missing = np.flatnonzero(labels < 0)[:10].tolist()
        raise ValueError(
            f"groups must cover every feature; features {missing} are in no group."
        )
    return labels, len(groups)


class GroupPenalty:
    """Group lasso and sparse-group lasso penalty, with an optional ridge term.

    .. math::

        g(w) = \\alpha \\sum_G \\left((1 - \\tau) v_G \\|w_G\\|_2
        + \\tau \\sum_{j \\in G} u_j |w_j|
        + \\frac{\\gamma r_G}{2} \\|w_G\\|_2^2\\right)

    with ``tau`` the ``l1_ratio`` (0: the group lasso of Yuan and Lin 2006;
    between 0 and 1: the sparse-group lasso of Simon et al. 2013; 1: the
    weighted lasso), ``v_G`` the group weights, ``u_j`` the features' l1
    weights and ``gamma`` the ``ridge`` share with group weights ``r_G``
    (glmnet's mgaussian elastic net ``lambda ((1 - a)/2 ||B||_F^2 + a sum_j
    ||B_j||_2)`` is ``v_G = a``, ``gamma = 1 - a``).  A group with ``v_G =
    0``, ``u_j = 0`` on its features and no ridge is unpenalised.  Its prox
    soft-thresholds each entry, shrinks each block, then divides it by ``1 +
    step alpha gamma r_G``; its conjugate is the indicator of the dual ball
    ``||S_{alpha tau u}(z_G)||_2 <= alpha (1 - tau) v_G`` on the groups
    without ridge, and ``max(||S_{alpha tau u}(z_G)||_2 - alpha (1 - tau)
    v_G, 0)^2 / (2 alpha gamma r_G)`` on the others.

    Parameters
    ----------
    alpha : float
        The penalty level, ``>= 0``.
    groups : list of array-like of int, array-like of shape (n_features,) \
or None
        Either a list of index arrays that partition the features, or one
        label per feature (features with equal labels form a group); None
        puts every feature in a group of its own (the weighted lasso).
    l1_ratio : float, default=0.0
        ``tau`` in [0, 1], the share of the l1 term.
    group_weights : array-like of shape (n_groups,) or None, default=None
        ``v_G >= 0``, in the order of the list (or of the sorted labels);
        None is ``sqrt(|G|)``.  0 leaves the group's l2 term out.
    weights : array-like of shape (n_features,) or None, default=None
        ``u_j >= 0``; None is 1, except 0 on the features of groups with
        ``v_G = 0``, so that such a group is unpenalised.
    ridge : float, default=0.0
        ``gamma >= 0``, the weight of the ridge term.
    ridge_weights : array-like of shape (n_groups,) or None, default=None
        ``r_G >= 0``; None is 1 on the groups with a positive group or l1
        weight, 0 on the others (unpenalised groups stay unpenalised).

    See Also
    --------
    sparsefit.GroupLasso : The least-squares estimator that uses it.
    ElasticNetPenalty : The separable penalty.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.penalties import GroupPenalty
    >>> g = GroupPenalty(1.0, [[0, 1], [2]])
    >>> float(g.value(np.array([3.0, 4.0, -1.0])))  # sqrt(2) * 5 + 1
    8.071067811865476
    >>> g.prox(np.array([3.0, 4.0, 0.5]), 1.0)  # block soft-thresholding
    array([2.15147186, 2.86862915, 0.        ])
    """

    #: The penalty couples the coefficients of a group: solvers that need a
    #: separable penalty refuse it, block solvers take it.
    block = True
    # No bounds: what the problem reads from every penalty template.
    positive = False
    lower_bounds = None
    upper_bounds = None

    def __init__(
        self,
        alpha,
        groups,
        l1_ratio=0.0,
        group_weights=None,
        weights=None,
        ridge=0.0,
        ridge_weights=None,
    ):
        self.alpha = check_scalar_range(alpha, "alpha", low=0.0)
        self.l1_ratio = check_scalar_range(l1_ratio, "l1_ratio", low=0.0, high=1.0)
        self.groups = groups
        self.group_weights = group_weights
        self.weights = weights
        self.ridge = check_scalar_range(ridge, "ridge", low=0.0)
        self.ridge_weights = ridge_weights
        self._cache = {}

    def __repr__(self):
        return (
            f"GroupPenalty(alpha={self.alpha:g}, l1_ratio={self.l1_ratio:g}, "
            f"n_groups={self._structure_of_any()})"
        )

    def _structure_of_any(self):
        built = [v for k, v in self._cache.items() if not isinstance(k, tuple)]
        return built[0][2] if built else "?"

    def with_alpha(self, alpha):
        """Return a copy of this penalty with another ``alpha``.

        Parameters
        ----------
        alpha : float
            The new penalty level, ``>= 0``.

        Returns
        -------
        penalty : GroupPenalty
            The same groups and weights at ``alpha``; this one is unchanged.
        """
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.alpha = check_scalar_range(alpha, "alpha", low=0.0)
        return copy

    def structure(self, n_features):
        """Return the groups as ``(order, indptr, n_groups, labels, u, v)``.

        Parameters
        ----------
        n_features : int
            The number of features the groups must partition.

        Returns
        -------
        order : ndarray of int64
            The features sorted by group.
        indptr : ndarray of int64 of shape (n_groups + 1,)
            Group g is ``order[indptr[g]:indptr[g + 1]]``.
        n_groups : int
            The number of groups.
        labels : ndarray of int64 of shape (n_features,)
            Each feature's group.
        u : ndarray of shape (n_features,)
            The l1 weights.
        v : ndarray of shape (n_groups,)
            The group weights.

        Raises
        ------
        ValueError
            When the groups do not partition the features or a weight is
            negative or not finite.
        """
        if n_features not in self._cache:
            self._cache[n_features] = self._build(n_features)
        return self._cache[n_features]

    def _build(self, n_features):
        labels, n_groups = _group_labels(self.groups, n_features)
        order = np.argsort(labels, kind="stable").astype(np.int64)
        sizes = np.bincount(labels, minlength=n_groups)
        indptr = np.zeros(n_groups + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        v = check_vector(
            self.group_weights,
            "group_weights",
            n_groups,
            np.float64,
            default=1.0,
            nonnegative=True,
        )
        if self.group_weights is None:
            v = np.sqrt(sizes).astype(np.float64)
        default_u = (v[labels] > 0).astype(np.float64)
        u = check_vector(
            self.weights,
            "weights",
            n_features,
            np.float64,
            default=1.0,
            nonnegative=True,
        )
        if self.weights is None:
            u = default_u
        if not (np.isfinite(u).all() and np.isfinite(v).all()):
            raise ValueError("weights and group_weights must be finite.")
        return order, indptr, n_groups, labels, u, v

    def arrays(self, n_features, alpha=None):
        """Return ``(order, indptr, l1, l2)`` at ``alpha`` (default: its own).

        Parameters
        ----------
        n_features : int
            The number of features.
        alpha : float or None, default=None
            The level; None is the penalty's ``alpha``.

        Returns
        -------
        order, indptr : ndarray of int64
            The groups (see :meth:`structure`).
        l1 : ndarray of shape (n_features,)
            ``alpha tau u_j``.
        l2 : ndarray of shape (n_groups,)
            ``alpha (1 - tau) v_G``.
        """
        order, indptr, _, _, u, v = self.structure(n_features)
        alpha = self.alpha if alpha is None else alpha
        tau = self.l1_ratio
        return order, indptr, alpha * tau * u, alpha * (1.0 - tau) * v

    def ridge_levels(self, n_features, alpha=None):
        """Return the ridge term's level of each group at ``alpha``.

        Parameters
        ----------
        n_features : int
            The number of features.
        alpha : float or None, default=None
            The level; None is the penalty's ``alpha``.

        Returns
        -------
        levels : ndarray of shape (n_groups,)
            ``alpha gamma r_G``.
        """
        alpha = self.alpha if alpha is None else alpha
        return alpha * self.ridge * self._extras(n_features)[2]

    def free_features(self, n_features):
        """Return the mask of the unpenalised features.

        Parameters
        ----------
        n_features : int
            The number of features.

        Returns
        -------
        free : ndarray of bool of shape (n_features,)
            True on the features of groups whose l2 weight and l1 weights
            are all 0.
        """
        return self._extras(n_features)[0]

    def _extras(self, n_features):
        """``(free, top)``: the unpenalised features and each group's largest
        l1 weight (cached with the structure)."""
        key = ("extras", n_features)
        if key not in self._cache:
            _, _, n_groups, labels, u, v = self.structure(n_features)
            top = np.zeros(n_groups)
            np.maximum.at(top, labels, u)
            r = check_vector(
                self.ridge_weights,
                "ridge_weights",
                n_groups,
                np.float64,
                default=1.0,
                nonnegative=True,
            )
            if self.ridge_weights is None:
                r = ((top > 0) | (v > 0)).astype(np.float64)
            if not np.isfinite(r).all():
                raise ValueError("ridge_weights must be finite.")
            free = ((top == 0) & (v == 0) & (self.ridge * r == 0))[labels]
            self._cache[key] = (free, top, r)
        return self._cache[key]

    def _arrays_of(self, w, alpha=None):
        return self.arrays(np.shape(w)[0], alpha)

    def _full_arrays_of(self, w, alpha=None):
        """``(order, indptr, l1, l2, ridge levels)``."""
        p = np.shape(w)[0]
        return (*self.arrays(p, alpha), self.ridge_levels(p, alpha))

    def value(self, w):
        """Return the penalty value.

        Parameters
        ----------
        w : ndarray of shape (n_features,)
            The coefficients.

        Returns
        -------
        value : float
            ``g(w)``.
        """
        return float(sg_value(np.asarray(w, dtype=float), *self._full_arrays_of(w)))

    def prox(self, v, step):
        """Return ``argmin_x 1/(2 step) ||x - v||^2 + g(x)``, group by group.

        Parameters
        ----------
        v : ndarray of shape (n_features,)
            The point to map.
        step : float
            The step size, ``>= 0``.

        Returns
        -------
        x : ndarray of shape (n_features,)
            Each entry soft-thresholded by ``step alpha tau u_j``, then each
            group shrunk by ``step alpha (1 - tau) v_G`` in norm and divided
            by ``1 + step alpha gamma r_G``.
        """
        arrays = self._full_arrays_of(v)
        x = _sg_prox(np.asarray(v, dtype=float), float(step), *arrays)
        return x.astype(np.asarray(v).dtype, copy=False)

    def subdiff_distance(self, w, grad):
        """Return the distance from ``-grad`` to the subdifferential of g at ``w``.

        Parameters
        ----------
        w : ndarray of shape (n_features,)
            The coefficients.
        grad : ndarray of shape (n_features,)
            The gradient of the datafit at ``w``.

        Returns
        -------
        dist : ndarray of shape (n_features,)
            For each feature, the KKT violation of its group.
        """
        z = -np.asarray(grad, dtype=float)
        w = np.asarray(w, dtype=float)
        return _sg_distance(w, z, *self._full_arrays_of(w))

    def _scales(self, z, alpha=None, dual=True):
        """Per group the dual-ball scale of ``z``; with ``dual``, ``inf`` on
        the groups with a ridge term (their conjugate is finite everywhere)."""
        z = np.asarray(z, dtype=float)
        free = self.free_features(z.shape[0])
        z = np.where(free, 0.0, z)
        out = _sg_scales(z, *self._arrays_of(z, alpha))
        if dual and self.ridge > 0:
            out[self._extras(z.shape[0])[2] > 0] = np.inf
        return out

    def conjugate(self, z):
        """Return the conjugate ``g^*(z)``, the dual ball's indicator (plus ridge).

        With a ridge term, the squared excess over the ball of each group
        with ridge replaces its indicator.

        Parameters
        ----------
        z : ndarray of shape (n_features,)
            The dual point; its entries on unpenalised groups are taken as 0
            (the certificates project them out).

        Returns
        -------
        value : float
            ``inf`` when ``||S_{alpha tau u}(z_G)|| > alpha (1 - tau) v_G``
            for a group without ridge (up to rounding), else the sum over the
            groups with ridge of ``max(||S_{alpha tau u}(z_G)|| - alpha (1 -
            tau) v_G, 0)^2 / (2 alpha gamma r_G)``.
        """
        # dual_scale puts z on the boundary up to rounding; a few ulps over is
        # the boundary, not infinity.
        ok = self._scales(z).min(initial=np.inf) >= 1.0 - 64 * np.finfo(float).eps
        if not ok:
            return np.inf
        if self.ridge == 0:
            return 0.0
        z = np.asarray(z, dtype=float)
        p = z.shape[0]
        z = np.where(self.free_features(p), 0.0, z)
        levels = self.ridge_levels(p)
        ridged = levels > 0
        excess = _sg_excess(z, *self._arrays_of(z))[ridged]
        return float(np.sum(excess**2 / (2 * levels[ridged])))

    def dual_scale(self, z):
        """Return the largest ``s`` in [0, 1] with ``conjugate(s * z)`` finite.

        Parameters
        ----------
        z : ndarray of shape (n_features,)
            The dual point.

        Returns
        -------
        s : float
            The scale that makes ``s * z`` dual feasible.
        """
        return float(min(1.0, self._scales(z).min(initial=np.inf)))

    def group_alpha_max(self, grad0):
        """Return, per group, the smallest ``alpha`` at which it is zero.

        Parameters
        ----------
        grad0 : ndarray of shape (n_features,)
            The datafit gradient at the point where the group is zero.

        Returns
        -------
        alphas : ndarray of shape (n_groups,)
            ``1 / s_G`` with ``s_G`` the dual-ball scale of ``grad0_G`` at
            ``alpha = 1``; 0 for unpenalised groups and zero gradients.
        """
        # At a zero group the ridge term's gradient is zero: its entry level
        # is the ridge-free one; a group penalised by its ridge term alone is
        # never zero, and has none.
        s = self._scales(grad0, alpha=1.0, dual=False)
        with np.errstate(divide="ignore"):
            out = np.where(np.isfinite(s), 1.0 / s, 0.0)
        p = np.shape(grad0)[0]
        _, _, _, _, _, v = self.structure(p)
        out[(v == 0) & (self._extras(p)[1] == 0)] = 0.0
        return out

    def alpha_max(self, grad0):
        """Return the smallest ``alpha`` that zeroes every penalised group.

        Parameters
        ----------
        grad0 : ndarray of shape (n_features,)
            The datafit gradient where the penalised groups are zero and the
            unpenalised ones are optimal.

        Returns
        -------
        alpha_max : float
            The largest :meth:`group_alpha_max`; 0 when none is penalised.
        """
        return float(self.group_alpha_max(grad0).max(initial=0.0))

    def kkt_scale(self, n_features, alpha=None):
        """Return the largest group penalty level, the unit of the KKT check.

        Parameters
        ----------
        n_features : int
            The number of features.
        alpha : float or None, default=None
            The level; None is the penalty's ``alpha``.

        Returns
        -------
        scale : float
            ``max_G (alpha (1 - tau) v_G + max_{j in G} alpha tau u_j)``.
        """
        alpha = self.alpha if alpha is None else alpha
        v = self.structure(n_features)[5]
        top = self._extras(n_features)[1]
        tau = self.l1_ratio
        return float((alpha * ((1.0 - tau) * v + tau * top)).max(initial=0.0))


def one_hot_groups(frame, categorical=None):
    """Expand categorical columns into one-hot columns, one group per variable.

    Each categorical column becomes one indicator column per level (all
    levels: the group penalty treats them symmetrically, so none is dropped),
    and those columns form one group; every other column is a group of its
    own.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data.
    categorical : list of str or None, default=None
        The columns to expand; None takes those of object, string, boolean
        or category dtype.

    Returns
    -------
    X : ndarray of shape (n_samples, n_columns)
        The numeric columns and the indicators, in the frame's column order.
    groups : ndarray of shape (n_columns,)
        The source column's name for every column of ``X`` (labels for
        :class:`GroupPenalty`).
    names : list of str
        A name for every column of ``X``: ``"column=level"`` for indicators.

    Raises
    ------
    ValueError
        When ``categorical`` names a column not in ``frame``, a numeric
        column holds a non-finite value, or a categorical column is missing
        a value.

    See Also
    --------
    GroupPenalty : The penalty that takes the groups.
    sparsefit.GroupLasso : The estimator.

    Examples
    --------
    >>> import pandas as pd
    >>> from sparsefit.penalties import one_hot_groups
    >>> df = pd.DataFrame({"age": [30.0, 40.0, 50.0], "site": ["a", "b", "a"]})
    >>> X, groups, names = one_hot_groups(df)
    >>> names
    ['age', 'site=a', 'site=b']
    >>> groups.tolist()
    ['age', 'site', 'site']
    """
    import pandas as pd

    if categorical is None:
        categorical = [
            c
            for c in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[c])
            or pd.api.types.is_bool_dtype(frame[c])
        ]
    missing = [c for c in categorical if c not in frame.columns]
    if missing:
        raise ValueError(f"categorical names columns not in the frame: {missing}.")
    blocks, groups, names = [], [], []
    for col in frame.columns:
        values = frame[col]
        if col in categorical:
            if values.isna().any():
                row = int(np.flatnonzero(values.isna().to_numpy())[0])
                raise ValueError(
                    f"Column {col!r} has a missing value at row {row}; the "
                    "one-hot expansion needs a level for every row."
                )
            levels = sorted(pd.unique(values), key=str)
            for level in levels:
                blocks.append((values == level).to_numpy(dtype=float))
                names.append(f"{col}={level}")
                groups.append(str(col))
            continue
        x = values.to_numpy(dtype=float)
        if not np.isfinite(x).all():
            row = int(np.flatnonzero(~np.isfinite(x))[0])
            raise ValueError(f"Column {col!r} has a non-finite value at row {row}.")
        blocks.append(x)
        names.append(str(col))
        groups.append(str(col))
    X = np.column_stack(blocks) if blocks else np.empty((len(frame), 0))
    return X, np.array(groups, dtype=object), names
