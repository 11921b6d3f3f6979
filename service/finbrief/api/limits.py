"""What a request may be, enforced before it is read and stated in the OpenAPI schema.

The body limit is a pure ASGI middleware, outside FastAPI: FastAPI reads a whole body into memory
and parses it before any handler runs, so a 50 MB body used to cost ~2.4x its size before its 413.
Here a body that declares a larger Content-Length is refused unread, and one that does not (chunked)
is counted as it arrives and refused once it has passed the limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..settings import Settings
from .errors import HTTPRefusal, http_error_response

# Room for every field but the text, and the JSON around them: the fields' own limits (schemas.py)
# add up to a few KB even with every character escaped.
FIELDS_ALLOWANCE = 64 * 1024


def body_limit(settings: Settings) -> int:
    """FINBRIEF_MAX_BODY_BYTES, or room for the largest text JSON-escaped (`\\uXXXX`: 6 bytes a
    character) and the other fields, so that an oversized text still gets its own 413."""
    return settings.max_body_bytes or 6 * settings.max_text_chars + FIELDS_ALLOWANCE


class BodyLimit:
    """Pure ASGI middleware: a request body over `limit` bytes is a 413 in the error shape."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    def refusal(self) -> HTTPRefusal:
        # Connection: close, because the rest of the body is never read: the connection cannot
        # carry another request.
        return HTTPRefusal(
            413,
            "body_too_large",
            f"the request body is larger than the limit of {self.limit:,} bytes",
            detail={"limit": self.limit},
            headers={"Connection": "close"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await http_error_response(self.refusal())(scope, receive, send)
            return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # FastAPI re-raises an HTTPException from its body read, and the app's handler
                    # (api/errors.py) answers it.
                    raise self.refusal()
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except HTTPRefusal as exc:  # raised where no handler answered it (a middleware reading the body)
            if started or exc.status_code != 413:
                raise
            await http_error_response(exc)(scope, receive, send)


def state_text_bounds(app: FastAPI, settings: Settings) -> None:
    """This app's OpenAPI schema states its own text bounds (settings), not schemas.py's defaults:
    the schema says what this service accepts."""
    build = app.openapi  # FastAPI's: builds once, then returns the cached schema

    def openapi() -> dict[str, Any]:
        schema = build()
        for model in ("BriefRequest", "TranslateRequest"):
            text = schema.get("components", {}).get("schemas", {}).get(model, {}).get("properties", {})
            if "text" in text:
                text["text"].update(minLength=settings.min_text_chars, maxLength=settings.max_text_chars)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(BodyLimit, limit=body_limit(settings))
    state_text_bounds(app, settings)
