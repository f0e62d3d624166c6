"""The active set's factorisation for the portfolio homotopy.

On an active set ``E`` the homotopy solves the bordered (KKT) system

.. math::

    \\begin{pmatrix} 2 G_{EE} & A_E' \\\\ A_E & 0 \\end{pmatrix}
    \\begin{pmatrix} w_E \\\\ \\lambda \\end{pmatrix}
    = \\begin{pmatrix} r \\\\ \\tilde b \\end{pmatrix},

with ``G = Z'Z / T``.  ``G_EE`` alone is singular once ``|E|`` exceeds the
rank of ``Z`` (``T - 1`` centred days), while the bordered matrix is not: it
only needs ``G_EE`` positive definite on the null space of ``A_E``.  Adding
``rho A_E' (A_E w_E - b) = 0`` to the first block row changes nothing in the
solution and turns ``2 G_EE`` into

.. math::

    M_{EE} = 2 G_{EE} + \\rho A_E' A_E = \\tilde Z_E' \\tilde Z_E,
    \\qquad \\tilde Z = \\begin{pmatrix} \\sqrt{2/T}\\, Z \\\\
    \\sqrt{\\rho}\\, A \\end{pmatrix},

which is positive definite exactly when the bordered matrix is nonsingular
(for any ``rho > 0``; Nocedal and Wright, Numerical Optimization, section
17.3).  ``M_EE`` is the Gram matrix of the augmented data ``tilde Z``, so its
Cholesky factor is updated by one row when an asset enters (O(|E|^2)) and
downdated by Givens rotations when one leaves, never refactorised; the ``m``
constraints (at most two) are then eliminated through the ``m x m`` Schur
complement ``A_E M_EE^{-1} A_E'``.
"""

import numpy as np
from numba import njit

# A column whose squared Cholesky pivot is below _PIVOT_RTOL times its squared
# norm lies (to rounding) in the span of the active columns of tilde Z: adding
# it would make the bordered matrix singular, so it is kept out.
_PIVOT_RTOL = 1e-10


class ActiveFactor:
    """Columns ``M[:, E]`` of the augmented Gram matrix and the lower Cholesky
    factor of ``M_EE``, for an ordered active set ``E``."""

    def __init__(self, Zt, n_rhs):
        # Zt is tilde Z as a C-ordered (n_assets, T + m) array: row j is the
        # augmented column of asset j, so M[:, j] = Zt @ Zt[j].
        self.Zt = Zt
        self.n_assets = Zt.shape[0]
        self.assets = []
        self._cols = np.empty((self.n_assets, 16), order="F")
        self._cap = 16
        self._Lbuf = np.zeros((16, 16), order="F")
        # Forward-solved right-hand sides L^{-1} B[E] for the caller's fixed
        # per-asset columns B (n_rhs of them): updated with the factor, so a
        # step needs back substitutions only.
        self._Fbuf = np.zeros((16, n_rhs))

    @property
    def cols(self):
        """``M[:, E]`` as an (n_assets, |E|) view."""
        return self._cols[:, : len(self.assets)]

    def column(self, j):
        """``M[:, j]`` (one pass over the data)."""
        return self.Zt @ self.Zt[j]

    def _grow(self):
        cap = 2 * self._cap
        cols = np.empty((self.n_assets, cap), order="F")
        cols[:, : self._cap] = self._cols
        Lbuf = np.zeros((cap, cap), order="F")
        Lbuf[: self._cap, : self._cap] = self._Lbuf
        Fbuf = np.zeros((cap, self._Fbuf.shape[1]))
        Fbuf[: self._cap] = self._Fbuf
        self._cols, self._Lbuf, self._Fbuf, self._cap = cols, Lbuf, Fbuf, cap

    def add(self, j, rhs_row, col=None):
        """Append asset ``j`` with its row of right-hand sides; return False
        (and keep ``E``) when its column lies in the span of the active
        ones."""
        if col is None:
            col = self.column(j)
        k = len(self.assets)
        m_jj = float(col[j])
        if k == self._cap:
            self._grow()
        l_row = col[self.assets].reshape(-1, 1).copy() if k else np.zeros((0, 1))
        if k:
            _forward(self._Lbuf, k, l_row)
        pivot_sq = m_jj - float(l_row[:, 0] @ l_row[:, 0])
        if not pivot_sq > _PIVOT_RTOL * m_jj:
            return False
        self._Lbuf[k, :k] = l_row[:, 0]
        pivot = np.sqrt(pivot_sq)
        self._Lbuf[k, k] = pivot
        self._Fbuf[k] = (rhs_row - l_row[:, 0] @ self._Fbuf[:k]) / pivot
        self._cols[:, k] = col
        self.assets.append(j)
        return True

    def remove(self, j):
        """Drop asset ``j``: delete its row of the factor, then Givens
        rotations on the columns restore the triangle (Golub and Van Loan,
        Matrix Computations, section 6.5.4)."""
        i = self.assets.index(j)
        k = len(self.assets)
        _delete_row(self._Lbuf, k, i, self._Fbuf)
        self._cols[:, i : k - 1] = self._cols[:, i + 1 : k]
        del self.assets[i]

    @property
    def L(self):
        k = len(self.assets)
        return self._Lbuf[:k, :k]

    @property
    def F(self):
        """``L^{-1} B[E]``, shape (|E|, n_rhs)."""
        return self._Fbuf[: len(self.assets)]

    def refresh(self, c, values):
        """Replace right-hand side column ``c`` by ``values`` (over E)."""
        k = len(self.assets)
        x = np.array(values, dtype=np.float64).reshape(-1, 1)
        if k:
            _forward(self._Lbuf, k, x)
        self._Fbuf[:k, c] = x[:, 0]

    def back(self, z):
        """``L^{-T} z`` for z of shape (|E|, 2)."""
        out = np.array(z, dtype=np.float64, order="C", copy=True)
        k = len(self.assets)
        if k:
            _backward(self._Lbuf, k, out)
        return out


# Substitutions and the downdate on the leading k x k block of the factor's
# (column-major) buffer: no copy of the factor per step, columns read
# contiguously.
@njit(cache=True)
def _forward(L, k, x):
    """x <- L^{-1} x (x of shape (k, r))."""
    r = x.shape[1]
    for j in range(k):
        d = L[j, j]
        for c in range(r):
            x[j, c] /= d
        if r == 1:
            xj = x[j, 0]
            for i in range(j + 1, k):
                x[i, 0] -= L[i, j] * xj
        else:
            for i in range(j + 1, k):
                lij = L[i, j]
                for c in range(r):
                    x[i, c] -= lij * x[j, c]


@njit(cache=True)
def _backward(L, k, x):
    """x <- L^{-T} x for x of shape (k, 2): one pass over each column of L
    for both right sides (the homotopy's w^0 and w^1)."""
    for j in range(k - 1, -1, -1):
        acc0, acc1 = x[j, 0], x[j, 1]
        for i in range(j + 1, k):
            lij = L[i, j]
            acc0 -= lij * x[i, 0]
            acc1 -= lij * x[i, 1]
        d = L[j, j]
        x[j, 0] = acc0 / d
        x[j, 1] = acc1 / d


@njit(cache=True)
def _delete_row(L, k, i, F):
    """Remove row and column i of the k x k factor in place; the rotations
    also act on the rows of the forward-solved right-hand sides ``F``:
    ``L_del z = r_del`` with ``L_del G = [L_new, 0]`` gives
    ``L_new (G'z)[:k-1] = r_del``."""
    n_rhs = F.shape[1]
    for col in range(k):
        for row in range(i, k - 1):
            L[row, col] = L[row + 1, col]
    for col in range(k):
        L[k - 1, col] = 0.0
    for m in range(i, k - 1):
        a, b = L[m, m], L[m, m + 1]
        norm = np.hypot(a, b)
        cos, sin = a / norm, b / norm
        for row in range(m, k - 1):
            left, right = L[row, m], L[row, m + 1]
            L[row, m] = cos * left + sin * right
            L[row, m + 1] = cos * right - sin * left
        for c in range(n_rhs):
            top, bottom = F[m, c], F[m + 1, c]
            F[m, c] = cos * top + sin * bottom
            F[m + 1, c] = cos * bottom - sin * top
    for row in range(k):
        L[row, k - 1] = 0.0
    for c in range(n_rhs):
        F[k - 1, c] = 0.0
