"""Every compiled kernel that the main fits reach is cached on disk.

A kernel that Numba cannot cache (a compiled function passed as a value
inside compiled code becomes a "dynamic global") compiles again in every
new process, seconds before the first fit, and warns the user each time.
A kernel that takes a compiled function as an argument from Python is
cached under a key that no other process matches: it compiles again in
every process too, silently.
"""

import os
import subprocess
import sys
import textwrap

_SCRIPT = textwrap.dedent(
    """
    import warnings
    import numpy as np
    from numba.core.errors import NumbaWarning
    warnings.simplefilter("error", NumbaWarning)
    import scipy.sparse as sp
    import sparsefit
    from sparsefit import datafits

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 30))
    y = X[:, 0] + 0.1 * rng.standard_normal(40)
    sparsefit.lasso_path(X, y, n_alphas=5)
    sparsefit.lasso_path(sp.csc_matrix(X), y, n_alphas=5)
    labels = (y > 0).astype(float)
    counts = rng.poisson(np.exp(0.3 * X[:, 0]))
    for Xd in (X, sp.csc_matrix(X)):
        sparsefit.compute_path(Xd, labels, datafits.Logistic(), n_alphas=5)
        sparsefit.compute_path(Xd, counts, datafits.Poisson(), n_alphas=5)
        sparsefit.compute_path(Xd, y, datafits.Huber(), n_alphas=5)
    print("ok")
    """
)


def _run():
    env = dict(os.environ, NUMBA_DEBUG_CACHE="1")
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")
    return [line for line in out.stdout.splitlines() if "data saved" in line]


def test_kernels_are_cached_across_processes():
    # Any NumbaWarning (a kernel that cannot be cached among them) is an
    # error in these fresh processes; the first may fill the cache, the
    # second must find everything there.
    _run()
    saved = _run()
    assert saved == [], saved
