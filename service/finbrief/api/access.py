"""API keys and per-key quotas over HTTP (FINBRIEF_AUTH=keys; README "Keys, quotas and metrics").

A FastAPI dependency on the API's routes, so its 401 and 429 go through the one error mapping. With
FINBRIEF_AUTH=none (the default) nothing is installed. Liveness and readiness stay open for probes;
/slack/events is not under it (Slack requests are verified by their signature instead).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, FastAPI, Request, params

from ..errors import Unauthorized
from ..keys.quotas import Limits, QuotaBook
from ..keys.store import KeyRecord, KeyRing, key_file
from ..schemas import ErrorBody, Provenance
from ..settings import Settings

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/healthz", "/readyz"})  # probes carry no key; everything else needs one


@dataclass
class Access:
    ring: KeyRing
    quotas: QuotaBook
    default_limits: Limits  # for keys that set no limit of their own

    def limits_for(self, key: KeyRecord) -> Limits:
        return Limits(
            rate_per_min=key.rate_per_min or self.default_limits.rate_per_min,
            daily_tokens=key.daily_tokens or self.default_limits.daily_tokens,
        )


@dataclass
class Protection:
    """What to put on a router that needs a key: the check, and its answers in the OpenAPI schema."""

    dependencies: list[params.Depends] = field(default_factory=list)
    responses: dict[int | str, dict[str, Any]] = field(default_factory=dict)


def bearer_key(authorization: str | None) -> str | None:
    scheme, _, key = (authorization or "").partition(" ")
    return (key.strip() or None) if scheme.lower() == "bearer" else None


async def require_key(request: Request) -> None:
    """A valid key within its quotas (else 401 / 429); its name goes on the request (for the token
    charge and the log line)."""
    if getattr(request.scope.get("route"), "path", None) in OPEN_PATHS:  # the template: no root_path
        return
    access: Access = request.app.state.access
    presented = bearer_key(request.headers.get("authorization"))
    if presented is None:
        raise Unauthorized(
            "an API key is required: Authorization: Bearer <key>", detail={"reason": "missing"}
        )
    key = access.ring.match(presented)
    if key is None:
        raise Unauthorized("the API key is not valid (unknown or revoked)", detail={"reason": "invalid"})
    access.quotas.admit(key.name, access.limits_for(key))
    request.state.api_key = key.name


def charge_tokens(request: Request, provenance: Provenance) -> None:
    """The model tokens of an output go onto its caller's daily quota (when keys are on). Prompt
    plus completion: cached tokens are prompt tokens the prefix cache served, already counted. An
    answer from the result cache costs the model nothing, and is not charged."""
    access: Access | None = getattr(request.app.state, "access", None)
    key: str | None = getattr(request.state, "api_key", None)
    if access is not None and key is not None and provenance.cache != "hit":
        access.quotas.charge(key, provenance.tokens.prompt + provenance.tokens.completion)


def install(app: FastAPI, settings: Settings) -> Protection:
    """With FINBRIEF_AUTH=keys: the key ring and quota book on `app.state.access`, and the
    protection for the routers that need a key. Otherwise an empty protection."""
    if settings.auth != "keys":
        return Protection()
    ring = KeyRing(key_file(settings), settings.api_keys)
    if ring.count() == 0:
        log.warning("FINBRIEF_AUTH=keys but there are no keys: add one with `finbrief keys add NAME`")
    app.state.access = Access(
        ring, QuotaBook(), Limits(settings.key_rate_per_min, settings.key_daily_tokens)
    )
    error = {"model": ErrorBody}
    return Protection([Depends(require_key)], {401: error, 429: error})
