"""Article text from a URL a Slack user gave us, without becoming a hole in anyone's network.

The service runs inside a company network, so "fetch this URL" is an SSRF risk: a link to
http://169.254.169.254/ or http://10.0.0.5/admin must not be fetched on a user's behalf. Rules:

- http and https only;
- every address the host name resolves to must be public (not private, loopback, link-local,
  shared, reserved, multicast or unspecified) unless it is in `fetch_allow_networks`;
- the connection goes to the address that was checked (the URL is rewritten to the IP, with the
  Host header and TLS SNI/certificate check still using the name), so DNS rebinding between the
  check and the connection cannot redirect it;
- redirects are followed by hand, and every hop is checked again;
- one deadline for the whole fetch, a byte limit on the body, no proxies from the environment.

Text extraction is trafilatura's (boilerplate removal, charset detection): maintained, and far
better at real news pages than anything we would write.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from .. import __version__
from ..errors import FetchFailed, UrlRefused
from ..settings import Settings
from ..text.extract import extract_article

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]
HTML_TYPES = {"text/html", "application/xhtml+xml", ""}  # "" = unlabelled: let the extractor judge
USER_AGENT = f"finbrief/{__version__} (article brief; +https://github.com/finbrief)"


@dataclass(frozen=True)
class Article:
    url: str  # as given
    final_url: str  # after redirects
    title: str | None
    text: str


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchFailed(f"the host name {host!r} does not resolve") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class _Target:
    pinned_url: str  # the URL with the vetted IP in place of the host name
    host_header: str
    hostname: str


class ArticleFetcher:
    def __init__(
        self,
        *,
        timeout_s: float,
        max_bytes: int,
        max_redirects: int,
        allow_networks: Sequence[IPNetwork] = (),
        resolver: Resolver = resolve,
    ) -> None:
        self.timeout_s, self.max_bytes, self.max_redirects = timeout_s, max_bytes, max_redirects
        self.allow_networks = list(allow_networks)
        self._resolve = resolver

    @classmethod
    def from_settings(cls, settings: Settings) -> ArticleFetcher:
        return cls(
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            allow_networks=settings.fetch_allow_networks,
        )

    # --- policy ---------------------------------------------------------------------------
    def allowed(self, ip: IPAddress) -> bool:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip in net for net in self.allow_networks):
            return True
        return ip.is_global and not ip.is_multicast

    def vet(self, url: str) -> _Target:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise UrlRefused("it is not a valid URL") from exc
        scheme, host = parts.scheme.lower(), parts.hostname
        if scheme not in ("http", "https"):
            raise UrlRefused("only http and https links can be fetched")
        if not host:
            raise UrlRefused("the link has no host name")
        port = port or (443 if scheme == "https" else 80)
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = [ipaddress.ip_address(a.split("%")[0]) for a in self._resolve(host, port)]
        if not addresses:
            raise FetchFailed(f"the host name {host!r} does not resolve")
        refused = [a for a in addresses if not self.allowed(a)]
        if refused:  # one private answer is enough to refuse: the client could pick any of them
            raise UrlRefused(
                f"{host} points to a private, loopback or link-local address ({refused[0]}), "
                "which this service does not fetch"
            )
        ip = addresses[0]
        literal = f"[{ip}]" if ip.version == 6 else str(ip)
        pinned = urlunsplit((scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
        named = f"[{host}]" if ":" in host else host  # urlsplit strips an IPv6 literal's brackets
        host_header = named if parts.port is None else f"{named}:{parts.port}"
        return _Target(pinned, host_header, host)

    # --- fetch ----------------------------------------------------------------------------
    def fetch(self, url: str) -> Article:
        deadline = time.monotonic() + self.timeout_s
        current = url
        try:
            with httpx.Client(
                trust_env=False, follow_redirects=False, timeout=httpx.Timeout(self.timeout_s)
            ) as client:
                for _ in range(self.max_redirects + 1):
                    target = self.vet(current)
                    headers = {
                        "Host": target.host_header,
                        "User-Agent": USER_AGENT,
                        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8",
                        "Accept-Encoding": "identity",  # the byte limit then bounds memory too
                    }
                    extensions = {"sni_hostname": target.hostname}
                    with client.stream(
                        "GET", target.pinned_url, headers=headers, extensions=extensions
                    ) as resp:
                        if resp.is_redirect and "location" in resp.headers:
                            current = urljoin(current, resp.headers["location"])
                            continue
                        return self._article(url, current, resp, deadline)
        except httpx.TimeoutException as exc:
            raise FetchFailed(f"the site did not answer within {self.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise FetchFailed(f"the site could not be reached: {type(exc).__name__}") from exc
        raise FetchFailed(f"more than {self.max_redirects} redirects")

    def _article(self, url: str, final: str, resp: httpx.Response, deadline: float) -> Article:
        if resp.status_code != 200:
            raise FetchFailed(f"the site answered HTTP {resp.status_code}")
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in HTML_TYPES and ctype != "text/plain":
            raise FetchFailed(f"the link is {ctype}, not a web page")
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchFailed(f"the page is larger than {self.max_bytes:,} bytes")
        body = bytearray()
        for chunk in resp.iter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchFailed(f"the page is larger than {self.max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise FetchFailed(f"the page took longer than {self.timeout_s:g} s to download")
        if ctype == "text/plain":
            text, title = bytes(body).decode(resp.encoding or "utf-8", errors="replace").strip(), None
        else:
            text, title = extract_article(bytes(body), final, tables=False)
        if not text:
            raise FetchFailed("no article text was found on the page")
        return Article(url=url, final_url=final, title=title, text=text)
