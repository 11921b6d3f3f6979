"""An in-process client of the app on the scripted backend, ready to brief (keys and metrics tests)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from finbrief.api.app import create_app
from finbrief.model.backends.base import Backend
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.settings import Settings


class Clock:
    """Wall-clock seconds that move only when a test says so (quotas: no sleeping)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:  # 2027-01-15 08:00 UTC
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def ready_client(settings: Settings, backend: Backend | None = None) -> Iterator[TestClient]:
    with TestClient(create_app(settings, backend or ScriptedBackend())) as client:
        deadline = time.monotonic() + 10
        while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.01)
        yield client
