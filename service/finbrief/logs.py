"""JSON log lines, each with the id of the request it belongs to. Configured at the edge (`finbrief
serve`), never at import: a library user's logging is theirs.

Article text is never logged by default: the request log line has the method, route, status,
latency and key name, never a body.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

# The id of the request being handled; set by the request middleware (api/observe.py). Work on the
# engine's threads runs outside the request's context, so its log lines carry no id.
REQUEST_ID: ContextVar[str | None] = ContextVar("finbrief_request_id", default=None)

LogFormat = Literal["json", "text"]
# What every LogRecord has; anything else on a record came from `extra=` and is logged as a field.
# (uvicorn's `color_message` is its message again, with terminal colour codes.)
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        # Underscored attributes are other libraries' bookkeeping (Ray's record factory adds
        # `_ray_timestamp_ns` to every record once Ray is imported), not fields anyone logged.
        entry.update(
            {
                k: v
                for k, v in record.__dict__.items()
                if k not in _STANDARD and k != "request_id" and not k.startswith("_")
            }
        )
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(fmt: LogFormat, *, verbose: bool = False) -> None:
    """One stderr handler for everything (uvicorn's loggers too). Request lines and server notices
    at INFO; everything else at WARNING unless verbose, since the pipeline's INFO lines quote model
    answers, which can quote the article."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[handler], force=True)
    for name in ("finbrief.access", "uvicorn.error"):
        logging.getLogger(name).setLevel(logging.INFO)
