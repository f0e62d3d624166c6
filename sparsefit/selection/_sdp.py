"""The knockoff s vector: how far each knockoff may move from its feature.

Gaussian knockoffs of features with covariance ``Sigma`` need ``s >= 0``
with the joint covariance

.. math::

    G = \\begin{pmatrix} \\Sigma & \\Sigma - D \\\\ \\Sigma - D & \\Sigma
    \\end{pmatrix} \\succeq 0, \\qquad D = \\operatorname{diag}(s),

that is ``2 Sigma - D >= 0`` (Candes et al. 2018, eq. 3.2).  A larger ``s``
makes a knockoff less like its feature and the filter more powerful.  Three
constructions, all computed on the correlation matrix ``C`` and scaled back
by ``diag(Sigma)``:

- ``"equicorrelated"``: ``s_j = min(1, 2 lambda_min(C))``.
- ``"sdp"``: maximise ``sum_j s_j`` subject to ``0 <= s_j <= 1`` and
  ``2C - D >= 0`` (Barber and Candes 2015, eq. 2.4), here by coordinate
  ascent on the log-barrier problem ``sum_j s_j + mu log det(2C - D)`` with
  ``mu`` decreasing to ``tol``: each coordinate has a closed-form maximiser
  ``s_j = s_j + 1 / M_jj - mu`` (``M = (2C - D)^{-1}``, a Schur complement)
  and ``M`` follows by a Sherman-Morrison update, O(p^2) per coordinate.
- ``"mvr"``: minimum variance-based reconstructability (Spector and Janson
  2022): minimise ``tr(G^{-1}) = sum_j 1/s_j + tr((2C - D)^{-1})``, also by
  exact coordinate descent, ``delta = (1 - sqrt(c) s_j) / (M_jj + sqrt(c))``
  with ``c = ||M_j||^2`` (their Section 4).

Results are cached per (Sigma, construction) in a small LRU cache, so the
draws of a derandomised filter and repeated calls share one solve.
"""

import hashlib
from collections import OrderedDict

import numpy as np

__all__ = ["knockoff_s", "CONSTRUCTIONS"]

CONSTRUCTIONS = ("equicorrelated", "sdp", "mvr")
_CACHE = OrderedDict()
_CACHE_SIZE = 8


def knockoff_s(Sigma, construction="equicorrelated", *, tol=1e-6, max_sweeps=100):
    """The s vector of Gaussian knockoffs for covariance ``Sigma``.

    Knockoffs ``X~`` of features with covariance ``Sigma`` need ``s >= 0``
    such that the joint covariance of ``[X, X~]``,

    .. math::

        G = \\begin{pmatrix} \\Sigma & \\Sigma - D \\\\ \\Sigma - D & \\Sigma
        \\end{pmatrix}, \\qquad D = \\operatorname{diag}(s),

    is positive semi-definite, that is ``2 Sigma - D >= 0``.  A larger ``s``
    makes each knockoff less like its feature and the filter more powerful.
    On the correlation matrix ``C`` (the result is scaled back by
    ``diag(Sigma)``): "equicorrelated" takes ``s_j = min(1, 2
    lambda_min(C))``; "sdp" maximises ``sum_j s_j`` subject to ``0 <= s_j
    <= 1`` and ``2C - D >= 0`` (Barber and Candes 2015), by coordinate
    ascent on a log-barrier problem; "mvr" minimises ``tr(G^{-1})``
    (Spector and Janson 2022) by exact coordinate descent.  Results are
    cached for the last few ``(Sigma, construction)``.

    Parameters
    ----------
    Sigma : ndarray of shape (n_features, n_features)
        Symmetric positive definite.
    construction : {"equicorrelated", "sdp", "mvr"}, default="equicorrelated"
        Which s (above).
    tol : float, default=1e-6
        Final barrier weight (SDP) and relative change of the objective
        between two sweeps at which coordinate descent stops.
    max_sweeps : int, default=100
        Sweeps over the coordinates (per barrier weight for the SDP).

    Returns
    -------
    s : ndarray of shape (n_features,)
        On the scale of ``Sigma``; ``2 Sigma - diag(s)`` is positive
        semi-definite.

    See Also
    --------
    gaussian_knockoffs : Draws knockoffs with this s.
    knockoff_select : The knockoff filter.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import knockoff_s
    >>> Sigma = 0.5 ** np.abs(np.subtract.outer(np.arange(4), np.arange(4)))
    >>> knockoff_s(Sigma).round(3).tolist()
    [0.75, 0.75, 0.75, 0.75]
    >>> s = knockoff_s(Sigma, "mvr")
    >>> s.round(3).tolist()
    [0.595, 0.431, 0.431, 0.595]
    >>> bool(np.linalg.eigvalsh(2 * Sigma - np.diag(s)).min() >= 0)
    True
    """
    if construction not in CONSTRUCTIONS:
        raise ValueError(
            f"construction must be one of {CONSTRUCTIONS}, got {construction!r}."
        )
    raw = np.asarray(Sigma, dtype=float)
    return _keyed_s(raw, _digest(raw), construction, tol, max_sweeps)


def _keyed_s(raw, digest, construction, tol=1e-6, max_sweeps=100):
    """:func:`knockoff_s` of the float array ``raw`` whose :func:`_digest`
    is ``digest``, so that a caller that also caches on ``raw`` (the draw's
    matrices) hashes it once."""
    # Keyed on the matrix as given: a hit was validated when it was stored,
    # so the checks (a few ms at p = 500, more than the lookup) are skipped.
    key = (digest, construction, float(tol), int(max_sweeps))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key].copy()
    Sigma = _check_sigma(raw)
    scale = np.diag(Sigma).copy()
    root = np.sqrt(scale)
    C = Sigma / np.outer(root, root)
    s = _feasible(C, _SOLVERS[construction](C, tol, max_sweeps)) * scale
    _CACHE[key] = s
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return s.copy()


def _check_sigma(Sigma):
    Sigma = np.asarray(Sigma, dtype=float)
    if Sigma.ndim != 2 or Sigma.shape[0] != Sigma.shape[1]:
        raise ValueError(f"Sigma must be a square matrix, got shape {Sigma.shape}.")
    if not np.isfinite(Sigma).all():
        raise ValueError("Sigma must be finite.")
    if not np.allclose(Sigma, Sigma.T, rtol=1e-8, atol=1e-10):
        raise ValueError("Sigma must be symmetric.")
    if (np.diag(Sigma) <= 0).any():
        raise ValueError("Sigma must have a positive diagonal.")
    return (Sigma + Sigma.T) / 2


def _digest(Sigma):
    # The buffer itself, not a bytes copy of it; SHA-256 runs on the CPU's
    # SHA extensions where they exist: 1.5 ms for a 500 x 500 matrix against
    # 2.2 ms for SHA-1 (measured here), paid on every call of the filter.
    data = np.ascontiguousarray(Sigma)
    return hashlib.sha256(data).hexdigest() + str(data.dtype) + str(Sigma.shape)


def _feasible(C, s):
    """Lower ``s`` by the smallest eigenvalue of ``2C - diag(s)`` if rounding
    left it negative: ``2C - diag(s - e) = 2C - diag(s) + e I``."""
    lam = _min_eig(2 * C - np.diag(s))
    if lam < 0:
        s = np.maximum(s + lam * (1 + 1e-6) - 1e-12, 0.0)
    return s


def _min_eig(C):
    return float(np.linalg.eigvalsh(C)[0])


def _equicorrelated(C, tol, max_sweeps):
    lam = _min_eig(C)
    if lam <= 0:
        raise ValueError(
            "Sigma is singular (smallest eigenvalue of its correlation matrix "
            f"{lam:.3g}); Gaussian knockoffs need a positive definite Sigma."
        )
    return np.full(C.shape[0], min(1.0, 2.0 * lam))


def _start(C):
    """A strictly feasible start: half the equicorrelated s."""
    return 0.5 * _equicorrelated(C, 0.0, 0)


def _sdp(C, tol, max_sweeps):
    # Start just inside the equicorrelated point, which is SDP-feasible.
    equi = _equicorrelated(C, tol, max_sweeps)
    s = 0.99 * equi
    # Below about 1e-5 the rank-one updates lose the accuracy they would add.
    floor = max(tol, 1e-5)
    mu = 0.1
    while True:
        s, ok = _sdp_sweeps(C, s, mu, tol, max_sweeps)
        if mu <= floor or not ok:
            # The equicorrelated point is feasible for the SDP too: never
            # return less than it.
            return s if s.sum() >= equi.sum() else equi
        mu = max(mu * 0.1, floor)


def _sdp_sweeps(C, s, mu, tol, max_sweeps):
    """Coordinate ascent on ``sum(s) + mu log det(2C - diag(s))``, 0 <= s <= 1.

    ``M`` is recomputed at every sweep, and a sweep whose end point fails a
    Cholesky test of ``2C - diag(s)`` (rounding in the rank-one updates) is
    undone, returning ``ok=False``."""
    previous = s.copy()
    for _ in range(max_sweeps):
        try:
            M = np.linalg.inv(np.linalg.cholesky(2 * C - np.diag(s)))
        except np.linalg.LinAlgError:
            return previous, False
        M = M.T @ M
        previous, before = s.copy(), s.sum()
        for j in range(s.size):
            # The Schur complement 1 / M_jj is the room left for s_j; the
            # barrier keeps mu of it.
            room = 1.0 / M[j, j]
            new = min(1.0, max(0.0, s[j] + room - max(mu, 1e-9 * room)))
            _update(M, s, j, new - s[j])
        if abs(s.sum() - before) <= 1e-3 * mu * s.size:
            break
    try:
        np.linalg.cholesky(2 * C - np.diag(s))
    except np.linalg.LinAlgError:
        return previous, False
    return s, True


def _mvr(C, tol, max_sweeps):
    s = _start(C)
    M = np.linalg.inv(2 * C - np.diag(s))
    prev = np.inf
    for _ in range(max_sweeps):
        for j in range(s.size):
            c = M[:, j] @ M[:, j]
            delta = (1.0 - np.sqrt(c) * s[j]) / (M[j, j] + np.sqrt(c))
            delta = min(delta, 1.0 - s[j])
            _update(M, s, j, delta)
        value = (1.0 / s).sum() + np.trace(M)
        if prev - value <= tol * abs(value):
            break
        prev = value
    return s


def _update(M, s, j, delta):
    """``s_j += delta`` and ``M = (2C - diag(s))^{-1}`` by Sherman-Morrison:
    ``(A - delta e e')^{-1} = M + delta M e e' M / (1 - delta M_jj)``."""
    if delta == 0.0:
        return
    col = M[:, j].copy()
    M += np.outer(col, col) * (delta / (1.0 - delta * col[j]))
    s[j] += delta


_SOLVERS = {"equicorrelated": _equicorrelated, "sdp": _sdp, "mvr": _mvr}
