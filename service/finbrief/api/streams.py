"""NDJSON answers: one JSON object a line, sent as each is ready (POST /v1/brief?stream=true).

Once a stream has started its status is 200 and cannot change, so a failure mid-way is a line of
its own, `{"type": "error", "status": ..., ...}` with the body the same failure would have had as an
HTTP error: a client reads one error shape whether it streamed or not.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request

from ..errors import ClientGone, FinbriefError
from ..logs import REQUEST_ID
from ..schemas import Brief, BriefStep, ErrorBody
from .errors import status_for
from .observe import count_error, record_output

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/x-ndjson"


def ndjson(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False) + "\n"


def error_event(exc: Exception) -> dict[str, Any]:
    """The line for a failure: its HTTP status and the body its HTTP error would have had."""
    if isinstance(exc, FinbriefError):
        status, body = status_for(exc), ErrorBody(error=exc.code, message=exc.message, detail=exc.detail)
    else:  # as RequestObserver answers one: no internals, the id to find its log line by
        status = 500
        body = ErrorBody(
            error="internal_error", message="internal error", detail={"request_id": REQUEST_ID.get()}
        )
    return {"type": "error", "status": status, **body.model_dump(mode="json")}


async def brief_lines(
    request: Request, events: AsyncIterator[BriefStep | Brief], finish: Callable[[Brief], Brief]
) -> AsyncIterator[str]:
    """A step line as each pipeline step starts, then the brief line (`finish`ed as the plain
    answer would be), or an error line."""
    try:
        async for event in events:
            if isinstance(event, Brief):
                brief = finish(event)
                record_output(request, brief)  # metrics, and the caller's daily tokens
                yield ndjson({"type": "brief", **brief.model_dump(mode="json")})
            else:
                yield ndjson(event.model_dump(mode="json"))
    except ClientGone:  # its work has stopped, and nobody is reading
        count_error(request, ClientGone.code)
    except FinbriefError as exc:
        count_error(request, exc.code)
        yield ndjson(error_event(exc))
    except Exception as exc:
        log.exception("a streamed brief failed")
        count_error(request, "internal_error")
        yield ndjson(error_event(exc))
