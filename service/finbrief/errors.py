"""One exception hierarchy. HTTP mapping lives in api/errors.py and nowhere else."""

from __future__ import annotations


class FinbriefError(Exception):
    """Base class. `code` is a stable machine-readable identifier for clients."""

    code = "internal_error"

    def __init__(self, message: str, *, detail: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or {}


# --- the caller sent something we cannot brief (4xx) ---------------------------------------
class InvalidInput(FinbriefError):
    code = "invalid_input"


class EmptyText(InvalidInput):
    code = "empty_text"


class TextTooShort(InvalidInput):
    code = "text_too_short"


class NotChinese(InvalidInput):
    code = "not_chinese"


class TextTooLarge(FinbriefError):
    code = "text_too_large"


# --- a link we will not, or could not, turn into article text (Slack `/brief https://…`) --
class UrlRefused(InvalidInput):
    """Not http(s), or it resolves to a private/loopback/link-local address (SSRF guard)."""

    code = "url_refused"


class FetchFailed(InvalidInput):
    """The page could not be fetched within the limits, or had no article text."""

    code = "fetch_failed"


# --- a batch input line that is not a usable article record (`finbrief batch`) ------------
class InvalidRecord(InvalidInput):
    """Not JSON, not an object, no id, neither text nor url, a field of the wrong type."""

    code = "invalid_record"


class DuplicateId(InvalidInput):
    """The id was already used by another article of the same input."""

    code = "duplicate_id"


# --- the service cannot take work right now (503 + Retry-After) ---------------------------
class Unavailable(FinbriefError):
    code = "unavailable"


class ModelNotReady(Unavailable):
    code = "model_not_ready"


class QueueFull(Unavailable):
    code = "queue_full"


class EngineUnavailable(Unavailable):
    """The serving engine (backend=openai) did not answer within its retry budget: refused, timed
    out, overloaded (429) or failing (5xx). Nothing half-done is returned; the client retries."""

    code = "engine_unavailable"


# --- the caller may not use the service, or not now (FINBRIEF_AUTH=keys: 401, 429) ---------
class Unauthorized(FinbriefError):
    """No API key, or not a valid (active) one."""

    code = "unauthorized"


class QuotaExceeded(FinbriefError):
    """The key's daily model tokens are used up (429); Retry-After says when they reset."""

    code = "quota_exceeded"

    def __init__(self, message: str, *, retry_after_s: int, detail: dict[str, object] | None = None) -> None:
        super().__init__(message, detail={**(detail or {}), "retry_after_s": retry_after_s})
        self.retry_after_s = retry_after_s


class RateLimited(QuotaExceeded):
    """The key's requests a minute are used up (429)."""

    code = "rate_limited"


# --- the model did not produce something we can stand behind (502) ------------------------
class GenerationFailed(FinbriefError):
    code = "generation_failed"


class VerificationFailed(GenerationFailed):
    code = "verification_failed"


# --- provisioning -------------------------------------------------------------------------
class ModelError(FinbriefError):
    code = "model_error"


class UnknownModel(ModelError):
    code = "unknown_model"


class ModelNotFound(ModelError):
    code = "model_not_found"


class HashMismatch(ModelError):
    code = "hash_mismatch"


# --- nobody is waiting any more (engine.py; 499 over HTTP, a status no client reads) ----------
class ClientGone(FinbriefError):
    """The client went away before its answer was ready; its work was dropped if still queued."""

    code = "client_gone"
