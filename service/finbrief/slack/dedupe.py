"""Remember-once keys with a time to live.

Slack redelivers an event when it did not see our 200 in time (X-Slack-Retry-Num), and a user can
trigger the same message twice from different surfaces (shortcut, mention, auto-brief). Both must
end in one brief, so every unit of work first claims its keys here. In-memory: one process is one
Slack app; several processes behind a load balancer would need a shared store instead.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class Deduper:
    def __init__(
        self, ttl_s: float, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl, self._max, self._clock = ttl_s, max_keys, clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> expiry, oldest first
        # Bolt calls in from its request and listener threads; claim must be check-and-set at once.
        self._lock = threading.Lock()

    def claim(self, *keys: str) -> bool:
        """True (and all keys remembered) only if none of the keys is already remembered."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            if any(k in self._seen for k in keys):
                return False
            for k in keys:
                self._seen[k] = now + self._ttl
            while len(self._seen) > self._max:
                self._seen.popitem(last=False)
            return True

    def release(self, key: str) -> None:
        """Forget a key, e.g. after a failed brief, so the user can try again."""
        with self._lock:
            self._seen.pop(key, None)

    def _expire(self, now: float) -> None:
        while self._seen:
            key, expiry = next(iter(self._seen.items()))
            if expiry > now:
                return
            del self._seen[key]
