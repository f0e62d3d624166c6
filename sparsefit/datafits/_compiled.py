"""The registry of compiled per-sample terms (see
:class:`~sparsefit.datafits._base.CompiledTerms`).

The solvers' compiled kernels reach a datafit's terms through these two
functions and the datafit's ``_kind`` (its branch below): a static call that
Numba caches on disk.  (A compiled function passed as an argument would be
type-inferred at every call, and a kernel that receives one is compiled
again in every process.)  A datafit with compiled terms adds its two
functions here.
"""

from numba import njit

from ._logistic import _conjugate_terms as _logistic_conjugate
from ._logistic import _terms as _logistic_terms
from ._poisson import _conjugate_terms as _poisson_conjugate
from ._poisson import _terms as _poisson_terms

__all__ = ["conjugate_terms", "terms"]


@njit(cache=True, nogil=True)
def terms(kind, y, z, sw, g, h):
    """``F(y, z)``, and its derivatives into ``g``, ``h`` (see CompiledTerms)."""
    if kind == 0:
        return _logistic_terms(y, z, sw, g, h)
    return _poisson_terms(y, z, sw, g, h)


@njit(cache=True, nogil=True)
def conjugate_terms(kind, y, g, t, sw):
    """``F^*(t g)`` (see CompiledTerms)."""
    if kind == 0:
        return _logistic_conjugate(y, g, t, sw)
    return _poisson_conjugate(y, g, t, sw)
