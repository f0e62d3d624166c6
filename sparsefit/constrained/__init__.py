r"""Smooth constrained optimisation with the exact l1 penalty.

:func:`minimize_l1` solves

.. math::

    \min_x f(x) \quad \text{s.t.} \quad c_E(x) = 0,\ c_I(x) \ge 0,\
    l \le x \le u

by minimising the nonsmooth penalty function

.. math::

    \phi(x; \mu) = f(x) + \mu \Big(\sum_{i \in E} |c_i(x)|
                                  + \sum_{i \in I} \max(0, -c_i(x))\Big),

which is *exact*: a local solution with multipliers ``lambda*`` is a local
minimiser of ``phi`` for every ``mu > ||lambda*||_inf``, while the quadratic
penalty reaches it only as ``mu`` goes to infinity.

Method
------
S-l1-QP (Fletcher, *Practical Methods of Optimization*, 1987, ch. 12.4;
Nocedal and Wright, *Numerical Optimization*, 2nd ed., 2006, sec. 18.5), a
trust-region SQP method on the l1 model of ``phi``. The kink of the model is
split into slacks, so its subproblem is a convex QP whose constraints are
always consistent; the bounds and an l_inf trust region are the QP's box
(``_subproblem``: Clarabel, an interior-point solver, then an active-set
polish for exact steps). Around it:

- the penalty parameter follows the steering rule of Byrd, Nocedal and Waltz
  (2008, *Optim. Methods Softw.* 23(2), 197-213): each step must achieve a
  fraction of the best linearised feasibility improvement the trust region
  allows (``_steering``);
- a second-order correction (Fletcher; N&W sec. 15.6) is tried before a
  step is rejected, against the Maratos effect (``_sl1qp``);
- with ``hess`` (and the constraints' second derivatives) the exact Hessian
  of the Lagrangian is used; where it is not positive definite it is
  convexified, first by ``sigma J_A' J_A`` on the active constraints, which
  leaves the step on their linearisation unchanged, and only then by a shift
  of the spectrum. Without second derivatives, Powell's damped BFGS
  (N&W Procedure 18.2) models it (``_hessian``);
- the multipliers are the duals of the subproblem, ``|lambda_i| <= mu``;
- a point that cannot be made feasible ends with status
  ``"infeasible_stationary"`` and its certificate: the best decrease of the
  linearised violation in a unit box is zero (``_optimality``).

``success`` is True only at a KKT point whose violation is at most ``tol``.

Examples
--------
>>> from sparsefit.constrained import minimize_l1
>>> res = minimize_l1(lambda x: (x[0] - 2) ** 2, [0.0],
...                   constraints={"type": "ineq", "fun": lambda x: 1 - x[0]})
>>> res.success, float(res.x[0]), round(res.mu_threshold, 8)
(True, 1.0, 2.0)
"""

from ._minimize import minimize_l1
from ._result import ConstrainedResult

__all__ = ["ConstrainedResult", "minimize_l1"]
