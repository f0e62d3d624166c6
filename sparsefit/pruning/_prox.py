r"""Proximal operators on torch tensors, in place, with per-coordinate steps.

They are the torch counterparts of :func:`sparsefit.prox.prox_weighted_l1` and
:func:`sparsefit.prox.prox_group_l2` (the tests check them against those), for
tensors that live on any device and must not leave it. A step may be a scalar
or a tensor of per-coordinate steps :math:`d_j > 0`; the operator is then the
prox in the metric :math:`D^{-1}`, :math:`D = \operatorname{diag}(d)`,

.. math::

    \operatorname{prox}^{D}_{g}(v) = \arg\min_x
    \tfrac12 \sum_j \frac{(x_j - v_j)^2}{d_j} + g(x),

which is what a preconditioned step :math:`x - D \nabla f(x)` (Adam's) calls
for.
"""

import torch

__all__ = ["group_dims", "group_prox_", "group_soft_threshold_", "soft_threshold_"]


def soft_threshold_(w, threshold):
    r"""Soft-threshold ``w`` in place: :math:`w \leftarrow \operatorname{sign}(w)
    \max(|w| - t, 0)`, with ``t`` a scalar or a tensor broadcastable to ``w``.

    For :math:`g = \alpha \|\cdot\|_1` the metric prox above is this operator
    with :math:`t_j = \alpha d_j`: the l1 norm is separable, so each coordinate
    keeps its own step.
    """
    # w - clamp(w, -t, t) is the soft-threshold without producing -0.0, the
    # same expression as sparsefit.prox uses.
    if torch.is_tensor(threshold):
        clipped = torch.minimum(torch.maximum(w, -threshold), threshold)
    else:
        clipped = w.clamp(-threshold, threshold)
    return w.sub_(clipped)


def group_dims(w, over):
    """Dimensions reduced by a group norm: all but the one that indexes groups.

    ``over="out"`` groups a weight of shape ``(out, in, *kernel)`` by output
    neuron or channel (dimension 0), ``over="in"`` by input feature or channel
    (dimension 1).
    """
    keep = {"out": 0, "in": 1}[over]
    if w.ndim < 2:
        raise ValueError(
            f"a group penalty needs a weight of at least 2 dimensions; "
            f"got shape {tuple(w.shape)}"
        )
    return tuple(d for d in range(w.ndim) if d != keep)


def group_norms(w, dims):
    """Euclidean norm of every group, keeping the reduced dimensions."""
    return torch.linalg.vector_norm(w, dim=dims, keepdim=True)


def group_prox_(w, step, threshold, dims, n_newton=50):
    r"""The exact prox of :math:`\sum_g t_g \|w_g\|_2` in the metric
    :math:`D^{-1}` of per-coordinate steps ``d``, in place.

    For a group with point :math:`v` it minimises
    :math:`\tfrac12 \sum_j (x_j - v_j)^2 / d_j + t \|x\|_2`. The solution is
    0 if and only if :math:`\|v / d\|_2 \le t`; otherwise the optimality
    condition :math:`(x_j - v_j)/d_j + t x_j / \|x\| = 0` gives

    .. math::

        x_j = \frac{z\, v_j}{z + d_j}, \qquad
        F(z) = \Bigl\|\frac{v}{z + d}\Bigr\|_2 = t,
        \quad z = \|x\|_2 / t,

    one scalar equation per group. ``F`` is convex and decreasing, so Newton's
    method started left of the root, at
    :math:`z_0 = \max(0, \|v\|/t - \max_j d_j)` (where
    :math:`F \ge \|v\| / (z + \max d) \ge t`), climbs to it monotonically
    and quadratically; the root lies below :math:`\|v\|/t - \min_j d_j`. With
    one step for the whole group (SGD) the first Newton step lands on the
    root, block soft-thresholding.

    ``step`` is a scalar or a tensor shaped like ``w``; ``threshold`` a scalar
    or a tensor with ``w``'s shape reduced (keepdim) over ``dims``.
    """
    if not torch.is_tensor(step):
        return group_soft_threshold_(w, step * threshold, dims)
    v = w.to(torch.float64)
    d = step.to(torch.float64).expand_as(v)
    t = torch.as_tensor(threshold, dtype=torch.float64, device=v.device)
    norms = group_norms(v, dims)
    live = group_norms(v / d, dims) > t
    if not bool(live.any()):
        return w.zero_()
    safe_t = torch.where(t > 0, t, torch.ones_like(t))
    d_max = torch.amax(d, dim=dims, keepdim=True)
    z = (norms / safe_t - d_max).clamp_min(0.0)
    for _ in range(n_newton):
        q = v / (z + d)
        F = group_norms(q, dims)
        slope = (q * q / (z + d)).sum(dim=dims, keepdim=True)
        # Newton's step on F(z) = t, F' = -slope / F; kept >= 0 by convexity.
        delta = (F - t).clamp_min(0.0) * F / slope.clamp_min(1e-300)
        z = z + torch.where(live, delta, torch.zeros_like(delta))
        if bool((delta <= 1e-15 * z).all()):
            break
    x = torch.where(live, v * z / (z + d), torch.zeros_like(v))
    x = torch.where(t > 0, x, v)  # no penalty: the point itself
    return w.copy_(x.to(w.dtype))


def group_soft_threshold_(w, threshold, dims):
    r"""Block soft-threshold ``w`` in place over groups spanning ``dims``.

    .. math::

        w_g \leftarrow \max\Bigl(0, 1 - \frac{t_g}{\|w_g\|_2}\Bigr) w_g,

    the prox of :math:`\sum_g t_g \|w_g\|_2`; ``threshold`` is a scalar or a
    tensor with ``w``'s shape reduced (keepdim) over ``dims``.
    """
    norms = group_norms(w, dims)
    # (||w_g|| - t_g)/||w_g|| with an all-zero group left at zero, no NaN.
    scale = (norms - threshold).clamp_min(0) / norms.clamp_min(1e-30)
    return w.mul_(scale.to(w.dtype))
