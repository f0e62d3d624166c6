"""Sections ``daskml`` and ``ooc`` of bench/dask_scale.py."""

import time

import numpy as np
from dask_scale import lazy_data, load, warm_up, worker_bytes


def _objective(X, y01, alpha, coef):
    """``mean log(1 + exp(-y x'w)) + alpha ||w||_1`` with ``y`` in -1/+1: no
    intercept, since dask-ml's would be penalised and ours is not, and the
    data are generated without one."""
    from scipy.special import log_expit

    y = 2 * y01 - 1
    return float(-log_expit(y * (X @ coef)).mean()) + alpha * np.abs(coef).sum()


def against_dask_ml(n, p, chunk, workers, ours_only=False, runs=None, budget=None):
    """Ours, then dask-ml's ``runs`` (``(solver, max_iter, solver_kwargs)``,
    default proximal gradient 100 and ADMM 50 at dask-ml's defaults); a run
    whose time, extrapolated from the previous run of the same solver, would
    pass ``budget`` seconds is skipped and said so."""
    import distributed
    from dask_ml.linear_model import LogisticRegression

    from sparsefit import compute_path
    from sparsefit import distributed as sfd
    from sparsefit.datafits import Logistic

    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        warm_up(client)
        Xd, yd = client.persist(lazy_data(n, p, chunk, family="binomial"))
        distributed.wait([Xd, yd])
        X, y = Xd.compute(), yd.compute()
        g = X.T @ (y - 0.5) / n  # the gradient at w = 0, no intercept
        alpha = float(np.abs(g).max()) / 10
        t = time.perf_counter()
        ref = compute_path(
            X, y, Logistic(), alphas=[alpha], fit_intercept=False, tol=1e-12
        )
        t_mem = time.perf_counter() - t
        best = _objective(X, y, alpha, ref.coefs[:, 0].toarray().ravel())
        print(
            f"n={n} p={p} workers={workers} alpha={alpha:.4g} "
            f"(alpha_max / 10); reference P* = {best:.12g} (in memory, tol "
            f"1e-12, {t_mem:.1f} s, {ref.n_nonzero[0]} non-zeros) [{load()}]",
            flush=True,
        )
        t = time.perf_counter()
        ours = sfd.compute_path(
            Xd,
            yd,
            family="binomial",
            alphas=[alpha],
            fit_intercept=False,
            tol=1e-6,
            client=client,
        )
        t_ours = time.perf_counter() - t
        value = _objective(X, y, alpha, ours.coefs[:, 0].toarray().ravel())
        print(
            f"sparsefit.distributed: {t_ours:.2f} s, {ours.message}, "
            f"relative suboptimality {(value - best) / best:.2e}, certified "
            f"gap {ours.dual_gaps[0] / value:.2e} [{load()}]",
            flush=True,
        )
        runs = runs or (("proximal_grad", 100, {}), ("admm", 50, {}))
        per_iter = {}
        for solver, max_iter, extra in () if ours_only else runs:
            name = " ".join([solver, *(f"{k}={v:g}" for k, v in extra.items())])
            if budget and solver in per_iter and per_iter[solver] * max_iter > budget:
                print(
                    f"dask-ml {name} (max_iter {max_iter}): skipped, about "
                    f"{per_iter[solver] * max_iter:.0f} s at "
                    f"{per_iter[solver]:.1f} s/iteration, over the {budget:.0f} s "
                    "budget",
                    flush=True,
                )
                continue
            model = LogisticRegression(
                penalty="l1",
                C=1.0 / (alpha * n),
                fit_intercept=False,
                solver=solver,
                max_iter=max_iter,
                tol=1e-10,
                solver_kwargs=extra or None,
            )
            t = time.perf_counter()
            model.fit(Xd, yd)
            elapsed = time.perf_counter() - t
            per_iter[solver] = elapsed / max_iter
            coef = np.asarray(model.coef_).ravel()
            value = _objective(X, y, alpha, coef)
            print(
                f"dask-ml {name} (max_iter {max_iter}): {elapsed:.2f} s, "
                f"relative suboptimality {(value - best) / best:.2e}, "
                f"{int((coef != 0).sum())} non-zeros, NaN: "
                f"{bool(np.isnan(coef).any())}; ours / theirs = "
                f"{t_ours / elapsed:.3f} [{load()}]",
                flush=True,
            )


def pooled_data(n, p, chunk, seed=0, family="gaussian"):
    """``X, y`` generated on the workers block by block: each block draws a
    pool of 4096 normal rows and picks its ``chunk`` rows from it at random
    (a gather, not ``chunk * p`` normal draws, which on this machine took
    2.5 s per block of 500000 x 51 and would have dominated every pass);
    ``y`` draws its block's ``X`` again from the same seed, so that no block
    of ``X`` moves to meet its ``y``."""
    import dask.array as da

    w = np.zeros(p)
    w[: min(10, p)] = np.linspace(1.0, -1.0, min(10, p))
    rows = (chunk,) * (n // chunk) + ((n % chunk,) if n % chunk else ())

    def draw(block_info):
        i = block_info[None]["chunk-location"][0]
        m = block_info[None]["chunk-shape"][0]
        rng = np.random.default_rng([seed, i])
        return rng, rng.standard_normal((4096, p))[rng.integers(4096, size=m)]

    def x_block(block_info=None):
        return draw(block_info)[1]

    def y_block(block_info=None):
        rng, X = draw(block_info)
        z = X @ w
        if family == "gaussian":
            return z + rng.standard_normal(len(z))
        return (rng.random(len(z)) < 1 / (1 + np.exp(-z))).astype(float)

    X = da.map_blocks(x_block, chunks=(rows, (p,)), dtype=float, meta=np.empty((0, 0)))
    y = da.map_blocks(y_block, chunks=(rows,), dtype=float, meta=np.empty(0))
    return X, y


class _PeakMemory:
    """The largest resident memory of each worker process, polled."""

    def __init__(self, client, interval=0.5):
        import threading

        self.client, self.interval = client, interval
        self.peak, self._stop = {}, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        import psutil

        def rss():
            return psutil.Process().memory_info().rss

        while not self._stop.is_set():
            for worker, value in self.client.run(rss).items():
                self.peak[worker] = max(self.peak.get(worker, 0), value)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def describe(self):
        return ", ".join(f"{v / 1e9:.2f} GB" for v in sorted(self.peak.values()))


def out_of_core(n, p, chunk, n_alphas=3, eps=1e-2):
    import dask
    import distributed

    from sparsefit import distributed as sfd

    # Each pass regenerates the blocks where their tasks run; a stolen pass
    # task would pull its block (200 MB) from the other worker instead.
    with (
        dask.config.set({"distributed.scheduler.work-stealing": False}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            memory_limit="2GB",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        warm_up(client)
        X, y = pooled_data(n, p, chunk)
        before, t = worker_bytes(client), time.perf_counter()
        with _PeakMemory(client) as memory:
            cv = sfd.cross_validate_path(X, y, cv=5, client=client)
        elapsed = time.perf_counter() - t
        print(
            f"out of core n={n} p={p} ({n * p * 8 / 1e9:.1f} GB of X, never "
            f"held), 2 workers x 2 GB: gaussian path (100 alphas) + 5-fold CV "
            f"in 1 pass, {elapsed:.1f} s, "
            f"{(worker_bytes(client) - before) / 1e6:.2f} MB between workers, "
            f"peak memory per worker {memory.describe()}, alpha_min "
            f"{cv.alpha_min:.4g}, gaps <= tol: "
            f"{bool((cv.path.dual_gaps <= cv.path.gap_tols).all())} [{load()}]",
            flush=True,
        )
        X, y = pooled_data(n, p, chunk, family="binomial")
        before, t = worker_bytes(client), time.perf_counter()
        with _PeakMemory(client) as memory:
            path = sfd.compute_path(
                X, y, family="binomial", n_alphas=n_alphas, eps=eps, client=client
            )
        elapsed = time.perf_counter() - t
        passes = int(path.message.split()[0])
        print(
            f"out of core, binomial: {n_alphas}-alpha path to alpha_max * {eps}, "
            f"{passes} passes (the first, for the moments, counted), "
            f"{elapsed:.1f} s ({elapsed / passes:.1f} s/pass), "
            f"{(worker_bytes(client) - before) / 1e6:.2f} MB between workers, "
            f"peak memory per worker {memory.describe()}, non-zeros "
            f"{path.n_nonzero.tolist()}, gaps <= tol: "
            f"{bool((path.dual_gaps <= path.gap_tols).all())} [{load()}]",
            flush=True,
        )
