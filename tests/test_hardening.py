"""Hostile input, through a real uvicorn server on loopback with the scripted backend: every answer is
a documented status in the one error shape, and nothing is a 5xx (issue 17, "Hardening")."""

from __future__ import annotations

import gzip
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

from finbrief.api.app import create_app
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.schemas import MAX_SOURCE_CHARS, MAX_TIMESTAMP_CHARS, MAX_TITLE_CHARS, MAX_URL_CHARS
from finbrief.settings import Settings

from .conftest import seed
from .fake_slack import BOT_TOKEN, SIGNING_SECRET, free_port, serving_ready

ARTICLE = seed("004")
ERROR_KEYS = {"error", "message", "detail"}
MAX_TEXT = 60_000  # the default: a 200k-character title fits under the body limit, as in the finding
BODY_LIMIT = 6 * MAX_TEXT + 64 * 1024


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with Slack's HTTP mode on, its Web API unreachable (a closed loopback port)."""
    settings = Settings(
        model_dir=tmp_path_factory.mktemp("models"),
        auto_pull=False,
        warmup=False,
        queue_size=4,
        max_text_chars=MAX_TEXT,
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=f"http://127.0.0.1:{free_port()}/api/",
    )
    with serving_ready(create_app(settings, ScriptedBackend())) as url:
        yield url


def with_surrogate(text: str) -> bytes:
    """JSON whose text has a lone surrogate, sent as its escape (what a client's JSON can carry)."""
    return json.dumps({"text": text[:200] + "\ud800" + text[200:]}).encode("ascii")


def nested(depth: int) -> bytes:
    return b'{"text": ' + b"[" * depth + b"]" * depth + b"}"


def slack_signed(body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    sig = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body.decode("utf-8"))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": str(sig)}


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body sent chunked, without a Content-Length: counted as it arrives."""
    yield b'{"text": "'
    for _ in range(total // size + 1):
        yield b"x" * size
    yield b'"}'


@dataclass
class Case:
    id: str
    path: str
    status: int
    error: str
    method: str = "POST"
    json: Any = None
    content: bytes | Iterator[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    signed: bool = False  # signed for Slack when sent (a signature is good for 5 minutes)

    def send(self, base: str) -> httpx.Response:
        headers = dict(self.headers)
        if self.signed and isinstance(self.content, bytes):
            headers.update(slack_signed(self.content))
        kw: dict[str, Any] = {"headers": headers, "timeout": 30}
        if self.json is not None:
            kw["json"] = self.json
        if self.content is not None:
            kw["content"] = self.content
        return httpx.request(self.method, base + self.path, **kw)


JSON = {"content-type": "application/json"}
FORM = {"content-type": "application/x-www-form-urlencoded"}
BRIEF, TRANSLATE, STREAM, SLACK = "/v1/brief", "/v1/translate", "/v1/translate?stream=true", "/slack/events"


def text_cases(path: str, tag: str) -> list[Case]:
    """What both /v1/brief and /v1/translate (streamed or not) refuse alike."""
    return [
        Case(f"{tag}-lone-high-surrogate", path, 422, "invalid_request", content=with_surrogate(ARTICLE),
             headers=JSON),
        Case(f"{tag}-lone-low-surrogate", path, 422, "invalid_request",
             content=json.dumps({"text": ARTICLE + "\udfff"}).encode(), headers=JSON),
        Case(f"{tag}-empty", path, 422, "empty_text", json={"text": ""}),
        Case(f"{tag}-blank", path, 422, "empty_text", json={"text": " \n\t "}),
        Case(f"{tag}-english", path, 422, "not_chinese", json={"text": "Stocks fell on Friday. " * 5}),
        Case(f"{tag}-five-characters", path, 422, "text_too_short", json={"text": "美股下跌。"}),
        Case(f"{tag}-text-too-large", path, 413, "text_too_large", json={"text": "美股" * 30_001}),
        Case(f"{tag}-text-number", path, 422, "invalid_request", json={"text": 42}),
        Case(f"{tag}-text-list", path, 422, "invalid_request", json={"text": ["美股"]}),
        Case(f"{tag}-text-null", path, 422, "invalid_request", json={"text": None}),
        Case(f"{tag}-unknown-field", path, 422, "invalid_request", json={"text": ARTICLE, "model": "x"}),
        Case(f"{tag}-surrogate-key", path, 422, "invalid_request",
             content=json.dumps({"text": ARTICLE, "\ud800" * 300: 1}).encode(), headers=JSON),
        Case(f"{tag}-not-json", path, 422, "invalid_request", content=b"{not json", headers=JSON),
        Case(f"{tag}-invalid-utf8", path, 400, "malformed_request", content=b'{"text": "\xff\xfe"}',
             headers=JSON),
        Case(f"{tag}-gzip-undeclared", path, 400, "malformed_request",
             content=gzip.compress(json.dumps({"text": ARTICLE}).encode()), headers=JSON),
        Case(f"{tag}-bad-gzip", path, 400, "malformed_request", content=b"\x1f\x8b\x08garbage",
             headers={**JSON, "content-encoding": "gzip"}),
        Case(f"{tag}-deep-nesting", path, 400, "malformed_request", content=nested(100_000), headers=JSON),
        Case(f"{tag}-json-array", path, 422, "invalid_request", json=[ARTICLE]),
        Case(f"{tag}-form-data", path, 422, "invalid_request", content=b"text=abc", headers=FORM),
        Case(f"{tag}-body-over-limit", path, 413, "body_too_large",
             content=b'{"text": "' + b"x" * (BODY_LIMIT + 1) + b'"}', headers=JSON),
        Case(f"{tag}-chunked-over-limit", path, 413, "body_too_large", content=chunks(BODY_LIMIT + 1),
             headers=JSON),
    ]


CASES: list[Case] = [
    *text_cases(BRIEF, "brief"),
    *text_cases(TRANSLATE, "translate"),
    *text_cases(STREAM, "stream"),
    # /v1/brief's other fields: every string is bounded
    Case("brief-title-200k", BRIEF, 422, "invalid_request", json={"text": ARTICLE, "title": "t" * 200_000}),
    Case("brief-title-over-limit", BRIEF, 422, "invalid_request",
         json={"text": ARTICLE, "title": "x" * (MAX_TITLE_CHARS + 1)}),
    Case("brief-title-surrogate", BRIEF, 422, "invalid_request",
         content=json.dumps({"text": ARTICLE, "title": "美股\ud83d"}).encode(), headers=JSON),
    Case("brief-url-over-limit", BRIEF, 422, "invalid_request",
         json={"url": "https://example.com/" + "a" * MAX_URL_CHARS}),
    Case("brief-source-over-limit", BRIEF, 422, "invalid_request",
         json={"text": ARTICLE, "source": "s" * (MAX_SOURCE_CHARS + 1)}),
    Case("brief-published-at-over-limit", BRIEF, 422, "invalid_request",
         json={"text": ARTICLE, "published_at": "2025-01-27T09:30:00." + "0" * MAX_TIMESTAMP_CHARS + "Z"}),
    Case("brief-published-at-not-a-date", BRIEF, 422, "invalid_request",
         json={"text": ARTICLE, "published_at": "yesterday"}),
    Case("brief-neither-text-nor-url", BRIEF, 422, "invalid_request", json={"source": "x"}),
    Case("brief-private-url", BRIEF, 422, "url_refused", json={"url": "http://127.0.0.1:1/article"}),
    Case("brief-ftp-url", BRIEF, 422, "url_refused", json={"url": "ftp://203.0.113.7/article"}),
    Case("brief-get", BRIEF, 405, "method_not_allowed", method="GET"),
    Case("brief-put", BRIEF, 405, "method_not_allowed", method="PUT", json={"text": ARTICLE}),
    Case("translate-skip-boilerplate-not-bool", TRANSLATE, 422, "invalid_request",
         json={"text": ARTICLE, "skip_boilerplate": "perhaps"}),
    Case("translate-stream-not-bool", "/v1/translate?stream=perhaps", 422, "invalid_request",
         json={"text": ARTICLE}),
    Case("unknown-path", "/v2/brief", 404, "not_found", json={"text": ARTICLE}),
    Case("unknown-get", "/admin", 404, "not_found", method="GET"),
    Case("healthz-post", "/healthz", 405, "method_not_allowed"),
    Case("labels-delete", "/v1/labels", 405, "method_not_allowed", method="DELETE"),
    # Slack: the signature is checked before anything is parsed
    Case("slack-unsigned-not-json", SLACK, 401, "invalid_signature", content=b"{not json", headers=JSON),
    Case("slack-unsigned-not-form", SLACK, 401, "invalid_signature", content=b"\xff\xfe%%", headers=FORM),
    Case("slack-timestamp-not-a-number", SLACK, 401, "invalid_signature", content=b"{}",
         headers={**JSON, "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}),
    Case("slack-stale-signature", SLACK, 401, "invalid_signature", content=b"{}",
         headers={**JSON, **slack_signed(b"{}", timestamp=int(time.time()) - 600)}),  # stale whenever sent
    Case("slack-wrong-signature", SLACK, 401, "invalid_signature", content=b"{}",
         headers={**JSON, "X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=1"}),
    Case("slack-signed-json-array", SLACK, 400, "malformed_request", content=b"[1]", headers=JSON,
         signed=True),
    Case("slack-signed-not-json", SLACK, 400, "malformed_request", content=b"{not json", headers=JSON,
         signed=True),
    Case("slack-body-over-limit", SLACK, 413, "body_too_large", content=b"x" * (BODY_LIMIT + 1),
         headers=JSON),
    Case("slack-get", SLACK, 405, "method_not_allowed", method="GET"),
]


def test_the_matrix_is_large_enough() -> None:
    assert len(CASES) >= 50 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_a_documented_status_in_the_error_shape(base: str, case: Case) -> None:
    r = case.send(base)
    assert r.status_code < 500, (r.status_code, r.text[:300])
    assert r.status_code == case.status, r.text[:300]
    body = r.json()
    assert set(body) == ERROR_KEYS and body["error"] == case.error, body
    assert isinstance(body["message"], str) and isinstance(body["detail"], dict)
    if case.status == 405:
        assert r.headers["allow"]  # kept from Starlette's own answer


def test_a_fixed_case_is_not_a_lucky_one(base: str) -> None:
    # The same article without its surrogate is briefed and translated (streamed too, not cut off).
    assert httpx.post(base + BRIEF, json={"text": ARTICLE}, timeout=30).status_code == 200
    with httpx.stream("POST", base + STREAM, json={"text": ARTICLE}, timeout=30) as r:
        lines = [json.loads(line) for line in r.iter_lines() if line]
    assert r.status_code == 200 and lines[-1]["type"] == "done"


def test_a_declared_50_mb_body_is_refused_unread(base: str) -> None:
    # Only the headers are sent: the 413 comes back at once, so nothing waited for the body.
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"POST /v1/brief HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 52428800\r\n\r\n"
        )
        answer = read_response(sock)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"connection: close" in head.lower()
    assert json.loads(body)["error"] == "body_too_large"


def test_a_chunked_50_mb_body_is_cut_off_near_the_limit(base: str) -> None:
    # No Content-Length: the server counts what arrives and answers once past the limit; the client
    # is told long before it has sent 50 MB.
    port = int(base.rsplit(":", 1)[1])
    sent, chunk = 0, b"x" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"POST /v1/brief HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        sock.settimeout(2)
        try:
            while sent < 50 * 2**20:
                sock.sendall(frame)
                sent += len(chunk)
        except (TimeoutError, ConnectionError):
            pass  # the server answered and stopped reading; its answer is waiting
        sock.settimeout(5)
        answer = read_response(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 16 * 2**20, sent  # the limit (~0.4 MB) plus what the socket buffers hold


def read_response(sock: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (TimeoutError, ConnectionError):
        pass
    return data


def test_the_openapi_schema_states_every_limit(tmp_path: Path) -> None:
    # The schema says what this service accepts: its configured text bounds (not a default, and not
    # "" where at least min_text_chars are needed), and a bound on every other string field.
    settings = Settings(model_dir=tmp_path, auto_pull=False, warmup=False, max_text_chars=5000)
    schema = create_app(settings, ScriptedBackend()).openapi()
    models = schema["components"]["schemas"]
    for name in ("BriefRequest", "TranslateRequest"):
        text = models[name]["properties"]["text"]
        assert (text["minLength"], text["maxLength"]) == (settings.min_text_chars, 5000), name
    props = models["BriefRequest"]["properties"]
    assert props["title"]["anyOf"][0]["maxLength"] == MAX_TITLE_CHARS
    assert props["url"]["anyOf"][0]["maxLength"] == MAX_URL_CHARS
    assert props["source"]["anyOf"][0]["maxLength"] == MAX_SOURCE_CHARS
    assert props["published_at"]["maxLength"] == MAX_TIMESTAMP_CHARS
    for path in ("/v1/brief", "/v1/translate"):
        assert {"400", "413", "422"} <= set(schema["paths"][path]["post"]["responses"])


def test_a_one_line_article_without_a_full_stop_is_briefed(base: str) -> None:
    # Taken for a headline with no article under it, it was refused as "no article text".
    line = "美国股市周五大幅下跌，标普500指数下跌2%，科技股领跌，投资者担忧关税政策冲击企业盈利"
    r = httpx.post(base + BRIEF, json={"text": line}, timeout=30)
    assert r.status_code == 200, r.text
    for fig in r.json()["key_figures"]:
        assert line[fig["evidence"]["start"] : fig["evidence"]["end"]] == fig["evidence"]["zh"]
    # A given title still comes first, and boilerplate alone is still no article.
    r = httpx.post(base + BRIEF, json={"text": "责任编辑：张三\n喜欢 收藏 分享"}, timeout=30)
    assert r.status_code == 422 and r.json()["error"] in ("empty_text", "text_too_short")


def test_brief_and_translate_share_one_minimum(base: str) -> None:
    twelve = "美股周五下跌科技股领跌了。"
    for path in (BRIEF, TRANSLATE):
        r = httpx.post(base + path, json={"text": twelve})
        assert r.status_code == 422 and r.json()["error"] == "text_too_short", (path, r.text)
