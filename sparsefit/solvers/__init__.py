"""Solvers: each minimises a :class:`~sparsefit._problem.Problem` at one alpha.

The contract every solver follows (one file per solver, plus its entry in
:data:`SOLVERS`):

- ``name`` (for messages), ``tol``, ``max_iter``;
- ``accepts(problem)``: whether it can solve this problem, decided by what
  the datafit and the penalty can do (``problem.centred``: the intercept is
  eliminated by centring; ``hasattr(problem.datafit, "raw_hessian")``...);
- ``refines``: whether it continues a solve to an absolute gap;
- ``solve(problem, alpha, w0=None, *, strong=None, gap_abs=None)`` ->
  :class:`SolverResult`, certified by :class:`StoppingRule` at the returned
  point.  ``w0`` and the result's ``coef`` are in the design's coordinates,
  shape (n_features,) or (n_features, K); ``strong`` seeds the first working
  set along a path; the result declares its ``intercept`` when the problem
  keeps one.  What a solver needs it takes from the problem: the design,
  target and ``penalty(alpha)`` of a centred problem, or ``start(alpha, w0,
  strong)`` (the certificate from the datafit's conjugate, the starting
  point and the rounding scales) of one that keeps its intercept.
"""

from ._base import KKT_TOL, SolverResult, StoppingRule
from ._block_cd import BlockCoordinateDescent
from ._cd import CoordinateDescent
from ._certificates import BlockQuadraticCertificate, QuadraticCertificate
from ._fista import FISTA
from ._lars import LarsSolver
from ._prox_newton import ProxNewton

__all__ = [
    "KKT_TOL",
    "SOLVERS",
    "BlockCoordinateDescent",
    "BlockQuadraticCertificate",
    "CoordinateDescent",
    "FISTA",
    "LarsSolver",
    "ProxNewton",
    "QuadraticCertificate",
    "SolverResult",
    "StoppingRule",
    "make_solver",
]

#: The solvers by name, in the order ``"auto"`` tries them.
SOLVERS = {
    "cd": CoordinateDescent,
    "bcd": BlockCoordinateDescent,
    "prox-newton": ProxNewton,
    "fista": FISTA,
    "lars": LarsSolver,
}


def make_solver(name, problem, tol=1e-4, max_iter=None, precompute="auto"):
    """Build the solver called ``name``, checked against ``problem``.

    ``"auto"`` is the first of :data:`SOLVERS` whose ``accepts(problem)``
    holds: coordinate descent for least squares, proximal Newton for the
    other datafits, block coordinate descent for least squares with a
    block penalty (the group lasso).

    Parameters
    ----------
    name : {"auto", "cd", "bcd", "prox-newton", "fista", "lars"}
        The solver.
    problem : Problem
        Anything with the ``centred``, ``K`` and ``datafit`` attributes that
        ``accepts`` reads.
    tol : float, default=1e-4
        Relative duality-gap tolerance (see :class:`StoppingRule`).
    max_iter : int or None, default=None
        The solver's iteration limit; None keeps its default.
    precompute : {"auto", True, False}, default="auto"
        Gram matrix for coordinate descent.

    Returns
    -------
    solver : object
        A new solver following the contract of :mod:`sparsefit.solvers`.

    Raises
    ------
    ValueError
        When ``name`` is unknown or does not accept ``problem``, naming the
        solvers that do.

    See Also
    --------
    CoordinateDescent : Working-set coordinate descent (least squares).
    ProxNewton : Working-set proximal Newton (the other datafits).
    FISTA : Accelerated proximal gradient (any datafit).
    LarsSolver : The LARS-lasso homotopy (least squares, dense X).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit._problem import Problem
    >>> from sparsefit.datafits import Logistic
    >>> from sparsefit.penalties import ElasticNetPenalty
    >>> X = np.random.default_rng(0).standard_normal((20, 3))
    >>> y = np.where(X[:, 0] > 0, 1.0, -1.0)
    >>> problem = Problem(X, y, Logistic(), ElasticNetPenalty(1.0, 1.0))
    >>> make_solver("auto", problem).name
    'proximal Newton'
    """
    fits = [key for key, cls in SOLVERS.items() if cls.accepts(problem)]
    if name == "auto":
        name = fits[0]
    if name not in fits:
        what = type(problem.datafit).__name__
        raise ValueError(
            f"solver must be one of {['auto', *fits]} for the {what} datafit, "
            f"got {name!r}."
        )
    kwargs = {"tol": tol}
    if max_iter is not None:
        kwargs["max_iter"] = max_iter
    if name == "cd":
        kwargs["precompute"] = precompute
    return SOLVERS[name](**kwargs)
