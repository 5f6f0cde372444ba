"""Engines run `process_batch` over batches: here, in worker processes, or on
a Dask cluster. All of them call the same pure per-batch function and never
reach inside it, so the tables do not depend on the engine.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager

from pipeline.run import DOC_TIME_LIMIT, Batch, BatchResult, process_batch, warm_up

IN_FLIGHT_PER_WORKER = 2  # batches queued per worker: bounds memory however large the corpus


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class Engine(AbstractContextManager):
    """Runs process_batch over batches (map_batches), as a context manager."""

    warm_up_skipped = False  # the parent's warm-up ran past the time limit (only ProcessEngine warms up)


class SerialEngine(Engine):
    def map_batches(self, batches: Iterable[Batch], parts: str, time_limit: float) -> Iterator[BatchResult]:
        for batch in batches:
            yield process_batch(batch, parts, time_limit)

    def __exit__(self, *exc) -> None:
        return None


class ProcessEngine(Engine):
    """A pool of worker processes; each writes its batches' parts itself."""

    def __init__(self, workers: int, time_limit: float):
        # workers are forked from this process and inherit what it loaded
        self.warm_up_skipped = not warm_up(time_limit)
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers)
        # Fork every worker now, before planning lists the inputs: forked at the first
        # batch, they inherited the parent's listing of the input folder, and a worker's
        # memory grew with the number of files (~17 MB at 100,000).
        self.pool.submit(os.getpid).result()

    def map_batches(self, batches: Iterable[Batch], parts: str, time_limit: float) -> Iterator[BatchResult]:
        pending = set()
        for batch in batches:
            pending.add(self.pool.submit(process_batch, batch, parts, time_limit))
            if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
        for future in pending:
            yield future.result()

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=exc[0] is None, cancel_futures=True)


class DaskEngine(Engine):
    """The same per-batch work on a dask.distributed cluster: at `scheduler`
    if given (a Slurm or Kubernetes cluster), else a LocalCluster. Workers
    write their parts straight into the shared output folder; a task whose
    worker dies is retried elsewhere, and the atomic parts folder makes the
    retry harmless."""

    def __init__(self, workers: int, scheduler: str | None):
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self.client = Client(self.cluster)
        self.workers = workers

    def map_batches(self, batches: Iterable[Batch], parts: str, time_limit: float) -> Iterator[BatchResult]:
        from dask.distributed import as_completed

        queue = as_completed()
        limit = max(1, self.workers) * IN_FLIGHT_PER_WORKER
        for batch in batches:
            queue.add(self.client.submit(process_batch, batch, parts, time_limit, key=f"batch-{batch.key}", retries=3))
            if queue.count() >= limit:
                yield next(queue).result()
        for future in queue:
            yield future.result()

    def __exit__(self, *exc) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_engine(name: str, workers: int, scheduler: str | None = None,
                time_limit: float = DOC_TIME_LIMIT) -> Engine:
    if name == "dask":
        return DaskEngine(workers, scheduler)
    if name != "local":
        raise ValueError(f"unknown engine {name!r}: use local or dask")
    return SerialEngine() if workers <= 1 else ProcessEngine(workers, time_limit)
