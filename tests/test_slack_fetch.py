"""The URL fetcher: article text from a real loopback site, and the SSRF rules that guard it."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Any

import pytest

from finbrief.errors import FetchFailed, UrlRefused
from finbrief.slack.fetch import ArticleFetcher

from .conftest import seed
from .fake_slack import NewsSite, news_site

LOOPBACK = [ip_network("127.0.0.0/8"), ip_network("::1/128")]


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with news_site(seed("004")) as s:
        yield s


def fetcher(allow: Sequence[IPv4Network | IPv6Network] = LOOPBACK, **kw: Any) -> ArticleFetcher:
    args: dict[str, Any] = {"timeout_s": 5.0, "max_bytes": 1_000_000, "max_redirects": 3}
    return ArticleFetcher(**{**args, "allow_networks": allow, **kw})


def test_allow_listed_loopback_page_is_fetched_and_extracted(site: NewsSite) -> None:
    article = fetcher().fetch(site.url + "/article")
    assert article.title and article.title.startswith("DeepSeek一夜干掉英伟达")
    assert "美国股市周一大幅下跌" in article.text
    assert "登录注册" not in article.text and "示例新闻网" not in article.text  # page furniture dropped
    plain = fetcher().fetch(site.url + "/plain")
    assert plain.text == seed("004").strip() and plain.title is None


def test_redirects_are_followed_and_rechecked(site: NewsSite) -> None:
    article = fetcher().fetch(site.url + "/to-article")
    assert article.final_url == site.url + "/article" and "英伟达" in article.text
    with pytest.raises(UrlRefused, match=r"169\.254\.169\.254"):
        fetcher().fetch(site.url + "/to-metadata")  # allowed host, private target: refused before connecting
    with pytest.raises(FetchFailed, match="redirects"):
        fetcher().fetch(site.url + "/loop")


def test_without_the_allow_list_loopback_is_refused_before_any_connection(site: NewsSite) -> None:
    before = len(site.hits)
    for url in (site.url + "/article", f"http://localhost:{site.port}/article", f"http://[::1]:{site.port}/"):
        with pytest.raises(UrlRefused, match="private, loopback or link-local"):
            fetcher(allow=[]).fetch(url)
    assert len(site.hits) == before


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "10.0.0.5", "192.168.1.1", "172.16.0.1", "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1",
     "fe80::1", "fd00::1", "224.0.0.1"],
)  # fmt: skip
def test_private_addresses_behind_a_public_name_are_refused(address: str) -> None:
    f = fetcher(allow=[], resolver=lambda host, port: ["93.184.216.34", address])
    with pytest.raises(UrlRefused):  # one private answer is enough: a client could pick it
        f.vet("https://news.example/a")


def test_public_name_is_pinned_to_the_vetted_address(site: NewsSite) -> None:
    # The name resolves once, the connection goes to that address, and the site still sees its name.
    f = fetcher(resolver=lambda host, port: ["127.0.0.1"])
    article = f.fetch(f"http://news.example:{site.port}/article")
    assert "英伟达" in article.text
    assert site.hits[-1] == ("/article", f"news.example:{site.port}")
    target = fetcher(allow=[], resolver=lambda host, port: ["93.184.216.34"]).vet(
        "https://news.example/a?b=1"
    )
    assert target.pinned_url == "https://93.184.216.34:443/a?b=1" and target.host_header == "news.example"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a", "file:///etc/passwd", "gopher://x", "http://", "http://[::1"]
)
def test_only_http_urls(url: str) -> None:
    with pytest.raises(UrlRefused):
        fetcher().fetch(url)


def test_size_time_and_type_limits(site: NewsSite) -> None:
    small = fetcher(max_bytes=2000)
    with pytest.raises(FetchFailed, match="larger than"):
        small.fetch(site.url + "/big")  # declared Content-Length
    with pytest.raises(FetchFailed, match="larger than"):
        small.fetch(site.url + "/stream-big")  # streamed, no length
    started = time.monotonic()
    with pytest.raises(FetchFailed, match=r"within|longer"):
        fetcher(timeout_s=0.3).fetch(site.url + "/slow")
    assert time.monotonic() - started < 1.2
    with pytest.raises(FetchFailed, match="application/pdf"):
        fetcher().fetch(site.url + "/pdf")
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetcher().fetch(site.url + "/missing")
