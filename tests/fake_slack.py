"""The Slack side of the Slack tests.

`FakeSlack` is a loopback Slack Web API (the SDK's base_url points at it) that records every call,
checks the bot token, enforces Block Kit's limits the way Slack does (invalid_blocks), can answer
429 with Retry-After, and serves Socket Mode over a real WebSocket. `SlackSender` plays Slack's
outgoing side: slash commands, shortcuts and events, signed with the test signing secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import uvicorn
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection
from websockets.sync.server import serve as ws_serve

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SIGNING_SECRET = "test-signing-secret"
BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: dict[str, Any] = field(default_factory=dict)  # what the fake answered


def free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def serve_in_thread(app: Any) -> tuple[str, Callable[[], None]]:
    """Run an ASGI app on loopback with uvicorn; returns its base URL and a stop function."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@contextmanager
def serving_ready(app: Any) -> Iterator[str]:
    """serve_in_thread, once its /readyz answers 200 (the model host has loaded); stopped after."""
    url, stop = serve_in_thread(app)
    try:
        while httpx.get(url + "/readyz").status_code != 200:
            time.sleep(0.02)
        yield url
    finally:
        stop()


def block_kit_error(blocks: list[dict[str, Any]]) -> str | None:
    """The limits Slack enforces on a message's blocks (it rejects the message otherwise)."""
    if len(blocks) > 50:
        return "no more than 50 items allowed [json-pointer:/blocks]"
    for i, b in enumerate(blocks):
        if b["type"] == "header" and len(b["text"]["text"]) > 150:
            return f"must be less than 151 characters [json-pointer:/blocks/{i}/text]"
        if b["type"] == "section" and not 0 < len(b["text"]["text"]) <= 3000:
            return f"must be less than 3001 characters [json-pointer:/blocks/{i}/text]"
        if b["type"] == "context" and (
            len(b["elements"]) > 10 or any(len(e["text"]) > 3000 for e in b["elements"])
        ):
            return f"invalid context [json-pointer:/blocks/{i}]"
    return None


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}  # conversations.replies
        self.refuse: dict[tuple[str, str], str] = {}  # (method, channel) -> Slack error code
        self.rate_limit: dict[str, list[int]] = {}  # method -> Retry-After of the next 429s
        self.socket_acks: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._ws: ServerConnection | None = None
        app = Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["GET", "POST"]),
                Route("/response/{rid}", self._response_url, methods=["POST"]),
            ]
        )
        self.url, self._stop_http = serve_in_thread(app)
        self.api_url = self.url + "/api/"
        self._ws_server = ws_serve(self._socket_mode, "127.0.0.1", 0, compression=None)
        self.ws_url = f"ws://127.0.0.1:{self._ws_server.socket.getsockname()[1]}/link/?ticket=test"
        threading.Thread(target=self._ws_server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._ws_server.shutdown()
        self._stop_http()

    # --- the Web API --------------------------------------------------------------------
    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        args: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        if body:
            if request.headers.get("content-type", "").startswith("application/json"):
                args.update(json.loads(body))
            else:
                args.update(parse_qsl(body.decode("utf-8")))  # form-encoded
        if isinstance(args.get("blocks"), str):
            args["blocks"] = json.loads(args["blocks"])
        auth = request.headers.get("authorization", "")
        call = Call(method, args)
        with self._lock:
            self.calls.append(call)
            retry_after = self.rate_limit.get(method, [])
            if retry_after:
                wait = retry_after.pop(0)
                return JSONResponse(
                    {"ok": False, "error": "ratelimited"}, status_code=429, headers={"Retry-After": str(wait)}
                )
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        refused = self.refuse.get((method, str(args.get("channel", ""))))
        if auth != f"Bearer {expected}":
            call.result = {"ok": False, "error": "invalid_auth"}
        elif refused:
            call.result = {"ok": False, "error": refused}
        else:
            call.result = self._answer(method, args)
        return JSONResponse(call.result)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": "BBOT", "team_id": "T1", "user": "finbrief"}
        if method == "chat.postMessage":
            if "blocks" in args and (error := block_kit_error(args["blocks"])):
                return {"ok": False, "error": "invalid_blocks", "errors": [error]}
            ts = f"1800000000.{next(self._ts):06d}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}
        if method in ("reactions.add", "reactions.remove"):
            return {"ok": True}
        if method == "conversations.replies":
            return {"ok": True, "messages": self.threads.get((args["channel"], args["ts"]), [])}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        return {"ok": False, "error": "unknown_method"}

    async def _response_url(self, request: Request) -> Response:
        with self._lock:
            self.calls.append(Call("response_url", json.loads(await request.body())))
        return Response("ok")

    # --- Socket Mode --------------------------------------------------------------------
    def _socket_mode(self, ws: ServerConnection) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}))
        self._ws = ws
        with contextlib.suppress(ConnectionClosed):  # the SDK client drops the socket on close()
            for message in ws:
                with self._lock:
                    self.socket_acks.append(json.loads(message))

    def send_envelope(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        """Deliver one Socket Mode envelope; returns its envelope_id."""
        deadline = time.monotonic() + 10
        while self._ws is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self._ws is not None, "the Socket Mode client never connected"
        envelope_id = str(uuid.uuid4())
        self._ws.send(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": retry_attempt,
                    "retry_reason": "timeout" if retry_attempt else "",
                }
            )
        )
        return envelope_id

    # --- what the tests look at ---------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def briefs(self) -> list[Call]:
        """Threaded Block Kit briefs (not the parent notes or error replies)."""
        posts = self.of("chat.postMessage")
        return [c for c in posts if c.args.get("blocks") and c.args.get("thread_ts") and c.result.get("ok")]

    def wait_for(self, predicate: Callable[[FakeSlack], Any], timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate(self)
            if result:
                return result
            time.sleep(0.02)
        raise AssertionError(f"timed out; calls: {[c.method for c in self.calls]}")

    def settle(self, quiet: float = 0.4, timeout: float = 15) -> None:
        """Wait until no call has arrived for `quiet` seconds: any late duplicate would show."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.calls[-1].at if self.calls else 0.0
            if time.monotonic() - last >= quiet:
                return
            time.sleep(0.05)


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    try:
        yield fake
    finally:
        fake.close()


class SlackSender:
    """Slack's outgoing requests to our /slack/events, signed like Slack signs them."""

    def __init__(self, base_url: str, fake: FakeSlack, secret: str = SIGNING_SECRET) -> None:
        self.url, self.fake = base_url + "/slack/events", fake
        self.verifier = SignatureVerifier(secret)
        self._ids = itertools.count(1)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sig = signature or self.verifier.generate_signature(timestamp=ts, body=body)
        return httpx.post(
            self.url,
            content=body.encode("utf-8"),
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": str(sig),
                **(headers or {}),
            },
            timeout=10,
        )

    def command_body(self, text: str, *, channel: str = "C1", user: str = "U1", trigger: str = "") -> str:
        n = next(self._ids)
        return urlencode(
            {
                "token": "legacy",
                "team_id": "T1",
                "team_domain": "analysts",
                "channel_id": channel,
                "channel_name": "markets",
                "user_id": user,
                "user_name": "analyst",
                "command": "/brief",
                "text": text,
                "api_app_id": "A1",
                "response_url": f"{self.fake.url}/response/{n}",
                "trigger_id": trigger or f"trigger-{n}-{uuid.uuid4().hex[:6]}",
            }
        )

    def command(self, text: str, **kw: Any) -> httpx.Response:
        return self.post(self.command_body(text, **kw), "application/x-www-form-urlencoded")

    def shortcut(
        self, message: dict[str, Any], *, channel: str = "C1", user: str = "U1", trigger: str = ""
    ) -> httpx.Response:
        n = next(self._ids)
        payload = {
            "type": "message_action",
            "token": "legacy",
            "action_ts": f"{time.time():.6f}",
            "team": {"id": "T1", "domain": "analysts"},
            "user": {"id": user, "name": "analyst"},
            "channel": {"id": channel, "name": "markets"},
            "callback_id": "brief_in_english",
            "trigger_id": trigger or f"trigger-{n}-{uuid.uuid4().hex[:6]}",
            "response_url": f"{self.fake.url}/response/{n}",
            "message_ts": message["ts"],
            "message": {"type": "message", "user": "U2", **message},
        }
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def event_body(self, event: dict[str, Any], *, event_id: str = "") -> str:
        return json.dumps(
            {
                "token": "legacy",
                "team_id": "T1",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "event": event,
                "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}],
            }
        )

    def event(self, event: dict[str, Any], *, event_id: str = "", retry: int = 0) -> httpx.Response:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.post(self.event_body(event, event_id=event_id), "application/json", headers=headers)


# --- a news site on loopback, for `/brief <url>` -------------------------------------------
def article_html(text: str) -> str:
    """A news page around an article: navigation and footer that extraction should drop."""
    lines = [html.escape(line) for line in text.splitlines() if line.strip()]
    return (
        f"<html><head><meta charset='utf-8'><title>{lines[0]}</title></head><body>"
        "<nav>频道导航 | 科技 | 财经 | 登录注册</nav>"
        f"<article><h1>{lines[0]}</h1>{''.join(f'<p>{line}</p>' for line in lines[1:])}</article>"
        "<footer>版权所有 © 2025 示例新闻网</footer></body></html>"
    )


class NewsSite:
    """Pages for the fetcher, recording every hit (path and Host header)."""

    def __init__(self, article: str) -> None:
        self.hits: list[tuple[str, str]] = []
        page = article_html(article).encode("utf-8")

        async def route(request: Request) -> Response:
            path = request.url.path
            self.hits.append((path, request.headers.get("host", "")))
            if path == "/article":
                return Response(page, media_type="text/html; charset=utf-8")
            if path == "/plain":
                return Response(article, media_type="text/plain; charset=utf-8")
            if path == "/big":
                return Response(b"<p>" + b"x" * 5000 + b"</p>", media_type="text/html")
            if path == "/stream-big":  # no Content-Length: the limit must hold while streaming
                chunks = (b"<p>" + b"x" * 1000 + b"</p>" for _ in range(10))
                return StreamingResponse(chunks, media_type="text/html")
            if path == "/slow":
                await asyncio.sleep(1.5)
                return Response(page, media_type="text/html")
            if path == "/pdf":
                return Response(b"%PDF-1.4", media_type="application/pdf")
            if path == "/to-metadata":
                return RedirectResponse("http://169.254.169.254/latest/meta-data/", status_code=302)
            if path == "/to-article":
                return RedirectResponse("/article", status_code=301)
            if path == "/loop":
                return RedirectResponse("/loop", status_code=302)
            return Response("not found", status_code=404)

        app = Starlette(routes=[Route("/{path:path}", route)])
        self.url, self._stop = serve_in_thread(app)
        self.port = int(self.url.rsplit(":", 1)[1])

    def close(self) -> None:
        self._stop()


@contextmanager
def news_site(article: str) -> Iterator[NewsSite]:
    site = NewsSite(article)
    try:
        yield site
    finally:
        site.close()
