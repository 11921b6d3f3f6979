"""The `openai` backend: any OpenAI-compatible serving engine over HTTP (llama-server, vLLM,
SGLang, Ollama, or anything else that speaks chat completions).

A batch's requests go to the engine together (a pool of `engine_max_concurrency` threads, shared
by every brief of this process, bounds what is in flight): the engine batches them, and its prefix
cache shares the article they all start with. Constraints per engine flavour: flavours.py;
retries and the engine's faults: engine_http.py.

Nothing here touches the network before it is needed: the served model and the flavour are
asked for on first use (warmup, the first brief, or `model_id` when no model name is set).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from typing import Any

from ...errors import EngineUnavailable
from ...schemas import EngineInfo
from ...settings import Settings
from ...text.script import cjk_count
from .base import GenerationRequest, GenerationResult
from .engine_http import EngineHTTP, EngineRejected, RetryPolicy
from .flavours import BY_NAME, BadAnswer, Flavour, fingerprint

log = logging.getLogger(__name__)
# What /v1/models says owns a model, for the engines that say it.
OWNERS = {"vllm": "vllm", "sglang": "sglang", "llamacpp": "llama-server"}
# Endpoints only one kind of engine has: (path, a key its JSON answer has, flavour).
PROBES = (
    ("/props", "default_generation_settings", "llama-server"),
    ("/api/version", "version", "ollama"),
    ("/get_server_info", "model_path", "sglang"),
    ("/version", "version", "vllm"),
)


class OpenAIBackend:
    name = "openai"

    def __init__(
        self, http: EngineHTTP, *, model: str | None = None, flavour: str = "auto", max_concurrency: int = 8
    ) -> None:
        self.http = http
        self.model_sha256: str | None = None  # the engine's weights are not ours to hash
        self.fingerprint: str | None = None  # system_fingerprint of the latest answer, where given
        self._model = model
        # Set by name: no detection, and with a model name too, nothing to ask before the first brief.
        self._flavour: Flavour | None = None if flavour == "auto" else BY_NAME[flavour]
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="engine")

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIBackend:
        key = settings.engine_api_key.get_secret_value() if settings.engine_api_key else None
        http = EngineHTTP(
            settings.engine_url,
            api_key=key,
            timeout_s=settings.engine_timeout_s,
            max_connections=settings.engine_max_concurrency,
            policy=RetryPolicy(
                budget_s=settings.engine_retry_budget_s, max_attempts=settings.engine_max_attempts
            ),
        )
        return cls(
            http,
            model=settings.engine_model,
            flavour=settings.engine_flavour,
            max_concurrency=settings.engine_max_concurrency,
        )

    # --- identity -----------------------------------------------------------------------------
    @property
    def model_id(self) -> str:
        """The served model name: as configured, else the engine's first (asked for once)."""
        return self._model if self._model is not None else self._resolve()[1]

    @property
    def flavour(self) -> str:
        return self._resolve()[0].name

    @property
    def engine(self) -> EngineInfo | None:
        """For provenance: which engine answered (None until it has been asked anything)."""
        if self._flavour is None or self._model is None:
            return None
        return EngineInfo(
            flavour=self._flavour.name, host=self.http.host, model=self._model, fingerprint=self.fingerprint
        )

    def _resolve(self) -> tuple[Flavour, str]:
        with self._lock:
            if self._flavour is None or self._model is None:
                models = self._models(retry=True)
                if self._model is None:
                    if not models:
                        raise EngineUnavailable(f"the engine at {self.http.host} lists no models")
                    self._model = models[0]["id"]
                if self._flavour is None:
                    self._flavour = BY_NAME[detect(self.http, models)]
                log.info("engine %s: %s serving %s", self.http.host, self._flavour.name, self._model)
            return self._flavour, self._model

    def _models(self, *, retry: bool) -> list[dict[str, Any]]:
        """The served models; with `retry`, the engine's faults retried within the budget."""
        data = self.http.request_json("GET", "/v1/models") if retry else self.http.probe("/v1/models")[0]
        if data is None:
            raise EngineUnavailable(f"the engine at {self.http.host} does not answer /v1/models")
        return [m for m in data.get("data") or [] if isinstance(m, dict) and m.get("id")]

    # --- the Backend protocol -----------------------------------------------------------------
    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        """Every request at once (bounded by the pool); results in order. One bad request is an
        error result; an engine that does not answer fails the whole batch (EngineUnavailable):
        a brief is never finished from half its answers."""
        flavour, model = self._resolve()
        futures: list[Future[GenerationResult]] = [
            self._pool.submit(self._one, flavour, model, req) for req in batch
        ]
        results: list[GenerationResult] = []
        failure: EngineUnavailable | None = None
        for future in futures:
            try:
                results.append(future.result())
            except CancelledError:  # cancelled below, after the engine failed another request
                continue
            except EngineUnavailable as exc:
                failure = failure or exc
                for other in futures:  # the rest are wasted work now; what runs, finishes
                    other.cancel()
        if failure is not None:
            raise failure
        return results

    def _one(self, flavour: Flavour, model: str, req: GenerationRequest) -> GenerationResult:
        started = time.perf_counter()
        try:
            data = self.http.request_json("POST", flavour.path, flavour.body(req, model))
            result = flavour.parse(data)
        except (EngineRejected, BadAnswer) as exc:
            log.info("step %s: the engine refused or garbled it: %s", req.tag, exc)
            return GenerationResult("", 0, 0, "error", seconds=time.perf_counter() - started, error=str(exc))
        self.fingerprint = fingerprint(data) or self.fingerprint
        result.seconds = time.perf_counter() - started
        return result

    def check_ready(self) -> None:
        """/readyz: the engine answers /v1/models now and lists the served model (one quick try)."""
        models = self._models(retry=False)
        names = [str(m["id"]) for m in models]
        wanted = self._model
        if wanted is not None and wanted not in names:
            raise EngineUnavailable(
                f"the engine at {self.http.host} does not serve {wanted!r}",
                detail={"engine": self.http.host, "served": names[:20]},
            )
        if not names:
            raise EngineUnavailable(f"the engine at {self.http.host} lists no models")

    def warmup(self) -> None:
        """One tiny question, so the engine has the chat template and the path warm. An engine that
        is not up yet is not a failed load: it is logged, /readyz says 503 until the engine answers,
        and requests meanwhile get 503 engine_unavailable (the engine is its own service)."""
        try:
            self.generate([GenerationRequest(system="", user="Say OK.", max_tokens=2, tag="warmup")])
        except EngineUnavailable as exc:
            log.warning("engine %s not answering yet: %s", self.http.host, exc.message)

    def count_tokens(self, text: str) -> int:
        """The engine's tokenizer where it has one (llama-server, vLLM); else an estimate."""
        flavour, model = self._resolve()
        try:
            if flavour.name == "llama-server":
                return len(self.http.request_json("POST", "/tokenize", {"content": text})["tokens"])
            if flavour.name == "vllm":
                body = {"model": model, "prompt": text}
                return int(self.http.request_json("POST", "/tokenize", body)["count"])
        except (EngineRejected, KeyError, TypeError, ValueError):
            pass
        return cjk_count(text) + len(text.split())

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.http.close()


def detect(http: EngineHTTP, models: list[dict[str, Any]]) -> str:
    """The engine's flavour, where it says what it is: /v1/models' `owned_by`, or an endpoint only
    it has (llama-server's Server header is checked with it). Otherwise generic (response_format)."""
    for model in models:
        owner = OWNERS.get(str(model.get("owned_by", "")).lower())
        if owner:
            return owner
    for path, key, flavour in PROBES:
        data, headers = http.probe(path)
        if data is not None and key in data:
            return flavour
        if flavour == "llama-server" and headers is not None and "llama.cpp" in headers.get("server", ""):
            return flavour
    return "generic"
