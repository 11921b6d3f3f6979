"""HTTP mode: Slack's events, slash commands and shortcuts arrive at POST /slack/events."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from ..api.errors import HTTPRefusal
from ..host import ModelHost
from ..settings import Settings
from .bolt_app import SlackApp, build_slack_app
from .briefer import HostBriefer


def http_mode_enabled(settings: Settings) -> bool:
    return settings.slack_bot_token is not None and settings.slack_signing_secret is not None


def signed(verifier: SignatureVerifier, body: bytes, headers: Headers) -> bool:
    """Slack's signature over the raw body, within its 5-minute window. What the SDK's check takes
    for granted is checked first: it raised (a 500) on a timestamp that is not a number, on a
    signature that is not ASCII and on a body that is not UTF-8; none of these is Slack's."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not (timestamp.isascii() and timestamp.isdigit() and signature.isascii()):
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return verifier.is_valid(body=text, timestamp=timestamp, signature=signature)


def mount_slack(app: FastAPI, settings: Settings, host: ModelHost) -> SlackApp:
    briefer = HostBriefer(host)
    slack = build_slack_app(settings, briefer)
    assert settings.slack_signing_secret is not None  # http_mode_enabled
    verifier = SignatureVerifier(settings.slack_signing_secret.get_secret_value())
    router = APIRouter()

    @router.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        # The signature before anything is parsed: Bolt parses the body first, so an unsigned body
        # that was not JSON or form data was a 500 (Bolt checks the signature again; it is cheap).
        if not signed(verifier, body, request.headers):
            raise HTTPRefusal(401, "invalid_signature", "the request has no valid, recent Slack signature")
        try:
            bolt_request = to_bolt_request(request, body)
        except Exception:  # signed, yet no JSON object or form data Bolt can read ("[1]", payload=1)
            raise HTTPRefusal(400, "malformed_request", "the body is not a Slack request") from None
        # Bolt's dispatch is synchronous (verification, middleware, the inline ack): run it on the
        # threadpool, as Bolt's own Starlette handler would block the event loop.
        bolt_response = await run_in_threadpool(slack.bolt.dispatch, bolt_request)
        if bolt_response.status >= 400:  # Bolt's own answers (an unhandled request...), in our shape
            code = "internal_error" if bolt_response.status >= 500 else "slack_refused"
            raise HTTPRefusal(bolt_response.status, code, str(bolt_response.body)[:200])
        return to_starlette_response(bolt_response)

    app.include_router(router)
    return slack
