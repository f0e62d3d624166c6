"""The registry of compiled datafit terms (see
:class:`~sparsefit.datafits._base.CompiledTerms`).

The solvers' compiled kernels reach a datafit's terms through the functions
below and the datafit's ``_kind`` (its branch in them): a static call that
Numba caches on disk.  (A compiled function passed as an argument would be
type-inferred at every call, and a kernel that receives one is compiled
again in every process.)  A datafit with compiled terms adds its two
functions to :func:`terms` and :func:`conjugate_terms`, and one whose
Hessian is not diagonal its two to :func:`curvature` and :func:`project`.

The target reaches them in two arrays, from the datafit's
``_compiled_target(y)``: ``y``, float64, and ``ix``, int64, the target's
integer structure.  ``ix`` is 1-d (empty) for the datafits of one value per
sample, whose branch ``kind`` is chosen at run time, and a 2-d array of one
row for a datafit with more structure (Cox's risk sets), whose kernels are
chosen by that type when Numba compiles a solver: a logistic solve never
compiles Cox's kernels, and a Cox solve no others (each family's first fit
compiles only its own).  The conjugate is taken at ``t g`` for ``g = dF/dz``
at the linear predictor ``z``, which a datafit whose conjugate has no closed
form bounds from ``z`` (Cox); the others read ``g`` only.

A datafit whose Hessian in ``z`` is not diagonal gives it as a diagonal less
a low-rank part (:func:`curvature`, :func:`project`), for the solvers' exact
Newton models; for the others the diagonal of ``terms`` is the Hessian.
"""

import numpy as np
from numba import njit, types
from numba.extending import overload

from ._cox import _compiled_conjugate as _cox_conjugate
from ._cox import _compiled_conjugate_pair as _cox_conjugate_pair
from ._cox import _compiled_curvature as _cox_curvature
from ._cox import _compiled_derivatives as _cox_derivatives
from ._cox import _compiled_project as _cox_project
from ._cox import _compiled_terms as _cox_terms
from ._logistic import _conjugate_terms as _logistic_conjugate
from ._logistic import _terms as _logistic_terms
from ._poisson import _conjugate_terms as _poisson_conjugate
from ._poisson import _terms as _poisson_terms

__all__ = [
    "conjugate_pair",
    "conjugate_terms",
    "curvature",
    "derivatives",
    "project",
    "structured",
    "terms",
]


def structured(ix):
    """Whether ``ix`` (an array, or its Numba type while a solver compiles)
    marks a datafit with structure (Cox): two dimensions."""
    if isinstance(ix, types.Type):
        return isinstance(ix, types.Array) and ix.ndim == 2
    return np.ndim(ix) == 2


# Each operation below is a stub whose implementation ``_choose_*`` picks by
# the target's structure: Numba makes the choice once per compiled type (the
# overloads), plain Python (NUMBA_DISABLE_JIT=1) at every call (the stubs).


def _choose_terms(cox):
    if cox:

        def cox_terms(kind, y, ix, z, sw, g, h):
            return _cox_terms(y, ix[0], z, sw, g, h)

        return cox_terms

    def per_sample(kind, y, ix, z, sw, g, h):
        if kind == 0:
            return _logistic_terms(y, z, sw, g, h)
        return _poisson_terms(y, z, sw, g, h)

    return per_sample


def _terms(kind, y, ix, z, sw, g, h):
    return _choose_terms(structured(ix))(kind, y, ix, z, sw, g, h)


@overload(_terms, jit_options={"nogil": True})
def _terms_typed(kind, y, ix, z, sw, g, h):
    return _choose_terms(structured(ix))


def _choose_derivatives(cox):
    if cox:

        def cox_derivatives(kind, y, ix, z, sw, g, h):
            _cox_derivatives(y, ix[0], z, sw, g, h)

        return cox_derivatives

    def per_sample(kind, y, ix, z, sw, g, h):
        # One pass gives the value with the derivatives.
        _terms(kind, y, ix, z, sw, g, h)

    return per_sample


def _derivatives(kind, y, ix, z, sw, g, h):
    return _choose_derivatives(structured(ix))(kind, y, ix, z, sw, g, h)


@overload(_derivatives, jit_options={"nogil": True})
def _derivatives_typed(kind, y, ix, z, sw, g, h):
    return _choose_derivatives(structured(ix))


def _choose_pair(cox):
    if cox:

        def cox_pair(kind, y, ix, z, g, t1, t2, sw):
            return _cox_conjugate_pair(y, ix[0], z, t1, t2, sw)

        return cox_pair

    def per_sample(kind, y, ix, z, g, t1, t2, sw):
        first = _conjugate(kind, y, ix, z, g, t1, sw)
        if t2 == t1:
            return first, first
        return first, _conjugate(kind, y, ix, z, g, t2, sw)

    return per_sample


def _pair(kind, y, ix, z, g, t1, t2, sw):
    return _choose_pair(structured(ix))(kind, y, ix, z, g, t1, t2, sw)


@overload(_pair, jit_options={"nogil": True})
def _pair_typed(kind, y, ix, z, g, t1, t2, sw):
    return _choose_pair(structured(ix))


def _choose_conjugate(cox):
    if cox:

        def cox_conjugate(kind, y, ix, z, g, t, sw):
            return _cox_conjugate(y, ix[0], z, t, sw)

        return cox_conjugate

    def per_sample(kind, y, ix, z, g, t, sw):
        if kind == 0:
            return _logistic_conjugate(y, g, t, sw)
        return _poisson_conjugate(y, g, t, sw)

    return per_sample


def _conjugate(kind, y, ix, z, g, t, sw):
    return _choose_conjugate(structured(ix))(kind, y, ix, z, g, t, sw)


@overload(_conjugate, jit_options={"nogil": True})
def _conjugate_typed(kind, y, ix, z, g, t, sw):
    return _choose_conjugate(structured(ix))


def _choose_curvature(cox):
    if cox:

        def cox_curvature(y, ix, z, sw, g):
            return _cox_curvature(y, ix[0], z, sw, g)

        return cox_curvature

    def diagonal(y, ix, z, sw, g):
        none = np.empty(0)
        return none, none, none, none, np.empty(0, np.int64), none

    return diagonal


def _curvature(y, ix, z, sw, g):
    return _choose_curvature(structured(ix))(y, ix, z, sw, g)


@overload(_curvature, jit_options={"nogil": True})
def _curvature_typed(y, ix, z, sw, g):
    return _choose_curvature(structured(ix))


def _choose_project(cox):
    if cox:

        def cox_project(ix, state, x):
            return _cox_project(ix[0], state, x)

        return cox_project

    def diagonal(ix, state, x):
        return np.empty((0, 0))

    return diagonal


def _project(ix, state, x):
    return _choose_project(structured(ix))(ix, state, x)


@overload(_project, jit_options={"nogil": True})
def _project_typed(ix, state, x):
    return _choose_project(structured(ix))


@njit(cache=True, nogil=True)
def terms(kind, y, ix, z, sw, g, h):
    """``F(y, z)``, and its derivatives into ``g``, ``h`` (see CompiledTerms)."""
    return _terms(kind, y, ix, z, sw, g, h)


@njit(cache=True, nogil=True)
def derivatives(kind, y, ix, z, sw, g, h):
    """``dF/dz`` into ``g`` and the Hessian's diagonal into ``h`` (both of
    length n), without ``F`` where it costs a pass of its own (Cox)."""
    _derivatives(kind, y, ix, z, sw, g, h)


@njit(cache=True, nogil=True)
def conjugate_pair(kind, y, ix, z, g, t1, t2, sw):
    """:func:`conjugate_terms` at ``t1`` and ``t2``, in one pass where the
    datafit shares work between scales (Cox's risk-set sums)."""
    return _pair(kind, y, ix, z, g, t1, t2, sw)


@njit(cache=True, nogil=True)
def conjugate_terms(kind, y, ix, z, g, t, sw):
    """``F^*(t g)``, or an upper bound on it (see CompiledTerms), with ``g``
    the gradient at ``z``."""
    return _conjugate(kind, y, ix, z, g, t, sw)


@njit(cache=True, nogil=True)
def curvature(y, ix, z, sw, g):
    """The Hessian in ``z`` (where ``dF/dz = g``) as ``diag(d) - sum_m c_m
    p_m p_m'``: ``d``,
    ``c`` first, then what :func:`project` reads (see
    ``datafits/_cox.py::_compiled_curvature``); empty for a diagonal one."""
    return _curvature(y, ix, z, sw, g)


@njit(cache=True, nogil=True)
def project(ix, state, x):
    """``p_m' x`` for every ``m`` of :func:`curvature`'s ``state`` and every
    column ``x`` of ``x`` (n, k), C-ordered: an array (k, number of m)."""
    return _project(ix, state, x)
