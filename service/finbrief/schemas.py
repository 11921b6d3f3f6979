"""Every public data shape, in one place: used by HTTP, CLI and (later) Slack and batch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic.json_schema import JsonDict

CauseLabel = Literal[
    "trade_policy",
    "ai_disruption",
    "monetary_policy",
    "liquidity",
    "valuation",
    "fiscal_policy",
    "macro_outlook",
    "earnings",
    "geopolitics",
    "positioning",
    "other",
]
Stance = Literal["supported", "rejected"]
Direction = Literal["down", "up", "volatile"]
Script = Literal["zh-Hans", "zh-Hant", "mixed", "not-chinese"]
EntityType = Literal["person", "organization", "company", "place", "index", "product", "other"]


# --- request limits: one definition each, stated in the OpenAPI schema -----------------------
# The text's bounds are settings (FINBRIEF_MIN_TEXT_CHARS, FINBRIEF_MAX_TEXT_CHARS; these are their
# defaults), checked by intake.py with their own codes (text_too_short 422, text_too_large 413), and
# each app's OpenAPI schema states its own (api/limits.py). The other fields' bounds are fixed and
# checked here (422 invalid_request): each goes into a prompt or the provenance, and a 200k-character
# "title" once became an 800k-token prompt.
MIN_TEXT_CHARS = 20  # Chinese characters
MAX_TEXT_CHARS = 60_000
MAX_TITLE_CHARS = 1_000
MAX_URL_CHARS = 2_048
MAX_SOURCE_CHARS = 200
MAX_TIMESTAMP_CHARS = 64


def unicode_text(value: str) -> str:
    """Refuses a lone UTF-16 surrogate (JSON's "\\ud800" escape): it is no character, and no UTF-8
    can carry it, so an answer quoting the text (evidence spans, segments) could never be sent."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"a lone UTF-16 surrogate at character {exc.start} is not text") from None
    return value


def timestamp_length(value: object) -> object:
    if isinstance(value, str) and len(value) > MAX_TIMESTAMP_CHARS:
        raise ValueError(f"a timestamp has at most {MAX_TIMESTAMP_CHARS} characters")
    return value


ArticleText = Annotated[str, AfterValidator(unicode_text)]
Title = Annotated[str, Field(max_length=MAX_TITLE_CHARS), AfterValidator(unicode_text)]
Url = Annotated[str, Field(max_length=MAX_URL_CHARS), AfterValidator(unicode_text)]
Source = Annotated[str, Field(max_length=MAX_SOURCE_CHARS), AfterValidator(unicode_text)]
Timestamp = Annotated[datetime, BeforeValidator(timestamp_length)]
TEXT_BOUNDS: JsonDict = {"minLength": MIN_TEXT_CHARS, "maxLength": MAX_TEXT_CHARS}  # defaults; see above


class BriefRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: ArticleText = Field(
        "",
        description="The article, as received (Traditional or Simplified Chinese), with at least "
        "`minLength` Chinese characters; needed unless `url`",
        json_schema_extra=TEXT_BOUNDS,
    )
    title: Title | None = Field(None, description="Headline, if it came separately from the text")
    url: Url | None = Field(
        None,
        description="The article's address: fetched (public addresses only) when `text` is absent; "
        "recorded in the brief's provenance",
    )
    source: Source | None = Field(None, description="Outlet name; recorded in the brief's provenance")
    published_at: Timestamp | None = Field(
        None,
        description="Recorded in the brief's provenance",
        json_schema_extra={"maxLength": MAX_TIMESTAMP_CHARS},
    )

    @model_validator(mode="after")
    def _text_or_url(self) -> BriefRequest:
        if "text" not in self.model_fields_set and self.url is None:
            raise ValueError("give the article's text, or its url")
        return self


class Span(BaseModel):
    """A verbatim slice of the text as received: text[start:end] == zh."""

    zh: str
    start: int = Field(..., ge=0)
    end: int = Field(..., ge=0)


class GroundedText(BaseModel):
    """A headline or bullet with the source span(s) it rests on, checked against those spans."""

    text: str
    evidence: list[Span] = Field(..., min_length=1)


class WithheldText(BaseModel):
    """English the faithfulness checks held back, and why: a headline or bullet rendering that failed
    the checks of its own span, or an evidence translation that changed its span's meaning."""

    kind: Literal["headline", "bullet", "evidence"]
    text: str
    evidence: list[Span] = Field(..., min_length=1)
    problems: list[str] = Field(..., min_length=1)
    repaired: bool = Field(
        False, description="A later rendering of the same span passed its checks and is in the brief instead"
    )


class KeyFigure(BaseModel):
    value: str = Field(..., description="English rendering with unit scaling applied, e.g. '$595 billion'")
    unit: str = Field(..., description="'USD', 'CNY', '%', 'percentage points', 'x', 'count', ...")
    what: str = Field(..., description="What the figure measures, in English")
    evidence: Span


class Entity(BaseModel):
    name_en: str
    name_zh: str = Field(..., description="The form found in the text ('' if the text uses the English name)")
    type: EntityType
    source: Literal["glossary", "text", "pinyin", "model"] = Field(
        ...,
        description="Where the English name comes from: the glossary, the article's own English (a gloss in "
        "parentheses, a name written in Latin script), or pinyin for a personal name written only in Chinese",
    )


class CauseClaim(BaseModel):
    label: CauseLabel
    stance: Stance
    claimant: str = Field(..., description="'author' or the person/institution making the claim, in English")
    moved: str
    direction: Direction
    evidence_zh: str
    evidence_start: int = Field(..., ge=0)
    evidence_end: int = Field(..., ge=0)
    evidence_en: str = Field(
        ..., description="English rendering of evidence_zh; '' when it failed its checks (see warnings)"
    )
    confidence: float = Field(..., ge=0.0, le=1.0)
    note: str | None = Field(None, description="For label 'other': what the driver is")


class Timings(BaseModel):
    total_s: float
    normalize_s: float = 0.0
    model_s: float = 0.0
    queue_s: float = 0.0


class TokenCounts(BaseModel):
    prompt: int = 0
    completion: int = 0
    cached: int = Field(0, description="Prompt tokens served from the prefix cache")
    calls: int = 0


class StepUsage(BaseModel):
    """One kind of model question in one output (its tag: claim, bullet, translate:repair …)."""

    calls: int = 0
    prompt: int = 0
    cached: int = 0
    completion: int = 0
    seconds: float = Field(0.0, description="Wall time of these calls as the backend saw them")
    prefill_s: float = Field(0.0, description="The engine's own time prefilling uncached prompt tokens")
    decode_s: float = Field(0.0, description="The engine's own time generating tokens")


class EngineInfo(BaseModel):
    """The serving engine that answered (backend `openai`)."""

    flavour: str = Field(..., description="llama-server, vllm, sglang, ollama or generic")
    host: str = Field(..., description="The engine URL's host:port (no path, no credentials)")
    model: str = Field(..., description="The served model name")
    fingerprint: str | None = Field(None, description="The engine's system_fingerprint, where it gives one")


class Provenance(BaseModel):
    model_id: str
    model_sha256: str | None
    backend: str
    prompt_version: str
    finbrief_version: str
    timings: Timings
    tokens: TokenCounts
    checks: dict[str, int] = Field(
        default_factory=dict, description="How often each faithfulness check fired (before repair)"
    )
    # Where the article came from, as the request said (briefs; None when not given).
    url: str | None = Field(None, description="The article's address (after redirects, if it was fetched)")
    source: str | None = Field(None, description="Outlet name")
    published_at: datetime | None = None
    cache: Literal["hit", "miss", "off"] | None = Field(
        None,
        description="hit: answered from the result cache (tokens, checks and model_s are the run's that "
        "made it; total_s and queue_s this request's); miss: made now and stored; off: no cache",
    )
    engine: EngineInfo | None = Field(None, description="backend openai: the serving engine that answered")
    steps: dict[str, StepUsage] = Field(
        default_factory=dict,
        description="Where the model time went, per kind of question; prefill_s and decode_s are 0 "
        "where the engine reports no timings (seconds then holds it all)",
    )


class Brief(BaseModel):
    headline_en: str = Field(..., description="'' only when no headline survived the checks (see warnings)")
    summary_en: list[str] = Field(
        ..., max_length=5, description="The bullets' text: summary[i].text (fewer when bullets failed checks)"
    )
    headline: GroundedText | None = Field(None, description="The headline with the span it renders")
    summary: list[GroundedText] = Field(
        default_factory=list, max_length=5, description="Each bullet with the source span(s) it rests on"
    )
    key_figures: list[KeyFigure]
    entities: list[Entity]
    causes: list[CauseClaim]
    primary_cause: CauseLabel | None
    source_script: Script
    skipped: list[Span] = Field(
        default_factory=list,
        description="Lines left out of the brief as page furniture (bylines, share bars, links)",
    )
    warnings: list[str] = Field(default_factory=list)
    withheld: list[WithheldText] = Field(
        default_factory=list,
        description="Every rendering the checks held back, with its problems (a repaired one too): what "
        "the reader was spared, and what an audit of the checks reads",
    )
    provenance: Provenance
    source_text: str | None = Field(
        None,
        description="The article text the brief was made from, when it was fetched from `url` (every "
        "offset points into it); null when the request gave the text",
    )


BriefStepName = Literal["normalize", "claims", "figures", "summary", "checks", "evidence"]


class BriefStep(BaseModel):
    """A progress line of `POST /v1/brief?stream=true`: the brief's pipeline has started a step."""

    type: Literal["step"] = "step"
    step: BriefStepName
    part: int = Field(1, ge=1, description="For the steps asked chunk by chunk: which chunk of the article")
    parts: int = Field(1, ge=1, description="How many chunks the article is asked in")
    elapsed_s: float = Field(..., ge=0, description="Seconds since the brief was queued (its wait included)")


class TranslateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: ArticleText = Field(
        ...,
        description="The article, as received (Traditional or Simplified Chinese), with at least "
        "`minLength` Chinese characters",
        json_schema_extra=TEXT_BOUNDS,
    )
    skip_boilerplate: bool = Field(
        True,
        description="Leave page furniture (share buttons, bylines) untranslated; listed in `skipped`",
    )


class TranslatedSegment(BaseModel):
    """One sentence (or a clause run of an overlong one): text[start:end] == zh."""

    zh: str
    en: str
    start: int = Field(..., ge=0)
    end: int = Field(..., ge=0)
    paragraph: int = Field(..., ge=0, description="Index of the paragraph (line) the segment belongs to")
    warnings: list[str] = Field(
        default_factory=list, description="Checks this segment still fails after repair (empty = passed)"
    )


class Translation(BaseModel):
    segments: list[TranslatedSegment]
    skipped: list[Span] = Field(default_factory=list, description="Lines left untranslated as boilerplate")
    source_script: Script
    warnings: list[str] = Field(default_factory=list)
    provenance: Provenance

    def english(self) -> str:
        """Paragraphs of English, in order, one per source paragraph."""
        paras: dict[int, list[str]] = {}
        for s in self.segments:
            paras.setdefault(s.paragraph, []).append(s.en)
        return "\n\n".join(" ".join(p for p in parts if p) for parts in paras.values())


class BatchRecord(BaseModel):
    """One line of `finbrief batch` OUTPUT: one article, briefed and translated in full."""

    id: str
    content_sha256: str = Field(..., description="Of the input as given (title + text, or the URL)")
    meta: dict[str, Any] = Field(
        default_factory=dict, description="title, source, url, published_at and any other input fields"
    )
    brief: Brief
    translation: Translation
    provenance: Provenance = Field(..., description="The whole record: fetch, brief and translation")
    duplicate_of: str | None = Field(None, description="The identical article whose output this reuses")
    finished_at: datetime


class BatchError(BaseModel):
    """One line of `finbrief batch`'s OUTPUT.errors.jsonl: an article that produced no record, and why."""

    id: str
    error: str = Field(..., description="Stable code: the service's, plus invalid_record and duplicate_id")
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)
    where: str = Field(..., description="Input file and line (or file) the article came from")
    content_sha256: str
    model_id: str
    model_sha256: str | None
    prompt_version: str
    finished_at: datetime


class LabelInfo(BaseModel):
    id: CauseLabel
    covers: str
    cues: list[str]


class ErrorBody(BaseModel):
    error: str = Field(..., description="Stable machine-readable code")
    message: str
    detail: dict[str, object] = Field(default_factory=dict)


class Health(BaseModel):
    status: Literal["ok"] = Field("ok", description="Not ready is a 503 with the error body, not a status")
    model_id: str | None = None
    backend: str | None = None
    queue_depth: int = 0
