"""Datafits: ``F(y, Xw) = (1/n) sum_i s_i f(y_i, (Xw)_i)``, a mean over samples."""

import copy

__all__ = ["DATAFITS"]

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

    def _mean_rows(self, v):
        sw = self.sample_weight
        return (v.sum(axis=0) if sw is None else sw @ v) / v.shape[0]
