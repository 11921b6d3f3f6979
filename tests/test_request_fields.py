"""POST /v1/brief's optional fields do what they say: `url` is fetched when `text` is absent (with the
SSRF-safe fetcher), and `url`, `source` and `published_at` are carried into the brief's provenance."""

from __future__ import annotations

from ipaddress import ip_network

import httpx

from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.settings import Settings

from .conftest import seed
from .fake_slack import news_site
from .test_api import serve

LOOPBACK = {"fetch_allow_networks": [ip_network("127.0.0.1/32")]}  # the fake news site is on loopback


def test_a_url_without_text_is_fetched_and_briefed(settings: Settings) -> None:
    backend = ScriptedBackend()
    with news_site(seed("004")) as site, serve(settings.model_copy(update=LOOPBACK), backend) as base:
        url = site.url + "/article"
        r = httpx.post(base + "/v1/brief", json={"url": url, "source": "Example Daily"}, timeout=30)
    assert r.status_code == 200, r.text
    assert site.hits == [("/article", f"127.0.0.1:{site.port}")]
    body = r.json()
    assert body["source_script"] == "zh-Hans"
    assert body["provenance"]["url"] == url and body["provenance"]["source"] == "Example Daily"
    # The model read the page's article: its evidence spans are offsets into the fetched text.
    assert any("英伟达" in c.user for c in backend.calls)


def test_text_wins_over_url_and_nothing_is_fetched(settings: Settings) -> None:
    cfg = settings.model_copy(update=LOOPBACK)
    with news_site(seed("001")) as site, serve(cfg, ScriptedBackend()) as base:
        url = site.url + "/article"
        r = httpx.post(base + "/v1/brief", json={"text": seed("004"), "url": url}, timeout=30)
    assert r.status_code == 200, r.text
    assert site.hits == [] and r.json()["provenance"]["url"] == url


def test_a_private_url_is_refused_before_queueing(settings: Settings) -> None:
    with news_site(seed("004")) as site, serve(settings, ScriptedBackend()) as base:
        r = httpx.post(base + "/v1/brief", json={"url": site.url + "/article"}, timeout=30)
    assert r.status_code == 422 and r.json()["error"] == "url_refused", r.text
    assert site.hits == []


def test_neither_text_nor_url_is_a_clear_422(settings: Settings) -> None:
    with serve(settings, ScriptedBackend()) as base:
        r = httpx.post(base + "/v1/brief", json={"title": "no text", "source": "Example Daily"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    assert "give the article's text, or its url" in r.json()["detail"]["errors"][0]["msg"]


def test_source_and_published_at_are_in_the_provenance(settings: Settings) -> None:
    with serve(settings, ScriptedBackend()) as base:
        when = "2025-01-27T09:30:00+08:00"
        fields = {"source": "Example Daily", "published_at": when}
        r = httpx.post(base + "/v1/brief", json={"text": seed("004"), **fields}, timeout=30)
        plain = httpx.post(base + "/v1/brief", json={"text": seed("004")}, timeout=30)
    assert r.status_code == 200, r.text
    prov = r.json()["provenance"]
    assert prov["source"] == "Example Daily" and prov["published_at"] == when
    assert prov["url"] is None
    unstamped = plain.json()["provenance"]
    assert unstamped["source"] is None and unstamped["published_at"] is None
