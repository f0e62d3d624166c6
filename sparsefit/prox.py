r"""Proximal operators and projections of the penalties used in sparsefit.

Every function is vectorised NumPy and returns a new array of the same shape
as ``v``. Floating inputs keep their dtype (float32 stays float32); integer
and boolean inputs are computed in float64. A 0-d input gives a NumPy scalar,
as NumPy's ufuncs do. The proximal operator of ``t g`` is

.. math::

    \operatorname{prox}_{t g}(v) = \arg\min_x \tfrac12 \|x - v\|_2^2 + t g(x).
"""

import numpy as np

__all__ = [
    "proj_l1_ball",
    "prox_box",
    "prox_elastic_net",
    "prox_group_l2",
    "prox_weighted_l1",
    "soft_threshold",
]


def _as_float(v):
    """Return ``v`` as an array of a floating dtype, float64 for integers."""
    v = np.asarray(v)
    if v.dtype.kind in "biu":
        return v.astype(np.float64)
    if v.dtype.kind != "f":
        raise ValueError(f"v must be an array of real numbers; got dtype {v.dtype}")
    return v


def _result(x):
    return x[()] if x.ndim == 0 else x


def _check_param(value, name, *, finite=False, scalar=False, upper=None):
    """Check that ``value`` is >= 0 (and <= ``upper``), not NaN; return float64."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf" or (scalar and arr.ndim != 0):
        kind = "a real number" if scalar else "real numbers"
        raise ValueError(f"{name} must be {kind}; got {value!r}")
    arr = arr.astype(np.float64)
    bad = np.isnan(arr) | (arr < 0)
    if finite:
        bad |= np.isinf(arr)
    if upper is not None:
        bad |= arr > upper
    if bad.any():
        rule = f"in [0, {upper}]" if upper is not None else ">= 0"
        rule += ", finite" if finite else ", not NaN"
        where = "" if arr.ndim == 0 else f" at index {np.argwhere(bad)[0].tolist()}"
        raise ValueError(f"{name} must be {rule}; got {float(arr[bad][0])!r}{where}")
    return arr


def _broadcast(param, name, shape, dtype):
    """Broadcast a checked parameter to ``shape`` without changing that shape."""
    try:
        return np.broadcast_to(param.astype(dtype), shape)
    except ValueError:
        raise ValueError(
            f"{name} of shape {param.shape} does not broadcast to shape {shape}"
        ) from None


def _soft(v, t, positive):
    # v - clip(v, -t, t) is sign(v) max(|v| - t, 0) without producing -0.0,
    # and is exactly the Moreau decomposition with the l_inf-ball projection.
    if positive:
        return np.maximum(v - t, 0)
    return v - np.clip(v, -t, t)


def soft_threshold(v, threshold, positive=False):
    r"""Soft-thresholding, the proximal operator of the l1 norm.

    .. math::

        \operatorname{prox}_{t \|\cdot\|_1}(v) = \arg\min_x
        \tfrac12 \|x - v\|_2^2 + \sum_j t_j |x_j|
        = \operatorname{sign}(v) \max(|v| - t, 0).

    Parameters
    ----------
    v : array_like
        Point at which the operator is evaluated, of any shape.
    threshold : float or array_like
        Threshold ``t >= 0``, a scalar or an array broadcastable to ``v``.
        ``np.inf`` maps every entry to zero.
    positive : bool, default=False
        If True, also constrain ``x >= 0``: the result is ``max(v - t, 0)``.

    Returns
    -------
    x : ndarray
        Same shape as ``v``; same dtype if floating, float64 otherwise.

    See Also
    --------
    prox_weighted_l1 : The same with a threshold per entry and a step.
    prox_elastic_net : Soft-thresholding followed by ridge shrinkage.

    Examples
    --------
    >>> soft_threshold([1.2, 0.4, -0.8], 0.5)
    array([ 0.7,  0. , -0.3])
    >>> soft_threshold([1.2, 0.4, -0.8], 0.5, positive=True)
    array([0.7, 0. , 0. ])
    """
    v = _as_float(v)
    t = _broadcast(_check_param(threshold, "threshold"), "threshold", v.shape, v.dtype)
    return _result(_soft(v, t, positive))


def prox_weighted_l1(v, weights, step=1.0, positive=False):
    r"""Proximal operator of the weighted l1 norm.

    .. math::

        \arg\min_x \tfrac12 \|x - v\|_2^2 + \text{step} \sum_j w_j |x_j|.

    Parameters
    ----------
    v : array_like
        Point at which the operator is evaluated, of any shape.
    weights : float or array_like
        Finite weights ``w >= 0`` broadcastable to ``v``; ``w_j = 0`` leaves
        ``v_j`` unpenalised (unchanged, or clipped at 0 if ``positive``).
    step : float, default=1.0
        Finite step size ``>= 0``.
    positive : bool, default=False
        If True, also constrain ``x >= 0``.

    Returns
    -------
    x : ndarray
        Same shape as ``v``; same dtype if floating, float64 otherwise.

    See Also
    --------
    soft_threshold : The operator with the threshold given directly.

    Examples
    --------
    >>> prox_weighted_l1([3.0, -3.0, 3.0], weights=[0.0, 1.0, 2.0], step=0.5)
    array([ 3. , -2.5,  2. ])
    """
    v = _as_float(v)
    weights = _check_param(weights, "weights", finite=True)
    step = _check_param(step, "step", finite=True, scalar=True)
    t = _broadcast(step * weights, "weights", v.shape, v.dtype)
    return _result(_soft(v, t, positive))


def prox_elastic_net(v, step, alpha, l1_ratio, weights=None, positive=False):
    r"""Proximal operator of the (weighted) elastic-net penalty.

    With :math:`s = \text{step} \cdot \alpha`, :math:`\rho` = ``l1_ratio``,

    .. math::

        \arg\min_x \tfrac12 \|x - v\|_2^2
        + s \sum_j w_j \bigl(\rho |x_j| + \tfrac{1 - \rho}{2} x_j^2\bigr)
        = \frac{\operatorname{sign}(v) \max(|v| - s w \rho, 0)}
               {1 + s w (1 - \rho)}.

    Parameters
    ----------
    v : array_like
        Point at which the operator is evaluated, of any shape.
    step : float
        Finite step size ``>= 0``.
    alpha : float
        Finite regularisation strength ``>= 0``.
    l1_ratio : float
        Mixing parameter in ``[0, 1]``: 1 is the lasso, 0 is ridge.
    weights : float or array_like, optional
        Finite weights ``w >= 0`` broadcastable to ``v``; default all ones.
    positive : bool, default=False
        If True, also constrain ``x >= 0``.

    Returns
    -------
    x : ndarray
        Same shape as ``v``; same dtype if floating, float64 otherwise.

    See Also
    --------
    soft_threshold : The L1 part alone.

    Examples
    --------
    >>> prox_elastic_net([3.0, -0.5, -2.0], step=1.0, alpha=2.0, l1_ratio=0.5)
    array([ 1. ,  0. , -0.5])
    """
    v = _as_float(v)
    scale = _check_param(step, "step", finite=True, scalar=True)
    scale = scale * _check_param(alpha, "alpha", finite=True, scalar=True)
    l1_ratio = float(_check_param(l1_ratio, "l1_ratio", scalar=True, upper=1))
    if weights is not None:
        scale = scale * _check_param(weights, "weights", finite=True)
    scale = _broadcast(scale, "weights", v.shape, v.dtype)
    return _result(_soft(v, scale * l1_ratio, positive) / (1 + scale * (1 - l1_ratio)))


def _group_norms(v, axis, groups, n_thresholds):
    """Euclidean norm of every group, computed in at least float64."""
    sq = np.square(v, dtype=np.promote_types(v.dtype, np.float64))
    if groups is None:
        return np.sqrt(np.sum(sq, axis=axis))
    return np.sqrt(np.bincount(groups, weights=sq, minlength=n_thresholds))


def _check_groups(groups, v, axis):
    groups = np.asarray(groups)
    if axis is not None:
        raise ValueError(f"axis must be None when groups is given; got {axis!r}")
    if v.ndim != 1 or groups.shape != v.shape or groups.dtype.kind not in "iu":
        raise ValueError(
            f"groups must be integer labels, one per entry of a 1-D v of shape "
            f"{v.shape}; got dtype {groups.dtype} and shape {groups.shape}"
        )
    if groups.size and groups.min() < 0:
        raise ValueError(f"groups must be >= 0; got {groups.min()}")
    return groups


def prox_group_l2(v, threshold, axis=None, groups=None, positive=False):
    r"""Block soft-thresholding, the proximal operator of the group l2 norm.

    For each group :math:`g` of entries with threshold :math:`t_g`,

    .. math::

        \arg\min_x \tfrac12 \|x - v\|_2^2 + \sum_g t_g \|x_g\|_2,
        \qquad x_g = \max\Bigl(0, 1 - \frac{t_g}{\|v_g\|_2}\Bigr) v_g.

    Parameters
    ----------
    v : array_like
        Point at which the operator is evaluated.
    threshold : float or array_like
        Thresholds ``t >= 0`` (``np.inf`` allowed). With ``axis``, a scalar or
        an array broadcastable to ``v``'s shape with ``axis`` removed; with
        ``groups``, a scalar or one entry per label ``0, ..., n_groups - 1``.
    axis : None or int or tuple of ints, default=None
        Axes that span a group: None makes the whole array one group;
        ``axis=-1`` makes each row of a 2-D ``v`` a group.
    groups : array_like of int, optional
        For a 1-D ``v`` only (with ``axis=None``): the group label ``>= 0``
        of every coordinate. Groups need not be contiguous.
    positive : bool, default=False
        If True, also constrain ``x >= 0``; the result is the block
        soft-thresholding of ``max(v, 0)``.

    Returns
    -------
    x : ndarray
        Same shape as ``v``; same dtype if floating, float64 otherwise.

    See Also
    --------
    soft_threshold : The same for single entries (groups of size one).

    Examples
    --------
    >>> prox_group_l2([3.0, 4.0], 2.5)
    array([1.5, 2. ])
    >>> prox_group_l2([[3.0, 4.0], [0.3, 0.4]], 2.5, axis=-1)
    array([[1.5, 2. ],
           [0. , 0. ]])
    >>> prox_group_l2([3.0, 0.3, 4.0, 0.4], [2.5, 1.0], groups=[0, 1, 0, 1])
    array([1.5, 0. , 2. , 0. ])
    """
    v = _as_float(v)
    if positive:
        v = np.maximum(v, 0)
    t = _check_param(threshold, "threshold")
    if groups is not None:
        groups = _check_groups(groups, v, axis)
        if t.ndim > 1:
            raise ValueError(f"threshold must be 0-d or 1-d; got shape {t.shape}")
        norms = _group_norms(v, None, groups, t.size if t.ndim else 0)
    else:
        norms = _group_norms(v, axis, None, 0)
    t = _broadcast(t, "threshold", norms.shape, norms.dtype)
    # (||v_g|| - t_g) / ||v_g||, written so that ||v_g|| = 0 gives 0, no warning.
    scale = np.divide(
        np.maximum(norms - t, 0), norms, out=np.zeros_like(norms), where=norms > 0
    )
    if groups is not None:
        scale = scale[groups]
    elif axis is not None:
        scale = np.expand_dims(scale, axis)
    return _result(scale.astype(v.dtype) * v)


def _l1_ball_threshold(u, radius):
    """theta >= 0 with sum(max(u - theta, 0)) = radius, for u >= 0, sum(u) > radius.

    Sort-based algorithm of Duchi, Shalev-Shwartz, Singer and Chandra (2008),
    "Efficient projections onto the l1-ball", Figure 1.
    """
    mu = np.sort(u, axis=None)[::-1].astype(np.promote_types(u.dtype, np.float64))
    cssv = np.cumsum(mu) - radius
    # mu_j > cssv_j / j holds exactly for j <= rho (Duchi et al., Lemma 2).
    rho = max(np.count_nonzero(mu * np.arange(1, mu.size + 1) > cssv), 1)
    return max(cssv[rho - 1] / rho, 0.0)


def proj_l1_ball(v, radius=1.0, positive=False):
    r"""Euclidean projection onto the l1 ball, the prox of its indicator.

    .. math::

        \arg\min_x \tfrac12 \|x - v\|_2^2
        \quad \text{subject to} \quad \|x\|_1 \le r.

    The whole array is one vector (a ``v`` of any shape is treated as
    flattened). Cost: O(n log n), from one sort.

    Parameters
    ----------
    v : array_like
        Point to project.
    radius : float, default=1.0
        Radius ``r >= 0`` (``np.inf`` allowed: the identity).
    positive : bool, default=False
        If True, project onto ``{x >= 0, sum(x) <= r}`` instead.

    Returns
    -------
    x : ndarray
        Same shape as ``v``; same dtype if floating, float64 otherwise.

    See Also
    --------
    soft_threshold : The projection is soft-thresholding at a computed level.

    Examples
    --------
    >>> proj_l1_ball([2.0, -1.0, 0.25], radius=2.0)
    array([ 1.5, -0.5,  0. ])
    >>> proj_l1_ball([2.0, -1.0, 0.25], radius=2.0, positive=True)
    array([1.875, 0.   , 0.125])
    """
    v = _as_float(v)
    radius = float(_check_param(radius, "radius", scalar=True))
    u = np.maximum(v, 0) if positive else np.abs(v)
    if np.sum(u, dtype=np.promote_types(u.dtype, np.float64)) <= radius:
        return _result(u if positive else v.copy())
    theta = _l1_ball_threshold(u, radius)
    return _result(_soft(v, v.dtype.type(theta), positive))


def prox_box(v, lower=-np.inf, upper=np.inf):
    r"""Euclidean projection onto a box, the prox of its indicator.

    .. math::

        \arg\min_x \tfrac12 \|x - v\|_2^2
        \quad \text{subject to} \quad l \le x \le u.

    Parameters
    ----------
    v : array_like
        Point to project.
    lower, upper : float or array_like, default=-inf, inf
        Bounds broadcastable to ``v``, not NaN, with ``lower <= upper``.

    Returns
    -------
    x : ndarray
        Same shape as ``v``; same dtype if floating, float64 otherwise.

    See Also
    --------
    prox_weighted_l1 : Which also takes ``positive=True``.

    Examples
    --------
    >>> prox_box([-2.0, 0.5, 3.0], lower=0.0, upper=[1.0, 1.0, 2.0])
    array([0. , 0.5, 2. ])
    """
    v = _as_float(v)
    bounds = []
    for name, bound in (("lower", lower), ("upper", upper)):
        arr = np.asarray(bound)
        if arr.dtype.kind not in "biuf" or np.isnan(arr).any():
            raise ValueError(f"{name} must be real numbers, not NaN; got {bound!r}")
        bounds.append(_broadcast(arr, name, v.shape, v.dtype))
    bad = bounds[0] > bounds[1]
    if bad.any():
        raise ValueError(
            f"lower must be <= upper; got lower={float(bounds[0][bad][0])!r} > "
            f"upper={float(bounds[1][bad][0])!r}"
        )
    return _result(np.clip(v, *bounds))
