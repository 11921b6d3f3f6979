"""Application factory. Settings and (optionally) a ready backend are passed in, never global."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .. import __version__
from ..engine import Engine
from ..model.backends.base import Backend
from ..runtime import Runtime, build_runtime
from ..settings import Settings
from ..slack.http_mode import http_mode_enabled, mount_slack
from . import errors, routes


def create_app(settings: Settings, backend: Backend | None = None) -> FastAPI:
    engine = Engine(workers=settings.parallel, queue_size=settings.queue_size)
    holder: dict[str, Runtime] = {}

    def load() -> None:
        rt = build_runtime(settings, backend)  # may pull the model: slow, so off the event loop
        if settings.warmup:
            rt.backend.warmup()
        holder["rt"] = rt

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        engine.start_loading(load)
        yield
        if slack is not None:
            slack.close()  # stop waiting on briefs the engine is about to drop
        engine.shutdown()
        if "rt" in holder:
            holder["rt"].backend.close()

    app = FastAPI(
        title="finbrief",
        version=__version__,
        description="Faithful English briefs and cause-attribution labels for Chinese financial news.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.runtime = lambda: holder["rt"]
    errors.install(app, settings.retry_after_s)
    app.include_router(routes.router)
    slack = None
    if http_mode_enabled(settings):  # POST /slack/events (README "Slack")
        slack = mount_slack(app, settings, engine, app.state.runtime)
    app.state.slack = slack
    return app
