"""Memory of a real server before and after four concurrent 50 MB request bodies (issue 17).

Starts finbrief (scripted backend, so no model is loaded) under uvicorn in a child process on
loopback, reads its resident memory from /proc, sends four 50 MB POST /v1/brief bodies at once from
threads over raw sockets (each stops sending when the server answers or closes), and reads the
memory again, with the peak (VmHWM) over the whole run.

    .venv/bin/python benchmarks/body_limit_rss.py                     # the default body limit
    .venv/bin/python benchmarks/body_limit_rss.py --chunked           # no Content-Length: counted
    .venv/bin/python benchmarks/body_limit_rss.py --max-body-bytes 100000000   # a limit above 50 MB:
                                                # the bodies are read and parsed, as before the limit
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

MB = 2**20


def serve(port: int, max_body_bytes: int | None) -> None:
    import uvicorn

    from finbrief.api.app import create_app
    from finbrief.model.backends.scripted import ScriptedBackend
    from finbrief.settings import Settings

    settings = Settings(
        model_dir=Path(tempfile.mkdtemp()), auto_pull=False, warmup=False, cache_enabled=False,
        max_body_bytes=max_body_bytes,
    )
    uvicorn.run(create_app(settings, ScriptedBackend()), host="127.0.0.1", port=port, log_level="warning")


def memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024  # kB
    return fields


def send(port: int, size: int, chunked: bool, out: list[str]) -> None:
    """One client: the request head, then the body in 64 KB pieces until done or refused."""
    piece = "美".encode() * (64 * 1024 // 3)
    framing = b"Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}".encode()
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"POST /v1/brief HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                     + framing + b"\r\n\r\n")
        body_head = b'{"text": "'
        try:
            sock.sendall(frame(body_head, chunked))
            while sent < size - 2 * len(piece):
                sock.sendall(frame(piece, chunked))
                sent += len(piece)
            chars, pad = divmod(size - len(body_head) - sent - 2, 3)
            tail = "美".encode() * chars + b'"}' + b" " * pad  # exactly `size` bytes in all
            sock.sendall(frame(tail, chunked) + (b"0\r\n\r\n" if chunked else b""))
            sent = size
        except (TimeoutError, ConnectionError):
            pass
        answer = read_response(sock)
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    body = answer.partition(b"\r\n\r\n")[2][:120].decode(errors="replace")
    out.append(f"sent {sent / MB:6.1f} MB -> {status} {body}")


def read_response(sock: socket.socket) -> bytes:
    """One response (by its Content-Length), or what came before the server closed."""
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
            head, found, body = answer.partition(b"\r\n\r\n")
            length = [int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
                      if line.startswith(b"content-length:")]
            if found and length and len(body) >= length[0]:
                break
    except (TimeoutError, ConnectionError):
        pass
    return answer


def frame(data: bytes, chunked: bool) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--max-body-bytes", type=int, default=None)
    parser.add_argument("--chunked", action="store_true")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.max_body_bytes)
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cmd = [sys.executable, __file__, "--serve", str(port)]
    if args.max_body_bytes:
        cmd += ["--max-body-bytes", str(args.max_body_bytes)]
    server = subprocess.Popen(cmd)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        httpx.post(f"http://127.0.0.1:{port}/v1/brief", json={"text": "美股" * 100}, timeout=60)  # warm
        before = memory_mb(server.pid)
        answers: list[str] = []
        threads = [
            threading.Thread(target=send, args=(port, args.mb * MB, args.chunked, answers))
            for _ in range(args.clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        time.sleep(1)
        after = memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(10)
    report = {
        "clients": args.clients,
        "body_mb": args.mb,
        "chunked": args.chunked,
        "max_body_bytes": args.max_body_bytes or "default",
        "rss_before_mb": round(before["VmRSS"], 1),
        "rss_after_mb": round(after["VmRSS"], 1),
        "peak_rss_mb": round(after["VmHWM"], 1),
        "seconds": round(elapsed, 2),
    }
    print("\n".join(answers))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
