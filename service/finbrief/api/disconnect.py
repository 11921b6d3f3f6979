"""Model work for an HTTP client that has gone away is dropped before it starts.

Nothing else would notice: a non-streaming endpoint never reads from the connection again once its
body is parsed, so a client that closed its connection left its job in the queue, and a client could
keep the queue full without waiting for a single answer. This middleware tells the engine, for the
length of each request, how to see its client leave (engine.py's `requester_gone`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from ..engine import requester_gone


class WatchDisconnect:
    """Pure ASGI middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def gone() -> None:
            """Returns once the client has disconnected. The engine awaits it only after the body
            has been parsed, when the connection has nothing left to say but that."""
            try:
                while (await receive())["type"] != "http.disconnect":
                    pass
            except Exception:  # a connection that cannot be read from is one nobody answers on
                return

        token = requester_gone.set(gone)
        try:
            await self.app(scope, receive, send)
        finally:
            requester_gone.reset(token)
