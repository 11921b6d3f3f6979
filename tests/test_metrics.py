"""GET /metrics (Prometheus text, parsed with the client's own parser), request ids echoed on every
response, and JSON log lines that carry the id and never the article."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from finbrief.logs import JsonFormatter, configure_logging
from finbrief.metrics import MAX_CHECK_LABELS, Metrics
from finbrief.model.backends.base import GenerationRequest
from finbrief.model.backends.scripted import ScriptedBackend, default_responder
from finbrief.settings import Settings

from .app_client import ready_client
from .conftest import seed

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient) -> Samples:
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def yellen(req: GenerationRequest) -> str:
    """Every headline and bullet names someone the article does not: checks fire, items dropped."""
    if req.tag.split(":")[0] in ("headline", "bullet"):
        return json.dumps({req.tag.split(":")[0]: "Janet Yellen said the market moved on the news today."})
    return default_responder(req)


def test_metrics_parse_and_move_after_a_brief(settings: Settings) -> None:
    with ready_client(settings, ScriptedBackend(yellen)) as client:
        before = scrape(client)
        assert value(before, "finbrief_tokens_total", kind="prompt") == 0
        assert ("finbrief_queue_depth", ()) in before
        r = client.post("/v1/brief", json={"text": seed("004")})
        assert r.status_code == 200, r.text
        prov = r.json()["provenance"]
        english = {"text": "An English text about markets, long enough to count."}
        assert client.post("/v1/brief", json=english).status_code == 422
        client.get("/no/such/route")
        after = scrape(client)
    assert value(after, "finbrief_requests_total", route="/v1/brief", status="200") == 1
    assert value(after, "finbrief_requests_total", route="/v1/brief", status="422") == 1
    assert value(after, "finbrief_requests_total", route="unmatched", status="404") == 1  # no raw paths
    assert value(after, "finbrief_errors_total", code="not_chinese") == 1
    for kind in ("prompt", "completion", "cached"):
        assert value(after, "finbrief_tokens_total", kind=kind) == prov["tokens"][kind]
    assert value(after, "finbrief_output_duration_seconds_count", kind="brief") == 1
    assert value(after, "finbrief_queue_wait_seconds_count", kind="brief") == 1
    assert value(after, "finbrief_request_duration_seconds_count", route="/v1/brief") == 2
    # A check's label keeps its words, not the name the model wrote (bounded label values).
    fired = value(after, "finbrief_checks_fired_total", check="names_who_is_not_in_the_article")
    assert fired == sum(prov["checks"].values()) > 0
    assert value(after, "finbrief_unrepaired_items_total", kind="brief") == len(r.json()["warnings"]) > 0
    assert ("finbrief_cache_lookups_total", (("kind", "brief"), ("result", "hit"))) in after


def test_translations_are_counted_streamed_or_not(settings: Settings) -> None:
    with ready_client(settings.model_copy(update={"max_text_chars": 20_000})) as client:
        assert client.post("/v1/translate", json={"text": seed("004")}).status_code == 200
        with client.stream("POST", "/v1/translate?stream=true", json={"text": seed("003")}) as r:
            assert r.status_code == 200 and list(r.iter_lines())
        after = scrape(client)
    assert value(after, "finbrief_output_duration_seconds_count", kind="translation") == 2
    assert value(after, "finbrief_tokens_total", kind="completion") > 0


def test_each_app_has_its_own_registry(settings: Settings) -> None:
    with ready_client(settings) as first, ready_client(settings) as second:
        first.get("/v1/labels")
        assert value(scrape(first), "finbrief_requests_total", route="/v1/labels", status="200") == 1
        assert value(scrape(second), "finbrief_requests_total", route="/v1/labels", status="200") == 0


def test_check_labels_are_bounded() -> None:
    metrics = Metrics()
    labels = {metrics._check_label(f"names Person{i} Smith, who is not in the article") for i in range(5)}
    assert labels == {"names_who_is_not_in_the_article"}
    labels = {metrics._check_label(f"label 'made_up_{i}' is not in the taxonomy") for i in range(3)}
    assert labels == {"label_is_not_in_the_taxonomy"}
    letters = "abcdefghijklmnopqrstuvwxyz"
    many = {metrics._check_label(f"problem {letters[i % 26]}{letters[i // 26]}") for i in range(200)}
    assert len(many) == MAX_CHECK_LABELS - 2 + 1 and "other" in many  # 2 labels were already taken


def test_request_id_is_echoed_or_made_on_every_response(settings: Settings, tmp_path) -> None:
    keyed = settings.model_copy(update={"auth": "keys", "keys_path": tmp_path / "keys.json"})
    with ready_client(keyed) as client:
        r = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
        assert r.headers["x-request-id"] == "lb-7f3a.42"
        for bad in ("has spaces in it", "x" * 200, "<script>"):
            made = client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"]
            assert re.fullmatch(r"[0-9a-f]{32}", made)
        unauthorized = client.get("/v1/labels", headers={"X-Request-ID": "abc"})
        assert unauthorized.status_code == 401 and unauthorized.headers["x-request-id"] == "abc"
        assert client.get("/nowhere").headers["x-request-id"]
        a, b = client.get("/healthz"), client.get("/healthz")
        assert a.headers["x-request-id"] != b.headers["x-request-id"]


def test_an_unhandled_error_is_a_500_in_the_error_shape_with_the_id(settings: Settings) -> None:
    with ready_client(settings) as client:

        async def boom() -> None:
            raise RuntimeError("a bug")

        client.app.router.add_api_route("/boom", boom)  # type: ignore[attr-defined]
        r = client.get("/boom", headers={"X-Request-ID": "req-500"})
    assert r.status_code == 500 and r.headers["x-request-id"] == "req-500"
    body = {"error": "internal_error", "message": "internal error", "detail": {"request_id": "req-500"}}
    assert r.json() == body


def test_the_request_log_line_has_the_id_and_not_the_article(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    text = seed("004")
    caplog.set_level(logging.INFO, logger="finbrief.access")  # as `finbrief serve` sets it
    with ready_client(settings) as client:
        r = client.post("/v1/brief", json={"text": text}, headers={"X-Request-ID": "trace-1"})
    assert r.status_code == 200
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    (line,) = [e for e in lines if e.get("request_id") == "trace-1"]
    assert line["route"] == "/v1/brief" and line["status"] == 200 and line["method"] == "POST"
    assert line["logger"] == "finbrief.access" and line["duration_s"] >= 0
    everything = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    for sentence in re.split(r"[。\n]", text):
        assert len(sentence) < 8 or sentence not in everything


def test_serve_logs_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    root, quieted = logging.getLogger(), [logging.getLogger(n) for n in ("finbrief.access", "uvicorn.error")]
    saved_handlers, saved_levels = root.handlers[:], [lg.level for lg in (root, *quieted)]
    try:
        configure_logging("json")
        # an underscored attribute, as Ray's record factory adds once imported: bookkeeping, not a field
        logging.getLogger("finbrief.access").info("hello", extra={"status": 200, "_bookkeeping": 1})
        logging.getLogger("finbrief.pipeline").info("quotes a model answer")  # below the default level
        root.handlers[0].flush()
    finally:  # configure_logging is for a process edge: give pytest its handlers back
        root.handlers[:] = saved_handlers
        for logger, level in zip((root, *quieted), saved_levels, strict=True):
            logger.setLevel(level)
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert json.loads(line) | {"ts": None} == {
        "ts": None, "level": "info", "logger": "finbrief.access", "message": "hello", "status": 200
    }
