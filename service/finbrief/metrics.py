"""Every Prometheus metric the service exposes, in one object per app (README "Keys, quotas and
metrics"). Each app has its own CollectorRegistry, not the library's global one: tests build many
apps in one process, and two apps must not share (or collide on) counters.

Who moves what: the request middleware (api/observe.py) counts requests and their latency; the
routes report each brief or translation they return (`observe_output`, which also counts cache hits
and misses from its provenance); the error handler counts error codes; the queue gauge reads the
engine when scraped. Other front ends of the same process can report cache lookups with
`cache_lookup`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from .schemas import Provenance

OutputKind = Literal["brief", "translation"]
TOKEN_KINDS = ("prompt", "completion", "cached")
# Seconds: scripted backends answer in milliseconds, a CPU model takes minutes on a long article.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600)
MAX_CHECK_LABELS = 64  # distinct check names kept as labels; the rest are counted as "other"
_CHECK_WORD_RE = re.compile(r"^[a-z][a-z_]*$")
_QUOTED_RE = re.compile(r"'[^']*'|\"[^\"]*\"")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "finbrief_requests", "HTTP requests by route template and status", ["route", "status"], registry=r
        )
        self.request_seconds = Histogram(
            "finbrief_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge("finbrief_queue_depth", "Engine jobs waiting or running", registry=r)
        self.queue_wait = Histogram(
            "finbrief_queue_wait_seconds",
            "Time an output's job waited in the engine queue",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.output_seconds = Histogram(
            "finbrief_output_duration_seconds",
            "Brief/translation latency: queue wait plus work",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.tokens = Counter("finbrief_tokens", "Model tokens by kind", ["kind"], registry=r)
        self.checks_fired = Counter(
            "finbrief_checks_fired", "Faithfulness checks that fired, before repair", ["check"], registry=r
        )
        self.unrepaired = Counter(
            "finbrief_unrepaired_items",
            "Items still failing their checks after repair (dropped, withheld or flagged: one per warning)",
            ["kind"],
            registry=r,
        )
        self.cache_lookups = Counter(
            "finbrief_cache_lookups", "Content cache lookups", ["kind", "result"], registry=r
        )
        self.errors = Counter("finbrief_errors", "Error responses by error code", ["code"], registry=r)
        self._check_labels: set[str] = set()
        for kind in TOKEN_KINDS:  # present (at 0) from the first scrape, so rates start at once
            self.tokens.labels(kind)
        for output in ("brief", "translation"):
            for result in ("hit", "miss"):
                self.cache_lookups.labels(output, result)

    def track_queue(self, depth: Callable[[], int]) -> None:
        self.queue_depth.set_function(lambda: float(depth()))

    def observe_output(self, kind: OutputKind, provenance: Provenance, warnings: int) -> None:
        """One brief or translation returned: its latency and queue wait; whether the cache had it;
        and, if the model made it now, its tokens, the checks that fired and what stayed unrepaired
        (a cached answer's provenance has the tokens and checks of the run that made it)."""
        self.output_seconds.labels(kind).observe(provenance.timings.total_s)
        self.queue_wait.labels(kind).observe(provenance.timings.queue_s)
        if provenance.cache in ("hit", "miss"):
            self.cache_lookup(kind, hit=provenance.cache == "hit")
        if provenance.cache == "hit":
            return
        for token_kind in TOKEN_KINDS:
            self.tokens.labels(token_kind).inc(getattr(provenance.tokens, token_kind))
        for check, fired in provenance.checks.items():
            self.checks_fired.labels(self._check_label(check)).inc(fired)
        self.unrepaired.labels(kind).inc(warnings)

    def cache_lookup(self, kind: OutputKind, hit: bool) -> None:
        self.cache_lookups.labels(kind, "hit" if hit else "miss").inc()

    def render(self) -> tuple[bytes, str]:
        """The text exposition format and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _check_label(self, check: str) -> str:
        """A bounded label for a check key. Keys are problem texts up to their first colon, and some
        carry what the model wrote ("names Janet Yellen, who is not in the article"): one series per
        name would grow without limit. Keep the lower-case words, and at most MAX_CHECK_LABELS."""
        words = [w.strip(",.;()") for w in _QUOTED_RE.sub(" ", check).split()]
        label = "_".join(w for w in words if _CHECK_WORD_RE.match(w))[:60] or "other"
        if label not in self._check_labels and len(self._check_labels) >= MAX_CHECK_LABELS:
            return "other"
        self._check_labels.add(label)
        return label
