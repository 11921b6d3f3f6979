"""HTTP to a serving engine: one pooled client (connections reused across requests and threads),
and the engine's faults retried within a budget.

Faults are the engine's, not the request's: a refused or reset connection, a timeout, a body cut
off, 429 (after its Retry-After) and 5xx are tried again with backoff; when the budget or the
attempts run out the request fails with EngineUnavailable (503 + Retry-After over HTTP). A 4xx
that names the request itself (400: a grammar the engine refused, a prompt too long) is
EngineRejected: that one answer is an error, the brief goes on without it.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from ...errors import EngineUnavailable

log = logging.getLogger(__name__)
# Misconfiguration, not a passing fault: every request would fail the same way, so no retries.
CONFIG_STATUS = {401: "the engine refused the API key", 403: "the engine refused access", 404: "not found"}


class EngineRejected(Exception):
    """The engine refused this one request (a 4xx other than 401/403/404/408/429)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class _Retryable(Exception):
    def __init__(self, what: str, retry_after_s: float | None = None) -> None:
        super().__init__(what)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class RetryPolicy:
    budget_s: float = 60.0  # seconds one request may spend waiting between attempts (not in them)
    max_attempts: int = 4
    first_backoff_s: float = 0.5  # doubled after each fault, with jitter
    max_backoff_s: float = 10.0


def base_url(url: str) -> str:
    """The server's root: "http://h:8000/v1/" and "http://h:8000" are the same engine."""
    url = url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def url_host(url: str) -> str:
    """host:port of the engine, for provenance and logs (never credentials or paths)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class EngineHTTP:
    def __init__(
        self,
        url: str,
        *,
        api_key: str | None,
        timeout_s: float,
        max_connections: int,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,  # tests: an in-memory engine
    ) -> None:
        self.url, self.host, self.policy, self.sleep = base_url(url), url_host(url), policy, sleep
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(
            base_url=self.url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            transport=transport,
        )

    def request_json(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The engine's JSON answer, its faults retried within the policy; EngineUnavailable after.
        The budget bounds the waiting between attempts, not the attempts: a slow engine's answer
        may take the whole timeout and still be retried (at most max_attempts in all)."""
        backoff, waited = self.policy.first_backoff_s, 0.0
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, path, body)
            except _Retryable as fault:
                wait = fault.retry_after_s
                if wait is None:
                    wait = backoff * random.uniform(0.5, 1.5)  # jitter: retries from many threads spread
                if attempt >= self.policy.max_attempts or waited + wait > self.policy.budget_s:
                    raise self._unavailable(path, fault, attempt) from None
                log.warning("engine %s %s: %s; retry %d in %.1f s", self.host, path, fault, attempt, wait)
                self.sleep(wait)
                waited += wait
                backoff = min(backoff * 2, self.policy.max_backoff_s)

    def probe(self, path: str, timeout_s: float = 5.0) -> tuple[dict[str, Any] | None, httpx.Headers | None]:
        """One quick GET that may fail (flavour detection): (JSON or None, headers or None)."""
        try:
            resp = self.client.get(path, timeout=timeout_s)
        except httpx.HTTPError:
            return None, None
        try:
            data = resp.json() if resp.status_code == 200 else None
        except ValueError:
            data = None
        return (data if isinstance(data, dict) else None), resp.headers

    def close(self) -> None:
        self.client.close()

    # --- internals ----------------------------------------------------------------------------
    def _once(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        try:
            resp = self.client.request(method, path, json=body)
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:  # refused, reset, a body cut off (RemoteProtocolError)
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        status = resp.status_code
        if status in (408, 429) or status >= 500:
            raise _Retryable(f"HTTP {status}", retry_after_seconds(resp.headers.get("Retry-After")))
        if status in CONFIG_STATUS:
            raise EngineUnavailable(
                f"the engine at {self.host} answered {status} to {path}: {CONFIG_STATUS[status]}",
                detail={"engine": self.host, "status": status},
            )
        if status >= 400:
            raise EngineRejected(status, _error_message(resp))
        try:
            data = resp.json()
        except ValueError:
            raise _Retryable("an answer that is not JSON (cut off?)") from None
        if not isinstance(data, dict):
            raise _Retryable("an answer that is not a JSON object")
        return data

    def _unavailable(self, path: str, fault: _Retryable, attempts: int) -> EngineUnavailable:
        detail: dict[str, object] = {"engine": self.host, "attempts": attempts, "fault": str(fault)}
        if fault.retry_after_s is not None:
            detail["retry_after_s"] = round(fault.retry_after_s)
        return EngineUnavailable(
            f"the engine at {self.host} did not answer {path} after {attempts} attempt(s): {fault}",
            detail=detail,
        )


def _error_message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return resp.text[:300]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))[:300]
    return str(error or data)[:300]
