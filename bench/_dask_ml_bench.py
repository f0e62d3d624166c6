"""Sections ``daskml`` and ``ooc`` of bench/dask_scale.py."""

import time

import numpy as np
from dask_scale import lazy_data, load, warm_up, worker_bytes


def _objective(X, y01, alpha, coef, intercept):
    """``mean log(1 + exp(-y z)) + alpha ||w||_1`` with ``y`` in -1/+1."""
    from scipy.special import log_expit

    y = 2 * y01 - 1
    return (
        float(-log_expit(y * (X @ coef + intercept)).mean())
        + alpha * np.abs(coef).sum()
    )


def against_dask_ml(n, p, chunk, workers, ours_only=False):
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
        g = X.T @ (y - y.mean()) / n
        alpha = float(np.abs(g).max()) / 10
        t = time.perf_counter()
        ref = compute_path(X, y, Logistic(), alphas=[alpha], tol=1e-12)
        t_mem = time.perf_counter() - t
        best = _objective(
            X, y, alpha, ref.coefs[:, 0].toarray().ravel(), ref.intercepts[0]
        )
        print(
            f"n={n} p={p} workers={workers} alpha={alpha:.4g} "
            f"(alpha_max / 10); reference P* = {best:.12g} (in memory, tol "
            f"1e-12, {t_mem:.1f} s, {ref.n_nonzero[0]} non-zeros) [{load()}]",
            flush=True,
        )
        t = time.perf_counter()
        ours = sfd.compute_path(
            Xd, yd, family="binomial", alphas=[alpha], tol=1e-6, client=client
        )
        t_ours = time.perf_counter() - t
        value = _objective(
            X, y, alpha, ours.coefs[:, 0].toarray().ravel(), ours.intercepts[0]
        )
        print(
            f"sparsefit.distributed: {t_ours:.2f} s, {ours.message}, "
            f"relative suboptimality {(value - best) / best:.2e}, certified "
            f"gap {ours.dual_gaps[0] / value:.2e} [{load()}]",
            flush=True,
        )
        for solver, max_iter in (
            ()
            if ours_only
            else (
                ("proximal_grad", 100),
                ("admm", 50),
            )
        ):
            model = LogisticRegression(
                penalty="l1",
                C=1.0 / (alpha * n),
                solver=solver,
                max_iter=max_iter,
                tol=1e-10,
            )
            t = time.perf_counter()
            model.fit(Xd, yd)
            elapsed = time.perf_counter() - t
            coef = np.asarray(model.coef_).ravel()
            value = _objective(X, y, alpha, coef, float(model.intercept_))
            print(
                f"dask-ml {solver} (max_iter {max_iter}): {elapsed:.2f} s, "
                f"relative suboptimality {(value - best) / best:.2e}, "
                f"{int((coef != 0).sum())} non-zeros, NaN: "
                f"{bool(np.isnan(coef).any())}; ours / theirs = "
                f"{t_ours / elapsed:.3f} [{load()}]",
                flush=True,
            )


def out_of_core(n, p, chunk):
    import distributed
    from distributed.diagnostics import MemorySampler

    from sparsefit import distributed as sfd

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            memory_limit="2GB",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        warm_up(client)
        sampler = MemorySampler()
        X, y = lazy_data(n, p, chunk)
        before, t = worker_bytes(client), time.perf_counter()
        with sampler.sample("gaussian", interval=0.5):
            cv = sfd.cross_validate_path(X, y, cv=5, client=client)
        elapsed = time.perf_counter() - t
        peak = sampler.to_pandas().max().iloc[0]
        print(
            f"out of core n={n} p={p} ({n * p * 8 / 1e9:.1f} GB of X, never "
            f"held), 2 workers x 2 GB: gaussian path + 5-fold CV in 1 pass, "
            f"{elapsed:.1f} s, {(worker_bytes(client) - before) / 1e6:.2f} MB "
            f"between workers, peak memory of the 2 workers together "
            f"{peak / 1e9:.2f} GB, alpha_min {cv.alpha_min:.4g} [{load()}]",
            flush=True,
        )
