"""The only module that knows about threads and queues.

Model work runs on `workers` dedicated threads fed by one bounded queue, so the event loop never
blocks and a burst of requests gets a clean 503 instead of unbounded memory growth. Each job owns
its inputs and outputs; the backend is the only shared object, and llama.cpp serializes per slot
(one worker per slot), so concurrent requests cannot corrupt each other.

A job whose requester has gone away (an HTTP client that closed its connection) is taken out of
the queue before it starts, so a client cannot hold queue places without waiting for them: the
front end says how to tell, for the duration of one request, through `requester_gone`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import ClientGone, QueueFull

T = TypeVar("T")

# Set by a front end around one request (api/disconnect.py): a coroutine function that returns
# when the requester has gone away. Work run or streamed while it is set is dropped from the queue
# if the requester goes before it starts. Work that has started finishes, and its answer is unread,
# unless it reports as it goes (`stream`, `report`): then it stops at its next item.
Gone = Callable[[], Awaitable[object]]
requester_gone: ContextVar[Gone | None] = ContextVar("requester_gone", default=None)


@dataclass(eq=False)  # identity: the queue removes exactly this job
class _Job:
    fn: Callable[[float], Any]
    future: Future[Any]
    enqueued: float


class Engine:
    def __init__(self, workers: int, queue_size: int) -> None:
        # A deque under a condition, not a queue.Queue: an abandoned job must leave the queue at
        # once, or the queue stays full of work nobody waits for.
        self._waiting: deque[_Job] = deque()
        self._size = queue_size
        self._cond = threading.Condition()
        self._closing = False
        self._busy = 0
        self._workers = [
            threading.Thread(target=self._loop, name=f"finbrief-worker-{i}", daemon=True)
            for i in range(workers)
        ]
        for w in self._workers:
            w.start()

    # --- lifecycle ------------------------------------------------------------------------
    def start_loading(self, load: Callable[[], None]) -> None:
        """Run model loading and warmup on their own thread (slow: never on the event loop or a
        worker). `load` handles its own errors: the model host records them as its state."""
        threading.Thread(target=load, name="finbrief-loader", daemon=True).start()

    def shutdown(self) -> None:
        """Workers finish what is queued, then stop (waited for 5 s: they are daemon threads)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        for w in self._workers:
            w.join(timeout=5)

    @property
    def depth(self) -> int:
        """Jobs waiting or running."""
        with self._cond:
            return len(self._waiting) + self._busy

    # --- work -----------------------------------------------------------------------------
    def submit(self, fn: Callable[[float], T]) -> Future[T]:
        """fn receives the seconds it waited in the queue, and runs in the submitter's context.
        Readiness is the model host's to check. Cancelling the future while the job waits takes it
        out of the queue."""
        fut: Future[T] = Future()
        # The submitter's context goes with the job: a worker's log lines carry the request's id
        # (logs.REQUEST_ID), as if the request's own task had written them.
        context = contextvars.copy_context()
        job = _Job(lambda queued: context.run(fn, queued), fut, time.perf_counter())
        with self._cond:
            if len(self._waiting) >= self._size:
                raise QueueFull("too many briefs are waiting; retry shortly")
            self._waiting.append(job)
            self._cond.notify()
        fut.add_done_callback(lambda f: self._forget(job) if f.cancelled() else None)
        return fut

    async def run(self, fn: Callable[[float], T]) -> T:
        fut = self.submit(fn)
        gone = requester_gone.get()
        if gone is None:
            return await asyncio.wrap_future(fut)
        return await _unless_abandoned(fut, gone)

    def stream(self, fn: Callable[[float], Iterator[T]]) -> AsyncIterator[T]:
        """Run a generator on a worker, yielding its items on the event loop as they are produced
        (a long translation reaches the client segment by segment). The job is queued now, so a
        full queue raises here, before any response has started. If the client goes away, a job
        still queued is dropped, and a running one stops at its next item."""

        def produce(queued: float, emit: Callable[[T], None]) -> None:
            for item in fn(queued):
                emit(item)

        return self.report(produce)

    def report(self, fn: Callable[[float, Callable[[T], None]], None]) -> AsyncIterator[T]:
        """Run fn(queued, emit) on a worker, yielding on the event loop each item it emits, as it
        emits it (a brief's progress, then the brief). Queued now, so a full queue raises here,
        before any response has started. If the client goes away, a job still queued is dropped,
        and a running one stops at its next emit, which raises ClientGone into it."""
        loop = asyncio.get_running_loop()
        items: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()

        def emit(item: T) -> None:
            if stop.is_set():
                raise ClientGone("the client went away; its work was stopped")
            loop.call_soon_threadsafe(items.put_nowait, ("item", item))

        def produce(queued: float) -> None:
            try:
                fn(queued, emit)
            except BaseException as exc:
                loop.call_soon_threadsafe(items.put_nowait, ("error", exc))
            finally:
                loop.call_soon_threadsafe(items.put_nowait, ("end", None))

        fut = self.submit(produce)

        def abandon() -> None:
            stop.set()
            if fut.cancel():  # it was still queued: dropped, so it will never say "end" itself
                items.put_nowait(("end", None))

        gone = requester_gone.get()
        # The watch starts now, not when the response starts reading: a client that leaves before
        # the first item must not leave its job queued.
        watch = asyncio.ensure_future(_call_when(gone, abandon)) if gone is not None else None

        async def consume() -> AsyncIterator[T]:
            try:
                while True:
                    kind, value = await items.get()
                    if kind == "end":
                        return
                    if kind == "error":
                        raise value
                    yield value
            finally:
                abandon()
                if watch is not None:
                    watch.cancel()

        return consume()

    # --- workers --------------------------------------------------------------------------
    def _forget(self, job: _Job) -> None:
        # ValueError: a worker took it first; it sees the cancellation and skips it.
        with self._cond, contextlib.suppress(ValueError):
            self._waiting.remove(job)

    def _next(self) -> _Job | None:
        """The next job to run (counted busy), or None when the engine is closing and drained."""
        with self._cond:
            while True:
                while not self._waiting and not self._closing:
                    self._cond.wait()
                if not self._waiting:
                    return None
                job = self._waiting.popleft()
                if job.future.set_running_or_notify_cancel():
                    self._busy += 1
                    return job

    def _loop(self) -> None:
        while (job := self._next()) is not None:
            try:
                job.future.set_result(job.fn(time.perf_counter() - job.enqueued))
            except BaseException as exc:
                job.future.set_exception(exc)
            finally:
                with self._cond:
                    self._busy -= 1


async def _unless_abandoned(fut: Future[T], gone: Gone) -> T:
    """The job's result, or ClientGone (and the job dropped if still queued) once the requester
    has gone away."""
    result = asyncio.wrap_future(fut)
    watch: asyncio.Future[Any] = asyncio.ensure_future(gone())
    try:
        await asyncio.wait([result, watch], return_when=asyncio.FIRST_COMPLETED)
    finally:  # also when this request is itself cancelled (server shutdown)
        watch.cancel()
        if not result.done():
            fut.cancel()
            result.cancel()
    if result.cancelled() or not result.done():
        raise ClientGone("the client went away before its answer was ready")
    return result.result()


async def _call_when(gone: Gone, then: Callable[[], None]) -> None:
    await gone()
    then()
