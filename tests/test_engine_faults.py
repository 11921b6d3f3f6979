"""The engine's faults are the engine's: retried within a budget, then a clean 503 with Retry-After;
never a 500, never a half-verified brief, no request lost or answered twice.

A fake llama-server (scripted answers) behind a loopback proxy that misbehaves on cue."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from finbrief.api.app import create_app
from finbrief.cli import main
from finbrief.errors import EngineUnavailable
from finbrief.host import HostState
from finbrief.model.backends.base import GenerationRequest
from finbrief.model.backends.engine_http import EngineHTTP, RetryPolicy, retry_after_seconds
from finbrief.model.backends.openai_backend import OpenAIBackend
from finbrief.settings import Settings

from .app_client import ready_client
from .conftest import seed
from .engine_fakes import FakeEngine, FaultProxy, closed_port, echo, serving

FAULTS = ["slow", "429", "500", "reset", "truncated"]


def make_backend(
    url: str, *, budget_s: float = 10.0, attempts: int = 4, concurrency: int = 4
) -> OpenAIBackend:
    http = EngineHTTP(
        url,
        api_key="sk-test-secret",
        timeout_s=1.0,  # the proxy's slow answer (2 s) is a timeout
        max_connections=concurrency,
        policy=RetryPolicy(budget_s=budget_s, max_attempts=attempts, first_backoff_s=0.05, max_backoff_s=0.2),
    )
    return OpenAIBackend(http, model="fake-model", flavour="llama-server", max_concurrency=concurrency)


@pytest.fixture
def engine() -> Iterator[tuple[FakeEngine, FaultProxy, str]]:
    fake = FakeEngine(echo)
    with serving(fake.handler()) as upstream:
        proxy = FaultProxy(upstream)
        with serving(proxy.handler()) as url:
            yield fake, proxy, url


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_is_retried_and_answered_once(
    fault: str, engine: tuple[FakeEngine, FaultProxy, str]
) -> None:
    fake, proxy, url = engine
    proxy.faults.extend([fault])
    backend = make_backend(url)
    started = time.monotonic()
    [result] = backend.generate([GenerationRequest(system="", user="question one", tag="t")])
    elapsed = time.monotonic() - started
    assert result.finish_reason == "stop" and result.text == "question one"
    assert proxy.seen == [fault, "ok"]
    assert fake.users() == ["question one"]  # the engine itself answered it exactly once
    if fault == "429":
        assert elapsed >= 1.0  # Retry-After: 1 was honoured, not the 50 ms backoff
    backend.close()


def test_a_concurrent_batch_under_faults_loses_nothing(engine: tuple[FakeEngine, FaultProxy, str]) -> None:
    fake, proxy, url = engine
    proxy.retry_after = "0.2"
    proxy.faults.extend(["reset", "500", "truncated", "429", "slow", "500", "reset"])
    backend = make_backend(url, concurrency=4)
    batch = [GenerationRequest(system="s", user=f"question {i}", tag="t") for i in range(12)]
    results = backend.generate(batch)
    assert [r.text for r in results] == [f"question {i}" for i in range(12)]  # in order, none mixed up
    assert sorted(fake.users()) == sorted(f"question {i}" for i in range(12))  # each answered once
    assert proxy.seen.count("ok") == 12 and len(proxy.seen) == 12 + 7
    backend.close()


def test_an_engine_that_stays_down_fails_the_batch(engine: tuple[FakeEngine, FaultProxy, str]) -> None:
    fake, proxy, url = engine
    proxy.always = "500"
    backend = make_backend(url, attempts=3)
    with pytest.raises(EngineUnavailable) as info:
        backend.generate([GenerationRequest(system="", user=f"q{i}") for i in range(3)])
    assert info.value.detail["attempts"] == 3 and "HTTP 500" in info.value.message
    assert fake.users() == []
    backend.close()


def test_a_retry_after_beyond_the_budget_gives_up_at_once(engine: tuple[FakeEngine, FaultProxy, str]) -> None:
    _, proxy, url = engine
    proxy.retry_after, proxy.always = "120", "429"
    backend = make_backend(url, budget_s=5)
    started = time.monotonic()
    with pytest.raises(EngineUnavailable) as info:
        backend.generate([GenerationRequest(system="", user="q")])
    assert time.monotonic() - started < 2 and info.value.detail["retry_after_s"] == 120
    assert proxy.seen == ["429"]
    backend.close()


def test_a_request_the_engine_refuses_is_one_error_not_a_retry() -> None:
    fake = FakeEngine(reject="failed to parse grammar")
    with serving(fake.handler()) as url:
        backend = make_backend(url)
        [result] = backend.generate([GenerationRequest(system="", user="q")])
        backend.close()
    assert result.finish_reason == "error" and "failed to parse grammar" in (result.error or "")
    assert len(fake.bodies) == 1


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after_seconds("3") == 3.0 and retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= (retry_after_seconds(date) or 0) <= 31


def openai_settings(settings: Settings, url: str, **extra: object) -> Settings:
    return settings.model_copy(
        update={
            "backend": "openai",
            "engine_url": url + "/v1",
            "engine_model": "fake-model",
            "engine_timeout_s": 1.0,
            "engine_retry_budget_s": 3.0,
            "engine_max_attempts": 3,
            **extra,
        }
    )


def test_the_api_answers_503_with_retry_after_when_the_engine_is_down(settings: Settings) -> None:
    s = openai_settings(settings, closed_port())
    with TestClient(create_app(s, OpenAIBackend.from_settings(s))) as client:
        host = client.app.state.host  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while host.state is not HostState.READY and time.monotonic() < deadline:
            time.sleep(0.01)  # loaded: nothing to load (the engine holds the model), no warmup
        ready = client.get("/readyz")
        r = client.post("/v1/brief", json={"text": seed("004")})
    assert ready.status_code == 503 and ready.json()["error"] == "engine_unavailable"
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "engine_unavailable" and r.headers["Retry-After"] == str(s.retry_after_s)


def test_an_engine_that_dies_mid_brief_gives_a_503_not_half_a_brief(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeEngine(fail_after=5)  # scripted answers, then 503 for good
    caplog.set_level(logging.DEBUG)
    with serving(fake.handler()) as url:
        s = openai_settings(settings, url, engine_api_key=SecretStr("sk-never-logged"))
        with ready_client(s, OpenAIBackend.from_settings(s)) as client:
            assert client.get("/readyz").status_code == 200
            r = client.post("/v1/brief", json={"text": seed("004")})
    assert r.status_code == 503 and r.json()["error"] == "engine_unavailable"
    assert r.headers["Retry-After"]
    assert "sk-never-logged" not in caplog.text and "sk-never-logged" not in repr(s)


def test_a_brief_through_a_faulty_proxy_is_whole(settings: Settings) -> None:
    fake = FakeEngine()
    with serving(fake.handler()) as upstream:
        proxy = FaultProxy(upstream, slow_s=1.5, retry_after="0")
        proxy.faults.extend(FAULTS)
        with serving(proxy.handler()) as url:
            s = openai_settings(settings, url, engine_retry_budget_s=10.0, engine_max_attempts=4)
            with ready_client(s, OpenAIBackend.from_settings(s)) as client:
                r = client.post("/v1/brief", json={"text": seed("004")})
    assert r.status_code == 200, r.text
    brief = r.json()
    assert brief["headline_en"] and not brief["warnings"]
    assert brief["provenance"]["engine"] == {
        "flavour": "llama-server",
        "host": url.removeprefix("http://"),
        "model": "fake-model",
        "fingerprint": "fake-fp-1",
    }
    # Every fault cost one retry; every question reached the engine exactly once.
    assert [f for f in proxy.seen if f != "ok"] == FAULTS
    assert proxy.seen.count("ok") == len(fake.bodies) == brief["provenance"]["tokens"]["calls"]


def test_finbrief_may_start_before_its_engine(settings: Settings) -> None:
    """Warmup against an engine that is not up is no failed load: /readyz follows the engine."""
    url = closed_port()
    s = openai_settings(settings, url, warmup=True, engine_retry_budget_s=0.5, engine_max_attempts=2)
    with TestClient(create_app(s, OpenAIBackend.from_settings(s))) as client:
        host = client.app.state.host  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while host.state is HostState.LOADING and time.monotonic() < deadline:
            time.sleep(0.01)
        assert host.state is HostState.READY
        down = client.get("/readyz")
        with serving(FakeEngine().handler(), port=int(url.rsplit(":", 1)[1])):
            up = client.get("/readyz")
            r = client.post("/v1/brief", json={"text": seed("004")})
    assert down.status_code == 503 and down.json()["error"] == "engine_unavailable"
    assert up.status_code == 200 and up.json()["model_id"] == "fake-model"
    assert r.status_code == 200, r.text


def test_a_batch_records_an_engine_outage_and_resumes_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Engine down mid-job: each article it fails gets an error record (not a stopped job with nothing
    written); three in a row stop the job (exit 5); --resume, once the engine answers, does them all."""
    # five different articles (content hashes differ), short ones: seed 004 with a dateline each
    texts = [f"（{day}日电）" + seed("004") for day in range(1, 6)]
    lines = [json.dumps({"id": f"a{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    for name, value in {
        "BACKEND": "openai", "ENGINE_MODEL": "fake-model", "ENGINE_TIMEOUT_S": "1",
        "ENGINE_RETRY_BUDGET_S": "1", "ENGINE_MAX_ATTEMPTS": "2", "CACHE_ENABLED": "false",
    }.items():  # fmt: skip
        monkeypatch.setenv(f"FINBRIEF_{name}", value)
    with serving(FakeEngine(fail_after=0).handler()) as url:  # lists its model, answers nothing
        monkeypatch.setenv("FINBRIEF_ENGINE_URL", url + "/v1")
        assert main(["batch", str(source), str(out), "--concurrency", "1", "--quiet"]) == 5
    failed = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert [f["id"] for f in failed] == ["a0", "a1", "a2"]  # then the job stopped: a3, a4 not tried
    assert {f["error"] for f in failed} == {"engine_unavailable"} and not out.read_text(encoding="utf-8")
    with serving(FakeEngine().handler()) as url:
        monkeypatch.setenv("FINBRIEF_ENGINE_URL", url + "/v1")
        assert main(["batch", str(source), str(out), "--resume", "--concurrency", "1", "--quiet"]) == 0
    done = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(done) == [f"a{i}" for i in range(5)]  # each exactly once


def test_the_503_passes_on_the_engines_own_retry_after() -> None:
    from finbrief.api.errors import headers_for

    told = EngineUnavailable("engine busy", detail={"retry_after_s": 120})
    assert headers_for(told, 503, retry_after_s=5) == {"Retry-After": "120"}
    assert headers_for(EngineUnavailable("engine down"), 503, retry_after_s=5) == {"Retry-After": "5"}
