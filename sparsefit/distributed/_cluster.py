"""The Dask client a call runs on: the one given, the running one, or a
local cluster that starts and stops with the call."""

from contextlib import contextmanager

__all__ = ["cluster_client", "run", "run_reduced"]


@contextmanager
def cluster_client(client=None, scheduler=None, n_workers=None):
    """Yield a ``distributed.Client``.

    ``client`` is used as given; ``scheduler`` (an address) is connected to
    and disconnected after; otherwise the running client
    (``distributed.default_client``), or, with none, a ``LocalCluster`` of
    ``n_workers`` single-threaded worker processes (None: sized to the
    machine) that is closed on exit.
    """
    from distributed import Client, LocalCluster, default_client

    if client is not None:
        yield client
        return
    if scheduler is not None:
        with Client(scheduler) as own:
            yield own
        return
    if n_workers is None:
        try:
            running = default_client()
        except ValueError:  # no client running
            running = None
        if running is not None:
            yield running
            return
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as own,
    ):
        yield own


def run(client, graph):
    """Compute ``graph`` (a Delayed) on ``client``; a task that every worker
    it ran on died under is a ``RuntimeError`` that says so (the scheduler
    has already retried it on the survivors)."""
    from distributed import KilledWorker

    try:
        return client.compute(graph, sync=True)
    except KilledWorker as exc:
        raise RuntimeError(
            "The Dask workers running part of the fit died (the scheduler "
            f"retried it on others until its limit): {exc}. No result was "
            "returned; restart the workers or give them more memory."
        ) from exc


def run_reduced(client, fn, parts, *args, combine):
    """``fn(part, *args, i)`` on every part ``i``, the results combined
    pairwise by ``combine`` in a tree on the cluster (the rounding of a sum
    grows as log n), computed on ``client`` (see :func:`run`)."""
    from dask import delayed

    tasks = [delayed(fn)(part, *args, i) for i, part in enumerate(parts)]
    while len(tasks) > 1:
        tasks = [
            delayed(combine)(tasks[i], tasks[i + 1]) if i + 1 < len(tasks) else tasks[i]
            for i in range(0, len(tasks), 2)
        ]
    return run(client, tasks[0])
