"""Application factory. Settings and (optionally) a ready backend are passed in, never global."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .. import __version__
from ..host import ModelHost
from ..model.backends.base import Backend
from ..settings import Settings
from ..slack.fetch import ArticleFetcher
from ..slack.http_mode import http_mode_enabled, mount_slack
from . import access, errors, limits, observe, page, routes
from .disconnect import WatchDisconnect


def create_app(settings: Settings, backend: Backend | None = None) -> FastAPI:
    host = ModelHost(settings, backend)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        host.start_loading()  # may pull the model: slow, so /readyz says 503 until it is done
        yield
        if slack is not None:
            slack.close()  # stop waiting on briefs the engine is about to drop
        host.close()

    app = FastAPI(
        title="finbrief",
        version=__version__,
        description="Faithful English briefs and cause-attribution labels for Chinese financial news.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.host = host
    app.state.fetcher = ArticleFetcher.from_settings(settings)  # POST /v1/brief with only a url
    errors.install(app, settings.retry_after_s)
    app.add_middleware(WatchDisconnect)  # a client that leaves takes its queued job with it
    limits.install(app, settings)  # the body limit (outside WatchDisconnect), the schema's text bounds
    protect = access.install(app, settings)  # FINBRIEF_AUTH=keys: the API needs a key, within its quotas
    app.include_router(routes.router, dependencies=protect.dependencies, responses=protect.responses)
    page.install(app, settings)  # GET /: the reading page (open: its API calls carry the key)
    slack = None
    if http_mode_enabled(settings):  # POST /slack/events (README "Slack")
        slack = mount_slack(app, settings, host)
    app.state.slack = slack
    # Last: its middleware is then the outermost, so every response carries X-Request-ID.
    observe.install(app, host, protect.dependencies if settings.metrics_require_key else [])
    return app
