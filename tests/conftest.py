import os

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import settings

# CI replays the same examples every run; locally hypothesis explores.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def make_problem(seed, n, p, *, density=None, n_true=5, dtype=np.float64):
    """Seeded regression problem with a sparse truth and noise."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if density is not None:
        X[rng.uniform(size=(n, p)) > density] = 0.0
    w = np.zeros(p)
    support = rng.choice(p, size=min(n_true, p), replace=False)
    w[support] = rng.choice([-1, 1], size=support.size) * rng.uniform(
        1, 2, support.size
    )
    y = X @ w + 0.5 * rng.standard_normal(n) + 1.0
    X = sp.csc_matrix(X) if density is not None else X
    return X.astype(dtype), y.astype(dtype)


@pytest.fixture
def problem():
    return make_problem
