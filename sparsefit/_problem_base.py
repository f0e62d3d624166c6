"""What every problem object offers to paths, cross-validation, explain and
the estimators, whatever its datafit.

A problem holds the design, the datafit's target, the penalty template (its
bounds in the design's coordinates) and a solver, and answers:

- ``penalty(alpha)``, ``n_features``;
- ``solve(alpha, w0=None, strong=None, quiet=False)`` -> ``SolverResult``
  certified by :class:`~sparsefit.solvers.StoppingRule`;
- ``alpha_max()``, ``strong_set(grad_neg, alpha, prev_alpha)``,
  ``grad_neg(w)``, ``null_value()``, ``fit_value(alpha, res)``;
- ``to_original`` / ``from_original`` / ``unpack`` between the solver's
  coordinates and the user's;
- ``settle_zeros(alpha, res)``, the refinement that certifies the status of
  every zero coefficient for ``explain``.

The least-squares problem (:class:`~sparsefit._problem.LeastSquaresProblem`)
eliminates the intercept by centring; the other datafits keep it
(:class:`~sparsefit._glm_problem.GLMProblem`).  What they share lives here.
"""

import numpy as np

from ._validation import check_bounds
from .solvers import KKT_TOL

__all__ = ["BaseProblem"]


class BaseProblem:
    """Shared parts of the problem objects (see the module docstring)."""

    def _set_template(self, penalty, n_features, dtype):
        """The penalty with its bounds moved to the design's coordinates."""
        lower, upper = check_bounds(
            penalty.lower_bounds,
            penalty.upper_bounds,
            penalty.positive,
            n_features,
            dtype,
        )
        # The solver's coefficient is coef / scale, so the bounds follow.
        scale = self.design.scale
        self.template = penalty.with_alpha(penalty.alpha)
        self.template.positive = False
        self.template.lower_bounds = lower / scale
        self.template.upper_bounds = upper / scale
        return lower, upper

    @property
    def n_features(self):
        return self.design.n_features

    def penalty(self, alpha):
        """The penalty at ``alpha`` in the design's coordinates."""
        return self.template.with_alpha(alpha)

    def _unit_template(self):
        """The penalty at alpha = 1 for alpha_max; with ``l1_ratio`` below
        1e-3 the ridge part alone never zeroes a coefficient, so (as glmnet
        does) alpha_max is taken at ``l1_ratio = 1e-3``."""
        unit = self.template.with_alpha(1.0)
        if unit.l1_ratio < 1e-3:
            unit.l1_ratio = 1e-3
        return unit

    # -- certified statuses for explain -------------------------------------
    def _pulls(self, res):
        """``(pull, zero)`` per feature at a solve."""
        raise NotImplementedError

    def _radius_scale(self):
        """Per feature ``s_j`` with gap-safe radius ``sqrt(2 gap s_j)`` on
        the pull scale, or None when the datafit has no curvature bound."""
        raise NotImplementedError

    def _refine(self, alpha, res, gap_abs):
        """Continue a solve, warm-started, to an absolute gap; None when the
        solver cannot."""
        raise NotImplementedError

    def settle_zeros(self, alpha, res):
        """Refine a solve until the status of every zero coefficient is
        certified (for ``explain``).

        A zero coefficient is proved zero at the optimum when its pull plus
        the gap-safe radius ``sqrt(2 gap s_j)`` stays below its penalty
        ``a_j``.  A default fit's gap can leave a feature whose pull is well
        below ``a_j`` undecided; the solve then continues, warm-started, to
        the gap that decides it (at most three rounds).  Features within the
        KKT tolerance of their penalty (``pull >= (1 - KKT_TOL) a_j``) are at
        the boundary at any accuracy and do not ask for more.
        """
        scale = self._radius_scale()
        if scale is None:
            return res
        a = self.penalty(alpha).coefficients(self.n_features, np.float64)[0]
        for _ in range(3):
            pull, zero = self._pulls(res)
            radius = np.sqrt(2 * max(res.dual_gap, 0.0) * scale)
            open_ = zero & (pull < (1 - KKT_TOL) * a) & (pull + radius >= a)
            open_ &= scale > 0
            if not open_.any():
                break
            margin = a[open_] - pull[open_]
            target = 0.25 * float(np.min(margin**2 / (2 * scale[open_])))
            refined = self._refine(alpha, res, target)
            if refined is None or not refined.converged:
                break
            res = refined
        return res
