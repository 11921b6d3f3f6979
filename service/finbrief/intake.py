"""Input checks that run where an article arrives, before any model work is queued.

Every front end (HTTP, Slack, batch, CLI) refuses a text here, so a bad input is a 413/422 (or its
Slack/CLI analogue) whether or not the model has finished loading, and never waits in the queue.
The checks are the pipeline's own: the one size limit, and `normalize()` with the arguments the
brief and translation pipelines use (the pipelines normalize again on the worker; the work is
milliseconds for a typical article and keeps the pipelines' inputs unchanged).
"""

from __future__ import annotations

from .errors import TextTooLarge
from .schemas import BriefRequest
from .settings import Settings
from .text.normalize import Document, normalize


def check_size(text: str, limit: int) -> None:
    """The one size limit (413 over HTTP, exit code 2 in the CLI)."""
    if len(text) > limit:
        raise TextTooLarge(
            f"the text has {len(text):,} characters; the limit is {limit:,}",
            detail={"limit": limit, "chars": len(text)},
        )


def check_brief_input(req: BriefRequest, settings: Settings) -> Document:
    """What `BriefPipeline.run` would refuse: too large, empty, not Chinese, too short."""
    check_size(req.text, settings.max_text_chars)
    return normalize(req.text, req.title, min_chars=settings.min_text_chars)


def check_translation_input(text: str, settings: Settings) -> Document:
    """What `Translator.plan` would refuse: too large, empty, not Chinese (any length will do)."""
    check_size(text, settings.max_text_chars)
    return normalize(text, min_chars=1)
