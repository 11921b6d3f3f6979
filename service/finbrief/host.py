"""The model host: one per process (the HTTP app, Socket Mode, a local batch job).

It holds the loaded runtime (backend, prompts, pipelines), its readiness as a real state, and the
Engine that runs model work; every front end submits work here and nowhere else. Readiness is
decided in one place: work submitted while the model is loading, or after it failed to load, is a
ModelNotReady (503 over HTTP; a Slack brief waits and retries). Threads and queues stay in engine.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future
from enum import StrEnum
from typing import TypeVar

from .cache import replay
from .engine import Engine
from .errors import ModelNotReady
from .model.backends.base import Backend
from .runtime import Runtime, build_runtime
from .schemas import Brief, BriefRequest, BriefStep, BriefStepName, TranslatedSegment, Translation
from .settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class HostState(StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class ModelHost:
    def __init__(
        self,
        settings: Settings,
        backend: Backend | None = None,
        *,
        workers: int | None = None,
        queue_size: int | None = None,
    ) -> None:
        """A host that loads its runtime (`start_loading`): the model from `settings`, or `backend`."""
        self.settings, self._backend = settings, backend
        self.engine = Engine(
            workers=workers or settings.parallel, queue_size=queue_size or settings.queue_size
        )
        self.state = HostState.LOADING
        self.error: str | None = None
        self._runtime: Runtime | None = None
        self._owns_runtime = True

    @classmethod
    def around(cls, runtime: Runtime, *, workers: int, queue_size: int) -> ModelHost:
        """A ready host for a runtime the caller loaded (and will close): a batch job warms the
        model up before it starts, so that a model that cannot load fails the job at once."""
        host = cls(runtime.settings, runtime.backend, workers=workers, queue_size=queue_size)
        host._runtime, host.state, host._owns_runtime = runtime, HostState.READY, False
        return host

    # --- lifecycle ------------------------------------------------------------------------
    def start_loading(self) -> None:
        """Load (maybe pull) and warm up the model off the caller's thread; READY or FAILED after."""
        self.engine.start_loading(self._load)

    def _load(self) -> None:
        try:
            runtime = build_runtime(self.settings, self._backend)
            if self.settings.warmup:
                runtime.backend.warmup()
        except Exception as exc:  # surfaced through /readyz and 503s, not a crash
            log.exception("model load failed")
            self.error, self.state = str(exc), HostState.FAILED
            return
        self._runtime, self.state = runtime, HostState.READY

    def close(self) -> None:
        """Stop the workers (queued work is dropped) and release the model if this host loaded it."""
        self.engine.shutdown()
        if self._runtime is not None and self._owns_runtime:
            self._runtime.backend.close()

    # --- readiness ------------------------------------------------------------------------
    @property
    def runtime(self) -> Runtime:
        """The loaded runtime; ModelNotReady while loading or after a failed load."""
        if self.state is HostState.READY and self._runtime is not None:
            return self._runtime
        if self.state is HostState.FAILED:
            raise ModelNotReady(f"the model failed to load: {self.error}")
        raise ModelNotReady("the model is still loading")

    async def ready_backend(self) -> Backend:
        """The loaded backend, once its engine answers too: a serving engine (backend openai) is
        asked now whether it is up and serves the model (EngineUnavailable, 503, if not)."""
        backend = self.runtime.backend
        check = getattr(backend, "check_ready", None)
        if check is not None:
            await asyncio.to_thread(check)
        return backend

    @property
    def depth(self) -> int:
        """Jobs waiting or running."""
        return self.engine.depth

    # --- work: each job gets the runtime and the seconds it waited in the queue -------------
    def submit(self, job: Callable[[Runtime, float], T]) -> Future[T]:
        runtime = self.runtime
        return self.engine.submit(lambda queued: job(runtime, queued))

    async def run(self, job: Callable[[Runtime, float], T]) -> T:
        runtime = self.runtime
        return await self.engine.run(lambda queued: job(runtime, queued))

    def stream(self, job: Callable[[Runtime, float], Iterator[T]]) -> AsyncIterator[T]:
        """See Engine.stream: not ready or a full queue raises here, before any response starts."""
        runtime = self.runtime
        return self.engine.stream(lambda queued: job(runtime, queued))

    def report(self, job: Callable[[Runtime, float, Callable[[T], None]], None]) -> AsyncIterator[T]:
        """See Engine.report: not ready or a full queue raises here, before any response starts."""
        runtime = self.runtime
        return self.engine.report(lambda queued, emit: job(runtime, queued, emit))

    # --- work the result cache may answer: a hit is looked up here, before the queue, so it never
    # waits for a slot nor takes one (`lookup` off: Cache-Control: no-cache, answer fresh) --------
    async def brief(self, req: BriefRequest, *, lookup: bool = True) -> Brief:
        runtime = self.runtime
        if lookup and (hit := await asyncio.to_thread(runtime.cached_brief, req)) is not None:
            return hit
        # Looked up again on the worker: an identical brief queued ahead may have been stored since.
        return await self.run(lambda rt, queued: rt.brief(req, queue_s=queued, lookup=lookup))

    async def brief_events(
        self, req: BriefRequest, *, lookup: bool = True
    ) -> AsyncIterator[BriefStep | Brief]:
        """Each pipeline step as it starts, then the brief: a stored brief alone, or the steps and
        brief of a run on a worker (a full queue raises here, before any response starts; a client
        that goes away stops the run at its next step)."""
        runtime = self.runtime
        if lookup and (hit := await asyncio.to_thread(runtime.cached_brief, req)) is not None:
            return _only(hit)

        def job(rt: Runtime, queued: float, emit: Callable[[BriefStep | Brief], None]) -> None:
            began = time.perf_counter() - queued  # when it was queued: the reader's wait includes the queue's

            def step(name: BriefStepName, part: int, parts: int) -> None:
                elapsed = round(time.perf_counter() - began, 3)
                emit(BriefStep(step=name, part=part, parts=parts, elapsed_s=elapsed))

            emit(rt.brief(req, queue_s=queued, lookup=lookup, progress=step))

        return self.report(job)

    async def translate(self, text: str, *, skip_boilerplate: bool, lookup: bool = True) -> Translation:
        runtime = self.runtime
        hit = await asyncio.to_thread(runtime.cached_translation, text, skip_boilerplate) if lookup else None
        if hit is not None:
            return hit
        return await self.run(
            lambda rt, queued: rt.translate(
                text, skip_boilerplate=skip_boilerplate, queue_s=queued, lookup=lookup
            )
        )

    async def translation_events(
        self, text: str, *, skip_boilerplate: bool, lookup: bool = True
    ) -> AsyncIterator[TranslatedSegment | Translation]:
        """Segments, then the whole translation: replayed from the cache, or streamed from a worker
        (a full queue raises here, before any response starts)."""
        runtime = self.runtime
        hit = await asyncio.to_thread(runtime.cached_translation, text, skip_boilerplate) if lookup else None
        if hit is not None:
            return replay(hit)
        return self.stream(
            lambda rt, queued: rt.translation_events(text, skip_boilerplate, queue_s=queued, lookup=lookup)
        )


async def _only(brief: Brief) -> AsyncIterator[Brief]:
    """A stored brief as the stream of a fresh one: no steps were taken, so none are told."""
    yield brief
