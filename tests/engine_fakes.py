"""Loopback stand-ins for a serving engine: a fake llama-server (scripted answers over real HTTP)
and a fault proxy that sits in front of any engine and misbehaves on cue."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from finbrief.model.backends.base import GenerationRequest
from finbrief.model.backends.scripted import default_responder

CHAT = "/v1/chat/completions"
Responder = Callable[[dict[str, Any]], str]


def step_tag(body: dict[str, Any]) -> str:
    """The pipeline step a chat request is, read from its grammar (as the scripted backend needs)."""
    grammar = body.get("grammar") or ""
    key = re.match(r'root ::= "\{" ws "\\"(\w+)\\""', grammar)
    kinds = {"headline": "headline", "bullet": "bullet", "drivers": "claim", "answer": "claim:label"}
    if key:
        return kinds.get(key.group(1), "figure" if key.group(1) == "what" else key.group(1))
    if grammar.startswith('root ::= "yes"'):  # a one-word answer (spec.OneWord)
        return "claim:label"
    return "translate" if grammar.startswith("root ::= [^") else ""


def scripted(body: dict[str, Any]) -> str:
    """The scripted backend's answer to a llama-server chat request."""
    msgs = body["messages"]
    req = GenerationRequest(
        system=msgs[0]["content"] if len(msgs) > 1 else "",
        user=msgs[-1]["content"],
        grammar=body.get("grammar"),
        tag=step_tag(body),
    )
    return default_responder(req)


def echo(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client's pooled connections are reused

    def log_message(self, *args: Any) -> None:
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # a connection this handler reset on purpose
            super().finish()

    def read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and cut-off bodies are the point here


class FakeEngine:
    """A llama-server look-alike: /v1/models, /props, /health and chat completions answered by
    `responder` (the scripted backend's answers by default). Every chat body is kept, in order."""

    def __init__(
        self,
        responder: Responder = scripted,
        model: str = "fake-model",
        *,
        fail_after: int | None = None,  # then 503 for good: an engine that dies mid-brief
        reject: str | None = None,  # 400 with this message: a request the engine will not take
    ) -> None:
        self.responder, self.model, self.fail_after, self.reject = responder, model, fail_after, reject
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        engine = self

        class Handler(_Quiet):
            def do_GET(self) -> None:
                if self.path == "/v1/models":
                    data = [{"id": engine.model, "object": "model", "owned_by": "llamacpp"}]
                    self.send(200, {"object": "list", "data": data}, {"Server": "llama.cpp"})
                elif self.path in ("/props", "/health"):
                    self.send(200, {"default_generation_settings": {}, "status": "ok"})
                else:
                    self.send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = self.read_json()
                with engine.lock:
                    engine.bodies.append(body)
                    n = len(engine.bodies)
                if engine.fail_after is not None and n > engine.fail_after:
                    self.send(503, {"error": {"message": "engine overloaded"}})
                    return
                if engine.reject is not None:
                    self.send(400, {"error": {"message": engine.reject}})
                    return
                text = engine.responder(body)
                self.send(200, engine.answer(body, text))

        return Handler

    def answer(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        prompt = sum(len(m["content"]) for m in body["messages"]) // 2
        return {
            "object": "chat.completion",
            "model": self.model,
            "system_fingerprint": "fake-fp-1",
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
            ],
            "usage": {"prompt_tokens": prompt, "completion_tokens": len(text.split()) + 1},
            "timings": {"cache_n": prompt // 2, "predicted_per_second": 10.0},
        }

    def users(self) -> list[str]:
        with self.lock:
            return [b["messages"][-1]["content"] for b in self.bodies]


class FaultProxy:
    """Forwards to `upstream`, except that each POST takes the next fault from `faults`, if any:
    slow (answers after `slow_s`, never forwarded), 429 (Retry-After: `retry_after`), 500, reset
    (a TCP reset, nothing answered), truncated (a 200 whose body stops short). `always` replaces
    every POST's answer with that fault. GETs are forwarded unless `down`."""

    def __init__(self, upstream: str, *, slow_s: float = 2.0, retry_after: str = "1") -> None:
        self.upstream, self.slow_s, self.retry_after = upstream, slow_s, retry_after
        self.faults: deque[str] = deque()
        self.always: str | None = None
        self.down = False
        self.seen: list[str] = []  # each POST's fault ("ok" when forwarded), in order
        self.lock = threading.Lock()
        self.client = httpx.Client(base_url=upstream, timeout=30)

    def next_fault(self) -> str:
        with self.lock:
            fault = self.always or (self.faults.popleft() if self.faults else "ok")
            self.seen.append(fault)
            return fault

    def handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(_Quiet):
            def do_GET(self) -> None:
                if proxy.down:
                    self.reset()
                    return
                r = proxy.client.get(self.path)
                self.send(r.status_code, r.content, {"Server": r.headers.get("server", "")})

            def do_POST(self) -> None:
                body = self.read_json()
                fault = proxy.next_fault()
                if fault == "ok":
                    r = proxy.client.post(self.path, json=body)
                    self.send(r.status_code, r.content)
                elif fault == "slow":
                    time.sleep(proxy.slow_s)
                    self.send(200, {"choices": [{"message": {"content": "too late"}}]})
                elif fault == "429":
                    self.send(429, {"error": {"message": "busy"}}, {"Retry-After": proxy.retry_after})
                elif fault == "500":
                    self.send(500, {"error": {"message": "engine crashed"}})
                elif fault == "reset":
                    self.reset()
                elif fault == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "4000")
                    self.end_headers()
                    self.wfile.write(b'{"choices": [{"message": {"content": "cut')
                    self.wfile.flush()
                    self.reset()
                else:
                    raise AssertionError(f"unknown fault {fault}")

            def reset(self) -> None:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True

        return Handler


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], port: int = 0) -> Iterator[str]:
    """Run a handler on a loopback port (any free one by default): yields its base URL."""
    server = _Server(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
