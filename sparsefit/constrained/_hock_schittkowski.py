"""Test problems from the Hock-Schittkowski collection, with gradients.

W. Hock and K. Schittkowski, *Test Examples for Nonlinear Programming Codes*,
Lecture Notes in Economics and Mathematical Systems 187, Springer, 1981.
Each problem has its standard starting point and the published optimum
``f_star`` (closed forms where the collection gives them). Constraints are
scipy dicts (``"ineq"`` means ``fun(x) >= 0``) with exact Jacobians.
"""

from dataclasses import dataclass

import numpy as np

_S3, _S7 = np.sqrt(3.0), np.sqrt(7.0)


@dataclass(frozen=True)
class HSProblem:
    name: str
    fun: object
    jac: object
    hess: object
    x0: tuple
    constraints: tuple
    bounds: tuple
    f_star: float
    x_star: tuple


def _eq(fun, jac, hess=None):
    return _con("eq", fun, jac, hess)


def _ineq(fun, jac, hess=None):
    return _con("ineq", fun, jac, hess)


def _con(kind, fun, jac, hess):
    """A scipy dict; ``hess(x)`` is the constraint's Hessian (None: linear),
    given as the ``"hess"`` key ``(x, v) -> v[0] hess(x)`` minimize_l1 reads."""
    if hess is None:
        return {"type": kind, "fun": fun, "jac": jac, "hess": _zero_hessian}
    return {"type": kind, "fun": fun, "jac": jac, "hess": lambda x, v: v[0] * hess(x)}


def _zero_hessian(x, v):
    return np.zeros((x.size, x.size))


def _hs6():
    return HSProblem(
        "HS6",
        lambda x: (1 - x[0]) ** 2,
        lambda x: np.array([-2 * (1 - x[0]), 0.0]),
        lambda x: np.diag([2.0, 0.0]),
        (-1.2, 1.0),
        (
            _eq(
                lambda x: 10 * (x[1] - x[0] ** 2),
                lambda x: np.array([[-20 * x[0], 10.0]]),
                lambda x: np.diag([-20.0, 0.0]),
            ),
        ),
        None,
        0.0,
        (1.0, 1.0),
    )


def _hs7():
    return HSProblem(
        "HS7",
        lambda x: np.log(1 + x[0] ** 2) - x[1],
        lambda x: np.array([2 * x[0] / (1 + x[0] ** 2), -1.0]),
        lambda x: np.diag([(2 - 2 * x[0] ** 2) / (1 + x[0] ** 2) ** 2, 0.0]),
        (2.0, 2.0),
        (
            _eq(
                lambda x: (1 + x[0] ** 2) ** 2 + x[1] ** 2 - 4,
                lambda x: np.array([[4 * x[0] * (1 + x[0] ** 2), 2 * x[1]]]),
                lambda x: np.diag([4 + 12 * x[0] ** 2, 2.0]),
            ),
        ),
        None,
        -_S3,
        (0.0, _S3),
    )


def _hs14():
    return HSProblem(
        "HS14",
        lambda x: (x[0] - 2) ** 2 + (x[1] - 1) ** 2,
        lambda x: np.array([2 * (x[0] - 2), 2 * (x[1] - 1)]),
        lambda x: 2 * np.eye(2),
        (2.0, 2.0),
        (
            _eq(lambda x: x[0] - 2 * x[1] + 1, lambda x: np.array([[1.0, -2.0]])),
            _ineq(
                lambda x: -(x[0] ** 2) / 4 - x[1] ** 2 + 1,
                lambda x: np.array([[-x[0] / 2, -2 * x[1]]]),
                lambda x: np.diag([-0.5, -2.0]),
            ),
        ),
        None,
        9 - 2.875 * _S7,
        ((_S7 - 1) / 2, (_S7 + 1) / 4),
    )


def _hs21():
    return HSProblem(
        "HS21",
        lambda x: 0.01 * x[0] ** 2 + x[1] ** 2 - 100,
        lambda x: np.array([0.02 * x[0], 2 * x[1]]),
        lambda x: np.diag([0.02, 2.0]),
        (-1.0, -1.0),
        (_ineq(lambda x: 10 * x[0] - x[1] - 10, lambda x: np.array([[10.0, -1.0]])),),
        ((2.0, 50.0), (-50.0, 50.0)),
        -99.96,
        (2.0, 0.0),
    )


def _hs28():
    return HSProblem(
        "HS28",
        lambda x: (x[0] + x[1]) ** 2 + (x[1] + x[2]) ** 2,
        lambda x: np.array(
            [
                2 * (x[0] + x[1]),
                2 * (x[0] + x[1]) + 2 * (x[1] + x[2]),
                2 * (x[1] + x[2]),
            ]
        ),
        lambda x: np.array([[2.0, 2.0, 0.0], [2.0, 4.0, 2.0], [0.0, 2.0, 2.0]]),
        (-4.0, 1.0, 1.0),
        (
            _eq(
                lambda x: x[0] + 2 * x[1] + 3 * x[2] - 1,
                lambda x: np.array([[1.0, 2.0, 3.0]]),
            ),
        ),
        None,
        0.0,
        (0.5, -0.5, 0.5),
    )


def _hs35():
    def fun(x):
        return (
            9 - 8 * x[0] - 6 * x[1] - 4 * x[2] + 2 * x[0] ** 2 + 2 * x[1] ** 2
            + x[2] ** 2 + 2 * x[0] * x[1] + 2 * x[0] * x[2]
        )  # fmt: skip

    def jac(x):
        return np.array(
            [
                -8 + 4 * x[0] + 2 * x[1] + 2 * x[2],
                -6 + 4 * x[1] + 2 * x[0],
                -4 + 2 * x[2] + 2 * x[0],
            ]
        )

    return HSProblem(
        "HS35",
        fun,
        jac,
        lambda x: np.array([[4.0, 2.0, 2.0], [2.0, 4.0, 0.0], [2.0, 0.0, 2.0]]),
        (0.5, 0.5, 0.5),
        (
            _ineq(
                lambda x: 3 - x[0] - x[1] - 2 * x[2],
                lambda x: np.array([[-1.0, -1.0, -2.0]]),
            ),
        ),
        ((0.0, None),) * 3,
        1 / 9,
        (4 / 3, 7 / 9, 4 / 9),
    )


def _hs39():
    return HSProblem(
        "HS39",
        lambda x: -x[0],
        lambda x: np.array([-1.0, 0.0, 0.0, 0.0]),
        lambda x: np.zeros((4, 4)),
        (2.0, 2.0, 2.0, 2.0),
        (
            _eq(
                lambda x: x[1] - x[0] ** 3 - x[2] ** 2,
                lambda x: np.array([[-3 * x[0] ** 2, 1.0, -2 * x[2], 0.0]]),
                lambda x: np.diag([-6 * x[0], 0.0, -2.0, 0.0]),
            ),
            _eq(
                lambda x: x[0] ** 2 - x[1] - x[3] ** 2,
                lambda x: np.array([[2 * x[0], -1.0, 0.0, -2 * x[3]]]),
                lambda x: np.diag([2.0, 0.0, 0.0, -2.0]),
            ),
        ),
        None,
        -1.0,
        (1.0, 1.0, 0.0, 0.0),
    )


def _hs40():
    def jac(x):
        return -np.array(
            [
                x[1] * x[2] * x[3],
                x[0] * x[2] * x[3],
                x[0] * x[1] * x[3],
                x[0] * x[1] * x[2],
            ]
        )

    return HSProblem(
        "HS40",
        lambda x: -x[0] * x[1] * x[2] * x[3],
        jac,
        lambda x: -_pair_products(x),
        (0.8, 0.8, 0.8, 0.8),
        (
            _eq(
                lambda x: x[0] ** 3 + x[1] ** 2 - 1,
                lambda x: np.array([[3 * x[0] ** 2, 2 * x[1], 0.0, 0.0]]),
                lambda x: np.diag([6 * x[0], 2.0, 0.0, 0.0]),
            ),
            _eq(
                lambda x: x[0] ** 2 * x[3] - x[2],
                lambda x: np.array([[2 * x[0] * x[3], 0.0, -1.0, x[0] ** 2]]),
                lambda x: np.array(
                    [
                        [2 * x[3], 0, 0, 2 * x[0]],
                        [0, 0, 0, 0],
                        [0, 0, 0, 0],
                        [2 * x[0], 0, 0, 0],
                    ]
                ),  # fmt: skip
            ),
            _eq(
                lambda x: x[3] ** 2 - x[1],
                lambda x: np.array([[0.0, -1.0, 0.0, 2 * x[3]]]),
                lambda x: np.diag([0.0, 0.0, 0.0, 2.0]),
            ),
        ),
        None,
        -0.25,
        (2 ** (-1 / 3), 2 ** (-1 / 2), 2 ** (-11 / 12), 2 ** (-1 / 4)),
    )


def _pair_products(x):
    """Hessian of ``x0 x1 x2 x3``: entry (i, j) is the product of the other two."""
    H = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            if i != j:
                H[i, j] = np.prod([x[k] for k in range(4) if k not in (i, j)])
    return H


def _hs42():
    return HSProblem(
        "HS42",
        lambda x: ((x - np.arange(1.0, 5.0)) ** 2).sum(),
        lambda x: 2 * (x - np.arange(1.0, 5.0)),
        lambda x: 2 * np.eye(4),
        (1.0, 1.0, 1.0, 1.0),
        (
            _eq(lambda x: x[0] - 2, lambda x: np.array([[1.0, 0.0, 0.0, 0.0]])),
            _eq(
                lambda x: x[2] ** 2 + x[3] ** 2 - 2,
                lambda x: np.array([[0.0, 0.0, 2 * x[2], 2 * x[3]]]),
                lambda x: np.diag([0.0, 0.0, 2.0, 2.0]),
            ),
        ),
        None,
        28 - 10 * np.sqrt(2.0),
        (2.0, 2.0, 0.6 * np.sqrt(2.0), 0.8 * np.sqrt(2.0)),
    )


def _hs71():
    def jac(x):
        s = x[0] + x[1] + x[2]
        return np.array([x[3] * (s + x[0]), x[0] * x[3], x[0] * x[3] + 1, x[0] * s])

    def hess(x):
        a = 2 * x[0] + x[1] + x[2]
        return np.array(
            [[2 * x[3], x[3], x[3], a], [x[3], 0, 0, x[0]], [x[3], 0, 0, x[0]],
             [a, x[0], x[0], 0]]
        )  # fmt: skip

    return HSProblem(
        "HS71",
        lambda x: x[0] * x[3] * (x[0] + x[1] + x[2]) + x[2],
        jac,
        hess,
        (1.0, 5.0, 5.0, 1.0),
        (
            _ineq(
                lambda x: x[0] * x[1] * x[2] * x[3] - 25,
                lambda x: np.array(
                    [
                        [
                            x[1] * x[2] * x[3],
                            x[0] * x[2] * x[3],
                            x[0] * x[1] * x[3],
                            x[0] * x[1] * x[2],
                        ]
                    ]
                ),  # fmt: skip
                _pair_products,
            ),
            _eq(
                lambda x: (x**2).sum() - 40,
                lambda x: 2 * x[None, :],
                lambda x: 2 * np.eye(4),
            ),
        ),
        ((1.0, 5.0),) * 4,
        17.0140173,
        (1.0, 4.7429994, 3.8211503, 1.3794082),
    )


_Q76 = np.array(
    [[2.0, 0.0, -1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [-1.0, 0.0, 2.0, 1.0],
     [0.0, 0.0, 1.0, 1.0]]
)  # fmt: skip
_C76 = np.array([-1.0, -3.0, 1.0, -1.0])
_A76 = np.array([[-1.0, -2.0, -1.0, -1.0], [-3.0, -1.0, -2.0, 1.0], [0, 1, 4, 0]])
_B76 = np.array([5.0, 4.0, -1.5])


def _hs76():
    return HSProblem(
        "HS76",
        lambda x: 0.5 * x @ _Q76 @ x + _C76 @ x,
        lambda x: _Q76 @ x + _C76,
        lambda x: _Q76,
        (0.5, 0.5, 0.5, 0.5),
        (_ineq(lambda x: _A76 @ x + _B76, lambda x: _A76),),
        ((0.0, None),) * 4,
        -4.681818181,
        (0.2727273, 2.090909, 0.0, 0.5454545),
    )


def hock_schittkowski():
    """The problems HS6, HS7, HS14, HS21, HS28, HS35, HS39, HS40, HS42, HS71, HS76.

    Each has ``fun``, ``jac`` and ``hess`` (the objective's Hessian), and
    constraint dicts with ``"jac"`` and ``"hess"``.
    """
    makers = (_hs6, _hs7, _hs14, _hs21, _hs28, _hs35, _hs39, _hs40, _hs42, _hs71)
    return [make() for make in (*makers, _hs76)]
