"""Variable selection with error control, on the certified paths.

- :class:`StabilitySelection`: Meinshausen and Buhlmann (2010) subsampling and
  Shah and Samworth's (2013) complementary pairs, with the bound on the
  expected number of false selections.
- :func:`alphas_for_size`: the alphas of a path whose support has exactly k
  features (also :meth:`sparsefit.PathResult.alphas_for_size`).
- :func:`knockoff_select`: the knockoff filter (model-X Gaussian or fixed-X
  knockoffs) with a controlled false discovery rate.
- :func:`debiased_lasso`: confidence intervals and p-values for every
  coefficient.

Every result records its seed, its resampled rows and the certificate of
every fit it used (:class:`SelectionRecord`), and gives ``to_frame()``.
"""

from ._debiased import DebiasedLassoResult, debiased_lasso
from ._knockoff_stats import knockoff_q_values, knockoff_threshold
from ._knockoffs import (
    KnockoffResult,
    fixed_x_knockoffs,
    gaussian_knockoffs,
    knockoff_select,
)
from ._record import SelectionRecord
from ._sdp import knockoff_s
from ._stability import StabilitySelection, error_bound
from ._target import TargetSize, alphas_for_size

__all__ = [
    "StabilitySelection",
    "SelectionRecord",
    "error_bound",
    "TargetSize",
    "alphas_for_size",
    "knockoff_select",
    "KnockoffResult",
    "knockoff_s",
    "gaussian_knockoffs",
    "fixed_x_knockoffs",
    "knockoff_threshold",
    "knockoff_q_values",
    "debiased_lasso",
    "DebiasedLassoResult",
]
