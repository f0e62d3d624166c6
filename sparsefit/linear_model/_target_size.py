"""``n_nonzero=k``: fit at an alpha whose support has exactly k features."""

import numpy as np

__all__ = ["TargetSizeMixin", "N_NONZERO_DOC"]

N_NONZERO_DOC = """
    n_nonzero : int or None, default=None
        Fit at an alpha whose support has exactly this many features instead
        of at ``alpha`` (which is then ignored): the estimator's own path is
        computed and the first interval of alphas of that size located by
        bisection (see :meth:`sparsefit.PathResult.alphas_for_size`); the
        alpha used is ``alpha_``. A size no alpha gives (several features
        entering together) or above the largest on the path is a ValueError
        naming the nearest sizes."""


class TargetSizeMixin:
    """``alpha_``: ``alpha``, or the alpha of ``n_nonzero`` features."""

    @property
    def _alpha(self):
        return getattr(self, "alpha_", self.alpha)

    def _fit_alpha(self, problem, family="gaussian", classes=None):
        """The alpha to fit ``problem`` at (also stored in ``alpha_``)."""
        from ..path import problem_path
        from ..selection import alphas_for_size

        k = getattr(self, "n_nonzero", None)
        if k is None:
            self.alpha_ = float(self.alpha)
            return self.alpha_
        path = problem_path(problem, family=family, classes=classes)
        found = alphas_for_size(path, k, name="n_nonzero")
        if not found.found:
            raise ValueError(f"n_nonzero={k}: {found.message}")
        self.alpha_ = float(found.alpha)
        self.target_size_ = found
        return self.alpha_


def check_n_nonzero(value):
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(
            f"n_nonzero must be None or an int >= 0 (a number of features), got "
            f"{value!r}."
        )
