"""llama.cpp backend through xllamacpp (prebuilt wheels; llama-server's request handling in-process).

Why xllamacpp rather than llama-cpp-python: it installs from a prebuilt wheel (no compiler, no
CMake, seconds instead of minutes), and it exposes llama-server's own request path, so we get its
prompt-prefix cache (the article is prefilled once and reused by every focused question), parallel
slots, GBNF grammars and JSON-schema support without re-implementing any of them.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import ModelNotReady
from .base import GenerationRequest, GenerationResult
from .flavours import BadAnswer, LlamaServer

LLAMA_SERVER = LlamaServer()

log = logging.getLogger(__name__)


class LlamaCppBackend:
    name = "llamacpp"

    def __init__(
        self,
        model_path: Path,
        model_id: str,
        model_sha256: str | None,
        *,
        n_ctx: int = 8192,
        n_threads: int = 0,
        parallel: int = 1,
        gpu_layers: int = 0,
    ) -> None:
        self.model_path = model_path
        self.model_id = model_id
        self.model_sha256 = model_sha256
        self.n_ctx = n_ctx
        self.n_threads = n_threads or (os.cpu_count() or 1)
        self.parallel = parallel
        self.gpu_layers = gpu_layers
        self._server: Any = None

    # The server is created lazily by warmup() so that construction is cheap and never fails.
    def _ensure(self) -> Any:
        if self._server is None:
            import xllamacpp as xlc

            params = xlc.CommonParams()
            params.model.path = str(self.model_path)
            # Each slot gets n_ctx tokens of its own (llama-server splits the total across slots).
            params.n_ctx = self.n_ctx * self.parallel
            params.n_parallel = self.parallel
            params.cpuparams.n_threads = self.n_threads
            params.cpuparams_batch.n_threads = self.n_threads
            params.n_gpu_layers = self.gpu_layers
            params.warmup = False
            # llama.cpp logs every slot event at info level; keep warnings and errors only unless asked.
            params.verbosity = int(os.environ.get("FINBRIEF_LLAMA_VERBOSITY", "-1"))
            started = time.perf_counter()
            try:
                self._server = xlc.Server(params)
            except Exception as exc:  # the binding raises RuntimeError/ValueError for a bad file
                raise ModelNotReady(f"llama.cpp could not load {self.model_path}: {exc}") from exc
            log.info("loaded %s in %.1fs", self.model_path.name, time.perf_counter() - started)
        return self._server

    def warmup(self) -> None:
        self._ensure()
        self.generate([GenerationRequest(system="", user="Say OK.", max_tokens=2, tag="warmup")])

    def count_tokens(self, text: str) -> int:
        server = self._ensure()
        # llama-server listens on loopback for its own HTTP API; /tokenize is its tokenizer.
        req = urllib.request.Request(
            server.listening_address + "/tokenize",
            data=json.dumps({"content": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return len(json.loads(resp.read())["tokens"])

    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        server = self._ensure()
        return [self._one(server, r) for r in batch]

    def _one(self, server: Any, req: GenerationRequest) -> GenerationResult:
        # The request llama-server's HTTP API would get, answered by the same code in-process: one
        # body and one reading for both (flavours.LlamaServer), logprobs and timings included.
        started = time.perf_counter()
        try:
            out = server.handle_chat_completions(LLAMA_SERVER.body(req, self.model_id))
        except Exception as exc:
            return GenerationResult("", 0, 0, "error", error=f"llama.cpp: {exc}")
        seconds = time.perf_counter() - started
        if "error" in out:
            return GenerationResult(
                "", 0, 0, "error", seconds=seconds, error=str(out["error"].get("message"))
            )
        try:
            result = LLAMA_SERVER.parse(out)
        except BadAnswer as exc:
            return GenerationResult("", 0, 0, "error", seconds=seconds, error=str(exc))
        result.seconds = seconds
        return result

    def close(self) -> None:
        self._server = None  # the binding's destructor stops the server loop
