"""HTTP mode: Slack's events, slash commands and shortcuts arrive at POST /slack/events."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from ..host import ModelHost
from ..settings import Settings
from .bolt_app import SlackApp, build_slack_app
from .briefer import HostBriefer


def http_mode_enabled(settings: Settings) -> bool:
    return settings.slack_bot_token is not None and settings.slack_signing_secret is not None


def mount_slack(app: FastAPI, settings: Settings, host: ModelHost) -> SlackApp:
    briefer = HostBriefer(host)
    slack = build_slack_app(settings, briefer)
    router = APIRouter()

    @router.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        # Bolt's dispatch is synchronous (verification, middleware, the inline ack, maybe auth.test):
        # run it on the threadpool, as Bolt's own Starlette handler would block the event loop.
        bolt_response = await run_in_threadpool(slack.bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    app.include_router(router)
    return slack
