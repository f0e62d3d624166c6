"""Variable selection with error control, on the certified paths.

- :class:`StabilitySelection`: Meinshausen and Buhlmann (2010) subsampling and
  Shah and Samworth's (2013) complementary pairs, with the bound on the
  expected number of false selections.
- :func:`alphas_for_size`: the alphas of a path whose support has exactly k
  features (also :meth:`sparsefit.PathResult.alphas_for_size`).

Every result records its seed, its resampled rows and the certificate of
every fit it used (:class:`SelectionRecord`), and gives ``to_frame()``.
"""

from ._record import SelectionRecord
from ._stability import StabilitySelection, error_bound
from ._target import TargetSize, alphas_for_size

__all__ = [
    "StabilitySelection",
    "SelectionRecord",
    "error_bound",
    "TargetSize",
    "alphas_for_size",
]
