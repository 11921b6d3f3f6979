"""Briefs for Slack, run on the model host like every other brief.

The HTTP API answers a full queue with 503 and lets the client retry. A Slack user cannot retry a
message they already shared, so here a full queue (or a model still loading) means *wait*: the
request keeps its place in Bolt's listener pool and tries again with backoff until
`slack_queue_wait_s` is spent. The host's Engine stays the only owner of model threads.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import TimeoutError as FutureTimeout

from ..errors import Unavailable
from ..host import HostState, ModelHost
from ..intake import check_brief_input
from ..schemas import Brief, BriefRequest

log = logging.getLogger(__name__)
POLL_S = 0.5  # how often a waiting brief looks up from its future to notice a shutdown


class HostBriefer:
    def __init__(
        self,
        host: ModelHost,
        *,
        backoff_s: tuple[float, float] = (0.2, 5.0),
    ) -> None:
        self.host, self.settings, self.wait_s = host, host.settings, host.settings.slack_queue_wait_s
        self.backoff_s = backoff_s
        self.closed = False

    def close(self) -> None:
        """Stop waiting: the engine is going away and will not finish queued work."""
        self.closed = True

    def __call__(self, req: BriefRequest) -> Brief:
        check_brief_input(req, self.settings)  # a text we would refuse never waits for the engine
        if (hit := self._cached(req)) is not None:  # a brief already made never waits either
            return hit
        deadline = time.monotonic() + self.wait_s
        delay, longest = self.backoff_s
        while True:
            try:
                future = self.host.submit(lambda runtime, queued: runtime.brief(req, queue_s=queued))
                break
            except Unavailable as exc:
                failed_to_load = self.host.state is HostState.FAILED
                if failed_to_load or self.closed or time.monotonic() + delay > deadline:
                    raise
                log.info("slack brief waiting for the engine (%s); retrying in %.1f s", exc.code, delay)
                time.sleep(delay)
                delay = min(delay * 2, longest)
        while True:  # no deadline here: the brief is running or queued and will finish
            try:
                return future.result(timeout=POLL_S)
            except FutureTimeout:
                if self.closed:
                    future.cancel()
                    raise Unavailable("the service is shutting down") from None

    def _cached(self, req: BriefRequest) -> Brief | None:
        """The result cache's brief of this article, if the model is up (while it loads, the queued
        brief looks it up on its worker once it runs)."""
        try:
            runtime = self.host.runtime
        except Unavailable:
            return None
        return runtime.cached_brief(req)
