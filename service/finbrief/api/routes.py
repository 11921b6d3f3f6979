"""Routers: parse, delegate, return. No logic beyond that."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from ..errors import ModelNotReady, TextTooLarge
from ..schemas import Brief, BriefRequest, ErrorBody, Health, LabelInfo, TranslateRequest, Translation
from ..text.taxonomy import LABELS

router = APIRouter()
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (413, 422, 502, 503)}


@router.post(
    "/v1/brief", response_model=Brief, responses=ERRORS, summary="Brief one Chinese article in English"
)
async def brief(body: BriefRequest, request: Request) -> Brief:
    state = request.app.state
    _check_size(body.text, state.settings.max_text_chars)
    return await state.engine.run(lambda queued: state.runtime().pipeline.run(body, queue_s=queued))


@router.post(
    "/v1/translate",
    response_model=Translation,
    responses={**ERRORS, 200: {"content": {"application/x-ndjson": {}}}},
    summary="Translate one Chinese article into English, sentence-aligned",
)
async def translate(body: TranslateRequest, request: Request, stream: bool = False) -> Any:
    """With `?stream=true` the answer is NDJSON: one `{"type": "segment", ...}` line per segment as
    it is translated, then `{"type": "done", ...}` with skipped lines, warnings and provenance."""
    state = request.app.state
    _check_size(body.text, state.settings.max_text_chars)
    if not stream or state.engine.state != "ok":  # (not ready: run() raises the proper 503)
        return await state.engine.run(
            lambda queued: state.runtime().translator.translate(
                body.text, skip_boilerplate=body.skip_boilerplate, queue_s=queued
            )
        )
    translator = state.runtime().translator
    plan = translator.plan(body.text, body.skip_boilerplate)  # bad input: a 422 before any streaming

    events = state.engine.stream(lambda queued: translator.events(plan, queue_s=queued))

    async def lines() -> AsyncIterator[str]:
        async for event in events:
            if isinstance(event, Translation):
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

    return StreamingResponse(lines(), media_type="application/x-ndjson")


def _check_size(text: str, limit: int) -> None:
    if len(text) > limit:
        raise TextTooLarge(
            f"the text has {len(text)} characters; the limit is {limit}", detail={"limit": limit}
        )


@router.get("/v1/labels", response_model=list[LabelInfo], summary="The cause taxonomy")
async def labels() -> list[LabelInfo]:
    return list(LABELS)


@router.get("/healthz", response_model=Health, summary="Liveness: the process is up")
async def healthz(request: Request) -> Health:
    return Health(status="ok", queue_depth=request.app.state.engine.depth)


@router.get(
    "/readyz", response_model=Health, responses={503: {"model": ErrorBody}}, summary="Readiness: model loaded"
)
async def readyz(request: Request) -> Health:
    engine = request.app.state.engine
    if engine.state != "ok":
        if engine.state == "error":
            raise ModelNotReady(f"the model failed to load: {engine.error}")
        raise ModelNotReady("the model is still loading")
    rt = request.app.state.runtime()
    return Health(
        status="ok", model_id=rt.backend.model_id, backend=rt.backend.name, queue_depth=engine.depth
    )
