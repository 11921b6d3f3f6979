"""The queue under a hostile crowd, through a real uvicorn server on loopback: a burst gets 503s with
Retry-After and the service recovers; clients that go away take their queued jobs with them; a
stream's planning never holds up the event loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from finbrief.engine import Engine
from finbrief.errors import QueueFull
from finbrief.model.backends.base import GenerationRequest, GenerationResult
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.pipeline.translation import Translator
from finbrief.settings import Settings

from .conftest import seed
from .test_api import serve

ARTICLE = seed("004")[:1500]


class Gated(ScriptedBackend):
    """Every generation waits for the gate: the first job holds the only worker until the test
    opens it. Records which articles reached the model (by their marker)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        self.gate.wait(30)
        return super().generate(batch)

    def saw(self, marker: str) -> bool:
        return any(marker in c.user for c in list(self.calls))


def article(marker: str) -> str:
    return f"标记{marker}。" + ARTICLE


def depth(base: str) -> int:
    return int(httpx.get(base + "/healthz").json()["queue_depth"])


def wait_until(predicate: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def leave_early(base: str, path: str, marker: str) -> None:
    """A client that gives up before its answer (closing its connection)."""
    with pytest.raises(httpx.ReadTimeout):
        if "stream" in path:
            with httpx.stream("POST", base + path, json={"text": article(marker)}, timeout=1) as r:
                r.read()
        else:
            httpx.post(base + path, json={"text": article(marker)}, timeout=1)


def test_a_cancelled_job_leaves_the_queue_at_once() -> None:
    # Not when a worker gets to it: a queue full of jobs nobody waits for refuses everyone else.
    engine, gate = Engine(workers=1, queue_size=1), threading.Event()
    try:
        running = engine.submit(lambda queued: gate.wait(10))
        assert wait_until(running.running)
        waiting = engine.submit(lambda queued: "never")
        with pytest.raises(QueueFull):
            engine.submit(lambda queued: "no room")
        assert waiting.cancel() and engine.depth == 1
        again = engine.submit(lambda queued: "ran")  # the place is free while the worker is busy
        gate.set()
        assert again.result(timeout=10) == "ran" and running.result(timeout=10) is True
    finally:
        gate.set()
        engine.shutdown()


@pytest.mark.parametrize("path", ["/v1/brief", "/v1/translate", "/v1/translate?stream=true"])
def test_a_client_that_leaves_takes_its_queued_job_with_it(settings: Settings, path: str) -> None:
    cfg = settings.model_copy(update={"parallel": 1, "queue_size": 2})
    backend = Gated()
    with serve(cfg, backend) as base, ThreadPoolExecutor(4) as pool:
        first = pool.submit(httpx.post, base + path.split("?")[0], json={"text": article("A000")}, timeout=60)
        assert wait_until(lambda: depth(base) == 1)  # running, held at the gate
        leavers = [pool.submit(leave_early, base, path, m) for m in ("B000", "C000")]
        for f in leavers:
            f.result(timeout=10)
        # Both places are free again at once, though the worker is still busy with the first job:
        # the queue was full of jobs nobody waited for.
        assert wait_until(lambda: depth(base) == 1, timeout=5), depth(base)
        late = pool.submit(httpx.post, base + "/v1/brief", json={"text": article("D000")}, timeout=60)
        assert wait_until(lambda: depth(base) == 2)  # queued, not refused
        backend.gate.set()
        assert first.result(timeout=60).status_code == 200
        assert late.result(timeout=60).status_code == 200
    assert backend.saw("A000") and backend.saw("D000")
    assert not backend.saw("B000") and not backend.saw("C000")  # dropped before they started


def test_a_burst_gets_503s_with_retry_after_then_the_service_recovers(settings: Settings) -> None:
    cfg = settings.model_copy(update={"parallel": 1, "queue_size": 2})
    with serve(cfg, ScriptedBackend(delay_s=0.005)) as base:
        with ThreadPoolExecutor(12) as pool:
            burst = list(
                pool.map(
                    lambda i: httpx.post(base + "/v1/brief", json={"text": article(f"{i:04d}")}, timeout=60),
                    range(12),
                )
            )
        codes = sorted(r.status_code for r in burst)
        assert set(codes) == {200, 503} and codes.count(200) >= 3, codes  # 1 running + 2 queued at least
        for r in burst:
            if r.status_code == 503:
                assert r.headers["retry-after"] == str(cfg.retry_after_s)
                assert r.json()["error"] == "queue_full" and set(r.json()) == {"error", "message", "detail"}
        # Recovery: the queue drains, and the next requests are served, one after another.
        assert wait_until(lambda: depth(base) == 0)
        for i in range(3):
            r = httpx.post(base + "/v1/brief", json={"text": article(f"R{i:03d}")}, timeout=60)
            assert r.status_code == 200, r.text
        assert depth(base) == 0


def test_a_streams_planning_does_not_hold_up_the_event_loop(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Planning (normalizing and cutting a long article) runs on the worker, not the event loop: a
    # health check during a slow plan is answered at once.
    planned = threading.Event()
    plan = Translator.plan

    def slow_plan(self: Translator, text: str, skip_boilerplate: bool = True):  # type: ignore[no-untyped-def]
        planned.set()
        time.sleep(1.5)
        return plan(self, text, skip_boilerplate)

    monkeypatch.setattr(Translator, "plan", slow_plan)
    with serve(settings, ScriptedBackend()) as base, ThreadPoolExecutor(1) as pool:
        streamed = pool.submit(
            lambda: httpx.post(base + "/v1/translate?stream=true", json={"text": ARTICLE}, timeout=30)
        )
        assert planned.wait(10)
        started = time.perf_counter()
        assert httpx.get(base + "/healthz", timeout=5).status_code == 200
        assert time.perf_counter() - started < 0.5
        assert streamed.result(timeout=30).status_code == 200
