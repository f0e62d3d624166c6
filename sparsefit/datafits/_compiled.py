"""The registry of compiled datafit terms (see
:class:`~sparsefit.datafits._base.CompiledTerms`).

The solvers' compiled kernels reach a datafit's terms through these two
functions and the datafit's ``_kind`` (its branch below): a static call that
Numba caches on disk.  (A compiled function passed as an argument would be
type-inferred at every call, and a kernel that receives one is compiled
again in every process.)  A datafit with compiled terms adds its two
functions here.

The target reaches them in two arrays, from the datafit's
``_compiled_target(y)``: ``y``, float64, and ``ix``, int64, which only a
datafit with structure beyond one value per sample reads (Cox's risk sets;
empty for the others).  The conjugate is taken at ``t g`` for ``g = dF/dz``
at the linear predictor ``z``, which a datafit whose conjugate has no closed
form bounds from ``z`` (Cox); the others read ``g`` only.
"""

from numba import njit

from ._cox import _compiled_conjugate as _cox_conjugate
from ._cox import _compiled_terms as _cox_terms
from ._logistic import _conjugate_terms as _logistic_conjugate
from ._logistic import _terms as _logistic_terms
from ._poisson import _conjugate_terms as _poisson_conjugate
from ._poisson import _terms as _poisson_terms

__all__ = ["conjugate_terms", "terms"]


@njit(cache=True, nogil=True)
def terms(kind, y, ix, z, sw, g, h):
    """``F(y, z)``, and its derivatives into ``g``, ``h`` (see CompiledTerms)."""
    if kind == 0:
        return _logistic_terms(y, z, sw, g, h)
    if kind == 1:
        return _poisson_terms(y, z, sw, g, h)
    return _cox_terms(y, ix, z, sw, g, h)


@njit(cache=True, nogil=True)
def conjugate_terms(kind, y, ix, z, g, t, sw):
    """``F^*(t g)``, or an upper bound on it (see CompiledTerms), with ``g``
    the gradient at ``z``."""
    if kind == 0:
        return _logistic_conjugate(y, g, t, sw)
    if kind == 1:
        return _poisson_conjugate(y, g, t, sw)
    return _cox_conjugate(y, ix, z, t, sw)
