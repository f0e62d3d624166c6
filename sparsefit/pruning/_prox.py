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

__all__ = ["group_dims", "group_soft_threshold_", "group_step", "soft_threshold_"]


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


def group_step(w, step, dims):
    r"""One scalar step per group from per-coordinate steps ``d``.

    .. math::

        s_g = \frac{\|v_g\|_2}{\|v_g / d_g\|_2},

    a harmonic mean of the :math:`d_j` of the group weighted by :math:`v_j^2`,
    so :math:`\min_g d \le s_g \le \max_g d`. It is the step for which
    block soft-thresholding zeroes the group exactly when the exact metric prox
    does: that prox returns :math:`x_g = 0` if and only if
    :math:`\|v_g / d_g\|_2 \le t_g`, and block soft-thresholding with step
    :math:`s_g` if and only if :math:`\|v_g\|_2 \le s_g t_g`. Away from zero the
    group is shrunk along :math:`v_g` with that step, which keeps the prox
    closed-form (the exact metric prox needs a scalar root-find per group).
    A scalar ``step`` is returned unchanged.
    """
    if not torch.is_tensor(step):
        return step
    norms = group_norms(w, dims)
    scaled = group_norms(w / step, dims)
    mean_step = step.mean(dim=dims, keepdim=True)
    # An all-zero group stays zero whatever the step; use the mean to stay finite.
    return torch.where(scaled > 0, norms / scaled.clamp_min(1e-30), mean_step)


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
