"""Problems, objectives and one runner per library for ``bench/glm.py``.

Objectives (mean over samples, no intercept):

* binary    ``1/n sum log(1 + exp(-y_i x_i'w)) + alpha ||w||_1``, y in {-1, 1}
* multinomial ``1/n sum (logsumexp(z_i) - z_{i, y_i}) + alpha sum |W|``,
  z_i = W x_i, W of shape (K, p), labels 0..K-1 (ungrouped L1).

Mapping of each library (``/work/shared/ANCHORS.md``): scikit-learn / celer
``C = 1 / (n alpha)``; skglm ``alpha``; adelie ``lmda = alpha`` (its weights
are 1/n); glum ``alpha = alpha, l1_ratio = 1``; R glmnet ``lambda = alpha``
with ``standardize = FALSE, intercept = FALSE``.

Single-alpha runners: ``prepare(X, y, alpha)`` then ``fit(tol) -> coef``
(shape (p,) binary, (K, p) multinomial). Path runners: ``path(X, y, alphas,
tol) -> list of coefs`` (one per alpha).
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from problems import (
    CACHE_DIR,
    block_factor,
    centre_and_scale,
    load_problem,
    random_truth,
    sparse_normal_csc,
    toeplitz_ar1,
)
from scipy.special import logsumexp

GLM_CACHE_VERSION = "v1"


# ----------------------------------------------------------------- problems
@dataclass
class GLMProblem:
    name: str
    X: object
    y: np.ndarray  # {-1, 1} (binary) or 0..K-1 (multinomial)
    kind: str  # "binary" | "multinomial"
    n_classes: int = 2

    @property
    def alpha_max(self):
        n = self.X.shape[0]
        if self.kind == "binary":
            return float(np.max(np.abs(self.X.T @ self.y)) / (2 * n))
        Y = one_hot(self.y, self.n_classes)
        G = np.asarray(self.X.T @ (Y - 1.0 / self.n_classes))
        return float(np.max(np.abs(G)) / n)

    def describe(self):
        n, p = self.X.shape
        if sp.issparse(self.X):
            fmt = f"CSC nnz={self.X.nnz} (density {self.X.nnz / (n * p):.2e})"
        else:
            fmt = "dense, Fortran order"
        counts = np.bincount(np.where(self.y < 0, 0, self.y).astype(int))
        return (
            f"{self.name}: {self.kind} {n} x {p}, {fmt}; class counts {counts.tolist()}"
        )


def one_hot(y, K):
    Y = np.zeros((len(y), K))
    Y[np.arange(len(y)), y.astype(int)] = 1.0
    return Y


def _generate_binary_sparse(seed=14, n=20000, p=100000, k=100):
    rng = np.random.default_rng(seed)
    X = sparse_normal_csc(rng, n, p, 1e-3)
    w = random_truth(rng, p, k)
    Xw = X @ w
    scale = 2.0 / Xw.std()
    prob = 1.0 / (1.0 + np.exp(-Xw * scale))
    y = np.where(rng.uniform(size=n) < prob, 1.0, -1.0)
    return X, y


def _generate_genes_binary(seed=16, n=60, p=20000, k=10):
    """Gene-expression-like p >> n (problems.py's G1 design: blocks of 50
    co-expressed genes), labels from a sigmoid of sd(Xw) = 2."""
    rng = np.random.default_rng(seed)
    X = centre_and_scale(block_factor(rng, n, p))
    w = random_truth(rng, p, k)
    Xw = X @ w
    prob = 1.0 / (1.0 + np.exp(-Xw * 2.0 / Xw.std()))
    y = np.where(rng.uniform(size=n) < prob, 1.0, -1.0)
    return X, y


def _load_golub():
    """The shipped Golub leukemia training set (38 x 3051, ALL -1 / AML +1),
    columns centred and scaled as the other dense cases."""
    import pandas as pd

    data = Path(__file__).resolve().parents[1] / "sparsefit/datasets/data"
    frame = pd.read_csv(data / "golub_multtest.csv")
    y = np.where(frame.pop("cl").to_numpy() == 1, 1.0, -1.0)
    X = centre_and_scale(np.asfortranarray(frame.to_numpy(dtype=float)))
    return X, y


def _generate_multinomial(seed=15, n=1000, p=2000, K=10, k=10):
    """Toeplitz-correlated design, ``k`` true features per class, labels drawn
    from the softmax with sd of the scores scaled to 2."""
    rng = np.random.default_rng(seed)
    X = centre_and_scale(toeplitz_ar1(rng, n, p))
    W = np.stack([random_truth(rng, p, k) for _ in range(K)])
    Z = X @ W.T
    Z *= 2.0 / Z.std()
    P = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
    u = rng.uniform(size=n)
    y = np.minimum((P.cumsum(axis=1) < u[:, None]).sum(axis=1), K - 1)
    return X, y.astype(np.int64)


def load_glm_problem(name):
    """``a``: binary dense 500 x 5000 (problems.py's L1); ``b``: binary CSC
    20000 x 100000 (density 1e-3); ``c``: multinomial 1000 x 2000, K = 10."""
    if name == "a":
        prob = load_problem("L1")
        return GLMProblem("a", prob.X, prob.y, "binary")
    if name == "golub":
        return GLMProblem("golub", *_load_golub(), "binary")
    path = CACHE_DIR / f"glm_{name}_{GLM_CACHE_VERSION}.npz"
    if path.exists():
        with np.load(path) as f:
            if "X" in f:
                X = np.asfortranarray(f["X"])
            else:
                X = sp.csc_matrix(
                    (f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"])
                )
                X.sort_indices()
            y = f["y"]
    else:
        if name == "b":
            X, y = _generate_binary_sparse()
        elif name == "c":
            X, y = _generate_multinomial()
        elif name == "g":
            X, y = _generate_genes_binary()
        else:
            raise ValueError(f"unknown case {name!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        if sp.issparse(X):
            np.savez(
                tmp,
                data=X.data,
                indices=X.indices,
                indptr=X.indptr,
                shape=np.array(X.shape),
                y=y,
            )
        else:
            np.savez(tmp, X=X, y=y)
        os.replace(tmp, path)
    if name in ("b", "g"):
        return GLMProblem(name, X, y, "binary")
    return GLMProblem("c", X, y, "multinomial", int(y.max()) + 1)


# --------------------------------------------------------------- objectives
def objective(prob_kind, X, y, w, alpha):
    if prob_kind == "binary":
        w = np.asarray(w, dtype=float).ravel()
        z = np.asarray(X @ w).ravel()
        return float(np.mean(np.logaddexp(0.0, -y * z)) + alpha * np.abs(w).sum())
    W = np.asarray(w, dtype=float)
    Z = np.asarray(X @ W.T)
    n = len(y)
    loss = np.mean(logsumexp(Z, axis=1) - Z[np.arange(n), y])
    return float(loss + alpha * np.abs(W).sum())


def path_objectives(kind, X, y, coefs, alphas):
    return np.array(
        [objective(kind, X, y, w, a) for w, a in zip(coefs, alphas, strict=False)]
    )  # noqa: E501


def _dense(a):
    return a.toarray() if sp.issparse(a) else np.asarray(a)


# ------------------------------------------------------------------ runners
class NotOffered(Exception):
    """The library has no solver for this problem (reported as such)."""


class Runner:
    name = "?"
    external = False
    kinds = ("binary", "multinomial")
    path_note = ""

    def __init__(self, kind, n_classes=2):
        self.kind, self.K = kind, n_classes
        if kind not in self.kinds:
            raise NotOffered(f"{self.name}: no {kind} solver")

    def prepare(self, X, y, alpha):
        self.X, self.y, self.alpha = X, y, alpha

    def fit(self, tol):
        return self._fit(self.X, self.y, self.alpha, tol)

    def _fit(self, X, y, alpha, tol):
        raise NotImplementedError

    def path(self, X, y, alphas, tol):
        """Default: cold solves, one per alpha."""
        return [self._fit(X, y, a, tol) for a in alphas]


class Ours(Runner):
    name = "ours"
    path_note = "compute_path (warm starts, screening)"

    def __init__(self, *a):
        super().__init__(*a)
        import sparsefit
        from sparsefit import datafits

        self.sf = sparsefit
        self.datafit = (
            datafits.Logistic if self.kind == "binary" else datafits.Multinomial
        )

    def _fit(self, X, y, alpha, tol):
        model = self.sf.SparseLogisticRegression(
            alpha=alpha, fit_intercept=False, tol=tol, max_iter=10**4
        ).fit(X, y)
        self.last = model
        return model.coef_.ravel() if self.kind == "binary" else model.coef_

    def path(self, X, y, alphas, tol):
        res = self.sf.compute_path(
            X,
            y,
            self.datafit(),
            alphas=alphas,
            tol=tol,
            fit_intercept=False,
            max_iter=10**4,
            progress=False,
        )
        self.last = res
        C = _dense(res.coefs)
        if self.kind == "binary":
            return [C[:, k] for k in range(C.shape[1])]
        p = X.shape[1]
        return [C[:, k].reshape(self.K, p) for k in range(C.shape[1])]


class SklearnLiblinear(Runner):
    name = "liblinear"
    kinds = ("binary",)  # multiclass liblinear is one-vs-rest: another objective
    path_note = "one cold LogisticRegression per alpha (liblinear has no warm start)"

    def __init__(self, *a):
        super().__init__(*a)
        from sklearn.linear_model import LogisticRegression

        self.LR = LogisticRegression

    def _fit(self, X, y, alpha, tol):
        n = X.shape[0]
        est = self.LR(
            C=1.0 / (n * alpha),
            l1_ratio=1.0,
            solver="liblinear",
            fit_intercept=False,
            tol=tol,
            max_iter=10**4,
        )
        return est.fit(X, y).coef_.ravel()


class SklearnSaga(Runner):
    """saga, capped: ``max_iter`` is set so one fit lasts at most about
    ``cap_seconds`` (one epoch timed first). A fit that used every epoch
    without reaching the target is reported as "> cap"."""

    name = "saga"
    cap_seconds = 20.0

    def __init__(self, *a):
        super().__init__(*a)
        from sklearn.linear_model import LogisticRegression

        self.LR = LogisticRegression
        self.epoch = None

    def _est(self, X, alpha, tol, max_iter):
        n = X.shape[0]
        return self.LR(
            C=1.0 / (n * alpha),
            l1_ratio=1.0,
            solver="saga",
            fit_intercept=False,
            tol=tol,
            max_iter=max_iter,
        )

    def _fit(self, X, y, alpha, tol):
        import time
        import warnings

        if self.epoch is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                self._est(X, alpha, 0.0, 2).fit(X, y)
                self.epoch = (time.perf_counter() - t0) / 2
        cap = max(2, int(self.cap_seconds / max(self.epoch, 1e-9)))
        est = self._est(X, alpha, tol, cap).fit(X, y)
        self.hit_cap = int(np.max(est.n_iter_)) >= cap
        return est.coef_.ravel() if self.kind == "binary" else est.coef_


class Celer(Runner):
    name = "celer"
    kinds = ("binary",)
    path_note = "warm-started celer LogisticRegression per alpha"

    def __init__(self, *a):
        super().__init__(*a)
        from celer import LogisticRegression

        self.LR = LogisticRegression

    def _fit(self, X, y, alpha, tol):
        n = X.shape[0]
        est = self.LR(C=1.0 / (n * alpha), tol=tol, fit_intercept=False)
        return est.fit(X, y).coef_.ravel()

    def path(self, X, y, alphas, tol):
        n = X.shape[0]
        est = self.LR(
            C=1.0 / (n * alphas[0]), tol=tol, fit_intercept=False, warm_start=True
        )
        out = []
        for a in alphas:
            est.C = 1.0 / (n * a)
            out.append(est.fit(X, y).coef_.ravel().copy())
        return out


class Skglm(Runner):
    name = "skglm"
    kinds = ("binary",)  # skglm 0.5: no multinomial datafit
    path_note = "warm-started SparseLogisticRegression per alpha"

    def __init__(self, *a):
        super().__init__(*a)
        from skglm import SparseLogisticRegression

        self.LR = SparseLogisticRegression

    def _fit(self, X, y, alpha, tol):
        est = self.LR(
            alpha=alpha, tol=tol, fit_intercept=False, max_iter=100, max_epochs=10**5
        )
        return est.fit(X, y).coef_.ravel()

    def path(self, X, y, alphas, tol):
        est = self.LR(
            alpha=alphas[0],
            tol=tol,
            fit_intercept=False,
            max_iter=100,
            max_epochs=10**5,
            warm_start=True,
        )
        out = []
        for a in alphas:
            est.alpha = a
            out.append(est.fit(X, y).coef_.ravel().copy())
        return out


class Adelie(Runner):
    """grpnet with glm.binomial (labels 0/1); ``irls_tol = tol``. Its
    multinomial groups each feature's K coefficients (a group lasso, and a
    loss scaled by 1/K): not the ungrouped objective, so not offered there."""

    name = "adelie"
    kinds = ("binary",)
    path_note = "grpnet over the grid (native path)"

    def __init__(self, *a):
        super().__init__(*a)
        import logging

        import adelie

        self.ad = adelie
        adelie.logger.logger.setLevel(logging.ERROR)

    def _grpnet(self, X, y, alphas, tol):
        ad = self.ad
        if sp.issparse(X):
            Xa = ad.matrix.sparse(sp.csc_matrix(X), method="naive")
        else:
            Xa = ad.matrix.dense(np.asfortranarray(X), method="naive")
        y01 = np.ascontiguousarray((y > 0).astype(float))
        state = ad.grpnet(
            Xa,
            ad.glm.binomial(y01),
            lmda_path=np.asarray(alphas, dtype=float),
            intercept=False,
            early_exit=False,
            tol=tol,
            irls_tol=tol,
            progress_bar=False,
            n_threads=1,
        )
        B = _dense(state.betas)
        if B.shape[0] != len(alphas):
            raise RuntimeError(f"adelie returned {B.shape[0]} of {len(alphas)} lambdas")
        return [np.asarray(B[k], dtype=float).ravel() for k in range(B.shape[0])]

    def _fit(self, X, y, alpha, tol):
        return self._grpnet(X, y, [alpha], tol)[0]

    def path(self, X, y, alphas, tol):
        return self._grpnet(X, y, alphas, tol)


class Glum(Runner):
    """GeneralizedLinearRegressor(family="binomial"), labels 0/1,
    ``gradient_tol = tol``. It forms a dense p x p Hessian: skipped on CSC
    problems with p = 100000 (80 GB)."""

    name = "glum"
    kinds = ("binary",)
    path_note = "alpha_search=True over the grid (native path)"

    def __init__(self, *a):
        super().__init__(*a)
        from glum import GeneralizedLinearRegressor

        self.GLR = GeneralizedLinearRegressor

    def prepare(self, X, y, alpha):
        if X.shape[1] > 20000:
            raise NotOffered(f"glum: dense {X.shape[1]}^2 Hessian does not fit")
        super().prepare(X, y, alpha)

    def _fit(self, X, y, alpha, tol):
        est = self.GLR(
            family="binomial",
            alpha=alpha,
            l1_ratio=1.0,
            fit_intercept=False,
            gradient_tol=tol,
            max_iter=10**4,
        )
        return est.fit(X, (y > 0).astype(float)).coef_.ravel()

    def path(self, X, y, alphas, tol):
        if X.shape[1] > 20000:
            raise NotOffered("glum: dense Hessian does not fit")
        est = self.GLR(
            family="binomial",
            alphas=np.asarray(alphas),
            l1_ratio=1.0,
            alpha_search=True,
            fit_intercept=False,
            gradient_tol=tol,
            max_iter=10**4,
        )
        est.fit(X, (y > 0).astype(float))
        return [est.coef_path_[k].ravel() for k in range(len(alphas))]


class GlmnetR(Runner):
    """R glmnet through ``Rscript`` (``_glmnet_glm.R``), timed inside R."""

    name = "glmnet-R"
    external = True


RUNNERS = {
    c.name: c
    for c in (Ours, SklearnLiblinear, SklearnSaga, Celer, Skglm, Adelie, Glum, GlmnetR)
}
ANCHORS = [name for name in RUNNERS if name != "ours"]
HERE = Path(__file__).resolve().parent
