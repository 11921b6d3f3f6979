"""Per-key quotas: requests a minute (a sliding window) and model tokens a UTC day.

In memory, per process: a restart starts every key afresh, and several processes behind one
balancer each allow the full quota. The clock is passed in, so tests move time instead of sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import QuotaExceeded, RateLimited

WINDOW_S = 60.0
DAY_S = 86_400


@dataclass(frozen=True)
class Limits:
    rate_per_min: int | None  # None: no limit
    daily_tokens: int | None


class QuotaBook:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock  # wall-clock seconds (the daily quota resets at midnight UTC)
        self._requests: dict[str, deque[float]] = {}
        self._tokens: dict[str, tuple[int, int]] = {}  # key name -> (UTC day number, tokens used)
        self._lock = threading.Lock()

    def admit(self, name: str, limits: Limits) -> None:
        """Count one request for `name`, or raise (429) if it is over a quota. A refused request
        is not counted: a client that backs off as told gets in when Retry-After has passed."""
        now = self.clock()
        with self._lock:
            if limits.daily_tokens is not None:
                used = self.tokens_used(name, now)
                if used >= limits.daily_tokens:
                    raise QuotaExceeded(
                        f"the key {name!r} has used its {limits.daily_tokens:,} model tokens for today (UTC)",
                        retry_after_s=math.ceil((now // DAY_S + 1) * DAY_S - now),
                        detail={"quota": "daily_tokens", "limit": limits.daily_tokens, "used": used},
                    )
            window = self._requests.setdefault(name, deque())
            while window and window[0] <= now - WINDOW_S:
                window.popleft()
            if limits.rate_per_min is not None and len(window) >= limits.rate_per_min:
                raise RateLimited(
                    f"the key {name!r} is limited to {limits.rate_per_min} requests a minute",
                    retry_after_s=max(1, math.ceil(window[0] + WINDOW_S - now)),
                    detail={"quota": "rate_per_min", "limit": limits.rate_per_min},
                )
            window.append(now)

    def charge(self, name: str, tokens: int) -> None:
        """Add the model tokens one of `name`'s requests used. A request that started under the
        daily quota finishes (its brief is not thrown away); the next one is refused."""
        now = self.clock()
        with self._lock:
            self._tokens[name] = (int(now // DAY_S), self.tokens_used(name, now) + tokens)

    def tokens_used(self, name: str, now: float) -> int:
        day, used = self._tokens.get(name, (-1, 0))
        return used if day == int(now // DAY_S) else 0
