"""The model host: one readiness state (loading -> ready | failed) shared by HTTP, Slack and batch."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from finbrief.api.app import create_app
from finbrief.errors import ModelNotReady
from finbrief.host import HostState, ModelHost
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.runtime import build_runtime
from finbrief.schemas import BriefRequest
from finbrief.settings import Settings
from finbrief.slack.briefer import HostBriefer

from .conftest import seed


class Gated(ScriptedBackend):
    """Warmup waits for the test to open the gate, or fails."""

    def __init__(self, fail: str | None = None) -> None:
        super().__init__()
        self.gate, self.fail = threading.Event(), fail

    def warmup(self) -> None:
        self.gate.wait(10)
        if self.fail:
            raise RuntimeError(self.fail)


def settle(host: ModelHost) -> HostState:
    deadline = time.monotonic() + 10
    while host.state is HostState.LOADING and time.monotonic() < deadline:
        time.sleep(0.01)
    return host.state


def test_loading_then_ready(settings: Settings) -> None:
    backend = Gated()
    host = ModelHost(settings.model_copy(update={"warmup": True}), backend)
    try:
        host.start_loading()
        assert host.state is HostState.LOADING
        with pytest.raises(ModelNotReady, match="still loading"):
            host.submit(lambda runtime, queued: None)
        backend.gate.set()
        assert settle(host) is HostState.READY and host.error is None
        assert host.submit(lambda runtime, queued: runtime.backend.model_id).result(5) == "scripted-test"
    finally:
        host.close()


def test_a_failed_load_is_a_state_with_its_error(settings: Settings) -> None:
    backend = Gated(fail="weights not found")
    backend.gate.set()
    host = ModelHost(settings.model_copy(update={"warmup": True}), backend)
    try:
        host.start_loading()
        assert settle(host) is HostState.FAILED and host.error == "weights not found"
        with pytest.raises(ModelNotReady, match="the model failed to load: weights not found"):
            host.submit(lambda runtime, queued: None)
        # A Slack brief waits for a model that is loading, not for one that failed.
        started = time.monotonic()
        with pytest.raises(ModelNotReady, match="failed to load"):
            HostBriefer(host)(BriefRequest(text=seed("004")))
        assert time.monotonic() - started < 2
    finally:
        host.close()


def test_http_readiness_and_503s_come_from_the_host(settings: Settings) -> None:
    backend = Gated(fail="weights not found")
    with TestClient(create_app(settings.model_copy(update={"warmup": True}), backend)) as client:
        host: ModelHost = client.app.state.host  # type: ignore[attr-defined]
        assert client.get("/readyz").json()["message"] == "the model is still loading"
        backend.gate.set()
        assert settle(host) is HostState.FAILED
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["message"] == "the model failed to load: weights not found"
        r = client.post("/v1/brief", json={"text": seed("004")})
        assert r.status_code == 503 and r.json()["message"] == "the model failed to load: weights not found"


def test_a_host_around_a_loaded_runtime_leaves_it_open(settings: Settings) -> None:
    # Batch loads and warms the model before the job; its host is ready at once and does not close
    # the backend the caller still owns.
    closed: list[bool] = []

    class Tracked(ScriptedBackend):
        def close(self) -> None:
            closed.append(True)

    runtime = build_runtime(settings, Tracked())
    host = ModelHost.around(runtime, workers=2, queue_size=2)
    assert host.state is HostState.READY and host.runtime is runtime
    assert host.submit(lambda rt, queued: rt is runtime).result(5)
    host.close()
    assert not closed


def test_a_job_runs_in_its_submitters_context() -> None:
    """A worker's log lines carry the request id of the request that queued the work."""
    from finbrief.engine import Engine
    from finbrief.logs import REQUEST_ID

    engine = Engine(workers=1, queue_size=4)
    try:
        token = REQUEST_ID.set("req-7")
        seen = engine.submit(lambda queued: REQUEST_ID.get()).result(timeout=10)
        REQUEST_ID.reset(token)
        assert seen == "req-7"
        assert engine.submit(lambda queued: REQUEST_ID.get()).result(timeout=10) is None
    finally:
        engine.shutdown()
