"""Request ids, the request log line, and every metric the HTTP layer records (README "Keys, quotas
and metrics"). The metric objects themselves are in finbrief/metrics.py."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Sequence

from fastapi import APIRouter, FastAPI, Request, Response, params
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..host import ModelHost
from ..logs import REQUEST_ID
from ..metrics import Metrics, OutputKind
from ..schemas import Brief, ErrorBody, Translation
from .access import charge_tokens

log = logging.getLogger("finbrief.access")
# An incoming X-Request-ID is kept only if it is short and plain: it goes into logs and headers.
_SANE_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(headers: Headers) -> str:
    """The caller's X-Request-ID if sane (so a proxy's id follows the request), else a new one."""
    incoming = headers.get("x-request-id", "")
    return incoming if _SANE_ID_RE.match(incoming) else uuid.uuid4().hex


class RequestObserver:
    """Pure ASGI middleware, added last (outermost of the app's middleware): every response carries
    X-Request-ID, every request is counted by route template and status and logged as one line."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope))
        token = REQUEST_ID.set(request_id)
        started, status, responding = time.perf_counter(), 500, False

        async def send_with_id(message: Message) -> None:
            nonlocal status, responding
            if message["type"] == "http.response.start":
                status, responding = message["status"], True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error")
            if responding:  # a stream broke mid-answer: the server closes the connection
                raise
            # Answered here, in the one error shape and with the id, rather than by the server's
            # bare 500 (which runs outside this middleware and would log the traceback again).
            await self._internal_error(request_id, send_with_id)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"  # a template: bounded labels
        self.metrics.requests.labels(route, str(status)).inc()
        self.metrics.request_seconds.labels(route).observe(seconds)
        log.info(
            "%s %s %d",
            scope["method"],
            route,
            status,
            extra={
                "request_id": request_id,  # on the record itself: it may be formatted elsewhere, later
                "method": scope["method"],
                "route": route,
                "status": status,
                "duration_s": round(seconds, 4),
                "api_key": scope.get("state", {}).get("api_key"),
            },
        )

    @staticmethod
    async def _internal_error(request_id: str, send: Send) -> None:
        body = ErrorBody(error="internal_error", message="internal error", detail={"request_id": request_id})
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body.model_dump_json().encode()})


def metrics_of(request: Request) -> Metrics | None:
    return getattr(request.app.state, "metrics", None)


def count_error(request: Request, code: str) -> None:
    """An error response with a finbrief error code (the error handler calls this)."""
    metrics = metrics_of(request)
    if metrics is not None:
        metrics.errors.labels(code).inc()


def record_output(request: Request, output: Brief | Translation) -> None:
    """A brief or translation is being returned: into the metrics, and onto the caller's daily
    token quota when keys are on (the dependency in api/access.py named the key)."""
    metrics = metrics_of(request)
    kind: OutputKind = "brief" if isinstance(output, Brief) else "translation"
    if metrics is not None:
        metrics.observe_output(kind, output.provenance, warnings=unrepaired(output))
    charge_tokens(request, output.provenance)


def unrepaired(output: Brief | Translation) -> int:
    if isinstance(output, Brief):
        return len(output.warnings)
    return sum(1 for s in output.segments if s.warnings)


def install(app: FastAPI, host: ModelHost, dependencies: Sequence[params.Depends] = ()) -> None:
    """Metrics for this app, GET /metrics (with `dependencies`: the key check, if it is to be
    behind one), and the request middleware. Call last in the factory: the middleware is then the
    outermost one, and every response (a body-limit 413 too) carries the request id."""
    metrics = Metrics()
    metrics.track_queue(lambda: host.depth)
    app.state.metrics = metrics
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False, dependencies=list(dependencies))
    async def scrape() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    app.include_router(router)
    app.add_middleware(RequestObserver, metrics=metrics)
