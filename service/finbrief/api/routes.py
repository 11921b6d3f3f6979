"""Routers: parse, delegate, return. No logic beyond that."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from ..cache import cache_lookup_allowed
from ..host import ModelHost
from ..intake import admit_brief, check_translation_input, with_fetched_text
from ..schemas import (
    Brief,
    BriefRequest,
    ErrorBody,
    Health,
    LabelInfo,
    TranslateRequest,
    Translation,
)
from ..text.taxonomy import LABELS
from .observe import record_output
from .streams import MEDIA_TYPE, brief_lines

router = APIRouter()
# 400: a body that is not UTF-8 or nests too deep to parse; 413: the text, or the body (api/limits.py).
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (400, 413, 422, 502, 503)}


@router.post(
    "/v1/brief",
    response_model=Brief,
    responses={**ERRORS, 200: {"content": {MEDIA_TYPE: {}}}},
    summary="Brief one Chinese article in English",
)
async def brief(body: BriefRequest, request: Request, stream: bool = False) -> Any:
    """The article is `text`, or the page at `url` when `text` is absent (public addresses only;
    the brief then carries the fetched text as `source_text`).

    With `?stream=true` the answer is NDJSON: a `{"type": "step", "step": ..., "elapsed_s": ...}`
    line as the pipeline starts each step (normalize, then claims, figures and summary for each
    chunk of the article, then checks and evidence), then one `{"type": "brief", ...}` line with
    the brief. A failure once streaming has started is a last line `{"type": "error", "status":
    ..., "error": ..., "message": ..., "detail": ...}`, the body of the HTTP error it would have
    been; refusals before work starts (413, 422, 503) are HTTP errors as without streaming. A
    stored brief is the brief line alone. A client that closes the connection stops the work at
    its next step."""
    host: ModelHost = request.app.state.host
    # Fetched and refused before queueing: a bad text is a 413/422 even while the model loads. Off
    # the event loop: a fetch takes seconds, and normalizing a long article a fraction of one.
    req = await run_in_threadpool(admit_brief, body, host.settings, request.app.state.fetcher)
    # A stored brief of the same article answers without queueing (`Cache-Control: no-cache`: not).
    lookup = cache_lookup_allowed(request.headers.get("cache-control"))

    def finish(result: Brief) -> Brief:
        return with_fetched_text(result, body, req)

    if not stream:
        result = finish(await host.brief(req, lookup=lookup))
        record_output(request, result)  # metrics, and the caller's daily tokens
        return result
    # Not ready or queue full: a 503 before any streaming.
    events = await host.brief_events(req, lookup=lookup)
    return StreamingResponse(brief_lines(request, events, finish), media_type=MEDIA_TYPE)


@router.post(
    "/v1/translate",
    response_model=Translation,
    responses={**ERRORS, 200: {"content": {MEDIA_TYPE: {}}}},
    summary="Translate one Chinese article into English, sentence-aligned",
)
async def translate(body: TranslateRequest, request: Request, stream: bool = False) -> Any:
    """With `?stream=true` the answer is NDJSON: one `{"type": "segment", ...}` line per segment as
    it is translated, then `{"type": "done", ...}` with skipped lines, warnings and provenance."""
    host: ModelHost = request.app.state.host
    await run_in_threadpool(check_translation_input, body.text, host.settings)  # 413/422 before queueing
    lookup = cache_lookup_allowed(request.headers.get("cache-control"))
    if not stream:
        result = await host.translate(body.text, skip_boilerplate=body.skip_boilerplate, lookup=lookup)
        record_output(request, result)
        return result
    # Not ready or queue full: a 503 before any streaming (a stored translation is replayed).
    events = await host.translation_events(body.text, skip_boilerplate=body.skip_boilerplate, lookup=lookup)

    async def lines() -> AsyncIterator[str]:
        async for event in events:
            if isinstance(event, Translation):
                record_output(request, event)
                done = event.model_dump(mode="json", exclude={"segments"})
                yield (
                    json.dumps({"type": "done", "segments": len(event.segments), **done}, ensure_ascii=False)
                    + "\n"
                )
            else:
                yield (
                    json.dumps({"type": "segment", **event.model_dump(mode="json")}, ensure_ascii=False)
                    + "\n"
                )

    return StreamingResponse(lines(), media_type=MEDIA_TYPE)


@router.get("/v1/labels", response_model=list[LabelInfo], summary="The cause taxonomy")
async def labels() -> list[LabelInfo]:
    return list(LABELS)


@router.get("/healthz", response_model=Health, summary="Liveness: the process is up")
async def healthz(request: Request) -> Health:
    return Health(status="ok", queue_depth=request.app.state.host.depth)


@router.get(
    "/readyz", response_model=Health, responses={503: {"model": ErrorBody}}, summary="Readiness: model loaded"
)
async def readyz(request: Request) -> Health:
    host: ModelHost = request.app.state.host
    # ModelNotReady (503) while loading or after a failed load; EngineUnavailable when its engine is down
    backend = await host.ready_backend()
    return Health(status="ok", model_id=backend.model_id, backend=backend.name, queue_depth=host.depth)
