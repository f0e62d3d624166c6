"""scipy's constraint forms normalised to ``c_E(x) = 0`` and ``c_I(x) >= 0``.

Every scalar constraint becomes a row ``c_r(x) = s_r (y_k(x)[i_r] - b_r)`` of
one stacked vector ``c(x)``, where ``y_k`` is the ``k``-th constraint's
function, ``b_r`` a bound and ``s_r = +1`` (lower bound or equality) or
``-1`` (upper bound). A two-sided ``lb <= y <= ub`` gives two rows.
"""

from dataclasses import dataclass

import numpy as np

from ._functions import central_difference


@dataclass
class _Block:
    fun: object  # x -> y, shape (size,)
    jac: object  # x -> dy/dx, shape (size, n), or None for finite differences
    hess: object  # (x, v) -> sum_i v_i d2y_i/dx2, or None when not available
    size: int
    linear: bool


class ConstraintSet:
    """The constraints of a problem, evaluated as one stacked ``c(x)``.

    Attributes
    ----------
    is_eq : ndarray of bool, shape (n_rows,)
        Which rows are equalities.
    has_hessians : bool
        Whether every nonlinear constraint supplies second derivatives.
    """

    def __init__(self, constraints, x0, lower, upper):
        if isinstance(constraints, dict) or not np.iterable(constraints):
            constraints = [constraints]
        self.lower, self.upper = lower, upper
        self.blocks, rows = [], []
        for k, con in enumerate(constraints):
            block, lb, ub = _parse(con, k, x0)
            self.blocks.append(block)
            for i in range(block.size):
                if lb[i] == ub[i]:
                    rows.append((k, i, 1.0, lb[i], True))
                    continue
                if np.isfinite(lb[i]):
                    rows.append((k, i, 1.0, lb[i], False))
                if np.isfinite(ub[i]):
                    rows.append((k, i, -1.0, ub[i], False))
        self.offsets = np.cumsum([0] + [b.size for b in self.blocks])
        table = np.array(rows, dtype=float).reshape(-1, 5)
        self.where = (self.offsets[table[:, 0].astype(int)] + table[:, 1]).astype(int)
        self.sign, self.bound = table[:, 2], table[:, 3]
        self.is_eq = table[:, 4].astype(bool)
        self.n_evals, self._last = 0, None
        self.has_hessians = all(b.linear or b.hess is not None for b in self.blocks)

    @property
    def size(self):
        return self.is_eq.size

    def _stack(self, x):
        return np.concatenate([_eval(b.fun, x, b.size) for b in self.blocks] or [[]])

    def values(self, x):
        """``c(x)``, shape (n_rows,); the last point's values are reused."""
        if self._last is not None and np.array_equal(self._last[0], x):
            return self._last[1].copy()
        self.n_evals += 1
        c = self.sign * (self._stack(x)[self.where] - self.bound)
        self._last = (x.copy(), c)
        return c.copy()

    def jacobian(self, x):
        """``J(x) = dc/dx``, shape (n_rows, n)."""
        parts = []
        for b in self.blocks:
            if b.jac is None:
                parts.append(central_difference(b.fun, x, self.lower, self.upper))
            else:
                parts.append(_matrix(b.jac(x), (b.size, x.size), "jac"))
        full = np.vstack(parts) if parts else np.zeros((0, x.size))
        return self.sign[:, None] * full[self.where]

    def hessian(self, x, lam):
        """``sum_r lam_r d2c_r/dx2``, shape (n, n); only when ``has_hessians``."""
        weights = np.zeros(self.offsets[-1])
        np.add.at(weights, self.where, self.sign * lam)
        H = np.zeros((x.size, x.size))
        for k, b in enumerate(self.blocks):
            if not b.linear:
                v = weights[self.offsets[k] : self.offsets[k + 1]]
                H += _matrix(b.hess(x, v), (x.size, x.size), "hess")
        return 0.5 * (H + H.T)

    def per_constraint(self, lam):
        """Row multipliers summed back onto each constraint's components."""
        weights = np.zeros(self.offsets[-1])
        np.add.at(weights, self.where, self.sign * lam)
        return [
            weights[self.offsets[k] : self.offsets[k + 1]]
            for k in range(len(self.blocks))
        ]


def _parse(con, k, x0):
    """One constraint as a ``_Block`` with its ``lb <= y(x) <= ub``."""
    from scipy.optimize import LinearConstraint, NonlinearConstraint

    if isinstance(con, dict):
        return _parse_dict(con, k, x0)
    if isinstance(con, LinearConstraint):
        A = con.A.toarray() if hasattr(con.A, "toarray") else np.asarray(con.A)
        A = np.atleast_2d(np.asarray(A, dtype=float))
        if A.shape[1] != x0.size:
            raise ValueError(
                f"constraints[{k}].A must have {x0.size} columns; got {A.shape[1]}"
            )
        block = _Block(lambda x: A @ x, lambda x: A, None, A.shape[0], True)
        return block, *_bounds(con.lb, con.ub, A.shape[0], k)
    if isinstance(con, NonlinearConstraint):
        size = _eval(con.fun, x0, None, k).size
        jac = con.jac if callable(con.jac) else None
        hess = con.hess if callable(con.hess) else None
        block = _Block(con.fun, jac, hess, size, False)
        return block, *_bounds(con.lb, con.ub, size, k)
    raise ValueError(
        f"constraints[{k}] must be a dict, NonlinearConstraint or LinearConstraint; "
        f"got {type(con).__name__}"
    )


def _parse_dict(con, k, x0):
    kind = con.get("type")
    if kind not in ("eq", "ineq"):
        raise ValueError(
            f"constraints[{k}]['type'] must be 'eq' or 'ineq'; got {kind!r}"
        )
    if not callable(con.get("fun")):
        raise ValueError(f"constraints[{k}]['fun'] must be callable")
    args = tuple(con.get("args", ()))
    fun, jac, hess = con["fun"], con.get("jac"), con.get("hess")
    size = _eval(lambda x: fun(x, *args), x0, None, k).size
    block = _Block(
        lambda x: fun(x, *args),
        (lambda x: jac(x, *args)) if callable(jac) else None,
        (lambda x, v: hess(x, v, *args)) if callable(hess) else None,
        size,
        False,
    )
    lb = np.zeros(size)
    ub = np.zeros(size) if kind == "eq" else np.full(size, np.inf)
    return block, lb, ub


def _bounds(lb, ub, size, k):
    try:
        lb = np.broadcast_to(np.asarray(lb, dtype=float), size).copy()
        ub = np.broadcast_to(np.asarray(ub, dtype=float), size).copy()
    except ValueError:
        raise ValueError(
            f"constraints[{k}].lb and .ub must broadcast to its {size} components"
        ) from None
    bad = np.isnan(lb) | np.isnan(ub) | (lb > ub)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"constraints[{k}] needs lb <= ub; got lb[{i}] = {lb[i]}, ub[{i}] = {ub[i]}"
        )
    return lb, ub


def _eval(fun, x, size, k=None):
    y = np.atleast_1d(np.asarray(fun(x), dtype=float)).reshape(-1)
    if size is not None and y.size != size:
        raise ValueError(f"a constraint returned {y.size} values, expected {size}")
    if k is not None and not np.isfinite(y).all():
        raise ValueError(f"constraints[{k}] is not finite at x0: {y}")
    return y


def _matrix(value, shape, what):
    value = np.asarray(value.toarray() if hasattr(value, "toarray") else value)
    value = np.asarray(value, dtype=float).reshape(-1)
    if value.size != shape[0] * shape[1]:
        raise ValueError(
            f"a constraint's {what} returned {value.size} values; expected {shape}"
        )
    return value.reshape(shape)
