"""Single-setting portfolio problems as conic QPs, solved by Clarabel.

.. math::

    \\min_w \\frac{1}{T} \\|t - Z w\\|^2 + \\sum_j p_j |w_j|
    + \\sum_j q_j |w_j - w^{prev}_j|
    \\quad \\text{s.t.}\\quad A w = b,\\ l \\le w \\le u,\\
    \\sum_j g_j |w_j| \\le c.

Used where a path is not needed: the starting point of the homotopy (the
``tau -> infinity`` limit), rebalancing with a turnover penalty, and the
refit on a chosen set of holdings.  ``Z`` enters through ``y = Z w - t``, so
the matrices stay sparse apart from ``Z`` itself.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class QPResult:
    """Clarabel's answer: ``w``, the objective, the status and the duality
    gap it certifies (absolute, in the objective's units)."""

    w: np.ndarray
    objective: float
    status: str
    dual_gap: float


def _abs_block(n, col_of_w, col_of_aux, n_vars, sign_w, rhs):
    """Rows ``sign_w * w - aux <= rhs`` (``aux >= |w - ...|`` halves)."""
    rows = np.arange(n)
    data = np.concatenate([np.full(n, sign_w), np.full(n, -1.0)])
    mat = sp.csc_array(
        (data, (np.concatenate([rows, rows]), np.concatenate([col_of_w, col_of_aux]))),
        shape=(n, n_vars),
    )
    return mat, rhs


def solve_qp(
    Z,
    t,
    A,
    b,
    lower,
    upper,
    *,
    l1=None,
    turnover=None,
    w_prev=None,
    gross=None,
    tol=1e-10,
):
    """Solve the problem in the module docstring with Clarabel.

    ``l1`` and ``turnover`` are the weight vectors ``p`` and ``q`` (None: no
    such term); ``gross`` is ``(g, c)`` or None.  Returns a :class:`QPResult`;
    the caller decides what a status other than "Solved" means.
    """
    import clarabel

    T, N = Z.shape
    need_abs = l1 is not None or gross is not None
    n_vars = N + T + (N if need_abs else 0) + (N if turnover is not None else 0)
    iw, iy = np.arange(N), N + np.arange(T)
    ip = N + T + np.arange(N) if need_abs else None
    iq = n_vars - N + np.arange(N) if turnover is not None else None
    P = sp.csc_array((np.full(T, 2.0 / T), (iy, iy)), shape=(n_vars, n_vars))
    q = np.zeros(n_vars)
    if l1 is not None:
        q[ip] = l1
    if turnover is not None:
        q[iq] = turnover
    # Zero cone: y - Z w = -t and A w = b.
    rest = sp.csc_array((T, n_vars - N - T))
    eq = [sp.hstack([sp.csc_array(-Z), sp.eye_array(T), rest])]
    eq_rhs = [-t]
    if A.shape[0]:
        eq.append(sp.hstack([sp.csc_array(A), sp.csc_array((A.shape[0], n_vars - N))]))
        eq_rhs.append(b)
    ineq, ineq_rhs = [], []
    if need_abs:
        for sign in (1.0, -1.0):
            mat, rhs = _abs_block(N, iw, ip, n_vars, sign, np.zeros(N))
            ineq.append(mat)
            ineq_rhs.append(rhs)
    if turnover is not None:
        for sign in (1.0, -1.0):
            mat, rhs = _abs_block(N, iw, iq, n_vars, sign, sign * w_prev)
            ineq.append(mat)
            ineq_rhs.append(rhs)
    for sign, bound in ((1.0, upper), (-1.0, lower)):
        finite = np.flatnonzero(np.isfinite(bound))
        if finite.size:
            rows = np.arange(finite.size)
            ineq.append(
                sp.csc_array(
                    (np.full(finite.size, sign), (rows, finite)),
                    shape=(finite.size, n_vars),
                )
            )
            ineq_rhs.append(sign * bound[finite])
    if gross is not None:
        g, cap = gross
        row = np.zeros((1, n_vars))
        row[0, ip] = g
        ineq.append(sp.csc_array(row))
        ineq_rhs.append(np.array([cap]))
    A_all = sp.vstack(eq + ineq, format="csc")
    b_all = np.concatenate(eq_rhs + ineq_rhs)
    n_eq = sum(m.shape[0] for m in eq)
    cones = [clarabel.ZeroConeT(n_eq)]
    n_ineq = A_all.shape[0] - n_eq
    if n_ineq:
        cones.append(clarabel.NonnegativeConeT(n_ineq))
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = tol
    settings.tol_feas = tol
    settings.max_iter = 500
    solver = clarabel.DefaultSolver(
        sp.triu(P, format="csc"), q, A_all, b_all, cones, settings
    )
    sol = solver.solve()
    x = np.asarray(sol.x)
    return QPResult(
        w=x[:N].copy(),
        objective=float(sol.obj_val),
        status=str(sol.status),
        dual_gap=abs(float(sol.obj_val) - float(sol.obj_val_dual)),
    )
