"""Working-set proximal Newton for the logistic and Poisson paths on Dask.

Each outer step reads the data once: the pass gives the datafit, its
gradient ``X'g`` (the KKT check of every feature) and the weighted moments
of ``[X_W, zeta]`` with the curvatures ``h`` as weights, where ``W`` is the
working set and ``zeta = z - g / h`` the Newton working response; the
Newton step is then the weighted lasso on those moments, solved locally by
the in-memory engine (see :mod:`._square_root`).  The same pass that
computes those sums at the full step evaluates the objective along the
step at a ladder of step lengths (the line search); a shorter step, rare,
costs a second pass.  Once the
KKT violation is small, the intercept is re-optimised by Newton passes and
one pass gives the duality gap of the in-memory certificate (see
:mod:`sparsefit.solvers._glm_certificate`): the conjugate of the datafit at
``t g`` for a ladder of ``t``, and the largest ``t`` that the penalty's
conjugate allows gives a dual point, so the gap is an upper bound on the
suboptimality as in memory.

Cross-validation fits the whole data's model and the K fold models
together: each model's solve is a generator that yields the request of its
next pass, and one pass over the data answers every pending request, a
fold's model seeing the rows of its fold with weight 0 (see :func:`drive`).
The K + 1 paths then cost about the passes of the slowest, not their sum.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._families import FAMILIES
from ..path import PathResult, _sparse_columns, alpha_grid
from ..penalties._base import (
    separable_conjugate,
    separable_dual_scale,
    separable_subdiff_distance,
    separable_value,
)
from ..solvers._base import StoppingRule
from ._cluster import run_reduced
from ._kernels import gather_gradient
from ._least_squares import _block_moments, block_folds
from ._moments import Moments, block_moments, merge
from ._square_root import square_root_rows

__all__ = ["glm_path"]

#: The step lengths of the line search evaluated in the pass at the full
#: step (whose own value comes with its sums), and the shorter ones of the
#: rare pass that follows when none of them is taken.
_STEPS = 0.5 ** np.arange(1, 4)
_SHORT_STEPS = 0.5 ** np.arange(4, 14)
#: The most bytes of rows sampled by the first pass for the first solves'
#: starting points.
_SAMPLE_BYTES = 32e6
#: Relative rounding of an objective summed over blocks, and how many full
#: steps in a row may be taken whose predicted decrease is below it.
_ROUNDING = 1e-13
_FLAT_STEPS = 2
#: A Newton step from a point whose KKT violation is within this factor of
#: its target is expected to end the solve (see ``_State.solve``).
_CERTIFY_NEAR = 1e3
#: The dual scales ``t`` at which a certificate pass evaluates the datafit's
#: conjugate at ``t g``: 1, 0.9 and 1 - 10^-k for even k up to 12.  The
#: dual's datafit part is concave in t, so between two of them it is at
#: least their chord: the bound at the largest feasible scale, wherever it
#: falls, needs no ladder point near it.
_SCALES = np.r_[1.0 - 10.0 ** -np.r_[1.0, np.arange(2.0, 14.0, 2.0)], 1.0]


# -- on the workers ------------------------------------------------------------
def _encode(y, family, index):
    y = np.asarray(y, dtype=float)
    if not np.isfinite(y).all():
        raise ValueError(f"y has a NaN or infinite value in block {index}.")
    if family == "binomial":
        if not np.isin(y, (0.0, 1.0, -1.0)).all():
            raise ValueError(
                f"y must hold the labels 0 and 1 (or -1 and +1) for the "
                f"binomial family; block {index} has {y[~np.isin(y, (0, 1, -1))][0]}."
            )
        return np.where(y > 0, 1.0, -1.0)
    if (y < 0).any():
        raise ValueError(f"y must be non-negative counts; block {index} has {y.min()}.")
    return y


def _read(block, family, folds, index):
    """``(X, y encoded, sample weights or None, fold labels or None)``;
    ``folds`` is ``(n_folds, seed)`` or None."""
    X, y, sw, foldid = block
    X = np.asarray(X, dtype=float)
    if y is None or np.shape(y)[0] != X.shape[0]:
        raise ValueError(f"y and X have different rows in block {index}.")
    sw = None if sw is None else np.asarray(sw, dtype=float)
    labels = None
    if folds is not None:
        labels = block_folds(foldid, X.shape[0], index, *folds)
    return X, _encode(y, family, index), sw, labels


def _models_pass(block, family, folds, requests, index):
    """Every model's request on one block.  A request is ``(fold, scale,
    fn, args)``: the model of fold ``k`` is fitted on the rows outside fold
    ``k``, which here get weight 0 (None: every row), with the columns
    multiplied by ``scale``; ``fn(X, y, datafit, n_rows, scale, *args)``
    gives its sums."""
    X, y, sw, labels = _read(block, family, folds, index)
    n = X.shape[0]
    datafit = FAMILIES[family]()
    out = []
    for fold, scale, fn, args in requests:
        weights = sw
        if fold is not None:
            outside = (labels != fold).astype(float)
            weights = outside if sw is None else sw * outside
        out.append(fn(X, y, datafit.with_weights(weights), n, scale, *args))
    return tuple(out)


def _sums_at(X, y, df, n, scale, z, ws, scales=()):
    """Datafit, ``sum g``, ``X'g`` and the working set's weighted moments at
    ``z``, with the certificate's conjugate terms for ``scales`` (see
    :func:`_certificate_sums`) after ``X'g``."""
    grad = df.raw_grad(y, z)
    g = grad * n
    h = df.raw_hessian(y, z) * n
    # [X_W scaled, zeta] in one array: zeta = z - g / h where h > 0, else 0.
    A = np.empty((X.shape[0], ws.size + 1))
    if X.flags.c_contiguous:
        xg = gather_gradient(X, g, ws, scale[ws], A)
    else:
        np.multiply(X[:, ws], scale[ws], out=A[:, :-1])
        xg = X.T @ g
    live = h > 0
    # Every entry written: np.empty's memory may hold inf or NaN, which an
    # arithmetic over the whole column would read (a spurious warning).
    zeta = A[:, -1]
    zeta[:] = 0.0
    np.divide(g, h, where=live, out=zeta)
    np.subtract(z, zeta, where=live, out=zeta)
    moments = block_moments(A, h, None, 1)
    conj = [df.conjugate(y, t * grad) * n for t in scales]
    return np.r_[df.value(y, z) * n, g.sum(), scale * xg, conj], moments


def _newton_sums(X, y, df, n, scale, w, b, ws, scales=()):
    """:func:`_sums_at` at ``(w, b)``."""
    return _sums_at(X, y, df, n, scale, X @ (scale * w) + b, ws, scales)


def _trial_sums(X, y, df, n, scale, w, b, dw, db, ws, scales):
    """The line search and the next Newton step's sums in one pass: the
    datafit at ``(w, b) + s (dw, db)`` for every step length, and
    :func:`_sums_at` at the full step (the usual outcome), with the
    certificate's terms for ``scales`` when the step is expected to be the
    last."""
    z, dz = _line(X, scale, w, b, dw, db)
    values = np.array([df.value(y, z + s * dz) * n for s in _STEPS])
    sums, moments = _sums_at(X, y, df, n, scale, z + dz, ws, scales)
    return sums, moments, values


def _line(X, scale, w, b, dw, db):
    """The linear predictor at ``(w, b)`` and its change along ``(dw, db)``,
    both products in one read of ``X``."""
    z, dz = (X @ np.column_stack([scale * w, scale * dw])).T
    return z + b, dz + db


def _step_values(X, y, df, n, scale, w, b, dw, db):
    """The datafit at ``(w, b) + s (dw, db)`` for the short step lengths."""
    z, dz = _line(X, scale, w, b, dw, db)
    return np.array([df.value(y, z + s * dz) * n for s in _SHORT_STEPS])


def _certificate_sums(X, y, df, n, scale, w, b, scales):
    """Datafit, ``sum g``, ``X'g`` and the conjugate at ``t g`` (summed) for
    every dual scale ``t`` of ``scales``; and ``sum h``, for a Newton step
    on the intercept when ``sum g`` is not yet 0 to rounding."""
    z = X @ (scale * w) + b
    grad = df.raw_grad(y, z)
    conj = [df.conjugate(y, t * grad) * n for t in scales]
    g = grad * n
    out = np.r_[df.value(y, z) * n, g.sum(), scale * (X.T @ g), conj]
    return out, np.array([df.raw_hessian(y, z).sum() * n])


def _first_block(block, family, n_folds, seed, rows, index):
    """The block's diagonal moments per fold (its rows checked), up to
    ``rows`` of its rows drawn at random (``(X, y encoded, sample weights or
    None, fold labels or None)``), and per fold the datafit, ``sum g`` and
    ``X'g`` at ``z = 0`` (the null model without intercept), one row each."""
    moments = _block_moments(block, n_folds, seed, True, index)
    folds = (n_folds, seed) if n_folds > 1 else None
    X, y, sw, labels = _read(block, family, folds, index)
    n = X.shape[0]
    rng = np.random.default_rng([seed, index, 1])
    keep = np.sort(rng.permutation(n)[:rows])
    pick = (X[keep], y[keep], None if sw is None else sw[keep])
    pick = (*pick, None if labels is None else labels[keep])
    # Each fold's gradient in its own column: one product for every fold.
    label = np.zeros(n, dtype=np.int64) if labels is None else labels
    datafit, z = FAMILIES[family](), np.zeros(n)
    G = np.zeros((n, n_folds))
    G[np.arange(n), label] = datafit.with_weights(sw).raw_grad(y, z) * n
    base = np.ones(n) if sw is None else sw
    values = [
        datafit.with_weights(base * (label == k)).value(y, z) * n
        for k in range(n_folds)
    ]
    null = np.column_stack([values, G.sum(axis=0), (X.T @ G).T])
    return moments, pick, null


def _stack(a, b):
    """Merge two first-pass results: the moments, the rows stacked and the
    null sums added."""
    rows = tuple(
        None if u is None else np.concatenate([u, v])
        for u, v in zip(a[1], b[1], strict=True)
    )
    return merge(a[0], b[0]), rows, a[2] + b[2]


def first_pass(blocks, family, n_folds, seed, client):
    """One pass: the diagonal moments of every fold (the column scales), a
    random sample of rows, at most :data:`_SAMPLE_BYTES` of them, from which
    the first solve of each model starts (see ``_State.solve``), and the
    null model's sums; returns ``(moments, (sample, null sums))``."""
    rows = int(_SAMPLE_BYTES // (8 * (blocks.n_features + 3)))
    per_block = max(1, -(-rows // len(blocks.parts)))
    args = (family, n_folds, seed, per_block)
    moments, sample, null = run_reduced(
        client, _first_block, blocks.parts, *args, combine=_stack
    )
    return moments, (sample, null)


def _add(a, b):
    if isinstance(a, Moments):
        return merge(a, b)
    if isinstance(a, tuple):
        return tuple(_add(x, y) for x, y in zip(a, b, strict=True))
    return a + b


# -- the passes, from the client ----------------------------------------------------
class _Passes:
    """Runs one function over every block and sums (or merges) the results
    on the cluster; counts the passes."""

    def __init__(self, blocks, family, client):
        self.parts = blocks.parts
        self.family, self.client = family, client
        self.count = 0

    def __call__(self, fn, *args):
        self.count += 1
        return run_reduced(
            self.client, fn, self.parts, self.family, *args, combine=_add
        )


def drive(passes, folds, states, tasks):
    """Run the generators ``tasks`` (one per state), all advancing together.

    Each task is a generator that yields the request of its next pass,
    ``(fn, args)``, and receives the sums; one pass over the data answers
    the pending request of every task (see :func:`_models_pass`), so K + 1
    models cost the passes of the slowest, not their sum.  Returns the
    tasks' return values.
    """
    results, pending = [None] * len(tasks), {}

    def advance(i, sums):
        try:
            fn, args = tasks[i].send(sums)
        except StopIteration as stop:
            results[i] = stop.value
            pending.pop(i, None)
            return
        pending[i] = (states[i].fold, states[i].scale, fn, args)

    for i in range(len(tasks)):
        advance(i, None)
    while pending:
        order = list(pending)
        sums = passes(_models_pass, folds, [pending[i] for i in order])
        for i, out in zip(order, sums, strict=True):
            advance(i, out)
    return results


# -- the solver ------------------------------------------------------------------------
class _State:
    """One model on the client: its rows (``fold``: every row but fold
    ``fold``'s; None: all), their weight sum ``W``, its column scaling, the
    penalty and the current point.  Its methods are generators that yield
    their passes' requests (see :func:`drive`)."""

    def __init__(
        self,
        fold,
        moments,
        p,
        penalty,
        fit_intercept,
        standardize,
        tol,
        max_iter,
        family,
    ):
        self.fold, self.W, self.p = fold, moments.weight[0], p
        self.n_rows = int(moments.count[0])
        self.fit_intercept, self.family = fit_intercept, family
        mean = moments.mean[0][:p]
        var = np.clip(np.diag(moments.comoment[0])[:p] / moments.weight[0], 0.0, None)
        rms = np.sqrt(var + mean**2)
        # The in-memory design's rule: with an intercept a column is constant
        # when its spread is at rounding level and is scaled by its standard
        # deviation; without one, only a zero column is, and the scale is its
        # root mean square.
        if fit_intercept:
            spread = np.sqrt(var)
            self.constant = spread <= 8 * np.finfo(float).eps * rms
        else:
            spread = rms
            self.constant = rms == 0
        self.scale = np.ones(p)
        if standardize:
            self.scale[~self.constant] = 1.0 / spread[~self.constant]
        self.template = penalty
        self.tol, self.max_iter = tol, max_iter
        self.w, self.b = np.zeros(p), 0.0
        if fit_intercept:
            self.b = _null_intercept(family, moments, p)
        self.grad_neg = None  # minus the gradient at the current point
        self.flat = 0  # consecutive full steps that did not lower P
        self.sample = None  # rows in memory for the first solve's start
        self.null_sums = None  # the null model's sums, from the first pass

    def keep_sample(self, first):
        """Keep this model's part of the first pass (see :func:`first_pass`):
        its rows (those outside its fold) of the sample, and without an
        intercept its null model's sums."""
        (X, y, sw, labels), null = first
        rows = slice(None) if self.fold is None else labels != self.fold
        self.sample = (X[rows], y[rows], None if sw is None else sw[rows])
        self.sample_size = self.sample[1].shape[0]
        if not self.fit_intercept:
            sums = null.sum(axis=0) - (0 if self.fold is None else null[self.fold])
            sums[2:] *= self.scale
            self.null_sums = sums

    def _sample_start(self, alpha):
        """Move the point to the model fitted in memory on the sampled rows
        (used once, when the current point, 0, is not the optimum at
        ``alpha``), so that the Newton steps begin near the optimum instead
        of at 0; whether it moved.  The certificate is the full data's,
        whatever the start."""
        from ..path import compute_path

        X, y, sw = self.sample
        self.sample = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = compute_path(
                    X * self.scale,
                    y,
                    FAMILIES[self.family]().with_weights(sw),
                    self.template,
                    alphas=[alpha],
                    fit_intercept=self.fit_intercept,
                    progress=False,
                )
        except ValueError:
            return False  # a sample the family cannot fit (one class)
        self.w = start.coefs[:, 0].toarray().ravel()
        self.b = float(start.intercepts[0])
        return True

    def arrays(self, alpha):
        return self.template.with_alpha(alpha).coefficients(self.p, float)

    def sums_with_intercept(self, scales):
        """The certificate's sums (see :func:`_certificate_sums`) at the
        current point, the intercept first brought to ``sum g = 0`` to
        rounding (the dual's constraint) by Newton steps on ``b``, one pass
        each, the last pass's sums being the answer."""
        for _ in range(30):
            out, (h,) = yield (_certificate_sums, (self.w, self.b, scales))
            g = out[1]
            if not self.fit_intercept or abs(g) <= 1e-13 * self.W or not h > 0:
                return out
            self.b -= float(np.clip(g / h, -5.0, 5.0))
        return out

    def null_model(self):
        """The intercept alone: ``(datafit value, minus the gradient)``, the
        gradient of constant columns set to 0."""
        if self.null_sums is not None:
            out = self.null_sums
        else:
            out = yield from self.sums_with_intercept(())
        grad0 = -out[2 : 2 + self.p] / self.W
        grad0[self.constant] = 0.0
        self.grad_neg = grad0
        return out[0] / self.W, grad0

    def certificate(self, alpha):
        """``(gap, primal, grad_neg)`` at the current point."""
        arrays = self.arrays(alpha)
        out = yield from self.sums_with_intercept(_SCALES)
        return self._gap(arrays, out)

    def _gap(self, arrays, out):
        """``(gap, primal, grad_neg)`` from a pass's sums ``out`` with the
        conjugate terms at the scales ``_SCALES``.

        The dual at ``t`` is ``phi(t) - Omega*(t v)``, ``phi(t)`` minus the
        datafit's conjugate at ``t g`` (known at the ladder, concave in t)
        and ``v`` minus the gradient.  At the largest feasible scale
        ``s_max`` between two ladder points, ``phi`` is at least their
        chord, a lower bound on the dual there and so a valid certificate.
        """
        F, p = out[0] / self.W, self.p
        grad_neg = -out[2 : 2 + p] / self.W
        phi = -out[2 + p :] / self.W
        s_max = separable_dual_scale(grad_neg, *arrays)
        t, phi = _SCALES[np.isfinite(phi)], phi[np.isfinite(phi)]
        candidates = [(ti, fi) for ti, fi in zip(t, phi, strict=True) if ti <= s_max]
        k = int(np.searchsorted(t, s_max))
        if 0 < k < t.size:
            # Just below s_max: the penalty's conjugate at s_max itself can
            # be infinite by rounding.
            s = s_max * (1.0 - 4 * np.finfo(float).eps)
            share = (s - t[k - 1]) / (t[k] - t[k - 1])
            candidates.append((s, (1.0 - share) * phi[k - 1] + share * phi[k]))
        best = -np.inf
        for ti, fi in candidates:
            best = max(best, fi - separable_conjugate(ti * grad_neg, *arrays))
        primal = F + separable_value(self.w, *arrays)
        return primal - best, primal, grad_neg

    def newton_step(self, alpha, arrays, sums, moments, ws, scales=()):
        """One prox-Newton step on ``ws`` from the sums at the current
        point; returns the sums at the new point, its working set and the
        dual scales whose conjugate terms the sums hold (``scales`` when
        the full step is taken, else none)."""
        p = self.p
        F, gsum, xg = sums[0] / self.W, sums[1] / self.W, sums[2 : 2 + p] / self.W
        u, b_new = self._local_lasso(alpha, arrays, ws, moments)
        dw = np.zeros(self.p)
        dw[ws] = u - self.w[ws]
        db = b_new - self.b
        P0 = F + separable_value(self.w, *arrays)
        decrease = xg @ dw + gsum * db
        decrease += separable_value(self.w + dw, *arrays) - P0 + F
        ws_next = np.union1d(self._working_set(arrays, -xg), np.flatnonzero(u != 0))
        ws_next = np.union1d(ws_next, ws[u != 0]).astype(np.int64)
        new_sums, new_moments, values = yield (
            _trial_sums,
            (self.w, self.b, dw, db, ws_next, scales),
        )
        # At the optimum to rounding the objective cannot tell a step that
        # still lowers the KKT violation (which the gap, first order in it,
        # needs) from none: the full step is taken when its value is P0 to
        # the rounding of a sum over blocks.
        steps, values = np.r_[1.0, _STEPS], np.r_[new_sums[0], values] / self.W
        s = self._armijo(arrays, P0, decrease, dw, steps, values, _ROUNDING * abs(P0))
        if s == 1.0:
            # Steps whose predicted decrease is below the rounding of P stop
            # once they have had their chance (the KKT violation at rounding
            # level, which no step can lower).
            flat = -decrease <= _ROUNDING * abs(P0)
            self.flat = self.flat + 1 if flat else 0
            if self.flat > _FLAT_STEPS:
                return None
            self.w, self.b = self.w + dw, self.b + db
            return new_sums, new_moments, ws_next, scales
        if s is None:
            values = yield (_step_values, (self.w, self.b, dw, db))
            s = self._armijo(arrays, P0, decrease, dw, _SHORT_STEPS, values / self.W)
            if s is None:
                return None  # no step length lowers the objective: stalled
        self.w, self.b = self.w + s * dw, self.b + s * db
        sums, moments = yield (_newton_sums, (self.w, self.b, ws_next))
        return sums, moments, ws_next, ()

    def _armijo(self, arrays, P0, decrease, dw, steps, values, slack=0.0):
        """The longest of ``steps`` whose objective (datafit ``values``)
        meets Armijo's condition, ``slack`` allowed to the full step; None
        if none does."""
        for s, Fs in zip(steps, values, strict=True):
            Ps = Fs + separable_value(self.w + s * dw, *arrays)
            if Ps <= P0 + 1e-4 * s * min(decrease, 0.0) + (slack if s == 1.0 else 0.0):
                return s
        return None

    def _local_lasso(self, alpha, arrays, ws, moments):
        """The Newton model's minimiser on ``ws``: a weighted lasso on the
        moments of ``[X_W, zeta]`` with weights ``h``."""
        from ..path import compute_path
        from ..penalties import ElasticNetPenalty

        a, c = arrays[0][ws], arrays[1][ws]
        if not moments.weight[0] > 0:
            return self.w[ws], self.b
        # The model is (1/W) 1/2 sum h (zeta - x'w - b)^2 + penalty; the
        # lasso on the moments divides by sum h instead: rescale alpha.
        ratio = self.W / moments.weight[0]
        total = a + c
        weights = np.where(total > 0, total / alpha, 0.0)
        l1 = float(a.sum() / total.sum()) if total.sum() > 0 else 1.0
        Z = square_root_rows(moments, self.fit_intercept)
        k = ws.size
        path = compute_path(
            Z[:, :k],
            Z[:, k],
            penalty=ElasticNetPenalty(1.0, l1, weights),
            alphas=[alpha * ratio],
            fit_intercept=self.fit_intercept,
            tol=1e-10,
            precompute=True,
            progress=False,
        )
        u = path.coefs[:, 0].toarray().ravel()
        if not self.fit_intercept:
            return u, 0.0
        mean = moments.mean[0]
        return u, float(mean[k] - mean[:k] @ u)

    def solve(self, alpha, kkt_target_scale):
        """Certified solve at ``alpha`` from the current point."""
        arrays = self.arrays(alpha)
        rule = StoppingRule(
            self.tol, arrays[0].max(initial=0.0), *kkt_target_scale, np.finfo(float).eps
        )
        started = False
        if self.sample is not None and not self.w.any():
            kkt = separable_subdiff_distance(self.w, -self.grad_neg, *arrays)
            if kkt.max(initial=0.0) > rule.kkt_target:
                started = self._sample_start(alpha)
        ws = self._working_set(arrays, self.grad_neg)
        # A start fitted on every row (a sample that holds them all) may be
        # optimal to the tolerance: its first pass carries the certificate's
        # terms (without an intercept to refit first).
        whole = started and self.sample_size == self.n_rows
        scales = _SCALES if whole and not self.fit_intercept else ()
        sums, moments = yield (_newton_sums, (self.w, self.b, ws, scales))
        self.flat = 0
        if len(scales):
            gap, primal, grad_neg = self._gap(arrays, sums)
            kkt_max = float(
                separable_subdiff_distance(self.w, -grad_neg, *arrays).max(initial=0.0)
            )
            if rule.met(gap, primal, kkt_max):
                self.grad_neg = grad_neg
                return gap, primal, kkt_max, rule.gap_target(primal), 0
        gap = primal = np.inf
        certified_here = False
        for n_iter in range(1, self.max_iter + 1):
            self.grad_neg = -sums[2 : 2 + self.p] / self.W
            kkt = separable_subdiff_distance(self.w, -self.grad_neg, *arrays)
            # A point whose gap fell short takes a Newton step before the
            # next certificate (checking it again would change nothing).
            close = kkt.max(initial=0.0) <= rule.kkt_target * 10
            if close and not certified_here:
                certified_here = True
                # Close: the certificate, with the intercept to rounding
                # (its first Newton step from the sums in hand).
                if self.fit_intercept and moments.weight[0] > 0:
                    self.b -= float(np.clip(sums[1] / moments.weight[0], -5.0, 5.0))
                gap, primal, self.grad_neg = yield from self.certificate(alpha)
                kkt = separable_subdiff_distance(self.w, -self.grad_neg, *arrays)
                kkt_max = float(kkt.max(initial=0.0))
                if rule.met(gap, primal, kkt_max):
                    return gap, primal, kkt_max, rule.gap_target(primal), n_iter
                if self.fit_intercept:
                    # The refit moved the point: its sums are to be taken
                    # again (without an intercept, those in hand are its own).
                    ws = self._working_set(arrays, self.grad_neg)
                    sums, moments = yield (_newton_sums, (self.w, self.b, ws))
                continue
            # Without an intercept to refit, a step from near the optimum
            # (quadratic convergence) carries the certificate's terms at the
            # new point in its pass, saving the certificate's own pass.
            near = kkt.max(initial=0.0) <= rule.kkt_target * _CERTIFY_NEAR
            scales = _SCALES if near and not self.fit_intercept else ()
            step = yield from self.newton_step(alpha, arrays, sums, moments, ws, scales)
            if step is None:
                break
            sums, moments, ws, scales = step
            # A gap that fell short here is not taken again at this point.
            certified_here = bool(len(scales))
            if len(scales):
                gap, primal, grad_neg = self._gap(arrays, sums)
                kkt_max = float(
                    separable_subdiff_distance(self.w, -grad_neg, *arrays).max(
                        initial=0.0
                    )
                )
                if rule.met(gap, primal, kkt_max):
                    self.grad_neg = grad_neg
                    return gap, primal, kkt_max, rule.gap_target(primal), n_iter
        kkt_max = float(kkt.max(initial=0.0))
        where = "" if self.fold is None else f" (fold {self.fold})"
        warnings.warn(
            f"The Dask GLM solve at alpha {alpha:.4g}{where} stopped after "
            f"{n_iter} Newton steps with gap {gap:.3g} above its target "
            f"{rule.gap_target(primal):.3g}.",
            ConvergenceWarning,
            stacklevel=4,
        )
        return gap, primal, kkt_max, rule.gap_target(primal), n_iter

    def path(self, alphas, reference, null_F):
        """The certified solutions at every alpha, warm-started in turn:
        ``(coefs, intercepts, (gaps, gap_tols, kkts, n_iters, dev_ratios))``."""
        rows, bs, stats = [], [], ([], [], [], [], [])
        for alpha in alphas:
            gap, primal, kkt, gap_tol, n_iter = yield from self.solve(alpha, reference)
            rows.append(self.w * self.scale)
            bs.append(self.b)
            F = primal - separable_value(self.w, *self.arrays(alpha))
            dev = 1.0 - F / null_F if null_F > 0 else 0.0
            for out, value in zip(stats, (gap, gap_tol, kkt, n_iter, dev), strict=True):
                out.append(value)
        return rows, bs, stats

    def _working_set(self, arrays, grad_neg):
        """The support and the largest KKT violators (at least 10, at least
        twice the support)."""
        support = np.flatnonzero(self.w != 0)
        if grad_neg is None:
            return support if support.size else np.array([0])
        kkt = separable_subdiff_distance(self.w, -grad_neg, *arrays)
        size = max(10, 2 * support.size)
        order = np.argsort(-kkt)
        extra = [j for j in order[:size] if kkt[j] > 0]
        return np.union1d(support, extra).astype(np.int64)


def _fit_paths(passes, folds, states, alphas, n_alphas, eps, n_rows):
    """Every state's path on the grid of the first (the whole data's): the
    null models in one set of passes, then the paths in another."""
    nulls = drive(passes, folds, states, [s.null_model() for s in states])
    null_F, grad0 = nulls[0]
    if alphas is None:
        alpha_max = states[0].template.alpha_max(grad0)
        alphas = alpha_grid(alpha_max, n_alphas, eps, n_rows, states[0].p)
    alphas = np.asarray(alphas, dtype=float)
    references = [(F, float(np.abs(g).max(initial=0.0))) for F, g in nulls]
    tasks = [
        s.path(alphas, ref, F)
        for s, ref, (F, _) in zip(states, references, nulls, strict=True)
    ]
    fits = drive(passes, folds, states, tasks)
    return alphas, fits


def _null_intercept(family, moments, p):
    """The null model's intercept in closed form from the moments of ``y``
    (the log-odds of the weighted mean label, or the log of the weighted
    mean count); 0 where it is infinite (one class, or no counts)."""
    mean = moments.mean[0][p]
    if family == "binomial":
        share = (mean + 1.0) / 2.0 if _signed(moments, p) else mean
        return float(np.log(share / (1.0 - share))) if 0.0 < share < 1.0 else 0.0
    return float(np.log(mean)) if mean > 0.0 else 0.0


def _signed(moments, p):
    """Whether the labels (column ``p``) are coded -1 and +1: their mean
    square is then 1; that of 0 and 1 is their mean."""
    y_mean, y_var = moments.mean[0][p], moments.comoment[0][p, p] / moments.weight[0]
    return abs(y_var + y_mean**2 - 1.0) < 1e-9 and y_mean < 1.0


def _classes(family, moments, p):
    """The binomial labels' coding (see :func:`_signed`); None otherwise."""
    if family != "binomial":
        return None
    return np.array([-1, 1]) if _signed(moments, p) else np.array([0, 1])


def glm_path(
    blocks,
    family,
    moments,
    penalty,
    alphas,
    n_alphas,
    eps,
    fit_intercept,
    standardize,
    tol,
    max_iter,
    client,
    sample=None,
):
    """The certified path of a GLM family; ``moments`` (of ``[X, y]``, one
    pass) give the standardisation and the constant columns, and ``sample``
    (rows, see :func:`first_pass`) the first solve's start."""
    p = blocks.n_features
    passes = _Passes(blocks, family, client)
    passes.count = 1  # the pass that gave the moments
    args = (fit_intercept, standardize, tol, max_iter, family)
    state = _State(None, moments, p, penalty, *args)
    if sample is not None:
        state.keep_sample(sample)
    alphas, [fit] = _fit_paths(
        passes, None, [state], alphas, n_alphas, eps, int(moments.count[0])
    )
    return _result(alphas, *fit, family, _classes(family, moments, p), penalty, passes)


def _score_sums(block, family, folds, fits, scoring, index):
    """Per fold ``k`` of ``fits`` (``(k, coefs, intercepts)``, the fold
    model's path): the weight of fold ``k``'s rows in this block, then the
    weighted sum of their held-out losses at every alpha."""
    from scipy.special import expit

    X, y, sw, labels = _read(block, family, folds, index)
    datafit = FAMILIES[family]
    out = []
    for fold, coefs, intercepts in fits:
        rows = labels == fold
        s = np.ones(int(rows.sum())) if sw is None else sw[rows]
        link, yk = X[rows] @ coefs + intercepts, y[rows]
        if scoring == "deviance":
            df = datafit(s)
            # 2 F summed: the mean held-out deviance of the in-memory scorer
            # once divided by the fold's weight.
            loss = [
                2.0 * df.value(yk, link[:, a]) * yk.shape[0]
                for a in range(len(intercepts))
            ]
        else:
            binary = family == "binomial"
            response = expit(link) if binary else datafit.inverse_link(link)
            if scoring == "accuracy":
                err = (response > 0.5) == (yk > 0)[:, None]
            else:
                target = (yk > 0).astype(float) if binary else yk
                err = response - target[:, None]
                err = err**2 if scoring == "mse" else np.abs(err)
            loss = s @ err
        out.append(np.r_[s.sum(), loss])
    return tuple(out)


def glm_cross_validate(
    blocks,
    family,
    moments,
    folds,
    penalty,
    scoring,
    grid,
    fit_intercept,
    standardize,
    tol,
    max_iter,
    given_folds,
    client,
    sample=None,
):
    """K-fold cross-validation of a GLM path, every fold's path and the
    whole data's advancing together (see :func:`drive`).

    ``moments`` are per fold (one pass, labels from ``folds = (n_folds,
    seed)``), ``grid`` is ``(alphas, n_alphas, eps)``.  Returns the path
    of the whole data, each fold's held-out scores at every alpha (one more
    pass) and each fold's path.
    """
    p = blocks.n_features
    passes = _Passes(blocks, family, client)
    passes.count = 1  # the pass that gave the moments
    args = (p, penalty, fit_intercept, standardize, tol, max_iter, family)
    states = [_State(None, moments.total(), *args)]
    for k in range(moments.n_folds):
        if moments.count[k] == 0 and given_folds:
            continue  # a label in [0, cv) that foldid does not use
        if not moments.weight[k] > 0:
            raise ValueError(f"Fold {k} has no rows (or a zero total sample_weight).")
        states.append(_State(k, moments.total(skip=k), *args))
    if sample is not None:
        for state in states:
            state.keep_sample(sample)
    n_rows = int(moments.count.sum())
    alphas, fits = _fit_paths(passes, folds, states, *grid, n_rows)
    requests = [
        (s.fold, np.column_stack(rows), np.asarray(bs))
        for s, (rows, bs, _) in zip(states[1:], fits[1:], strict=True)
    ]
    sums = passes(_score_sums, folds, requests, scoring)
    scores = [(out[1:] / out[0])[None, :] for out in sums]
    classes = _classes(family, moments.total(), p)
    paths = [_result(alphas, *fit, family, classes, penalty, passes) for fit in fits]
    return paths[0], scores, paths[1:]


def _result(alphas, rows, bs, stats, family, classes, penalty, passes):
    gaps, tols, kkts, iters, devs = stats
    coefs = _sparse_columns(rows)
    nonzero = np.array([int((r != 0).sum()) for r in rows])
    first = np.full(rows[0].shape[0], np.nan)
    for k in range(len(rows) - 1, -1, -1):
        first[rows[k] != 0] = alphas[k]
    return PathResult(
        alphas=np.asarray(alphas, dtype=float),
        coefs=coefs,
        intercepts=np.array(bs, dtype=float),
        dual_gaps=np.array(gaps),
        gap_tols=np.array(tols),
        kkt_violations=np.array(kkts),
        n_iters=np.array(iters),
        n_nonzero=nonzero,
        dev_ratio=np.array(devs),
        entry_alphas=first,
        l1_ratio=penalty.l1_ratio,
        family=family,
        classes=classes,
        message=f"{passes.count} passes over the data",
    )
