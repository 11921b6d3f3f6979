"""The one place where finbrief errors become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import (
    ClientGone,
    EngineUnavailable,
    FinbriefError,
    GenerationFailed,
    InvalidInput,
    ModelError,
    QuotaExceeded,
    TextTooLarge,
    Unauthorized,
    Unavailable,
)
from ..schemas import ErrorBody
from .observe import count_error

STATUS: list[tuple[type[FinbriefError], int]] = [
    (InvalidInput, 422),
    (TextTooLarge, 413),
    (Unavailable, 503),
    (GenerationFailed, 502),
    (ModelError, 503),
    (Unauthorized, 401),
    (QuotaExceeded, 429),
    (ClientGone, 499),  # nginx's "client closed request": for the logs and metrics, no client reads it
]
# The refusals FastAPI and Starlette raise themselves (unknown path, wrong method, a body that is
# not UTF-8 or nests too deep to parse), by status; any other status gets "http_<status>".
HTTP_CODES = {
    400: "malformed_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


class HTTPRefusal(StarletteHTTPException):
    """A refusal by the HTTP layer, before any finbrief code reads the request (the body limit,
    Slack's signature), with its error code and detail. An HTTPException, because FastAPI re-raises
    one raised while it reads a body, where any other exception becomes a bare 400."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        detail: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, detail=message, headers=headers)
        self.code, self.info = code, detail or {}


def http_code(exc: StarletteHTTPException) -> str:
    if isinstance(exc, HTTPRefusal):
        return exc.code
    return HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")


def http_error_response(exc: StarletteHTTPException) -> JSONResponse:
    """The error shape for an HTTP-level refusal; its headers (405's Allow) are kept."""
    detail = exc.info if isinstance(exc, HTTPRefusal) else {}
    body = ErrorBody(error=http_code(exc), message=str(exc.detail), detail=detail)
    return JSONResponse(body.model_dump(), status_code=exc.status_code, headers=exc.headers)


def echoable(value: object, limit: int = 200) -> object:
    """A part of the request as safe to echo in an error: bounded (an unknown key may be as long as
    the body), and without lone surrogates, which JSON allows but UTF-8 cannot encode (the error
    response itself would fail with a 500)."""
    if isinstance(value, int):
        return value
    text = str(value)
    clipped = text if len(text) <= limit else text[:limit] + "…"
    return clipped.encode("utf-8", "backslashreplace").decode("utf-8")


def status_for(exc: FinbriefError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 500)


def headers_for(exc: FinbriefError, status: int, retry_after_s: int) -> dict[str, str] | None:
    if isinstance(exc, QuotaExceeded):  # the key's own wait: until its window or its day is over
        return {"Retry-After": str(exc.retry_after_s)}
    if isinstance(exc, Unauthorized):
        return {"WWW-Authenticate": 'Bearer realm="finbrief"'}  # RFC 6750: how to authenticate
    if status != 503:
        return None
    # An engine that said how long it needs (its own 429/503 Retry-After) knows better than our default.
    engine_wait = exc.detail.get("retry_after_s") if isinstance(exc, EngineUnavailable) else None
    wait = max(1, int(engine_wait)) if isinstance(engine_wait, int | float) else retry_after_s
    return {"Retry-After": str(wait)}


def install(app: FastAPI, retry_after_s: int) -> None:
    @app.exception_handler(FinbriefError)
    async def finbrief_error(request: Request, exc: FinbriefError) -> JSONResponse:
        status = status_for(exc)
        headers = headers_for(exc, status, retry_after_s)
        count_error(request, exc.code)  # /metrics: finbrief_errors_total{code}
        body = ErrorBody(error=exc.code, message=exc.message, detail=exc.detail)
        return JSONResponse(body.model_dump(), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [echoable(part) for part in e.get("loc", ())], "msg": echoable(e.get("msg", ""), 500)}
            for e in exc.errors()
        ]
        body = ErrorBody(
            error="invalid_request", message="the request body is not valid", detail={"errors": errors}
        )
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        count_error(request, http_code(exc))
        return http_error_response(exc)
