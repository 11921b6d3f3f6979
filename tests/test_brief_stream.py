"""POST /v1/brief?stream=true: a progress line as the pipeline starts each step, then the brief (or an
error line), through a real uvicorn server on loopback with the scripted backend; a client that
leaves stops the work; a brief of a fetched page carries the page's text."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from finbrief.model.backends.base import GenerationRequest, GenerationResult
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.settings import Settings

from .app_client import ready_client
from .conftest import seed
from .test_api import serve, serve_loading

STREAM = "/v1/brief?stream=true"
PER_CHUNK = ("claims", "figures", "summary")


def streamed(base: str, body: dict[str, Any], **kwargs: Any) -> tuple[httpx.Response, list[dict[str, Any]]]:
    with httpx.stream("POST", base + STREAM, json=body, timeout=60, **kwargs) as r:
        lines = [json.loads(line) for line in r.iter_lines() if line]
    return r, lines


def test_each_step_is_told_as_it_starts_then_the_brief(settings: Settings) -> None:
    text = seed("004")
    cfg = settings.model_copy(update={"chunk_chars": 900})  # asked in several chunks
    with serve(cfg, ScriptedBackend()) as base:
        r, lines = streamed(base, {"text": text})
        plain = httpx.post(base + "/v1/brief", json={"text": text}, timeout=60).json()
        schema = httpx.get(base + "/openapi.json").json()
    assert r.headers["content-type"].startswith("application/x-ndjson")
    *steps, last = lines
    assert {s["type"] for s in steps} == {"step"} and last["type"] == "brief"
    parts = steps[1]["parts"]
    assert parts > 1
    expected = [("normalize", 1), *((name, i) for i in range(1, parts + 1) for name in PER_CHUNK)]
    expected += [("checks", 1), ("evidence", 1)]
    assert [(s["step"], s["part"]) for s in steps] == expected
    elapsed = [s["elapsed_s"] for s in steps]
    assert elapsed == sorted(elapsed) and elapsed[-1] <= last["provenance"]["timings"]["total_s"]
    # The brief line is the brief a plain request gets (timings aside).
    brief = {k: v for k, v in last.items() if k != "type"}
    assert {k: v for k, v in brief.items() if k != "provenance"} == {
        k: v for k, v in plain.items() if k != "provenance"
    }
    assert brief["source_text"] is None  # the caller gave the text: it is not sent back
    for line in brief["skipped"]:  # page furniture, by offsets into the text as given
        assert text[line["start"] : line["end"]] == line["zh"]
    assert "2025年01月28日 05:32 鞭牛士" in [s["zh"] for s in brief["skipped"]]
    # Documented like the translation's stream: an NDJSON 200 and the `stream` parameter.
    operation = schema["paths"]["/v1/brief"]["post"]
    assert "application/x-ndjson" in operation["responses"]["200"]["content"]
    assert any(p["name"] == "stream" for p in operation["parameters"])
    assert '{"type": "step"' in operation["description"]


def test_a_failure_mid_way_is_an_error_line_with_the_http_errors_body(settings: Settings) -> None:
    with serve(settings, ScriptedBackend(lambda req: "I cannot answer that")) as base:
        r, lines = streamed(base, {"text": seed("004")})
        plain = httpx.post(base + "/v1/brief", json={"text": seed("004")}, timeout=60)
    assert r.status_code == 200 and [line["type"] for line in lines[:-1]] == ["step"] * (len(lines) - 1)
    error = lines[-1]
    assert plain.status_code == 502
    assert error == {"type": "error", "status": 502, **plain.json()}
    assert error["error"] == "generation_failed"


class Broken(ScriptedBackend):
    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        raise RuntimeError("the backend broke")


def test_an_unexpected_failure_is_an_internal_error_line_without_internals(settings: Settings) -> None:
    with serve(settings, Broken()) as base:
        r, lines = streamed(base, {"text": seed("004")})
    error = lines[-1]
    assert error["type"] == "error" and error["status"] == 500 and error["error"] == "internal_error"
    assert error["detail"] == {"request_id": r.headers["x-request-id"]}  # to find its log line by
    assert "broke" not in json.dumps(error)


def test_refusals_before_work_starts_stay_http_errors(settings: Settings) -> None:
    english = {"text": "An English text about markets, long enough to count."}
    with serve(settings.model_copy(update={"max_text_chars": 5000}), ScriptedBackend()) as base:
        r = httpx.post(base + STREAM, json=english)
        assert r.status_code == 422 and r.json()["error"] == "not_chinese"
        r = httpx.post(base + STREAM, json={"text": "美股" * 3000})
        assert r.status_code == 413 and r.json()["error"] == "text_too_large"
    with serve_loading(settings) as base:
        r = httpx.post(base + STREAM, json={"text": seed("004")})
        assert r.status_code == 503 and r.json()["error"] == "model_not_ready" and "retry-after" in r.headers


def test_a_stored_brief_streams_only_its_brief(settings: Settings, tmp_path: Path) -> None:
    cfg = settings.model_copy(update={"cache_enabled": True, "cache_path": tmp_path / "cache.sqlite3"})
    backend = ScriptedBackend()
    with serve(cfg, backend) as base:
        _, first = streamed(base, {"text": seed("004")})
        calls = len(backend.calls)
        _, again = streamed(base, {"text": seed("004")})
    assert len(first) > 1 and first[-1]["provenance"]["cache"] == "miss"
    assert [line["type"] for line in again] == ["brief"] and again[0]["provenance"]["cache"] == "hit"
    assert len(backend.calls) == calls  # answered without the model


class GatedAtClaims(ScriptedBackend):
    """The first model call (the claims step) waits until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate, self.waiting = threading.Event(), threading.Event()

    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        self.waiting.set()
        self.gate.wait(30)
        return super().generate(batch)


def wait_until_idle(base: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(base + "/healthz").json()["queue_depth"] == 0:
            return True
        time.sleep(0.02)
    return False


def test_a_client_that_leaves_stops_its_running_brief(settings: Settings) -> None:
    # The page's Cancel closes the connection mid-brief: the work stops at the pipeline's next step
    # instead of running to the end for nobody (on a real model, minutes of a worker's time).
    backend = GatedAtClaims()
    with serve(settings.model_copy(update={"parallel": 1}), backend) as base:
        with httpx.stream("POST", base + STREAM, json={"text": seed("004")}, timeout=30) as r:
            for line in r.iter_lines():
                if json.loads(line)["step"] == "claims":
                    break
            assert backend.waiting.wait(10)  # the claims step is asking the model
        time.sleep(0.5)  # the server sees the connection close
        backend.gate.set()
        assert wait_until_idle(base)
        asked = {c.tag.split(":")[0] for c in backend.calls}
        after = httpx.post(base + "/v1/brief", json={"text": seed("004")[:600]}, timeout=30)
    assert asked == {"claim"}, asked  # stopped before figures, bullets and the evidence's translation
    assert after.status_code == 200  # and the worker is free for the next brief


class Page:
    def __init__(self, text: str, url: str) -> None:
        self.text, self.final_url, self.title = text, url, None


class FakeFetcher:
    """Serves one article for any public-looking address (no network in tests)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def fetch(self, url: str) -> Page:
        return Page(self.text, url)


def test_a_brief_of_a_fetched_page_carries_the_text_its_offsets_point_into(settings: Settings) -> None:
    text = seed("004")
    with ready_client(settings) as client:
        client.app.state.fetcher = FakeFetcher(text)  # type: ignore[attr-defined]
        plain = client.post("/v1/brief", json={"url": "https://news.example/a"}).json()
        with client.stream("POST", STREAM, json={"url": "https://news.example/a"}) as r:
            last = json.loads(list(r.iter_lines())[-1])
        given = client.post("/v1/brief", json={"text": text}).json()
    for brief in (plain, last):
        assert brief["source_text"] == text and brief["provenance"]["url"] == "https://news.example/a"
        for c in brief["causes"]:
            assert brief["source_text"][c["evidence_start"] : c["evidence_end"]] == c["evidence_zh"]
    assert given["source_text"] is None
