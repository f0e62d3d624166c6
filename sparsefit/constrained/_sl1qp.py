r"""The S-l1-QP trust-region iteration (Fletcher; Nocedal and Wright, sec. 18.5).

Each iteration solves the l1-QP model of

.. math::

    \phi(x; \mu) = f(x) + \mu \Big(\sum_{i \in E} |c_i(x)|
                                  + \sum_{i \in I} \max(0, -c_i(x))\Big)

in an l_inf trust region, accepts the step when the actual decrease of
``phi`` is a fraction ``ETA`` of the model's, and otherwise tries one
second-order correction (Fletcher's SOC: the same QP with ``c(x)`` replaced
by ``c(x + d) - J(x) d``; N&W sec. 15.6) before shrinking the region; the
correction removes the Maratos effect, so full steps are accepted near the
solution and the local rate of SQP is kept.
"""

from dataclasses import dataclass, field

import numpy as np

from ._hessian import convexify, damped_bfgs, initial_scaling
from ._optimality import (
    complementarity,
    infeasibility,
    l1_violation,
    stationarity,
    violation,
)
from ._steering import steer
from ._subproblem import solve_l1qp

ETA = 1e-4
_EPS = np.finfo(np.float64).eps


@dataclass
class _State:
    """The current point with everything evaluated there."""

    x: np.ndarray
    f: float
    g: np.ndarray
    c: np.ndarray
    J: np.ndarray
    lam: np.ndarray = field(default=None)


@dataclass
class SL1QPOutcome:
    """Where a run ended, and why (a key of ``_result.STATUS_CODES``)."""

    state: _State
    status: str
    mu: float
    nit: int
    bound_multipliers: np.ndarray
    nsoc: int = 0


def _evaluate(objective, cons, x):
    """The functions and first derivatives at an accepted point, all finite."""
    f, g = objective.value_and_grad(x)
    gradient = "jac" if objective.jac is not None else "fun's central differences"
    c, J = cons.values(x), cons.jacobian(x)
    for value, what in (
        (f, "fun"),
        (g, gradient),
        (c, "a constraint"),
        (J, "a constraint's jac"),
    ):
        require_finite(value, what, x)
    return _State(x, f, g, c, J, np.zeros(cons.size))


def require_finite(value, what, x):
    """Raise, naming the function and the point, when ``value`` is not finite:
    a NaN in the model would otherwise surface as a failure of the QP solver."""
    value = np.asarray(value, dtype=float)
    if np.isfinite(value).all():
        return
    kind = "NaN" if np.isnan(value).any() else "infinity"
    where = ""
    if value.ndim:
        flat = int(np.flatnonzero(~np.isfinite(value))[0])
        index = tuple(int(i) for i in np.unravel_index(flat, value.shape))
        where = f" (entry {index[0] if value.ndim == 1 else index})"
    point = np.array2string(x, precision=8, threshold=20)
    raise ValueError(
        f"{what} returned {kind}{where} at x = {point}; minimize_l1 needs finite "
        "values and derivatives at every point it accepts (a fun that is not "
        "finite at a trial point only rejects that step)."
    )


def _merit(objective, cons, x, mu):
    """``(phi, f, c)`` at ``x``; ``phi = inf`` where f or c is not finite."""
    f, c = objective.value(x), cons.values(x)
    phi = f + mu * l1_violation(c, cons.is_eq)
    return (phi if np.isfinite(phi) else np.inf), f, c


@dataclass
class _Model:
    """The quadratic part of the l1 model: ``g_model' d + 1/2 d' B d``.

    ``weights`` holds ``sigma`` on the rows of the augmented-Lagrangian term
    added by the convexification (0 elsewhere): ``g_model = g + J' (w c)``.
    """

    B: np.ndarray
    g: np.ndarray
    weights: np.ndarray

    def multipliers(self, state, sol):
        """The QP's duals shifted back to the Lagrangian of ``f``."""
        return sol.multipliers - self.weights * (state.c + state.J @ sol.step)


class _Hessian:
    """The model Hessian: exact and convexified, or damped BFGS."""

    def __init__(self, objective, cons, n, exact):
        self.objective, self.cons, self.exact = objective, cons, exact
        self.B, self.scaled = np.eye(n), False

    def model(self, state, tol):
        weights = np.zeros(self.cons.size)
        if not self.exact:
            return _Model(self.B, state.g, weights)
        H = self.objective.hessian(state.x)
        require_finite(H, "hess", state.x)
        if self.cons.size:
            Hc = self.cons.hessian(state.x, state.lam)
            require_finite(Hc, "a constraint's hess", state.x)
            H = H - Hc
        active = self.cons.is_eq | (state.lam > 0) | (state.c < tol)
        B, sigma = convexify(H, state.J[active])
        # Away from the active constraints' linearisation the augmented term
        # adds the slope sigma J' c, which the penalty function does not
        # have; there the plain spectral shift is the better model.
        c_active = np.abs(state.c[active]).max(initial=0.0)
        if sigma * c_active > 0.1 * max(1.0, np.abs(state.lam).max(initial=0.0)):
            B, sigma = convexify(H, state.J[:0])
        weights[active] = sigma
        return _Model(B, state.g + state.J.T @ (weights * state.c), weights)

    def update(self, old, new, lam):
        """Damped BFGS with ``y`` the change of the Lagrangian's gradient."""
        if self.exact:
            return
        s = new.x - old.x
        y = (new.g - new.J.T @ lam) - (old.g - old.J.T @ lam)
        if not self.scaled:
            self.B = initial_scaling(s, y) * np.eye(s.size)
            self.scaled = True
        self.B = damped_bfgs(self.B, s, y)


def sl1qp(objective, cons, x0, lower, upper, mu, tol, maxiter, exact_hessian):
    """Run S-l1-QP from ``x0``; ``mu=None`` steers the penalty parameter."""
    steered = mu is None
    mu = 1.0 if steered else float(mu)
    is_eq = cons.is_eq
    state = _evaluate(objective, cons, x0)
    hessian = _Hessian(objective, cons, x0.size, exact_hessian)
    radius = max(1.0, np.abs(x0).max(initial=0.0))
    model = hessian.model(state, tol)
    nsoc = 0

    def finish(lam, status, nit):
        state.lam = lam
        z = stationarity(state.g, state.J, lam, state.x, lower, upper, tol)[1]
        return SL1QPOutcome(state, status, mu, nit, z, nsoc)

    for nit in range(1, maxiter + 1):
        lo = np.maximum(-radius, lower - state.x)
        hi = np.minimum(radius, upper - state.x)
        certificate = _infeasible_stationary(state, cons, lower, upper, tol)
        if certificate is not None:
            return finish(certificate, "infeasible_stationary", nit)
        sol, mu = _step(state, model, is_eq, mu, lo, hi, steered, tol)
        verdict = _verdict(state, sol.multipliers, cons, mu, lower, upper, tol)
        if verdict is not None:
            return finish(sol.multipliers, verdict, nit)
        if sol.reduction <= 0 or np.array_equal(state.x + sol.step, state.x):
            return finish(sol.multipliers, "step_too_small", nit)
        phi = state.f + mu * l1_violation(state.c, is_eq)
        step, rho, corrected = _try_step(
            objective, cons, state, sol, model, mu, lo, hi, phi, lower, upper
        )
        if step is not None:
            nsoc += corrected
            new = _evaluate(objective, cons, step)
            new.lam = sol.multipliers
            hessian.update(state, new, sol.multipliers)
            state = new
            model = hessian.model(state, tol)
        norm = np.abs(sol.step).max()
        if step is None:
            radius = 0.25 * norm
        elif rho < 0.25:
            radius *= 0.25
        elif rho > 0.75 and norm >= 0.9 * radius:
            radius = min(2.0 * radius, 1e10)
        if radius <= 1e-15 * max(1.0, np.abs(state.x).max()):
            return finish(sol.multipliers, "step_too_small", nit)
    return finish(state.lam, "maxiter", maxiter)


def _step(state, model, is_eq, mu, lo, hi, steered, tol):
    """The l1-QP step, with the steering rule when ``mu`` is adaptive."""

    def solve(mu_):
        sol = solve_l1qp(model.g, model.B, state.c, state.J, is_eq, mu_, lo, hi)
        sol.multipliers = model.multipliers(state, sol)
        return sol

    if not steered:
        return solve(mu), mu

    def solve_feasibility():
        return solve_l1qp(0 * state.g, None, state.c, state.J, is_eq, 1.0, lo, hi)

    v0 = l1_violation(state.c, is_eq)
    feas_tol = max(0.1 * min(tol, v0), 1e-13)
    mu, sol = steer(solve, solve_feasibility, mu, v0, feas_tol)
    return sol, mu


def _try_step(objective, cons, state, sol, model, mu, lo, hi, phi, lower, upper):
    """Trial point, then one second-order correction.

    Returns ``(x_new or None, rho, whether x_new is the corrected point)``.
    """
    x_trial = np.clip(state.x + sol.step, lower, upper)
    phi_trial, _, c_trial = _merit(objective, cons, x_trial, mu)
    rho = _ratio(phi, phi_trial, sol.reduction)
    if rho >= ETA:
        return x_trial, rho, False
    if cons.size and np.isfinite(phi_trial):
        c_soc = c_trial - state.J @ sol.step
        soc = solve_l1qp(model.g, model.B, c_soc, state.J, cons.is_eq, mu, lo, hi)
        x_soc = np.clip(state.x + soc.step, lower, upper)
        rho_soc = _ratio(phi, _merit(objective, cons, x_soc, mu)[0], sol.reduction)
        if rho_soc >= ETA:
            return x_soc, rho_soc, True
    return None, rho, False


def _ratio(phi, phi_trial, pred):
    """Actual over predicted decrease of ``phi``.

    When the predicted decrease is at the level of rounding in ``phi`` the
    ratio is noise: a step that does not increase ``phi`` beyond it counts
    as a fair one (0.5, the radius is kept), any other as a failure.
    """
    noise = 1e4 * _EPS * max(1.0, abs(phi))
    if pred <= noise:
        return 0.5 if phi_trial <= phi + noise else 0.0
    return (phi - phi_trial) / pred


def _infeasible_stationary(state, cons, lower, upper, tol):
    """Multipliers of the violation's stationarity certificate, or None.

    When ``x`` is infeasible and no direction decreases the linearised
    violation (``infeasibility`` within tol), the duals of that LP satisfy
    ``J' lambda + z = 0`` with ``lambda`` in the subdifferential of the l1
    violation: they are returned as the certificate.
    """
    if violation(state.c, cons.is_eq) <= tol:
        return None
    theta, lam = infeasibility(
        state.c, state.J, cons.is_eq, state.x, lower, upper, multipliers=True
    )
    if theta <= tol * max(1.0, l1_violation(state.c, cons.is_eq)):
        return lam
    return None


def _verdict(state, lam, cons, mu, lower, upper, tol):
    """``"success"``, ``"penalty_not_exact"`` or None (go on)."""
    is_eq = cons.is_eq
    scale = max(1.0, np.abs(state.g).max(initial=0.0))
    stat = stationarity(state.g, state.J, lam, state.x, lower, upper, tol)[0]
    if violation(state.c, is_eq) <= tol:
        kkt = complementarity(state.c, is_eq, lam, np.inf, tol) <= tol * scale
        return "success" if stat <= tol * scale and kkt else None
    phi_stationary = stat <= tol * scale and (
        complementarity(state.c, is_eq, lam, mu, tol) <= tol * max(1.0, mu)
    )
    return "penalty_not_exact" if phi_stationary else None
