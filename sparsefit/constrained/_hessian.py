"""The Hessian of the Lagrangian: damped BFGS, and convexification of the exact one."""

import numpy as np


def damped_bfgs(B, s, y):
    r"""Powell's damped BFGS update (Nocedal and Wright, 2006, Procedure 18.2).

    With ``y`` the change of the Lagrangian's gradient, ``s'y`` may be
    negative away from a convex problem; Powell replaces ``y`` by
    ``r = theta y + (1 - theta) B s`` with the ``theta`` closest to 1 that
    keeps ``s'r >= 0.2 s'Bs``, so ``B`` stays positive definite.
    """
    Bs = B @ s
    sBs = s @ Bs
    if sBs <= 0 or not np.isfinite(sBs):
        return B
    sy = s @ y
    theta = 1.0 if sy >= 0.2 * sBs else 0.8 * sBs / (sBs - sy)
    r = theta * y + (1 - theta) * Bs
    B = B - np.outer(Bs, Bs) / sBs + np.outer(r, r) / (s @ r)
    return 0.5 * (B + B.T)


def initial_scaling(s, y):
    """``y'y / s'y``, the scaling of the first matrix (N&W sec. 6.1), or 1."""
    sy = s @ y
    return float(y @ y / sy) if sy > 0 else 1.0


def convexify(H, J_active):
    r"""A positive semidefinite model Hessian from the exact ``H``: ``(B, sigma)``.

    First ``B = H + sigma J_A' J_A`` for increasing ``sigma``, with ``J_A``
    the Jacobian of the equalities and of the inequalities expected active.
    The caller adds the matching term ``sigma/2 ||c_A + J_A d||^2`` to the
    model (an augmented-Lagrangian term), which vanishes on the linearisation
    ``c_A + J_A d = 0`` of the active constraints: there the step and the
    multipliers (once shifted back by ``sigma (c_A + J_A d)``) are those of
    the exact Hessian, so Newton's local rate is kept whenever ``H`` is
    positive definite on the null space of the active constraints
    (second-order sufficient conditions). If no ``sigma`` works the spectrum
    is shifted, ``B = H + tau I``, a Levenberg-Marquardt-type modification,
    with ``sigma = 0``.
    """
    scale = max(1.0, np.abs(H).max())
    floor = 1e-10 * scale
    if np.linalg.eigvalsh(H)[0] >= floor:
        return H, 0.0
    if J_active.shape[0]:
        G = J_active.T @ J_active
        G_scale = max(np.abs(G).max(), 1e-300)
        for sigma in scale / G_scale * 10.0 ** np.arange(-3, 7):
            candidate = H + sigma * G
            if np.linalg.eigvalsh(candidate)[0] >= floor:
                return candidate, float(sigma)
    smallest = np.linalg.eigvalsh(H)[0]
    return H + (floor - smallest) * np.eye(H.shape[0]), 0.0
