"""The one place where finbrief errors become HTTP responses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ..errors import FinbriefError, GenerationFailed, InvalidInput, ModelError, TextTooLarge, Unavailable
from ..schemas import ErrorBody

STATUS: list[tuple[type[FinbriefError], int]] = [
    (InvalidInput, 422),
    (TextTooLarge, 413),
    (Unavailable, 503),
    (GenerationFailed, 502),
    (ModelError, 503),
]


def status_for(exc: FinbriefError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 500)


def install(app: FastAPI, retry_after_s: int) -> None:
    @app.exception_handler(FinbriefError)
    async def finbrief_error(_: Request, exc: FinbriefError) -> JSONResponse:
        status = status_for(exc)
        headers = {"Retry-After": str(retry_after_s)} if status == 503 else None
        body = ErrorBody(error=exc.code, message=exc.message, detail=exc.detail)
        return JSONResponse(body.model_dump(), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        body = ErrorBody(
            error="invalid_request", message="the request body is not valid", detail={"errors": errors}
        )
        return JSONResponse(body.model_dump(), status_code=422)
