"""The only module that knows about threads and queues.

Model work runs on `workers` dedicated threads fed by one bounded queue, so the event loop never
blocks and a burst of requests gets a clean 503 instead of unbounded memory growth. Each job owns
its inputs and outputs; the backend is the only shared object, and llama.cpp serializes per slot
(one worker per slot), so concurrent requests cannot corrupt each other.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

from .errors import QueueFull

T = TypeVar("T")
_STOP = object()


class Engine:
    def __init__(self, workers: int, queue_size: int) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self._workers = [
            threading.Thread(target=self._loop, name=f"finbrief-worker-{i}", daemon=True)
            for i in range(workers)
        ]
        self._busy = 0
        self._lock = threading.Lock()
        for w in self._workers:
            w.start()

    # --- lifecycle ------------------------------------------------------------------------
    def start_loading(self, load: Callable[[], None]) -> None:
        """Run model loading and warmup on their own thread (slow: never on the event loop or a
        worker). `load` handles its own errors: the model host records them as its state."""
        threading.Thread(target=load, name="finbrief-loader", daemon=True).start()

    def shutdown(self) -> None:
        for _ in self._workers:
            self._queue.put(_STOP)
        for w in self._workers:
            w.join(timeout=5)

    @property
    def depth(self) -> int:
        return self._queue.qsize() + self._busy

    # --- work -----------------------------------------------------------------------------
    def submit(self, fn: Callable[[float], T]) -> Future[T]:
        """fn receives the seconds it waited in the queue. Readiness is the model host's to check."""
        fut: Future[T] = Future()
        try:
            self._queue.put_nowait((fn, fut, time.perf_counter()))
        except queue.Full:
            raise QueueFull("too many briefs are waiting; retry shortly") from None
        return fut

    async def run(self, fn: Callable[[float], T]) -> T:
        return await asyncio.wrap_future(self.submit(fn))

    def stream(self, fn: Callable[[float], Iterator[T]]) -> AsyncIterator[T]:
        """Run a generator on a worker, yielding its items on the event loop as they are produced
        (a long translation reaches the client segment by segment). The job is queued now, so a
        full queue raises here, before any response has started. If the
        client goes away, the worker stops at the next item instead of finishing unread work."""
        loop = asyncio.get_running_loop()
        items: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        gone = threading.Event()

        def produce(queued: float) -> None:
            try:
                for item in fn(queued):
                    if gone.is_set():
                        return
                    loop.call_soon_threadsafe(items.put_nowait, ("item", item))
            except BaseException as exc:
                loop.call_soon_threadsafe(items.put_nowait, ("error", exc))
            finally:
                loop.call_soon_threadsafe(items.put_nowait, ("end", None))

        self.submit(produce)

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
                gone.set()

        return consume()

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            fn, fut, enqueued = item
            if not fut.set_running_or_notify_cancel():
                continue
            with self._lock:
                self._busy += 1
            try:
                fut.set_result(fn(time.perf_counter() - enqueued))
            except BaseException as exc:
                fut.set_exception(exc)
            finally:
                with self._lock:
                    self._busy -= 1
