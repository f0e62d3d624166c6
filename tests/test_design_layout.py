"""The design's column-major copy and the gradient bounds' column norms:
the same values as NumPy's, computed without the large temporaries."""

import numpy as np
import pytest

from sparsefit._design import Design, column_major
from sparsefit.solvers._grad_bounds import GradBounds


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_column_major_copy_equals_numpy(dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5000, 211)).astype(dtype)  # above the 2^20 cut
    out = column_major(X)
    assert out.flags.f_contiguous and out.dtype == dtype
    np.testing.assert_array_equal(out, X)
    # Already column-major: the same array, no copy; small ones via NumPy.
    assert column_major(out) is out
    small = X[:10]
    np.testing.assert_array_equal(column_major(small), small)
    assert column_major(small).flags.f_contiguous


@pytest.mark.parametrize("center", [False, True])
def test_raw_bounds_norms_bound_the_exact_ones(center):
    """The column norms of ``X - offset`` are upper bounds on NumPy's, by no
    more than the inflation for rounding, for offset columns too."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3000, 40)) * rng.uniform(0.1, 10, 40)
    X[:, :5] += 1e4  # offsets: centring must not lose them
    design = Design(np.asfortranarray(X), None, center=center)
    bounds = GradBounds.raw(design)
    # Against the design's own storage (offset columns may be kept apart).
    exact = np.linalg.norm(design.X - design.offset, axis=0) * np.abs(design.scale)
    assert (bounds.col_norms >= exact).all()
    np.testing.assert_allclose(bounds.col_norms, exact, rtol=1e-12)
