"""Seeded benchmark problems, as described in ``/work/shared/ANCHORS.md``.

Cases
-----
D1  dense 200 x 5000, 20 true features
D2  dense 20000 x 500, 50 true features
D3  dense 1000 x 20000, 50 true features
S1  CSC 20000 x 100000, density 1e-3, N(0, 1) entries, 100 true features
L1  logistic, dense 500 x 5000, 25 true features, sd(Xw) = 2, labels in {-1, 1}
G1  gene-expression-like, dense 60 x 20000, 10 true features: blocks of 50
    co-expressed genes (one latent factor per block, within-block correlation
    0.7, none between blocks)

Dense designs have Toeplitz correlation ``rho**|j - k|`` with ``rho = 0.6``,
drawn as an AR(1) process along the feature axis,
``x_j = rho x_{j-1} + sqrt(1 - rho**2) e_j`` with ``x_0 = e_0`` (stationary,
unit variance), so no ``p x p`` Cholesky factor is ever formed. Their columns
are then centred and scaled to ``||x_j||**2 = n_samples`` (unit 1/n variance).

The sparse design S1 has independent N(0, 1) non-zeros (no correlation: an
AR(1) filter would fill it in). Its columns are *not* centred (that would make
it dense); they are scaled to ``||x_j||**2 = n_samples``, the same convention
as the dense columns. Duplicate draws of a position are dropped, so the
density is a hair under 1e-3.

Truth: random support, signs +-1 times U(1, 2). Regression: noise sd =
sd(Xw) / 3 (SNR 3). Objective: ``1/(2n) ||y - Xw||^2 + alpha ||w||_1``, no
intercept; ``alpha_max = ||X'y||_inf / n``.

Generated problems are cached as ``.npz`` files under
``$SPARSEFIT_BENCH_CACHE`` (default ``/tmp/sparsefit_bench_cache``).
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.signal import lfilter

RHO = 0.6
SNR = 3.0
CACHE_VERSION = "v1"
CACHE_DIR = Path(os.environ.get("SPARSEFIT_BENCH_CACHE", "/tmp/sparsefit_bench_cache"))

# name: (kind, n_samples, n_features, n_true, seed)
SPECS = {
    "D1": ("dense", 200, 5000, 20, 1),
    "D2": ("dense", 20000, 500, 50, 2),
    "D3": ("dense", 1000, 20000, 50, 3),
    "S1": ("sparse", 20000, 100000, 100, 4),
    "L1": ("logistic", 500, 5000, 25, 5),
    "G1": ("genes", 60, 20000, 10, 6),
}
GENE_BLOCK, GENE_CORR = 50, 0.7
SPARSE_DENSITY = 1e-3


@dataclass
class Problem:
    name: str
    X: object  # ndarray (Fortran order) or scipy.sparse.csc_matrix
    y: np.ndarray
    w_true: np.ndarray
    kind: str

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def alpha_max(self):
        """``||X'y||_inf / n`` (for the logistic case: ``||X'y||_inf / (2n)``)."""
        scale = 2.0 if self.kind == "logistic" else 1.0
        return np.max(np.abs(self.X.T @ self.y)) / (scale * self.n_samples)

    def describe(self):
        if sp.issparse(self.X):
            dens = self.X.nnz / np.prod(self.X.shape)
            fmt = f"CSC, nnz={self.X.nnz} (density {dens:.2e})"
        else:
            fmt = "dense, Fortran order"
        return (
            f"{self.name}: {self.n_samples} x {self.n_features}, {fmt}, "
            f"{np.count_nonzero(self.w_true)} true"
        )


def toeplitz_ar1(rng, n_samples, n_features, rho=RHO):
    """Rows with covariance ``rho**|j - k|`` via an AR(1) filter over features."""
    noise = rng.standard_normal((n_samples, n_features))
    # x_0 = e_0 has unit variance; later terms get sqrt(1 - rho^2) e_j.
    noise[:, 0] /= np.sqrt(1 - rho**2)
    X = lfilter([np.sqrt(1 - rho**2)], [1.0, -rho], noise, axis=1)
    return np.asfortranarray(X)


def centre_and_scale(X):
    X -= X.mean(axis=0)
    X /= np.sqrt((X**2).mean(axis=0))
    return X


def sparse_normal_csc(rng, n_samples, n_features, density):
    """CSC matrix with about ``density * n * p`` N(0, 1) entries at random spots."""
    n_draw = int(round(density * n_samples * n_features))
    flat = np.unique(rng.integers(0, n_samples * n_features, size=n_draw))
    # Column-major linear index -> already sorted by (column, row): CSC order.
    col, row = np.divmod(flat, n_samples)
    indptr = np.zeros(n_features + 1, dtype=np.int64)
    np.cumsum(np.bincount(col, minlength=n_features), out=indptr[1:])
    data = rng.standard_normal(flat.size)
    X = sp.csc_matrix(
        (data, row.astype(np.int32), indptr.astype(np.int32)),
        shape=(n_samples, n_features),
    )
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=0)).ravel() / n_samples)
    norms[norms == 0] = 1.0
    X = sp.csc_matrix(X @ sp.diags(1.0 / norms))
    X.sort_indices()
    return X


def block_factor(rng, n_samples, n_features, block=None, corr=None):
    """Blocks of ``block`` columns sharing one latent factor, so that two
    columns of a block correlate ``corr`` and columns of different blocks do
    not: pathways of co-expressed genes."""
    block = GENE_BLOCK if block is None else block
    corr = GENE_CORR if corr is None else corr
    n_blocks = -(-n_features // block)
    factors = rng.standard_normal((n_samples, n_blocks))
    X = np.sqrt(1 - corr) * rng.standard_normal((n_samples, n_features))
    X += np.sqrt(corr) * np.repeat(factors, block, axis=1)[:, :n_features]
    return np.asfortranarray(X)


def random_truth(rng, n_features, n_true):
    w = np.zeros(n_features)
    support = rng.choice(n_features, n_true, replace=False)
    w[support] = rng.choice([-1.0, 1.0], n_true) * rng.uniform(1, 2, n_true)
    return w


def generate(name):
    kind, n, p, k, seed = SPECS[name]
    rng = np.random.default_rng(seed)
    if kind == "sparse":
        X = sparse_normal_csc(rng, n, p, SPARSE_DENSITY)
    elif kind == "genes":
        X = centre_and_scale(block_factor(rng, n, p))
    else:
        X = centre_and_scale(toeplitz_ar1(rng, n, p))
    w = random_truth(rng, p, k)
    Xw = X @ w
    if kind == "logistic":
        scale = 2.0 / Xw.std()
        w *= scale
        Xw *= scale
        prob = 1.0 / (1.0 + np.exp(-Xw))
        y = np.where(rng.uniform(size=n) < prob, 1.0, -1.0)
    else:
        y = Xw + rng.standard_normal(n) * Xw.std() / SNR
    return Problem(name, X, y, w, kind)


def _cache_path(name):
    return CACHE_DIR / f"{name}_{CACHE_VERSION}.npz"


def _save(prob, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    arrays = dict(y=prob.y, w_true=prob.w_true)
    if sp.issparse(prob.X):
        arrays.update(
            data=prob.X.data,
            indices=prob.X.indices,
            indptr=prob.X.indptr,
            shape=np.array(prob.X.shape),
        )
    else:
        arrays.update(X=prob.X)
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


def _load(name, path):
    kind = SPECS[name][0]
    with np.load(path) as f:
        if "X" in f:
            X = np.asfortranarray(f["X"])
        else:
            X = sp.csc_matrix(
                (f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"])
            )
            X.sort_indices()
        return Problem(name, X, f["y"], f["w_true"], kind)


def load_problem(name, use_cache=True):
    """Return the seeded problem ``name`` (one of ``SPECS``), cached on disk."""
    if name not in SPECS:
        raise ValueError(f"name must be one of {sorted(SPECS)}, got {name!r}")
    path = _cache_path(name)
    if use_cache and path.exists():
        return _load(name, path)
    prob = generate(name)
    if use_cache:
        _save(prob, path)
    return prob


def objective(X, y, w, alpha):
    """``1/(2n) ||y - Xw||^2 + alpha ||w||_1``."""
    r = y - X @ w
    return 0.5 * (r @ r) / len(y) + alpha * np.abs(w).sum()


def duality_gap(X, y, w, alpha):
    """Lasso duality gap at ``w`` (dual point by residual rescaling)."""
    n = len(y)
    r = y - X @ w
    s = min(1.0, n * alpha / max(np.max(np.abs(X.T @ r)), 1e-300))
    dual = ((y @ y) - np.sum((y - s * r) ** 2)) / (2 * n)
    return objective(X, y, w, alpha) - dual


if __name__ == "__main__":
    for case in SPECS:
        t0 = time.perf_counter()
        prob = load_problem(case)
        dt = time.perf_counter() - t0
        Xw = prob.X @ prob.w_true
        extra = ""
        if prob.kind == "logistic":
            extra = f"sd(Xw)={Xw.std():.3f}, frac(+1)={np.mean(prob.y > 0):.3f}"
        else:
            extra = f"SNR={Xw.std() / (prob.y - Xw).std():.3f}"
        print(f"{prob.describe()}; alpha_max={prob.alpha_max:.4g}; {extra}; {dt:.2f} s")
