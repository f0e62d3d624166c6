"""The Dask back end on local clusters: passes, bytes moved, time per pass.

Sections (``--section``):

- ``scale``: a least-squares path + 5-fold CV (one pass) and an L1 logistic
  path, on lazily generated data, with 1, 2 and 4 single-threaded worker
  processes: passes, bytes the workers sent, time per pass.
- ``daskml``: one L1 logistic fit at n = 10^6, p = 100 against dask-ml's
  ``LogisticRegression(penalty="l1")`` (ADMM and proximal gradient), the same
  objective ``mean log(1 + exp(-y x'w)) + alpha ||w||_1`` (no intercept on
  either side: dask-ml penalises its own; the data have none), the
  reference optimum from an in-memory sparsefit fit at tol 1e-12; time to
  relative suboptimality 1e-6, or the suboptimality reached.
- ``ooc``: out of core: 2 x 10^7 rows, p = 50, generated lazily on 2 workers
  of 2 GB each (each block's rows drawn from a pool of 4096 normal rows of
  its own, see ``_dask_ml_bench.pooled_data``): the Gaussian path with
  5-fold CV (one pass) and a logistic path of ``--n-alphas`` alphas down to
  ``--eps`` alpha_max (passes stated); peak memory of each worker.

Run with ``PYTHONPATH=. python bench/dask_scale.py --section scale``; the
machine's load is printed with every result (it is shared).
"""

import argparse
import os
import time

import numpy as np


def lazy_data(n, p, chunk, seed=0, family="gaussian"):
    """``X, y`` as Dask arrays generated block by block on the workers (``y``
    draws its block's ``X`` again from the same seed, so that no block of
    ``X`` ever moves to meet its ``y``)."""
    import dask.array as da

    w = np.zeros(p)
    w[: min(10, p)] = np.linspace(1.0, -1.0, min(10, p))
    rows = (chunk,) * (n // chunk) + ((n % chunk,) if n % chunk else ())

    def draw(block_info):
        i = block_info[None]["chunk-location"][0]
        m = block_info[None]["chunk-shape"][0]
        rng = np.random.default_rng([seed, i])
        return rng, rng.standard_normal((m, p))

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


def warm_up(client):
    """Import sparsefit and compile its kernels on every worker (and here)
    before anything is timed."""

    from sparsefit import distributed as sfd

    X, y = lazy_data(2000, 5, 500)
    sfd.cross_validate_path(X, y, cv=3, n_alphas=5, client=client)
    X, y = lazy_data(2000, 5, 500, family="binomial")
    sfd.compute_path(X, y, family="binomial", n_alphas=3, eps=0.1, client=client)


def load():
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def worker_bytes(client):
    """Bytes the workers have sent (to each other and to the client)."""

    def sent(dask_worker):
        return getattr(dask_worker, "transfer_outgoing_bytes_total", 0)

    return sum(client.run(sent).values())


def scale(n, p, chunk, workers, n_alphas=10):
    import distributed

    from sparsefit import distributed as sfd

    for k in workers:
        with (
            distributed.LocalCluster(
                n_workers=k, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            warm_up(client)
            # Data in place: generated on the workers and kept there.
            X, y = client.persist(lazy_data(n, p, chunk))
            distributed.wait([X, y])
            before, t = worker_bytes(client), time.perf_counter()
            cv = sfd.cross_validate_path(X, y, cv=5, client=client)
            t_cv = time.perf_counter() - t
            sent = worker_bytes(client) - before
            print(
                f"gaussian n={n} p={p} workers={k}: path+5-fold CV, 1 pass, "
                f"{t_cv:.2f} s, {sent / 1e6:.2f} MB sent by workers, "
                f"alpha_min {cv.alpha_min:.4g} [{load()}]",
                flush=True,
            )
            Xb, yb = client.persist(lazy_data(n, p, chunk, family="binomial"))
            distributed.wait([Xb, yb])
            before, t = worker_bytes(client), time.perf_counter()
            path = sfd.compute_path(
                Xb, yb, family="binomial", n_alphas=n_alphas, eps=1e-2, client=client
            )
            t_path = time.perf_counter() - t
            sent = worker_bytes(client) - before
            passes = int(path.message.split()[0])
            print(
                f"binomial n={n} p={p} workers={k}: {n_alphas}-alpha path, {passes} "
                f"passes, {t_path:.2f} s ({t_path / passes:.3f} s/pass), "
                f"{sent / 1e6:.2f} MB sent ({sent / passes / 1e3:.1f} kB/pass), "
                f"gaps <= tol: {bool((path.dual_gaps <= path.gap_tols).all())} "
                f"[{load()}]",
                flush=True,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", choices=("scale", "daskml", "ooc"), required=True)
    parser.add_argument("--n", type=int, default=2_000_000)
    parser.add_argument("--p", type=int, default=50)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument(
        "--ours-only", action="store_true", help="daskml: skip dask-ml's runs"
    )
    parser.add_argument(
        "--dask-ml",
        default=None,
        help=(
            "daskml: runs as solver:max_iter[:key=value...],... such as "
            "admm:20:rho=1e4 (default proximal_grad:100,admm:50)"
        ),
    )
    parser.add_argument(
        "--budget", type=float, default=None, help="daskml: seconds per dask-ml run"
    )
    parser.add_argument(
        "--n-alphas", type=int, default=10, help="scale, ooc: GLM path length"
    )
    parser.add_argument("--eps", type=float, default=1e-2, help="ooc: GLM path end")
    args = parser.parse_args()
    workers = [int(k) for k in args.workers.split(",")]
    if args.section == "scale":
        scale(args.n, args.p, args.chunk, workers, args.n_alphas)
    elif args.section == "daskml":
        from _dask_ml_bench import against_dask_ml

        runs = None
        if args.dask_ml:
            runs = []
            for run in args.dask_ml.split(","):
                solver, max_iter, *extra = run.split(":")
                kwargs = {k: float(v) for k, v in (e.split("=") for e in extra)}
                runs.append((solver, int(max_iter), kwargs))
        against_dask_ml(
            args.n, args.p, args.chunk, workers[0], args.ours_only, runs, args.budget
        )
    else:
        from _dask_ml_bench import out_of_core

        out_of_core(args.n, args.p, args.chunk, args.n_alphas, args.eps)


if __name__ == "__main__":
    main()
