"""The Cox datafit's value near a saturated fit: a sum of non-negative
terms, each to its own relative precision (the log-sum-exp minus the linear
term minus the saturated constant cancelled to about 1e-9 relative there,
below the Armijo test's slack, and proximal Newton stalled short of its
certificate along p >> n paths)."""

import numpy as np
import pytest

from sparsefit.datafits import Cox, survival_target
from sparsefit.datafits._cox import _cox_kernel


def _direct(fit, y, eta):
    """``sum c log D - e'eta`` from the gradient kernel, minus ``C``."""
    risk, sw, z, n = fit._args(y, eta)
    value = _cox_kernel(
        z, sw, risk.event, risk.lo, risk.hi, risk.gfirst, risk.gptr,
        risk.members, risk.dgroup, fit.ties == "efron", float(n),
    )[0]  # fmt: skip
    return float(value) - fit._constant(y)


@pytest.mark.parametrize("ties", ["breslow", "efron"])
@pytest.mark.parametrize("entry", [False, True])
@pytest.mark.parametrize("strata", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_value_equals_the_direct_sum(ties, entry, strata, weighted):
    rng = np.random.default_rng(0)
    n = 300
    t = np.round(rng.exponential(1, n), 1) + 0.1  # many ties
    d = rng.integers(0, 2, n)
    d[0] = 1
    kw = {}
    if entry:
        kw["start"] = np.where(rng.uniform(size=n) < 0.3, t * rng.uniform(0, 0.9, n), 0)
    if strata:
        kw["strata"] = rng.integers(0, 3, n)
    y = survival_target(t, d, **kw)
    w = None
    if weighted:
        w = rng.uniform(0.2, 2, n)
        w *= n / w.sum()
    fit = Cox(w, ties=ties)
    for scale in (0.1, 2.0):
        eta = scale * rng.standard_normal(n)
        assert fit.value(y, eta) == pytest.approx(_direct(fit, y, eta), rel=1e-13)


def test_value_near_saturation_is_exact_to_rounding():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    rng = np.random.default_rng(1)
    n = 25
    t = rng.exponential(1, n)
    d = np.ones(n, int)
    d[::3] = 0
    d[np.argmin(t)] = 1
    y = survival_target(t, d)
    eta = np.empty(n)
    eta[np.argsort(t)] = -12.0 * np.arange(n)  # each death dominates its risk set
    ref = mpmath.mpf(0)
    for i in np.flatnonzero(d):
        at_risk = np.flatnonzero(t >= t[i])
        total = mpmath.fsum([mpmath.exp(mpmath.mpf(eta[j])) for j in at_risk])
        ref += mpmath.log(total) - mpmath.mpf(eta[i])
    ref = float(ref / n)
    assert ref < 1e-5
    assert Cox().value(y, eta) == pytest.approx(ref, rel=1e-14)
