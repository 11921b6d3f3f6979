"""The local engine: articles through the service's model host, `concurrency` at a time.

Why concurrency here, and only here in the batch package: llama.cpp serves `parallel` slots from one
loaded model, and a slot only works while a request is in it. One article at a time leaves all but
one slot idle, so the runner keeps exactly `concurrency` articles in flight (= FINBRIEF_PARALLEL
slots), each on one of the host's worker threads (engine.py owns the threads and the queue; this
module only holds futures). Everything that writes - the Job, the store, the progress display - runs
on the main thread, so output lines are never interleaved and need no lock.

Stopping: when `stop.requested` turns true (SIGINT/SIGTERM, see command.py), no new article is
started; the ones in flight finish and are written, then run_local returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait

from ..host import ModelHost
from ..runtime import Runtime
from .article import Outcome, attempt, make_fetcher
from .inputs import InputRecord
from .job import Job


class StopFlag:
    """Set by a signal handler on the main thread, read by the runners between articles."""

    def __init__(self) -> None:
        self.requested: str | None = None  # the signal's name


def run_local(
    runtime: Runtime, records: Iterable[InputRecord], job: Job, *, concurrency: int, stop: StopFlag
) -> None:
    fetcher = make_fetcher(runtime.settings)
    # The caller loaded and warmed up the model before the job started (and closes it after).
    host = ModelHost.around(runtime, workers=concurrency, queue_size=concurrency)
    in_flight: dict[Future[Outcome], InputRecord] = {}

    def collect() -> None:
        """Wait for at least one article, and write every finished one."""
        done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
        for fut in done:
            rec = in_flight.pop(fut)
            job.finish(rec, fut.result())  # a fatal (model) error propagates and ends the job

    try:
        for rec in records:
            while len(in_flight) >= concurrency:  # room first, so a stop while waiting starts nothing new
                collect()
            if stop.requested:
                break
            if not job.admit(rec):
                continue

            def work(runtime: Runtime, queue_s: float, rec: InputRecord = rec) -> Outcome:
                return attempt(runtime, rec, fetcher, queue_s=queue_s)

            in_flight[host.submit(work)] = rec
        while in_flight:
            collect()
    finally:
        host.close()
