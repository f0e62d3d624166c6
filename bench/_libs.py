"""One runner per library: ``prepare(X, y, alpha)`` then ``fit(tol) -> coef``.

Every runner solves ``1/(2n) ||y - Xw||^2 + alpha ||w||_1`` without intercept
(the mapping of each library's parameters is in ``/work/shared/ANCHORS.md``).
Imports happen in ``prepare`` so that a missing library fails one row only,
and so that import time is never counted in a fit.
"""

import numpy as np
import scipy.sparse as sp


class Runner:
    name = "?"
    # Runners whose fit is measured in another process say so in the tables.
    external = False

    def prepare(self, X, y, alpha):
        self.X, self.y, self.alpha = X, y, alpha

    def fit(self, tol):
        raise NotImplementedError


class Ours(Runner):
    name = "ours"

    def prepare(self, X, y, alpha):
        super().prepare(X, y, alpha)
        from sparsefit import Lasso

        self.est = Lasso

    def fit(self, tol):
        model = self.est(alpha=self.alpha, fit_intercept=False, tol=tol, max_iter=10**5)
        return model.fit(self.X, self.y).coef_


class SklearnLasso(Runner):
    name = "sklearn"

    def prepare(self, X, y, alpha):
        super().prepare(X, y, alpha)
        from sklearn.linear_model import Lasso

        self.est = Lasso

    def fit(self, tol):
        model = self.est(alpha=self.alpha, fit_intercept=False, tol=tol, max_iter=10**5)
        return model.fit(self.X, self.y).coef_


class CelerLasso(Runner):
    name = "celer"

    def prepare(self, X, y, alpha):
        super().prepare(X, y, alpha)
        from celer import Lasso

        self.est = Lasso

    def fit(self, tol):
        model = self.est(alpha=self.alpha, fit_intercept=False, tol=tol)
        return model.fit(self.X, self.y).coef_


class SkglmLasso(Runner):
    name = "skglm"

    def prepare(self, X, y, alpha):
        super().prepare(X, y, alpha)
        from skglm import Lasso

        self.est = Lasso

    def fit(self, tol):
        model = self.est(alpha=self.alpha, fit_intercept=False, tol=tol)
        return model.fit(self.X, self.y).coef_


class Adelie(Runner):
    """``grpnet`` at the single lambda ``alpha`` (its weights are 1/n).

    Wrapping X in an adelie matrix (no copy) is inside the timed call, like
    scikit-learn's input checks. ``n_threads=1``, its default.
    """

    name = "adelie"

    def prepare(self, X, y, alpha):
        super().prepare(X, y, alpha)
        import adelie

        self.ad = adelie

    def fit(self, tol):
        ad = self.ad
        if sp.issparse(self.X):
            Xa = ad.matrix.sparse(self.X, method="naive")
        else:
            Xa = ad.matrix.dense(self.X, method="naive")
        state = ad.grpnet(
            Xa,
            ad.glm.gaussian(self.y),
            lmda_path=np.array([self.alpha]),
            intercept=False,
            early_exit=False,
            tol=tol,
            progress_bar=False,
        )
        betas = state.betas
        row = betas[-1].toarray() if sp.issparse(betas) else betas[-1]
        return np.asarray(row, dtype=float).ravel()


class GlmnetR(Runner):
    """R glmnet through ``Rscript``: the whole sweep runs in R (see
    ``_glmnet_sweep.R``), timed inside R around the ``glmnet()`` call."""

    name = "glmnet-R"
    external = True

    def prepare(self, X, y, alpha):
        import shutil

        super().prepare(X, y, alpha)
        if shutil.which("Rscript") is None:
            raise RuntimeError("Rscript not found (apt-get install r-cran-glmnet)")


RUNNERS = {
    cls.name: cls
    for cls in (Ours, SklearnLasso, CelerLasso, SkglmLasso, Adelie, GlmnetR)
}
DEFAULT_LIBS = ["ours", "sklearn", "celer", "skglm", "adelie"]
ANCHORS = [name for name in RUNNERS if name != "ours"]
