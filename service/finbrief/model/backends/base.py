"""The backend interface: everything the pipeline needs from a model, and nothing more.

Backends are synchronous and thread-compatible; queueing and concurrency across briefs live in
engine.py. A backend may run one batch's requests concurrently (the openai backend does: a brief's
independent questions go to the engine together, which batches them over the shared article prefix).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..spec import AnswerSpec


@dataclass(frozen=True)
class GenerationRequest:
    """One chat-style generation. `answer` is the answer's shape (spec.py), which each backend
    renders as its engine takes it; `grammar` is its GBNF (or a grammar of its own, without a
    spec), for llama.cpp. Backends that cannot enforce either say so."""

    system: str
    user: str
    max_tokens: int = 256
    grammar: str | None = None
    answer: AnswerSpec | None = None
    temperature: float = 0.0
    seed: int = 0  # sampling seed: several samples of one prompt differ only by seed
    stop: tuple[str, ...] = ()
    # English-only output: backends forbid CJK tokens at decoding time (llama.cpp also via grammar).
    ban_cjk: bool = False
    tag: str = ""  # the pipeline step, for logs and metrics
    # Alternatives wanted per generated token (0: none), where the engine returns them.
    top_logprobs: int = 0


@dataclass
class GenerationResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" | "length" | "error"
    cached_tokens: int = 0
    seconds: float = 0.0
    error: str | None = None
    # The engine's own timings where it reports them (llama.cpp: ENGINE_TIMINGS), for profiling.
    extra: dict[str, float] = field(default_factory=dict)
    # Per generated token, its alternatives as {token text: logprob}, when they were asked for.
    top_logprobs: list[dict[str, float]] = field(default_factory=list)


# llama.cpp's per-request timings worth keeping: uncached prompt tokens (prompt_n) and the
# milliseconds spent prefilling them and decoding, from the engine itself rather than a wall clock.
ENGINE_TIMINGS = ("prompt_n", "prompt_ms", "predicted_ms", "prompt_per_second", "predicted_per_second")


def engine_timings(timings: dict[str, object]) -> dict[str, float]:
    """The ENGINE_TIMINGS of a llama.cpp `timings` object (in-process or llama-server's HTTP)."""
    return {k: float(v) for k in ENGINE_TIMINGS if isinstance(v := timings.get(k), int | float)}


@runtime_checkable
class Backend(Protocol):
    name: str
    model_sha256: str | None

    @property
    def model_id(self) -> str:
        """The model's id (a serving engine's: its served model name, looked up on first use)."""
        ...

    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        """Run every request; results in the same order. Never raises for one bad request: its
        result carries finish_reason="error" and `error`."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def warmup(self) -> None:
        """Load weights and run one tiny generation so the first user request is not the slow one."""
        ...

    def close(self) -> None: ...
