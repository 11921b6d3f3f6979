"""The reading page (GET /) in a real headless browser (tests/browser.py), against a real uvicorn
server with the scripted backend: every claim, figure and bullet marks exactly the API's span of
the source; rejected claims say so in words; the full translation pairs sentences both ways; the
API's errors are the page's; Cancel stops the work on the server. Screenshots go to each test's
tmp_path; the seconds until the first progress line are printed (`pytest -s`)."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from finbrief.api.app import create_app
from finbrief.keys.store import KeyRecord
from finbrief.model.backends.base import Backend
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.settings import Settings

from .browser import Desk, launched
from .conftest import seed
from .fake_slack import serve_in_thread
from .test_brief_stream import FakeFetcher, GatedAtClaims, wait_until_idle

PAIRED = re.compile(r"\bpair\b")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as b:
        yield b


@contextmanager
def desk_server(settings: Settings, backend: Backend, fetcher: Any = None) -> Iterator[str]:
    app = create_app(settings, backend)
    if fetcher is not None:
        app.state.fetcher = fetcher
    base, stop = serve_in_thread(app)
    try:
        deadline = time.monotonic() + 20
        while httpx.get(base + "/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.02)
        yield base
    finally:
        stop()


@contextmanager
def desk(browser: Browser, base: str, **kwargs: Any) -> Iterator[Desk]:
    opened = Desk(browser, base, **kwargs).open()
    try:
        yield opened
    finally:
        opened.close()


def check_every_item_marks_its_span(d: Desk, text: str, brief: dict[str, Any]) -> None:
    """Click each claim, figure and bullet: the source shows text[start:end], by the API's offsets."""
    claims = d.page.locator("button.claim")
    expect(claims).to_have_count(len(brief["causes"]))
    for i, claim in enumerate(brief["causes"]):
        claims.nth(i).click()
        assert (
            d.highlighted() == text[claim["evidence_start"] : claim["evidence_end"]] == claim["evidence_zh"]
        )
        expect(claims.nth(i)).to_have_attribute("aria-pressed", "true")
        expect(d.page.locator("#source .hl").first).to_be_in_viewport()
    figures = d.page.locator("button.figure")
    for i, figure in enumerate(brief["key_figures"]):
        figures.nth(i).click()
        assert d.highlighted() == text[figure["evidence"]["start"] : figure["evidence"]["end"]]
    bullets = d.page.locator("button.bullet")
    for i, bullet in enumerate(brief["summary"]):
        bullets.nth(i).click()
        assert d.highlighted() == "".join(text[s["start"] : s["end"]] for s in bullet["evidence"])


def test_seed_004_every_item_points_at_its_evidence(
    browser: Browser, settings: Settings, tmp_path: Path
) -> None:
    text = seed("004")
    with desk_server(settings, ScriptedBackend()) as base, desk(browser, base) as d:
        started = d.ask(text)
        first_step_s = d.first_step_after(started)
        d.wait_for_brief()
        print(
            f"\nfirst progress line after {first_step_s:.3f} s (page's own count: "
            f"{d.page.get_attribute('#steps', 'data-first-step-ms')} ms)"
        )
        assert d.steps() == ["normalize", "claims", "figures", "summary", "checks", "evidence"]
        expect(d.page.locator("#steps .step.final")).to_contain_text("Brief ready in")
        brief = d.downloaded_brief(tmp_path)  # Download JSON: the API's brief, as the page holds it
        assert brief["headline_en"] and brief["causes"] and "type" not in brief
        expect(d.page.locator(".headline")).to_have_text(brief["headline_en"])
        check_every_item_marks_its_span(d, text, brief)
        # The source exactly as received: every character, page furniture greyed.
        assert d.page.locator("#source").text_content() == text
        greyed = d.page.locator("#source .skipped").all_text_contents()
        assert "".join(greyed) == "".join(text[s["start"] : s["end"]] for s in brief["skipped"])
        expect(d.page.locator(".entities li")).to_have_count(len(brief["entities"]))
        expect(d.page.locator(".warnings")).to_contain_text("Warnings (0)")
        d.page.click("#copy-md")
        expect(d.page.locator("#toolbar-status")).to_have_text("Copied as Markdown.")
        markdown = d.page.evaluate("navigator.clipboard.readText()")
        assert markdown.startswith(f"# {brief['headline_en']}\n") and "## Cause claims" in markdown
        d.page.locator("button.claim").first.click()
        d.page.mouse.move(1, 1)  # nothing hovered: the picked claim's evidence stays marked
        d.screenshot(tmp_path / "seed-004-brief.png")
        # A phone: the panes stack, the source first.
        d.page.set_viewport_size({"width": 390, "height": 844})
        source_box = d.page.locator(".source-pane").bounding_box()
        brief_box = d.page.locator("#brief-pane").bounding_box()
        assert source_box and brief_box and brief_box["y"] >= source_box["y"] + source_box["height"]
        d.screenshot(tmp_path / "seed-004-phone.png", full_page=True)


def test_rejected_claims_say_so_in_words_and_the_keyboard_picks_them(
    browser: Browser, settings: Settings, tmp_path: Path
) -> None:
    text = seed("000")  # Bessent: the plunge was DeepSeek's doing, not the tariffs' (而非)
    with desk_server(settings, ScriptedBackend()) as base, desk(browser, base) as d:
        d.ask(text)
        d.wait_for_brief()
        brief = d.downloaded_brief(tmp_path)
        stances = [c["stance"] for c in brief["causes"]]
        assert "rejected" in stances and "supported" in stances
        claims = d.page.locator("button.claim")
        for i, stance in enumerate(stances):
            expect(claims.nth(i).locator(".stance")).to_have_text(
                "✗ Rejected" if stance == "rejected" else "✓ Supported"
            )
        rejected = stances.index("rejected")
        claims.nth(rejected).focus()  # keyboard focus shows the evidence, Enter picks it
        c = brief["causes"][rejected]
        assert d.highlighted() == text[c["evidence_start"] : c["evidence_end"]]
        d.page.keyboard.press("Enter")
        expect(claims.nth(rejected)).to_have_attribute("aria-pressed", "true")
        expect(d.page.locator("#sr-status")).to_contain_text("Evidence marked in the source")
        # The English first line is page furniture: greyed, never briefed.
        expect(d.page.locator("#source .skipped").first).to_contain_text("U.S. Treasury Secretary")
        d.screenshot(tmp_path / "seed-000-rejected-claim.png")


def test_offsets_are_code_points_past_characters_outside_the_bmp(
    browser: Browser, settings: Settings, tmp_path: Path
) -> None:
    # Python counts code points, JavaScript UTF-16 units: after 𠮷 (one code point, two units) every
    # offset would land one character early if the page sliced JavaScript strings by the API's offsets.
    text = seed("004").replace("1月28日消息", "𠮷😀1月28日消息", 1)
    with desk_server(settings, ScriptedBackend()) as base, desk(browser, base) as d:
        d.ask(text)
        d.wait_for_brief()
        brief = d.downloaded_brief(tmp_path)
        assert brief["causes"][0]["evidence_start"] > text.index("😀")
        check_every_item_marks_its_span(d, text, brief)


def test_the_full_translation_pairs_sentences_both_ways(
    browser: Browser, settings: Settings, tmp_path: Path
) -> None:
    text = seed("004")
    with desk_server(settings, ScriptedBackend()) as base, desk(browser, base) as d:
        d.ask(text)
        d.wait_for_brief()
        with d.page.expect_response(lambda r: "/v1/translate" in r.url) as answer:
            d.page.click("#mode-translation")
        expect(d.page.locator("#mode-translation")).to_have_attribute("aria-pressed", "true")
        expect(d.page.locator("#translation-status")).to_have_text(
            re.compile(r"^\d+ sentences"), timeout=30_000
        )
        lines = [json.loads(line) for line in answer.value.text().splitlines()]  # what the API sent
        segments = [line for line in lines if line["type"] == "segment"]
        english = d.page.locator("#translation .en-seg")
        expect(english).to_have_count(len(segments))
        for i in (0, 3, len(segments) - 1):  # hover an English sentence: its Chinese is marked
            english.nth(i).hover()
            assert d.paired_source() == text[segments[i]["start"] : segments[i]["end"]] == segments[i]["zh"]
            expect(english.nth(i)).to_have_class(PAIRED)
        source_sentence = d.page.locator('#source [data-seg="5"]')
        source_sentence.hover()  # and the other way round
        expect(english.nth(5)).to_have_class(PAIRED)
        expect(english.nth(5)).to_contain_text(segments[5]["en"])
        d.page.locator('#source [data-seg="2"]').focus()  # the keyboard pairs them too
        expect(english.nth(2)).to_have_class(PAIRED)
        d.screenshot(tmp_path / "seed-004-translation.png")
        d.page.click("#mode-brief")  # back to the brief: its evidence marks work again
        d.page.locator("button.claim").first.click()
        claim = d.downloaded_brief(tmp_path)["causes"][0]
        assert d.highlighted() == claim["evidence_zh"]


def test_an_english_paste_shows_the_apis_reason(browser: Browser, settings: Settings) -> None:
    with desk_server(settings, ScriptedBackend()) as base, desk(browser, base) as d:
        reason = httpx.post(base + "/v1/brief", json={"text": "Stocks fell on Monday in New York."}).json()
        d.ask("Stocks fell on Monday in New York.")
        error = d.page.locator("#error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("422 · not_chinese")
        expect(error).to_contain_text(reason["message"])
        expect(d.page.locator("#result")).to_be_hidden()


def test_cancel_stops_the_work_on_the_server(browser: Browser, settings: Settings) -> None:
    backend = GatedAtClaims()
    with desk_server(settings.model_copy(update={"parallel": 1}), backend) as base, desk(browser, base) as d:
        d.ask(seed("004"))
        expect(d.page.locator('#steps li[data-step="claims"]')).to_be_visible()
        assert backend.waiting.wait(10)
        d.page.click("#cancel")
        expect(d.page.locator("#progress-status")).to_contain_text("Cancelled")
        expect(d.page.locator("#cancel")).to_be_disabled()
        time.sleep(0.5)  # the server sees the connection close
        backend.gate.set()
        assert wait_until_idle(base)
        asked = {c.tag.split(":")[0] for c in backend.calls}
    assert asked == {"claim"}, asked  # nothing after the step that was running


def test_a_url_brief_shows_the_fetched_text(browser: Browser, settings: Settings) -> None:
    text = seed("004")
    with desk_server(settings, ScriptedBackend(), FakeFetcher(text)) as base, desk(browser, base) as d:
        d.ask(url="https://news.example/nvidia")
        d.wait_for_brief()
        assert d.page.locator("#source").text_content() == text
        d.page.locator("button.claim").first.click()
        assert d.highlighted() and d.highlighted() in text


def test_with_keys_on_the_page_asks_for_one(browser: Browser, settings: Settings) -> None:
    key = "fb_page-test-key"
    record = KeyRecord(name="reader", sha256=hashlib.sha256(key.encode()).hexdigest())
    keyed = settings.model_copy(update={"auth": "keys", "api_keys": [record]})
    with desk_server(keyed, ScriptedBackend()) as base, desk(browser, base) as d:
        expect(d.page.locator("#key")).to_be_visible()
        d.ask(seed("004")[:800])
        expect(d.page.locator("#error")).to_contain_text("401 · unauthorized")
        expect(d.page.locator("#error")).to_contain_text("an API key is required")
        d.ask(seed("004")[:800], key=key)
        d.wait_for_brief()
        expect(d.page.locator("#error")).to_be_hidden()


def test_the_page_is_served_with_its_own_origin_only(settings: Settings) -> None:
    with desk_server(settings, ScriptedBackend()) as base:
        page = httpx.get(base + "/")
        script = httpx.get(base + "/page/app.js")
        config = httpx.get(base + "/page/config.json").json()
        schema = httpx.get(base + "/openapi.json").json()
        metrics = httpx.get(base + "/metrics").text
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert script.status_code == 200 and "connect-src 'self'" in script.headers["content-security-policy"]
    assert config == {"keys_required": False}
    assert "/" not in schema["paths"]  # the page is not part of the API
    assert 'finbrief_requests_total{route="/page/{file}",status="200"}' in metrics  # not "unmatched"
