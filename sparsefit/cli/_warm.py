"""The compiled-code cache: tell when it is cold, and warm it.

sparsefit's kernels are compiled by Numba on first use and cached on disk;
in a fresh environment the first fit spends about 10 s (least squares; 20 s
for a first path, whose whole grid is one compiled call) to 35 s (logistic,
Poisson) and 65 s (Cox) compiling.  The
command says so on a terminal ("compiling (first run only)") instead of
staying silent, and ``make demo`` / ``make test`` warm the cache as part of
their set-up (:func:`warm_up`).

Whether the cache is cold is told by a marker file per family, written
next to the cache after a fit of that family has compiled everything it
needs.  A marker older than any cached module's source counts as absent:
Numba recompiles a module whose source changed.
"""

import os
import sys
from pathlib import Path

import numpy as np

__all__ = ["cache_is_cold", "mark_warm", "warm_up", "compile_note"]


def _package():
    import sparsefit

    return Path(sparsefit.__file__).resolve().parent


def _marker_folder():
    """Beside Numba's own cache of the solvers, or the user's cache folder
    where the package cannot be written (Numba falls back likewise)."""
    folder = _package() / "solvers" / "__pycache__"
    if os.access(folder if folder.exists() else folder.parent, os.W_OK):
        return folder
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sparsefit"


def _marker(family):
    from sparsefit import __version__

    return _marker_folder() / f"sparsefit-warm-{family}-{__version__}.marker"


def _newest_cached_source():
    """The latest modification time among modules with cached kernels."""
    newest = 0.0
    for source in _package().rglob("*.py"):
        try:
            if "cache=True" in source.read_text(encoding="utf-8", errors="ignore"):
                newest = max(newest, source.stat().st_mtime)
        except OSError:
            continue
    return newest


def cache_is_cold(family):
    """True when a fit of ``family`` will likely compile first."""
    try:
        stamp = _marker(family).stat().st_mtime
    except OSError:
        return True
    return stamp < _newest_cached_source()


def mark_warm(family):
    """Record that the kernels of ``family`` are compiled and cached."""
    try:
        marker = _marker(family)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("the compiled kernels of this family are cached\n")
    except OSError:
        pass  # a read-only install: the note is shown again, nothing worse


def compile_note(args, family):
    """ "compiling (first run only)" on a terminal when the cache is cold."""
    quiet = getattr(args, "quiet", False) or getattr(args, "json", False)
    if quiet or not sys.stderr.isatty() or not cache_is_cold(family):
        return
    sys.stderr.write(
        "sparsefit: compiling (first run only): the solvers are compiled and "
        "cached on first use, 10 to 70 s\n"
    )
    sys.stderr.flush()


def _tiny(family, rng):
    X = rng.standard_normal((40, 5))
    eta = X[:, 0] - X[:, 1]
    if family == "gaussian":
        y = eta + 0.1 * rng.standard_normal(40)
    elif family == "binomial":
        y = (eta > 0).astype(int)
    elif family == "multinomial":
        y = np.digitize(eta, [-0.5, 0.5])
    elif family == "cox":
        # (time, event): hazards rising with eta, one sample in four censored.
        time = rng.exponential(np.exp(-eta))
        y = np.column_stack([time, (np.arange(40) % 4 != 0).astype(float)])
    else:
        y = rng.poisson(np.exp(0.3 * eta)).astype(float)
    return X, y


def warm_up(families=None, verbose=True):
    """Fit tiny problems of each family (fixed alpha and CV, dense and CSC) so
    that every kernel the command uses is compiled and cached."""
    import time
    import warnings

    from scipy import sparse

    from ._families import FAMILIES

    rng = np.random.default_rng(0)
    for name in families or FAMILIES:
        start = time.perf_counter()
        family = FAMILIES[name]
        X, y = _tiny(name, rng)
        designs = [X, sparse.csc_matrix(X)]
        if name == "gaussian":
            # p > n: the residual storage and the path's compiled loop
            # (solvers/_cd_path.py), which a tall problem's Gram storage skips.
            wide = np.hstack([X, rng.standard_normal((X.shape[0], 55))])
            designs += [wide, sparse.csc_matrix(wide)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for data in designs:
                family.make(False, alpha=0.05).fit(data, y)
                family.make(True, cv=2, n_alphas=3, progress=False).fit(data, y)
                family.make(
                    True, cv=2, n_alphas=3, standardize=True, progress=False
                ).fit(data, y)
        mark_warm(name)
        if verbose:
            print(
                f"sparsefit: {name} kernels compiled and cached "
                f"({time.perf_counter() - start:.1f} s)"
            )


if __name__ == "__main__":
    warm_up()
