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
from scipy.linalg import solve_triangular

# A column whose squared Cholesky pivot is below _PIVOT_RTOL times its squared
# norm lies (to rounding) in the span of the active columns of tilde Z: adding
# it would make the bordered matrix singular, so it is kept out.
_PIVOT_RTOL = 1e-10


class ActiveFactor:
    """Columns ``M[:, E]`` of the augmented Gram matrix and the lower Cholesky
    factor of ``M_EE``, for an ordered active set ``E``."""

    def __init__(self, Zt):
        # Zt is tilde Z as a C-ordered (n_assets, T + m) array: row j is the
        # augmented column of asset j, so M[:, j] = Zt @ Zt[j].
        self.Zt = Zt
        self.n_assets = Zt.shape[0]
        self.assets = []
        self.L = np.zeros((0, 0), order="F")
        self._cols = np.empty((self.n_assets, 16), order="F")
        self._cap = 16
        self._Lbuf = np.zeros((16, 16), order="F")

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
        self._cols, self._Lbuf, self._cap = cols, Lbuf, cap

    def add(self, j, col=None):
        """Append asset ``j``; return False (and keep ``E``) when its column
        lies in the span of the active ones."""
        if col is None:
            col = self.column(j)
        k = len(self.assets)
        m_jj = float(col[j])
        if k:
            l_row = solve_triangular(
                self.L, col[self.assets], lower=True, check_finite=False
            )
        else:
            l_row = np.zeros(0)
        pivot_sq = m_jj - float(l_row @ l_row)
        if not pivot_sq > _PIVOT_RTOL * m_jj:
            return False
        if k == self._cap:
            self._grow()
        self._Lbuf[k, :k] = l_row
        self._Lbuf[k, k] = np.sqrt(pivot_sq)
        self._cols[:, k] = col
        self.assets.append(j)
        self.L = self._Lbuf[: k + 1, : k + 1]
        return True

    def remove(self, j):
        """Drop asset ``j``: delete its row of the factor, then Givens
        rotations on the columns restore the triangle (Golub and Van Loan,
        Matrix Computations, section 6.5.4)."""
        i = self.assets.index(j)
        k = len(self.assets)
        L = self._Lbuf
        # Shift the rows below i up by one: rows i..k-2 of the new factor.
        L[i : k - 1, :k] = L[i + 1 : k, :k]
        L[k - 1, :k] = 0.0
        for m in range(i, k - 1):
            a, b = L[m, m], L[m, m + 1]
            r = np.hypot(a, b)
            cos, sin = a / r, b / r
            left = L[m : k - 1, m].copy()
            right = L[m : k - 1, m + 1].copy()
            L[m : k - 1, m] = cos * left + sin * right
            L[m : k - 1, m + 1] = cos * right - sin * left
        L[: k - 1, k - 1] = 0.0
        self._cols[:, i : k - 1] = self._cols[:, i + 1 : k].copy()
        del self.assets[i]
        self.L = L[: k - 1, : k - 1]

    def solve(self, rhs):
        """``M_EE^{-1} rhs`` (rhs of shape (|E|,) or (|E|, r))."""
        if not self.assets:
            return np.zeros_like(rhs)
        half = solve_triangular(self.L, rhs, lower=True, check_finite=False)
        return solve_triangular(self.L, half, lower=True, trans=1, check_finite=False)
