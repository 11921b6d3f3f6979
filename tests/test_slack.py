"""The Slack bot end to end: a real Bolt app behind the real FastAPI endpoint (uvicorn on loopback),
driven by requests signed with a test secret, talking to a fake Slack Web API that records calls.
The scripted backend makes each brief take milliseconds."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from ipaddress import ip_network
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from pydantic import SecretStr

from finbrief.api.app import create_app
from finbrief.cli import main
from finbrief.model.backends.base import Backend
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.settings import Settings
from finbrief.slack.socket_mode import SocketModeService

from .conftest import scripted_brief, seed
from .fake_slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    SlackSender,
    block_kit_error,
    fake_slack,
    news_site,
    serve_in_thread,
)

PARENT_TS = "1700000000.000100"


def slack_settings(settings: Settings, fake: FakeSlack, **extra: Any) -> Settings:
    return settings.model_copy(
        update={
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_signing_secret": SecretStr(SIGNING_SECRET),
            "slack_app_token": SecretStr(APP_TOKEN),
            "slack_api_url": fake.api_url,
            **extra,
        }
    )


@contextmanager
def slack_bot(settings: Settings, backend: Backend, **extra: Any) -> Iterator[tuple[FakeSlack, SlackSender]]:
    """The fake Slack, and finbrief (with /slack/events) serving on loopback, ready."""
    with fake_slack() as fake:
        base, stop = serve_in_thread(create_app(slack_settings(settings, fake, **extra), backend))
        try:
            while httpx.get(base + "/readyz").status_code != 200:
                time.sleep(0.02)
            yield fake, SlackSender(base, fake)
        finally:
            stop()


def texts(call_args: dict[str, Any]) -> str:
    parts = [call_args.get("text", "")]
    for b in call_args.get("blocks", []):
        parts.append(b.get("text", {}).get("text", ""))
        parts += [e.get("text", "") for e in b.get("elements", [])]
    return "\n".join(parts)


def assert_acked_fast(r: httpx.Response) -> None:
    assert r.status_code == 200, r.text
    assert r.elapsed.total_seconds() < 3  # Slack's limit for an acknowledgement


# --- the two surfaces of "done means", on seed 004 ------------------------------------------
def test_signed_slash_command_on_seed_004_posts_one_threaded_block_kit_brief(settings: Settings) -> None:
    with slack_bot(settings, ScriptedBackend()) as (fake, slack):
        r = slack.command(seed("004"))
        assert_acked_fast(r)
        assert "Working on it" in r.text  # ephemeral progress note, in the ack itself
        fake.wait_for(lambda f: f.briefs())
        fake.settle()
    posts = fake.of("chat.postMessage")
    assert len(posts) == 2, [p.args for p in posts]  # the parent note, then the brief in its thread
    parent, brief = posts
    assert "thread_ts" not in parent.args and parent.args["channel"] == "C1"
    assert "<@U1> asked for an English brief" in parent.args["text"] and "DeepSeek" in parent.args["text"]
    assert brief.args["channel"] == "C1" and brief.args["thread_ts"] == parent.result["ts"]
    blocks = brief.args["blocks"]
    assert block_kit_error(blocks) is None and brief.result["ok"]
    expected = scripted_brief(seed("004"))
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": expected.headline_en}}
    body = texts(brief.args)
    assert f"• {expected.summary_en[0]}" in body
    assert "*Key figures*" in body and "*Cause claims*" in body
    assert "✅ supported · claimed by the author · US stocks ↓" in body and "> The source states" in body
    assert "「英伟达对此表示" in body  # the verbatim Chinese evidence, shortened
    assert "model `scripted-test`" in body and "prompt `v2+" in body
    assert brief.args["text"] == f"English brief: {expected.headline_en}"  # the notification fallback


def test_message_shortcut_on_seed_004_briefs_in_the_message_thread(settings: Settings) -> None:
    with slack_bot(settings, ScriptedBackend()) as (fake, slack):
        assert_acked_fast(slack.shortcut({"ts": PARENT_TS, "text": seed("004")}))
        fake.wait_for(lambda f: f.of("reactions.remove"))
        # a shortcut on a reply answers in that reply's thread, not a new one
        reply = {"ts": "1700000000.000900", "thread_ts": "1700000000.000500", "text": seed("004")}
        assert_acked_fast(slack.shortcut(reply))
        fake.wait_for(lambda f: len(f.briefs()) == 2)
        fake.settle()
    first, second = fake.briefs()
    assert first.args["thread_ts"] == PARENT_TS and first.args["channel"] == "C1"
    assert first.args["blocks"][0]["text"]["text"] == scripted_brief(seed("004")).headline_en
    assert second.args["thread_ts"] == "1700000000.000500"
    assert len(fake.of("chat.postMessage")) == 2  # nothing but the two briefs
    methods = [c.method for c in fake.calls if c.method != "auth.test"]
    assert methods[:3] == ["reactions.add", "chat.postMessage", "reactions.remove"]  # 👀 while working
    added = fake.of("reactions.add")[0].args
    assert (added["channel"], added["timestamp"], added["name"]) == ("C1", PARENT_TS, "eyes")


# --- the other surfaces ---------------------------------------------------------------------
def test_mention_in_a_thread_briefs_the_parent_message_once(settings: Settings) -> None:
    with slack_bot(settings, ScriptedBackend()) as (fake, slack):
        fake.threads[("C1", PARENT_TS)] = [{"type": "message", "ts": PARENT_TS, "text": seed("004")}]
        mention = {"type": "app_mention", "user": "U1", "channel": "C1", "thread_ts": PARENT_TS}
        r = slack.event({**mention, "ts": "1700000000.000300", "text": "<@UBOT> brief this please"})
        assert_acked_fast(r)
        fake.wait_for(lambda f: f.briefs())
        fake.wait_for(lambda f: f.of("reactions.remove"))
        # asking again in the same thread: a private note, not a second brief
        slack.event({**mention, "ts": "1700000000.000400", "text": "<@UBOT> again?"})
        fake.wait_for(lambda f: f.of("chat.postEphemeral"))
        # a mention outside a thread, with nothing to brief: a short help reply
        slack.event(
            {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1700000001.0", "text": "<@UBOT> hi"}
        )
        fake.wait_for(lambda f: len(f.of("chat.postMessage")) == 2)
        fake.settle()
    assert fake.of("conversations.replies")[0].args["ts"] == PARENT_TS
    (brief,) = fake.briefs()
    assert brief.args["thread_ts"] == PARENT_TS and brief.args["channel"] == "C1"
    assert fake.of("reactions.add")[0].args["timestamp"] == "1700000000.000300"  # on the mention
    assert "already has a brief" in fake.of("chat.postEphemeral")[0].args["text"]
    help_reply = fake.of("chat.postMessage")[1].args
    assert help_reply["thread_ts"] == "1700000001.0" and "Brief in English" in help_reply["text"]


def test_auto_brief_only_long_mostly_chinese_top_level_messages_in_configured_channels(
    settings: Settings,
) -> None:
    article, english = seed("004"), "Markets fell sharply on Monday as investors fled tech. " * 40
    events = [
        {"channel": "CAUTO", "ts": "1.000001", "text": article},  # the one to brief
        {"channel": "C1", "ts": "1.000002", "text": article},  # not a configured channel
        {"channel": "CAUTO", "ts": "1.000003", "text": "英伟达大跌17%，市值蒸发5950亿美元。"},  # too short
        {"channel": "CAUTO", "ts": "1.000004", "text": english},  # not Chinese
        {"channel": "CAUTO", "ts": "1.000005", "thread_ts": "1.000001", "text": article},  # a reply
        {"channel": "CAUTO", "ts": "1.000006", "subtype": "message_changed", "text": article},
        {"channel": "CAUTO", "ts": "1.000007", "bot_id": "B9", "text": article},
    ]
    with slack_bot(settings, ScriptedBackend(), slack_auto_channels=["CAUTO"]) as (fake, slack):
        for e in events:
            assert_acked_fast(slack.event({"type": "message", "user": "U2", **e}))  # all 200, none 404
        fake.wait_for(lambda f: f.of("reactions.remove"))
        fake.settle()
    (brief,) = fake.briefs()
    assert brief.args["channel"] == "CAUTO" and brief.args["thread_ts"] == "1.000001"
    assert len(fake.of("chat.postMessage")) == 1


# --- exactly once ---------------------------------------------------------------------------
def test_retries_and_replays_produce_exactly_one_brief(settings: Settings) -> None:
    with slack_bot(settings, ScriptedBackend(delay_s=0.002)) as (fake, slack):
        # Slack redelivers an event it thinks we missed: same event_id, X-Slack-Retry-Num 1, 2
        event = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.000001"}
        event["text"] = "<@UBOT> " + seed("004")
        for retry in (0, 1, 2):
            assert_acked_fast(slack.event(event, event_id="EvRETRIED", retry=retry))
        # a slash command replayed inside the signature window: same trigger_id
        body = slack.command_body(seed("004"), trigger="trigger-replayed")
        for _ in range(2):
            assert_acked_fast(slack.post(body, "application/x-www-form-urlencoded"))
        # the shortcut clicked twice on one message, and the same message auto-briefed
        for _ in range(2):
            assert_acked_fast(slack.shortcut({"ts": "1.000009", "text": seed("004")}))
        fake.wait_for(lambda f: len(f.briefs()) == 3)
        fake.settle(quiet=0.8)
    threads = sorted(c.args["thread_ts"] for c in fake.briefs())
    parent_ts = next(c.result["ts"] for c in fake.of("chat.postMessage") if "thread_ts" not in c.args)
    assert threads == sorted(["1.000001", "1.000009", parent_ts])  # one brief each, no duplicates
    assert len([c for c in fake.of("chat.postMessage") if "thread_ts" not in c.args]) == 1
    assert "already has a brief" in fake.of("chat.postEphemeral")[0].args["text"]


# --- requests that are not from Slack -------------------------------------------------------
def test_bad_signature_401_stale_timestamp_rejected_and_url_verification(settings: Settings) -> None:
    backend = ScriptedBackend()
    with slack_bot(settings, backend) as (fake, slack):
        body, form = slack.command_body(seed("004")), "application/x-www-form-urlencoded"
        assert slack.post(body, form, signature="v0=" + "0" * 64).status_code == 401
        forged = SlackSender(slack.url.removesuffix("/slack/events"), fake, secret="not-the-secret")
        assert forged.post(body, form).status_code == 401
        stale = int(time.time()) - 6 * 60  # correctly signed, outside the 5-minute window
        assert slack.post(body, form, timestamp=stale).status_code == 401
        unsigned = httpx.post(slack.url, content=body, headers={"Content-Type": form})
        assert unsigned.status_code == 401
        challenge = json.dumps({"type": "url_verification", "token": "x", "challenge": "c-123"})
        r = slack.post(challenge, "application/json")
        assert r.status_code == 200 and r.json() == {"challenge": "c-123"}
        fake.settle()
    assert fake.calls == [] and backend.calls == []  # nothing reached Slack or the model


# --- errors reach the user politely ---------------------------------------------------------
def test_model_error_is_a_polite_thread_message(settings: Settings) -> None:
    with slack_bot(settings, ScriptedBackend(lambda req: "I cannot answer that")) as (fake, slack):
        assert_acked_fast(slack.shortcut({"ts": PARENT_TS, "text": seed("004")}))
        fake.wait_for(lambda f: f.of("reactions.remove"))
        # not an article at all: the user is told what the bot does accept
        assert_acked_fast(slack.command("Could you summarize the market news from today for me please?"))
        fake.wait_for(lambda f: len(f.of("chat.postMessage")) == 3)
        fake.settle()
    assert fake.briefs() == []
    error, _parent, not_chinese = fake.of("chat.postMessage")
    assert error.args["thread_ts"] == PARENT_TS and "blocks" not in error.args
    assert error.args["text"].startswith(":warning: Sorry") and "try again" in error.args["text"]
    assert "Traceback" not in error.args["text"]
    assert not_chinese.args["thread_ts"] and "doesn't look like a Chinese article" in not_chinese.args["text"]


def test_cannot_post_in_channel_tells_the_user_privately(settings: Settings) -> None:
    with slack_bot(settings, ScriptedBackend()) as (fake, slack):
        fake.refuse[("chat.postMessage", "CPRIVATE")] = "not_in_channel"
        assert_acked_fast(slack.command(seed("004"), channel="CPRIVATE"))
        fake.wait_for(lambda f: f.of("response_url"))
        fake.settle()
    (note,) = fake.of("response_url")
    assert note.args["response_type"] == "ephemeral" and "/invite @finbrief" in note.args["text"]
    assert fake.briefs() == []


# --- links ----------------------------------------------------------------------------------
def test_url_brief_fetches_an_allow_listed_loopback_page(settings: Settings) -> None:
    allow = {"fetch_allow_networks": [ip_network("127.0.0.1/32")]}
    with news_site(seed("004")) as site, slack_bot(settings, ScriptedBackend(), **allow) as (fake, slack):
        url = site.url + "/article"
        assert_acked_fast(slack.command(url))
        # Slack-formatted link in a mention, too
        event = {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "ts": "1.5",
            "text": f"<@UBOT> <{url}>",
        }
        assert_acked_fast(slack.event(event))
        fake.wait_for(lambda f: len(f.briefs()) == 2)
        fake.settle()
    assert site.hits == [("/article", f"127.0.0.1:{site.port}")] * 2
    headlines = {brief.args["blocks"][0]["text"]["text"] for brief in fake.briefs()}
    assert len(headlines) == 1 and "English brief" not in headlines  # the page's article, briefed
    for brief in fake.briefs():
        assert f"<{url}|source>" in texts(brief.args)
    parent = next(c for c in fake.of("chat.postMessage") if "thread_ts" not in c.args)
    assert f"<{url}>" in parent.args["text"]


def test_url_brief_refuses_loopback_without_the_allow_list(settings: Settings) -> None:
    with news_site(seed("004")) as site, slack_bot(settings, ScriptedBackend()) as (fake, slack):
        assert_acked_fast(slack.command(site.url + "/article"))
        fake.wait_for(lambda f: len(f.of("chat.postMessage")) == 2)
        fake.settle()
    assert site.hits == [] and fake.briefs() == []
    refusal = fake.of("chat.postMessage")[1].args
    assert refusal["thread_ts"] and "I won't fetch that link" in refusal["text"]
    assert (
        "private, loopback or link-local" in refusal["text"] and "Paste the article text" in refusal["text"]
    )


# --- load -----------------------------------------------------------------------------------
def test_rate_limited_post_waits_for_retry_after(settings: Settings) -> None:
    with slack_bot(settings, ScriptedBackend()) as (fake, slack):
        fake.rate_limit["chat.postMessage"] = [1]  # the first post gets 429, Retry-After: 1
        assert_acked_fast(slack.shortcut({"ts": PARENT_TS, "text": seed("004")}))
        fake.wait_for(lambda f: f.briefs())
        fake.settle()
    limited, posted = fake.of("chat.postMessage")
    assert limited.result == {} and posted.result["ok"]  # 429 carries no result; the retry succeeds
    assert posted.at - limited.at >= 1.0
    assert len(fake.briefs()) == 1


def test_a_burst_queues_rather_than_failing(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="finbrief.slack.briefer")
    tight = {"queue_size": 1, "parallel": 1}  # room for one running and one waiting brief
    with slack_bot(settings, ScriptedBackend(delay_s=0.003), **tight) as (fake, slack):
        for i in range(6):
            assert_acked_fast(slack.shortcut({"ts": f"1.00000{i}", "text": seed("004")}))
        fake.wait_for(lambda f: len(f.briefs()) == 6, timeout=30)
        fake.settle()
    assert sorted(c.args["thread_ts"] for c in fake.briefs()) == [f"1.00000{i}" for i in range(6)]
    assert len(fake.of("chat.postMessage")) == 6  # no "too busy" apologies
    assert any("waiting for the engine (queue_full)" in r.getMessage() for r in caplog.records)


def test_a_text_we_would_refuse_never_waits_for_the_engine(settings: Settings) -> None:
    # The model is still loading, so a brief would wait up to slack_queue_wait_s for it; a text that
    # normalize() refuses is answered at once instead (the user gets the "not Chinese" reply now).
    from finbrief.errors import NotChinese, TextTooLarge
    from finbrief.host import ModelHost
    from finbrief.schemas import BriefRequest
    from finbrief.slack.briefer import HostBriefer

    cfg = settings.model_copy(update={"slack_queue_wait_s": 30, "max_text_chars": 5000})
    host = ModelHost(cfg, ScriptedBackend())  # never started loading
    briefer = HostBriefer(host)
    try:
        started = time.monotonic()
        with pytest.raises(NotChinese):
            briefer(BriefRequest(text="An English text about markets, long enough to count."))
        with pytest.raises(TextTooLarge, match="the text has 6,000 characters; the limit is 5,000"):
            briefer(BriefRequest(text="美股" * 3000))
        assert time.monotonic() - started < 5
    finally:
        host.close()


def test_tokens_and_secrets_are_never_logged(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with slack_bot(settings, ScriptedBackend()) as (fake, slack):
        slack.command(seed("004"))
        slack.post("x=1", "application/x-www-form-urlencoded", signature="v0=bad")
        fake.wait_for(lambda f: f.briefs())
        fake.settle()
        shown = repr(slack_settings(settings, fake)) + str(slack_settings(settings, fake).model_dump())
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Sending a request" in logged  # the SDK's debug logging was on
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in logged and secret not in shown


# --- Socket Mode ----------------------------------------------------------------------------
def test_socket_mode_command_and_retried_event(settings: Settings) -> None:
    with fake_slack() as fake:
        cfg = slack_settings(settings, fake, slack_signing_secret=None)
        service = SocketModeService(cfg, ScriptedBackend())
        service.connect()
        try:
            sender = SlackSender("", fake)
            command = dict(parse_qsl(sender.command_body(seed("004"))))
            env = fake.send_envelope("slash_commands", command)
            mention = {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "2.000001"}
            mention["text"] = "<@UBOT> " + seed("004")
            event = json.loads(sender.event_body(mention, event_id="EvSOCKET"))
            fake.send_envelope("events_api", event)
            fake.send_envelope("events_api", event, retry_attempt=1)
            fake.wait_for(lambda f: len(f.briefs()) == 2)
            fake.settle()
        finally:
            service.close()
    acks = {a["envelope_id"]: a for a in fake.socket_acks}
    assert "Working on it" in acks[env]["payload"]["text"]  # the ack carries the ephemeral note
    assert len(acks) == 3  # every envelope acknowledged, the retry too
    assert fake.of("apps.connections.open")
    threads = sorted(c.args["thread_ts"] for c in fake.briefs())
    parent = next(c for c in fake.of("chat.postMessage") if "thread_ts" not in c.args)
    assert threads == sorted(["2.000001", parent.result["ts"]])


def test_slack_routes_only_when_configured(settings: Settings) -> None:
    app = create_app(settings, ScriptedBackend())
    assert app.state.slack is None and "/slack/events" not in {getattr(r, "path", "") for r in app.routes}


def test_cli_says_which_settings_are_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("BOT_TOKEN", "SIGNING_SECRET", "APP_TOKEN"):
        monkeypatch.delenv(f"FINBRIEF_SLACK_{name}", raising=False)
    monkeypatch.setenv("FINBRIEF_SLACK_BOT_TOKEN", "xoxb-from-env")
    assert main(["slack", "--socket"]) == 2
    assert "FINBRIEF_SLACK_APP_TOKEN" in capsys.readouterr().err
    assert main(["slack"]) == 2
    err = capsys.readouterr().err
    assert "FINBRIEF_SLACK_SIGNING_SECRET" in err and "xoxb-from-env" not in err
