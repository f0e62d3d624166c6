"""Datafits: ``F(y, Xw) = (1/n) sum_i s_i f(y_i, (Xw)_i)``, a mean over samples."""

import copy

import numpy as np

__all__ = ["DATAFITS"]

# An empty array: the compiled per-sample terms read it as "no weights" and
# as "this derivative is not wanted".
_EMPTY = np.empty(0)
_NO_INDEX = np.empty(0, np.int64)

#: Registry of datafit classes; the generic property checks run over it.
DATAFITS = []


class BaseDatafit:
    """Base class that registers every datafit for the generic checks."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_") and cls is not SampleWeighted:
            DATAFITS.append(cls)


class SampleWeighted:
    """Sample-weight helpers shared by the datafits."""

    def __init__(self, sample_weight=None):
        self.sample_weight = sample_weight

    def with_weights(self, sample_weight):
        """A copy with other sample weights and the same parameters (a fold's
        datafit in cross-validation)."""
        other = copy.copy(self)
        other.sample_weight = sample_weight
        return other

    def _weighted(self, v):
        if self.sample_weight is None:
            return v
        sw = self.sample_weight
        return v * (sw if v.ndim == 1 else sw[:, None])

    def _mean(self, v):
        """``(1/n) sum_i s_i v_i``."""
        sw = self.sample_weight
        # sum / n rather than mean: the same pairwise sum, without mean's
        # Python-level dispatch, which costs more than the sum at small n
        # (it runs several times per Newton step).
        return float((v.sum() if sw is None else sw @ v) / v.shape[0])

    def _sw(self):
        """The sample weights as the compiled terms take them (empty: all 1)."""
        sw = self.sample_weight
        return _EMPTY if sw is None else np.ascontiguousarray(sw, dtype=float)

    def _mean_rows(self, v):
        sw = self.sample_weight
        return (v.sum(axis=0) if sw is None else sw @ v) / v.shape[0]


class CompiledTerms:
    """The public methods of a datafit whose per-sample terms are one compiled
    kernel, so that the solvers and the methods share one formula.

    A subclass sets ``_terms(y, z, sw, g, h) -> F`` (a Numba function that
    returns ``F(y, z)`` and, when ``g`` and ``h`` have length n, writes the
    first and second derivatives of ``F`` in ``z``) and
    ``_conjugate_terms(y, g, t, sw) -> F^*(t g)``; ``sw`` is empty when the
    samples are unweighted.  The solvers' kernels reach them through
    :mod:`sparsefit.datafits._compiled`, where the datafit's ``_kind`` is its
    branch, with the target from :meth:`_compiled_target`.  (A datafit with
    more structure than one term per sample, Cox, sets ``_kind`` and
    ``_compiled_target`` and registers its own kernels there.)
    """

    def _compiled_target(self, y):
        """The target as the registry's kernels take it: ``(y, ix)``, the
        values as float64 and no integer part."""
        return _vector(y), _NO_INDEX

    def value(self, y, z):
        """Return ``F(y, z)``.

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The encoded target.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        value : float
            The weighted mean loss.
        """
        return float(self._terms(_vector(y), _vector(z), self._sw(), _EMPTY, _EMPTY))

    def raw_grad(self, y, z):
        """Return ``dF/dz`` (see the class docstring).

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The encoded target.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        grad : ndarray of shape (n_samples,)
            The gradient in ``z``.
        """
        g = np.empty(np.shape(z)[0])
        self._terms(_vector(y), _vector(z), self._sw(), g, _EMPTY)
        return g

    def raw_hessian(self, y, z):
        """Return the diagonal of ``d2F/dz2`` (see the class docstring).

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The encoded target.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw + b`` (offset included).

        Returns
        -------
        hess : ndarray of shape (n_samples,)
            The curvature of each sample's term.
        """
        n = np.shape(z)[0]
        g, h = np.empty(n), np.empty(n)
        self._terms(_vector(y), _vector(z), self._sw(), g, h)
        return h

    def conjugate(self, y, v):
        """Return ``F^*(v)`` (``inf`` outside its domain).

        Parameters
        ----------
        y : ndarray of shape (n_samples,)
            The encoded target.
        v : ndarray of shape (n_samples,)
            The point at which the conjugate is taken (a dual point).

        Returns
        -------
        value : float
            The conjugate (see the class docstring), or ``inf``.
        """
        return float(self._conjugate_terms(_vector(y), _vector(v), 1.0, self._sw()))


def _vector(v):
    return np.ascontiguousarray(v, dtype=np.float64)
