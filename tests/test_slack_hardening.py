"""/slack/events under hostile or unlucky conditions: the signature is checked before anything is
parsed (no 500, no traceback), and a signed request is acknowledged at once while Slack's Web API is
unreachable (the failure is logged, not answered with a 500 after seconds of retries)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from finbrief.api.app import create_app
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.settings import Settings

from .fake_slack import BOT_TOKEN, SIGNING_SECRET, SlackSender, fake_slack, free_port, serve_in_thread


@pytest.fixture
def unreachable(settings: Settings) -> Iterator[SlackSender]:
    """finbrief with /slack/events, its Slack Web API a closed loopback port (the fake Slack only
    sends the requests and takes the response_url answers)."""
    cfg = settings.model_copy(
        update={
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_api_url": f"http://127.0.0.1:{free_port()}/api/",
        }
    )
    with fake_slack() as fake:
        base, stop = serve_in_thread(create_app(cfg, ScriptedBackend()))
        try:
            while httpx.get(base + "/readyz").status_code != 200:
                time.sleep(0.02)
            yield SlackSender(base, fake)
        finally:
            stop()


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_unsigned_garbage_is_a_401_without_a_traceback(
    unreachable: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    bodies = [
        (b"{not json", "application/json"),
        (b"\xff\xfe%%%", "application/x-www-form-urlencoded"),
        (b"payload=%7Bnot", "application/x-www-form-urlencoded"),
    ]
    with caplog.at_level(logging.INFO):
        for body, kind in bodies:
            r = httpx.post(unreachable.url, content=body, headers={"Content-Type": kind})
            assert r.status_code == 401 and r.json()["error"] == "invalid_signature", r.text
        for timestamp in ("abc", "", "1e9", "-5", "١٢٣"):
            r = httpx.post(
                unreachable.url,
                content=b"{}",
                headers={
                    "Content-Type": "application/json",
                    "X-Slack-Request-Timestamp": timestamp.encode(),  # type: ignore[dict-item]
                    "X-Slack-Signature": b"v0=\xe9",  # type: ignore[dict-item]
                },
            )
            assert r.status_code == 401 and r.json()["error"] == "invalid_signature", (timestamp, r.text)
    assert tracebacks(caplog) == []


def test_signed_requests_are_acknowledged_at_once_while_slack_is_unreachable(
    unreachable: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    mention = {"type": "app_mention", "user": "U1", "text": "<@UBOT> 美股", "ts": "1.000001", "channel": "C1"}
    with caplog.at_level(logging.INFO):
        answers = [
            unreachable.event(mention),
            unreachable.event({"type": "message", "user": "U1", "text": "hi", "ts": "1.2", "channel": "C1"}),
            unreachable.command("美国股市周五大幅下跌，标普500指数下跌2%，科技股领跌"),
            unreachable.shortcut({"ts": "1.000003", "text": "美股"}),
        ]
        for r in answers:
            assert r.status_code == 200, r.text
            assert r.elapsed.total_seconds() < 1.5  # Slack waits 3 s; auth.test's retries took longer
        deadline = time.monotonic() + 15  # auth.test, asked on a thread of its own, gives up
        while time.monotonic() < deadline and not logged(caplog, "slack auth.test failed"):
            time.sleep(0.05)
    assert logged(caplog, "slack auth.test failed")  # the failure is in the log
    assert not logged(caplog, "Failed to run a middleware")


def logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return any(text in r.getMessage() for r in list(caplog.records))
