"""One input record -> one BatchRecord: fetch (URL records), validate, brief, translate in full.

The same function runs in the local engine's threads and in Ray workers, so both engines produce
byte-for-byte the same kind of record. A record either has both the brief and the translation or
it is an error: the brief runs first because it validates the text (normalize: empty, not Chinese,
too short) and fails fast on an unverifiable article, before the longer translation is spent on it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import EngineUnavailable, FinbriefError, ModelError, Unavailable
from ..intake import Fetcher, check_size, with_article_text
from ..model.call import Usage, provenance
from ..model.prompts import PromptSet
from ..model.store import ModelStore
from ..runtime import Runtime, make_backend
from ..schemas import BatchError, BatchRecord, BriefRequest
from ..settings import Settings
from .inputs import InputRecord

log = logging.getLogger(__name__)
# Failures that are the job's, not the article's: every later article would fail the same way.
FATAL = (ModelError, Unavailable)
# A serving engine that did not answer within its retry budget fails this article, not the job: the
# article gets an error record, and a later --resume tries it again (the store does not remember it as
# the article's outcome). Only an engine that stays down stops the job (Job.ENGINE_DOWN_AFTER).
TRANSIENT = frozenset({EngineUnavailable.code})


@dataclass(frozen=True)
class Identity:
    """What a result depends on besides its input: with the content hash, the resume key."""

    model_id: str
    model_sha256: str | None
    prompt_version: str

    @classmethod
    def of_runtime(cls, runtime: Runtime) -> Identity:
        b = runtime.backend
        return cls(b.model_id, b.model_sha256, runtime.prompts.version)

    @classmethod
    def of_settings(cls, settings: Settings) -> Identity:
        """Without loading or pulling the model: the Ray driver needs the key before any worker
        has loaded anything, and should not download weights it will never run."""
        prompt_version = PromptSet(settings.prompts_dir, settings.prompt_version).version
        # No model file here: scripted answers itself; openai's engine names its served model.
        if settings.backend in ("scripted", "openai"):
            b = make_backend(settings)
            try:
                return cls(b.model_id, b.model_sha256, prompt_version)
            finally:
                b.close()
        store = ModelStore(settings)
        if settings.model in store.manifest:
            return cls(settings.model, store.manifest[settings.model].sha256, prompt_version)
        _, model_id, digest = store.resolve(settings.model, auto_pull=False)
        return cls(model_id, digest, prompt_version)


@dataclass(frozen=True)
class Failure:
    """Why an article produced no record: an error code, as the HTTP API would answer."""

    code: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, exc: FinbriefError) -> Failure:
        return cls(exc.code, exc.message, dict(exc.detail))

    def to_error(self, rec: InputRecord, identity: Identity, **extra: Any) -> BatchError:
        return BatchError(
            id=rec.id,
            error=self.code,
            message=self.message,
            detail={**self.detail, **extra},
            where=rec.where,
            content_sha256=rec.content_sha256,
            model_id=identity.model_id,
            model_sha256=identity.model_sha256,
            prompt_version=identity.prompt_version,
            finished_at=now(),
        )


Outcome = BatchRecord | Failure


def now() -> datetime:
    return datetime.now(UTC)


def attempt(runtime: Runtime, rec: InputRecord, fetcher: Fetcher, *, queue_s: float = 0.0) -> Outcome:
    """translate_article, with an article's own failures (and an engine outage: TRANSIENT) turned
    into a Failure. A fatal (model) error propagates: the job stops instead of writing the same error
    for every article."""
    try:
        return translate_article(runtime, rec, fetcher, queue_s=queue_s)
    except EngineUnavailable as exc:
        return Failure.of(exc)
    except FATAL:
        raise
    except FinbriefError as exc:
        return Failure.of(exc)
    except Exception as exc:  # a bug on one odd article must not end a night's job; it is recorded
        log.exception("article %s failed unexpectedly", rec.id)
        return Failure("internal_error", f"{type(exc).__name__}: {exc}")


def translate_article(
    runtime: Runtime, rec: InputRecord, fetcher: Fetcher, *, queue_s: float = 0.0
) -> BatchRecord:
    started = time.perf_counter()
    given = BriefRequest(
        text=rec.text or "", title=rec.title, url=rec.url, source=rec.source, published_at=rec.published_at
    )
    req = with_article_text(given, fetcher)  # inputs guarantee text or url
    check_size(req.text, runtime.settings.max_text_chars)
    brief = runtime.brief(req)  # both from the result cache when this content was done before
    translation = runtime.translate(req.text, skip_boilerplate=True)
    total = time.perf_counter() - started
    return BatchRecord(
        id=rec.id,
        content_sha256=rec.content_sha256,
        meta=rec.meta,
        brief=brief,
        translation=translation,
        provenance=provenance(
            runtime.backend,
            runtime.prompts.version,
            Usage.combined(brief.provenance, translation.provenance),
            total_s=total,
            normalize_s=brief.provenance.timings.normalize_s,
            queue_s=queue_s,
        ),
        finished_at=now(),
    )


def make_fetcher(settings: Settings) -> Fetcher:
    # The Slack bot's fetcher: SSRF guard (no private/loopback/metadata addresses), pinned IPs,
    # time and size limits, trafilatura extraction. Batch inputs come from desks' crawls, but the
    # job runs inside the company network all the same.
    from ..slack.fetch import ArticleFetcher

    return ArticleFetcher.from_settings(settings)
