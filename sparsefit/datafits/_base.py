"""Datafits: ``F(y, Xw) = (1/n) sum_i s_i f(y_i, (Xw)_i)``, a mean over samples."""

__all__ = ["DATAFITS"]

#: Registry of datafit classes; the generic property checks run over it.
DATAFITS = []


class BaseDatafit:
    """Base class that registers every datafit for the generic checks."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        DATAFITS.append(cls)
